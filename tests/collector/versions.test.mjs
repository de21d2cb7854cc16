// Publishing and versions over real HTTP, on a real SQLite file and a real PostgreSQL server:
// the collector assigns version numbers, keeps every version, refuses a publish made over
// another one (412), validates each response against the version it names and summarises every
// version (apart where questions changed shape). Two collectors on one PostgreSQL database see
// each other's publishes.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { admin, fixtureSurveys, payload, post, publishSite, startCollector } from './collector.mjs';
import { backends } from './postgres.mjs';

const dir = mkdtempSync(join(tmpdir(), 'sondar-versions-'));
const stores = backends(dir);
after(() => {
  stores.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const fixture = JSON.parse(readFileSync(join(fixtureSurveys, 'order_nps.json'), 'utf8'));
/** order-nps as the fixture has it, changed by `edit`. */
function orderNps(edit = (s) => s) {
  return edit(structuredClone(fixture));
}
const reworded = (s) => ((s.questions[0].prompt.en = 'Would you recommend us?'), s);
const newOptions = (s) => ((s.questions[2].options[2] = { id: 'returns', label: 'Returns' }), s);

async function summary(collector) {
  const res = await fetch(`${collector.url}/api/summary?survey=order-nps`, { headers: collector.auth });
  assert.equal(res.status, 200);
  return res.json();
}

async function versions(collector, path = '/api/surveys/order-nps/versions') {
  const res = await fetch(`${collector.url}${path}`, { headers: collector.auth });
  assert.equal(res.status, 200);
  return res.json();
}

for (const [backend, database] of Object.entries(stores.make)) describe(backend, () => {
  test('publish: the collector numbers versions, 428 without If-Match, 412 over a newer one, 422 at the path', async () => {
    const collector = await startCollector(await database('publish'));
    try {
      const imported = fixture.version;
      assert.deepEqual((await versions(collector)).map((v) => [v.version, v.source]), [[imported, 'import']]);
      // The body's version is ignored: the next number is the collector's.
      const missing = await admin(collector, '/api/surveys/order-nps', { ...orderNps(reworded), version: 99 });
      assert.equal(missing.status, 428);
      assert.equal(missing.json.errors[0].code, 'precondition_required');
      const first = await admin(collector, '/api/surveys/order-nps', { ...orderNps(reworded), version: 99 }, { ifMatch: imported });
      assert.equal(first.status, 201);
      assert.deepEqual(first.json, { id: 'order-nps', version: imported + 1 });
      // A second tab, edited from the same version, publishes after the first: nothing is overwritten.
      const late = await admin(collector, '/api/surveys/order-nps', orderNps(newOptions), { ifMatch: imported });
      assert.equal(late.status, 412);
      assert.equal(late.json.errors[0].code, 'version_conflict');
      assert.equal(late.json.latest, imported + 1);
      const stored = await fetch(`${collector.url}/api/surveys/order-nps/versions/${imported + 1}`, { headers: collector.auth });
      assert.equal((await stored.json()).questions[0].prompt.en, 'Would you recommend us?');
      // The core's errors, with their paths.
      const bad = orderNps();
      bad.questions[0].type = 'stars';
      bad.endings[2].link.url = '/\\evil.example/x';
      const invalid = await admin(collector, '/api/surveys/order-nps', bad, { ifMatch: imported + 1 });
      assert.equal(invalid.status, 422);
      const paths = invalid.json.errors.map((e) => e.path);
      assert.ok(paths.includes('questions[0].type'), paths.join(', '));
      assert.ok(paths.includes('endings[2].link.url'), paths.join(', '));
      assert.ok(invalid.json.errors.every((e) => e.code && e.message));
      const otherId = await admin(collector, '/api/surveys/order-nps', { ...orderNps(), id: 'other' }, { ifMatch: imported + 1 });
      assert.equal(otherId.status, 422);
      assert.equal(otherId.json.errors[0].path, 'id');
      assert.equal((await admin(collector, '/api/surveys/order-nps', '{"schema":', { ifMatch: imported + 1 })).status, 400);
      // A survey may be larger than a response (up to 256 KiB), but only with the token: anyone
      // else's body stops at 64 KiB before it is read.
      const big = { ...orderNps(), 'x-notes': 'n'.repeat(150 * 1024) };
      assert.equal((await admin({ ...collector, auth: {} }, '/api/surveys/order-nps', big, { ifMatch: imported + 1 })).status, 413);
      const large = await admin(collector, '/api/surveys/order-nps', big, { ifMatch: imported + 1 });
      assert.equal(large.status, 201, JSON.stringify(large.json));
      // A new survey starts at version 1; without the token nothing is published.
      const fresh = { ...orderNps(), id: 'fresh-nps' };
      assert.equal((await admin({ ...collector, auth: {} }, '/api/surveys/fresh-nps', fresh)).status, 401);
      assert.deepEqual((await admin(collector, '/api/surveys/fresh-nps', fresh)).json, { id: 'fresh-nps', version: 1 });
    } finally {
      await collector.stop();
    }
  });

  test('rollback: a new version holding an old one\'s content; versions kept across a restart', async () => {
    const db = await database('rollback');
    let collector = await startCollector(db);
    const v = fixture.version;
    try {
      assert.equal((await admin(collector, '/api/surveys/order-nps', orderNps(reworded), { ifMatch: v })).status, 201);
      const rolled = await admin(collector, '/api/surveys/order-nps/rollback', { version: v }, { method: 'POST' });
      assert.equal(rolled.status, 201);
      assert.deepEqual(rolled.json, { id: 'order-nps', version: v + 2 });
      assert.equal((await admin(collector, '/api/surveys/order-nps/rollback', { version: 77 }, { method: 'POST' })).status, 404);
      assert.equal((await admin(collector, '/api/surveys/order-nps/rollback', { version: 'x' }, { method: 'POST' })).status, 422);
    } finally {
      await collector.stop();
    }
    // A restart with the same files adds nothing, and keeps every version.
    collector = await startCollector(db);
    try {
      const list = await versions(collector);
      assert.deepEqual(list.map((x) => [x.version, x.source, x.fromVersion]), [[v + 2, 'rollback', v], [v + 1, 'publish', v], [v, 'import', v]]);
      assert.ok(list.every((x) => !Number.isNaN(Date.parse(x.publishedAt))));
      // A browser publish since the last import stays over a restart with the unchanged file.
      assert.equal((await admin(collector, '/api/surveys/order-nps', orderNps(reworded), { ifMatch: v + 2 })).status, 201);
    } finally {
      await collector.stop();
    }
    collector = await startCollector(db);
    try {
      assert.equal((await versions(collector))[0].version, v + 3);
    } finally {
      await collector.stop();
    }
    // A changed file becomes a new version at start.
    const folder = join(dir, `changed-${backend}`);
    cpSync(fixtureSurveys, folder, { recursive: true });
    writeFileSync(join(folder, 'order_nps.json'), JSON.stringify(orderNps(newOptions)));
    collector = await startCollector(db, [], { surveys: folder });
    try {
      const [latest] = await versions(collector);
      assert.deepEqual([latest.version, latest.source], [v + 4, 'import']);
    } finally {
      await collector.stop();
    }
    // A rolling deploy: checkouts with the old and the new file restart in turns. Each content
    // was imported once; neither brings its own back over the other's.
    for (const surveys of [undefined, folder, undefined, folder]) {
      collector = await startCollector(db, [], surveys ? { surveys } : {});
      try {
        assert.equal((await versions(collector))[0].version, v + 4);
      } finally {
        await collector.stop();
      }
    }
    // A file with a lower version than an imported one is not imported, even with new content;
    // a higher one is.
    writeFileSync(join(folder, 'order_nps.json'), JSON.stringify({ ...orderNps(reworded), version: v - 1 }));
    collector = await startCollector(db, [], { surveys: folder });
    try {
      assert.equal((await versions(collector))[0].version, v + 4);
    } finally {
      await collector.stop();
    }
    writeFileSync(join(folder, 'order_nps.json'), JSON.stringify({ ...orderNps(reworded), version: v + 1 }));
    collector = await startCollector(db, [], { surveys: folder });
    try {
      const [latest] = await versions(collector);
      assert.deepEqual([latest.version, latest.source, latest.fromVersion], [v + 5, 'import', v + 1]);
    } finally {
      await collector.stop();
    }
  });

  test('a response begun on an old version is stored and counted after a publish; shapes apart', async () => {
    const collector = await startCollector(await database('mixed'));
    const v = fixture.version;
    try {
      const early = payload({ answers: { nps: 10 } });
      assert.equal((await post(collector.url, payload({ answers: { nps: 3 } }))).status, 201);
      // Same shape (wording), then a new option set: three versions, two shapes.
      assert.equal((await admin(collector, '/api/surveys/order-nps', orderNps(reworded), { ifMatch: v })).status, 201);
      assert.equal((await admin(collector, '/api/surveys/order-nps', orderNps(newOptions), { ifMatch: v + 1 })).status, 201);
      // Waiting in an outbox since before the publishes: still version v, still accepted.
      assert.equal((await post(collector.url, early)).status, 201);
      assert.equal((await post(collector.url, payload({ surveyVersion: v + 1, answers: { nps: 9 } }))).status, 201);
      const latest = payload({ surveyVersion: v + 2, answers: { nps: 2, area: ['returns'] } });
      assert.equal((await post(collector.url, latest)).status, 201);
      // Checked against the version named: "returns" is not an option of version v.
      const wrong = await post(collector.url, payload({ answers: { nps: 2, area: ['returns'] } }));
      assert.equal(wrong.status, 422);
      assert.equal(wrong.json.errors[0].path, 'answers.area[0]');
      const unknown = await post(collector.url, payload({ surveyVersion: v + 40 }));
      assert.equal(unknown.status, 422);
      assert.equal(unknown.json.errors[0].path, 'surveyVersion');

      const s = await summary(collector);
      assert.equal(s.surveyVersion, v + 2);
      assert.deepEqual(s.versions, [v + 2]);
      assert.equal(s.responses.total, 1);
      assert.equal(s.unreadable, 0);
      assert.equal(s.reportedApart.length, 1);
      assert.deepEqual(s.reportedApart[0].versions, [v + 1, v]);
      assert.equal(s.reportedApart[0].responses.total, 3);
      assert.equal(s.reportedApart[0].nps.promoters, 2);
    } finally {
      await collector.stop();
    }
  });

  test('public reads: only what the published manifest uses, without x- members, with ETag and 304', async () => {
    const collector = await startCollector(await database('public'));
    try {
      const noted = orderNps();
      noted['x-owner-note'] = 'ask legal before changing the wording';
      noted.questions[0]['x-draft'] = true;
      assert.equal((await admin(collector, '/api/surveys/order-nps', noted, { ifMatch: fixture.version })).status, 201);
      const missing = await fetch(`${collector.url}/api/surveys/order-nps.json`);
      const unknown = await fetch(`${collector.url}/api/surveys/no-such.json`);
      assert.deepEqual([missing.status, unknown.status], [404, 404]);
      assert.deepEqual(await missing.json(), await unknown.json());
      assert.equal((await fetch(`${collector.url}/api/site`)).status, 404);

      // A manifest may only name surveys published here.
      const bad = await publishSite(collector, ['order-nps', 'nowhere']);
      assert.equal(bad.status, 422);
      assert.equal(bad.json.errors[0].path, 'surveys[1].id');
      assert.equal((await publishSite(collector, ['order-nps'])).status, 201);
      assert.equal((await publishSite(collector, ['order-nps'])).status, 428);

      const res = await fetch(`${collector.url}/api/surveys/order-nps.json`);
      assert.equal(res.status, 200);
      const etag = res.headers.get('etag');
      assert.equal(etag, `"${fixture.version + 1}"`);
      assert.match(res.headers.get('cache-control'), /max-age=30\b/);
      const text = await res.text();
      assert.ok(!text.includes('x-owner-note') && !text.includes('x-draft'), text);
      assert.equal(JSON.parse(text).version, fixture.version + 1);
      const again = await fetch(`${collector.url}/api/surveys/order-nps.json`, { headers: { 'If-None-Match': etag } });
      assert.equal(again.status, 304);
      assert.equal(await again.text(), '');
      // The owner's copy keeps the notes.
      const own = await fetch(`${collector.url}/api/surveys/order-nps/versions/${fixture.version + 1}`, { headers: collector.auth });
      assert.equal((await own.json())['x-owner-note'], 'ask legal before changing the wording');
      // A survey left out of the manifest is no longer served; its responses still are taken.
      // The manifest's ETag: its version and the sum of its surveys' latest versions.
      const site = await fetch(`${collector.url}/api/site`);
      const siteTag = `"1.${fixture.version + 1}"`;
      assert.equal(site.headers.get('etag'), siteTag);
      assert.equal((await fetch(`${collector.url}/api/site`, { headers: { 'If-None-Match': siteTag } })).status, 304);
      assert.equal((await publishSite(collector, ['checkout-csat'], 1)).status, 201);
      assert.equal((await fetch(`${collector.url}/api/surveys/order-nps.json`)).status, 404);
      assert.equal((await fetch(`${collector.url}/api/surveys/checkout-csat.json`)).status, 200);
      assert.equal((await post(collector.url, payload())).status, 201);
      // A survey published but never on the site is a draft: to anonymous posts and counts it is
      // the same unknown survey as one that does not exist (the admin may still import to it).
      const draft = { ...orderNps(), id: 'draft-nps', closeAfter: 100 };
      assert.equal((await admin(collector, '/api/surveys/draft-nps', draft)).status, 201);
      const toDraft = await post(collector.url, payload({ surveyId: 'draft-nps', surveyVersion: 1 }));
      const toNothing = await post(collector.url, payload({ surveyId: 'nothing-here', surveyVersion: 1 }));
      assert.deepEqual([toDraft.status, toNothing.status], [422, 422]);
      assert.equal(toDraft.json.errors[0].code, 'unknown_survey');
      assert.equal(toDraft.json.errors[0].message.replace('draft-nps', 'X'), toNothing.json.errors[0].message.replace('nothing-here', 'X'));
      assert.equal((await post(collector.url, payload({ surveyId: 'draft-nps', surveyVersion: 1 }), collector.auth)).status, 201);
      // An entry's url must be where this collector serves its survey.
      const misled = await admin(collector, '/api/site', { schema: 'sondar.site/1', surveys: [{ id: 'order-nps', url: '/api/surveys/draft-nps.json' }] }, { ifMatch: 2 });
      assert.equal(misled.status, 422);
      assert.equal(misled.json.errors[0].path, 'surveys[0].url');
      const rolled = await admin(collector, '/api/site/rollback', { version: 1 }, { method: 'POST' });
      assert.deepEqual(rolled.json, { id: 'site', version: 3 });
      assert.equal((await fetch(`${collector.url}/api/surveys/order-nps.json`)).status, 200);
      assert.deepEqual((await versions(collector, '/api/site/versions')).map((x) => x.version), [3, 2, 1]);
    } finally {
      await collector.stop();
    }
  });

  test('a flood of posts naming versions nobody published: a bounded number of looks, then 503s to retry', async () => {
    // Without abuse limits, as from many addresses: the post rate limit does not hold them back.
    const collector = await startCollector(await database('flood'));
    try {
      const started = Date.now();
      const answers = await Promise.all(Array.from({ length: 120 }, () => post(collector.url, payload({ surveyVersion: 999 }))));
      const elapsed = Date.now() - started;
      const statuses = answers.map((a) => a.status);
      assert.ok(statuses.every((s) => s === 422 || s === 503), statuses.join(' '));
      const looked = statuses.filter((s) => s === 422).length;
      // 20 at once, then one per 50 ms (the answers say which: 422 after a look, 503 without one).
      assert.ok(looked <= 20 + Math.ceil(elapsed / 50) + 1, `${looked} looks in ${elapsed} ms`);
      const busy = answers.find((a) => a.status === 503);
      assert.ok(busy, `all 120 looked in ${elapsed} ms`);
      assert.equal(busy.json.errors[0].code, 'busy');
      assert.equal(busy.headers.get('retry-after'), '1');
      // Once the pace allows, the same post gets its final answer, at the version's path.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const later = await post(collector.url, payload({ surveyVersion: 999 }));
      assert.equal(later.status, 422);
      assert.equal(later.json.errors[0].path, 'surveyVersion');
    } finally {
      await collector.stop();
    }
  });

  test('the served manifest decides each survey by its latest published rules, with a new ETag', async () => {
    const collector = await startCollector(await database('rules'));
    try {
      // The manifest is published with a stale copy of the trigger (and no other rule).
      const stale = { schema: 'sondar.site/1', surveys: [{ id: 'order-nps', url: '/api/surveys/order-nps.json', priority: 3, trigger: { events: ['old_event'] } }] };
      assert.equal((await admin(collector, '/api/site', stale)).status, 201);
      let served = await fetch(`${collector.url}/api/site`);
      const before = served.headers.get('etag');
      let entry = (await served.json()).surveys[0];
      assert.deepEqual(entry.trigger, orderNps().trigger, 'the survey\'s own trigger, not the stale copy');
      assert.equal(entry.priority, 3);
      // A survey publish with a new trigger and a sampling rule reaches the served manifest alone.
      const changed = { ...orderNps(), trigger: { events: ['order_shipped'] }, sampling: { percent: 25 } };
      assert.equal((await admin(collector, '/api/surveys/order-nps', changed, { ifMatch: fixture.version })).status, 201);
      served = await fetch(`${collector.url}/api/site`, { headers: { 'If-None-Match': before } });
      assert.equal(served.status, 200, 'the old ETag no longer matches');
      assert.notEqual(served.headers.get('etag'), before);
      entry = (await served.json()).surveys[0];
      assert.deepEqual([entry.trigger, entry.sampling, entry.priority], [{ events: ['order_shipped'] }, { percent: 25 }, 3]);
      // The stored manifest is unchanged: it is still version 1, as published.
      assert.deepEqual((await versions(collector, '/api/site/versions')).map((x) => x.version), [1]);
    } finally {
      await collector.stop();
    }
  });
});

test('two files with one survey id stop the start with an error naming both', async () => {
  const folder = join(dir, 'duplicates');
  cpSync(fixtureSurveys, folder, { recursive: true });
  writeFileSync(join(folder, 'copy_of_order_nps.json'), JSON.stringify(orderNps(reworded)));
  await assert.rejects(startCollector(join(dir, 'duplicates.db'), [], { surveys: folder }),
    (e) => /two files hold survey "order-nps"/.test(e.message) && e.message.includes('copy_of_order_nps.json') && e.message.includes('order_nps.json'));
});

test('two collectors on one PostgreSQL database see each other\'s publishes', async () => {
  const postgres = await stores.server();
  const db = postgres.createDatabase('pair');
  const [a, b] = [await startCollector(db), await startCollector(db)];
  try {
    const v = fixture.version;
    assert.equal((await publishSite(a, ['order-nps'])).status, 201);
    assert.equal((await admin(a, '/api/surveys/order-nps', orderNps(newOptions), { ifMatch: v })).status, 201);
    // A response to the new version, posted to the other collector at once: it looks for it.
    const r = await post(b.url, payload({ surveyVersion: v + 1, answers: { nps: 2, area: ['returns'] } }));
    assert.equal(r.status, 201, JSON.stringify(r.json));
    // b publishes over a's version only with If-Match naming it.
    assert.equal((await admin(b, '/api/surveys/order-nps', orderNps(reworded), { ifMatch: v })).status, 412);
    assert.equal((await admin(b, '/api/surveys/order-nps', orderNps(reworded), { ifMatch: v + 1 })).status, 201);
    // a's public read follows within its refresh (2 s).
    let served;
    for (let i = 0; i < 50; i++) {
      served = await fetch(`${a.url}/api/surveys/order-nps.json`);
      if (served.headers.get('etag') === `"${v + 2}"`) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(served.headers.get('etag'), `"${v + 2}"`);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});
