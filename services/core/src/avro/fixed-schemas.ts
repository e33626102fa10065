import { readFileSync } from 'node:fs';

/** The fixed schemas in the repository's schemas/ folder, read once. */
const dir = new URL('../../../../schemas/', import.meta.url);
const load = (file: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(file, dir), 'utf8'));

export const SOURCE_SCHEMA = load('source.avsc');
export const TRANSACTION_SCHEMA = load('transaction.avsc');
export const CHECKPOINT_SCHEMA = load('checkpoint.avsc');
export const CHECKPOINT_KEY_SCHEMA = load('checkpoint-key.avsc');
export const HEARTBEAT_SCHEMA = load('heartbeat.avsc');
export const SCHEMA_CHANGE_SCHEMA = load('schema-change.avsc');
export const SCHEMA_CHANGE_KEY_SCHEMA = load('schema-change-key.avsc');
export const TRUNCATE_KEY_SCHEMA = load('truncate-key.avsc');
