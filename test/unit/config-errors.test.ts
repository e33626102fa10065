import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serviceNodeFlags } from '../support/services.ts';

/**
 * The real entry points, started the way the launchers start them, with configs an operator could
 * get wrong. Config is checked before any connection, so no stack is needed: every run must end
 * at once with exit code 2 and a message naming the file, the key and the key probably meant.
 */
const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'sluice-config-errors-'));
const write = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};
// Nothing listens there: a config that passed by mistake would hang, not succeed.
const common = 'kafka:\n  brokers: ["127.0.0.1:1"]\nschemaRegistry:\n  url: http://127.0.0.1:1/\n';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(entry: 'capture' | 'sink' | 'cli', args: string[]): Promise<Run> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SLUICE_')));
  const flags = entry === 'cli' ? [] : serviceNodeFlags();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...flags, join(root, `services/${entry}/src/main.ts`), ...args], {
      env: { ...env, SLUICE_NO_STACK_ENV: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
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
      reject(new Error(`${entry} ${args.join(' ')} still running after 15 s:\n${stdout}\n${stderr}`));
    }, 15_000);
    // 'close', not 'exit': the process may end before its piped output has all been read.
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Exit code 2, the message on stderr, and no stack trace anywhere. */
function refused(r: Run, ...messages: (string | RegExp)[]): void {
  const all = `${r.stdout}\n${r.stderr}`;
  expect(r.code, all).toBe(2);
  for (const m of messages) expect(r.stderr, all).toMatch(m);
  expect(all).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
}

// Above the 15 s after which run() kills a process that did not stop.
describe.concurrent('bad configs stop every entry point with exit code 2', { timeout: 20_000 }, () => {
  it('capture: misspelled keys, with the key meant', async () => {
    const f = write(
      'capture.yaml',
      `source:\n  url: mysql://u:p@127.0.0.1:1/\n${common}tabels:\n  include: [shop.*]\ncolumn:\n  mask: [shop.users.email]\n  maskSalt: a-salt-of-16-chars\n`,
    );
    const r = await run('capture', ['--config', f]);
    refused(
      r,
      `capture: CONFIG_INVALID: invalid configuration in ${f}:`,
      /\n {2}tabels: unknown key; did you mean tables\? \(line 7\)\n/,
      /\n {2}column: unknown key; did you mean columns\? \(line 9\)\n/,
      /fix: /,
    );
    // The JSON log has it too, for whatever collects the service's output.
    expect(JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}')).toMatchObject({ level: 60, code: 'CONFIG_INVALID' });
  });

  it('sink: a misspelled key and one inside a route', async () => {
    const f = write(
      'sink.yaml',
      `sinkName: s\ntarget:\n  url: mysql://u:p@127.0.0.1:1/\n${common}route:\n  - from: a.*\n    to: b.*\nroutes:\n  - form: a.*\n    to: b.*\n`,
    );
    refused(
      await run('sink', ['--config', f]),
      `sink: CONFIG_INVALID: invalid configuration in ${f}:`,
      /\n {2}route: unknown key; did you mean routes\? \(line 8\)\n/,
      /\n {2}routes\.0\.form: unknown key; did you mean from\? \(line 12\)\n/,
    );
  });

  it('sink: invalid YAML, with its line and column', async () => {
    const f = write('broken.yaml', `sinkName: s\ntarget:\n  url: mysql://u:p@127.0.0.1:1/\n kind: tidb\n${common}`);
    refused(
      await run('sink', ['--config', f]),
      `sink: CONFIG_INVALID: config file ${f} is not valid YAML:`,
      /\n {2}line 4, column 1: All mapping items must start at the same column\n/,
    );
  });

  it('capture: a missing config file, with the reason', async () => {
    const f = join(dir, 'none.yaml');
    refused(
      await run('capture', ['--config', f]),
      `capture: CONFIG_FILE_UNREADABLE: cannot read config file ${f}: no such file (ENOENT)`,
    );
  });

  it('capture: a mistyped --config', async () => {
    refused(await run('capture', ['--confg', join(dir, 'capture.yaml')]), /unknown argument "--confg"; did you mean --config\?/);
  });

  it('cli: a config file with a misspelled key', async () => {
    const f = write('cli-sink.yaml', `sinkName: s\ntarget:\n  url: mysql://u:p@127.0.0.1:1/\n${common}topicprefix: p\n`);
    refused(
      await run('cli', ['status', '--sink-config', f]),
      `sluice: CONFIG_INVALID: invalid configuration in ${f}:`,
      /\n {2}topicprefix: unknown key; did you mean topicPrefix\? \(line 8\)\n/,
    );
  });

  it('cli: a missing config file', async () => {
    const f = join(dir, 'none.yaml');
    refused(
      await run('cli', ['verify', '--capture-config', f]),
      `sluice: CONFIG_FILE_UNREADABLE: cannot read config file ${f}: no such file`,
    );
  });

  it('cli: an unknown flag and an unknown command, with the one meant', async () => {
    refused(await run('cli', ['verify', '--sorce', 'mysql://x']), /sluice verify: unknown flag --sorce; did you mean --source\?/);
    refused(await run('cli', ['staus']), /unknown command "staus"; did you mean status\?/);
  });
});
