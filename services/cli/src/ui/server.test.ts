import { describe, expect, it } from 'vitest';
import type { StatusReport } from '../status/collect.ts';
import { oddReport } from './report-fixture.ts';
import { Sampler } from './sampler.ts';
import { route } from './server.ts';

describe('ui routes', () => {
  it('answers 503 before the first collection, then the report as sluice status --json prints it, passwords redacted', async () => {
    let report: StatusReport | undefined;
    const sampler = new Sampler(
      async () => report ?? Promise.reject(new Error('cannot reach http://u:s3cret@registry:8081/')),
      5_000,
    );
    await sampler.sample();
    const before = route(sampler, 'GET', '/api/status');
    expect(before.status).toBe(503);
    expect(before.body).not.toContain('s3cret');
    expect(JSON.parse(before.body).lastError.message).toBe('cannot reach http://u:***@registry:8081/');

    report = oddReport();
    await sampler.sample();
    const now = route(sampler, 'GET', '/api/status');
    expect(now.status).toBe(200);
    expect(now.type).toBe('application/json');
    expect(now.body).not.toContain('hunter2');
    const expected = oddReport();
    (expected.sinks[0] as { deadLetters: { lastError: string } }).deadLetters.lastError =
      "TARGET_REJECTED: Data too long for column 'v<1>' at mysql://app:***@db:3306/";
    expect(JSON.parse(now.body)).toEqual(expected);
  });

  it('keeps the last report when a collection fails, and says why in /api/history', async () => {
    let fail = false;
    const sampler = new Sampler(async () => (fail ? Promise.reject(new Error('KAFKA_UNAVAILABLE: down')) : oddReport()), 5_000);
    await sampler.sample();
    fail = true;
    await sampler.sample();
    expect(JSON.parse(route(sampler, 'GET', '/api/status').body).at).toBe(oddReport().at);
    const history = JSON.parse(route(sampler, 'GET', '/api/history').body);
    expect(history.lastError.message).toBe('KAFKA_UNAVAILABLE: down');
    expect(history.intervalMs).toBe(5_000);
    expect(history.windowMs).toBe(3_600_000);
  });

  it('serves the page, its stylesheet and modules, and nothing else', () => {
    const sampler = new Sampler(async () => oddReport(), 5_000);
    const page = route(sampler, 'GET', '/');
    expect(page.type).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<script type="module" src="/js/ui/client.ts"></script>');
    expect(route(sampler, 'GET', '/style.css').type).toBe('text/css; charset=utf-8');
    expect(route(sampler, 'GET', '/js/ui/view.ts')).toMatchObject({ status: 200, type: 'text/javascript; charset=utf-8' });
    expect(route(sampler, 'GET', '/js/shared/session.ts').status).toBe(404);
    expect(route(sampler, 'GET', '/js/ui/server.ts').status).toBe(404);
    expect(route(sampler, 'GET', '/nothing').status).toBe(404);
    expect(route(sampler, 'POST', '/api/status').status).toBe(405);
  });
});
