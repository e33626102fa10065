import { Registry, SluiceError } from '@sluice/core';
import type mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { ownCapture } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, stack, uniqueName, waitFor } from '../support/stack.ts';

/**
 * The registry's own behaviour (Apicurio in the local stack, behind its Confluent-compatible API):
 * a subject left at BACKWARD by an older sluice takes every change once sluice sets NONE; a
 * stricter level refuses with SCHEMA_INCOMPATIBLE naming the table and the setting; a wrong API
 * path is REGISTRY_MISCONFIGURED.
 */
const s = stack();
const v1 = { type: 'record', name: 'Value', namespace: 'evo', fields: [{ name: 'id', type: 'int' }] };
// A new field without a default: BACKWARD refuses it (readers of v2 cannot read v1 records).
const v2 = { ...v1, fields: [...v1.fields, { name: 'y', type: 'int' }] };
const v3 = { ...v1, fields: [...v2.fields, { name: 'z', type: 'string' }] };

const subjects: string[] = [];
afterAll(async () => {
  for (const sub of subjects) {
    await fetch(`${s.registryUrl}/subjects/${sub}`, { method: 'DELETE' }).catch(() => undefined);
    await fetch(`${s.registryUrl}/subjects/${sub}?permanent=true`, { method: 'DELETE' }).catch(() => undefined);
  }
});

async function failure(p: Promise<unknown>): Promise<SluiceError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(SluiceError);
  return e as SluiceError;
}

describe('registry compatibility (Apicurio)', () => {
  it('a subject left at BACKWARD takes a new NOT NULL field once sluice sets NONE', async () => {
    const subject = `${uniqueName('evo')}.d.t-value`;
    subjects.push(subject);
    // An older sluice registered with BACKWARD and left the level on the subject.
    const old = await fetch(`${s.registryUrl}/subjects/${subject}/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ schema: JSON.stringify(v1) }),
    });
    expect(old.status).toBe(200);
    await fetch(`${s.registryUrl}/config/${subject}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ compatibility: 'BACKWARD' }),
    });
    const strict = new Registry(s.registryUrl);
    const refused = await failure(strict.register(subject, v2, { compatibility: 'BACKWARD', table: 'd.t' }));
    expect(refused.code).toBe('SCHEMA_INCOMPATIBLE');
    expect(refused.retriable).toBe(false);
    expect(refused.message).toContain('table d.t');
    expect(refused.message).toContain('schemaRegistry.compatibility is BACKWARD');

    const sluice = new Registry(s.registryUrl);
    const id2 = await sluice.register(subject, v2, { compatibility: 'NONE', table: 'd.t' });
    const id3 = await sluice.register(subject, v3, { compatibility: 'NONE', table: 'd.t' });
    expect(id3).not.toBe(id2);
    expect((await sluice.latest(subject))?.id).toBe(id3);
  });

  it('a brand-new subject gets NONE right after its first version, so the next change is taken too', async () => {
    const subject = `${uniqueName('evo')}.d.t2-value`;
    subjects.push(subject);
    const registry = new Registry(s.registryUrl);
    await registry.register(subject, v1, { compatibility: 'NONE', table: 'd.t2' });
    // A new process (a restart) registers the incompatible change.
    await new Registry(s.registryUrl).register(subject, v2, { compatibility: 'NONE', table: 'd.t2' });
  });

  it('a wrong API path is REGISTRY_MISCONFIGURED, not a decode failure', async () => {
    const wrong = s.registryUrl.replace(/\/apis\/ccompat\/v7\/?$/, '/apis/ccompat');
    const e = await failure(new Registry(wrong).register('x-value', v1, { table: 'd.t' }));
    expect(e.code).toBe('REGISTRY_MISCONFIGURED');
    expect(e.message).toContain('schemaRegistry.url');
  });
});

describe('the capture on registry refusals', () => {
  const db = uniqueName('iso_regc');
  const captures: ServiceProcess[] = [];
  let source: mysql.Connection | undefined;

  afterAll(async () => {
    for (const c of captures) await c.stop();
    await source?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await source?.end();
  });

  it('with compatibility BACKWARD, a NOT NULL column without default stops it with SCHEMA_INCOMPATIBLE, once', async () => {
    source = await connect(s.sourceUrl);
    await source.query(`CREATE DATABASE \`${db}\``);
    await source.query(`CREATE TABLE \`${db}\`.t (id INT PRIMARY KEY, v INT)`);
    await source.query(`INSERT INTO \`${db}\`.t VALUES (1, 1)`);
    const prefix = uniqueName('regc');
    const capture = ownCapture(s, {
      name: `capture-${prefix}`,
      prefix,
      include: [`${db}.*`],
      extra: { schemaRegistry: { url: s.registryUrl, compatibility: 'BACKWARD' } },
    });
    captures.push(capture);
    for (const sub of ['key', 'value']) subjects.push(`${prefix}.${db}.t-${sub}`);
    await capture.start();
    await capture.waitLog(/"msg":"capture streaming"/);
    await source.query(`ALTER TABLE \`${db}\`.t ADD COLUMN y INT NOT NULL`);
    await source.query(`INSERT INTO \`${db}\`.t VALUES (2, 2, 2)`);
    const code = await Promise.race([capture.waitExit(), new Promise((r) => setTimeout(() => r('still running'), 60_000))]);
    expect(code, capture.tail()).toBe(1);
    const log = capture.log();
    expect(log).toMatch(/"code":"SCHEMA_INCOMPATIBLE"/);
    expect(log).toContain(`table ${db}.t`);
    expect(log).toContain('schemaRegistry.compatibility is BACKWARD');
    // Not retried as if the registry were down.
    expect(log).not.toMatch(/capture run failed; restarting/);
  });

  it('a registry URL without the API path stops it with REGISTRY_MISCONFIGURED', async () => {
    const prefix = uniqueName('regm');
    const wrong = s.registryUrl.replace(/\/apis\/ccompat\/v7\/?$/, '');
    const capture = ownCapture(s, {
      name: `capture-${prefix}`,
      prefix,
      include: [`${db}.*`],
      extra: { schemaRegistry: { url: wrong } },
    });
    captures.push(capture);
    await capture.start().catch(() => undefined);
    await waitFor('the capture to exit', async () => ((await capture.waitExit()) === 1 ? true : undefined));
    expect(capture.log()).toMatch(/"code":"REGISTRY_MISCONFIGURED".*schemaRegistry\.url/);
    expect(capture.log()).not.toMatch(/DECODE_FAILED|\[object Object\]/);
  });
});
