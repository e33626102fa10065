import { describe, expect, it } from 'vitest';
import { lastErrorCode, metricSum } from './capture-metrics.ts';

const text = `# HELP sluice_capture_rows_total row changes published
sluice_capture_rows_total{op="c",service="capture"} 10
sluice_capture_rows_total{op="u",service="capture"} 5
sluice_capture_rows_total_extra 99
sluice_capture_state{service="capture"} 4
sluice_capture_last_error_timestamp_seconds{code="KAFKA_UNAVAILABLE",service="capture"} 1795270000
`;

describe('capture metrics', () => {
  it('sums a metric over its label sets, and only that metric', () => {
    expect(metricSum(text, 'sluice_capture_rows_total')).toBe(15);
    expect(metricSum(text, 'sluice_capture_state')).toBe(4);
  });

  it('reads the code of the last error', () => {
    expect(lastErrorCode(text)).toBe('KAFKA_UNAVAILABLE');
    expect(lastErrorCode('')).toBeNull();
  });
});
