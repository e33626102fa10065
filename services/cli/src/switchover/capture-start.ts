import { type Checkpoint, CheckpointCodec, checkpointAt } from '@sluice/capture/src/publish/checkpoint.ts';
import { type BinlogPosition, type KafkaClient, Registry, type RegistryEndpoint } from '@sluice/core';

/**
 * Fences every running instance of a capture (a new producer with its transactional id aborts
 * their open transaction, and they stop with KAFKA_FENCED at their next commit) and, when given a
 * position, commits the capture's checkpoint there: started afterwards, it streams from that
 * position on, whatever it had read before (a switchover's new direction starts where the new
 * primary is, so the rows its sink applied are never captured back).
 */
export async function fenceCapture(opts: {
  kafka: KafkaClient;
  captureId: string;
  topicPrefix: string;
  registry: string | RegistryEndpoint;
  serverId: number;
  at?: { position: BinlogPosition; changeSinceMs: number | null };
}): Promise<Checkpoint | undefined> {
  const producer = opts.kafka.transactionalProducer({
    transactionalId: `sluice-capture-${opts.captureId}`,
    transactionTimeoutMs: 60_000,
  });
  await producer.connect();
  try {
    if (!opts.at) return undefined;
    const codec = new CheckpointCodec(opts.topicPrefix, new Registry(opts.registry));
    const checkpoint = checkpointAt(
      { captureId: opts.captureId, serverId: opts.serverId },
      opts.at.position,
      Date.now(),
      null,
      opts.at.changeSinceMs,
    );
    const txn = await producer.transaction();
    await txn.send({ topic: codec.topic, messages: [await codec.encode(checkpoint)] });
    await txn.commit();
    return checkpoint;
  } finally {
    await producer.disconnect();
  }
}
