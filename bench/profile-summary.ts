/** Reads a V8 `.cpuprofile` (from `node --cpu-prof`) and says where the app's CPU time went. */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
}

/** Self time by function and by package (or `src/` folder), largest first, as text lines. */
export function summarizeProfile(file: string, top = 15): string[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const totalHits = profile.samples.length;
  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const place = placeOf(node.callFrame.url, node.callFrame.functionName);
    const name = `${node.callFrame.functionName || '(anonymous)'} ${place}:${node.callFrame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + hits);
    byPlace.set(place, (byPlace.get(place) ?? 0) + hits);
  }
  const share = (hits: number) => `${((100 * hits) / totalHits).toFixed(1).padStart(5)} %`;
  const byKind = new Map<string, number>();
  for (const [place, hits] of byPlace) {
    const kind = kindOf(place);
    byKind.set(kind, (byKind.get(kind) ?? 0) + hits);
  }
  const lines = [`Self time by kind of work (${totalHits} samples):`];
  for (const [kind, hits] of [...byKind].sort((a, b) => b[1] - a[1])) {
    lines.push(`  ${share(hits)}  ${kind}`);
  }
  lines.push('Self time by package or folder:');
  for (const [place, hits] of [...byPlace].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`  ${share(hits)}  ${place}`);
  }
  lines.push('Self time by function:');
  for (const [name, hits] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`  ${share(hits)}  ${name}`);
  }
  return lines;
}

// Groups frames the way one reads a profile: by dependency, by folder of our code, or by what
// V8 itself was doing (garbage collection, idle, native code).
function placeOf(url: string, functionName: string): string {
  if (url === '') return `(${functionName || 'native'})`;
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency?.[1] !== undefined) return dependency[1];
  if (url.startsWith('node:')) return url;
  const ours = /\/dist\/(.+)\/[^/]+\.js$/.exec(url);
  if (ours?.[1] !== undefined) return `src/${ours[1]}`;
  if (/\/dist\/[^/]+\.js$/.test(url)) return 'src';
  return url;
}

// Our code by folder, as placeOf names it (src/core/session, src/stores, src/app/pages, …).
const KINDS: [string, RegExp][] = [
  ['idle (waiting for the network)', /^\(\(idle\)\)$/],
  ['garbage collection', /garbage collector/],
  [
    'socket writes and reads, connects and closes (kernel, loopback included)',
    /^\((writev|writeUtf8String|writeLatin1String|writeString|writeBuffer|read|onStreamRead|close|connect)\)$/,
  ],
  ['page rendering (Preact to HTML, escaping)', /preact|src\/app\/pages|RegExp/],
  ['request logging (pino, redaction)', /pino|sonic-boom|fast-redact|@pinojs/],
  ['security headers (helmet)', /helmet/],
  [
    'sessions (cookie signature, SHA-256 key, SQLite, JSON, CSRF)',
    /src\/core\/session|src\/stores|better-sqlite3|^cookie$|@fastify\/csrf|node:internal\/crypto\/hash|\(parse\)|\(stringify\)/,
  ],
  [
    'sign-in and API calls (openid-client, WebCrypto, fetch to the provider and to Graph)',
    /openid-client|oauth4webapi|jose|undici|node:internal\/crypto|webstreams|src\/core\/(flows|provider|tokens)/,
  ],
  [
    'Fastify (routing, hooks, replies)',
    /fastify|find-my-way|avvio|light-my-request|@fastify|fast-json-stringify|src\/adapters|src\/app|src\/core|^src$/,
  ],
  [
    'Node.js HTTP',
    /node:_http|node:http|node:net|node:internal\/(http|stream|streams)|node:events|node:internal\/url|\(native\)/,
  ],
  [
    'loading code at start-up',
    /modules|wrapSafe|compile|openFileHandle|readFileUtf8|internalModuleStat/,
  ],
];

function kindOf(place: string): string {
  return KINDS.find(([, pattern]) => pattern.test(place))?.[0] ?? 'other';
}
