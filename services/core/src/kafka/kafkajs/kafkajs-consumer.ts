import type { Consumer } from 'kafkajs';
import type { BatchConsumer, ConsumerEventMap, RunOptions } from '../port/consumer.ts';
import type { PartitionOffset } from '../port/records.ts';

/** A kafkajs consumer as the port's BatchConsumer: calls pass through, events are renamed. */
export class KafkajsConsumer implements BatchConsumer {
  private readonly consumer: Consumer;

  constructor(consumer: Consumer) {
    this.consumer = consumer;
  }

  connect(): Promise<void> {
    return this.consumer.connect();
  }

  subscribe(
    s: { topics: (string | RegExp)[]; fromBeginning?: boolean } | { topic: string | RegExp; fromBeginning?: boolean },
  ): Promise<void> {
    return this.consumer.subscribe(s);
  }

  run(options: RunOptions): Promise<void> {
    return this.consumer.run(options);
  }

  pause(topics: { topic: string; partitions?: number[] }[]): void {
    this.consumer.pause(topics);
  }

  resume(topics: { topic: string; partitions?: number[] }[]): void {
    this.consumer.resume(topics);
  }

  seek(at: PartitionOffset): void {
    this.consumer.seek(at);
  }

  commitOffsets(offsets: PartitionOffset[]): Promise<void> {
    return this.consumer.commitOffsets(offsets);
  }

  disconnect(): Promise<void> {
    return this.consumer.disconnect();
  }

  on<E extends keyof ConsumerEventMap>(event: E, listener: (payload: ConsumerEventMap[E]) => void): void {
    const c = this.consumer;
    const tell = listener as (p: unknown) => void;
    switch (event) {
      case 'crash':
        c.on(c.events.CRASH, (e) => tell({ error: e.payload.error, restart: e.payload.restart }));
        return;
      case 'fetch':
        c.on(c.events.FETCH, () => tell({}));
        return;
      case 'heartbeat':
        c.on(c.events.HEARTBEAT, () => tell({}));
        return;
      case 'commit':
        c.on(c.events.COMMIT_OFFSETS, () => tell({}));
        return;
      case 'request-timeout':
        c.on(c.events.REQUEST_TIMEOUT, (e) => tell({ apiName: e.payload.apiName }));
        return;
      case 'batch-end':
        c.on(c.events.END_BATCH_PROCESS, (e) =>
          tell({ topic: e.payload.topic, partition: e.payload.partition, lastOffset: e.payload.lastOffset }),
        );
        return;
      case 'group-join':
        c.on(c.events.GROUP_JOIN, (e) => tell({ memberAssignment: e.payload.memberAssignment }));
        return;
    }
  }
}
