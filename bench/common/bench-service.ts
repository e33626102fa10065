import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { serviceNodeFlags } from '../../test/support/services.ts';

/**
 * A real sluice service (capture or sink) as a child process, as test/support/services.ts runs
 * it, but exposing its pid (for /proc figures) and taking extra node flags (--cpu-prof).
 */
export class BenchService {
  readonly kind: 'capture' | 'sink';
  readonly logFile: string;
  readonly port: number;
  private readonly cfgFile: string;
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> = Promise.resolve(null);

  constructor(kind: 'capture' | 'sink', config: Record<string, unknown>, port: number) {
    this.kind = kind;
    const dir = mkdtempSync(join(tmpdir(), `sluice-bench-${kind}-`));
    this.cfgFile = join(dir, 'config.yaml');
    this.logFile = join(dir, `${kind}.log`);
    this.port = port;
    writeFileSync(this.cfgFile, stringify({ ...config, http: { port, host: '127.0.0.1' } }));
  }

  get pid(): number {
    const pid = this.child?.pid;
    if (pid === undefined) throw new Error(`${this.kind} not started`);
    return pid;
  }

  spawn(nodeFlags: string[] = []): void {
    const out = openSync(this.logFile, 'a');
    const main = new URL(`../../services/${this.kind}/src/main.ts`, import.meta.url).pathname;
    // The flags the service is deployed with (the capture has its own young generation size).
    const child = spawn(process.execPath, [...serviceNodeFlags(this.kind), ...nodeFlags, main, '--config', this.cfgFile], {
      stdio: ['ignore', out, out],
      env: { ...process.env, SLUICE_LOG_LEVEL: process.env.SLUICE_LOG_LEVEL ?? 'info' },
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  async waitReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`${this.kind} exited during start-up:\n${this.tail()}`);
      const ok = await fetch(`http://127.0.0.1:${this.port}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`${this.kind} not ready after ${timeoutMs} ms:\n${this.tail()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** True while the process runs (a failed service exits: the bench stops waiting then). */
  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM, so the service shuts down cleanly (and --cpu-prof writes its profile). */
  async stop(timeoutMs = 20_000): Promise<void> {
    if (!this.running) return;
    this.child?.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  tail(lines = 30): string {
    try {
      return readFileSync(this.logFile, 'utf8').trim().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}
