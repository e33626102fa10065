import { Counter, Gauge, Histogram, type MetricsRegistry } from '@sluice/core';

/** What capture exposes on /metrics; names follow Prometheus conventions. */
export class CaptureMetrics {
  readonly rowEvents: Counter;
  readonly rows: Counter;
  readonly transactions: Counter;
  readonly kafkaTransactions: Counter;
  readonly kafkaTransactionSeconds: Histogram;
  readonly kafkaTransactionRecords: Histogram;
  readonly snapshotRows: Counter;
  readonly snapshotGoneKeys: Counter;
  readonly queueBytes: Gauge;
  readonly sourceLagSeconds: Gauge;
  readonly lastCheckpointSeconds: Gauge;
  readonly paused: Gauge;
  readonly state: Gauge;
  readonly lastError: Gauge;
  readonly statementDml: Counter;
  readonly partialRows: Counter;
  readonly markedTransactions: Counter;

  constructor(registry: MetricsRegistry) {
    const r = [registry];
    this.rowEvents = new Counter({ name: 'sluice_capture_row_events_total', help: 'binlog rows events read', registers: r });
    this.rows = new Counter({
      name: 'sluice_capture_rows_total',
      help: 'row changes published',
      labelNames: ['op'],
      registers: r,
    });
    this.transactions = new Counter({
      name: 'sluice_capture_source_transactions_total',
      help: 'source transactions published',
      registers: r,
    });
    this.kafkaTransactions = new Counter({
      name: 'sluice_capture_kafka_transactions_total',
      help: 'Kafka transactions committed',
      registers: r,
    });
    this.kafkaTransactionSeconds = new Histogram({
      name: 'sluice_capture_kafka_transaction_seconds',
      help: 'time from taking queued changes to their Kafka transaction committed (what a change waits once read, besides the queue)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: r,
    });
    this.kafkaTransactionRecords = new Histogram({
      name: 'sluice_capture_kafka_transaction_records',
      help: 'records per committed Kafka transaction (group commit: more under load)',
      buckets: [1, 10, 100, 1000, 10000, 50000],
      registers: r,
    });
    this.snapshotGoneKeys = new Counter({
      name: 'sluice_capture_snapshot_gone_keys_total',
      help: 'keys a snapshot found in a topic but not in the source, and deleted',
      registers: r,
    });
    this.snapshotRows = new Counter({
      name: 'sluice_capture_snapshot_rows_total',
      help: 'rows read by the snapshot',
      registers: r,
    });
    this.queueBytes = new Gauge({ name: 'sluice_capture_queue_bytes', help: 'binlog bytes queued ahead of Kafka', registers: r });
    this.sourceLagSeconds = new Gauge({
      name: 'sluice_capture_source_lag_seconds',
      help: 'now minus the source commit time of the last committed checkpoint (heartbeats keep it fresh when idle)',
      registers: r,
    });
    this.lastCheckpointSeconds = new Gauge({
      name: 'sluice_capture_last_checkpoint_timestamp_seconds',
      help: 'when the last checkpoint was committed to Kafka',
      registers: r,
    });
    this.paused = new Gauge({
      name: 'sluice_capture_binlog_paused',
      help: '1 while backpressure pauses the binlog reader',
      registers: r,
    });
    this.lastError = new Gauge({
      name: 'sluice_capture_last_error_timestamp_seconds',
      help: 'when the last run failed, labelled with the error code (docs/errors.md has its cause and fix)',
      labelNames: ['code'],
      registers: r,
    });
    this.statementDml = new Counter({
      name: 'sluice_capture_statement_dml_total',
      help: 'DML statement events on captured tables passed over with source.onStatementDml: warn (their changes are not in the topics)',
      labelNames: ['verb'],
      registers: r,
    });
    this.partialRows = new Counter({
      name: 'sluice_capture_partial_rows_total',
      help: 'rows events logged without all their columns (binlog_row_image MINIMAL/NOBLOB) passed over with source.onPartialRowImage: warn',
      labelNames: ['table'],
      registers: r,
    });
    this.markedTransactions = new Counter({
      name: 'sluice_capture_marked_transactions_total',
      help: 'source transactions left out because a sink of the other direction wrote them (skipTransactionsMarkedBy: bidirectional replication)',
      registers: r,
    });
    this.state = new Gauge({
      name: 'sluice_capture_state',
      help: '0 starting, 1 snapshotting, 2 streaming, 3 stopped, 4 failed (retrying)',
      registers: r,
    });
  }
}
