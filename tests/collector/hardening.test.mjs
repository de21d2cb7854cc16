// The collector as something on the open internet: every request an attacker's. Real HTTP on
// loopback against the real binary; raw sockets where a well-behaved client (fetch) cannot say
// what an attacker says. Clients that play the attacker connect from 127.0.0.2/127.0.0.3, so the
// per-address connection cap leaves 127.0.0.1 for the honest client.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixtureIds, publishSite, startCollector, demoMounts, fixtureSurveys, payload, post, exported, acknowledgedLostAfterKill } from './collector.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sondar-hardening-'));
let server;

before(async () => {
  server = await startCollector(join(dir, 'main.db'), ['--origin', 'https://shop.example', ...demoMounts]);
});
after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Peak and current resident memory of a process, in MB (VmHWM, VmRSS). */
function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name) => Number(status.match(new RegExp(`${name}:\\s+(\\d+)`))[1]);
  return { peak: kb('VmHWM') / 1024, now: kb('VmRSS') / 1024 };
}

/** A raw connection; `reply` resolves with everything the server sent once it closes. */
function connect(port, localAddress = '127.0.0.2') {
  const socket = net.connect({ host: '127.0.0.1', port, localAddress });
  let data = '';
  socket.setEncoding('latin1');
  socket.on('data', (d) => (data += d));
  socket.on('error', () => {}); // a reset after the server refused is expected
  const closed = new Promise((resolve) => socket.on('close', resolve));
  const opened = new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, opened, closed, reply: () => closed.then(() => data), data: () => data };
}

/**
 * Writes `total` bytes of `piece` repeated, respecting backpressure, until done, closed, or (as
 * an HTTP client does) `answered()` says a response has arrived.
 */
async function pump(socket, piece, total, answered = () => false) {
  let sent = 0;
  while (sent < total && !socket.destroyed && socket.writable && !answered()) {
    const ok = socket.write(piece);
    sent += piece.length;
    if (!ok) {
      await new Promise((resolve) => {
        socket.once('drain', resolve);
        socket.once('close', resolve);
      });
    }
    // On loopback every write can complete at once and 'drain' comes without the event loop
    // ever polling: the reply would sit unread. A real client reads while it sends.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return sent;
}

const status = (text) => Number((text.match(/^HTTP\/1\.1 (\d{3})/) || [])[1]);

test('summary, export and the survey list answer 401 without the admin token', async () => {
  for (const path of ['/api/summary?survey=order-nps', '/api/export.jsonl', '/api/surveys', '/api/surveys/order-nps/versions', '/api/site/versions']) {
    for (const headers of [{}, { Authorization: 'Bearer wrong-token-of-some-length' }, { Authorization: `Basic ${server.token}` }, { Authorization: `Bearer ${server.token}x` }]) {
      const res = await fetch(`${server.url}${path}`, { headers });
      assert.equal(res.status, 401, `${path} with ${JSON.stringify(headers)}`);
      assert.match(res.headers.get('www-authenticate'), /^Bearer/);
      assert.equal((await res.json()).errors[0].code, 'unauthorized');
    }
    assert.equal((await fetch(`${server.url}${path}`, { headers: server.auth })).status, 200, path);
    assert.equal((await fetch(`${server.url}${path}`, { headers: { Authorization: `bearer ${server.token}` } })).status, 200, path);
  }
  // A survey definition is public once the published manifest uses it, and health says nothing
  // about the data.
  assert.equal((await fetch(`${server.url}/api/surveys/order-nps.json`)).status, 404);
  // (Every fixture survey on the site: once a manifest exists, anonymous posts answer only surveys a
  // manifest has named, and the tests below post to several.)
  assert.equal((await publishSite(server, fixtureIds)).status, 201);
  assert.equal((await fetch(`${server.url}/api/surveys/order-nps.json`)).status, 200);
  assert.deepEqual(await (await fetch(`${server.url}/api/health`)).json(), { ok: true });
  assert.equal(typeof (await (await fetch(`${server.url}/api/health`, { headers: server.auth })).json()).responses, 'number');
});

test('without a configured token the collector makes one and prints it; a short token is refused', async () => {
  const { spawn, spawnSync } = await import('node:child_process');
  const { binary } = await import('./collector.mjs');
  const env = { ...process.env };
  delete env.SONDAR_ADMIN_TOKEN;
  const child = spawn(binary, ['--port', '0', '--db', join(dir, 'generated.db'), '--surveys', fixtureSurveys], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  await new Promise((resolve) => child.stdout.on('data', (d) => (out += d).includes('listening on') && resolve()));
  const token = out.match(/admin token for this run[^:]*: ([0-9a-f]{32})/)[1];
  const url = out.match(/listening on (http:\/\/[\d.:]+)/)[1];
  assert.equal((await fetch(`${url}/api/surveys`)).status, 401);
  assert.equal((await fetch(`${url}/api/surveys`, { headers: { Authorization: `Bearer ${token}` } })).status, 200);
  child.kill('SIGTERM');

  const short = join(dir, 'short-token');
  writeFileSync(short, 'abc\n');
  const run = spawnSync(binary, ['--port', '0', '--db', join(dir, 'short.db'), '--surveys', fixtureSurveys, '--admin-token-file', short], { encoding: 'utf8' });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /at least 16 characters/);
});

test('cross-site posts: text/plain is 415, an unlisted Origin 403, a listed or same origin is accepted', async () => {
  const body = JSON.stringify(payload());
  const plain = await fetch(`${server.url}/api/responses`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body });
  assert.equal(plain.status, 415);
  for (const origin of ['https://evil.example', 'null', 'https://shop.example.evil.example']) {
    const r = await post(server.url, payload(), { Origin: origin });
    assert.equal(r.status, 403, origin);
    assert.equal(r.json.errors[0].code, 'origin_not_allowed');
  }
  assert.equal((await post(server.url, payload(), { Origin: 'https://shop.example' })).status, 201);
  assert.equal((await post(server.url, payload(), { Origin: server.url })).status, 201, 'same origin');
  assert.equal((await post(server.url, payload())).status, 201, 'no Origin: not a browser page');
});

test('a stored response is never replaced by another visitor nor moved to another survey (409); id case does not matter', async () => {
  const original = payload({ visitorId: 'visitor-honest', answers: { nps: 2, why: 'Slow delivery' } });
  assert.equal((await post(server.url, original)).status, 201);
  const forged = { ...original, visitorId: 'visitor-attacker', answers: { nps: 10 }, submittedAt: '9999-12-31T23:59:59.999Z' };
  const r = await post(server.url, forged);
  assert.equal(r.status, 409);
  assert.deepEqual(r.json.errors[0].path, 'visitorId');
  // The same id for the csat survey: acknowledged data must not be overwritten by another survey's.
  const csat = {
    ...payload({ surveyId: 'checkout-csat', visitorId: 'visitor-honest', answers: { csat: 5 }, trigger: 'checkout_complete', hidden: {} }),
    responseId: original.responseId,
  };
  const other = await post(server.url, csat);
  assert.equal(other.status, 409, JSON.stringify(other.json));
  assert.equal(other.json.errors[0].path, 'responseId');
  const upper = await post(server.url, { ...original, responseId: original.responseId.toUpperCase(), submittedAt: new Date().toISOString(), answers: { nps: 3 } });
  assert.equal(upper.status, 200);
  assert.equal(upper.json.responseId, original.responseId);
  const rows = (await exported(server)).filter((x) => x.responseId.toLowerCase() === original.responseId);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].surveyId, 'order-nps');
  assert.equal(rows[0].visitorId, 'visitor-honest');
  assert.deepEqual(rows[0].answers, { nps: 3 });
});

test('client clocks: a far-future or ancient submittedAt becomes the receive time and never reaches the summary', async () => {
  const ids = [];
  for (const when of ['9999-12-31T23:59:59.999Z', '2001-01-01T00:00:00Z']) {
    const p = payload({ startedAt: '2000-12-31T00:00:00Z', submittedAt: when });
    const before = Date.now();
    assert.equal((await post(server.url, p)).status, 201);
    const after = Date.now();
    const row = (await exported(server)).find((x) => x.responseId === p.responseId);
    const at = Date.parse(row.submittedAt);
    assert.ok(at >= before - 1000 && at <= after + 1000, `${when} stored as ${row.submittedAt}`);
    assert.ok(Date.parse(row.startedAt) <= at);
    ids.push(p.responseId);
  }
  // A device clock a minute fast is believed.
  const fast = payload({ submittedAt: new Date(Date.now() + 60_000).toISOString() });
  assert.equal((await post(server.url, fast)).status, 201);
  assert.equal((await exported(server)).find((x) => x.responseId === fast.responseId).submittedAt, fast.submittedAt);
  const summary = await (await fetch(`${server.url}/api/summary?survey=order-nps`, { headers: server.auth })).json();
  for (const day of Object.keys(summary.byDay)) assert.ok(day > '2026-01-01' && day < '2100-01-01', day);
});

test('bodies are capped while they are read: 300 MB chunked, Content-Length or length-less', async () => {
  const pid = server.process.pid;
  const start = memory(pid);
  // Chunked: refused as soon as it passes 64 KiB; the client's 300 MB never piles up.
  const chunked = connect(server.port);
  await chunked.opened;
  chunked.socket.write('POST /api/responses HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
  const piece = Buffer.from(`10000\r\n${'x'.repeat(0x10000)}\r\n`);
  const sent = await pump(chunked.socket, piece, 300 * 1024 * 1024, () => chunked.data().length > 0);
  const chunkedReply = await chunked.reply();
  assert.equal(status(chunkedReply), 413, chunkedReply.slice(0, 200));
  assert.ok(sent < 300 * 1024 * 1024, `the server stopped reading after ${sent} bytes`);

  // A Content-Length over the cap is refused before its first byte.
  const declared = connect(server.port);
  await declared.opened;
  declared.socket.write(`POST /api/responses HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${300 * 1024 * 1024}\r\n\r\n`);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(status(declared.data()), 413);
  declared.socket.destroy();

  // Neither length nor chunked: the request has no body (RFC 9112), so 400 at once, and what
  // follows is not buffered waiting for the end of the stream.
  const lengthless = connect(server.port);
  await lengthless.opened;
  lengthless.socket.write('POST /api/responses HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\r\n');
  const more = pump(lengthless.socket, Buffer.alloc(1 << 20, 'y'), 300 * 1024 * 1024, () => lengthless.data().includes('\r\n\r\n'));
  const first = await new Promise((resolve) => {
    const check = setInterval(() => lengthless.data().includes('\r\n\r\n') && (clearInterval(check), resolve(lengthless.data())), 20);
  });
  assert.equal(status(first), 400);
  await more;
  await lengthless.closed;

  const end = memory(pid);
  assert.ok(end.peak - start.peak < 64, `peak RSS grew from ${start.peak.toFixed(0)} to ${end.peak.toFixed(0)} MB`);
  assert.equal((await fetch(`${server.url}/api/health`)).status, 200);
});

test('at most 100 header fields and 16 KiB of head: 300,000 headers get 431', async () => {
  const pid = server.process.pid;
  const start = memory(pid);
  const flood = connect(server.port);
  await flood.opened;
  flood.socket.write('GET /api/health HTTP/1.1\r\nHost: x\r\n');
  await pump(flood.socket, Buffer.from('X-A: b\r\n'.repeat(1000)), 300_000 * 8, () => flood.data().length > 0);
  const reply = await flood.reply();
  assert.equal(status(reply), 431, reply.slice(0, 200));
  const many = connect(server.port);
  await many.opened;
  many.socket.write(`GET /api/health HTTP/1.1\r\nHost: x\r\n${'X-A: b\r\n'.repeat(101)}\r\n`);
  assert.equal(status(await many.reply()), 431);
  const fine = connect(server.port);
  await fine.opened;
  fine.socket.write(`GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${'X-A: b\r\n'.repeat(90)}\r\n`);
  assert.equal(status(await fine.reply()), 200);
  const end = memory(pid);
  assert.ok(end.peak - start.peak < 32, `peak RSS grew from ${start.peak.toFixed(0)} to ${end.peak.toFixed(0)} MB`);
});

test('smuggling shapes are refused: both lengths, two lengths, bare LF, odd encodings', async () => {
  const heads = [
    'POST /api/responses HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n',
    'POST /api/responses HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n',
    'POST /api/responses HTTP/1.1\r\nHost: x\nContent-Length: 5\r\n\r\n',
    'POST /api/responses HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n',
    'POST /api/responses HTTP/1.1\r\nHost: x\r\nContent-Length : 5\r\n\r\n',
  ];
  for (const head of heads) {
    const c = connect(server.port);
    await c.opened;
    c.socket.write(head);
    const reply = await c.reply();
    assert.ok([400, 501].includes(status(reply)), `${JSON.stringify(head)} -> ${reply.slice(0, 40)}`);
  }
});

test('a Range header is ignored: one whole file, never 2,700 parts', async () => {
  const file = statSync(join(root, 'dist/sondar.js')).size;
  const ranges = Array.from({ length: 2700 }, (_, i) => `${i}-${i}`).join(',');
  const res = await fetch(`${server.url}/dist/sondar.js`, { headers: { Range: `bytes=${ranges.slice(0, 15000)}` } });
  assert.equal(res.status, 200);
  assert.equal((await res.arrayBuffer()).byteLength, file);
  const one = await fetch(`${server.url}/dist/sondar.js`, { headers: { Range: 'bytes=0-9' } });
  assert.equal(one.status, 200);
  assert.equal((await one.arrayBuffer()).byteLength, file);
});

test('slow clients (slowloris) cannot stop service, and are cut off at the request timeout', async (t) => {
  const slow = await startCollector(join(dir, 'slow.db'), ['--request-timeout', '2']);
  t.after(() => slow.stop());
  const SLOW = 200; // more than the 64 workers the old server had
  const clients = [];
  for (let i = 0; i < SLOW; i++) {
    const c = connect(slow.port);
    await c.opened;
    c.socket.write('POST /api/responses HTTP/1.1\r\nHost: x\r\n');
    clients.push(c);
  }
  const drip = setInterval(() => clients.forEach((c) => !c.socket.destroyed && c.socket.write('X')), 300);
  try {
    // While all of them trickle, the honest client is served, again and again.
    const started = Date.now();
    for (let i = 0; i < 20; i++) {
      const r = await post(slow.url, payload());
      assert.equal(r.status, 201);
    }
    const served = Date.now() - started;
    const stillOpen = clients.filter((c) => !c.socket.destroyed).length;
    assert.ok(stillOpen > SLOW / 2, `the slow clients were still connected while we were served (${stillOpen})`);
    t.diagnostic(`20 posts served in ${served} ms next to ${stillOpen} slowloris connections`);
    // A byte every 300 ms does not extend the deadline: 408 and closed.
    const replies = await Promise.race([
      Promise.all(clients.map((c) => c.reply())),
      new Promise((_, reject) => setTimeout(() => reject(new Error('slow clients were not cut off')), 8000)),
    ]);
    assert.ok(replies.every((r) => status(r) === 408), replies.find((r) => status(r) !== 408));
  } finally {
    clearInterval(drip);
    clients.forEach((c) => c.socket.destroy());
  }
});

test('one client address holds at most its share of connections; others are still served', async (t) => {
  const capped = await startCollector(join(dir, 'capped.db'), ['--max-connections-per-client', '20']);
  t.after(() => capped.stop());
  const opened = [];
  for (let i = 0; i < 21; i++) {
    const c = connect(capped.port, '127.0.0.3');
    await c.opened;
    opened.push(c);
  }
  // Connections are counted as they are accepted, which is not always the order in which the
  // client opened them: exactly one of the 21 is answered 503 at once, the others wait (for a
  // request, up to the idle timeout).
  const [index, refused] = await Promise.race(opened.map((c, i) => c.reply().then((r) => [i, r])));
  assert.equal(status(refused), 503);
  assert.match(refused, /Retry-After: 1/);
  const held = opened.filter((_, i) => i !== index);
  assert.equal((await fetch(`${capped.url}/api/health`)).status, 200, 'another address is served');
  held[0].socket.destroy();
  await held[0].closed;
  await new Promise((resolve) => setTimeout(resolve, 200));
  const again = connect(capped.port, '127.0.0.3');
  await again.opened;
  again.socket.write('GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal(status(await again.reply()), 200, 'a freed slot is usable again');
  held.forEach((c) => c.socket.destroy());
});

test('the listen backlog really is 512 (or the kernel cap)', () => {
  const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
  const line = execFileSync('ss', ['-ltnH', `sport = :${server.port}`], { encoding: 'utf8' }).trim();
  const backlog = Number(line.split(/\s+/)[2]); // State Recv-Q Send-Q: Send-Q is the backlog
  assert.equal(backlog, Math.min(512, somaxconn), line);
});

test('static files: no symlink out of a mount, no NUL tricks; nosniff and a CSP with frame-ancestors', async (t) => {
  const site = join(dir, 'site');
  mkdirSync(join(site, 'sub'), { recursive: true });
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>shop</title>');
  writeFileSync(join(site, 'evil.html'), '<script>alert(1)</script>');
  writeFileSync(join(site, 'sub', 'app.js'), 'export {};');
  symlinkSync('/etc/passwd', join(site, 'passwd.txt'));
  symlinkSync('/etc', join(site, 'etc'));
  symlinkSync(join(site, 'sub', 'app.js'), join(site, 'alias.js')); // inside the mount: fine
  const mounted = await startCollector(join(dir, 'static.db'), ['--mount', `/=${site}`]);
  t.after(() => mounted.stop());
  for (const path of ['/passwd.txt', '/etc/passwd', '/etc/hostname', '/sub/../../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd']) {
    const res = await fetch(`${mounted.url}${path}`);
    const text = await res.text();
    assert.ok(res.status === 404 || res.status === 400, `${path}: ${res.status}`);
    assert.doesNotMatch(text, /root:/, path);
  }
  for (const path of ['/evil.html%00.js', '/sub/app.js%00.html', '/index.html%0a']) {
    const res = await fetch(`${mounted.url}${path}`);
    assert.notEqual(res.status, 200, path);
  }
  const page = await fetch(`${mounted.url}/`);
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
  assert.match(page.headers.get('content-security-policy'), /frame-ancestors 'none'/);
  assert.match(page.headers.get('content-security-policy'), /script-src 'self' 'wasm-unsafe-eval'/);
  const alias = await fetch(`${mounted.url}/alias.js`);
  assert.equal(alias.status, 200);
  assert.equal(alias.headers.get('content-type'), 'text/javascript; charset=utf-8');
  const api = await fetch(`${mounted.url}/api/health`);
  assert.equal(api.headers.get('x-content-type-options'), 'nosniff');
  assert.match(api.headers.get('content-security-policy'), /default-src 'none'; frame-ancestors 'none'/);
});

test('two collectors starting at once on one database file both start, and share it', async () => {
  for (let round = 0; round < 10; round++) {
    const db = join(dir, `shared-${round}.db`);
    const pair = await Promise.all([startCollector(db), startCollector(db)]);
    try {
      const [a, b] = pair;
      assert.equal((await post(a.url, payload())).status, 201);
      assert.equal((await post(b.url, payload())).status, 201);
      assert.equal((await exported(a)).length, 2);
      assert.equal((await exported(b)).length, 2);
    } finally {
      await Promise.all(pair.map((c) => c.stop()));
    }
  }
});

test('kill -9 in the middle of a load loses no acknowledged response', async () => {
  const { acknowledged, lost } = await acknowledgedLostAfterKill(join(dir, 'crash.db'));
  assert.ok(acknowledged > 20, `${acknowledged} acknowledged before the kill`);
  assert.deepEqual(lost, [], `${lost.length} of ${acknowledged} acknowledged responses lost`);
});

/** POST a response from `localAddress` (127.0.0.x), as another client would. */
function postFrom(url, body, localAddress, headers = {}) {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const req = http.request(`${url}/api/responses`, {
      method: 'POST',
      localAddress,
      agent: false,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers },
    }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (data += d));
      res.on('end', () => {
        let json = null;
        try {
          json = JSON.parse(data);
        } catch {}
        resolve({ status: res.statusCode, headers: res.headers, json });
      });
    });
    req.on('error', reject);
    req.end(text);
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test('slow readers: pipelined GETs for a big file that are never read cost sockets, not service', async (t) => {
  const slow = await startCollector(join(dir, 'readers.db'), [...demoMounts, '--write-timeout', '3', '--max-connections-per-client', '24']);
  t.after(() => slow.stop());
  const big = '/web/lib/sondar-core.wasm';
  assert.ok(statSync(join(root, 'web/lib/sondar-core.wasm')).size > 100_000);
  const readers = [];
  for (let i = 0; i < 24; i++) {
    const c = connect(slow.port, '127.0.0.2');
    await c.opened;
    c.socket.pause(); // never read a byte
    c.socket.write(`GET ${big} HTTP/1.1\r\nHost: x\r\n\r\n`.repeat(100));
    readers.push(c);
  }
  try {
    // Every worker the old server had would now be stuck in a write; a post beside them is
    // answered at once, again and again.
    let slowest = 0;
    for (let i = 0; i < 10; i++) {
      const started = Date.now();
      assert.equal((await post(slow.url, payload())).status, 201);
      slowest = Math.max(slowest, Date.now() - started);
      await sleep(100);
    }
    t.diagnostic(`slowest of 10 posts beside 24 stalled readers: ${slowest} ms`);
    assert.ok(slowest < 1000, `a post took ${slowest} ms`);
    // The address's 24 connections are all taken...
    const extra = connect(slow.port, '127.0.0.2');
    assert.equal(status(await extra.reply()), 503);
    // ...until the write deadline cuts the stalled readers off and frees them: each first fills
    // the kernel's buffers (a few MB), then waits 3 s on a write that never completes.
    const started = Date.now();
    let freed = false;
    while (!freed && Date.now() - started < 20_000) {
      const again = connect(slow.port, '127.0.0.2');
      await again.opened;
      again.socket.write('GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      freed = status(await again.reply()) === 200;
      if (!freed) await sleep(200);
    }
    t.diagnostic(`the stalled readers' slots were free again after ${Date.now() - started} ms`);
    assert.ok(freed, 'the write deadline freed the slots of readers that never read');
  } finally {
    readers.forEach((c) => c.socket.destroy());
  }
});

test('rate limit per address: 429 with Retry-After past the burst, accepted again after', async (t) => {
  const limited = await startCollector(join(dir, 'rate.db'), ['--post-rate', '2', '--post-burst', '5'], { abuseLimits: true });
  t.after(() => limited.stop());
  for (let i = 0; i < 5; i++) assert.equal((await postFrom(limited.url, payload({ visitorId: `v-${i}` }), '127.0.0.2')).status, 201);
  const refused = await postFrom(limited.url, payload({ visitorId: 'v-5' }), '127.0.0.2');
  assert.equal(refused.status, 429);
  assert.equal(refused.json.errors[0].code, 'rate_limited');
  const wait = Number(refused.headers['retry-after']);
  assert.ok(wait >= 1 && wait <= 2, `Retry-After ${refused.headers['retry-after']}`);
  // Another address is not held up, and an import with the admin token is not anonymous.
  assert.equal((await postFrom(limited.url, payload(), '127.0.0.3')).status, 201);
  assert.equal((await postFrom(limited.url, payload(), '127.0.0.2', limited.auth)).status, 201);
  await sleep(wait * 1000);
  assert.equal((await postFrom(limited.url, payload({ visitorId: 'v-6' }), '127.0.0.2')).status, 201);
  // 200 posts as fast as one client can: all but the burst (and what 2 a second added meanwhile)
  // refused, and nothing else stored.
  const started = Date.now();
  const statuses = await Promise.all(Array.from({ length: 200 }, (_, i) => postFrom(limited.url, payload({ visitorId: `f-${i}` }), '127.0.0.4').then((r) => r.status)));
  const seconds = (Date.now() - started) / 1000;
  const accepted = statuses.filter((s) => s === 201).length;
  assert.ok(accepted >= 5 && accepted <= 5 + Math.ceil(2 * seconds), `${accepted} of 200 accepted in ${seconds} s`);
  assert.equal(statuses.filter((s) => s === 429).length, 200 - accepted);
  assert.equal((await exported(limited)).filter((r) => r.visitorId.startsWith('f-')).length, accepted);
});

test('per-visitor cap: new responses past it get 429, versions of its responses still land', async (t) => {
  const capped = await startCollector(join(dir, 'visitor.db'), ['--post-rate', '0', '--max-new-per-visitor', '3', '--visitor-window', '3'], { abuseLimits: true });
  t.after(() => capped.stop());
  // Windows are fixed 3 s slices of the clock: start just after one begins, so the four posts
  // below fall in the same one.
  while (Date.now() % 3000 > 100) await sleep(20);
  const first = [];
  for (let i = 0; i < 3; i++) {
    const p = payload({ visitorId: 'v-cap', status: 'partial', answers: { nps: 3 } });
    assert.equal((await post(capped.url, p)).status, 201);
    first.push(p);
  }
  const fourth = await post(capped.url, payload({ visitorId: 'v-cap' }));
  assert.equal(fourth.status, 429);
  assert.equal(fourth.json.errors[0].code, 'visitor_limit');
  assert.equal(fourth.json.errors[0].path, 'visitorId');
  const wait = Number(fourth.headers.get('retry-after'));
  assert.ok(wait >= 1 && wait <= 3, `Retry-After ${wait}`);
  // Completing a response already started is not a new one.
  const done = await post(capped.url, { ...first[0], status: 'complete', answers: { nps: 4, why: 'Faster' }, submittedAt: new Date().toISOString() });
  assert.equal(done.status, 200);
  assert.equal(done.json.stored, 'replaced');
  assert.equal((await post(capped.url, payload({ visitorId: 'v-other' }))).status, 201);
  await sleep(wait * 1000);
  assert.equal((await post(capped.url, payload({ visitorId: 'v-cap' }))).status, 201, 'accepted in the next window');
  assert.equal((await exported(capped)).filter((r) => r.visitorId === 'v-cap').length, 4);
});

test('x- members are stored only up to 2 KiB a response: a 65 KB pad is refused with its path', async (t) => {
  const bounded = await startCollector(join(dir, 'extensions.db'), [], { abuseLimits: true });
  t.after(() => bounded.stop());
  const padded = payload({ 'x-pad': 'x'.repeat(60_000) });
  const r = await post(bounded.url, padded);
  assert.equal(r.status, 413);
  assert.equal(r.json.errors[0].path, 'x-pad');
  assert.match(r.json.errors[0].message, /at most 2048/);
  const small = payload({ 'x-shop': { cart: 'A-1', items: 3 } });
  assert.equal((await post(bounded.url, small)).status, 201);
  const rows = await exported(bounded);
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0]['x-shop'], { cart: 'A-1', items: 3 });
});

test('storage quota per survey: past it a retryable 503, and every acknowledged response is kept', async (t) => {
  const quota = await startCollector(join(dir, 'quota.db'), ['--max-survey-mb', '0.05'], { abuseLimits: false });
  t.after(() => quota.stop());
  await sleep(300); // the first count of stored bytes
  const acknowledged = [];
  let refused;
  for (let i = 0; i < 200 && !refused; i++) {
    const p = payload({ answers: { nps: 2, why: 'y'.repeat(450) } });
    const r = await post(quota.url, p);
    if (r.status === 201) acknowledged.push(p.responseId);
    else refused = r;
  }
  assert.ok(refused, 'the quota was reached');
  assert.equal(refused.status, 503);
  assert.equal(refused.json.errors[0].code, 'quota_exceeded');
  assert.ok(Number(refused.headers.get('retry-after')) > 0);
  assert.ok(acknowledged.length >= 30 && acknowledged.length <= 60, `${acknowledged.length} stored in 50 KiB`);
  // Another survey has a quota of its own.
  assert.equal((await post(quota.url, payload({ surveyId: 'help-ces', answers: { effort: 6 }, trigger: null, hidden: {} }))).status, 201);
  const stored = new Set((await exported(quota, 'order-nps')).map((r) => r.responseId));
  assert.deepEqual(acknowledged.filter((id) => !stored.has(id)), []);
  assert.equal(stored.size, acknowledged.length);
});

test('closeAfter: one address cannot close a survey for everyone; each address counts 3 at most', async (t) => {
  // Behind a trusted proxy, as in production: X-Forwarded-For names the client.
  const proxied = await startCollector(join(dir, 'close.db'), ['--post-rate', '0', '--max-new-per-visitor', '0', '--trusted-proxy', '127.0.0.1'], { abuseLimits: true });
  t.after(() => proxied.stop());
  const help = (over = {}) => payload({ surveyId: 'help-ces', answers: { effort: 7 }, trigger: null, hidden: {}, ...over });
  const flood = await Promise.all(Array.from({ length: 600 }, (_, i) => post(proxied.url, help({ visitorId: `bot-${i}` }), { 'X-Forwarded-For': '203.0.113.9' })));
  assert.ok(flood.every((r) => r.status === 201), 'the flood is stored (it may be real)');
  // A forged X-Forwarded-For to the left of the proxy's entry changes nothing.
  for (let i = 0; i < 5; i++) assert.equal((await post(proxied.url, help(), { 'X-Forwarded-For': `198.51.100.${i}, 203.0.113.9` })).status, 201);
  // Four real visitors from other addresses.
  for (let i = 0; i < 4; i++) assert.equal((await post(proxied.url, help(), { 'X-Forwarded-For': `192.0.2.${10 + i}` })).status, 201);
  const want = 3 + 4;
  let counts;
  for (const until = Date.now() + 8000; Date.now() < until; await sleep(250)) {
    counts = await (await fetch(`${proxied.url}/api/responses/counts?surveys=help-ces`)).json();
    if (counts['help-ces'] === want) break;
  }
  assert.deepEqual(counts, { 'help-ces': want }, 'the survey (closeAfter 500) stays open');
  assert.equal((await exported(proxied, 'help-ces')).length, 609);
});

test('CORS: a preflight gets the headers it asks for (the widget\'s `headers` option); every answer varies by Origin', async (t) => {
  const cors = await startCollector(join(dir, 'cors.db'), ['--origin', 'https://shop.example']);
  t.after(() => cors.stop());
  const preflight = await fetch(`${cors.url}/api/responses`, {
    method: 'OPTIONS',
    headers: { Origin: 'https://shop.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,idempotency-key,x-shop-token' },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get('access-control-allow-headers'), 'content-type,idempotency-key,x-shop-token');
  assert.match(preflight.headers.get('vary'), /Origin/);
  // A header list that is not a list of names is not echoed.
  const odd = await fetch(`${cors.url}/api/responses`, { method: 'OPTIONS', headers: { Origin: 'https://shop.example', 'Access-Control-Request-Headers': 'x-a;evil=1' } });
  assert.equal(odd.headers.get('access-control-allow-headers'), 'Content-Type, Idempotency-Key');
  for (const headers of [{}, { Origin: 'https://evil.example' }, { Origin: 'https://shop.example' }]) {
    const res = await fetch(`${cors.url}/api/health`, { headers });
    assert.match(res.headers.get('vary') || '', /Origin/, JSON.stringify(headers));
    const denied = await post(cors.url, payload(), headers);
    assert.match(denied.headers.get('vary') || '', /Origin/, JSON.stringify(headers));
  }
});

test('a read error is never served as the whole: summary 503, export cut without its last chunk', async (t) => {
  const db = join(dir, 'corrupt.db');
  const writer = await startCollector(db);
  const marker = 'MARKER-read-error-probe';
  for (let i = 0; i < 1500; i++) {
    const improve = i === 750 ? marker : `comment ${i} ${'z'.repeat(200)}`;
    assert.equal((await post(writer.url, payload({ answers: { nps: 3, why: improve } }))).status, 201);
  }
  assert.equal(await writer.stop(), 0); // checkpoints the WAL into the file
  // Overwrite the table page holding one row with garbage, as a failing disk would.
  const bytes = readFileSync(db);
  const page = bytes.readUInt16BE(16) === 1 ? 65536 : bytes.readUInt16BE(16);
  // The payload's copy (the comments table holds the text alone), so the page hit is the responses table's.
  const at = bytes.indexOf(`"why":"${marker}"`);
  assert.ok(at > 0);
  const start = Math.floor(at / page) * page;
  bytes.fill(0xa5, start, start + page);
  writeFileSync(db, bytes);
  const reader = await startCollector(db);
  t.after(() => reader.stop());
  // A summary by a hidden value that the index of hidden values cannot hold (a NUL) reads every
  // payload (a plain one reads the records in an index, which this damage does not reach).
  const summary = await fetch(`${reader.url}/api/summary?survey=order-nps&hidden.segment=%00`, { headers: reader.auth });
  assert.equal(summary.status, 503);
  assert.equal((await summary.json()).errors[0].code, 'storage');
  assert.ok(Number(summary.headers.get('retry-after')) > 0);
  const exportRes = await fetch(`${reader.url}/api/export.jsonl?survey=order-nps`, { headers: reader.auth });
  assert.equal(exportRes.status, 200); // the head went out before the bad page was reached
  await assert.rejects(exportRes.text(), 'the stream must not end cleanly');
  // The collector is still up for posts.
  assert.equal((await fetch(`${reader.url}/api/health`)).status, 200);
});

test('a full disk: posts get 503 with Retry-After, health says 503, and both recover when space is freed', async (t) => {
  if (process.getuid?.() !== 0) {
    t.skip('needs root to mount a small tmpfs');
    return;
  }
  const disk = join(dir, 'disk');
  mkdirSync(disk);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', disk]);
  t.after(() => execFileSync('umount', ['-l', disk]));
  const full = await startCollector(join(disk, 'full.db'));
  t.after(() => full.stop());
  // Fill the disk but for a little room, with a file that can be removed later.
  const filler = join(disk, 'filler');
  writeFileSync(filler, Buffer.alloc(2 * 1024 * 1024));
  const acknowledged = [];
  let failed;
  for (let i = 0; i < 2000 && !failed; i++) {
    const p = payload({ answers: { nps: 1, why: `${i} ${'w'.repeat(450)}` } });
    const r = await post(full.url, p);
    if (r.status === 201) acknowledged.push(p.responseId);
    else failed = r;
  }
  assert.ok(failed, 'the disk filled up');
  assert.equal(failed.status, 503);
  assert.equal(failed.json.errors[0].code, 'storage');
  assert.ok(Number(failed.headers.get('retry-after')) > 0);
  const sick = await fetch(`${full.url}/api/health`);
  assert.equal(sick.status, 503);
  assert.equal((await sick.json()).ok, false);
  assert.ok(Number(sick.headers.get('retry-after')) > 0);
  rmSync(filler);
  let healthy = false;
  for (const until = Date.now() + 10_000; !healthy && Date.now() < until; await sleep(250)) {
    healthy = (await fetch(`${full.url}/api/health`)).status === 200;
  }
  assert.ok(healthy, 'health recovers once space is freed');
  const after = payload();
  assert.equal((await post(full.url, after)).status, 201);
  acknowledged.push(after.responseId);
  const stored = new Set((await exported(full)).map((r) => r.responseId));
  assert.deepEqual(acknowledged.filter((id) => !stored.has(id)), [], 'no acknowledged response lost');
});

test('HEAD of a streamed export is its head alone; the connection then ends', async (t) => {
  const c = connect(server.port, '127.0.0.1');
  await c.opened;
  c.socket.write(`HEAD /api/export.jsonl HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${server.token}\r\n\r\n`);
  const reply = await c.reply();
  assert.equal(status(reply), 200);
  assert.ok(reply.endsWith('\r\n\r\n'), `nothing after the head: ${JSON.stringify(reply.slice(-80))}`);
  assert.doesNotMatch(reply, /"responseId"/);
  t.diagnostic(reply.split('\r\n')[0]);
});

test('behind a trusted proxy, a forged X-Forwarded-For line of the client\'s own counts for nothing', async (t) => {
  const proxied = await startCollector(join(dir, 'xff.db'), ['--post-rate', '1', '--post-burst', '2', '--max-new-per-visitor', '0', '--trusted-proxy', '127.0.0.1'], { abuseLimits: true });
  t.after(() => proxied.stop());
  // The proxy adds a line of its own naming the client (HAProxy's option forwardfor does).
  const send = (forged) => new Promise((resolve) => {
    const c = connect(proxied.port, '127.0.0.1');
    const body = JSON.stringify(payload());
    c.opened.then(() => c.socket.write(`POST /api/responses HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Forwarded-For: ${forged}\r\nX-Forwarded-For: 203.0.113.50\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`));
    c.reply().then((r) => resolve(status(r)));
  });
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push(await send(`198.51.100.${i}`));
  // One client (203.0.113.50) with a burst of 2, whatever it wrote itself.
  assert.deepEqual(statuses, [201, 201, 429, 429]);
  // Another client behind the same proxy has a bucket of its own.
  assert.equal((await post(proxied.url, payload(), { 'X-Forwarded-For': '203.0.113.51' })).status, 201);
});

test('the server\'s own refusals carry CORS headers, so a page can read them', async (t) => {
  const cors = await startCollector(join(dir, 'cors-refusal.db'), ['--origin', 'https://shop.example']);
  t.after(() => cors.stop());
  const c = connect(cors.port, '127.0.0.1');
  await c.opened;
  c.socket.write(`POST /api/responses HTTP/1.1\r\nHost: x\r\nOrigin: https://shop.example\r\nContent-Type: application/json\r\nContent-Length: ${10 * 1024 * 1024}\r\n\r\n`);
  const reply = await c.reply();
  assert.equal(status(reply), 413);
  assert.match(reply, /Access-Control-Allow-Origin: https:\/\/shop\.example/i);
  assert.match(reply, /Vary: Origin/i);
});
