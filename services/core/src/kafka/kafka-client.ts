import { Kafka, type LogEntry, logLevel } from 'kafkajs';
import type { Logger } from '../log.ts';

// kafkajs logs every retried broker response (coordinator loading, concurrent transactions) as
// ERROR; failures that matter reach sluice as thrown errors and are logged there.
const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'warn',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** The clients' retry: about 15 s of attempts, 2 s apart at most, before the caller sees the error. */
export const KAFKA_RETRY = { retries: 10, initialRetryTime: 200, maxRetryTime: 2_000 };

/** A kafkajs client whose own logs go through pino (kafkajs INFO is chatty: shown at debug). */
export function createKafka(opts: { brokers: string[]; clientId: string; log: Logger }): Kafka {
  const log = opts.log.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    logLevel: logLevel.INFO,
    // Capped at 2 s: a client retrying through an outage tries again within 2 s of Kafka coming
    // back (a 10 s cap, and the consumer's restart after the last retry, cost 34 s after a restart).
    retry: KAFKA_RETRY,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        const lvl = LEVELS[level] ?? 'info';
        (lvl === 'info' ? log.debug : log[lvl]).call(log, rest, message);
      },
  });
}
