import { bounded, captureStatusTopic, type KafkaClient, type KafkaProducer, type Logger, type SluiceError } from '@sluice/core';

/** A capture's state as `sluice status` reads it from `<prefix>._capture_status` (key: capture id). */
export interface CaptureStatusNote {
  state: 'failing' | 'stopped' | 'running';
  code: string | null;
  message: string | null;
  /** Runs failed in a row (failing), since when (ISO time). */
  failures: number;
  since: string | null;
  at: string;
}

/**
 * Notes why a capture fails or stopped where the CLI can read it while the capture is down:
 * a compacted topic, one JSON record per capture id, written outside the capture's transactions
 * (best effort, bounded: Kafka itself may be what fails, and then status cannot read anything).
 * Written at each failed run, at a stop by an error, and once when a run streams again. Only the
 * newest note waits while one is being written, so a Kafka outage delays nothing and the last
 * note written is the newest state.
 */
export class StatusNotes {
  private readonly kafka: KafkaClient;
  private readonly topic: string;
  private readonly captureId: string;
  private readonly log: Logger;
  private producer: KafkaProducer | undefined;
  private topicReady = false;
  /** The newest note not written yet, and the write in progress: notes never queue up behind an outage. */
  private pending: Omit<CaptureStatusNote, 'at'> | undefined;
  private writing: Promise<void> | undefined;

  constructor(kafka: KafkaClient, prefix: string, captureId: string, log: Logger) {
    this.kafka = kafka;
    this.topic = captureStatusTopic(prefix);
    this.captureId = captureId;
    this.log = log;
  }

  failing(e: SluiceError, failures: number, sinceMs: number): Promise<void> {
    return this.note({ state: 'failing', code: e.code, message: e.message, failures, since: new Date(sinceMs).toISOString() });
  }

  stopped(e: SluiceError): Promise<void> {
    return this.note({ state: 'stopped', code: e.code, message: e.message, failures: 0, since: null });
  }

  running(): Promise<void> {
    return this.note({ state: 'running', code: null, message: null, failures: 0, since: null });
  }

  async close(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = undefined;
  }

  /** Resolves once this note (or a newer one) is written or given up. */
  private note(n: Omit<CaptureStatusNote, 'at'>): Promise<void> {
    this.pending = n;
    if (!this.writing) {
      this.writing = (async () => {
        while (this.pending) {
          const next = this.pending;
          this.pending = undefined;
          await this.write(next);
        }
        this.writing = undefined;
      })();
    }
    return this.writing;
  }

  private async write(n: Omit<CaptureStatusNote, 'at'>, timeoutMs = 5000): Promise<void> {
    const value: CaptureStatusNote = { ...n, at: new Date().toISOString() };
    const write = async () => {
      if (!this.topicReady) {
        const admin = this.kafka.admin();
        await admin.connect();
        try {
          await admin.createTopics({
            topics: [{ topic: this.topic, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
            waitForLeaders: true,
          });
        } finally {
          await admin.disconnect();
        }
        this.topicReady = true;
      }
      if (!this.producer) {
        const p = this.kafka.producer();
        await p.connect();
        this.producer = p;
      }
      await this.producer.send({ topic: this.topic, messages: [{ key: this.captureId, value: JSON.stringify(value) }] });
    };
    try {
      await bounded(write(), timeoutMs);
    } catch (err) {
      this.log.warn({ err: String(err), state: n.state }, 'could not note the capture state for sluice status');
      // A producer in a bad state is made again next time.
      const p = this.producer;
      this.producer = undefined;
      await p?.disconnect().catch(() => undefined);
    }
  }
}
