// The survey on a slow phone: sondar and SurveyJS showing the same questions in one run, each
// page served brotli-compressed from 127.0.0.1, in Debian's headless Chromium at a phone's size,
// with Lighthouse's mobile throttling (150 ms round trip, 1.6 Mbps down, 750 kbps up, CPU 4x
// slower) and again unthrottled. Each page asks for its survey as soon as it has loaded
// (tests/bench/pages/phone.js), as the demo's confirmation page does.
//   node tests/bench/phone.mjs [RUNS]          (make phone; after make web; RUNS defaults to 5)
// Printed per page: first contentful paint, navigation -> first rating control visible,
// trigger -> visible, the longest main-thread task, and the bytes (brotli, as sent) the survey
// needed. Then the floor on that network: one round trip after the trigger, the widget's bytes at
// the bandwidth, and compiling the module on the throttled CPU, so the gap to the limit shows.
// Medians of RUNS fresh browser contexts (cold cache); compare the ratios, not the milliseconds.
import http from 'node:http';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { brotliCompressSync, constants } from 'node:zlib';
import { extname, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from '../e2e/browser.mjs';
import { recordLongTasks, watchVisible } from './probes.mjs';

const runs = Number(process.argv[2] || 5);
const root = fileURLToPath(new URL('../../', import.meta.url));
const vendor = new URL('../../build/bench/surveyjs/', import.meta.url);
mkdirSync(vendor, { recursive: true });
for (const file of ['survey-core/survey-core.min.css', 'survey-core/survey.core.min.js', 'survey-js-ui/survey-js-ui.min.js']) {
  copyFileSync(new URL(`../../web/node_modules/${file}`, import.meta.url), new URL(file.split('/')[1], vendor));
}

const PHONE = {
  latencyMs: 150,
  downBps: 1.6e6,
  upBps: 750e3,
  cpu: 4,
};
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm', '.css': 'text/css' };

// Brotli at the quality a CDN uses for static files; computed once per file.
const compressed = new Map();
function brotli(file) {
  if (!compressed.has(file)) {
    compressed.set(file, brotliCompressSync(readFileSync(file), { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
  }
  return compressed.get(file);
}

const server = http.createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  if (req.method === 'POST') {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}'));
    return;
  }
  if (path === '/collect/counts') return res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
  const file = normalize(root + path.replace(/^\/+/, ''));
  if (!file.startsWith(root) || file.includes('node_modules')) return res.writeHead(403).end();
  let body;
  try {
    body = brotli(file);
  } catch {
    return res.writeHead(404).end();
  }
  res.writeHead(200, { 'Content-Type': TYPES[extname(file)] || 'application/octet-stream', 'Content-Encoding': 'br', 'Cache-Control': 'no-cache' }).end(body);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await launch();

// In the page from its first script on: long tasks, and when the first question is visible.
const probe = `(${recordLongTasks})(); window.visible = (${watchVisible})();`;


const context = await browser.newContext({ viewport: { width: 412, height: 823 }, isMobile: true, hasTouch: true });
const page = await context.newPage();
const cdp = await context.newCDPSession(page);
await cdp.send('Network.enable');
await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 });
await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
const events = [];
cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
await page.addInitScript(probe);
await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' });
await page.goto(base + process.argv[3]);
await page.evaluate(() => window.visible);
await page.waitForTimeout(1000);
const tasks = await page.evaluate(() => [window.longTasks, window.triggeredAt]);
await cdp.send('Tracing.end');
await done;
console.log('long tasks', JSON.stringify(tasks[0]), 'triggered', tasks[1]);
const main = events.filter((e) => e.name === 'RunTask' && e.dur > 30000);
for (const t of main) {
  const inside = events.filter((e) => e.ts >= t.ts && e.ts < t.ts + t.dur && e.tid === t.tid && e.dur && e.name !== 'RunTask');
  const by = new Map();
  for (const e of inside) by.set(e.name, (by.get(e.name) || 0) + e.dur);
  console.log(`task ${(t.dur / 1000).toFixed(1)} ms:`, [...by].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`).join(', '));
  const fns = inside.filter((e) => e.name === 'FunctionCall' || e.name === 'EvaluateScript' || e.name === 'TimerFire' || e.name === 'EventDispatch');
  console.log('   ', fns.slice(0, 6).map((e) => `${e.name} ${(e.dur / 1000).toFixed(1)} ${JSON.stringify(e.args?.data?.functionName || e.args?.data?.url || e.args?.data?.type || '')}`).join(' | '));
}
await browser.close(); server.close();
