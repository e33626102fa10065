import { describe, expect, it } from 'vitest';
import { SluiceError } from '../errors.ts';
import { ProgressMonitor } from './progress.ts';

const clock = () => {
  let t = 1_000_000;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
};

describe('ProgressMonitor', () => {
  it('is ready when idle: no operation is no outage', () => {
    const c = clock();
    const m = new ProgressMonitor({ graceMs: 5_000, now: c.now });
    m.ok('kafka');
    c.advance(600_000);
    expect(m.readiness()).toEqual({ ok: true });
    expect(m.disconnected('kafka')).toBe(false);
  });

  it('turns unready after the grace period of failures, naming the component and code, and ready on success', () => {
    const c = clock();
    const m = new ProgressMonitor({ graceMs: 5_000, now: c.now });
    m.ok('target');
    m.failed('target', new SluiceError('TARGET_UNAVAILABLE', 'down'));
    c.advance(4_999);
    expect(m.readiness().ok).toBe(true);
    expect(m.disconnected('target')).toBe(true);
    m.failed('target', new SluiceError('TARGET_UNAVAILABLE', 'still down'));
    c.advance(1);
    expect(m.readiness()).toEqual({ ok: false, reason: 'target unreachable for 5 s (last error TARGET_UNAVAILABLE)' });
    c.advance(3_000);
    m.ok('target');
    expect(m.readiness()).toEqual({ ok: true });
    expect(m.disconnectedMs('target')).toBe(8_000);
  });

  it('counts an operation without an outcome for the grace period as an outage', () => {
    const c = clock();
    const m = new ProgressMonitor({ graceMs: 5_000, now: c.now });
    m.begin('kafka');
    c.advance(2_000);
    // A second operation does not move the start.
    m.begin('kafka');
    c.advance(3_000);
    expect(m.readiness()).toEqual({ ok: false, reason: 'kafka unreachable for 5 s (no answer)' });
    m.ok('kafka');
    m.begin('kafka');
    c.advance(100);
    expect(m.readiness().ok).toBe(true);
  });

  it('names every component that is down, with a library error name when there is no code', () => {
    const c = clock();
    const m = new ProgressMonitor({ graceMs: 1_000, now: c.now });
    m.failed('source', Object.assign(new Error('x'), { code: 'ECONNREFUSED' }));
    m.failed('registry', new TypeError('fetch failed'));
    c.advance(1_000);
    expect(m.readiness().reason).toBe(
      'source unreachable for 1 s (last error ECONNREFUSED); registry unreachable for 1 s (last error TypeError)',
    );
  });

  it('adds up the time disconnected over outages, the current one included', () => {
    const c = clock();
    const m = new ProgressMonitor({ now: c.now });
    expect(m.disconnectedMs('kafka')).toBe(0);
    m.failed('kafka', new Error('a'));
    c.advance(2_000);
    m.ok('kafka');
    c.advance(10_000);
    m.begin('kafka');
    c.advance(500);
    // Half a second without an answer is latency, not disconnection.
    expect(m.disconnectedMs('kafka')).toBe(2_000);
    expect(m.disconnected('kafka')).toBe(false);
    c.advance(4_500);
    // No answer for the grace period: disconnected since the operation began.
    expect(m.disconnectedMs('kafka')).toBe(7_000);
    expect(m.disconnected('kafka')).toBe(true);
    m.ok('kafka');
    expect(m.disconnectedMs('kafka')).toBe(7_000);
    expect(m.components()).toEqual(['kafka']);
  });

  it('dates a failure of an operation that had no answer from when it began', () => {
    const c = clock();
    const m = new ProgressMonitor({ graceMs: 5_000, now: c.now });
    m.begin('kafka');
    c.advance(4_000);
    m.failed('kafka', new SluiceError('KAFKA_UNAVAILABLE', 'x'));
    c.advance(1_000);
    expect(m.readiness()).toEqual({ ok: false, reason: 'kafka unreachable for 5 s (last error KAFKA_UNAVAILABLE)' });
  });

  it('binds hooks to one component', () => {
    const c = clock();
    const m = new ProgressMonitor({ graceMs: 0, now: c.now });
    const w = m.watch('registry');
    w.failed(new SluiceError('REGISTRY_UNAVAILABLE', 'x'));
    expect(m.readiness().ok).toBe(false);
    w.ok();
    expect(m.readiness().ok).toBe(true);
  });
});
