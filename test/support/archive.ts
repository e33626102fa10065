import { LocalArchiveStorage, readTableManifest, tableKeysOf } from '@sluice/core';
import { ownCapture, ownSink } from './pipeline.ts';
import type { ServiceProcess } from './services.ts';
import { type stack, waitFor } from './stack.ts';

/**
 * A capture of its own (the `include` patterns) and an archive sink into the local directory
 * `dir` (files closed every 500 ms), both started; returns once the archive holds `rows` rows,
 * with the Kafka flags `sluice backup` needs.
 */
export async function archivePipeline(
  s: ReturnType<typeof stack>,
  o: { name: string; prefix: string; include: string[]; dir: string; rows: number; services: ServiceProcess[] },
): Promise<{ kafkaFlags: string[]; storage: LocalArchiveStorage }> {
  const capture = ownCapture(s, { name: o.name, prefix: o.prefix, include: o.include });
  const sink = ownSink(s, {
    name: `archive-${o.prefix}`,
    prefix: o.prefix,
    targetUrl: '',
    extra: { target: { kind: 'archive', path: o.dir, maxFileAgeMs: 500 }, sessionTimeoutMs: 6_000 },
  });
  o.services.push(capture, sink);
  await capture.start();
  await sink.start();
  const storage = new LocalArchiveStorage(o.dir);
  await waitFor(
    `${o.rows} rows in the archive`,
    async () => ((await archivedRows(storage)) >= o.rows ? true : undefined),
    60_000,
  );
  return { kafkaFlags: ['--prefix', o.prefix, '--brokers', s.kafkaBrokers.join(','), '--registry', s.registryUrl], storage };
}

/** Rows in the durable files of every table of an archive (its manifests). */
export async function archivedRows(storage: LocalArchiveStorage): Promise<number> {
  let rows = 0;
  for (const key of tableKeysOf(await storage.list(''))) for (const e of await readTableManifest(storage, key)) rows += e.rows;
  return rows;
}
