// The reference collector over real HTTP on 127.0.0.1, on each of its databases: a real SQLite file
// (the embedded default) and a real PostgreSQL server started for the test (--db postgres://...).
// The same behaviour is expected of both.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCollector, payload, post, exported } from './collector.mjs';
import { startPostgres } from './postgres.mjs';

const dir = mkdtempSync(join(tmpdir(), 'sondar-collector-'));
let postgres;
after(() => {
  postgres?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const backends = {
  sqlite: () => join(dir, 'responses.db'),
  postgres: async () => {
    postgres ??= await startPostgres();
    return postgres.createDatabase('collector');
  },
};

for (const [backend, database] of Object.entries(backends)) describe(backend, () => {
  let server;
  let url;
  const db = () => url;

  before(async () => {
    url = await database();
    server = await startCollector(db(), ['--origin', 'https://shop.example']);
  });
  after(async () => {
    await server?.stop();
  });

  test('201 for a new valid response, stored with scores recomputed', async () => {
    const p = payload({ answers: { nps: 3, why: 'Faster delivery' }, scores: { nps: { value: 10, category: 'promoter' } } });
    const r = await post(server.url, p);
    assert.equal(r.status, 201);
    assert.deepEqual(r.json, { responseId: p.responseId, stored: 'inserted' });
    const row = (await exported(server, 'order-nps')).find((x) => x.responseId === p.responseId);
    assert.deepEqual(row.scores, { nps: { value: 3, category: 'detractor' } });
  });

  test('422 for a forged nps 42, listing the error with its path', async () => {
    const r = await post(server.url, payload({ answers: { nps: 42 } }));
    assert.equal(r.status, 422);
    assert.deepEqual(r.json.errors, [{ code: 'out_of_range', path: 'answers.nps', message: 'must be from 0 to 10 (got 42)' }]);
  });

  test('422 for an unknown question, an unknown survey, a wrong version', async () => {
    assert.equal((await post(server.url, payload({ answers: { nps: 9, bogus: 1 } }))).json.errors[0].path, 'answers.bogus');
    assert.equal((await post(server.url, payload({ surveyId: 'nope' }))).status, 422);
    const version = await post(server.url, payload({ surveyVersion: 7 }));
    assert.equal(version.status, 422);
    assert.equal(version.json.errors[0].code, 'mismatch');
  });

  test('400 for bodies that are not JSON objects, 413 for oversized ones', async () => {
    for (const body of ['{', '', 'null', '[1,2]', '"text"', new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])]) {
      assert.equal((await post(server.url, body)).status, 400, JSON.stringify(String(body)));
    }
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    assert.equal((await post(server.url, deep)).status, 400);
    const huge = payload({ answers: { nps: 3, why: 'x'.repeat(70 * 1024) } });
    assert.equal((await post(server.url, huge)).status, 413);
  });

  test('hostile bodies are refused with errors, never crash the collector', async () => {
    const hostile = [
      payload({ answers: 'nps=9' }),
      payload({ answers: { nps: [9] } }),
      payload({ answers: { nps: 9.5 } }),
      payload({ answers: { nps: 1e308 } }),
      payload({ answers: { nps: 3, why: 'x'.repeat(501) } }),
      payload({ answers: { nps: 3, area: ['delivery', 'delivery'] } }),
      payload({ responseId: "' OR 1=1; DROP TABLE responses; --" }),
      payload({ hidden: { order_id: { $ne: null } } }),
      payload({ status: 'complete', answers: {} }),
      payload({ submittedAt: 'tomorrow' }),
      payload({ schema: 'sondar.response/2' }),
      { ...payload(), __proto__: { polluted: true }, constructor: { prototype: {} } },
    ];
    for (const body of hostile) {
      const r = await post(server.url, body);
      assert.ok(r.status === 400 || r.status === 422, `${r.status} for ${JSON.stringify(body).slice(0, 80)}`);
      assert.ok(Array.isArray(r.json.errors) && r.json.errors.length > 0);
    }
    assert.equal((await fetch(`${server.url}/api/health`)).status, 200);
  });

  test('a resend of the same response is stored once (also when concurrent)', async () => {
    const p = payload();
    const first = await post(server.url, p, { 'Idempotency-Key': p.responseId });
    assert.equal(first.status, 201);
    const again = await Promise.all(Array.from({ length: 20 }, () => post(server.url, p, { 'Idempotency-Key': p.responseId })));
    assert.ok(again.every((r) => r.status === 200 && r.json.stored === 'kept_newer'));
    const concurrent = payload();
    const burst = await Promise.all(Array.from({ length: 20 }, () => post(server.url, concurrent)));
    assert.equal(burst.filter((r) => r.status === 201).length, 1);
    const rows = await exported(server);
    assert.equal(rows.filter((r) => r.responseId === p.responseId).length, 1);
    assert.equal(rows.filter((r) => r.responseId === concurrent.responseId).length, 1);
  });

  test('partial then complete replaces; a late partial never overwrites the complete one', async () => {
    const start = Date.now();
    const partial = payload({ status: 'partial', answers: { nps: 4 }, submittedAt: new Date(start).toISOString() });
    const complete = { ...partial, status: 'complete', answers: { nps: 4, why: 'Cheaper shipping' }, submittedAt: new Date(start + 2000).toISOString() };
    const late = { ...partial, submittedAt: new Date(start + 1000).toISOString() };
    assert.equal((await post(server.url, partial)).json.stored, 'inserted');
    assert.equal((await post(server.url, complete)).json.stored, 'replaced');
    assert.equal((await post(server.url, late)).json.stored, 'kept_newer');
    const row = (await exported(server)).find((r) => r.responseId === partial.responseId);
    assert.equal(row.status, 'complete');
    assert.equal(row.answers.why, 'Cheaper shipping');
  });

  test('CORS: an allowed origin gets a preflight answer, another origin does not', async () => {
    const preflight = await fetch(`${server.url}/api/responses`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://shop.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,idempotency-key' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://shop.example');
    assert.match(preflight.headers.get('access-control-allow-headers'), /idempotency-key/i);
    const other = await fetch(`${server.url}/api/responses`, { method: 'OPTIONS', headers: { Origin: 'https://evil.example' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });

  test('counts for closeAfter: complete responses of surveys that set it, nothing else', async () => {
    const help = (status) => payload({ surveyId: 'help-ces', status, answers: { effort: 5 }, trigger: null, hidden: {} });
    for (const status of ['complete', 'complete', 'partial', 'dismissed']) assert.equal((await post(server.url, help(status))).status, 201);
    // Counted in the background every 5 s, never on a request's path: wait for the next count.
    const asked = `${server.url}/api/responses/counts?surveys=help-ces,order-nps,nope,,${'x,'.repeat(100)}`;
    let counts;
    for (const until = Date.now() + 8000; Date.now() < until; await new Promise((r) => setTimeout(r, 250))) {
      const res = await fetch(asked);
      assert.equal(res.status, 200);
      counts = await res.json();
      if (counts['help-ces'] === 2) break;
    }
    // order-nps sets no closeAfter: its count stays the owner's business (as /api/health keeps it).
    assert.deepEqual(counts, { 'help-ces': 2 });
    assert.deepEqual(await (await fetch(`${server.url}/api/responses/counts`)).json(), {});
  });

  test('summary scores what is stored', async () => {
    const s = await (await fetch(`${server.url}/api/summary?survey=order-nps`, { headers: server.auth })).json();
    const rows = (await exported(server, 'order-nps')).filter((r) => r.answers.nps !== undefined);
    const promoters = rows.filter((r) => r.answers.nps >= 9).length;
    const detractors = rows.filter((r) => r.answers.nps <= 6).length;
    assert.equal(s.nps.n, rows.length);
    assert.equal(s.nps.score, Math.round(((100 * (promoters - detractors)) / rows.length) * 100) / 100);
    assert.equal((await fetch(`${server.url}/api/summary?survey=nope`, { headers: server.auth })).status, 404);
  });

  test('a restart keeps every stored row', async () => {
    const before = await exported(server);
    assert.equal(await server.stop(), 0);
    server = await startCollector(db());
    const after = await exported(server);
    assert.deepEqual(after, before);
  });
});
