import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { createKafka, createLogger, dlqTopic, quoteIdent } from '@sluice/core';
import type mysql from 'mysql2/promise';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFile, sluice } from '../support/cli.ts';
import { cleanUpPipeline, ownCapture, ownSink } from '../support/pipeline.ts';
import type { ServiceProcess } from '../support/services.ts';
import { connect, stack, uniqueName, waitFor } from '../support/stack.ts';

/**
 * `sluice ui` in a real browser (Debian's chromium driven by playwright-core): the numbers the page
 * shows for the running stack (source and capture positions, capture lag, each sink's offsets and
 * lag, each target's freshness) lie between two `sluice status --json` runs, one before the page's
 * report was collected and one after it was read, while rows keep arriving, and equal exactly those
 * of the ui's `/api/status` document of the same moment; for a pipeline of the test's own, a sink
 * that stopped on a refused row and one that dead-lettered it show the stop reason and the dead
 * letter status reports. Screenshots go to test-artifacts/.
 */
const s = stack();
const mariadb = s.targets.find((t) => t.name === 'mariadb') ?? s.targets[0];
const main = new URL('../../services/cli/src/main.ts', import.meta.url).pathname;
const artifacts = new URL('../../test-artifacts/', import.meta.url).pathname;
const CHROMIUM = process.env.SLUICE_CHROMIUM ?? '/usr/bin/chromium';

// ---- what the page shows and what status says --------------------------------------------------

interface Report {
  at: string;
  source: { position: string } | { error: string } | null;
  captures: { id: string; checkpoint?: { file: string; pos: number }; lag?: { seconds: number } }[];
  sinks: {
    group: {
      name: string;
      partitions: { topic: string; partition: number; committed: number; low: number; high: number; heartbeat: boolean }[];
    };
    state: string;
    reason: string;
    freshnessSeconds: number | null;
    deadLetters?: { count: number; lastError: string | null };
    stop?: { code: string; message: string; topic: string | null; partition: number | null; offset: string | null; at: string };
  }[];
}

/** `sluice status --json` with the given settings, and when it ended. */
async function status(args: string[], env: Record<string, string>): Promise<{ report: Report; endedMs: number }> {
  const r = await sluice(['status', '--json', ...args], { env, timeoutMs: 30_000 });
  expect(r.code === 0 || r.code === 1, r.stderr).toBe(true);
  return { report: JSON.parse(r.stdout) as Report, endedMs: Date.now() };
}

/** Everything the page shows, read in one go (the page re-renders as a whole: no mix of two reports). */
interface Shown {
  at: string;
  fields: Record<string, string>;
  tables: Record<string, Record<string, string>>;
  text: string;
}

const readPage = (page: Page): Promise<Shown> =>
  page.evaluate(() => {
    const fields: Record<string, string> = {};
    for (const box of document.querySelectorAll<HTMLElement>('[data-part]')) {
      const key = `${box.dataset.part}/${box.dataset.sink ?? box.dataset.id ?? ''}`;
      for (const f of box.querySelectorAll<HTMLElement>('[data-field]'))
        fields[`${key}/${f.dataset.field}`] = f.textContent ?? '';
    }
    const tables: Record<string, Record<string, string>> = {};
    for (const section of document.querySelectorAll<HTMLElement>('[data-section]')) {
      for (const tr of section.querySelectorAll<HTMLElement>('tr[data-sink]')) {
        const row: Record<string, string> = {};
        for (const td of tr.querySelectorAll<HTMLElement>('td[data-field]')) row[td.dataset.field as string] = td.textContent;
        tables[`${section.dataset.section}/${tr.dataset.sink}`] = row;
      }
    }
    const at = document.querySelector<HTMLElement>('.view')?.dataset.at ?? '';
    return { at, fields, tables, text: document.body.textContent };
  });

/** The page's report once it was collected after `afterMs` (every read of it began later). */
const pageAfter = (page: Page, afterMs: number): Promise<Shown> =>
  waitFor(
    'the page to show a report collected after the first status run',
    async () => {
      const shown = await readPage(page);
      return shown.at && Date.parse(shown.at) >= afterMs ? shown : undefined;
    },
    20_000,
  );

const number = (text: string | undefined): number => {
  expect(text, 'a number on the page').toMatch(/^[\d,]+$/);
  return Number((text as string).replace(/,/g, ''));
};
const seconds = (text: string | undefined): number => {
  expect(text, 'seconds on the page').toMatch(/^\d+\.\d s$/);
  return Number.parseFloat(text as string);
};
/** binlog file:pos, comparable: same-named files are numbered with leading zeros. */
const position = (text: string | undefined): [string, number] => {
  const m = /^(.+):(\d+)$/.exec(text ?? '');
  expect(m, `a binlog position on the page: ${text}`).not.toBeNull();
  return [(m as RegExpExecArray)[1] as string, Number((m as RegExpExecArray)[2])];
};
const posOf = (r: Report): [string, number] | undefined => {
  const src = r.source;
  return src && 'position' in src ? position(src.position) : undefined;
};
const cmp = (a: [string, number], b: [string, number]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]);
function expectBetween(what: string, lo: [string, number], got: [string, number], hi: [string, number]) {
  expect(cmp(lo, got) <= 0 && cmp(got, hi) <= 0, `${what}: ${got.join(':')} not within ${lo.join(':')} .. ${hi.join(':')}`).toBe(
    true,
  );
}
function expectWithin(what: string, lo: number, got: number, hi: number) {
  expect(got >= lo && got <= hi, `${what}: ${got} not within ${lo} .. ${hi}`).toBe(true);
}

type Partition = Report['sinks'][number]['group']['partitions'][number];
const tablePartitions = (r: Report, sink: string): Map<string, Partition> =>
  new Map(
    (r.sinks.find((x) => x.group.name === sink)?.group.partitions ?? [])
      .filter((p) => !p.heartbeat)
      .map((p) => [`${p.topic}[${p.partition}]`, p]),
  );
/** Offsets to apply of one partition as status counts them: the closing commit marker is not a record. */
const toApply = (lag: number) => (lag > 1 ? lag - 1 : 0);

/**
 * Every number the page shows for the capture, the sinks and their targets lies between what status
 * said before the page's report was collected (`a`) and after it was read (`b`). Committed and end
 * offsets, positions and the source times behind lag and freshness only grow; offsets to apply are
 * bounded per partition by end(a) - committed(b) and end(b) - committed(a).
 */
function expectShownBetween(shown: Shown, a: Report, b: Report): void {
  const f = shown.fields;
  const at = Date.parse(shown.at);
  expect(at).toBeGreaterThanOrEqual(Date.parse(a.at));
  expect(at).toBeLessThanOrEqual(Date.parse(b.at));
  const [srcA, srcB] = [posOf(a), posOf(b)];
  if (srcA && srcB) expectBetween('source position', srcA, position(f['source//position']), srcB);

  expect(b.captures.length).toBeGreaterThan(0);
  for (const cb of b.captures) {
    const ca = a.captures.find((c) => c.id === cb.id);
    if (!ca?.checkpoint || !cb.checkpoint || !ca.lag || !cb.lag) continue;
    expectBetween(
      `capture ${cb.id} checkpoint`,
      [ca.checkpoint.file, ca.checkpoint.pos],
      position(f[`capture/${cb.id}/checkpoint`]),
      [cb.checkpoint.file, cb.checkpoint.pos],
    );
    // The source time the checkpoint covers: report time minus lag (shown to 0.1 s).
    const covered = (r: { at: string }, lag: number) => Date.parse(r.at) - lag * 1000;
    expectWithin(
      `capture ${cb.id} source time covered (from its lag)`,
      covered(a, ca.lag.seconds) - 60,
      covered(shown, seconds(f[`capture/${cb.id}/lag-seconds`])),
      covered(b, cb.lag.seconds) + 60,
    );
  }

  expect(b.sinks.length).toBeGreaterThan(0);
  for (const sb of b.sinks) {
    const name = sb.group.name;
    const sa = a.sinks.find((x) => x.group.name === name);
    if (!sa) continue;
    const pa = tablePartitions(a, name);
    const pb = tablePartitions(b, name);
    const sum = (m: Map<string, Partition>, v: (p: Partition) => number) => [...m.values()].reduce((n, p) => n + v(p), 0);
    const committed = (p: Partition) => Math.max(0, p.committed);
    expectWithin(`sink ${name} committed`, sum(pa, committed), number(f[`sink/${name}/committed`]), sum(pb, committed));
    expectWithin(
      `sink ${name} end offsets`,
      sum(pa, (p) => p.high),
      number(f[`sink/${name}/end`]),
      sum(pb, (p) => p.high),
    );
    let lo = 0;
    let hi = 0;
    for (const [key, b1] of pb) {
      const a1 = pa.get(key);
      const start = (p: Partition) => (p.committed >= 0 ? p.committed : p.low);
      lo += a1 ? toApply(Math.max(0, a1.high - start(b1))) : 0;
      hi += toApply(b1.high - (a1 ? start(a1) : b1.low));
    }
    expectWithin(`sink ${name} offsets to apply`, lo, number(f[`sink/${name}/lag`]), hi);
    expectWithin(
      `sink ${name} dead letters`,
      sa.deadLetters?.count ?? 0,
      number(f[`sink/${name}/dead-letters`]),
      sb.deadLetters?.count ?? 0,
    );
    if (sa.freshnessSeconds !== null && sb.freshnessSeconds !== null) {
      // The newest source time the target has applied: report time minus freshness.
      const applied = (r: { at: string }, fresh: number) => Date.parse(r.at) - fresh * 1000;
      expectWithin(
        `target of ${name}: newest source time applied (from its freshness)`,
        applied(a, sa.freshnessSeconds) - 60,
        applied(shown, seconds(f[`target/${name}/freshness`])),
        applied(b, sb.freshnessSeconds) + 60,
      );
    }
    expect([sa.state, sb.state]).toContain(f[`sink/${name}/state`]);
  }
}

/**
 * The page shows exactly the numbers of the report it was rendered from (the `/api/status` document
 * of the same time): positions as status prints them, offsets summed over the table partitions,
 * offsets to apply as status counts them, seconds to one decimal.
 */
function expectShownExactly(shown: Shown, r: Report): void {
  const f = shown.fields;
  expect(shown.at).toBe(r.at);
  if (r.source && 'position' in r.source) expect(f['source//position']).toBe(r.source.position);
  for (const c of r.captures) {
    expect(f[`capture/${c.id}/checkpoint`]).toBe(c.checkpoint ? `${c.checkpoint.file}:${c.checkpoint.pos}` : '-');
    if (c.lag) expect(f[`capture/${c.id}/lag-seconds`]).toBe(`${c.lag.seconds.toFixed(1)} s`);
  }
  for (const k of r.sinks) {
    const name = k.group.name;
    const parts = [...tablePartitions(r, name).values()];
    expect(number(f[`sink/${name}/committed`]), `sink ${name} committed`).toBe(
      parts.reduce((n, p) => n + Math.max(0, p.committed), 0),
    );
    expect(number(f[`sink/${name}/end`]), `sink ${name} end offsets`).toBe(parts.reduce((n, p) => n + p.high, 0));
    const lag = (p: Partition) => Math.max(0, p.high - (p.committed >= 0 ? p.committed : p.low));
    expect(number(f[`sink/${name}/lag`]), `sink ${name} offsets to apply`).toBe(parts.reduce((n, p) => n + toApply(lag(p)), 0));
    expect(number(f[`sink/${name}/dead-letters`])).toBe(k.deadLetters?.count ?? 0);
    expect(f[`sink/${name}/state`]).toBe(k.state);
    if (k.freshnessSeconds !== null) expect(f[`target/${name}/freshness`]).toBe(`${k.freshnessSeconds.toFixed(1)} s`);
  }
}

/** The page and `/api/status` read at one moment (the same report: the ui had not collected anew in between). */
const pageWithDocument = (page: Page, url: string): Promise<{ shown: Shown; doc: Report }> =>
  waitFor(
    'the page and /api/status to show the same report',
    async () => {
      const shown = await readPage(page);
      const doc = (await (await fetch(`${url}api/status`)).json()) as Report;
      return doc.at === shown.at ? { shown, doc } : undefined;
    },
    20_000,
  );

// ---- processes ------------------------------------------------------------------------------------

/** A port in 18500-18599 that nothing listens on now. */
async function freeUiPort(taken: number[]): Promise<number> {
  const start = 18500 + Math.floor(Math.random() * 100);
  for (let i = 0; i < 100; i++) {
    const port = 18500 + ((start - 18500 + i) % 100);
    if (taken.includes(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port in 18500-18599');
}

/** `sluice ui` as its own process; resolves once it listens. */
async function startUi(args: string[], env: Record<string, string>, taken: number[]) {
  const port = await freeUiPort(taken);
  taken.push(port);
  const child = spawn(process.execPath, [main, 'ui', '--port', String(port), '--interval', '2', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  await waitFor(`sluice ui to listen on ${port}`, async () => {
    if (child.exitCode !== null) throw new Error(`sluice ui exited ${child.exitCode}: ${out}`);
    return out.includes(`http://127.0.0.1:${port}/`) ? true : undefined;
  });
  return { url: `http://127.0.0.1:${port}/`, child, exited, output: () => out };
}

async function stopUi(ui: { child: ChildProcess; exited: Promise<number | null> } | undefined): Promise<number | null> {
  if (!ui) return null;
  if (ui.child.exitCode === null) ui.child.kill('SIGTERM');
  return ui.exited;
}

// ---- the test's own pipeline: a dead letter and a stopped sink -----------------------------------

interface Own {
  db: string;
  prefix: string;
  dlqSink: string;
  stopSink: string;
  /** `sluice status` / `sluice ui` arguments and environment for this pipeline. */
  args: string[];
  env: Record<string, string>;
}

/**
 * A capture of its own and two sinks on one narrow target column: the `dlq` sink dead-letters the
 * row that does not fit, the `stop` sink stops at it. Resolves once the dead letter is on its topic
 * and the stopped sink has exited (it notes its stop reason in the target first).
 */
async function ownPipeline(
  services: ServiceProcess[],
  conns: { source?: mysql.Connection; target?: mysql.Connection },
  ids: Pick<Own, 'db' | 'prefix'>,
): Promise<Own> {
  if (!mariadb) throw new Error('no MariaDB target in the stack');
  const { db, prefix } = ids;
  const own: Own = { db, prefix, dlqSink: `${prefix}-dlq`, stopSink: `${prefix}-stop`, args: [], env: {} };
  conns.source = await connect(s.sourceUrl);
  conns.target = await connect(mariadb.url);
  await conns.source.query(`CREATE DATABASE ${quoteIdent(db)}`);
  await conns.source.query(`CREATE TABLE ${quoteIdent(db)}.t (id INT PRIMARY KEY, v VARCHAR(20))`);
  // The target's column is narrower: 'too long for it' is refused (1406).
  await conns.target.query(`CREATE DATABASE ${quoteIdent(db)}`);
  await conns.target.query(`CREATE TABLE ${quoteIdent(db)}.t (id INT PRIMARY KEY, v VARCHAR(3))`);
  const capture = ownCapture(s, { name: 'capture-uipage', prefix, include: [`${db}.*`] });
  const [dlq, stop] = (['dlq', 'stop'] as const).map((policy) =>
    ownSink(s, { name: `${prefix}-${policy}`, prefix, targetUrl: mariadb.url, extra: { onError: policy, ddl: 'ignore' } }),
  ) as [ServiceProcess, ServiceProcess];
  services.push(capture, dlq, stop);
  await capture.start();
  await conns.source.query(`INSERT INTO ${quoteIdent(db)}.t VALUES (1, 'ok'), (2, 'too long for it')`);
  // The stop sink may stop before it reports ready: the refused row is among the first it reads.
  await Promise.all([dlq.start(), stop.start().catch(() => undefined)]);
  const code = await Promise.race([stop.waitExit(), new Promise((r) => setTimeout(() => r('still running'), 30_000))]);
  if (code !== 1) throw new Error(`the stop sink did not stop on the refused row (${code}):\n${stop.tail()}`);
  const kafka = createKafka({ brokers: s.kafkaBrokers, clientId: 'sluice-test', log: createLogger('test', 'warn') });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topic = dlqTopic(prefix, own.dlqSink);
    await waitFor(`a record on ${topic}`, async () =>
      (await admin.listTopics()).includes(topic) &&
      (await admin.fetchTopicOffsets(topic)).some((o) => Number(o.high) > Number(o.low))
        ? true
        : undefined,
    );
    // The stopped sink's member may outlive its process until the group's session times out; only
    // a group without members is stopped (and then shows its stop reason).
    await waitFor(
      `${own.stopSink} to have no members`,
      async () => ((await admin.describeGroups([own.stopSink])).groups[0]?.members.length ? undefined : true),
      60_000,
    );
  } finally {
    await admin.disconnect();
  }
  const sinkConfig = (name: string) =>
    configFile(name, {
      sinkName: name,
      target: { url: mariadb.url, kind: 'mariadb' },
      kafka: { brokers: s.kafkaBrokers },
      schemaRegistry: { url: s.registryUrl },
      topicPrefix: prefix,
    });
  own.args = [
    '--sink-config',
    sinkConfig(own.dlqSink),
    '--sink-config',
    sinkConfig(own.stopSink),
    '--capture-metrics',
    `http://127.0.0.1:${capture.port}/metrics`,
  ];
  own.env = {
    SLUICE_NO_STACK_ENV: '1',
    SLUICE_KAFKA_BROKERS: s.kafkaBrokers.join(','),
    SLUICE_SCHEMA_REGISTRY_URL: s.registryUrl,
    SLUICE_SOURCE_URL: s.sourceUrl,
  };
  return own;
}

// ---- the test ---------------------------------------------------------------------------------------

type Ui = Awaited<ReturnType<typeof startUi>>;

describe('status page (sluice ui)', () => {
  const services: ServiceProcess[] = [];
  const conns: { source?: mysql.Connection; target?: mysql.Connection } = {};
  const ports: number[] = [];
  const ownIds = { db: uniqueName('iso_uipage'), prefix: uniqueName('uipg') };
  const stackDb = uniqueName('uipage');
  // The stack's own settings (.stack/stack.env), as an operator runs ./sluice status there.
  const stackEnv = { SLUICE_NO_STACK_ENV: '' };
  let browser: Browser | undefined;
  let stackUi: Ui | undefined;
  let stackUiExit: Promise<number | null> | undefined;
  let ownUi: Ui | undefined;
  let ownReady: Promise<{ own: Own; ui: Ui; report: Report }>;
  let stackSource: mysql.Connection | undefined;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    // The own pipeline and its page come up while the stack's page is checked.
    // Its stop reason and dead letter do not change once there: status reads them as the ui starts.
    ownReady = ownPipeline(services, conns, ownIds).then(async (own) => {
      const [ui, { report }] = await Promise.all([startUi(own.args, own.env, ports), status(own.args, own.env)]);
      ownUi = ui;
      return { own, ui, report };
    });
    ownReady.catch(() => undefined);
    stackSource = await connect(s.sourceUrl);
    await stackSource.query(`CREATE DATABASE ${quoteIdent(stackDb)}`);
    await stackSource.query(`CREATE TABLE ${quoteIdent(stackDb)}.t (id INT PRIMARY KEY, v VARCHAR(20))`);
    [browser, stackUi] = await Promise.all([
      chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] }),
      startUi([], stackEnv, ports),
    ]);
  });

  afterAll(async () => {
    await ownReady?.catch(() => undefined);
    // Everything at once: each part takes a moment to stop.
    const [codes] = await Promise.all([
      Promise.all([stackUiExit ?? stopUi(stackUi), stopUi(ownUi)]),
      browser?.close(),
      Promise.all(services.map((p) => p.stop())),
    ]);
    await Promise.all([
      (async () => {
        await conns.target?.query('DELETE FROM _sluice.stops WHERE sink LIKE ?', [`${ownIds.prefix}%`]).catch(() => undefined);
        await cleanUpPipeline({
          services,
          source: conns.source,
          targets: conns.target ? [{ conn: conns.target }] : [],
          db: ownIds.db,
          prefix: ownIds.prefix,
        });
      })(),
      (async () => {
        await stackSource?.query(`DROP DATABASE IF EXISTS ${quoteIdent(stackDb)}`);
        await stackSource?.end();
      })(),
      ...s.targets.map(async (t) => {
        const c = await connect(t.url).catch(() => undefined);
        await c?.query(`DROP DATABASE IF EXISTS ${quoteIdent(stackDb)}`).catch(() => undefined);
        await c?.end();
      }),
    ]);
    // SIGTERM ends sluice ui cleanly.
    for (const code of codes) if (code !== null) expect(code).toBe(0);
  });

  it("shows the stack's positions, offsets, lag and freshness as status does, while rows arrive", async () => {
    const page = await (browser as Browser).newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // Rows keep arriving on the stack's pipeline all along: the numbers move between the reads.
    let id = 0;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        await stackSource?.query(`INSERT INTO ${quoteIdent(stackDb)}.t VALUES (?, 'row')`, [++id]);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      // Status before, while the page loads; then the first report the page shows that was
      // collected after it; then status after.
      const [a] = await Promise.all([
        status([], stackEnv),
        page.goto((stackUi as Ui).url).then(() => page.waitForSelector('[data-part="capture"]', { timeout: 15_000 })),
      ]);
      const shown = await pageAfter(page, a.endedMs);
      const b = await status([], stackEnv);
      expectShownBetween(shown, a.report, b.report);
      // The sinks are the ones status lists, each drawn with its target.
      for (const sk of b.report.sinks) expect(shown.fields[`target/${sk.group.name}/freshness`]).toBeDefined();
      // /api/status is the document status --json prints, and the page shows its numbers exactly.
      const { shown: now, doc } = await pageWithDocument(page, (stackUi as Ui).url);
      expect(Object.keys(doc)).toEqual(Object.keys(b.report));
      expect(doc.sinks.map((x) => x.group.name)).toEqual(b.report.sinks.map((x) => x.group.name));
      expect(doc.captures.map((x) => x.id)).toEqual(b.report.captures.map((x) => x.id));
      expectShownExactly(now, doc);
    } finally {
      writing = false;
      await writer;
    }
    expect(id).toBeGreaterThan(10);
    // No password of any stack URL on the page (status redacts them; the page adds nothing).
    const html = await page.content();
    for (const url of [s.sourceUrl, ...s.targets.map((t) => t.url)]) {
      const u = new URL(url);
      if (u.password) expect(html).not.toContain(`${u.username}:${u.password}@`);
    }
    // The freshness plot has a line (samples of more than one collection) by now.
    await waitFor(
      'a freshness line on the plot',
      async () => ((await page.locator('polyline.line').count()) ? true : undefined),
      10_000,
    );
    await page.screenshot({ path: `${artifacts}status-page.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
    stackUiExit = stopUi(stackUi);
  });

  it('shows the stop reason and the dead letter of sinks that met a refused row, as status does', async () => {
    const { own: o, ui, report } = await ownReady;
    const page = await (browser as Browser).newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(ui.url);
    // Both were there before the ui started: its first report shows them.
    let last: Shown | undefined;
    const shown = await waitFor(
      'the page to show the stop reason and the dead letter',
      async () => {
        last = await readPage(page);
        return last.tables[`stops/${o.stopSink}`] && last.tables[`dead-letters/${o.dlqSink}`] ? last : undefined;
      },
      20_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\npage:\n${last?.text}\nsluice ui:\n${ui.output()}\nstatus: ${JSON.stringify(report)}`);
    });

    const stopped = report.sinks.find((x) => x.group.name === o.stopSink);
    const stop = stopped?.stop;
    if (!stop) throw new Error(`status shows no stop reason for ${o.stopSink}: ${JSON.stringify(stopped)}`);
    expect(stop.code).toBe('TARGET_REJECTED');
    expect(shown.tables[`stops/${o.stopSink}`]).toEqual({
      sink: o.stopSink,
      code: stop.code,
      where: `${stop.topic}[${stop.partition}]${stop.offset === null ? '' : ` offset ${stop.offset}`}`,
      at: stop.at,
      message: stop.message,
    });
    expect(shown.fields[`sink/${o.stopSink}/state`]).toBe('stopped');
    expect(shown.fields[`sink/${o.stopSink}/reason`]).toBe(stopped?.reason);
    expect(shown.text).toContain(`sink ${o.stopSink} stopped: ${stopped?.reason}`);

    const dead = report.sinks.find((x) => x.group.name === o.dlqSink)?.deadLetters;
    expect(dead?.count).toBe(1);
    expect(dead?.lastError).toMatch(/^TARGET_REJECTED: /);
    expect(shown.tables[`dead-letters/${o.dlqSink}`]).toEqual({ sink: o.dlqSink, count: '1', 'last-error': dead?.lastError });
    expect(shown.fields[`sink/${o.dlqSink}/dead-letters`]).toBe('1');
    expect(shown.fields[`sink/${o.stopSink}/dead-letters`]).toBe('0');
    expect(await page.locator('[data-field="overall"]').textContent()).toMatch(/^\d+ parts? in error$/);
    await page.screenshot({ path: `${artifacts}status-page-stopped-sink.png`, fullPage: true });
    await page.close();
  });
});
