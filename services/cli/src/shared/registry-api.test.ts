import { describe, expect, it } from 'vitest';
import { RegistryApi } from './registry-api.ts';

describe('RegistryApi', () => {
  it('never puts the password of the registry URL in its error', async () => {
    const api = new RegistryApi('http://reader:s3cret@127.0.0.1:1/apis/ccompat/v7');
    const err = await api.subjects().catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(
      /^schema registry at http:\/\/reader:\*\*\*@127\.0\.0\.1:1\/apis\/ccompat\/v7 unreachable/,
    );
    expect((err as Error).message).not.toContain('s3cret');
  });
});
