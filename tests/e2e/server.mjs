// Test server on 127.0.0.1: serves the repository (dist/, web/, tests/) read-only, records
// POSTs to /collect, and shapes a page through prefixes of its path, in this order:
//   /cached/...        served as most shops serve pages: no Cache-Control: no-store, so the
//                      back/forward cache keeps them (the default is no-store)
//   /csp/<name>/...    with the Content-Security-Policy named <name> in POLICIES
//   /case/<a+b>/...    with tests/e2e/pages/cases/<a>.js (then <b>.js) run first in <head>: the
//                      hostile things a shop's page does before the widget arrives
// Every HTML page gets tests/e2e/pages/recorder.js first of all (sondar events, page errors), so
// tests need no driver-specific init scripts and run the same in every engine.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const VENDOR = {
  '/vendor/bootstrap.css': 'web/node_modules/bootstrap/dist/css/bootstrap.min.css',
  '/vendor/tailwind-preflight.css': 'web/node_modules/tailwindcss/preflight.css',
};
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm', '.css': 'text/css', '.png': 'image/png' };

export const POLICIES = {
  strict: "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'",
  nowasm: "default-src 'self'; script-src 'self'; style-src 'self'",
};

/**
 * `faults` is consumed one per POST to /collect: {status, headers} answers with that status,
 * {drop: true} destroys the connection, {delayMs} waits first. Accepted posts go to `posts`.
 * `counts` ({surveyId: n}) is what GET /collect/counts reports for closeAfter.
 * @returns {Promise<{url: string, posts: Array<{headers: object, body: any}>, faults: object[], close: () => Promise<void>}>}
 */
export async function startServer() {
  const posts = [];
  const faults = [];
  const counts = {}; // responses per survey id, as a collector would report them
  const reports = []; // what self-driving pages (tests/e2e/pages/cases/) say happened to them
  // How many POSTs of one responseId were in flight at once, at most.
  const inflight = new Map();
  const maxInflight = new Map();
  const server = http.createServer(async (req, res) => {
    let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    // The prefixes shape pages only: a POST to /csp/strict/collect is not a POST to /collect.
    const raw = path;
    let policy = null;
    let cached = false;
    let cases = [];
    const prefix = path.match(/^\/cached(\/.*)$/);
    if (prefix) {
      cached = true;
      path = prefix[1];
    }
    const csp = path.match(/^\/csp\/([a-z]+)(\/.*)$/);
    if (csp) {
      policy = POLICIES[csp[1]];
      path = csp[2];
    }
    const shaped = path.match(/^\/case\/([a-z0-9+-]+)(\/.*)$/);
    if (shaped) {
      cases = shaped[1].split('+');
      path = shaped[2];
    }
    if (req.method === 'POST') path = raw;
    if (req.method === 'POST' && path === '/report') {
      let body = '';
      for await (const chunk of req) body += chunk;
      reports.push(JSON.parse(body));
      return res.writeHead(204).end();
    }
    // What a collector answers for closeAfter: GET <endpoint>/counts?surveys=a,b.
    if (req.method === 'GET' && path === '/collect/counts') {
      const wanted = new URL(req.url, 'http://x').searchParams.get('surveys') || '';
      const body = Object.fromEntries(wanted.split(',').filter((id) => id in counts).map((id) => [id, counts[id]]));
      return res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(body));
    }
    if (req.method === 'POST' && path === '/collect') {
      let body = '';
      for await (const chunk of req) body += chunk;
      const id = req.headers['idempotency-key'];
      inflight.set(id, (inflight.get(id) || 0) + 1);
      maxInflight.set(id, Math.max(maxInflight.get(id) || 0, inflight.get(id)));
      res.on('close', () => inflight.set(id, inflight.get(id) - 1));
      const fault = faults.shift() || {};
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault.drop) return req.socket.destroy();
      if (fault.status) return res.writeHead(fault.status, fault.headers || {}).end('{}');
      posts.push({ headers: req.headers, body: JSON.parse(body) });
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
      return;
    }
    const vendored = VENDOR[path];
    const file = normalize(root + (vendored || path.replace(/^\/+/, '')));
    if (!file.startsWith(root) || (!vendored && file.includes('node_modules'))) return res.writeHead(403).end();
    try {
      let body = await readFile(file);
      if (extname(file) === '.html') {
        const first = ['recorder', ...cases].map((c) => `<script src="/tests/e2e/pages/${c === 'recorder' ? '' : 'cases/'}${c}.js"></script>`).join('');
        body = Buffer.from(String(body).replace(/<head>/i, `<head>${first}`));
      }
      const headers = { 'Content-Type': TYPES[extname(file)] || 'application/octet-stream' };
      if (!cached) headers['Cache-Control'] = 'no-store';
      if (policy) headers['Content-Security-Policy'] = policy;
      res.writeHead(200, headers).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    posts,
    faults,
    counts,
    reports,
    maxInflight,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
