import { describe, expect, it } from 'vitest';
import { oddReport } from './report-fixture.ts';
import { Sampler } from './sampler.ts';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A collection that takes `ms`, counting calls and how many ran at once. */
function slowCollect(ms: number) {
  const c = { calls: 0, running: 0, most: 0 };
  const collect = async () => {
    c.calls++;
    c.running++;
    c.most = Math.max(c.most, c.running);
    await pause(ms);
    c.running--;
    return { ...oddReport(), at: new Date().toISOString() };
  };
  return { c, collect };
}

describe('Sampler', () => {
  it('collects one at a time, again after the interval, and samples each sink’s freshness', async () => {
    const { c, collect } = slowCollect(20);
    const sampler = new Sampler(collect, 1);
    sampler.start();
    await pause(200);
    await sampler.stop();
    expect(c.most).toBe(1);
    expect(c.calls).toBeGreaterThanOrEqual(2);
    const series = sampler.snapshot().freshness;
    expect(series.map((f) => f.sink)).toEqual(['sink<b>"x"</b>', 'tidb']);
    expect(series[0]?.points).toHaveLength(c.calls);
    expect(series[1]?.points.every(([, v]) => v === null)).toBe(true);
  });

  it('stops at once between collections, and after the one in flight without waiting for the interval', async () => {
    const between = slowCollect(10);
    const idle = new Sampler(between.collect, 60_000);
    idle.start();
    await pause(100);
    let t0 = Date.now();
    await idle.stop();
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(between.c.calls).toBe(1);

    const inFlight = slowCollect(300);
    const busy = new Sampler(inFlight.collect, 60_000);
    busy.start();
    await pause(50);
    t0 = Date.now();
    await busy.stop();
    expect(inFlight.c.running).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5_000);
    await pause(50);
    expect(inFlight.c.calls).toBe(1);
    expect(busy.latest).toBeDefined();
  });
});
