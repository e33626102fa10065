/** Topic naming (design contract 1): one topic per source table, `<prefix>.<db>.<table>`. */
export const tableTopic = (prefix: string, db: string, table: string): string => `${prefix}.${db}.${table}`;

/** Internal topics start with `_` after the prefix so that no table topic can collide with them. */
export const checkpointTopic = (prefix: string): string => `${prefix}._checkpoints`;
export const heartbeatTopic = (prefix: string): string => `${prefix}._heartbeats`;
export const schemaChangeTopic = (prefix: string): string => `${prefix}._schema_changes`;
export const dlqTopic = (prefix: string, sink: string): string => `${prefix}.dlq.${sink}`;

/** Subjects follow the TopicNameStrategy. */
export const keySubject = (topic: string): string => `${topic}-key`;
export const valueSubject = (topic: string): string => `${topic}-value`;

/** Matches the table topics of a prefix (not checkpoints, not DLQs): `<prefix>.<db>.<table>`. */
export function tableTopicPattern(prefix: string): RegExp {
  const p = prefix.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
  return new RegExp(`^${p}\\.(?!_)(?!dlq\\.)[^.]+\\.[^.]+$`);
}

/** Splits a table topic back into database and table; undefined for other topics. */
export function parseTableTopic(prefix: string, topic: string): { db: string; table: string } | undefined {
  if (!tableTopicPattern(prefix).test(topic)) return undefined;
  const [, db, table] = topic.split('.');
  return db && table ? { db, table } : undefined;
}
