import { describe, expect, it } from 'vitest';
import { schemaIdOf } from './schema-registry.ts';

describe('Confluent framing', () => {
  it('reads the schema id after the magic byte', () => {
    expect(schemaIdOf(Buffer.from([0, 0, 0, 1, 2, 9]))).toBe(258);
  });

  it('refuses what is not framed', () => {
    expect(() => schemaIdOf(Buffer.from('{"json":true}'))).toThrow(/magic byte/);
  });
});
