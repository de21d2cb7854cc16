// Webhooks over real HTTP: the admin API (contract routes, errors at their paths), deliveries
// to a real receiver on 127.0.0.1 signed per Standard Webhooks (checked by the `standardwebhooks`
// package, not by our code), one alert per response through partial -> complete, retries through
// refusals, 5xx and a receiver too slow to answer, dead letters and their replay, kill -9 with
// deliveries pending, two collectors on one PostgreSQL database sending each delivery once, and
// the address checks that keep webhooks off private networks.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminApi, exported, payload, post, startCollector, until } from './collector.mjs';
import { backends } from './postgres.mjs';
import { startReceiver } from './receiver.mjs';

const { Webhook } = createRequire(new URL('../../web/package.json', import.meta.url))('standardwebhooks');

const dir = mkdtempSync(join(tmpdir(), 'sondar-webhooks-'));
const stores = backends(dir);
after(() => {
  stores.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const detractors = { question: 'nps', op: 'lte', value: 6 };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function addWebhook(collector, definition) {
  const r = await adminApi(collector, 'POST', '/api/webhooks', definition);
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return r.json;
}

async function deliveries(collector, id, state = '') {
  const r = await adminApi(collector, 'GET', `/api/webhooks/${id}/deliveries${state ? `?state=${state}` : ''}`);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return r.json.deliveries;
}

/** Verifies a received request with the standardwebhooks package; returns its parsed body. */
function verified(secret, request) {
  return new Webhook(secret).verify(request.body, {
    'webhook-id': request.headers['webhook-id'],
    'webhook-timestamp': request.headers['webhook-timestamp'],
    'webhook-signature': request.headers['webhook-signature'],
  });
}

const detractor = (over = {}) => payload({ answers: { nps: 3, why: 'Late again' }, hidden: { order_id: 'A-7', segment: 'vip' }, ...over });

for (const kind of ['sqlite', 'postgres']) {
  describe(`webhooks (${kind})`, () => {
    let collector;
    let receiver;
    before(async () => {
      receiver = await startReceiver();
      collector = await startCollector(await stores.make[kind]('hooks'), [
        '--allow-private-webhooks', '--alert-partial-after', '0.05', '--webhook-first-retry', '0.2',
        '--webhook-timeout', '1',
      ]);
    });
    after(async () => {
      await collector?.stop();
      await receiver?.close();
    });

    test('the admin API: create (secret once), list, errors at their paths, the token required', async () => {
      const unauthorized = await fetch(`${collector.url}/api/webhooks`);
      assert.equal(unauthorized.status, 401);
      const made = await addWebhook(collector, { url: `${receiver.url}/a`, when: detractors, template: 'json', surveys: ['order-nps'] });
      assert.match(made.id, /^wh_[0-9a-f]{32}$/);
      assert.match(made.secret, /^whsec_[A-Za-z0-9+/]{32}$/);
      const listed = (await adminApi(collector, 'GET', '/api/webhooks')).json.webhooks.find((w) => w.id === made.id);
      assert.deepEqual(listed.when, detractors);
      assert.deepEqual(listed.surveys, ['order-nps']);
      assert.equal(listed.template, 'json');
      assert.equal(listed.disabled, false);
      assert.equal(listed.secret, undefined, 'the secret is shown once, when it is made');
      const bad = await adminApi(collector, 'POST', '/api/webhooks', {
        url: 'ftp://x.example/', template: 'teams', surveys: ['order-nps'],
        when: { any: [{ question: 'nps', op: 'lte', value: 6 }, { question: 'nope', op: 'answered' }] },
      });
      assert.equal(bad.status, 422);
      assert.deepEqual(bad.json.errors.map((e) => e.path).sort(), ['template', 'when.any[1].question']);
      const url = await adminApi(collector, 'POST', '/api/webhooks', { url: 'ftp://x.example/', when: detractors });
      assert.equal(url.status, 422);
      assert.equal(url.json.errors[0].path, 'url');
      const notJson = await fetch(`${collector.url}/api/webhooks`, { method: 'POST', headers: collector.auth, body: '{"url":' });
      assert.equal(notJson.status, 400);
      assert.equal((await adminApi(collector, 'DELETE', `/api/webhooks/${made.id}`)).status, 204);
      assert.equal((await adminApi(collector, 'DELETE', `/api/webhooks/${made.id}`)).status, 404);
      assert.equal((await adminApi(collector, 'GET', `/api/webhooks/${made.id}/deliveries`)).status, 404);
    });

    test('a detractor is delivered once, signed, with the stored response and the rule; a promoter is not', async () => {
      const hook = await addWebhook(collector, { url: `${receiver.url}/json`, when: detractors, template: 'json', surveys: ['order-nps'] });
      const start = receiver.received.length;
      const bad = detractor();
      const good = payload({ answers: { nps: 10 } });
      assert.equal((await post(collector.url, good)).status, 201);
      assert.equal((await post(collector.url, bad)).status, 201);
      await receiver.waitFor((r) => r.slice(start).some((x) => x.headers['webhook-id']));
      await sleep(1500); // time for anything that should not come
      const mine = receiver.received.slice(start).filter((x) => x.body.includes(hook.id));
      assert.equal(mine.length, 1);
      const body = verified(hook.secret, mine[0]);
      assert.equal(body.type, 'response.alert');
      assert.equal(body.response.responseId, bad.responseId);
      assert.equal(body.response.answers.nps, 3);
      assert.equal(body.response.scores.nps.category, 'detractor');
      assert.deepEqual(body.rule.when, detractors);
      assert.match(body.link, new RegExp(`/workspace/\\?view=responses&survey=order-nps&response=${bad.responseId}$`));
      assert.match(mine[0].headers['webhook-id'], /^msg_/);
      // A forged body fails the same check.
      assert.throws(() => verified(hook.secret, { ...mine[0], body: mine[0].body.replace('"nps":3', '"nps":9') }));
      const [d] = await deliveries(collector, hook.id);
      assert.equal(d.state, 'delivered');
      assert.equal(d.responseId, bad.responseId);
      assert.equal(d.id, mine[0].headers['webhook-id']);
      assert.equal(d.attempts, 1);
      assert.equal(d.lastStatus, 200);
      const listed = (await adminApi(collector, 'GET', '/api/webhooks')).json.webhooks.find((w) => w.id === hook.id);
      assert.ok(listed.lastSuccessAt);
      assert.equal((await adminApi(collector, 'DELETE', `/api/webhooks/${hook.id}`)).status, 204);
    });

    test('partial then complete gives one alert; a held partial is sent when its time is up; a changed score withdraws it', async () => {
      const hook = await addWebhook(collector, { url: `${receiver.url}/held`, when: detractors, surveys: ['order-nps'] });
      const mine = () => receiver.received.filter((x) => x.body.includes(hook.id)).map((x) => verified(hook.secret, x));
      // 1. partial, then complete within the hold (3 s): one alert, of the complete version.
      const first = detractor({ status: 'partial', answers: { nps: 3 } });
      assert.equal((await post(collector.url, first)).status, 201);
      const completed = { ...first, status: 'complete', answers: { nps: 3, why: 'Late again' }, submittedAt: new Date(Date.now() + 1000).toISOString() };
      assert.equal((await post(collector.url, completed)).status, 200);
      // 2. a partial nobody finishes: sent after the hold, as it is.
      const abandoned = detractor({ status: 'partial', answers: { nps: 1 } });
      assert.equal((await post(collector.url, abandoned)).status, 201);
      // 3. a partial whose score then changes: nothing.
      const changed = detractor({ status: 'partial', answers: { nps: 2 } });
      assert.equal((await post(collector.url, changed)).status, 201);
      assert.equal((await post(collector.url, { ...changed, status: 'complete', answers: { nps: 9 }, submittedAt: new Date(Date.now() + 1000).toISOString() })).status, 200);
      await until('the abandoned partial', () => mine().some((b) => b.response.responseId === abandoned.responseId), 15000);
      await sleep(1000);
      const got = mine();
      assert.deepEqual(got.map((b) => b.response.responseId).sort(), [first.responseId, abandoned.responseId].sort());
      assert.equal(got.find((b) => b.response.responseId === first.responseId).response.status, 'complete');
      assert.equal(got.find((b) => b.response.responseId === abandoned.responseId).response.status, 'partial');
      // A later version of a response already alerted sends nothing more.
      await post(collector.url, { ...abandoned, status: 'complete', submittedAt: new Date(Date.now() + 2000).toISOString() });
      await sleep(1500);
      assert.equal(mine().length, 2);
      assert.equal((await adminApi(collector, 'DELETE', `/api/webhooks/${hook.id}`)).status, 204);
    });

    test('retries: refused, 503, too slow, then delivered under the same webhook-id; the first retry within 10 s', async () => {
      const hook = await addWebhook(collector, { url: `${receiver.url}/retry`, when: detractors });
      await receiver.down();
      const p = detractor();
      assert.equal((await post(collector.url, p)).status, 201);
      const refused = await until('a refused attempt', async () => (await deliveries(collector, hook.id)).find((d) => d.attempts >= 1));
      assert.equal(refused.state, 'pending');
      assert.ok(refused.lastError, 'the error is kept');
      await receiver.up();
      const start = receiver.received.length;
      receiver.plan.push({ status: 503 }, { delayMs: 2500 }); // then the default: 200
      await receiver.waitFor((r) => r.slice(start).filter((x) => x.body.includes(hook.id)).length >= 3, 40000);
      const attempts = receiver.received.slice(start).filter((x) => x.body.includes(hook.id));
      assert.equal(new Set(attempts.map((x) => x.headers['webhook-id'])).size, 1, 'one id across retries');
      for (const a of attempts) assert.equal(verified(hook.secret, a).response.responseId, p.responseId);
      assert.ok(attempts[1].at - attempts[0].at < 10000, `the retry after the 503 came ${attempts[1].at - attempts[0].at} ms later`);
      const d = await until('delivered', async () => (await deliveries(collector, hook.id)).find((x) => x.state === 'delivered'));
      assert.ok(d.attempts >= 4, `attempts ${d.attempts}`);
      assert.equal((await adminApi(collector, 'DELETE', `/api/webhooks/${hook.id}`)).status, 204);
    });

    test('slack: an incoming-webhook message with the score, the comment escaped, the segment and a link', async () => {
      const hook = await addWebhook(collector, { url: `${receiver.url}/slack`, when: { category: 'nps', op: 'eq', value: 'detractor' }, template: 'slack' });
      const p = detractor({ answers: { nps: 2, why: '<!channel> it broke' } });
      assert.equal((await post(collector.url, p)).status, 201);
      await receiver.waitFor((r) => r.some((x) => x.headers['webhook-id'] && x.body.includes('channel') && verifiedOr(hook.secret, x)));
      const message = receiver.received.filter((x) => verifiedOr(hook.secret, x)).map((x) => JSON.parse(x.body)).at(-1);
      const section = message.blocks[0].text.text;
      assert.match(section, /\*NPS 2\* \(detractor\)/);
      assert.match(section, /&lt;!channel&gt; it broke/);
      assert.doesNotMatch(section, /<!channel>/);
      assert.match(message.blocks[1].elements[0].text, /segment: vip/);
      assert.match(message.blocks[1].elements[0].text, /\|Open in the workspace>/);
      assert.equal((await adminApi(collector, 'DELETE', `/api/webhooks/${hook.id}`)).status, 204);
    });
  });
}

/** Whether the request verifies under `secret`. */
function verifiedOr(secret, request) {
  try {
    verified(secret, request);
    return true;
  } catch {
    return false;
  }
}

test('dead letters: a delivery failing past its retry window is dead, listed, and sent again on retry', async () => {
  const receiver = await startReceiver();
  receiver.otherwise = { status: 500 };
  // Retried for 1.8 s: 0.2 s, then 0.8 s, then the next would be past the window.
  const collector = await startCollector(stores.make.sqlite('dead'), ['--allow-private-webhooks', '--webhook-first-retry', '0.2', '--webhook-retry-for', '0.0005']);
  try {
    const hook = await addWebhook(collector, { url: `${receiver.url}/dead`, when: detractors });
    const p = detractor();
    assert.equal((await post(collector.url, p)).status, 201);
    const dead = await until('a dead delivery', async () => (await deliveries(collector, hook.id, 'dead'))[0]);
    assert.equal(dead.responseId, p.responseId);
    assert.equal(dead.lastStatus, 500);
    assert.match(dead.lastError, /500/);
    assert.equal(dead.nextAttemptAt, null);
    assert.ok(dead.attempts >= 2);
    receiver.otherwise = { status: 200 };
    assert.equal((await adminApi(collector, 'POST', `/api/webhooks/${hook.id}/deliveries/nope/retry`)).status, 404);
    const retried = await adminApi(collector, 'POST', `/api/webhooks/${hook.id}/deliveries/${dead.id}/retry`);
    assert.equal(retried.status, 202);
    const delivered = await until('the replay', async () => (await deliveries(collector, hook.id, 'delivered'))[0]);
    assert.equal(delivered.id, dead.id);
    const ids = new Set(receiver.received.map((x) => x.headers['webhook-id']));
    assert.deepEqual([...ids], [dead.id], 'the replay keeps the id');
  } finally {
    await collector.stop();
    await receiver.close();
  }
});

test('an endpoint failing past --webhook-disable-after is disabled; a retry enables it for good', async () => {
  const receiver = await startReceiver();
  receiver.otherwise = { status: 500 };
  // Disabled after 2.6 s of failing without a success.
  const collector = await startCollector(stores.make.sqlite('disable'), ['--allow-private-webhooks', '--webhook-first-retry', '0.2', '--webhook-disable-after', '0.00003']);
  try {
    const hook = await addWebhook(collector, { url: `${receiver.url}/off`, when: detractors });
    assert.equal((await post(collector.url, detractor())).status, 201);
    const disabled = await until('disabled', async () => (await adminApi(collector, 'GET', '/api/webhooks')).json.webhooks.find((w) => w.id === hook.id && w.disabled), 15000);
    assert.ok(disabled.failingSince && disabled.disabledAt);
    assert.ok(disabled.failures >= 2);
    // Nothing more is sent to it while it is disabled.
    const sent = receiver.received.length;
    await sleep(1500);
    assert.equal(receiver.received.length, sent);
    const [d] = await deliveries(collector, hook.id);
    assert.equal(d.state, 'pending');
    // Fixed, but its first answer after the retry still fails: it stays enabled and retries.
    receiver.plan.push({ status: 500 });
    receiver.otherwise = { status: 200 };
    assert.equal((await adminApi(collector, 'POST', `/api/webhooks/${hook.id}/deliveries/${d.id}/retry`)).status, 202);
    const delivered = await until('delivered', async () => (await deliveries(collector, hook.id, 'delivered'))[0], 15000);
    assert.equal(delivered.attempts, 2, 'a fresh schedule: the failure after the retry, then the success');
    const enabled = (await adminApi(collector, 'GET', '/api/webhooks')).json.webhooks.find((w) => w.id === hook.id);
    assert.equal(enabled.disabled, false);
    assert.equal(enabled.failingSince, null);
    assert.ok(enabled.lastSuccessAt);
  } finally {
    await collector.stop();
    await receiver.close();
  }
});

test('defaults: the first retry comes within 10 s', async () => {
  const receiver = await startReceiver();
  receiver.plan.push({ status: 503 });
  const collector = await startCollector(stores.make.sqlite('defaults'), ['--allow-private-webhooks']);
  try {
    const hook = await addWebhook(collector, { url: `${receiver.url}/d`, when: detractors });
    assert.equal((await post(collector.url, detractor())).status, 201);
    await receiver.waitFor((r) => r.length >= 2, 15000);
    const gap = receiver.received[1].at - receiver.received[0].at;
    assert.ok(gap >= 3000 && gap < 10000, `the first retry came after ${gap} ms`);
    assert.equal(receiver.received[0].headers['webhook-id'], receiver.received[1].headers['webhook-id']);
    await until('delivered', async () => (await deliveries(collector, hook.id, 'delivered')).length === 1);
  } finally {
    await collector.stop();
    await receiver.close();
  }
});

test('kill -9 with deliveries pending: after a restart every stored detractor is alerted, under one id each', async () => {
  const db = stores.make.sqlite('killed');
  const receiver = await startReceiver();
  await receiver.down();
  const flags = ['--allow-private-webhooks', '--webhook-first-retry', '0.2', '--webhook-timeout', '1'];
  const first = await startCollector(db, flags);
  const hook = await addWebhook(first, { url: `${receiver.url}/k`, when: detractors });
  const acknowledged = new Set();
  let stop = false;
  const clients = Array.from({ length: 4 }, async () => {
    while (!stop) {
      const p = detractor();
      try {
        const r = await post(first.url, p);
        if (r.status === 201) acknowledged.add(p.responseId);
      } catch {}
    }
  });
  await sleep(1200);
  first.process.kill('SIGKILL');
  stop = true;
  await Promise.all(clients);
  assert.ok(acknowledged.size > 5, `only ${acknowledged.size} posts before the kill`);
  await receiver.up();
  const second = await startCollector(db, flags);
  try {
    const stored = new Set((await exported(second, 'order-nps')).map((r) => r.responseId));
    for (const id of acknowledged) assert.ok(stored.has(id), `acknowledged ${id} is stored`);
    const alerted = () => {
      const byResponse = new Map();
      for (const x of receiver.received) {
        const body = verified(hook.secret, x);
        byResponse.set(body.response.responseId, (byResponse.get(body.response.responseId) || new Set()).add(x.headers['webhook-id']));
      }
      return byResponse;
    };
    await until('every stored response alerted', () => alerted().size === stored.size, 30000);
    for (const [id, ids] of alerted()) {
      assert.ok(stored.has(id), 'no alert for a response that was not stored');
      assert.equal(ids.size, 1, `one webhook-id for ${id}`);
    }
  } finally {
    await second.stop();
    await receiver.close();
  }
});

test('two collectors on one PostgreSQL database send each delivery once', async () => {
  const db = await stores.make.postgres('two_senders');
  const receiver = await startReceiver();
  // A slow receiver widens the window in which both collectors look for due deliveries.
  receiver.otherwise = { status: 200, delayMs: 50 };
  const flags = ['--allow-private-webhooks'];
  const a = await startCollector(db, flags);
  const b = await startCollector(db, flags);
  try {
    const hook = await addWebhook(a, { url: `${receiver.url}/two`, when: detractors });
    await sleep(2500); // b reads the rules every 2 s
    const posted = [];
    for (let i = 0; i < 40; i++) {
      const p = detractor();
      posted.push(p.responseId);
      assert.equal((await post(i % 2 ? a.url : b.url, p)).status, 201);
    }
    await receiver.waitFor((r) => new Set(r.map((x) => x.headers['webhook-id'])).size >= 40, 30000);
    await sleep(2000);
    const bodies = receiver.received.map((x) => verified(hook.secret, x));
    assert.deepEqual(bodies.map((x) => x.response.responseId).sort(), [...posted].sort(), 'each response once');
    assert.equal(receiver.received.length, 40, 'no delivery sent twice');
  } finally {
    await a.stop();
    await b.stop();
    await receiver.close();
  }
});

test('private targets: refused by URL without --allow-private-webhooks, and by address after DNS', async () => {
  const receiver = await startReceiver();
  const collector = await startCollector(stores.make.sqlite('public-only'));
  try {
    for (const url of [`${receiver.url}/x`, 'https://127.0.0.1/x', 'https://[::1]/x', 'https://10.1.2.3/x', 'https://169.254.169.254/latest', 'https://user:pw@hooks.example/']) {
      const r = await adminApi(collector, 'POST', '/api/webhooks', { url, when: detractors });
      assert.equal(r.status, 422, url);
      assert.equal(r.json.errors[0].path, 'url');
    }
    // A name is judged by the address it resolves to, when the delivery connects.
    const hook = await addWebhook(collector, { url: `https://localhost:${new URL(receiver.url).port}/x`, when: detractors });
    assert.equal((await post(collector.url, detractor())).status, 201);
    const failed = await until('a refused attempt', async () => (await deliveries(collector, hook.id)).find((d) => d.attempts >= 1));
    assert.match(failed.lastError, /not a public address/);
    assert.equal(receiver.received.length, 0);
  } finally {
    await collector.stop();
    await receiver.close();
  }
});
