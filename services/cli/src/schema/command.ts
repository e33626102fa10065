import { keySubject, SluiceError, tableTopic, valueSubject } from '@sluice/core';
import { renderTable } from '../output/table.ts';
import { parseCommandLine } from '../shared/args.ts';
import { RegistryApi } from '../shared/registry-api.ts';
import { Settings } from '../shared/settings.ts';
import { keyColumns, schemaChanges, type TableMapping, tableMapping } from './mapping.ts';

export const SCHEMA_HELP = `sluice schema: the registered schema versions of a table and its current type mapping

usage: sluice schema <db.table> [--prefix <p>] [--json] [options]

Reads the subjects <prefix>.<db>.<table>-value and -key from the schema registry (the
Confluent-compatible REST API: GET /subjects/{subject}/versions and .../versions/{version}) and
shows every registered version (schema id, column count, what changed from the version before),
then for the latest value version each column with:
  sql type      the source column type (field attribute sluice.sqlType)
  avro type     the Avro type on the topic (logical type included), see docs/types.md
  connect.name  Debezium's semantic type name, where there is one
  null          whether the field is the union with null
  key           the column's position in the key the topic is keyed by (sluice.primaryKey)

options:
  --prefix <p>             topic prefix (also --topic-prefix; default: config, SLUICE_TOPIC_PREFIX, sluice)
  --registry <url>         schema registry URL (SLUICE_SCHEMA_REGISTRY_URL; Apicurio: .../apis/ccompat/v7)
  --json                   one JSON document on stdout
  --capture-config <file>, --sink-config <file>: take the registry and prefix from a service's config
  -h, --help               this text
Exit codes: 0 shown, 2 no such subject (NOT_FOUND; names the table's subjects under other
prefixes) or the registry cannot be reached.`;

const OPTIONS = {
  prefix: { type: 'string' },
  'topic-prefix': { type: 'string' },
  registry: { type: 'string' },
  json: { type: 'boolean' },
  'capture-config': { type: 'string' },
  'sink-config': { type: 'string' },
} as const;

interface VersionSummary {
  version: number;
  id: number;
  columns: string[];
  changes: string[];
}

export async function schemaCommand(argv: string[]): Promise<number> {
  const { values: f, positionals } = parseCommandLine('schema', argv, OPTIONS);
  if (f.help) {
    process.stdout.write(`${SCHEMA_HELP}\n`);
    return 0;
  }
  const name = positionals.length === 1 ? /^([^.\s]+)\.([^.\s]+)$/.exec(positionals[0] as string) : null;
  if (!name) {
    throw new SluiceError(
      'CONFIG_INVALID',
      `sluice schema: name one table as <db>.<table>${positionals.length ? `, got ${positionals.map((p) => JSON.stringify(p)).join(' ')}` : ''} (see sluice schema --help)`,
    );
  }
  const db = name[1] as string;
  const table = name[2] as string;
  const settings = new Settings({ captureConfig: f['capture-config'], sinkConfig: f['sink-config'] });
  const url = settings.registryUrl(f.registry);
  if (!url) {
    throw new SluiceError(
      'CONFIG_INVALID',
      'sluice schema: no schema registry: pass --registry <url>, a config file, or set SLUICE_SCHEMA_REGISTRY_URL',
    );
  }
  const api = new RegistryApi(url);
  const prefix = settings.topicPrefix(f.prefix ?? f['topic-prefix']);
  const topic = tableTopic(prefix, db, table);
  const valueVersions = await api.versions(valueSubject(topic));
  if (!valueVersions?.length) {
    const elsewhere = (await api.subjects()).filter((s) => s.endsWith(`.${db}.${table}-value`));
    throw new SluiceError(
      'NOT_FOUND',
      `no subject ${valueSubject(topic)} in the registry at ${api.url}${elsewhere.length ? ` (this table has: ${elsewhere.slice(0, 5).join(', ')}${elsewhere.length > 5 ? ', …' : ''}; pass --prefix)` : ': is the table captured, and has it changed since capture started?'}`,
    );
  }
  const mappings: { version: number; id: number; mapping: TableMapping }[] = [];
  for (const v of valueVersions) {
    const got = await api.version(valueSubject(topic), v);
    if (got) mappings.push({ version: got.version, id: got.id, mapping: tableMapping(got.schema) });
  }
  const value: VersionSummary[] = mappings.map((m, i) => ({
    version: m.version,
    id: m.id,
    columns: m.mapping.columns.map((c) => c.column),
    changes: schemaChanges(mappings[i - 1]?.mapping, m.mapping),
  }));
  const key: VersionSummary[] = [];
  for (const v of (await api.versions(keySubject(topic))) ?? []) {
    const got = await api.version(keySubject(topic), v);
    if (got) key.push({ version: got.version, id: got.id, columns: keyColumns(got.schema), changes: [] });
  }
  const latest = mappings[mappings.length - 1] as (typeof mappings)[number];
  const notes: string[] = [];
  const latestKey = key[key.length - 1];
  if (latestKey && latestKey.columns.join(',') !== latest.mapping.primaryKey.join(',')) {
    notes.push(
      `the latest key schema has (${latestKey.columns.join(', ')}) but the value schema's sluice.primaryKey is (${latest.mapping.primaryKey.join(', ')})`,
    );
  }
  const report = {
    table: `${db}.${table}`,
    topic,
    registry: api.url,
    value: { subject: valueSubject(topic), versions: value },
    key: { subject: keySubject(topic), versions: key },
    latest: { version: latest.version, id: latest.id, ...latest.mapping },
    notes,
  };
  process.stdout.write(`${f.json ? JSON.stringify(report, null, 2) : renderSchema(report)}\n`);
  return 0;
}

function renderSchema(r: {
  table: string;
  registry: string;
  value: { subject: string; versions: VersionSummary[] };
  key: { subject: string; versions: VersionSummary[] };
  latest: { version: number; id: number } & TableMapping;
  notes: string[];
}): string {
  const out = [`schema of ${r.table} (registry ${r.registry})`, '', `value versions (${r.value.subject})`];
  out.push(
    renderTable(
      ['version', 'id', 'columns', 'changes'],
      r.value.versions.map((v) => [String(v.version), String(v.id), String(v.columns.length), v.changes.join('; ') || '-']),
    ),
  );
  out.push('', `key versions (${r.key.subject})`);
  out.push(
    r.key.versions.length
      ? renderTable(
          ['version', 'id', 'key columns'],
          r.key.versions.map((v) => [String(v.version), String(v.id), v.columns.join(', ')]),
        )
      : '(none registered)',
  );
  out.push('', `columns of value version ${r.latest.version} (schema id ${r.latest.id})`);
  out.push(
    renderTable(
      ['column', 'sql type', 'avro type', 'connect.name', 'null', 'key'],
      r.latest.columns.map((c) => [
        c.column,
        c.sqlType,
        c.avroType,
        c.connectName ?? '-',
        c.nullable ? 'yes' : 'no',
        c.key === null ? '-' : String(c.key),
      ]),
    ),
  );
  for (const n of r.notes) out.push(`note: ${n}`);
  return out.join('\n');
}
