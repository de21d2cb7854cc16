// A real webhook receiver on 127.0.0.1 for the tests: it records every request and answers as
// told, one behaviour per request from `plan` (then `otherwise`): {status}, {delayMs, status},
// {drop: true} (the connection is destroyed). `down()` closes the port (connections are
// refused) and `up()` opens the same port again.
import { createServer } from 'node:http';

/**
 * @returns {Promise<{url: string, received: Array<{headers: Record<string, string>, body: string, at: number}>,
 *   plan: object[], otherwise: object, down: () => Promise<void>, up: () => Promise<void>,
 *   waitFor: (test: (received: any[]) => boolean, timeoutMs?: number) => Promise<void>, close: () => Promise<void>}>}
 */
export async function startReceiver() {
  const received = [];
  const plan = [];
  const state = { otherwise: { status: 200 } };
  const sockets = new Set();
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: /** @type {Record<string, string>} */ (req.headers), body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      const behaviour = plan.length ? plan.shift() : state.otherwise;
      if (behaviour.drop) return req.socket.destroy();
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(behaviour.status ?? 200, { 'Content-Type': 'text/plain' });
        res.end('ok');
      }, behaviour.delayMs ?? 0);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  const down = () => new Promise((resolve) => {
    server.close(() => resolve());
    for (const s of sockets) s.destroy();
  });
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    plan,
    get otherwise() {
      return state.otherwise;
    },
    set otherwise(b) {
      state.otherwise = b;
    },
    down,
    up: () => new Promise((resolve) => server.listen(port, '127.0.0.1', resolve)),
    async waitFor(test, timeoutMs = 20000) {
      const until = Date.now() + timeoutMs;
      while (!test(received)) {
        if (Date.now() > until) throw new Error(`the receiver did not get what was expected within ${timeoutMs} ms (it got ${received.length} requests)`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () => (server.listening ? down() : Promise.resolve()),
  };
}
