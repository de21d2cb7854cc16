// The workspace's queries at scale: N generated order-nps responses (default 1,000,000) posted
// to the release collector over loopback, on SQLite and on PostgreSQL, then the requests a CX
// lead's screens make, each timed cold (its first run) and as the median of 5, with the bytes
// each answer sends. Prints figures; asserts only that every response was stored.
//   node tests/bench/workspace.mjs [N] [sqlite|postgres|both]      (make bench runs it)
import { existsSync } from 'node:fs';
import { DAY, base, generated, load as loadAll, onEachStore } from './dataset.mjs';

const { startCollector } = await import('../collector/collector.mjs');

const n = Number(process.argv[2] || 1000000);
const which = process.argv[3] || 'both';
const lines = generated(n);
const load = (collector) => loadAll(collector, lines);

async function timed(collector, path) {
  const runs = [];
  let bytes = 0;
  for (let i = 0; i < 6; i++) {
    const start = performance.now();
    const res = await fetch(`${collector.url}${path}`, { headers: collector.auth });
    const body = Buffer.from(await res.arrayBuffer());
    runs.push(performance.now() - start);
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${body}`);
    bytes = body.length;
  }
  const warm = runs.slice(1).sort((a, b) => a - b);
  return { cold: runs[0], median: warm[2], bytes };
}

const day = (ms) => new Date(ms).toISOString().slice(0, 10);
const queries = [
  ['first view: the survey list', '/api/surveys'],
  ['first view: the summary', '/api/summary?survey=order-nps'],
  ['filter: segment=vip', '/api/summary?survey=order-nps&segment=vip'],
  ['filter: 3 days', `/api/summary?survey=order-nps&from=${day(base + 5 * DAY)}&to=${day(base + 7 * DAY)}`],
  ['filter: detractors', '/api/summary?survey=order-nps&category=detractor'],
  ['filter: hidden field', '/api/summary?survey=order-nps&hidden.segment=vip'],
  ['filter: hidden field, detractors', '/api/summary?survey=order-nps&hidden.segment=vip&category=detractor'],
  ['comments: first page', '/api/comments?survey=order-nps&limit=25'],
  ['comments: search', '/api/comments?survey=order-nps&q=size&limit=25'],
  ['comments: vip detractors', '/api/comments?survey=order-nps&segment=vip&category=detractor&limit=25'],
];

async function bench(name, db) {
  const collector = await startCollector(db, ['--max-survey-mb', '0']);
  try {
    const { stored, refused, seconds } = await load(collector);
    if (stored !== n || refused) throw new Error(`${name}: ${stored} of ${n} responses stored, ${refused} posts refused`);
    console.log(`\n${name}: ${stored.toLocaleString('en')} responses (${lines.length.toLocaleString('en')} posts) loaded in ${seconds.toFixed(0)} s (${Math.round(lines.length / seconds).toLocaleString('en')} posts/s)`);
    if (process.env.SONDAR_BENCH_PAUSE) {
      // For a profiler: the collector's pid, then the queries once the file names appears.
      console.log(`collector pid ${collector.process.pid}; queries start when ${process.env.SONDAR_BENCH_PAUSE} exists`);
      while (!existsSync(process.env.SONDAR_BENCH_PAUSE)) await new Promise((r) => setTimeout(r, 200));
    }
    console.log('| request | cold ms | median ms | bytes |\n|---|---|---|---|');
    for (const [label, path] of queries) {
      const t = await timed(collector, path);
      console.log(`| ${label} | ${t.cold.toFixed(0)} | ${t.median.toFixed(0)} | ${t.bytes.toLocaleString('en')} |`);
    }
  } finally {
    await collector.stop();
  }
}

await onEachStore(which, bench);
