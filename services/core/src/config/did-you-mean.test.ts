import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from './did-you-mean.ts';

describe('didYouMean', () => {
  const keys = ['captureId', 'source', 'tables', 'columns', 'keys', 'topicPrefix', 'routes'];

  it('finds the key a misspelling meant', () => {
    expect(didYouMean('tabels', keys)).toBe('tables');
    expect(didYouMean('column', keys)).toBe('columns');
    expect(didYouMean('route', keys)).toBe('routes');
    expect(didYouMean('sourse', keys)).toBe('source');
  });

  it('ignores case and separators', () => {
    expect(didYouMean('TopicPrefix', keys)).toBe('topicPrefix');
    expect(didYouMean('topic_prefix', keys)).toBe('topicPrefix');
    expect(didYouMean('capture-id', keys)).toBe('captureId');
  });

  it('suggests nothing when nothing is close', () => {
    expect(didYouMean('brokers', keys)).toBeUndefined();
    expect(didYouMean('x', keys)).toBeUndefined();
    expect(didYouMean('tables', ['tables'])).toBeUndefined();
  });

  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('tabels', 'tables')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});
