// A fault-injecting HTTP proxy on 127.0.0.1 in front of the collector. POSTs to
// /api/responses are, by a seeded draw: dropped before reaching the collector, forwarded but
// the answer dropped (stored, yet the client sees a network error), answered 503 with
// Retry-After, delayed, or passed through. Everything else passes through.
import http from 'node:http';

export async function startFaultProxy(target, { seed = 1, rates = { dropBefore: 0.12, dropAfter: 0.12, unavailable: 0.15, delay: 0.1 } } = {}) {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  const counts = { forwarded: 0, dropBefore: 0, dropAfter: 0, unavailable: 0, delayed: 0, retriedGets: 0 };
  const upstream = new URL(target);
  // A fresh upstream connection per request: reusing a keep-alive socket the collector is just
  // closing (1 s idle timeout) resets the request, which would be our fault, not an injected one.
  const agent = new http.Agent({ keepAlive: false });
  const forward = (req, body) =>
    new Promise((resolve, reject) => {
      const out = http.request({ agent, host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      out.on('error', reject);
      out.end(body);
    });
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    try {
      if (req.method === 'POST' && req.url.startsWith('/api/responses')) {
        const roll = random();
        const { dropBefore, dropAfter, unavailable, delay } = rates;
        if (roll < dropBefore) {
          counts.dropBefore++;
          return req.socket.destroy();
        }
        if (roll < dropBefore + unavailable) {
          counts.unavailable++;
          return res.writeHead(503, { 'Retry-After': '1', 'Content-Type': 'application/json' }).end('{}');
        }
        if (roll < dropBefore + unavailable + delay) {
          counts.delayed++;
          await new Promise((r) => setTimeout(r, 1500));
        }
        const answer = await forward(req, body);
        counts.forwarded++;
        if (roll >= 1 - dropAfter) {
          counts.dropAfter++;
          return req.socket.destroy(); // stored upstream, but the client never hears so
        }
        return res.writeHead(answer.status, answer.headers).end(answer.body);
      }
      // Pages, scripts and surveys are not under test here. A fresh upstream connection can be
      // reset when this process is too busy to send its request within the collector's 1 s
      // idle timeout (50 browsers share the machine), so GETs get one more try.
      const answer = await forward(req, body).catch((error) => {
        if (req.method !== 'GET') throw error;
        counts.retriedGets++;
        return forward(req, body);
      });
      res.writeHead(answer.status, answer.headers).end(answer.body);
    } catch (error) {
      // Not an injected fault: say what failed, so a red run can be read.
      console.error(`fault proxy: ${req.method} ${req.url} could not be forwarded: ${error.code || error.message}`);
      res.writeHead(502).end();
    }
  });
  server.keepAliveTimeout = 1000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, counts, close: () => new Promise((r) => server.close(r)) };
}
