import {
  type AvroRow,
  type ChangeEnvelope,
  type FieldMapping,
  qualified,
  quoteIdent,
  type SourceBlock,
  type SqlParam,
} from '@sluice/core';

/**
 * The pure parts of removing, at a snapshot, the keys a table's topic still holds live but the
 * source no longer has (rows deleted or re-keyed while the capture could not read the binlog).
 */

/** A row image of the topic whose key is to be checked against the source. */
export interface KeyCandidate {
  /** The record's key bytes (Confluent-framed Avro), compared as hex. */
  keyHex: string;
  key: Buffer;
  /** The key as Avro values (decoded with the record's key schema). */
  keyRow: AvroRow;
  /** The record's `after` image and the value schema id it was written with. */
  after: AvroRow;
  valueSchemaId: number;
}

/**
 * Candidates of one batch, one per key: a key seen several times (before compaction) keeps its
 * last image, since the delete's `before` should be the row as the targets last had it.
 */
export class CandidateBatch {
  private readonly byKey = new Map<string, KeyCandidate>();

  add(c: KeyCandidate): void {
    this.byKey.delete(c.keyHex);
    this.byKey.set(c.keyHex, c);
  }

  /** A later delete or tombstone of a key in the same batch: already removed, nothing to check. */
  forget(keyHex: string): void {
    this.byKey.delete(keyHex);
  }

  get size(): number {
    return this.byKey.size;
  }

  take(): KeyCandidate[] {
    const out = [...this.byKey.values()];
    this.byKey.clear();
    return out;
  }
}

/** The key of an Avro key row as statement parameters, through the columns' codecs (as sinks do). */
export const keyParams = (keyFields: FieldMapping[], keyRow: AvroRow): SqlParam[] =>
  keyFields.map((f) => {
    const v = keyRow[f.field];
    return v === null || v === undefined ? null : f.codec.toSql(v);
  });

/** `SELECT <key> FROM <table> WHERE (<key>) IN ((?, ?), ...)` for `count` keys. */
export function presentKeysSql(database: string, table: string, keyColumns: string[], count: number): string {
  const cols = keyColumns.map(quoteIdent).join(', ');
  const tuple = `(${keyColumns.map(() => '?').join(', ')})`;
  const list = Array.from({ length: count }, () => tuple).join(', ');
  return `SELECT ${cols} FROM ${qualified(database, table)} WHERE (${cols}) IN (${list})`;
}

/** The number of key slots of a lookup of `n` keys: the next power of two, at least 8. */
export const paddedCount = (n: number): number => {
  let slots = 8;
  while (slots < n) slots *= 2;
  return slots;
};

/** The candidates whose key bytes are not among those the source still has. */
export const goneOf = (candidates: KeyCandidate[], present: ReadonlySet<string>): KeyCandidate[] =>
  candidates.filter((c) => !present.has(c.keyHex));

/** The delete of a gone key: its last image as `before`, marked as coming from the snapshot. */
export function deleteEnvelope(after: AvroRow, source: SourceBlock, now: number): ChangeEnvelope {
  return { before: after, after: null, source: { ...source, snapshot: 'true' }, op: 'd', ts_ms: now, transaction: null };
}

/** Whether a decoded record value is a row image (create, update or snapshot read with an `after`). */
export function rowImageOf(value: unknown): AvroRow | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as { op?: unknown; after?: unknown };
  if (v.op !== 'c' && v.op !== 'u' && v.op !== 'r') return undefined;
  return v.after && typeof v.after === 'object' ? (v.after as AvroRow) : undefined;
}
