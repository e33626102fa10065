import { classifyKafkaError } from './kafkajs/kafka-errors.ts';
import { CONFIG_RESOURCE, DYNAMIC_TOPIC_CONFIG, type KafkaAdmin } from './port/admin.ts';

/** What a record batch adds to its records (batch header, record headers, varints), with room to spare. */
export const BATCH_OVERHEAD_BYTES = 64 * 1024;
/** Kafka's default max.message.bytes (broker message.max.bytes): a topic without an override takes this. */
export const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

/**
 * A topic's max.message.bytes, raised to at least `bytes` when it is smaller (returns the value in
 * force afterwards). Other settings set on the topic are carried over: AlterConfigs replaces the
 * topic's whole set.
 */
export async function ensureMaxMessageBytes(admin: KafkaAdmin, topic: string, bytes: number): Promise<number> {
  let entries: { configName: string; configValue: string; configSource: number }[];
  try {
    const res = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: CONFIG_RESOURCE.TOPIC, name: topic }],
    });
    entries = res.resources[0]?.configEntries ?? [];
  } catch (err) {
    throw classifyKafkaError(err, `reading the configuration of topic ${topic}`);
  }
  const current = Number(
    entries.find((e) => e.configName === 'max.message.bytes')?.configValue ?? KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
  );
  if (current >= bytes) return current;
  const keep = entries
    .filter((e) => e.configSource === DYNAMIC_TOPIC_CONFIG && e.configName !== 'max.message.bytes')
    .map((e) => ({ name: e.configName, value: e.configValue }));
  try {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: CONFIG_RESOURCE.TOPIC,
          name: topic,
          configEntries: [...keep, { name: 'max.message.bytes', value: String(bytes) }],
        },
      ],
    });
  } catch (err) {
    throw classifyKafkaError(err, `raising max.message.bytes of topic ${topic} to ${bytes}`);
  }
  return bytes;
}
