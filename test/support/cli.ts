import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

const main = new URL('../../services/cli/src/main.ts', import.meta.url).pathname;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `sluice <args>` as its own process, the way an operator does, with the local stack's
 * stack.env ignored so that every setting comes from the test. `input` is written to stdin.
 */
export function sluice(
  args: string[],
  opts: { input?: string; timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, ...args], {
      env: { ...process.env, SLUICE_NO_STACK_ENV: '1', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sluice ${args.join(' ')} did not finish in time:\n${stdout}\n${stderr}`));
    }, opts.timeoutMs ?? 120_000);
    // 'close', not 'exit': the process may end before its piped output has all been read.
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** A config file for `--sink-config` / `--capture-config`, in a fresh temporary directory. */
export function configFile(name: string, config: Record<string, unknown>): string {
  const file = join(mkdtempSync(join(tmpdir(), `sluice-cli-${name}-`)), 'config.yaml');
  writeFileSync(file, stringify(config));
  return file;
}

/** `sluice <args>` left running (verify --follow): its output so far, and a stop that sends SIGTERM and waits. */
export function sluiceBackground(args: string[]): { output: () => string; stop: () => Promise<number | null> } {
  const child = spawn(process.execPath, [main, ...args], { env: { ...process.env, SLUICE_NO_STACK_ENV: '1' }, stdio: 'pipe' });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    output: () => out,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
