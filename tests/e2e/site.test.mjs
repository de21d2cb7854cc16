// One script tag for every survey of a shop (data-site: a sondar.site/1 manifest), in Debian's
// Chromium: the core picks the survey, never two per page view, says why the others did not
// show; click triggers, recall, exit intent on touch screens, reset() and consent mode.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { startServer } from './server.mjs';
import { launch, screenshots } from './browser.mjs';

let server;
let browser;

before(async () => {
  mkdirSync(screenshots, { recursive: true });
  server = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * A fresh visitor on `path`; records what the page fetched and logged. `consent` serves the page
 * with data-consent="pending" on its script tag.
 */
async function open(path, { consent, ...options } = {}) {
  const context = await browser.newContext({ reducedMotion: 'reduce', ...options });
  const page = await context.newPage();
  if (consent) {
    await page.route(`**${path}`, async (route) => {
      const html = await (await route.fetch()).text();
      await route.fulfill({ body: html.replace('data-endpoint="/collect"', `$& data-consent="${consent}"`), contentType: 'text/html' });
    });
  }
  const problems = [];
  const fetched = [];
  const logs = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  page.on('console', (m) => {
    logs.push(m.text());
    if (m.type() === 'error' && !/favicon|Failed to load resource/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  await page.goto(server.url + path);
  await waitEvent(page, 'ready');
  return { page, context, problems, fetched, logs };
}

const waitEvent = (page, name, timeout = 10000) =>
  page.waitForFunction((n) => window.sondarEvents.find((e) => e.name === n)?.detail, name, { timeout }).then((h) => h.jsonValue());
const shown = (page) => page.evaluate(() => window.sondarEvents.filter((e) => e.name === 'show').map((e) => e.detail.surveyId));
const why = (page) => page.evaluate(() => window.Sondar.why());
const reasons = (decision) => Object.fromEntries(decision.surveys.map((d) => [d.survey, d.reason]));
const dialog = (page) => page.getByRole('dialog');
const sondarKeys = (page) => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('sondar.')).sort());
/** Lets timers, fetches and the engine's own tasks run. */
const settle = (page) => page.evaluate(() => new Promise((r) => setTimeout(r, 500)));

test('one script tag: the core picks by priority, fetches only that survey, never shows two per page view', async () => {
  const { page, context, problems, fetched } = await open('/tests/e2e/pages/site.html');
  await page.evaluate(() => window.Sondar.track('checkout_complete'));
  await dialog(page).waitFor();
  assert.deepEqual(await shown(page), ['e2e-checkout']);
  // By URL: fetched once chosen. The staff-only survey (priority 20) was never chosen, never fetched.
  assert.ok(fetched.includes('/tests/e2e/surveys/checkout.json'), fetched.join(' '));
  assert.ok(!fetched.some((p) => p.includes('never-fetched')), fetched.join(' '));
  let decision = await why(page);
  assert.equal(decision.show, 'e2e-checkout');
  assert.deepEqual(reasons(decision), {
    'e2e-unused': 'not_targeted',
    'e2e-checkout': 'show',
    'e2e-cart-csat': 'outranked',
    'e2e-help': 'no_trigger',
    'e2e-exit': 'page_mismatch',
    'e2e-options': 'no_trigger',
  });
  await page.getByRole('button', { name: 'Close' }).click();
  await waitEvent(page, 'dismiss');
  // The same event again on this page view: another survey would qualify, the site allows one.
  await page.evaluate(() => window.Sondar.track('checkout_complete'));
  await settle(page);
  decision = await why(page);
  assert.equal(decision.show, null);
  assert.equal(reasons(decision)['e2e-checkout'], 'page_cap');
  assert.equal(reasons(decision)['e2e-cart-csat'], 'page_cap');
  // Without debug on, the module has no words: the reason is the whole answer.
  assert.equal(decision.surveys.find((d) => d.survey === 'e2e-cart-csat').detail, '');
  assert.deepEqual(await shown(page), ['e2e-checkout']);
  assert.equal(await dialog(page).count(), 0);
  // A new page view starts a new count (this manifest's surveys wait 0 days after a dismissal).
  await page.reload();
  await waitEvent(page, 'ready');
  await page.evaluate(() => window.Sondar.track('checkout_complete'));
  await dialog(page).waitFor();
  assert.deepEqual(await shown(page), ['e2e-checkout']);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a click on a trigger selector shows its survey, with recalled texts set as text', async () => {
  const { page, context, problems } = await open('/tests/e2e/pages/site.html');
  await page.evaluate(() => window.Sondar.identify('visitor-ada', { first_name: '<b>Ada</b>' }));
  // The link's inner <span> is what gets clicked: the selector matches an ancestor.
  await page.getByText('Read the FAQ').click();
  await dialog(page).waitFor();
  assert.deepEqual(await shown(page), ['e2e-help']);
  const prompt = 'Hi <b>Ada</b>, was help on this page easy to find?';
  await page.getByText(prompt, { exact: true }).waitFor();
  // Text, not markup: no <b> element came from the attribute.
  assert.equal(await page.locator('[data-sondar]').evaluate((host) => host.shadowRoot.querySelectorAll('b').length), 0);
  await page.locator('label', { has: page.getByRole('radio', { name: '6', exact: true }) }).click();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByText('You chose 6. Anything to add, <b>Ada</b>?', { exact: true }).waitFor();
  await page.screenshot({ path: `${screenshots}site-recall.png` });
  assert.deepEqual(problems, []);
  await context.close();
});

test('why() and ?sondar_debug=1 explain a survey that does not show', async () => {
  const { page, context, logs } = await open('/tests/e2e/pages/site.html?nohelp&sondar_debug=1');
  await page.getByRole('button', { name: 'Need help?' }).click();
  await settle(page);
  assert.equal(await dialog(page).count(), 0);
  const decision = await why(page);
  const help = decision.surveys.find((d) => d.survey === 'e2e-help');
  assert.equal(help.reason, 'page_mismatch');
  assert.equal(help.detail, 'trigger.urls[1] excludes this page');
  assert.equal(help.retryAt, null);
  assert.ok(
    logs.some((l) => l.startsWith('sondar: decide #help') && l.includes('trigger.urls[1] excludes this page')),
    logs.join('\n'),
  );
  await context.close();
});

test('exit intent on a touch screen: a fast flick back up shows the exit survey', async () => {
  const { page, context, problems } = await open('/tests/e2e/pages/site.html?exit=1', {
    viewport: { width: 390, height: 700 },
    hasTouch: true,
    isMobile: true,
  });
  assert.equal(reasons(await why(page))['e2e-exit'], 'no_exit_intent');
  // Slow reading downward is not an exit.
  for (const y of [400, 800, 1200]) {
    await page.evaluate((to) => window.scrollTo(0, to), y);
    await page.waitForTimeout(100);
  }
  assert.equal(await dialog(page).count(), 0);
  await page.evaluate(() => window.scrollTo(0, 100));
  await dialog(page).waitFor();
  assert.deepEqual(await shown(page), ['e2e-exit']);
  await page.screenshot({ path: `${screenshots}site-exit-mobile.png` });
  assert.deepEqual(problems, []);
  await context.close();
});

test('reset(): a new visitor id, the old history gone, unsent responses kept', async () => {
  const { page, context } = await open('/tests/e2e/pages/site.html');
  await page.evaluate(() => window.Sondar.track('checkout_complete'));
  await dialog(page).waitFor();
  await page.getByRole('button', { name: 'Close' }).click();
  await waitEvent(page, 'dismiss');
  const before = await page.evaluate(() => ({ vid: localStorage.getItem('sondar.vid'), history: localStorage.getItem('sondar.history') }));
  assert.match(before.history, /e2e-checkout/);
  await page.evaluate(() => window.Sondar.reset());
  await page.waitForFunction((old) => localStorage.getItem('sondar.vid') !== old, before.vid);
  const afterReset = await page.evaluate(() => ({ vid: JSON.parse(localStorage.getItem('sondar.vid')), history: localStorage.getItem('sondar.history') }));
  assert.match(afterReset.vid, /^[0-9a-f-]{36}$/);
  assert.notEqual(JSON.stringify(afterReset.vid), before.vid);
  assert.equal(afterReset.history, null);
  // The dismissal sent before the reset still arrives, under the old visitor.
  await page.evaluate(() => window.Sondar.flush());
  const dismissed = server.posts.filter((p) => p.body.surveyId === 'e2e-checkout' && p.body.status === 'dismissed' && JSON.stringify(p.body.visitorId) === before.vid);
  assert.equal(dismissed.length >= 1, true);
  await context.close();
});

test("consent: 'pending' writes nothing and shows nothing until consent(true)", async () => {
  const { page, context, problems } = await open('/tests/e2e/pages/site.html', { consent: 'pending' });
  await page.evaluate(() => {
    window.Sondar.track('checkout_complete');
    window.Sondar.show('e2e-checkout'); // not even the host's show()
  });
  await settle(page);
  assert.equal(await dialog(page).count(), 0);
  assert.deepEqual(await sondarKeys(page), []);
  assert.equal((await why(page)).consent, 'pending');
  await page.evaluate(() => window.Sondar.consent(true));
  await page.waitForFunction(() => localStorage.getItem('sondar.vid') !== null);
  await page.evaluate(() => window.Sondar.track('checkout_complete'));
  await dialog(page).waitFor();
  assert.deepEqual(await shown(page), ['e2e-checkout']);
  assert.ok((await sondarKeys(page)).includes('sondar.history'));
  // Withdrawn: the open survey closes, nothing more is written or shown, and that is no error.
  const stored = () => page.evaluate(() => JSON.stringify(Object.entries(localStorage).filter(([k]) => k.startsWith('sondar.')).sort()));
  await page.evaluate(() => window.Sondar.consent(false));
  await dialog(page).waitFor({ state: 'detached' });
  const before = await stored();
  await page.evaluate(() => window.Sondar.track('checkout_complete'));
  await settle(page);
  assert.equal(await dialog(page).count(), 0);
  assert.equal(await stored(), before);
  assert.deepEqual(await page.evaluate(() => window.sondarEvents.filter((e) => e.name === 'error').map((e) => e.detail.code)), []);
  assert.deepEqual(problems, []);
  await context.close();
});

test('closeAfter: a survey the collector counts as full is skipped for the next in line', async () => {
  server.counts['e2e-cart-csat'] = 3;
  server.counts['e2e-checkout'] = 1000; // sets no closeAfter: no cap, whatever the count
  try {
    // Debug on: the module with words, so the detail shows the count the collector gave.
    const { page, context, problems, fetched } = await open('/tests/e2e/pages/site.html?sondar_debug=1');
    assert.ok(fetched.includes('/collect/counts'), fetched.join(' '));
    await page.evaluate(() => window.Sondar.track('checkout_complete'));
    await dialog(page).waitFor();
    const decision = await why(page);
    assert.equal(decision.show, 'e2e-checkout');
    assert.equal(reasons(decision)['e2e-cart-csat'], 'closed');
    assert.match(decision.surveys.find((d) => d.survey === 'e2e-cart-csat').detail, /holds 3 responses; closeAfter is 3/);
    assert.deepEqual(problems, []);
    await context.close();
  } finally {
    delete server.counts['e2e-cart-csat'];
    delete server.counts['e2e-checkout'];
  }
});

test('"other" with its text, a shuffled order, and a contact question with an e-mail address', async () => {
  const { page, context, problems } = await open('/tests/e2e/pages/site.html');
  await page.evaluate(() => window.Sondar.track('options_demo'));
  await dialog(page).waitFor();
  const shown = await page.getByRole('radio').evaluateAll((inputs) => inputs.map((i) => i.value));
  assert.equal(shown[shown.length - 1], 'other');
  // Typing in the "other" field chooses "other".
  await page.getByRole('textbox', { name: 'Somewhere else' }).fill('A podcast');
  assert.equal(await page.getByRole('radio', { name: 'Somewhere else' }).isChecked(), true);
  await page.getByRole('button', { name: 'Next' }).click();
  const email = page.getByRole('textbox', { name: 'E-mail address' });
  assert.equal(await email.isVisible(), false);
  await page.getByRole('checkbox', { name: 'Yes, you may contact me' }).check();
  await email.waitFor();
  // Consent without a usable address is not sent as consent: the visitor is asked for it.
  await email.fill('ada@');
  await page.getByRole('button', { name: 'Submit' }).click();
  await page.getByRole('alert').getByText('Please answer this question.').waitFor();
  await email.fill('ada@example.org');
  await page.screenshot({ path: `${screenshots}site-contact.png` });
  await page.getByRole('button', { name: 'Submit' }).click();
  const complete = await waitEvent(page, 'complete');
  assert.deepEqual(complete.payload.answers, { source: 'other', contact: { consent: true, email: 'ada@example.org' } });
  assert.deepEqual(complete.payload.other, { source: 'A podcast' });
  assert.deepEqual(complete.payload.optionOrder, { source: shown });
  assert.deepEqual(problems, []);
  await context.close();
});

test('why() called before sondar.js has loaded is answered once the engine has decided', async () => {
  const context = await browser.newContext({ reducedMotion: 'reduce' });
  const page = await context.newPage();
  // The README's snippet runs before the loader: its queue takes the call.
  await page.addInitScript(() => {
    window.Sondar = { q: [] };
    window.Sondar.why = () => new Promise((resolve) => window.Sondar.q.push(['why', [resolve]]));
    window.earlyWhy = window.Sondar.why().then((d) => d && d.surveys.map((s) => s.survey));
  });
  await page.goto(`${server.url}/tests/e2e/pages/site.html`);
  const surveys = await page.evaluate(() => window.earlyWhy);
  assert.deepEqual(surveys, ['e2e-unused', 'e2e-checkout', 'e2e-cart-csat', 'e2e-help', 'e2e-exit', 'e2e-options']);
  await context.close();
});

/**
 * The site page with a track() queued before the loader (as the demo's confirmation page does),
 * its manifest marking e2e-checkout `"preload": true`, and every request timed.
 * `hold` (path -> ms) delays those responses, `fail` (path -> n) answers the first n with 503.
 */
async function openQueued(hold = {}, fail = {}, query = '', gone = []) {
  const context = await browser.newContext({ reducedMotion: 'reduce' });
  const page = await context.newPage();
  const log = [];
  const t0 = Date.now();
  await page.addInitScript(() => (window.Sondar = { q: [['track', ['checkout_complete']]] }));
  await page.route('**/*', async (route) => {
    const path = new URL(route.request().url()).pathname;
    log.push({ path, at: Date.now() - t0, event: 'request' });
    if (gone.includes(path)) return route.fulfill({ status: 404, body: 'not here' });
    if (fail[path] > 0) {
      fail[path]--;
      return route.fulfill({ status: 503, body: 'busy' });
    }
    if (hold[path]) await new Promise((r) => setTimeout(r, hold[path]));
    const response = await route.fetch();
    let body = await response.body();
    if (path === '/tests/e2e/site/site.json') {
      const site = JSON.parse(String(body));
      site.surveys[0].preload = true;
      body = Buffer.from(JSON.stringify(site));
    }
    log.push({ path, at: Date.now() - t0, event: 'answered' });
    await route.fulfill({ response, body });
  });
  await page.goto(`${server.url}/tests/e2e/pages/site.html${query}`);
  await dialog(page).waitFor();
  const at = (path, event) => log.find((e) => e.path === path && e.event === event)?.at;
  const count = (path) => log.filter((e) => e.path === path && e.event === 'request').length;
  return { page, context, at, count };
}

test('one round of requests: the module and manifest go with the engine, a preload survey before the decision', async () => {
  // The engine is held back 400 ms and the module 1,200 ms, so what is asked for meanwhile shows.
  const { page, context, at, count } = await openQueued({ '/dist/sondar-engine.js': 400, '/dist/sondar-widget.wasm': 1200 });
  const engineAnswered = at('/dist/sondar-engine.js', 'answered');
  assert.ok(at('/dist/sondar-widget.wasm', 'request') < engineAnswered, 'the module was asked for before the engine arrived');
  assert.ok(at('/tests/e2e/site/site.json', 'request') < engineAnswered, 'the manifest was asked for before the engine arrived');
  // The survey marked preload was requested by the loader once the manifest was read, before the
  // engine (and so the core's decision) arrived; the one the manifest does not mark was never
  // fetched.
  assert.ok(at('/tests/e2e/surveys/checkout.json', 'request') < engineAnswered, 'the preload survey was asked for before the engine arrived');
  assert.equal(count('/tests/e2e/surveys/never-fetched.json'), 0);
  for (const path of ['/dist/sondar-engine.js', '/dist/sondar-widget.wasm', '/tests/e2e/site/site.json', '/tests/e2e/surveys/checkout.json']) {
    assert.equal(count(path), 1, `${path} requested once: the engine took what the loader asked for`);
  }
  assert.deepEqual(await shown(page), ['e2e-checkout']);
  await context.close();
});

test('a manifest slower than the engine: its preload survey is still asked for once, before the module arrives', async () => {
  const { page, context, at, count } = await openQueued({ '/tests/e2e/site/site.json': 600, '/dist/sondar-widget.wasm': 1200 });
  assert.ok(at('/dist/sondar-engine.js', 'answered') < at('/tests/e2e/site/site.json', 'answered'), 'the engine ran before the manifest came');
  assert.ok(at('/tests/e2e/surveys/checkout.json', 'request') < at('/dist/sondar-widget.wasm', 'answered'));
  assert.equal(count('/tests/e2e/surveys/checkout.json'), 1);
  assert.deepEqual(await shown(page), ['e2e-checkout']);
  await context.close();
});

test('debug on: the loader asks early for the module with messages, and the engine takes it', async () => {
  const { page, context, count } = await openQueued({}, {}, '?sondar_debug=1');
  assert.deepEqual(await shown(page), ['e2e-checkout']);
  assert.equal(count('/dist/sondar-widget-debug.wasm'), 1);
  assert.equal(count('/dist/sondar-widget.wasm'), 0);
  await context.close();
});

test('debug on where the debug module was not copied: the survey shows with the module for visitors', async () => {
  const { page, context, count } = await openQueued({}, {}, '?sondar_debug=1', ['/dist/sondar-widget-debug.wasm']);
  assert.deepEqual(await shown(page), ['e2e-checkout']);
  assert.equal(count('/dist/sondar-widget.wasm'), 1);
  await context.close();
});

test('an early request that fails is asked again by the engine, and the survey shows', async () => {
  const { page, context, count } = await openQueued({}, { '/dist/sondar-widget.wasm': 1, '/tests/e2e/site/site.json': 1, '/tests/e2e/surveys/checkout.json': 1 });
  assert.deepEqual(await shown(page), ['e2e-checkout']);
  for (const path of ['/dist/sondar-widget.wasm', '/tests/e2e/site/site.json', '/tests/e2e/surveys/checkout.json']) assert.equal(count(path), 2, path);
  await context.close();
});
