import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, isRetriable, SluiceError } from './errors.ts';

describe('SluiceError', () => {
  it('takes retriable from the code unless told otherwise', () => {
    expect(isRetriable(new SluiceError('TARGET_TRANSIENT', 'x'))).toBe(true);
    expect(isRetriable(new SluiceError('TARGET_REJECTED', 'x'))).toBe(false);
    expect(isRetriable(new SluiceError('REGISTRY_UNAVAILABLE', 'x', { retriable: false }))).toBe(false);
    expect(isRetriable(new Error('plain'))).toBe(false);
  });

  it('every code is documented in docs/errors.md', () => {
    const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    for (const code of Object.keys(ERROR_CODES)) expect(doc, code).toContain(`\`${code}\``);
  });
});
