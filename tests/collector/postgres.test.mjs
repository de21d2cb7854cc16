// Several collectors on one PostgreSQL database (--db postgres://...), over real HTTP, with a real
// server started for the test: concurrent versions of the same responses through two processes,
// the database restarting under a running collector, a collector killed mid-load, and start-up
// errors. The single-collector behaviour is in collector.test.mjs (run on both databases).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { binary, fixtureSurveys, startCollector, payload, post, exported, acknowledgedLostAfterKill } from './collector.mjs';
import { startPostgres } from './postgres.mjs';

let pg;
before(async () => {
  pg = await startPostgres();
});
after(() => pg?.destroy());

const at = (ms) => new Date(Date.now() - 60_000 + ms).toISOString();

// As the widget does: a 503 (here: more connections from one address than a collector takes at
// once) is retried after its Retry-After.
async function postRetrying(url, body) {
  for (;;) {
    const r = await post(url, body);
    if (r.status !== 503) return r;
    await new Promise((resolve) => setTimeout(resolve, 1000 * Number(r.headers.get('retry-after') || 1)));
  }
}

test('two collectors posting versions of the same responses at once leave one row each, the winner', async () => {
  const url = pg.createDatabase('pair');
  const pair = [await startCollector(url), await startCollector(url)];
  try {
    const ids = Array.from({ length: 100 }, () => randomUUID());
    // Per id: an early partial, a complete, a later complete (the winner: nps 10) and a late
    // partial that must not overwrite it. Every version goes to both collectors, all at once, the
    // eight posts of one id side by side (in random order) so they meet in the database.
    const shuffled = (list) => list.map((x) => [Math.random(), x]).sort((a, b) => a[0] - b[0]).map((x) => x[1]);
    const posts = ids.flatMap((responseId) => shuffled(
      [
        { status: 'partial', answers: { nps: 2 }, submittedAt: at(1000) },
        { status: 'complete', answers: { nps: 5 }, submittedAt: at(2000) },
        { status: 'complete', answers: { nps: 10 }, submittedAt: at(3000) },
        { status: 'partial', answers: { nps: 0 }, submittedAt: at(9000) },
      ].flatMap((v) => pair.map((c) => [c, payload({ responseId, startedAt: at(0), ...v })])),
    ));
    const answers = await Promise.all(posts.map(([c, p]) => postRetrying(c.url, p)));
    for (const r of answers) assert.ok(r.status === 201 || r.status === 200, `answered ${r.status}: ${JSON.stringify(r.json)}`);
    assert.equal(answers.filter((r) => r.json.stored === 'inserted').length, ids.length, 'each id inserted exactly once');

    assert.equal(pg.sql('pair', 'SELECT count(*) || \' \' || count(DISTINCT response_id) FROM responses'), `${ids.length} ${ids.length}`);
    for (const c of pair) {
      const rows = await exported(c, 'order-nps');
      assert.equal(rows.length, ids.length);
      for (const row of rows) {
        assert.equal(row.status, 'complete');
        assert.equal(row.answers.nps, 10, `${row.responseId} kept the winning version`);
      }
      const summary = await (await fetch(`${c.url}/api/summary?survey=order-nps`, { headers: c.auth })).json();
      assert.equal(summary.nps.n, ids.length);
      assert.equal(summary.nps.score, 100);
    }
    // A responseId stays with its first visitor, whichever collector is asked.
    const taken = payload({ visitorId: 'visitor-a' });
    assert.equal((await post(pair[0].url, taken)).status, 201);
    const stolen = await post(pair[1].url, { ...taken, visitorId: 'visitor-b' });
    assert.equal(stolen.status, 409);
  } finally {
    await Promise.all(pair.map((c) => c.stop()));
  }
});

test('a database restart under a running collector: 503 while it is down, stored again once it is back', async () => {
  const url = pg.createDatabase('restart');
  const collector = await startCollector(url);
  try {
    const before = payload();
    assert.equal((await post(collector.url, before)).status, 201);
    pg.stop();
    const during = payload();
    const down = await post(collector.url, during);
    assert.equal(down.status, 503, 'the widget keeps its copy and retries');
    assert.equal((await fetch(`${collector.url}/api/summary?survey=order-nps`, { headers: collector.auth })).status, 503);
    pg.start();
    assert.equal((await post(collector.url, during)).status, 201, 'the retry is stored');
    const ids = (await exported(collector)).map((r) => r.responseId);
    assert.deepEqual(ids, [before.responseId, during.responseId]);
  } finally {
    await collector.stop();
  }
});

test('kill -9 in the middle of a load loses no acknowledged response', async () => {
  const { acknowledged, lost } = await acknowledgedLostAfterKill(pg.createDatabase('crash'));
  assert.ok(acknowledged > 20, `${acknowledged} acknowledged before the kill`);
  assert.deepEqual(lost, [], `${lost.length} of ${acknowledged} acknowledged responses lost`);
});

test('an unreachable or refused database stops start-up with a clear message, without the password', () => {
  for (const [url, expected] of [
    ['postgres://sondar:s3cret@127.0.0.1:1/postgres', /cannot use PostgreSQL database: .*(refused|connect)/i],
    [pg.url('no_such_database').replace('sondar@', 'sondar:s3cret@'), /cannot use PostgreSQL database: .*no_such_database/],
  ]) {
    const r = spawnSync(binary, ['--port', '0', '--db', url, '--surveys', fixtureSurveys], { encoding: 'utf8', timeout: 20_000 });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, expected);
    assert.doesNotMatch(r.stdout + r.stderr, /s3cret/);
  }
});

test('an upgrade\'s new index is built after start, concurrently: the collector starts and stores while a write holds the table', async () => {
  const db = pg.createDatabase('indexes');
  const name = 'indexes';
  const indexes = () => pg.sql(name, "SELECT string_agg(c.relname || ':' || i.indisvalid, ',' ORDER BY c.relname) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname IN ('responses_by_visitor', 'responses_by_time_kind', 'comments_words')");
  const until = async (want) => {
    for (let i = 0; i < 200 && indexes() !== want; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    return indexes();
  };
  const all = 'comments_words:true,responses_by_time_kind:true,responses_by_visitor:true';
  let collector = await startCollector(db);
  try {
    assert.equal(await until(all), all, 'a new database gets every index after start');
    assert.equal((await post(collector.url, payload())).status, 201);
  } finally {
    await collector.stop();
  }
  // As after an upgrade: one index is new, another was left invalid by an interrupted build.
  pg.sql(name, 'DROP INDEX responses_by_visitor');
  pg.sql(name, "UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'responses_by_time_kind'::regclass");
  // A long write transaction holds the table (ROW EXCLUSIVE, as every writer takes it).
  const writer = pg.session(name);
  writer.send('BEGIN; LOCK TABLE responses IN ROW EXCLUSIVE MODE;');
  for (let i = 0; i < 100 && pg.sql(name, "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'responses' AND l.mode = 'RowExclusiveLock' AND l.granted") === '0'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  try {
    // Start-up builds nothing in its own transaction, so it neither waits for the writer nor
    // holds writes back; posts are stored while the build waits for the writer to finish.
    collector = await startCollector(db);
    assert.equal((await post(collector.url, payload())).status, 201);
    assert.doesNotMatch(indexes(), /responses_by_visitor:true/);
    await writer.close(); // ends the transaction
    assert.equal(await until(all), all, 'built once the writer is gone');
    assert.equal((await post(collector.url, payload())).status, 201);
    assert.equal((await exported(collector)).length, 3);
  } finally {
    await writer.close().catch(() => {});
    await collector.stop();
  }
});
