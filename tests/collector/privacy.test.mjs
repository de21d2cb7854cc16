// Privacy operations over real HTTP, on SQLite and PostgreSQL: a person's data erased by visitor
// id, by a contact answer's e-mail address and by a hidden field's value, with the export,
// summary, comment search, cases and deliveries checked afterwards and a resent erased response
// refused; the access document; named tokens made and revoked by the CLI and kept hashed; what a
// viewer may not do or see; the audit log; and retention, whose summaries stay exactly the same.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { admin, adminApi, binary, exported, payload, post, publishSite, startCollector, until } from './collector.mjs';
import { backends } from './postgres.mjs';

const dir = mkdtempSync(join(tmpdir(), 'sondar-privacy-'));
const stores = backends(dir);
after(() => {
  stores.destroy();
  rmSync(dir, { recursive: true, force: true });
});

// A survey with a contact question and a hidden field marked as personal data.
const survey = {
  schema: 'sondar.survey/1',
  id: 'privacy-nps',
  version: 1,
  locale: 'en',
  questions: [
    { id: 'nps', type: 'nps', prompt: 'Would you recommend us?' },
    { id: 'why', type: 'text', prompt: 'Why?' },
    { id: 'contact', type: 'contact', prompt: 'May we contact you?', email: true },
  ],
  hidden: [{ name: 'order_id', pii: true }, 'segment'],
};

const day = 24 * 3600 * 1000;
const at = (msAgo) => new Date(Date.now() - msAgo).toISOString();
/** A response to the privacy survey. */
const answer = (over = {}) => payload({ surveyId: 'privacy-nps', surveyVersion: 1, answers: { nps: 3 }, hidden: { segment: 'regular' }, ...over });

/**
 * One number from the database itself, not through the collector's routes (which join the
 * responses table and so could not see rows an erasure left behind).
 */
async function count(kind, db, query) {
  if (kind === 'sqlite') {
    const r = spawnSync('sqlite3', [db, query], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return Number(r.stdout.trim());
  }
  return Number((await stores.server()).sql(new URL(db).pathname.slice(1), query).trim());
}

/** Runs the collector's CLI on `db`: its status, stdout and stderr. */
const cli = (db, ...args) => spawnSync(binary, ['--db', db, ...args], { encoding: 'utf8' });

/** A request with a bearer token; status and JSON body. */
async function as(collector, token, method, path, body) {
  const res = await fetch(`${collector.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

for (const kind of ['sqlite', 'postgres']) {
  describe(`privacy (${kind})`, () => {
    let db;
    let collector;
    before(async () => {
      db = await stores.make[kind]('privacy');
      // A receiver that is not there: deliveries stay pending, as they would for an endpoint that
      // is down when the erasure comes.
      collector = await startCollector(db, ['--allow-private-webhooks', '--webhook-first-retry', '3600']);
      assert.equal((await admin(collector, '/api/surveys/privacy-nps', survey)).status, 201);
      assert.equal((await publishSite(collector, ['privacy-nps'])).status, 201);
      const hook = await adminApi(collector, 'POST', '/api/webhooks', { url: 'http://127.0.0.1:9/gone', surveys: ['privacy-nps'], when: { question: 'nps', op: 'lte', value: 6 } });
      assert.equal(hook.status, 201);
    });
    after(() => collector?.stop());

    test('erasure by visitor, e-mail and hidden value takes responses, comments, cases and deliveries; a resend is refused', async () => {
      const ana1 = answer({ visitorId: 'v-ana', answers: { nps: 2, why: 'Parcel lost twice', contact: { consent: true, email: 'Ana@Example.com' } } });
      const ana2 = answer({ visitorId: 'v-ana', answers: { nps: 5, why: 'Still waiting' } });
      const ben = answer({ visitorId: 'v-ben', answers: { nps: 4, why: 'Parcel late' }, hidden: { order_id: 'A-2002', segment: 'vip' } });
      const cleo = answer({ visitorId: 'v-cleo', answers: { nps: 1, contact: { consent: true, email: 'cleo@example.com' } } });
      const dan = answer({ visitorId: 'v-dan', answers: { nps: 9, why: 'Parcel fine' } });
      for (const p of [ana1, ana2, ben, cleo, dan]) assert.equal((await post(collector.url, p)).status, 201);
      assert.equal((await adminApi(collector, 'PUT', `/api/cases/${ana1.responseId}`, { note: 'Called Ana', by: 'Sam' })).status, 200);

      // Access first: everything about Ana in one document.
      const access = await adminApi(collector, 'GET', '/api/visitors/v-ana');
      assert.equal(access.status, 200);
      assert.deepEqual(access.json.responses.map((r) => r.responseId).sort(), [ana1.responseId, ana2.responseId].sort());
      assert.deepEqual(access.json.visitorIds, ['v-ana']);
      assert.equal(access.json.cases.length, 2); // the alert's case on each, one with a note
      assert.ok(access.json.cases.some((c) => c.history.some((e) => e.note === 'Called Ana')));
      assert.equal(access.json.deliveries.length, 2);
      assert.equal(access.json.deliveries[0].state, 'pending');
      const byEmail = await adminApi(collector, 'POST', '/api/privacy/access', { email: ' ANA@example.com' });
      assert.deepEqual(byEmail.json.responses.map((r) => r.responseId), [ana1.responseId]);

      // Bad requests name what is wrong.
      const bad = await adminApi(collector, 'POST', '/api/privacy/erase', { email: 'not-an-address' });
      assert.equal(bad.status, 422);
      assert.deepEqual(bad.json.errors.map((e) => e.path), ['email']);
      assert.equal((await fetch(`${collector.url}/api/visitors/v-ana`, { method: 'DELETE' })).status, 401);

      const erased = await adminApi(collector, 'DELETE', '/api/visitors/v-ana');
      assert.equal(erased.status, 200);
      assert.deepEqual(erased.json, { erased: 2 });
      assert.deepEqual((await adminApi(collector, 'POST', '/api/privacy/erase', { email: 'CLEO@example.com' })).json, { erased: 1 });
      assert.deepEqual((await adminApi(collector, 'POST', '/api/privacy/erase', { hidden: { order_id: 'A-2002' } })).json, { erased: 1 });
      assert.deepEqual((await adminApi(collector, 'DELETE', '/api/visitors/v-nobody')).json, { erased: 0 });

      // Nothing of them is left in any table, the search index included.
      const gone = [ana1, ana2, ben, cleo].map((p) => `'${p.responseId}'`).join(',');
      for (const table of ['responses', 'comments', 'deliveries', 'cases', 'case_events'])
        assert.equal(await count(kind, db, `SELECT count(*) FROM ${table} WHERE response_id IN (${gone})`), 0, table);
      assert.equal(await count(kind, db, kind === 'sqlite'
        ? "SELECT count(*) FROM comments_fts WHERE comments_fts MATCH 'twice OR late'"
        : "SELECT count(*) FROM comments WHERE to_tsvector('simple', text) @@ to_tsquery('simple', 'twice | late')"), 0);
      assert.equal(await count(kind, db, 'SELECT count(*) FROM erased'), 4);
      // And nothing anywhere a reader looks.
      assert.deepEqual((await exported(collector, 'privacy-nps')).map((r) => r.responseId), [dan.responseId]);
      const search = await adminApi(collector, 'GET', '/api/comments?survey=privacy-nps&q=parcel');
      assert.deepEqual(search.json.items.map((c) => c.responseId), [dan.responseId]);
      const summary = await adminApi(collector, 'GET', '/api/summary?survey=privacy-nps');
      assert.equal(summary.json.responses.total, 1);
      assert.equal((await adminApi(collector, 'GET', `/api/cases/${ana1.responseId}`)).status, 404);
      assert.deepEqual((await adminApi(collector, 'GET', '/api/cases?survey=privacy-nps')).json.items, []);
      const hooks = (await adminApi(collector, 'GET', '/api/webhooks')).json.webhooks;
      const deliveries = (await adminApi(collector, 'GET', `/api/webhooks/${hooks[0].id}/deliveries`)).json.deliveries;
      assert.deepEqual(deliveries, []);
      assert.deepEqual((await adminApi(collector, 'GET', '/api/visitors/v-ana')).json.responses, []);

      // Ana's outbox sends her first response again: refused for good, not stored.
      const resent = await post(collector.url, { ...ana1, status: 'complete' });
      assert.equal(resent.status, 410);
      assert.equal(resent.json.errors[0].code, 'erased');
      assert.equal(resent.json.errors[0].path, 'responseId');
      assert.deepEqual((await exported(collector, 'privacy-nps')).map((r) => r.responseId), [dan.responseId]);

      // The audit log says who erased what kind of key, never the value.
      const audit = (await adminApi(collector, 'GET', '/api/audit?limit=10')).json;
      const erasures = audit.items.filter((e) => e.action === 'erase');
      assert.deepEqual(erasures.map((e) => e.target), ['visitorId', 'hidden.order_id', 'email', 'visitorId']);
      assert.ok(erasures.every((e) => e.actor === 'admin-token'));
      assert.ok(!JSON.stringify(audit).includes('v-ana') && !JSON.stringify(audit).toLowerCase().includes('cleo@'));
      const page = (await adminApi(collector, 'GET', `/api/audit?limit=2&cursor=${audit.items[1].id}`)).json;
      assert.deepEqual(page.items.map((e) => e.id), [audit.items[2].id, audit.items[3].id]);
      // The CLI erases too.
      const left = cli(db, 'erase', '--visitor', 'v-dan');
      assert.equal(left.status, 0, left.stderr);
      assert.deepEqual(JSON.parse(left.stdout), { erased: 1 });
      assert.deepEqual(await exported(collector, 'privacy-nps'), []);
    });

    test('named tokens: made and revoked by the CLI, kept hashed; a viewer sees no personal data and may not publish, export or erase', async () => {
      const made = cli(db, 'token', 'create', 'analyst', '--role', 'viewer');
      assert.equal(made.status, 0, made.stderr);
      const viewer = made.stdout.trim();
      assert.match(viewer, /^sdr_[0-9a-f]{64}$/);
      const lead = cli(db, 'token', 'create', 'lead', '--role', 'admin').stdout.trim();
      assert.equal(cli(db, 'token', 'create', 'analyst').status, 1); // names are not reused
      assert.equal(cli(db, 'token', 'create', 'admin-token').status, 2); // nor is the start-up token's
      // Only the hash is on disk.
      if (kind === 'sqlite') {
        const files = [db, `${db}-wal`].filter(existsSync).map((f) => readFileSync(f).toString('latin1')).join('');
        assert.ok(!files.includes(viewer.slice(4)) && !files.includes(lead.slice(4)));
      } else {
        const server = await stores.server();
        const rows = server.sql(new URL(db).pathname.slice(1), 'SELECT name, hash FROM tokens ORDER BY name');
        assert.ok(!rows.includes(viewer) && !rows.includes(viewer.slice(4)));
        assert.match(rows, /^analyst\|[0-9a-f]{64}$/m);
      }
      // Tokens count within 2 s on a running collector.
      await until('the viewer token to work', async () => (await as(collector, viewer, 'GET', '/api/summary?survey=privacy-nps')).status === 200);

      const p = answer({ visitorId: 'v-eve', answers: { nps: 3, why: 'Box damaged', contact: { consent: true, email: 'eve@example.com' } }, hidden: { order_id: 'A-5005', segment: 'vip' } });
      assert.equal((await post(collector.url, p)).status, 201);
      const one = await as(collector, viewer, 'GET', `/api/responses/${p.responseId}`);
      assert.equal(one.status, 200);
      assert.deepEqual(one.json.response.answers.contact, { consent: true });
      assert.deepEqual(one.json.response.hidden, { segment: 'vip' });
      assert.ok(!JSON.stringify(one.json).includes('eve@') && !JSON.stringify(one.json).includes('A-5005'));
      const comments = await as(collector, viewer, 'GET', '/api/comments?survey=privacy-nps');
      assert.deepEqual(comments.json.items.map((c) => c.text), ['Box damaged']);
      assert.deepEqual(comments.json.items[0].hidden, { segment: 'vip' });
      const cases = await as(collector, viewer, 'GET', '/api/cases?survey=privacy-nps');
      assert.equal(cases.json.items[0].contact, null);
      assert.ok(!JSON.stringify(cases.json).includes('A-5005'));
      // The admin sees it all.
      assert.equal((await adminApi(collector, 'GET', `/api/cases/${p.responseId}`)).json.contact, 'eve@example.com');
      // Filtering by a personal field would tell who answered.
      const probe = await as(collector, viewer, 'GET', '/api/summary?survey=privacy-nps&hidden.order_id=A-5005');
      assert.equal(probe.status, 403);
      assert.equal(probe.json.errors[0].path, 'hidden.order_id');
      assert.equal((await as(collector, viewer, 'GET', '/api/summary?survey=privacy-nps&hidden.segment=vip')).status, 200);
      // Marked personal in version 1, a field stays hidden from viewers in a version that forgets it.
      assert.equal((await admin(collector, '/api/surveys/privacy-nps', { ...survey, hidden: ['order_id', 'segment'] }, { ifMatch: 1 })).status, 201);
      const v2 = answer({ surveyVersion: 2, visitorId: 'v-fay', answers: { nps: 8 }, hidden: { order_id: 'A-6006', segment: 'regular' } });
      await until('version 2 to be known', async () => (await post(collector.url, v2)).status === 201);
      assert.deepEqual((await as(collector, viewer, 'GET', `/api/responses/${v2.responseId}`)).json.response.hidden, { segment: 'regular' });
      for (const [method, path, body] of [
        ['PUT', '/api/surveys/privacy-nps', { ...survey, version: 3 }],
        ['POST', '/api/surveys/privacy-nps/rollback', { version: 1 }],
        ['PUT', '/api/site', { schema: 'sondar.site/1', surveys: [] }],
        ['GET', '/api/visitors/v-eve'],
        ['GET', '/api/tokens'],
        ['GET', '/api/webhooks'],
        ['GET', '/api/export.jsonl?survey=privacy-nps'],
        ['GET', '/api/export.csv?survey=privacy-nps'],
        ['DELETE', '/api/visitors/v-eve'],
        ['POST', '/api/privacy/access', { visitorId: 'v-eve' }],
        ['GET', '/api/audit'],
        ['POST', '/api/webhooks', { url: 'http://127.0.0.1:9/x', when: { question: 'nps', op: 'lte', value: 6 } }],
        ['PUT', `/api/cases/${p.responseId}`, { note: 'x' }],
      ]) {
        const refused = await as(collector, viewer, method, path, body);
        assert.equal(refused.status, 403, `${method} ${path}`);
        assert.equal(refused.json.errors[0].code, 'forbidden');
      }
      // A named admin token is who the case history and the audit log name.
      assert.equal((await as(collector, lead, 'PUT', `/api/cases/${p.responseId}`, { state: 'contacted', note: 'Replacement sent', by: 'someone else' })).status, 200);
      const history = (await adminApi(collector, 'GET', `/api/cases/${p.responseId}`)).json.history;
      assert.equal(history.at(-1).by, 'lead');
      const jsonl = await fetch(`${collector.url}/api/export.jsonl?survey=privacy-nps`, { headers: { Authorization: `Bearer ${lead}` } });
      assert.equal(jsonl.status, 200);
      assert.equal((await jsonl.text()).trim().split('\n').length, 2);
      const csv = await fetch(`${collector.url}/api/export.csv?survey=privacy-nps&hidden.order_id=A-5005`, { headers: { Authorization: `Bearer ${lead}` } });
      assert.equal(csv.status, 200);
      assert.match(await csv.text(), /A-5005/);
      const audit = (await adminApi(collector, 'GET', '/api/audit')).json.items;
      assert.deepEqual(audit[0], { ...audit[0], actor: 'lead', action: 'export', target: '/api/export.csv' });
      assert.deepEqual(audit[0].detail.filters, ['hidden.order_id']);
      assert.deepEqual(audit[1], { ...audit[1], actor: 'lead', action: 'export', target: '/api/export.jsonl' });
      // The log holds no customer's data: not the order number the export was filtered by.
      assert.ok(!JSON.stringify(audit).includes('A-5005'));
      assert.ok(audit.some((e) => e.action === 'token.create' && e.target === 'analyst' && e.actor.startsWith('cli:') && e.detail.role === 'viewer'));
      assert.ok(audit.some((e) => e.action === 'publish' && e.target === '/api/surveys/privacy-nps' && e.actor === 'admin-token'));
      const listed = (await adminApi(collector, 'GET', '/api/tokens')).json.tokens;
      assert.deepEqual(listed.map((t) => [t.name, t.role, t.revokedAt]), [['analyst', 'viewer', null], ['lead', 'admin', null]]);
      assert.ok(!JSON.stringify(listed).includes('hash'));

      assert.equal(cli(db, 'token', 'revoke', 'analyst').status, 0);
      await until('the revoked token to stop working', async () => (await as(collector, viewer, 'GET', '/api/summary?survey=privacy-nps')).status === 401);
      assert.equal(cli(db, 'token', 'revoke', 'analyst').status, 1);
    });

    test('retention deletes old responses and keeps every figure of their days exact', async () => {
      const rdb = await stores.make[kind]('retention');
      const flags = ['--max-backdate-days', '400', '--close-after-per-client', '1000'];
      const first = await startCollector(rdb, flags);
      assert.equal((await admin(first, '/api/surveys/privacy-nps', { ...survey, closeAfter: 100000 })).status, 201);
      assert.equal((await publishSite(first, ['privacy-nps'])).status, 201);
      const old = [];
      for (let i = 0; i < 24; i++) {
        const segment = i % 3 ? 'regular' : 'vip';
        const p = answer({
          visitorId: `v-${i % 7}`,
          status: i % 5 ? 'complete' : 'partial',
          answers: { nps: i % 11, ...(i % 2 ? { why: `Parcel note ${i}` } : {}) },
          hidden: { segment, order_id: `A-${i}` },
          locale: i % 4 ? 'en' : 'de',
          startedAt: at((40 + (i % 6)) * day + 60000),
          submittedAt: at((40 + (i % 6)) * day),
        });
        old.push(p);
        assert.equal((await post(first.url, p)).status, 201);
      }
      const recent = [];
      for (let i = 0; i < 6; i++) {
        const p = answer({ visitorId: `v-${i}`, answers: { nps: 10 - i, why: 'Parcel fine' }, startedAt: at(2 * day + 60000), submittedAt: at(2 * day) });
        recent.push(p);
        assert.equal((await post(first.url, p)).status, 201);
      }
      const range = `from=${at(60 * day).slice(0, 10)}&to=${at(0).slice(0, 10)}`;
      const queries = [range, `${range}&segment=vip`, `${range}&category=detractor`, `${range}&locale=de`, `${range}&status=partial`];
      const before = [];
      for (const q of queries) before.push((await adminApi(first, 'GET', `/api/summary?survey=privacy-nps&${q}`)).json);
      assert.equal(before[0].responses.total, 30);
      await first.stop();

      const second = await startCollector(rdb, [...flags, '--retention-days', '30']);
      try {
        await until('the old days to be aggregated', async () => (await exported(second, 'privacy-nps')).length === recent.length);
        for (const [i, q] of queries.entries()) {
          const now = (await adminApi(second, 'GET', `/api/summary?survey=privacy-nps&${q}`)).json;
          assert.ok(now.retention.aggregated > 0, q);
          delete now.retention;
          assert.deepEqual(now, before[i], q);
        }
        // closeAfter still counts every complete response those days had.
        const complete = [...old, ...recent].filter((p) => p.status === 'complete').length;
        // (Counted in the background, just after retention ran.)
        const count = () => fetch(`${second.url}/api/responses/counts?surveys=privacy-nps`).then((r) => r.json());
        await until(`a count of ${complete}`, async () => (await count())['privacy-nps'] === complete, 8000);
        // Their words went with them.
        const words = (await adminApi(second, 'GET', '/api/comments?survey=privacy-nps&q=parcel')).json.items;
        assert.deepEqual(words.map((c) => c.responseId).sort(), recent.map((p) => p.responseId).sort());
        // A hidden-field filter cannot see aggregated days, and says how many it left out.
        const hidden = (await adminApi(second, 'GET', `/api/summary?survey=privacy-nps&${range}&hidden.segment=vip`)).json;
        assert.equal(hidden.retention.leftOut, old.length);
        // An old response sent again would be counted twice: refused.
        const late = await post(second.url, { ...old[3], status: 'complete' });
        assert.equal(late.status, 410);
        assert.equal(late.json.errors[0].code, 'past_retention');
      } finally {
        await second.stop();
      }
    });
  });
}
