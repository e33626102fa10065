/**
 * A row change in the Debezium envelope shape (design contract 2), with column values already
 * in their Avro representation. Field names in before/after are Avro field names. `t` is a
 * TRUNCATE (or DROP TABLE) marker; `s` is sluice's own schema-change marker (docs/ddl.md): no
 * row images, the DDL in source.query, written with the table's value schema after the DDL.
 */
export type Op = 'c' | 'u' | 'd' | 'r' | 't' | 's';

export interface SourceBlock {
  version: string;
  connector: string;
  name: string;
  ts_ms: number;
  snapshot: string | null;
  db: string;
  sequence: string | null;
  table: string | null;
  server_id: number;
  gtid: string | null;
  file: string;
  pos: number;
  row: number;
  thread: number | null;
  query: string | null;
}

export interface TransactionBlock {
  id: string;
  total_order: number;
  data_collection_order: number;
}

export type AvroRow = Record<string, unknown>;

export interface ChangeEnvelope {
  before: AvroRow | null;
  after: AvroRow | null;
  source: SourceBlock;
  op: Op;
  ts_ms: number | null;
  transaction: TransactionBlock | null;
}
