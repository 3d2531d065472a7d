/**
 * tsx bench/cpuprofile-summary.ts FILE.cpuprofile [--top 25] [--from US --to US] [--json]
 *
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): the functions with the most self time, the same
 * grouped by where the code lives (an npm package, a file of dist/, node's internals, GC, idle), and the
 * inclusive time of the project's own functions. --from/--to keep only samples taken between two
 * timestamps of the monotonic clock in microseconds (process.hrtime.bigint() / 1000n in any process on
 * the same machine), so a summary can cover one phase of a benchmark.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionTime {
  function: string;
  where: string;
  selfMs: number;
  selfPct: number;
}

export interface GroupTime {
  group: string;
  selfMs: number;
  selfPct: number;
}

export interface InclusiveTime {
  function: string;
  where: string;
  totalMs: number;
  totalPct: number;
}

export interface ProfileSummary {
  file: string;
  window: { fromUs: number; toUs: number } | null;
  sampledMs: number;
  busyMs: number;
  idleMs: number;
  topSelf: FunctionTime[];
  byGroup: GroupTime[];
  /** Functions of the project (dist/) by time on the stack, the time they and what they call took. */
  topInclusiveOwn: InclusiveTime[];
}

function shortUrl(url: string): string {
  if (!url) return '';
  const path = url.startsWith('file://') ? url.slice('file://'.length) : url;
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) return path.slice(nm + '/node_modules/'.length);
  return path.startsWith('/') ? relative(process.cwd(), path) : path;
}

/** Where a frame's code lives: a package name, dist/<dir>, node:internal, or the V8 pseudo-frames. */
function groupOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName.startsWith('(')) return functionName; // (garbage collector), (program), (idle), (root)
    return 'native (V8 builtins, bindings such as better-sqlite3 and crypto)';
  }
  if (url.startsWith('node:')) return 'node: internals (http, streams, timers, crypto wrappers)';
  const path = url.startsWith('file://') ? url.slice('file://'.length) : url;
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const dist = path.indexOf('/dist/');
  if (dist >= 0) {
    const parts = path.slice(dist + 1).split('/');
    return parts.slice(0, Math.min(parts.length - 1, 3)).join('/');
  }
  return shortUrl(url);
}

const round = (n: number) => Math.round(n * 10) / 10;

export function summarise(file: string, options: { top?: number; fromUs?: number; toUs?: number } = {}): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const top = options.top ?? 25;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const key = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'}\u0000${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
  const self = new Map<string, number>();
  const groups = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let sampled = 0;
  let idle = 0;

  // Sample i was taken at startTime + sum(timeDeltas[0..i]); it stands for the time until the next sample.
  let at = profile.startTime;
  const windowed = options.fromUs !== undefined && options.toUs !== undefined;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i]!;
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    if (windowed && (at < options.fromUs! || at > options.toUs!)) continue;
    const node = byId.get(profile.samples[i]!)!;
    sampled += dt;
    if (node.callFrame.functionName === '(idle)') {
      idle += dt;
      continue;
    }
    const k = key(node);
    self.set(k, (self.get(k) ?? 0) + dt);
    const g = groupOf(node.callFrame);
    groups.set(g, (groups.get(g) ?? 0) + dt);
    // Each project function on this stack once, however often it recurses.
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const n = byId.get(id)!;
      if (!n.callFrame.url.includes('/dist/')) continue;
      const fk = key(n);
      if (seen.has(fk)) continue;
      seen.add(fk);
      inclusive.set(fk, (inclusive.get(fk) ?? 0) + dt);
    }
  }

  const busy = sampled - idle;
  const pct = (ms: number) => (busy > 0 ? round((ms / busy) * 100) : 0);
  const split = (k: string) => {
    const [fn, where] = k.split('\u0000');
    return { function: fn!, where: where === ':1' ? '' : where! };
  };
  return {
    file,
    window: windowed ? { fromUs: options.fromUs!, toUs: options.toUs! } : null,
    sampledMs: Math.round(sampled),
    busyMs: Math.round(busy),
    idleMs: Math.round(idle),
    topSelf: [...self]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, ms]) => ({ ...split(k), selfMs: round(ms), selfPct: pct(ms) })),
    byGroup: [...groups]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([group, ms]) => ({ group, selfMs: round(ms), selfPct: pct(ms) })),
    topInclusiveOwn: [...inclusive]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, ms]) => ({ ...split(k), totalMs: round(ms), totalPct: pct(ms) })),
  };
}

export function printSummary(summary: ProfileSummary, title: string): void {
  console.log(`\n${title}: ${summary.busyMs.toLocaleString('en')} ms on the CPU, ${summary.idleMs.toLocaleString('en')} ms idle (percentages are of the CPU time)`);
  console.log('top self time by function:');
  console.table(summary.topSelf.map((f) => ({ function: f.function, where: f.where, 'self ms': f.selfMs, '%': f.selfPct })));
  console.log('self time by where the code lives:');
  console.table(summary.byGroup.map((g) => ({ group: g.group, 'self ms': g.selfMs, '%': g.selfPct })));
  console.log("the project's own functions by inclusive time (themselves and everything they call, synchronously):");
  console.table(summary.topInclusiveOwn.map((f) => ({ function: f.function, where: f.where, 'total ms': f.totalMs, '%': f.totalPct })));
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a));
  const option = (name: string) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : undefined);
  if (!file) {
    console.error('usage: tsx bench/cpuprofile-summary.ts FILE.cpuprofile [--top 25] [--from US --to US] [--json]');
    process.exit(2);
  }
  const summary = summarise(file, { top: option('--top'), fromUs: option('--from'), toUs: option('--to') });
  if (args.includes('--json')) console.log(JSON.stringify(summary, null, 2));
  else printSummary(summary, file);
}
