// Load on the collector over loopback: concurrent clients POST valid responses for a while,
// then the stored row count must equal the posts accepted. Prints throughput and latency.
// With WEBHOOKS > 0, that many webhooks alert on every detractor (7 posts in 11) to a receiver on
// 127.0.0.1: the figure then includes deciding and writing their deliveries in each post's
// transaction (and the sender working beside the posts).
//   node tests/bench/load.mjs [SECONDS] [CLIENTS] [WEBHOOKS]   (make load; the release build)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

process.env.SONDAR_NATIVE_BUILD ||= new URL('../../build/release', import.meta.url).pathname;
const { startCollector, payload, adminApi } = await import('../collector/collector.mjs');
const { startReceiver } = await import('../collector/receiver.mjs');

const seconds = Number(process.argv[2] || 10);
const clients = Number(process.argv[3] || 32);
const webhooks = Number(process.argv[4] || 0);
const dir = mkdtempSync(join(tmpdir(), 'sondar-load-'));
// The abuse controls run on every post, with limits no client here reaches: the figure includes
// their cost.
const collector = await startCollector(join(dir, 'load.db'), ['--post-rate', '1e9', '--post-burst', '1e9', '--max-new-per-visitor', '1000000', '--allow-private-webhooks'], { abuseLimits: true });
const receiver = webhooks ? await startReceiver() : null;
for (let i = 0; i < webhooks; i++) {
  const r = await adminApi(collector, 'POST', '/api/webhooks', { url: `${receiver.url}/${i}`, when: { question: 'nps', op: 'lte', value: 6 } });
  if (r.status !== 201) throw new Error(`webhook ${i}: ${JSON.stringify(r.json)}`);
}
const latencies = [];
let accepted = 0;
let refused = 0;
const until = Date.now() + seconds * 1000;

async function client(c) {
  let n = 0;
  while (Date.now() < until) {
    const nps = (c + n++) % 11;
    const body = JSON.stringify(payload({ responseId: randomUUID(), answers: nps <= 6 ? { nps, why: 'Faster delivery please' } : { nps } }));
    const start = performance.now();
    const res = await fetch(`${collector.url}/api/responses`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    await res.arrayBuffer();
    latencies.push(performance.now() - start);
    res.status === 201 ? accepted++ : refused++;
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
const elapsed = (performance.now() - started) / 1000;
const rows = (await (await fetch(`${collector.url}/api/health`, { headers: collector.auth })).json()).responses;
const received = receiver ? receiver.received.length : 0;
await collector.stop();
await receiver?.close();
rmSync(dir, { recursive: true, force: true });

latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))].toFixed(1);
console.log(`collector load: ${clients} clients for ${elapsed.toFixed(1)} s over loopback, SQLite WAL synchronous=FULL`);
console.log(`  accepted ${accepted}, refused ${refused}: ${(accepted / elapsed).toFixed(0)} responses/s`);
console.log(`  latency ms: p50 ${pct(50)}  p90 ${pct(90)}  p99 ${pct(99)}  max ${latencies.at(-1).toFixed(1)}`);
console.log(`  rows stored ${rows} ${rows === accepted ? '= accepted' : `!= accepted ${accepted}`}`);
if (webhooks) console.log(`  ${webhooks} webhooks on detractors; deliveries received by the end: ${received}`);
process.exit(rows === accepted && refused === 0 ? 0 : 1);
