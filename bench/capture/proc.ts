import { readFileSync } from 'node:fs';

/**
 * Memory and CPU figures of a process from /proc (Linux only, like the local stack). VmHWM is the
 * kernel's own peak-RSS record, so one read at the end is exact; sampling only guards against the
 * process dying before that read.
 */
export interface ProcStats {
  peakRssMb: number;
  rssMb: number;
  cpuSeconds: number;
}

const CLOCK_TICKS = 100; // USER_HZ on every Linux the stack runs on

export function procStats(pid: number | 'self'): ProcStats | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    // Fields after the ")" of the command name: utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(rest[11]) + Number(rest[12]);
    return { peakRssMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024, cpuSeconds: ticks / CLOCK_TICKS };
  } catch {
    return undefined; // the process has ended
  }
}

/** Keeps the last readable stats of a process, sampled every `everyMs`. */
export class ProcSampler {
  last: ProcStats | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(pid: number, everyMs = 250) {
    this.timer = setInterval(() => {
      this.last = procStats(pid) ?? this.last;
    }, everyMs);
    this.last = procStats(pid);
  }

  stop(): ProcStats | undefined {
    clearInterval(this.timer);
    return this.last;
  }
}

/**
 * Waits until a process uses less than `maxCores` of CPU over a 2 s window (or `timeoutMs`
 * passes). Used for the stack's own capture: it decodes every binlog row (it drops excluded
 * databases only after decoding), so right after the backlog is written it competes for the CPU.
 */
export async function waitIdle(pid: number, maxCores = 0.1, timeoutMs = 180_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let before = procStats(pid);
  while (before && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 2_000));
    const now = procStats(pid);
    if (!now) return true;
    if ((now.cpuSeconds - before.cpuSeconds) / 2 < maxCores) return true;
    before = now;
  }
  return before === undefined;
}
