import { classifyKafkaError, isKafkaClientError, isNetworkError, SluiceError, tlsFailure } from '@sluice/core';

/**
 * Any failure of a capture run as a SluiceError, so the supervisor can decide by `retriable`:
 * the Kafka client's errors by the port's classifier; source errors by code.
 */
export function classifyCaptureError(err: unknown, brokers: string[] = []): SluiceError {
  if (err instanceof SluiceError) return err;
  const e = err as { name?: string; retriable?: boolean; code?: string; errno?: number; message?: string };
  if (isKafkaClientError(err)) return classifyKafkaError(err, `kafka (brokers ${brokers.join(', ')})`);
  // mysql2's errors (the Kafka and registry clients classify their own): TLS to the source.
  const tls = tlsFailure(err, 'the source', 'source.tls');
  if (tls) return tls;
  if (isNetworkError(e) || e?.errno === 2013 || e?.errno === 2006) {
    return new SluiceError('SOURCE_UNREACHABLE', `source: ${e.message ?? e.code}`, { cause: err });
  }
  if (e?.errno === 1045 || e?.errno === 1227 || e?.errno === 1142) {
    return new SluiceError('SOURCE_SETTING', `source refused the capture user: ${e.message}`, { cause: err });
  }
  return new SluiceError('BINLOG_STREAM', `capture failed: ${e?.message ?? String(err)}`, { cause: err, retriable: false });
}
