// Privacy operations at scale: N generated order-nps responses (default 100,000) posted to the
// release collector, on SQLite and on PostgreSQL; then an access document and an erasure by
// visitor id (found through an index), an erasure by e-mail address (which reads every stored
// payload), and retention of the older half of the days (the collector restarted with
// --retention-days), each timed. Prints figures; asserts only that each operation did what it
// says (the summary is the same before and after retention).
//   node tests/bench/privacy.mjs [N] [sqlite|postgres|both]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';

const root = new URL('../../', import.meta.url).pathname;
process.env.SONDAR_NATIVE_BUILD ||= `${root}build/release`;
const build = process.env.SONDAR_NATIVE_BUILD;
const { startCollector, fixtureSurveys } = await import('../collector/collector.mjs');
const { startPostgres } = await import('../collector/postgres.mjs');

const n = Number(process.argv[2] || 100000);
const which = process.argv[3] || 'both';
const DAY = 86400000;
// 14 days ending a week ago, as tests/bench/workspace.mjs makes them; retention of 14 days then
// deletes the older half.
const base = Math.floor((Date.now() - 21 * DAY) / DAY) * DAY;
const data = `${root}build/bench/workspace-${n}.jsonl`;
mkdirSync(`${root}build/bench`, { recursive: true });
if (!existsSync(data) || statSync(data).size === 0) {
  execFileSync('sh', ['-c', `"${build}/tests/bench/sondar_gen_responses" "${fixtureSurveys}/order_nps.json" ${n} 11 ${base} > "${data}"`]);
}
const lines = readFileSync(data, 'utf8').split('\n').filter(Boolean);

async function load(collector) {
  const headers = { 'Content-Type': 'application/json', ...collector.auth };
  let next = 0;
  await Promise.all(Array.from({ length: 64 }, async () => {
    while (next < lines.length) {
      const res = await fetch(`${collector.url}/api/responses`, { method: 'POST', headers, body: lines[next++] });
      await res.arrayBuffer();
      if (res.status !== 201 && res.status !== 200) throw new Error(`a post answered ${res.status}`);
    }
  }));
}

/** The answer's JSON and how long it took, in ms. */
async function timed(collector, method, path, body) {
  const start = performance.now();
  const res = await fetch(`${collector.url}${path}`, {
    method, headers: { ...collector.auth, 'Content-Type': 'application/json' }, body: body && JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return { json, ms: performance.now() - start };
}

const stored = async (collector) => (await timed(collector, 'GET', '/api/health')).json.responses;

async function bench(name, db) {
  const flags = ['--max-survey-mb', '0'];
  let collector = await startCollector(db, flags);
  let summary;
  try {
    await load(collector);
    const visitor = JSON.parse(lines[lines.length >> 1]).visitorId;
    const rows = await stored(collector);
    console.log(`\n${name}: ${rows.toLocaleString('en')} responses`);
    console.log('| operation | ms | result |\n|---|---|---|');
    const access = await timed(collector, 'GET', `/api/visitors/${visitor}`);
    console.log(`| access document of one visitor (index) | ${access.ms.toFixed(0)} | ${access.json.responses.length} responses |`);
    const byVisitor = await timed(collector, 'DELETE', `/api/visitors/${visitor}`);
    assert.equal(byVisitor.json.erased, access.json.responses.length);
    console.log(`| erase one visitor (index) | ${byVisitor.ms.toFixed(0)} | ${byVisitor.json.erased} erased |`);
    const byEmail = await timed(collector, 'POST', '/api/privacy/erase', { email: 'nobody@example.com' });
    console.log(`| erase by e-mail (reads every payload) | ${byEmail.ms.toFixed(0)} | ${byEmail.json.erased} erased |`);
    summary = (await timed(collector, 'GET', '/api/summary?survey=order-nps')).json;
  } finally {
    await collector.stop();
  }
  // Retention: from the start until the collector says it is done.
  const before = summary.responses.total;
  const started = performance.now();
  collector = await startCollector(db, [...flags, '--retention-days', '14']);
  try {
    const said = await new Promise((resolve) => {
      let err = '';
      collector.process.stderr.on('data', (d) => {
        err += d;
        const m = err.match(/retention deleted (\d+) responses/);
        if (m) resolve(Number(m[1]));
      });
    });
    const seconds = (performance.now() - started) / 1000;
    const count = await stored(collector);
    assert.equal(count, before - said);
    const after = (await timed(collector, 'GET', '/api/summary?survey=order-nps')).json;
    assert.equal(after.retention.aggregated, said);
    delete after.retention;
    assert.deepEqual(after, summary);
    console.log(`| retention: ${said.toLocaleString('en')} responses to daily aggregates (collector start included) | ${(seconds * 1000).toFixed(0)} | summary unchanged, ${count.toLocaleString('en')} rows left |`);
  } finally {
    await collector.stop();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'sondar-privacy-bench-'));
let postgres;
try {
  if (which !== 'postgres') await bench('SQLite', join(dir, 'bench.db'));
  if (which !== 'sqlite') {
    postgres = await startPostgres();
    await bench('PostgreSQL', postgres.createDatabase('bench'));
  }
} finally {
  postgres?.destroy();
  rmSync(dir, { recursive: true, force: true });
}
