/**
 * Internal topics start with `_` or `dlq.` after the prefix; table topics (table-topic.ts) never
 * do, not even once Kafka folds '.' and '_' together.
 */
export const checkpointTopic = (prefix: string): string => `${prefix}._checkpoints`;
export const heartbeatTopic = (prefix: string): string => `${prefix}._heartbeats`;
/** Each capture's state when it fails or stops (JSON by capture id, compacted): what `sluice status` explains. */
export const captureStatusTopic = (prefix: string): string => `${prefix}._capture_status`;
export const schemaChangeTopic = (prefix: string): string => `${prefix}._schema_changes`;
export const dlqTopic = (prefix: string, sink: string): string => `${prefix}.dlq.${sink}`;

/** Subjects follow the TopicNameStrategy. */
export const keySubject = (topic: string): string => `${topic}-key`;
export const valueSubject = (topic: string): string => `${topic}-value`;
