// The site's comment themes over real HTTP, on a real SQLite file and a real PostgreSQL server:
// the core's default list until one is published; a publish (If-Match, 422 at the path, history,
// rollback) re-tags the comments already stored, so summaries, theme filters and the inbox
// follow the new list, and a response posted after it is tagged with it at once.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { admin, adminApi, binary, fixtureSurveys, payload, post, startCollector, until } from './collector.mjs';
import { backends } from './postgres.mjs';

const dir = mkdtempSync(join(tmpdir(), 'sondar-themes-'));
const stores = backends(dir);
after(() => {
  stores.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const gifts = {
  schema: 'sondar.themes/1',
  themes: [
    { id: 'gifts', label: { en: 'Gift wrapping', fr: 'Emballage cadeau' }, words: ['gift*', 'cadeau*'] },
    { id: 'delivery', label: { en: 'Delivery' }, words: ['deliver*', 'shipping'] },
  ],
};

/** The summary's themes by id, and its count of responses. */
async function themesOf(collector, filter = '') {
  const res = await fetch(`${collector.url}/api/summary?survey=order-nps${filter}`, { headers: collector.auth });
  assert.equal(res.status, 200);
  const s = await res.json();
  return { byId: Object.fromEntries(s.themes.map((t) => [t.id, t])), total: s.responses.total };
}

const comment = (why, nps = 3) => payload({ answers: { nps, why } });

for (const [backend, database] of Object.entries(stores.make)) describe(backend, () => {
  test('a published theme list re-tags stored comments; new posts are tagged with it; rollback restores', async () => {
    const db = await database('themes');
    let collector = await startCollector(db);
    try {
      const first = await adminApi(collector, 'GET', '/api/themes');
      assert.equal(first.status, 200);
      assert.equal(first.json.version, 0, 'nothing published: the default list');
      assert.deepEqual(first.json.document.themes.map((t) => t.id), ['delivery', 'price', 'quality', 'size', 'checkout', 'returns', 'support', 'website']);
      const wrapped = comment('The gift wrapping was torn');
      const late = comment('Delivery took two weeks', 0);
      for (const p of [wrapped, late, payload()]) assert.equal((await post(collector.url, p)).status, 201);
      let { byId } = await themesOf(collector);
      assert.equal(byId.delivery.comments, 1);
      assert.equal(byId.gifts, undefined);

      // Refused: not a theme list (at its path), no token, a stale If-Match once one is published.
      const bad = await admin(collector, '/api/themes', { schema: 'sondar.themes/1', themes: [{ id: 'gifts', label: { en: 'Gifts' }, words: 'gift' }] });
      assert.equal(bad.status, 422);
      assert.deepEqual(bad.json.errors.map((e) => e.path), ['themes[0].words']);
      const anonymous = await fetch(`${collector.url}/api/themes`, { method: 'PUT', body: JSON.stringify(gifts) });
      assert.equal(anonymous.status, 401);

      const published = await admin(collector, '/api/themes', gifts);
      assert.equal(published.status, 201, JSON.stringify(published.json));
      assert.deepEqual(published.json, { id: 'site', version: 1 });
      assert.equal(published.headers.get('etag'), '"1"');
      assert.equal((await admin(collector, '/api/themes', gifts)).status, 428);
      assert.equal((await admin(collector, '/api/themes', gifts, { ifMatch: 0 })).status, 412);

      // The comment stored before the publish is tagged with the new list once the re-tag ran.
      byId = await until('the stored comments re-tagged', async () => {
        const t = (await themesOf(collector)).byId;
        return t.gifts?.comments === 1 ? t : null;
      });
      assert.deepEqual(Object.keys(byId), ['gifts', 'delivery']);
      assert.equal(byId.gifts.label, 'Gift wrapping');
      assert.equal(byId.delivery.comments, 1);
      assert.equal((await themesOf(collector, '&theme=gifts')).total, 1);
      const inbox = await adminApi(collector, 'GET', '/api/comments?survey=order-nps&theme=gifts');
      assert.deepEqual(inbox.json.items.map((c) => [c.responseId, c.themes]), [[wrapped.responseId, ['gifts']]]);
      const state = await until('the re-tag finished', async () => {
        const r = (await adminApi(collector, 'GET', '/api/themes')).json;
        return !r.retag.running && r.retag.rowsLeft === 0 ? r : null;
      });
      assert.equal(state.version, 1);
      assert.deepEqual(state.document, gifts);
      // Now from the derived records, not from payloads read meanwhile.
      assert.equal((await themesOf(collector, '&theme=gifts')).total, 1);

      // Posted after the publish: tagged with the new list as it is stored.
      const after = comment('Un cadeau parfait', 5);
      assert.equal((await post(collector.url, after)).status, 201);
      assert.equal((await themesOf(collector)).byId.gifts.comments, 2);

      // The history, and a rollback to the default list's content as version 3.
      const second = await admin(collector, '/api/themes', { schema: 'sondar.themes/1', themes: [gifts.themes[1]] }, { ifMatch: 1 });
      assert.equal(second.status, 201, JSON.stringify(second.json));
      await until('gifts gone', async () => (await themesOf(collector)).byId.gifts === undefined);
      const back = await adminApi(collector, 'POST', '/api/themes/rollback', { version: 1 });
      assert.equal(back.status, 201);
      assert.equal(back.json.version, 3);
      await until('gifts back after the rollback', async () => (await themesOf(collector)).byId.gifts?.comments === 2);
      const history = await adminApi(collector, 'GET', '/api/themes/versions');
      assert.deepEqual(history.json.map((v) => [v.version, v.source, v.fromVersion]), [[3, 'rollback', 1], [2, 'publish', 1], [1, 'publish', undefined]]);
      const audit = await adminApi(collector, 'GET', '/api/audit');
      assert.deepEqual(audit.json.items.filter((e) => e.target === '/api/themes').map((e) => e.action), ['rollback', 'publish', 'publish']);

      // The report CLI reads comments with the published list when given it, as the collector does.
      const exportFile = join(dir, `${backend}-export.jsonl`);
      writeFileSync(exportFile, await (await fetch(`${collector.url}/api/export.jsonl?survey=order-nps`, { headers: collector.auth })).text());
      const themesFile = join(dir, `${backend}-themes.json`);
      writeFileSync(themesFile, await (await fetch(`${collector.url}/api/themes/versions/3`, { headers: collector.auth })).text());
      const report = (...flags) =>
        JSON.parse(execFileSync(join(binary, '../../cli/sondar'), ['report', '--json', '--survey', join(fixtureSurveys, 'order_nps.json'), exportFile, '--theme', 'gifts', ...flags], { encoding: 'utf8' }));
      assert.equal(report('--themes', themesFile).responses.total, 2);
      assert.equal(report().responses.total, 0, 'the default list has no gifts theme');

      // A restart keeps the published list.
      await collector.stop();
      collector = await startCollector(db);
      assert.equal((await adminApi(collector, 'GET', '/api/themes')).json.version, 3);
      assert.equal((await themesOf(collector)).byId.gifts.comments, 2);
    } finally {
      await collector.stop();
    }
  });

  test('a theme list in the --surveys folder is imported at start, and the stored comments are tagged with it', async () => {
    const db = await database('themes-import');
    let collector = await startCollector(db);
    const wrapped = comment('Gift box crushed');
    try {
      assert.equal((await post(collector.url, wrapped)).status, 201);
    } finally {
      await collector.stop();
    }
    const folder = mkdtempSync(join(dir, 'surveys-'));
    cpSync(fixtureSurveys, folder, { recursive: true });
    writeFileSync(join(folder, 'themes.json'), JSON.stringify(gifts));
    collector = await startCollector(db, [], { surveys: folder });
    try {
      const state = (await adminApi(collector, 'GET', '/api/themes')).json;
      assert.equal(state.version, 1);
      const history = (await adminApi(collector, 'GET', '/api/themes/versions')).json;
      assert.deepEqual(history.map((v) => v.source), ['import']);
      await until('the stored comment tagged with the imported list', async () => (await themesOf(collector, '&theme=gifts')).total === 1);
    } finally {
      await collector.stop();
    }
  });
});
