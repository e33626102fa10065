import { ERROR_CODES, exitCodeOf, SluiceError } from './errors.ts';
import { classifyKafkaError, isKafkaClientError } from './kafka/kafkajs/kafka-errors.ts';
import type { Logger } from './log.ts';

/**
 * How a service ends on the failure that stopped it: logged at fatal with its code and the code's
 * fix; a configuration error also on stderr as plain text for whoever started it; exit code 2
 * for configuration, 1 for anything else. The Kafka client's own errors get their code here.
 */
export function exitOnFailure(service: string, log: Logger): (failure: unknown) => never {
  return (failure) => {
    const err = isKafkaClientError(failure) ? classifyKafkaError(failure, 'kafka') : failure;
    if (err instanceof SluiceError) log.fatal({ code: err.code, fix: ERROR_CODES[err.code].fix }, err.message);
    else log.fatal({ err }, `${service} failed`);
    if (err instanceof SluiceError && exitCodeOf(err) === 2) {
      process.stderr.write(`${service}: ${err.code}: ${err.message}\n  fix: ${ERROR_CODES[err.code].fix}\n`);
    }
    process.exit(exitCodeOf(err));
  };
}
