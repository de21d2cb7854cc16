// The collector as something on the open internet: every request an attacker's. Real HTTP on
// loopback against the real binary; raw sockets where a well-behaved client (fetch) cannot say
// what an attacker says. Clients that play the attacker connect from 127.0.0.2/127.0.0.3, so the
// per-address connection cap leaves 127.0.0.1 for the honest client.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCollector, demoMounts, payload, post, exported, acknowledgedLostAfterKill } from './collector.mjs';

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
  for (const path of ['/api/summary?survey=order-nps', '/api/export.jsonl', '/api/surveys']) {
    for (const headers of [{}, { Authorization: 'Bearer wrong-token-of-some-length' }, { Authorization: `Basic ${server.token}` }, { Authorization: `Bearer ${server.token}x` }]) {
      const res = await fetch(`${server.url}${path}`, { headers });
      assert.equal(res.status, 401, `${path} with ${JSON.stringify(headers)}`);
      assert.match(res.headers.get('www-authenticate'), /^Bearer/);
      assert.equal((await res.json()).errors[0].code, 'unauthorized');
    }
    assert.equal((await fetch(`${server.url}${path}`, { headers: server.auth })).status, 200, path);
    assert.equal((await fetch(`${server.url}${path}`, { headers: { Authorization: `bearer ${server.token}` } })).status, 200, path);
  }
  // The widget's own survey definitions stay public, and health says nothing about the data.
  assert.equal((await fetch(`${server.url}/api/surveys/order-nps.json`)).status, 200);
  assert.deepEqual(await (await fetch(`${server.url}/api/health`)).json(), { ok: true });
  assert.equal(typeof (await (await fetch(`${server.url}/api/health`, { headers: server.auth })).json()).responses, 'number');
});

test('without a configured token the collector makes one and prints it; a short token is refused', async () => {
  const { spawn, spawnSync } = await import('node:child_process');
  const { binary } = await import('./collector.mjs');
  const env = { ...process.env };
  delete env.SONDAR_ADMIN_TOKEN;
  const child = spawn(binary, ['--port', '0', '--db', join(dir, 'generated.db'), '--surveys', `${root}demo/surveys`], { env, stdio: ['ignore', 'pipe', 'inherit'] });
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
  const run = spawnSync(binary, ['--port', '0', '--db', join(dir, 'short.db'), '--surveys', `${root}demo/surveys`, '--admin-token-file', short], { encoding: 'utf8' });
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
  const original = payload({ visitorId: 'visitor-honest', answers: { nps: 2, improve: 'Slow delivery' } });
  assert.equal((await post(server.url, original)).status, 201);
  const forged = { ...original, visitorId: 'visitor-attacker', answers: { nps: 10 }, submittedAt: '9999-12-31T23:59:59.999Z' };
  const r = await post(server.url, forged);
  assert.equal(r.status, 409);
  assert.deepEqual(r.json.errors[0].path, 'visitorId');
  // The same id for the csat survey: acknowledged data must not be overwritten by another survey's.
  const csat = {
    ...payload({ surveyId: 'checkout-csat', visitorId: 'visitor-honest', answers: { csat: 5 }, trigger: 'checkout_complete' }),
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
  // Accepted sockets reach the collector's connection count through a worker pool, so which of
  // the 21 is the one too many is not fixed: exactly one is answered 503 at once, the others wait
  // (for a request, up to the request timeout).
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
