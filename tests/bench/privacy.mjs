// Privacy operations at scale: N generated order-nps responses (default 100,000) posted to the
// release collector, on SQLite and on PostgreSQL; then an access document and an erasure by
// visitor id (found through an index), an erasure by a hidden value (which reads every stored
// payload, as one by e-mail address does), and retention of the older half of the days (the collector restarted with
// --retention-days), each timed. Prints figures; asserts only that each operation did what it
// says (the summary is the same before and after retention).
//   node tests/bench/privacy.mjs [N] [sqlite|postgres|both]
import assert from 'node:assert/strict';
import { generated, load as loadAll, onEachStore } from './dataset.mjs';

const { startCollector } = await import('../collector/collector.mjs');

const n = Number(process.argv[2] || 100000);
const which = process.argv[3] || 'both';
// Retention of 14 days deletes the older half of the generated days.
const lines = generated(n);
async function load(collector) {
  const { refused } = await loadAll(collector, lines);
  if (refused) throw new Error(`${refused} posts refused`);
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
    // One customer's order number on 20 responses among all the others.
    for (let i = 0; i < 20; i++) {
      const p = JSON.parse(lines[(i * 997) % lines.length]);
      const res = await fetch(`${collector.url}/api/responses`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...collector.auth },
        body: JSON.stringify({ ...p, responseId: crypto.randomUUID(), hidden: { ...p.hidden, segment: 'order-A-1001' } }),
      });
      assert.equal(res.status, 201);
    }
    const byValue = await timed(collector, 'POST', '/api/privacy/erase', { hidden: { segment: 'order-A-1001' } });
    assert.equal(byValue.json.erased, 20);
    console.log(`| erase by a hidden value (reads every payload) | ${byValue.ms.toFixed(0)} | ${byValue.json.erased} erased |`);
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

await onEachStore(which, bench);
