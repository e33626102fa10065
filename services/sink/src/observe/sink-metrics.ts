import { Counter, Gauge, Histogram, type MetricsRegistry } from '@sluice/core';

/** What a sink exposes on /metrics. */
export class SinkMetrics {
  readonly rows: Counter;
  readonly batches: Counter;
  readonly batchRows: Histogram;
  readonly batchSeconds: Histogram;
  readonly retries: Counter;
  readonly deadLetters: Counter;
  readonly staleSkipped: Counter;
  readonly filtered: Counter;
  readonly lagSeconds: Gauge;
  readonly lagRecords: Gauge;

  constructor(registry: MetricsRegistry) {
    const r = [registry];
    this.rows = new Counter({
      name: 'sluice_sink_rows_total',
      help: 'changes applied to the target',
      labelNames: ['op'],
      registers: r,
    });
    this.batches = new Counter({ name: 'sluice_sink_batches_total', help: 'target transactions committed', registers: r });
    this.batchRows = new Histogram({
      name: 'sluice_sink_batch_rows',
      help: 'records per batch',
      buckets: [1, 10, 100, 500, 1000, 5000, 20000],
      registers: r,
    });
    this.batchSeconds = new Histogram({
      name: 'sluice_sink_batch_seconds',
      help: 'time to apply and commit a batch',
      buckets: [0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: r,
    });
    this.retries = new Counter({
      name: 'sluice_sink_retries_total',
      help: 'batches retried after a transient error',
      registers: r,
    });
    this.deadLetters = new Counter({ name: 'sluice_sink_dead_letters_total', help: 'records sent to the DLQ', registers: r });
    this.filtered = new Counter({
      name: 'sluice_sink_filtered_total',
      help: 'changes the sink filters did not apply as they came, by source table and reason (skip_<op>, where_not_kept, where_deleted)',
      labelNames: ['table', 'reason'],
      registers: r,
    });
    this.staleSkipped = new Counter({
      name: 'sluice_sink_stale_skipped_total',
      help: 'changes the stale-write guard did not apply because the target already had a later version',
      registers: r,
    });
    this.lagSeconds = new Gauge({
      name: 'sluice_sink_lag_seconds',
      help: 'now minus the source time of the last change (or heartbeat) applied',
      registers: r,
    });
    this.lagRecords = new Gauge({
      name: 'sluice_sink_lag_records',
      help: 'records behind the end of each partition, as of the last batch',
      labelNames: ['topic', 'partition'],
      registers: r,
    });
  }
}
