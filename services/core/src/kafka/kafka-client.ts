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

/** A kafkajs client whose own logs go through pino (kafkajs INFO is chatty: shown at debug). */
export function createKafka(opts: { brokers: string[]; clientId: string; log: Logger }): Kafka {
  const log = opts.log.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    logLevel: logLevel.INFO,
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 10_000 },
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        const lvl = LEVELS[level] ?? 'info';
        (lvl === 'info' ? log.debug : log[lvl]).call(log, rest, message);
      },
  });
}
