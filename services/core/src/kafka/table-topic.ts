import { createHash } from 'node:crypto';

/**
 * The topic of a source table (design contracts 1 and 10). A table whose names Kafka takes as
 * they are gets `<prefix>.<db>.<table>`; any other table (unicode, spaces, dots, `;`, backticks,
 * over-long names, a database that looks like an internal topic) gets the mapped form
 * `<prefix>.<db'>.<table'>.h<16 hex>`: each name with every character outside [A-Za-z0-9_-]
 * replaced by `_`, shortened to fit, and 64 bits of SHA-256 of the real names. A clean name has
 * two dots and a mapped one three, so the forms never meet, and the hash keeps two tables apart
 * whose names sanitize alike. The real names travel in the envelope's `source` block and the
 * value schema's `sluice.database` / `sluice.table`, so nothing reads them off the topic.
 * docs/limits.md ("Topic names") tells the rules for people.
 */

/** Kafka's limit for a topic name. */
export const TOPIC_NAME_MAX = 249;

/** What Kafka compares to refuse a new topic: '.' and '_' are the same in its metric names. */
export const foldTopicName = (topic: string): string => topic.replaceAll('.', '_');

const SAFE = /^[A-Za-z0-9_-]+$/;
/**
 * Databases whose clean topic could meet an internal topic of the prefix (`_checkpoints`,
 * `dlq.<sink>`, also once folded: `<prefix>.dlq_a.b` folds like the dead-letter topic of sink `a_b`).
 */
const INTERNAL_LIKE = /^(?:_|dlq$|dlq_)/;
/** A clean table so named would fold like the mapped topic of another table. */
const HASH_TAIL = /(?:^|_)h[0-9a-f]{16}$/;
const MAPPED_SUFFIX = 18; // ".h" and 16 hex digits

const hashOf = (db: string, table: string): string =>
  createHash('sha256').update(`${db}\u0000${table}`, 'utf8').digest('hex').slice(0, 16);

/** Every code point outside [A-Za-z0-9_-] as one `_`. */
const sanitize = (name: string): string => name.replace(/[^A-Za-z0-9_-]/gu, '_') || '_';

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');

/** Whether a new table topic may take the clean form `<prefix>.<db>.<table>`. */
function cleanAllowed(prefix: string, db: string, table: string): boolean {
  return (
    SAFE.test(db) &&
    SAFE.test(table) &&
    !INTERNAL_LIKE.test(db) &&
    !HASH_TAIL.test(table) &&
    prefix.length + db.length + table.length + 2 <= TOPIC_NAME_MAX
  );
}

/** The mapped form of a table's topic: `<prefix>.<db'>.<table'>.h<16 hex>`, at most 249 characters. */
export function mappedTableTopic(prefix: string, db: string, table: string): string {
  let d = sanitize(db);
  if (INTERNAL_LIKE.test(d)) d = `-${d}`;
  let t = sanitize(table);
  const budget = TOPIC_NAME_MAX - prefix.length - 2 - MAPPED_SUFFIX;
  if (budget < 2) throw new RangeError(`topic prefix ${prefix} is too long for table topics`);
  if (d.length + t.length > budget) {
    // Each part keeps at least half the budget, and the other's unused share.
    const half = Math.floor(budget / 2);
    const dLen = Math.min(d.length, Math.max(half, budget - t.length));
    d = d.slice(0, dLen);
    t = t.slice(0, budget - dLen);
  }
  return `${prefix}.${d}.${t}.h${hashOf(db, table)}`;
}

/** The names a table's topic can have: the clean form (when its names allow one) first, then the mapped form. */
export function tableTopicCandidates(prefix: string, db: string, table: string): string[] {
  const plain = `${prefix}.${db}.${table}`;
  const mapped = mappedTableTopic(prefix, db, table);
  return cleanPattern(prefix).test(plain) ? [plain, mapped] : [mapped];
}

/**
 * The topic of a table, given the topics Kafka has (`existing`; empty: as on a new cluster). A
 * table keeps the topic it has; a new one is clean when its names allow and Kafka would accept it
 * (no existing topic equal once '.' and '_' fold together: `a`.`b_c` and `a_b`.`c`), else mapped.
 * The capture creates what this returns and the CLI finds it again with the same listing.
 */
export function tableTopic(prefix: string, db: string, table: string, existing: ReadonlySet<string> = new Set()): string {
  const [first, mapped = first] = tableTopicCandidates(prefix, db, table) as [string, string?];
  if (first !== mapped && existing.has(first)) return first;
  if (existing.has(mapped)) return mapped;
  if (!cleanAllowed(prefix, db, table)) return mapped;
  const folded = foldTopicName(first);
  for (const t of existing) if (foldTopicName(t) === folded) return mapped;
  return first;
}

const cleanPattern = (prefix: string): RegExp =>
  new RegExp(`^${escapeRegExp(prefix)}\\.(?!_)(?!dlq\\.)[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$`);
const mappedPattern = (prefix: string): RegExp =>
  new RegExp(`^${escapeRegExp(prefix)}\\.(?!_)(?!dlq\\.)[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.h[0-9a-f]{16}$`);

/** Matches the table topics of a prefix, clean and mapped (not checkpoints, heartbeats, schema changes, DLQs). */
export function tableTopicPattern(prefix: string): RegExp {
  const p = escapeRegExp(prefix);
  return new RegExp(`^${p}\\.(?!_)(?!dlq\\.)[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+(?:\\.h[0-9a-f]{16})?$`);
}

/**
 * A table topic's names: a clean topic spells them; a mapped one does not (`{ mapped: true }`:
 * read them from the value schema's `sluice.database` / `sluice.table`). Undefined for topics
 * that are not table topics of the prefix.
 */
export function parseTableTopic(
  prefix: string,
  topic: string,
): { db: string; table: string; mapped?: undefined } | { mapped: true; db?: undefined; table?: undefined } | undefined {
  if (mappedPattern(prefix).test(topic)) return { mapped: true };
  if (!cleanPattern(prefix).test(topic)) return undefined;
  const [db, table] = topic.slice(prefix.length + 1).split('.') as [string, string];
  return { db, table };
}
