// Follow-up cases over real HTTP, on SQLite and PostgreSQL: an alert's rule opens a case in the
// response's own transaction (and a withdrawn alert takes an untouched one away), anyone opens
// one on any response, assigns it and moves it on with notes kept in its history; the inbox
// lists by state and assignee with paging, shows the consented contact address, and counts the
// detractors who answered again and scored higher.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminApi, payload, post, startCollector } from './collector.mjs';
import { backends } from './postgres.mjs';
import { startReceiver } from './receiver.mjs';

const dir = mkdtempSync(join(tmpdir(), 'sondar-cases-'));
const stores = backends(dir);
after(() => {
  stores.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const later = (p, seconds) => new Date(Date.parse(p.submittedAt) + seconds * 1000).toISOString();

for (const kind of ['sqlite', 'postgres']) {
  describe(`cases (${kind})`, () => {
    let collector;
    let receiver;
    before(async () => {
      receiver = await startReceiver();
      collector = await startCollector(await stores.make[kind]('cases'), ['--allow-private-webhooks']);
      const hook = await adminApi(collector, 'POST', '/api/webhooks', {
        url: `${receiver.url}/c`, surveys: ['order-nps'], when: { question: 'nps', op: 'lte', value: 6 },
      });
      assert.equal(hook.status, 201);
    });
    after(async () => {
      await collector?.stop();
      await receiver?.close();
    });

    test('an alert opens a case; a promoter gets none; a withdrawn alert takes its untouched case away', async () => {
      assert.equal((await fetch(`${collector.url}/api/cases?survey=order-nps`)).status, 401);
      const unhappy = payload({ visitorId: 'v-unhappy', answers: { nps: 2, why: 'Parcel lost' }, hidden: { order_id: 'A-9', segment: 'vip' } });
      const happy = payload({ visitorId: 'v-happy', answers: { nps: 10 } });
      const wavering = payload({ visitorId: 'v-wavering', status: 'partial', answers: { nps: 4 } });
      for (const p of [unhappy, happy, wavering]) assert.equal((await post(collector.url, p)).status, 201);
      let inbox = (await adminApi(collector, 'GET', '/api/cases?survey=order-nps')).json;
      assert.deepEqual(inbox.items.map((c) => c.responseId).sort(), [unhappy.responseId, wavering.responseId].sort());
      const c = inbox.items.find((x) => x.responseId === unhappy.responseId);
      assert.equal(c.state, 'open');
      assert.equal(c.source, 'alert');
      assert.equal(c.assignee, '');
      assert.deepEqual(c.comments.map((x) => x.text), ['Parcel lost']);
      assert.equal(c.hidden.segment, 'vip');
      assert.equal(c.scores.nps.category, 'detractor');
      assert.equal(c.contact, null);
      assert.deepEqual(inbox.counts, { open: 2, contacted: 0, resolved: 0 });
      // The wavering visitor completes with a 9: the held alert and its case go.
      assert.equal((await post(collector.url, { ...wavering, status: 'complete', answers: { nps: 9 }, submittedAt: later(wavering, 1) })).status, 200);
      inbox = (await adminApi(collector, 'GET', '/api/cases?survey=order-nps')).json;
      assert.deepEqual(inbox.items.map((x) => x.responseId), [unhappy.responseId]);
    });

    test('assign, contact, resolve with notes: the history keeps who did what; filters and paging', async () => {
      const p = payload({ visitorId: 'v-work', answers: { nps: 1, why: 'Broken on arrival' } });
      assert.equal((await post(collector.url, p)).status, 201);
      const path = `/api/cases/${p.responseId}`;
      let r = await adminApi(collector, 'PUT', path, { assignee: 'Ana', by: 'Ben' });
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.equal(r.json.assignee, 'Ana');
      r = await adminApi(collector, 'PUT', path.toUpperCase().replace('/API/CASES/', '/api/cases/'), { state: 'contacted', note: 'Called; a new one ships today', by: 'Ana' });
      assert.equal(r.status, 200);
      assert.equal(r.json.state, 'contacted');
      assert.equal(r.json.notes, 1);
      r = await adminApi(collector, 'PUT', path, { state: 'resolved', by: 'Ana' });
      const full = (await adminApi(collector, 'GET', path)).json;
      assert.deepEqual(full.history.map(({ at, ...h }) => h), [
        { by: 'Ben', assignee: 'Ana' },
        { by: 'Ana', state: 'contacted', note: 'Called; a new one ships today' },
        { by: 'Ana', state: 'resolved' },
      ]);
      assert.equal(full.state, 'resolved');
      const resolved = (await adminApi(collector, 'GET', '/api/cases?survey=order-nps&state=resolved')).json;
      assert.deepEqual(resolved.items.map((c) => c.responseId), [p.responseId]);
      const ana = (await adminApi(collector, 'GET', '/api/cases?survey=order-nps&assignee=Ana')).json;
      assert.deepEqual(ana.items.map((c) => c.responseId), [p.responseId]);
      const nobody = (await adminApi(collector, 'GET', '/api/cases?survey=order-nps&assignee=')).json;
      assert.ok(nobody.items.every((c) => c.assignee === ''));
      // Paging one at a time walks every case once, newest first.
      const all = (await adminApi(collector, 'GET', '/api/cases?survey=order-nps&limit=100')).json.items.map((c) => c.responseId);
      const walked = [];
      let cursor = '';
      do {
        const page = (await adminApi(collector, 'GET', `/api/cases?survey=order-nps&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).json;
        walked.push(...page.items.map((c) => c.responseId));
        cursor = page.next;
      } while (cursor);
      assert.deepEqual(walked, all);
      assert.ok(all.length >= 2);
    });

    test('any response can be followed up; bad changes are refused at their member', async () => {
      const happy = payload({ visitorId: 'v-manual', answers: { nps: 8 } });
      assert.equal((await post(collector.url, happy)).status, 201);
      assert.equal((await adminApi(collector, 'GET', `/api/cases/${happy.responseId}`)).status, 404);
      const opened = await adminApi(collector, 'PUT', `/api/cases/${happy.responseId}`, { state: 'open', by: 'Ana' });
      assert.equal(opened.status, 201);
      assert.equal(opened.json.source, 'manual');
      assert.equal((await adminApi(collector, 'PUT', '/api/cases/00000000-0000-4000-8000-00000000dead', { state: 'open' })).status, 404);
      const bad = await adminApi(collector, 'PUT', `/api/cases/${happy.responseId}`, { state: 'closed', note: 'x'.repeat(4001) });
      assert.equal(bad.status, 422);
      assert.deepEqual(bad.json.errors.map((e) => e.path).sort(), ['note', 'state']);
      assert.equal((await adminApi(collector, 'PUT', `/api/cases/${happy.responseId}`, '{"state":')).status, 400);
      assert.equal((await adminApi(collector, 'GET', '/api/cases?survey=order-nps&state=closed')).status, 400);
      assert.equal((await adminApi(collector, 'GET', '/api/cases?survey=nope')).status, 404);
      assert.equal((await adminApi(collector, 'GET', '/api/cases?survey=order-nps&cursor=junk')).status, 400);
    });

    test('the contact address given with consent is shown; the recovered figure counts detractors who came back happier', async () => {
      const contact = payload({
        surveyId: 'options-contact', visitorId: 'v-contact', hidden: {},
        answers: { source: 'friend', contact: { consent: true, email: 'ana@example.com' } },
      });
      assert.equal((await post(collector.url, contact)).status, 201);
      const opened = await adminApi(collector, 'PUT', `/api/cases/${contact.responseId}`, { state: 'open' });
      assert.equal(opened.json.contact, 'ana@example.com');
      // v-back: a 3, then a 9 a day later. v-again: a 2, then a 1.
      const first = payload({ visitorId: 'v-back', answers: { nps: 3 } });
      const second = payload({ visitorId: 'v-back', answers: { nps: 9 }, submittedAt: later(first, 60) });
      const third = payload({ visitorId: 'v-again', answers: { nps: 2 } });
      const fourth = payload({ visitorId: 'v-again', answers: { nps: 1 }, submittedAt: later(third, 60) });
      for (const p of [first, second, third, fourth]) assert.equal((await post(collector.url, p)).status, 201);
      const { recovered } = (await adminApi(collector, 'GET', '/api/cases?survey=order-nps')).json;
      assert.equal(recovered.answeredAgain, 2);
      assert.equal(recovered.recovered, 1);
      assert.equal(recovered.share, 0.5);
    });
  });
}
