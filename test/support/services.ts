import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

const root = new URL('../../', import.meta.url).pathname;

/**
 * A capture or sink run as its own process, so that a test can kill it with SIGKILL exactly like
 * a crash. Its log goes to a file the test prints on failure.
 */
export class ServiceProcess {
  readonly name: string;
  readonly logFile: string;
  readonly port: number;
  private readonly args: string[];
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> | undefined;

  /** nodeFlags: instead of the services' own (deploy/node-flags), e.g. to run under a smaller heap. */
  constructor(kind: 'capture' | 'sink', name: string, config: Record<string, unknown>, port: number, nodeFlags?: string[]) {
    const dir = mkdtempSync(join(tmpdir(), `sluice-${name}-`));
    const cfgFile = join(dir, 'config.yaml');
    writeFileSync(cfgFile, stringify({ ...config, http: { port, host: '127.0.0.1' } }));
    this.name = name;
    this.port = port;
    this.logFile = join(dir, `${name}.log`);
    this.args = [...(nodeFlags ?? serviceNodeFlags(kind)), join(root, `services/${kind}/src/main.ts`), '--config', cfgFile];
  }

  async start(): Promise<void> {
    const out = openSync(this.logFile, 'a');
    const child = spawn(process.execPath, this.args, {
      stdio: ['ignore', out, out],
      env: { ...process.env, SLUICE_LOG_LEVEL: 'info' },
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    await this.waitReady();
  }

  private async waitReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.child?.exitCode !== null) throw new Error(`${this.name} exited during start-up:\n${this.tail()}`);
      const ok = await fetch(`http://127.0.0.1:${this.port}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`${this.name} not ready after ${timeoutMs} ms:\n${this.tail()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** The running process's id (to read its memory from /proc). */
  get pid(): number | undefined {
    return this.child?.exitCode === null ? this.child.pid : undefined;
  }

  /** SIGKILL: no shutdown code runs, as in a crash or an OOM kill. */
  async kill9(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<number | null> {
    if (!this.child || this.child.exitCode !== null) return this.child?.exitCode ?? null;
    this.child.kill('SIGTERM');
    return this.exited ?? null;
  }

  /** Resolves with the exit code when the process ends by itself. */
  waitExit(): Promise<number | null> {
    return this.exited ?? Promise.resolve(null);
  }

  /** Waits until the log (of any run) matches `pattern` `times` times. */
  async waitLog(pattern: RegExp, times = 1, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const g = new RegExp(pattern.source, 'g');
    while ((this.log().match(g)?.length ?? 0) < times) {
      if (Date.now() > deadline) throw new Error(`${this.name}: no ${pattern} in the log after ${timeoutMs} ms:\n${this.tail()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The whole log, every run of this service. */
  log(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  tail(lines = 30): string {
    try {
      return readFileSync(this.logFile, 'utf8').trim().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

// 40 ports per test process (files that run their suites at once start a dozen services or
// more; with 4 a file's ports ran into the next process's, and a service left listening by one
// made another's start fail with EADDRINUSE). 29100..32699: away from the stack's ports and
// below Linux's ephemeral range (32768+).
let nextPort = 29100 + (process.pid % 90) * 40;
/** Ports for test-owned services, away from the stack's. */
export const freePort = (): number => nextPort++;

const flagsOf = (file: string): string[] =>
  readFileSync(join(root, file), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

/**
 * The Node flags every launcher gives a service: deploy/node-flags, then for the capture
 * deploy/node-flags-capture (a later flag wins).
 */
export function serviceNodeFlags(kind: 'capture' | 'sink' = 'sink'): string[] {
  return [...flagsOf('deploy/node-flags'), ...(kind === 'capture' ? flagsOf('deploy/node-flags-capture') : [])];
}
