import { spawn } from 'node:child_process';
import type { RawJob, RawResult } from './raw-decode-child.ts';

const child = new URL('./raw-decode-child.ts', import.meta.url).pathname;

/** Runs raw-decode-child.ts in its own process and returns what it measured. */
export function rawDecode(job: RawJob, timeoutMs = 600_000): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => {
      out += d;
    });
    p.stderr.on('data', (d) => {
      err += d;
    });
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(JSON.parse(out.trim()) as RawResult);
      else reject(new Error(`raw zongji reader exited with ${code}:\n${err.trim()}`));
    });
  });
}
