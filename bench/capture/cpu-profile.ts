import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The parts of a V8 .cpuprofile (as node --cpu-prof writes it) this summary needs. */
interface Profile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    hitCount?: number;
    children?: number[];
  }[];
  startTime: number;
  endTime: number;
}

/** Where a frame's code lives: a package, a sluice file, node itself, or V8 (GC, idle). */
function area(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] as string;
  const own = /\/(services\/[^/]+\/src\/.*)$/.exec(url);
  if (own) return own[1] as string;
  return url.startsWith('node:') ? 'node:*' : url;
}

const frameKey = (f: Profile['nodes'][number]['callFrame']) =>
  `${f.functionName || '(anonymous)'} ${area(f.url, f.functionName)}:${f.lineNumber + 1}`;

/**
 * Prints where a profile's CPU time went: self time by area and by function, and inclusive time of
 * sluice's own functions (what a change to services/ would act on).
 */
export function summariseProfile(file: string, top = 15): void {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const hits = p.nodes.reduce((t, n) => t + (n.hitCount ?? 0), 0) || 1;
  const ms = (p.endTime - p.startTime) / 1000 / hits;
  const self = new Map<string, number>();
  const areas = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const n of p.nodes) {
    const h = n.hitCount ?? 0;
    if (!h) continue;
    self.set(frameKey(n.callFrame), (self.get(frameKey(n.callFrame)) ?? 0) + h);
    const a = area(n.callFrame.url, n.callFrame.functionName);
    areas.set(a, (areas.get(a) ?? 0) + h);
    // Each function once per stack, so recursion is not counted twice.
    const seen = new Set<string>();
    for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)?.callFrame;
      if (f?.url.includes('/services/')) seen.add(frameKey(f));
    }
    for (const k of seen) inclusive.set(k, (inclusive.get(k) ?? 0) + h);
  }
  const show = (title: string, m: Map<string, number>) => {
    console.log(`  ${title}`);
    for (const [k, h] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`    ${((100 * h) / hits).toFixed(1).padStart(5)}%  ${(h * ms).toFixed(0).padStart(7)} ms  ${k}`);
    }
  };
  console.log(`\nCPU profile ${file} (${((p.endTime - p.startTime) / 1e6).toFixed(1)} s wall)`);
  show('self time by area', areas);
  show('self time by function', self);
  show('inclusive time of sluice functions', inclusive);
}

export function summariseProfiles(dir: string): void {
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  } catch {
    // no profile written (the capture did not exit cleanly)
  }
  if (files.length === 0) console.log(`no CPU profile found in ${dir}`);
  for (const f of files) summariseProfile(join(dir, f));
}

// `node bench/capture/cpu-profile.ts <dir or file>` summarises a profile kept from an earlier run.
if (import.meta.url === `file://${process.argv[1]}`) {
  const target = process.argv[2] ?? '';
  if (target.endsWith('.cpuprofile')) summariseProfile(target);
  else summariseProfiles(target);
}
