// Test server on 127.0.0.1: serves the repository (dist/, web/, tests/) read-only, records
// POSTs to /collect, and sets the Content-Security-Policy a page asks for through its path:
//   /csp/<name>/...  -> the policy named <name> in POLICIES.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm', '.css': 'text/css', '.png': 'image/png' };

export const POLICIES = {
  strict: "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'",
  nowasm: "default-src 'self'; script-src 'self'; style-src 'self'",
};

/**
 * `faults` is consumed one per POST to /collect: {status, headers} answers with that status,
 * {drop: true} destroys the connection, {delayMs} waits first. Accepted posts go to `posts`.
 * @returns {Promise<{url: string, posts: Array<{headers: object, body: any}>, faults: object[], close: () => Promise<void>}>}
 */
export async function startServer() {
  const posts = [];
  const faults = [];
  // How many POSTs of one responseId were in flight at once, at most.
  const inflight = new Map();
  const maxInflight = new Map();
  const server = http.createServer(async (req, res) => {
    let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let policy = null;
    const csp = path.match(/^\/csp\/([a-z]+)(\/.*)$/);
    if (csp) {
      policy = POLICIES[csp[1]];
      path = csp[2];
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
    const file = normalize(root + path.replace(/^\/+/, ''));
    if (!file.startsWith(root) || file.includes('node_modules')) return res.writeHead(403).end();
    try {
      const body = await readFile(file);
      const headers = { 'Content-Type': TYPES[extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-store' };
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
    maxInflight,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
