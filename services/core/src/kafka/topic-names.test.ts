import { describe, expect, it } from 'vitest';
import { checkpointTopic, dlqTopic, parseTableTopic, tableTopic, tableTopicPattern } from './topic-names.ts';

describe('topic names', () => {
  it('matches table topics of the prefix only', () => {
    const re = tableTopicPattern('sluice');
    expect(re.test(tableTopic('sluice', 'shop', 'orders'))).toBe(true);
    expect(re.test(checkpointTopic('sluice'))).toBe(false);
    expect(re.test(dlqTopic('sluice', 'tidb-a'))).toBe(false);
    expect(re.test('other.shop.orders')).toBe(false);
    expect(re.test('sluiceX.shop.orders')).toBe(false);
  });

  it('splits a table topic', () => {
    expect(parseTableTopic('sluice', 'sluice.shop.orders')).toEqual({ db: 'shop', table: 'orders' });
    expect(parseTableTopic('sluice', 'sluice._checkpoints')).toBeUndefined();
  });
});
