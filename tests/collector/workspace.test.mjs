// The workspace's queries over real HTTP, on a real SQLite file and a real PostgreSQL server:
// summaries for every filter against figures counted by hand, the comments inbox (newest first,
// full-text search with the database's own index, cursor paging, filters), one response in full,
// and the CSV export read back by a CSV parser, with formula and markup payloads kept as text.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binary, payload, post, startCollector, until } from './collector.mjs';
import { backends } from './postgres.mjs';

// A maintained CSV parser reads the export back (web's devDependencies).
const { parse } = createRequire(new URL('../../web/package.json', import.meta.url))('csv-parse/sync');

const dir = mkdtempSync(join(tmpdir(), 'sondar-workspace-'));
const stores = backends(dir);
after(() => {
  stores.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const DAY = 24 * 3600 * 1000;
const dayOf = (ms) => new Date(ms).toISOString().slice(0, 10);
// Two whole days before today (UTC), noon: inside the collector's backdating window.
const dayA = Date.parse(`${dayOf(Date.now() - 2 * DAY)}T12:00:00Z`);
const dayB = dayA + DAY;

const markup = 'Delivery was <b>late</b> <img src=x onerror="alert(1)">';
const formula = '=HYPERLINK("http://evil.example","click") price too high';
/** Six responses to order-nps whose figures are counted by hand in the tests below. */
const rows = [
  { at: dayA, nps: 2, why: markup, trigger: 'order_confirmed', segment: 'vip', locale: 'de-DE', order: 'A-1' },
  { at: dayA + 60000, nps: 9, trigger: 'order_confirmed', segment: 'regular', locale: 'en', order: 'A-2' },
  { at: dayA + 120000, nps: 7, area: ['price'], trigger: 'checkout', segment: 'vip', locale: 'en', order: 'A-3' },
  { at: dayB, nps: 4, why: formula, trigger: 'checkout', segment: 'regular', locale: 'en', order: 'A-4' },
  { at: dayB + 60000, nps: 10, trigger: 'checkout', segment: 'vip', locale: 'fr', order: 'A-5' },
  { at: dayB + 120000, nps: 0, why: 'Lieferung verspätet, livraison aussi', status: 'partial', trigger: 'order_confirmed', segment: 'vip', locale: 'de', order: 'A-6' },
].map((r, i) => ({
  ...r,
  body: payload({
    responseId: `00000000-0000-4000-8000-00000000000${i + 1}`,
    visitorId: `visitor-${i + 1}`,
    status: r.status || 'complete',
    trigger: r.trigger,
    locale: r.locale,
    hidden: { order_id: r.order, segment: r.segment },
    answers: { nps: r.nps, ...(r.why ? { why: r.why } : {}), ...(r.area ? { area: r.area } : {}) },
    startedAt: new Date(r.at - 30000).toISOString(),
    submittedAt: new Date(r.at).toISOString(),
  }),
}));

async function get(collector, path) {
  const res = await fetch(`${collector.url}${path}`, { headers: collector.auth });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: res.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : null };
}

async function summary(collector, filters = '') {
  const res = await get(collector, `/api/summary?survey=order-nps${filters}`);
  assert.equal(res.status, 200, res.text);
  return res.json;
}

/** Every page of comments for `query`, following `next`. */
async function allComments(collector, query) {
  const pages = [];
  let cursor = null;
  do {
    const res = await get(collector, `/api/comments?survey=order-nps${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(res.status, 200, res.text);
    pages.push(res.json.items);
    cursor = res.json.next;
    assert.ok(pages.length < 20, 'paging ends');
  } while (cursor);
  return pages;
}

for (const [backend, database] of Object.entries(stores.make)) describe(backend, () => {
  let collector;
  before(async () => {
    collector = await startCollector(await database('workspace'));
    // An earlier partial of the first response, with other words: its comment must not stay.
    const early = structuredClone(rows[0].body);
    early.status = 'partial';
    early.answers.why = 'first words';
    early.submittedAt = new Date(rows[0].at - 10000).toISOString();
    assert.equal((await post(collector.url, early, collector.auth)).status, 201);
    for (const r of rows) {
      const answer = await post(collector.url, r.body, collector.auth);
      assert.ok([200, 201].includes(answer.status), JSON.stringify(answer.json));
    }
  });
  after(() => collector?.stop());

  test('summary: each filter keeps the responses counted by hand', async () => {
    const cases = [
      ['', 6],
      [`&from=${dayOf(dayA)}&to=${dayOf(dayA)}`, 3],
      [`&from=${dayOf(dayB)}`, 3],
      [`&to=${dayOf(dayA - DAY)}`, 0],
      ['&trigger=checkout', 3],
      ['&trigger=(none)', 0],
      ['&segment=vip', 4],
      ['&category=detractor', 3],
      ['&category=promoter', 2],
      ['&category=passive', 1],
      ['&category=promoter&segment=vip', 1],
      ['&status=partial', 1],
      ['&locale=de', 2],
      ['&hidden.order_id=A-4', 1],
      ['&version=3', 6],
      ['&version=2', 0],
      [`&trigger=checkout&from=${dayOf(dayB)}&to=${dayOf(dayB)}`, 2],
    ];
    for (const [filters, total] of cases) {
      const s = await summary(collector, filters);
      assert.equal(s.responses.total, total, `${filters}: ${JSON.stringify(s.responses)}`);
    }
    // NPS of the vip segment: 10 promoter, 7 passive, 2 and 0 detractors: (1 - 2) / 4 = -25.
    const vip = await summary(collector, '&segment=vip');
    assert.equal(vip.nps.n, 4);
    assert.equal(vip.nps.score, -25);
    assert.deepEqual(vip.filter, { segment: 'vip' });
    assert.deepEqual(Object.keys(vip.byTrigger).sort(), ['checkout', 'order_confirmed']);
  });

  test('sondar report over the export, with the same filters as flags, gives the summary\'s figures', async () => {
    const folder = mkdtempSync(join(dir, 'report-'));
    const exportFile = join(folder, 'export.jsonl');
    const surveyFile = join(folder, 'order-nps.json');
    writeFileSync(exportFile, (await get(collector, '/api/export.jsonl?survey=order-nps')).text);
    writeFileSync(surveyFile, (await get(collector, '/api/surveys/order-nps/versions/3')).text);
    const cli = join(binary, '../../cli/sondar');
    for (const filters of ['', `&from=${dayOf(dayA)}&to=${dayOf(dayA)}`, '&trigger=checkout', '&segment=vip', '&category=detractor',
      '&category=promoter&segment=vip', '&status=partial', '&locale=de', '&hidden.order_id=A-4', '&theme=delivery', '&version=2']) {
      const flags = [...new URLSearchParams(filters)].flatMap(([k, v]) => (k.startsWith('hidden.') ? ['--hidden', `${k.slice(7)}=${v}`] : [`--${k}`, v]));
      const report = JSON.parse(execFileSync(cli, ['report', '--json', '--survey', surveyFile, exportFile, ...flags], { encoding: 'utf8' }));
      const s = await summary(collector, filters);
      assert.deepEqual(report.responses, s.responses, filters);
      assert.deepEqual(report.nps, s.nps, filters);
      assert.deepEqual(report.filter, s.filter, filters);
      assert.equal(report.input.filteredOut, 6 - s.responses.total, filters);
    }
    // A bad filter: the core's message, naming the flag.
    assert.throws(() => execFileSync(cli, ['report', '--survey', surveyFile, exportFile, '--from', 'yesterday'], { stdio: 'pipe' }),
      (e) => e.status === 2 && /--from: /.test(String(e.stderr)));
  });

  test('themes: the core tags each comment; a summary gives each theme\'s share and effect, and filters by it', async () => {
    const s = await summary(collector);
    const byId = Object.fromEntries(s.themes.map((t) => [t.id, t]));
    // Three commented responses: two mention delivery (one in German), one the price.
    assert.equal(byId.delivery.comments, 2);
    assert.equal(byId.delivery.share, 66.67);
    assert.equal(byId.delivery.label, 'Delivery');
    assert.equal(byId.price.comments, 1);
    assert.equal(byId.returns.comments, 0);
    // Delivery's two (2 and 0) against the price comment (4): all detractors, no difference.
    assert.equal(byId.delivery.nps.score, -100);
    assert.equal(byId.delivery.vsRest.nps.difference, 0);
    assert.equal(byId.delivery.vsRest.nps.significant, false);
    assert.equal((await summary(collector, '&theme=delivery')).responses.total, 2);
    const comments = await get(collector, '/api/comments?survey=order-nps&theme=delivery');
    assert.deepEqual(comments.json.items.map((c) => c.responseId), [rows[5], rows[0]].map((r) => r.body.responseId));
    assert.deepEqual(comments.json.items[0].themes, ['delivery']);
    const price = await get(collector, '/api/comments?survey=order-nps&theme=price');
    assert.deepEqual(price.json.items.map((c) => c.themes), [['price']]);
  });

  test('summary: a bad filter is a 400 naming the parameter', async () => {
    const res = await get(collector, '/api/summary?survey=order-nps&from=yesterday&category=happy');
    assert.equal(res.status, 400);
    assert.deepEqual(res.json.errors.map((e) => [e.code, e.path]), [['invalid_value', 'category'], ['invalid_value', 'from']]);
    assert.equal((await get(collector, '/api/summary?survey=nope')).status, 404);
    const anonymous = await fetch(`${collector.url}/api/comments?survey=order-nps`);
    assert.equal(anonymous.status, 401);
  });

  test('comments: newest first, with the response around them; a replaced response keeps only its latest words', async () => {
    const res = await get(collector, '/api/comments?survey=order-nps');
    assert.equal(res.status, 200);
    assert.equal(res.json.next, null);
    assert.deepEqual(res.json.items.map((c) => c.text), [rows[5].body.answers.why, formula, markup]);
    const first = res.json.items[2];
    assert.equal(first.responseId, rows[0].body.responseId);
    assert.equal(first.question, 'why');
    assert.equal(first.kind, 'text');
    assert.equal(first.prompt, 'What should we improve?');
    assert.equal(first.submittedAt, rows[0].body.submittedAt);
    assert.equal(first.segment, 'vip');
    assert.equal(first.trigger, 'order_confirmed');
    assert.deepEqual(first.hidden, { order_id: 'A-1', segment: 'vip' });
    assert.equal(first.scores.nps.category, 'detractor');
    assert.equal(first.page, 'https://shop.example/confirmation.html');
    assert.ok(!res.text.includes('first words'));
  });

  test('comments: search through the database index, by word prefix, any script, syntax inert', async () => {
    const search = async (q, filters = '') => {
      const r = await get(collector, `/api/comments?survey=order-nps&q=${encodeURIComponent(q)}${filters}`);
      assert.equal(r.status, 200, `${q}: ${r.text}`);
      return r.json;
    };
    assert.deepEqual((await search('LATE')).items.map((c) => c.responseId), [rows[0].body.responseId]);
    assert.deepEqual((await search('deliv')).items.map((c) => c.responseId), [rows[0].body.responseId]);
    assert.deepEqual((await search('verspät')).items.map((c) => c.responseId), [rows[5].body.responseId]);
    assert.deepEqual((await search('price high')).items.map((c) => c.responseId), [rows[3].body.responseId]);
    assert.deepEqual((await search('price late')).items, []);
    assert.deepEqual((await search('late', '&segment=regular')).items, []);
    assert.deepEqual((await search('late')).terms, ['late']);
    // Query-language syntax of FTS5 and tsquery is searched as words, never run.
    for (const q of ['"', 'late OR price', 'NEAR(late', "'", '*', 'a:* | !b', 'col:late', '\\']) {
      const r = await search(q);
      assert.ok(Array.isArray(r.items), q);
    }
    assert.deepEqual((await search('late OR price')).items, []);
  });

  test('comments: cursor pages cover every match once, with filters applied', async () => {
    const pages = await allComments(collector, '&limit=1');
    assert.deepEqual(pages.flat().map((c) => c.responseId), [rows[5], rows[3], rows[0]].map((r) => r.body.responseId));
    assert.ok(pages.every((p) => p.length <= 1));
    const vip = (await allComments(collector, '&limit=1&segment=vip')).flat();
    assert.deepEqual(vip.map((c) => c.responseId), [rows[5], rows[0]].map((r) => r.body.responseId));
    const complete = (await allComments(collector, '&status=complete&category=detractor')).flat();
    assert.deepEqual(complete.map((c) => c.responseId), [rows[3], rows[0]].map((r) => r.body.responseId));
    for (const bad of ['&limit=0', '&limit=101', '&limit=x', '&cursor=abc', '&cursor=1.2.3']) {
      const r = await get(collector, `/api/comments?survey=order-nps${bad}`);
      assert.equal(r.status, 400, bad);
      assert.equal(r.json.errors[0].path, bad.slice(1, bad.indexOf('=')));
    }
  });

  test('one response in full, answers read as the export reads them', async () => {
    const r = await get(collector, `/api/responses/${rows[2].body.responseId}`);
    assert.equal(r.status, 200);
    assert.equal(r.json.response.responseId, rows[2].body.responseId);
    assert.deepEqual(r.json.answers.find((a) => a.label.endsWith('[area]')).value, 'Price');
    assert.deepEqual(r.json.answers.find((a) => a.label.endsWith('[nps category]')).value, 'passive');
    assert.equal((await get(collector, '/api/responses/00000000-0000-4000-8000-000000000099')).status, 404);
    assert.equal((await fetch(`${collector.url}/api/responses/${rows[2].body.responseId}`)).status, 401);
  });

  test('CSV export: RFC 4180 read back by csv-parse, one column per question, filtered, formulas neutralised', async () => {
    const res = await get(collector, '/api/export.csv?survey=order-nps');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/csv; charset=utf-8/);
    assert.match(res.headers.get('content-disposition'), /attachment; filename="order-nps.csv"/);
    // fetch's text() drops a byte order mark: the bytes show it.
    const raw = Buffer.from(await (await fetch(`${collector.url}/api/export.csv?survey=order-nps`, { headers: collector.auth })).arrayBuffer());
    assert.deepEqual([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a byte order mark for spreadsheets');
    const table = parse(res.text, { bom: true });
    const [header, ...body] = table;
    assert.deepEqual(header.slice(0, 10), ['responseId', 'submittedAt', 'status', 'surveyVersion', 'trigger', 'locale', 'page', 'visitorId', 'hidden.order_id', 'hidden.segment']);
    assert.deepEqual(header.slice(10), [
      'How likely are you to recommend us to a friend? [nps]',
      'How likely are you to recommend us to a friend? [nps category]',
      'What should we improve? [why]',
      'Which parts fell short? [area]',
    ]);
    assert.equal(body.length, 6);
    const byId = Object.fromEntries(body.map((r) => [r[0], r]));
    const r4 = byId[rows[3].body.responseId];
    assert.equal(r4[10], '4');
    assert.equal(r4[11], 'detractor');
    assert.equal(r4[12], `'${formula}`);
    assert.equal(byId[rows[0].body.responseId][12], markup);
    assert.equal(byId[rows[2].body.responseId][13], 'Price');
    assert.ok(body.every((r) => r.length === header.length));
    assert.ok(body.every((r) => r.every((cell) => !/^[=+\-@\t\r]/.test(cell))), 'no cell starts a formula');
    const vip = parse((await get(collector, '/api/export.csv?survey=order-nps&segment=vip')).text, { bom: true });
    assert.equal(vip.length, 1 + 4);
    const bad = await get(collector, '/api/export.csv?survey=order-nps&status=done');
    assert.equal(bad.status, 400);
    assert.equal(bad.json.errors[0].path, 'status');
  });
});

for (const [backend, database] of Object.entries(stores.make)) {
  test(`${backend}: search splits addresses and URLs into words, as both indexes must; query text must be UTF-8`, async () => {
    const collector = await startCollector(await database('search-words'));
    try {
      const body = payload({ answers: { nps: 2, why: 'Broken at https://shop.example/cart, mail john@example.com' } });
      assert.equal((await post(collector.url, body, collector.auth)).status, 201);
      for (const q of ['cart', 'example', 'john', 'shop']) {
        const res = await get(collector, `/api/comments?survey=order-nps&q=${q}`);
        assert.equal(res.json.items.length, 1, q);
      }
      const bad = await get(collector, '/api/comments?survey=order-nps&q=%FF');
      assert.equal(bad.status, 400);
      assert.equal(bad.json.errors[0].path, 'q');
      assert.equal((await get(collector, '/api/responses/%FF')).status, 404);
    } finally {
      await collector.stop();
    }
  });

  test(`${backend}: rows stored before records and comments were kept count the same, and are indexed at the next start`, async () => {
    const db = await database('before-index');
    // The database's own client: sqlite3 (Debian's package) or psql.
    const sql = backend === 'sqlite'
      ? (query) => execFileSync('sqlite3', [db, query], { encoding: 'utf8' }).trim()
      : async (query) => (await stores.server()).sql('before_index', query);
    const first = await startCollector(db);
    let before;
    try {
      for (const r of rows) assert.ok([200, 201].includes((await post(first.url, r.body, first.auth)).status));
      before = await summary(first, '&segment=vip');
      // A collector from before records replaces a payload and leaves the record as it was: the
      // record is dropped (a trigger), and the summary reads the new payload.
      assert.equal((await summary(first, '&category=detractor')).responses.total, 3);
      const replaced = { ...rows[1].body, answers: { nps: 3 } };
      await sql(`UPDATE responses SET payload = '${JSON.stringify(replaced)}' WHERE response_id = '${replaced.responseId}';`);
      assert.equal(await sql('SELECT count(*) FROM responses WHERE record IS NULL'), '1');
      assert.equal((await summary(first, '&category=detractor')).responses.total, 4);
      // What a database written before records and comments were kept holds: payloads only.
      // (PostgreSQL also keeps each record's kind beside it, from this version on.)
      await sql(backend === 'sqlite' ? 'UPDATE responses SET record = NULL; DELETE FROM comments;' : 'UPDATE responses SET record = NULL, kind = NULL; DELETE FROM comments;');
      assert.deepEqual(await summary(first, '&segment=vip'), before);
      assert.deepEqual((await get(first, '/api/comments?survey=order-nps')).json.items, []);
    } finally {
      await first.stop();
    }
    const second = await startCollector(db);
    try {
      // The summary is the same while the rows are being derived (in the background, not before
      // the collector answers) and after.
      assert.deepEqual(await summary(second, '&segment=vip'), before);
      await until('the old rows to be derived', async () => (await sql('SELECT count(*) FROM responses WHERE record IS NULL')) === '0');
      assert.deepEqual(await summary(second, '&segment=vip'), before);
      const res = await get(second, '/api/comments?survey=order-nps&q=late');
      assert.deepEqual(res.json.items.map((c) => c.responseId), [rows[0].body.responseId]);
    } finally {
      await second.stop();
    }
    if (backend !== 'postgres') return;
    // A PostgreSQL database from before kinds: records, no kinds. They come from the records.
    await sql('UPDATE responses SET kind = NULL;');
    const third = await startCollector(db);
    try {
      assert.deepEqual(await summary(third, '&segment=vip'), before);
      await until('the kinds to be derived', async () => (await sql('SELECT count(*) FROM responses WHERE kind IS NULL')) === '0');
      assert.deepEqual(await summary(third, '&segment=vip'), before);
      assert.equal((await get(third, '/api/comments?survey=order-nps&q=late')).json.items.length, 1);
    } finally {
      await third.stop();
    }
  });
}

for (const [backend, database] of Object.entries(stores.make)) {
  test(`${backend}: hidden-field filters are answered by the index of hidden values, which follows every write (new versions, an older collector's, erasure) and is built for rows from before it`, async () => {
    const name = 'hidden-index';
    const db = await database(name);
    const sql = backend === 'sqlite'
      ? (query) => execFileSync('sqlite3', [db, query], { encoding: 'utf8' }).trim()
      : async (query) => (await stores.server()).sql(name.replace(/-/g, '_'), query);
    // Rows the index does not answer for: read through their payloads.
    const unindexed = () => sql(backend === 'sqlite'
      ? 'SELECT count(*) FROM responses WHERE record IS NULL OR hidden_for IS NOT record'
      : 'SELECT count(*) FROM responses WHERE hidden_for IS NULL');
    const totals = async (collector) => {
      const out = {};
      for (const filters of ['&hidden.segment=vip', '&hidden.segment=regular', '&hidden.segment=vip&hidden.order_id=A-5',
        '&hidden.segment=vip&category=detractor', `&hidden.order_id=A-4&from=${dayOf(dayB)}`, `&hidden.order_id=A-4&to=${dayOf(dayA)}`,
        '&hidden.segment=nobody', '&hidden.order_id=%00', '&hidden.segment%00x=vip', `&hidden.order_id=${'A'.repeat(300)}`])
        out[filters] = (await summary(collector, filters)).responses.total;
      return out;
    };
    const expected = {
      '&hidden.segment=vip': 4, '&hidden.segment=regular': 2, '&hidden.segment=vip&hidden.order_id=A-5': 1,
      '&hidden.segment=vip&category=detractor': 2, [`&hidden.order_id=A-4&from=${dayOf(dayB)}`]: 1,
      [`&hidden.order_id=A-4&to=${dayOf(dayA)}`]: 0, '&hidden.segment=nobody': 0, '&hidden.order_id=%00': 0,
      // A name or value the index cannot hold (a NUL, over 200 bytes) is read from the payloads.
      '&hidden.segment%00x=vip': 0, [`&hidden.order_id=${'A'.repeat(300)}`]: 0,
    };
    let collector = await startCollector(db);
    try {
      for (const r of rows) assert.ok([200, 201].includes((await post(collector.url, r.body, collector.auth)).status));
      // Every row written with its values: 6 responses, 2 fields each.
      assert.equal(await unindexed(), '0');
      assert.equal(await sql('SELECT count(*) FROM hidden_values'), '12');
      assert.deepEqual(await totals(collector), expected);
      // The same figures as the core's own segment filter (segment is read from hidden.segment).
      const { filter: a, ...byHidden } = await summary(collector, '&hidden.segment=vip');
      const { filter: b, ...bySegment } = await summary(collector, '&segment=vip');
      assert.deepEqual(byHidden, bySegment);
      // A later version of a response moves it to another segment: its old values go.
      const moved = structuredClone(rows[1].body);
      moved.hidden.segment = 'vip';
      moved.submittedAt = new Date(rows[1].at + 1000).toISOString();
      assert.equal((await post(collector.url, moved, collector.auth)).status, 200);
      assert.equal((await summary(collector, '&hidden.segment=vip')).responses.total, 5);
      assert.equal((await summary(collector, '&hidden.segment=regular')).responses.total, 1);
      assert.equal(await sql(`SELECT count(*) FROM hidden_values WHERE response_id = '${moved.responseId}'`), '2');
      // An older collector replaces a payload (no hidden values written): the row is read through
      // its new payload until a start indexes it again.
      const older = structuredClone(rows[0].body);
      older.hidden.segment = 'regular';
      await sql(`UPDATE responses SET payload = '${JSON.stringify(older).replace(/'/g, "''")}' WHERE response_id = '${older.responseId}';`);
      // And one inserts a row with its record (and kind) but no hidden values.
      await sql(`INSERT INTO responses (response_id, survey_id, status, submitted_at_ms, received_at_ms, payload, record${backend === 'sqlite' ? '' : ', kind'})
        SELECT 'copy-of-a5', survey_id, status, submitted_at_ms, received_at_ms, payload, record${backend === 'sqlite' ? '' : ', kind'}
        FROM responses WHERE response_id = '${rows[4].body.responseId}';`);
      // And one replaces a payload with a new record (a later version; on PostgreSQL it writes the
      // kind, and a version of the same day and answers keeps the kind it had): the values written
      // for the old record are no longer trusted, their copies go blank.
      const third = structuredClone(rows[2].body);
      third.hidden.order_id = 'A-3b';
      await sql(`${backend === 'sqlite' ? '' : 'SET sondar.writes_kinds = on; '}UPDATE responses SET payload = '${JSON.stringify(third).replace(/'/g, "''")}',
        record = (SELECT record FROM responses WHERE response_id = '${rows[4].body.responseId}') WHERE response_id = '${third.responseId}';`);
      assert.equal(await sql(`SELECT count(*) FROM hidden_values WHERE response_id = '${third.responseId}' AND ${backend === 'sqlite' ? 'record' : 'kind'} IS NOT NULL`), '0');
      assert.equal(await unindexed(), '3');
      assert.equal((await summary(collector, '&hidden.order_id=A-3b')).responses.total, 1);
      assert.equal((await summary(collector, '&hidden.order_id=A-3')).responses.total, 0);
      assert.equal((await summary(collector, '&hidden.segment=vip')).responses.total, 5);
      assert.equal((await summary(collector, '&hidden.segment=regular')).responses.total, 2);
      assert.equal((await summary(collector, '&hidden.segment=vip&hidden.order_id=A-5')).responses.total, 2);
    } finally {
      await collector.stop();
    }
    const now = { '&hidden.segment=vip': 5, '&hidden.segment=regular': 2, '&hidden.segment=vip&hidden.order_id=A-5': 2, '&hidden.order_id=A-3b': 1, '&hidden.order_id=A-3': 0 };
    collector = await startCollector(db);
    try {
      await until('the rows to be indexed', async () => (await unindexed()) === '0');
      for (const [filters, total] of Object.entries(now))
        assert.equal((await summary(collector, filters)).responses.total, total, filters);
      assert.equal(await sql('SELECT count(*) FROM hidden_values'), '14');
      // Whoever deletes a response deletes its values.
      await sql("DELETE FROM responses WHERE response_id = 'copy-of-a5';");
      assert.equal(await sql("SELECT count(*) FROM hidden_values WHERE response_id = 'copy-of-a5'"), '0');
      assert.equal((await summary(collector, '&hidden.segment=vip&hidden.order_id=A-5')).responses.total, 1);
      // A database from before the index: no values. The same figures, from the payloads.
      await sql('DELETE FROM hidden_values; UPDATE responses SET hidden_for = NULL;');
      assert.equal((await summary(collector, '&hidden.segment=vip')).responses.total, 4);
      assert.equal((await summary(collector, '&hidden.segment=regular')).responses.total, 2);
    } finally {
      await collector.stop();
    }
    collector = await startCollector(db);
    try {
      await until('the rows to be indexed', async () => (await unindexed()) === '0');
      assert.equal(await sql('SELECT count(*) FROM hidden_values'), '12');
      assert.equal((await summary(collector, '&hidden.segment=vip')).responses.total, 4);
      assert.equal((await summary(collector, '&hidden.segment=regular')).responses.total, 2);
    } finally {
      await collector.stop();
    }
  });
}
