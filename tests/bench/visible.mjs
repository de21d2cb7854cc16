// Trigger -> survey visible and focusable, in Debian's Chromium, for sondar and for SurveyJS
// rendering the same three questions in the same run (the design's budget), plus the longest
// main-thread task each page ran (the widget's budget: none over 50 ms).
//   node tests/bench/visible.mjs [RUNS]        (make visible; after make web)
// Warm: the page has loaded and the widget reported `ready` (sondar's engine loads when the
// browser is idle), then the host fires the trigger. Cold: the trigger fires as the page starts,
// so sondar's time includes fetching the engine and wasm; SurveyJS's scripts load with the page.
// Visible and focusable: a radio of the first question is in the DOM, has a box, and (sondar)
// holds focus. Times are medians over RUNS fresh browser contexts; compare them within one run.
import { copyFileSync, mkdirSync } from 'node:fs';
import { startServer } from '../e2e/server.mjs';
import { launch } from '../e2e/browser.mjs';
import { recordLongTasks, watchVisible } from './probes.mjs';

const runs = Number(process.argv[2] || 9);
// The test server does not serve node_modules: copy the three SurveyJS files it needs.
const vendor = new URL('../../build/bench/surveyjs/', import.meta.url);
mkdirSync(vendor, { recursive: true });
for (const file of ['survey-core/survey-core.min.css', 'survey-core/survey.core.min.js', 'survey-js-ui/survey-js-ui.min.js']) {
  copyFileSync(new URL(`../../web/node_modules/${file}`, import.meta.url), new URL(file.split('/')[1], vendor));
}
const server = await startServer();
const browser = await launch();

async function measure(kind, cold) {
  const context = await browser.newContext({ reducedMotion: 'reduce' });
  const page = await context.newPage();
  await page.addInitScript(recordLongTasks);
  await page.addInitScript(`window.watchVisible = ${watchVisible};`);
  const url = `${server.url}${kind === 'sondar' ? '/tests/e2e/pages/checkout.html' : '/tests/bench/pages/surveyjs.html'}`;
  let ms;
  let triggeredAt = 0;
  if (cold) {
    // From navigation start (performance.now()'s origin) to visible.
    await page.addInitScript(() => (window.visible = window.watchVisible()));
    if (kind === 'sondar') await page.addInitScript(() => (window.Sondar = { q: [['track', ['checkout_complete']]] }));
    else await page.addInitScript(() => addEventListener('DOMContentLoaded', () => window.showSurvey()));
    await page.goto(url);
    ms = await page.evaluate(() => window.visible);
  } else {
    await page.goto(url);
    if (kind === 'sondar') await page.waitForFunction(() => window.sondarEvents.some((e) => e.name === 'ready'));
    [triggeredAt, ms] = await page.evaluate(async (sondar) => {
      const seen = window.watchVisible();
      const start = performance.now();
      if (sondar) window.Sondar.track('checkout_complete');
      else window.showSurvey();
      return [start, (await seen) - start];
    }, kind === 'sondar');
  }
  if (kind === 'sondar' && !(await page.evaluate(() => document.activeElement?.dataset.sondar !== undefined))) {
    throw new Error('sondar: the survey did not take focus');
  }
  await page.waitForTimeout(300); // let late tasks report
  const tasks = await page.evaluate(() => window.longTasks);
  await context.close();
  // Warm: tasks from the trigger on (the page's own load is not the widget's); cold: all.
  return { ms, longest: Math.max(0, ...tasks.filter(([at, d]) => at + d >= triggeredAt).map(([, d]) => d)) };
}

/** The same page with the widget's script blocked: its own longest task, for comparison. */
async function baseline() {
  const context = await browser.newContext({ reducedMotion: 'reduce' });
  const page = await context.newPage();
  await page.addInitScript(recordLongTasks);
  await page.route('**/dist/sondar.js', (route) => route.abort());
  await page.goto(`${server.url}/tests/e2e/pages/checkout.html`);
  await page.waitForTimeout(300);
  const tasks = await page.evaluate(() => window.longTasks);
  await context.close();
  return Math.max(0, ...tasks.map(([, d]) => d));
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
for (const cold of [false, true]) {
  for (const kind of ['sondar', 'surveyjs']) {
    const samples = [];
    for (let i = 0; i < runs; i++) samples.push(await measure(kind, cold));
    rows.push({ kind, cold, ms: median(samples.map((s) => s.ms)), longest: Math.max(...samples.map((s) => s.longest)) });
  }
}
const plain = [];
for (let i = 0; i < runs; i++) plain.push(await baseline());
await browser.close();
await server.close();

console.log(`trigger -> visible and focusable, median of ${runs} runs (headless Chromium, loopback)`);
console.log(`${'page'.padEnd(10)}${'start'.padEnd(7)}${'median ms'.padStart(11)}${'longest task ms'.padStart(17)}  (warm: from the trigger on; cold: whole page load)`);
for (const r of rows) console.log(`${r.kind.padEnd(10)}${(r.cold ? 'cold' : 'warm').padEnd(7)}${r.ms.toFixed(1).padStart(11)}${r.longest.toFixed(0).padStart(17)}`);
for (const cold of [false, true]) {
  const [a, b] = ['sondar', 'surveyjs'].map((k) => rows.find((r) => r.kind === k && r.cold === cold).ms);
  console.log(`${cold ? 'cold' : 'warm'}: sondar takes ${(a / b).toFixed(2)}x SurveyJS's time`);
}
console.log(`the same page without a widget: longest task ${Math.max(...plain).toFixed(0)} ms (whole page load)`);
const worst = Math.max(...rows.filter((r) => r.kind === 'sondar').map((r) => r.longest));
console.log(`sondar's longest main-thread task: ${worst.toFixed(0)} ms (budget 50 ms): ${worst <= 50 ? 'within' : 'OVER'}`);
