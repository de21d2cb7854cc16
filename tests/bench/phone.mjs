// The survey on a slow phone: sondar and SurveyJS showing the same questions in one run, each
// page served brotli-compressed from 127.0.0.1, in Debian's headless Chromium at a phone's size,
// with Lighthouse's mobile throttling (150 ms round trip, 1.6 Mbps down, 750 kbps up, CPU 4x
// slower) and again unthrottled. Each page asks for its survey as soon as it has loaded
// (tests/bench/pages/phone.js), as the demo's confirmation page does.
//   node tests/bench/phone.mjs [RUNS] [--tasks] [--timeline] (make phone; after make web; RUNS
//   defaults to 5)
// --tasks: the throttled sondar runs also record a Chromium trace and print what each main-thread
// task over 50 ms that ends after the trigger is made of (script, style, layout, paint, ...).
// --timeline: for each throttled sondar run, when each of the widget's requests started, got its
// first byte and its last, from the trigger, and when the question was visible.
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

const args = process.argv.slice(2);
const runs = Number(args.find((a) => /^\d+$/.test(a)) || 5);
const explainTasks = args.includes('--tasks');
const showTimeline = args.includes('--timeline');
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

const PAGES = {
  'sondar, survey by URL': '/tests/bench/pages/phone-survey.html',
  'sondar, site manifest': '/tests/bench/pages/phone-site.html',
  SurveyJS: '/tests/bench/pages/phone-surveyjs.html',
};
const isShop = (url) => /\/tests\/(e2e\/pages\/shop\.css|bench\/pages\/phone[^/]*\.(html|js))$/.test(new URL(url).pathname);

async function measure(path, throttled) {
  const context = await browser.newContext({ viewport: { width: 412, height: 823 }, deviceScaleFactor: 1.75, isMobile: true, hasTouch: true, reducedMotion: 'reduce' });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  if (throttled) {
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: PHONE.latencyMs,
      downloadThroughput: PHONE.downBps / 8,
      uploadThroughput: PHONE.upBps / 8,
    });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: PHONE.cpu });
  }
  await page.addInitScript(probe);
  const trace = explainTasks && throttled && !path.includes('surveyjs') ? await startTrace(cdp) : null;
  await page.goto(base + path);
  const visible = await Promise.race([
    page.evaluate(() => window.visible),
    new Promise((resolve, reject) => setTimeout(() => reject(new Error(`${path}: no survey visible after 30 s`)), 30000)),
  ]);
  await page.waitForTimeout(throttled ? 1000 : 300); // let late tasks report
  const r = await page.evaluate(() => ({
    fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
    triggeredAt: window.triggeredAt,
    tasks: window.longTasks,
    resources: performance.getEntriesByType('resource').map((e) => [e.name, e.encodedBodySize, e.startTime, e.responseStart, e.responseEnd]),
  }));
  if (showTimeline && throttled && !path.includes('surveyjs')) timeline(path, r, visible);
  if (trace) explain(path, await trace(), r.triggeredAt);
  await context.close();
  return {
    fcp: r.fcp,
    nav: visible,
    trigger: visible - r.triggeredAt,
    longest: Math.max(0, ...r.tasks.filter(([at, d]) => at + d >= r.triggeredAt).map(([, d]) => d)),
    bytes: r.resources.filter(([name]) => !isShop(name)).reduce((sum, [, n]) => sum + n, 0),
  };
}

/** Prints when each of the widget's requests started, first byte and last byte, from the trigger. */
function timeline(path, r, visible) {
  const t = (x) => `${Math.round(x - r.triggeredAt)}`.padStart(5);
  const rows = r.resources.filter(([name]) => !isShop(name)).map(([name, , start, first, end]) => `${t(start)}${t(first)}${t(end)}  ${new URL(name).pathname.split('/').pop()}`);
  console.log(`  ${path}: from the trigger (ms): start, first byte, last byte; visible at ${Math.round(visible - r.triggeredAt)}\n    ${rows.join('\n    ')}`);
}

/** Starts a Chromium trace of the page; the function returned ends it and gives its events. */
async function startTrace(cdp) {
  const events = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline,blink.user_timing,loading', transferMode: 'ReportEvents' });
  return async () => {
    const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
    await cdp.send('Tracing.end');
    await done;
    return events;
  };
}

/** Prints what each renderer main-thread task over 50 ms ending after the trigger spent its time on. */
function explain(path, events, triggeredAt) {
  const main = new Set(events.filter((e) => e.name === 'thread_name' && e.args.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const onMain = (e) => main.has(`${e.pid}:${e.tid}`);
  // performance.now() is measured from navigationStart; trace timestamps are microseconds.
  const start = events.find((e) => e.name === 'navigationStart' && onMain(e))?.ts;
  if (start === undefined) return console.log(`  ${path}: no navigationStart in the trace (${events.length} events)`);
  for (const task of events.filter((e) => e.name === 'RunTask' && e.dur > 50000 && onMain(e))) {
    const at = (task.ts - start) / 1000;
    if (at + task.dur / 1000 < triggeredAt) continue;
    const parts = new Map();
    for (const e of events) {
      if (e.dur && e.name !== 'RunTask' && onMain(e) && e.ts >= task.ts && e.ts < task.ts + task.dur) parts.set(e.name, (parts.get(e.name) || 0) + e.dur / 1000);
    }
    const top = [...parts].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => `${k} ${v.toFixed(1)}`);
    console.log(`  ${path}: task of ${(task.dur / 1000).toFixed(1)} ms at ${at.toFixed(0)} ms (${at < triggeredAt ? 'holds the trigger' : `${(at - triggeredAt).toFixed(0)} ms after it`}): ${top.join(', ')}`);
  }
}

/** How long the throttled CPU takes to compile sondar's module (the floor's third part). */
async function compileMs() {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await page.goto(`${base}/tests/bench/pages/phone.js`);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: PHONE.cpu });
  const samples = await page.evaluate(async (url) => {
    const bytes = await (await fetch(url)).arrayBuffer();
    const out = [];
    for (let i = 0; i < 5; i++) {
      const start = performance.now();
      await WebAssembly.compile(bytes);
      out.push(performance.now() - start);
    }
    return out;
  }, `${base}/dist/sondar-widget.wasm`);
  await context.close();
  return median(samples);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = {};
for (const throttled of [true, false]) {
  for (const [name, path] of Object.entries(PAGES)) {
    const samples = [];
    for (let i = 0; i < runs; i++) samples.push(await measure(path, throttled));
    results[`${name}|${throttled}`] = {
      fcp: median(samples.map((s) => s.fcp)),
      nav: median(samples.map((s) => s.nav)),
      trigger: median(samples.map((s) => s.trigger)),
      longest: Math.max(...samples.map((s) => s.longest)),
      bytes: median(samples.map((s) => s.bytes)),
    };
  }
}
const compile = await compileMs();
await browser.close();
server.close();

const ms = (x) => `${Math.round(x).toLocaleString('en')} ms`;
const pad = (s, n) => String(s).padStart(n);
for (const throttled of [true, false]) {
  console.log(
    throttled
      ? `slow phone: ${PHONE.latencyMs} ms round trip, ${PHONE.downBps / 1e6} Mbps down, ${PHONE.upBps / 1e3} kbps up, CPU ${PHONE.cpu}x slower; median of ${runs}`
      : `unthrottled (loopback, full CPU); median of ${runs}`,
  );
  console.log(`${'page'.padEnd(24)}${pad('FCP', 10)}${pad('nav->visible', 14)}${pad('trigger->visible', 18)}${pad('longest task', 14)}${pad('bytes', 10)}`);
  for (const name of Object.keys(PAGES)) {
    const r = results[`${name}|${throttled}`];
    console.log(`${name.padEnd(24)}${pad(ms(r.fcp), 10)}${pad(ms(r.nav), 14)}${pad(ms(r.trigger), 18)}${pad(ms(r.longest), 14)}${pad(r.bytes.toLocaleString('en'), 10)}`);
  }
  const sj = results[`SurveyJS|${throttled}`];
  for (const name of Object.keys(PAGES).slice(0, 2)) {
    const r = results[`${name}|${throttled}`];
    console.log(`  ${name} / SurveyJS: FCP ${(r.fcp / sj.fcp).toFixed(2)}, nav->visible ${(r.nav / sj.nav).toFixed(2)}, trigger->visible ${(r.trigger / sj.trigger).toFixed(2)}, bytes ${(r.bytes / sj.bytes).toFixed(3)}`);
  }
}
const site = results['sondar, site manifest|true'];
const transfer = ((results['sondar, site manifest|false'].bytes * 8) / PHONE.downBps) * 1000;
const floor = PHONE.latencyMs + transfer + compile;
console.log(
  `floor after the trigger on the slow phone: one round trip ${ms(PHONE.latencyMs)} + ${results['sondar, site manifest|false'].bytes.toLocaleString('en')} B at ${PHONE.downBps / 1e6} Mbps ${ms(transfer)} + compiling the module ${ms(compile)} = ${ms(floor)}`,
);
console.log(`site manifest, trigger->visible: ${ms(site.trigger)}, ${(site.trigger / floor).toFixed(2)}x the floor; target <= 600 ms and <= 1.2x SurveyJS (${ms(1.2 * results['SurveyJS|true'].trigger)})`);
console.log(`navigation->visible target <= 0.4x SurveyJS (${ms(0.4 * results['SurveyJS|true'].nav)}); longest task budget 50 ms`);
