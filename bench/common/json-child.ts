import { spawn } from 'node:child_process';

/**
 * Runs a bench child script in its own process (so that its peak RSS and CPU are its own) with a
 * JSON job as its argument, and resolves with the JSON line it prints on stdout.
 */
export function runJsonChild<T>(script: string, job: unknown, what: string, timeoutMs = 600_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [script, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'pipe'] });
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
      if (code !== 0) return reject(new Error(`${what} exited with ${code}:\n${err.trim()}`));
      // The result is the last line; libraries may have logged before it.
      const last = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`${what} printed no result line:\n${out.trim().slice(-2000)}`));
      }
    });
  });
}

/** The child side: runs `run` on the JSON job in argv[2], prints its result as the last line, exits. */
export function childMain<J, R>(what: string, run: (job: J) => Promise<R>): void {
  run(JSON.parse(process.argv[2] ?? '{}') as J).then(
    (r) => {
      process.stdout.write(`${JSON.stringify(r)}\n`);
      process.exit(0);
    },
    (err) => {
      process.stderr.write(`${what} failed: ${err?.stack ?? err}\n`);
      process.exit(1);
    },
  );
}
