/** The Kafka header of a rename's `s` markers (capture publish/ddl-records.ts; docs/ddl.md, renames). */
export const RENAME_HEADER = 'sluice.rename';

interface Name {
  database: string;
  table: string;
}

/**
 * A table rename, as its markers tell it. `role: from` is the marker on the old name's topic
 * (one per partition, `partitions` of them), `role: to` the one on the new name's topic. `id`
 * names the rename (binlog position and pair index); `after` the rename that must be done
 * first (the pair before it in the same statement), if any.
 */
export interface RenameHeader {
  id: string;
  role: 'from' | 'to';
  from: Name;
  to: Name;
  partitions: number;
  after: string | null;
}

const isName = (v: unknown): v is Name =>
  !!v && typeof (v as Name).database === 'string' && typeof (v as Name).table === 'string';

/** The rename a marker's headers carry, if any; undefined for anything malformed. */
export function renameHeaderOf(headers: Record<string, unknown> | undefined): RenameHeader | undefined {
  const raw = headers?.[RENAME_HEADER];
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : typeof raw === 'string' ? raw : undefined;
  if (!text) return undefined;
  try {
    const h = JSON.parse(text) as RenameHeader;
    if (typeof h.id !== 'string' || (h.role !== 'from' && h.role !== 'to') || !isName(h.from) || !isName(h.to)) return undefined;
    return { id: h.id, role: h.role, from: h.from, to: h.to, partitions: Number(h.partitions) || 1, after: h.after ?? null };
  } catch {
    return undefined;
  }
}

/**
 * The Kafka header of an `s` marker on a topic of several partitions: the statement (a partition
 * statement that removes rows) is applied once, when every partition has reached its marker, and
 * no partition goes past its marker before that (docs/ddl.md, partitions).
 */
export const BARRIER_HEADER = 'sluice.barrier';

export interface BarrierHeader {
  id: string;
  partitions: number;
}

export function barrierHeaderOf(headers: Record<string, unknown> | undefined): BarrierHeader | undefined {
  const raw = headers?.[BARRIER_HEADER];
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : typeof raw === 'string' ? raw : undefined;
  if (!text) return undefined;
  try {
    const h = JSON.parse(text) as BarrierHeader;
    const partitions = Number(h.partitions);
    return typeof h.id === 'string' && partitions >= 1 ? { id: h.id, partitions } : undefined;
  } catch {
    return undefined;
  }
}
