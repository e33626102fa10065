import {
  type BaseManifest,
  baseManifestKey,
  globToRegExp,
  newBaseId,
  Registry,
  SluiceError,
  tableTopicPattern,
} from '@sluice/core';
import { Progress } from '../output/progress.ts';
import { count } from '../output/table.ts';
import { ARCHIVE_STORAGE_HELP, ARCHIVE_STORAGE_OPTIONS, archiveStorageFromFlags } from '../shared/archive-storage-flags.ts';
import { listFlag, parseFlags } from '../shared/args.ts';
import { registryConnection } from '../shared/connections.ts';
import { cliKafka, connectAdmin } from '../shared/kafka.ts';
import { RegistryApi } from '../shared/registry-api.ts';
import { Settings } from '../shared/settings.ts';
import { type TopicTable, TopicTables } from '../shared/topic-tables.ts';
import { prefixHint } from '../topics/topic-kinds.ts';
import { BaseWriter } from './base-writer.ts';
import { readTopicsToEnd } from './topic-reader.ts';
import { requireTopicsKeepEveryRow } from './topic-retention.ts';

export const BACKUP_HELP = `sluice backup: a base backup of the selected tables into the archive (docs/backup.md)

usage: sluice backup (--path <dir> | --url s3://bucket/prefix) [--tables <patterns>] [options]

A base is read from the table topics, not from the source: for each selected table topic and
partition, every record from the start up to the partition's end (read_committed; the end is
measured again once reached, until it no longer moves). The records are written, envelopes
unchanged, in the archive's file format to
  <root>/base=<id>/<db>/<table>/<partition>-<first offset>.avro
and then <root>/base=<id>/base.json, last: it lists the tables, files and, per partition, the
end offset the base read to. A restore loads one base and replays the archive from those
offsets (sluice restore). Topics must hold every row: a topic whose cleanup.policy deletes
(delete, compact,delete) with a finite retention.ms or retention.bytes is refused
(BACKUP_TOPIC_NOT_COMPACTED); compact, the default, or both limits -1 are taken.

${ARCHIVE_STORAGE_HELP}
  --tables <patterns>      only these tables: <db>.<table> with * and ?, comma-separated or repeated
  --prefix <p>             topic prefix (also --topic-prefix; default: config, SLUICE_TOPIC_PREFIX, sluice)
  --registry <url>         the schema registry (SLUICE_SCHEMA_REGISTRY_URL; default: config)
  --brokers <list>, --capture-config <file>, --sink-config <file>: where Kafka and the topics are
  --json                   the base's manifest as JSON on stdout
Exit codes: 0 written, 2 refused or failed (nothing is a base until its base.json is written).`;

const OPTIONS = {
  ...ARCHIVE_STORAGE_OPTIONS,
  tables: { type: 'string', multiple: true },
  prefix: { type: 'string' },
  'topic-prefix': { type: 'string' },
  registry: { type: 'string' },
  brokers: { type: 'string' },
  'capture-config': { type: 'string' },
  'sink-config': { type: 'string' },
  json: { type: 'boolean' },
} as const;

export async function backupCommand(argv: string[]): Promise<number> {
  const f = parseFlags('backup', argv, OPTIONS);
  if (f.help) {
    process.stdout.write(`${BACKUP_HELP}\n`);
    return 0;
  }
  const settings = new Settings({ captureConfig: f['capture-config'], sinkConfig: f['sink-config'] });
  const prefix = settings.topicPrefix(f.prefix ?? f['topic-prefix']);
  const brokers = settings.brokers(f.brokers);
  const registryUrl = settings.registryUrl(f.registry);
  if (!registryUrl) {
    throw new SluiceError(
      'CONFIG_INVALID',
      'sluice backup: the schema registry is needed (--registry or SLUICE_SCHEMA_REGISTRY_URL)',
    );
  }
  const patterns = listFlag(f.tables).map(globToRegExp);
  const storage = archiveStorageFromFlags('backup', f);
  const kafka = cliKafka(brokers);
  const admin = await connectAdmin(kafka, brokers);
  const started = Date.now();
  try {
    const all = await admin.listTopics();
    const names = new TopicTables(prefix, new RegistryApi(registryUrl));
    const pattern = tableTopicPattern(prefix);
    const selected = new Map<string, TopicTable>();
    for (const topic of all.filter((t) => pattern.test(t)).sort()) {
      const n = await names.of(topic);
      if (n && (patterns.length === 0 || patterns.some((r) => r.test(`${n.db}.${n.table}`)))) selected.set(topic, n);
    }
    if (!selected.size) {
      throw new SluiceError(
        'NOT_FOUND',
        `sluice backup: no table topic of prefix ${prefix}${patterns.length ? ` matches --tables ${listFlag(f.tables).join(',')}` : ''}${prefixHint(all, prefix)}`,
      );
    }
    // A topic that drops old records would give a base missing rows, silently.
    await requireTopicsKeepEveryRow(admin, [...selected.keys()]);
    const id = newBaseId();
    const writer = new BaseWriter({
      storage,
      id,
      schemas: new Registry(registryConnection(registryUrl)),
      names: (topic) => selected.get(topic) as TopicTable,
    });
    const progress = new Progress();
    const plain = process.stderr.isTTY !== true;
    let told = Date.now();
    const ends = await readTopicsToEnd({
      kafka,
      admin,
      topics: [...selected.keys()],
      onRecords: async (topic, partition, records) => {
        await writer.add(topic, partition, records);
        progress.update(`backup ${id}: ${count(writer.rows)} rows from ${selected.size} tables`);
        if (plain && Date.now() - told > 5_000) {
          told = Date.now();
          process.stderr.write(`backup ${id}: ${count(writer.rows)} rows so far\n`);
        }
      },
    });
    const tables = await writer.finish(ends);
    progress.done();
    const manifest: BaseManifest = { id, createdAtMs: started, topicPrefix: prefix, tables };
    // Last: its presence makes the base complete.
    await storage.write(baseManifestKey(id), `${JSON.stringify(manifest, null, 2)}\n`);
    const secs = (Date.now() - started) / 1000;
    if (f.json) process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
    else {
      process.stdout.write(
        `base ${id} written to ${storage.location}: ${tables.length} tables, ${count(writer.rows)} rows, ` +
          `${tables.reduce((n, t) => n + t.files.length, 0)} files, ${count(writer.bytes)} bytes in ${secs.toFixed(1)} s\n`,
      );
      for (const t of tables) {
        const parts = t.partitions.map((p) => `${p.partition}@${p.endOffset}`).join(' ');
        process.stdout.write(`  ${t.db}.${t.table}: ${count(t.rows)} rows, ends ${parts}\n`);
      }
    }
    return 0;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
