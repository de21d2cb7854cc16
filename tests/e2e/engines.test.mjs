// The widget in every browser engine Debian ships (Chromium, Firefox ESR, WebKitGTK), on pages
// served the way shops serve them (cacheable, back/forward-cacheable) and on hostile ones:
// patched prototypes, blocked or full storage, redirecting endpoints, global CSS resets and
// frameworks. Every response must arrive, nothing may throw into the page.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './server.mjs';
import { engineNames, startEngine } from './engines.mjs';
import { startCollector, demoMounts, demoSurveys, exported } from '../collector/collector.mjs';

const PAGES = '/tests/e2e/pages';

// --- in-page helpers: passed to tab.eval, so each is self-contained ---------------------------
const shadow = () => document.querySelector('[data-sondar]')?.shadowRoot || null;
/** Viewport centre of an element in the widget's shadow root, or null. */
const centre = (selector) => {
  const root = document.querySelector('[data-sondar]')?.shadowRoot;
  const el = root && (root.querySelector(selector) || null);
  if (!el) return null;
  const r = el.getBoundingClientRect();
  return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
};
const pageCentre = (selector) => {
  const r = document.querySelector(selector).getBoundingClientRect();
  return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
};
const hasDialog = () => !!document.querySelector('[data-sondar]')?.shadowRoot?.querySelector('[role=dialog]');
const hasInShadow = (selector) => !!document.querySelector('[data-sondar]')?.shadowRoot?.querySelector(selector);
const eventNamed = (name) => {
  const list = window.sondarEvents || [];
  for (let i = 0; i < list.length; i++) if (list[i].name === name) return true;
  return false;
};
const eventsNamed = (name) => {
  const out = [];
  const list = window.sondarEvents || [];
  for (let i = 0; i < list.length; i++) if (list[i].name === name) out[out.length] = JSON.parse(JSON.stringify(list[i].detail === undefined ? null : list[i].detail));
  return out;
};
const outboxEmpty = () => {
  try {
    return localStorage.getItem('sondar.outbox') === '[]';
  } catch {
    return false;
  }
};
const problems = () => ({ errors: (window.pageErrors || []).slice(), csp: (window.cspViolations || []).slice() });
/** What the widget looks like: the card's place and size, and key styles of every element. */
const fingerprint = () => {
  const root = document.querySelector('[data-sondar]').shadowRoot;
  const card = root.querySelector('[role=dialog]');
  const r = card.getBoundingClientRect();
  const view = document.documentElement;
  const props = ['display', 'position', 'font-size', 'font-weight', 'color', 'background-color', 'border-top-width', 'padding-top', 'margin-top', 'width', 'height', 'transform', 'filter', 'opacity', 'visibility'];
  const styles = [];
  const all = root.querySelectorAll('*');
  for (let i = 0; i < all.length; i++) {
    const cs = getComputedStyle(all[i]);
    let line = all[i].tagName;
    for (let j = 0; j < props.length; j++) line += ` ${props[j]}:${cs.getPropertyValue(props[j])}`;
    styles[styles.length] = line;
  }
  return {
    box: { right: Math.round(view.clientWidth - r.right), bottom: Math.round(window.innerHeight - r.bottom), width: Math.round(r.width), height: Math.round(r.height) },
    visible: r.left >= 0 && r.top >= 0 && r.right <= view.clientWidth + 1 && r.bottom <= window.innerHeight + 1,
    styles,
  };
};

for (const engineName of engineNames) {
  describe(engineName, () => {
    /** @type {import('./engines.mjs').Engine} */
    let engine;
    let server;
    let current = null;
    before(async () => {
      server = await startServer();
      engine = await startEngine(engineName);
    });
    after(async () => {
      await current?.close().catch(() => {});
      await engine?.close();
      await server?.close();
    });

    /** A fresh visitor (empty storage); the one before is closed (WebKitWebDriver drives one at a time). */
    async function visitor() {
      await current?.close().catch(() => {});
      current = await engine.profile();
      return current;
    }
    /** A fresh visitor's tab on `path` (a path on the test server, or a full URL). */
    async function visit(path) {
      const profile = await visitor();
      const tab = await profile.tab();
      await tab.goto(path.startsWith('http') ? path : server.url + path);
      return { tab, profile };
    }
    const clickIn = async (tab, selector) => {
      await tab.waitFor(hasInShadow, selector);
      const p = await tab.eval(centre, selector);
      await tab.click(p.x, p.y);
    };
    const choose = (tab, value) => clickIn(tab, `label:has(input[value="${value}"])`);
    const next = (tab) => clickIn(tab, 'button[type=submit]');
    /** Fires the trigger and waits until the card has settled (its entrance animation is 0.18 s). */
    async function trigger(tab, how = "window.Sondar.track('checkout_complete')") {
      await tab.waitFor(eventNamed, 'ready', 15000);
      await tab.eval(new Function(how));
      await tab.waitFor(hasDialog, null, 10000);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    /** NPS 3 (a detractor): partial, follow-up skipped, CSAT 4, Submit. */
    async function answerDetractor(tab) {
      await toEmojiQuestion(tab);
      await choose(tab, 4);
      await next(tab);
      await tab.waitFor(hasInShadow, '.end');
    }
    /** NPS 3, past the optional follow-up, to the CSAT question with emoji faces. */
    async function toEmojiQuestion(tab) {
      await choose(tab, 3);
      await next(tab);
      await tab.waitFor(hasInShadow, 'textarea');
      await next(tab);
      await tab.waitFor(hasInShadow, 'input[value="4"]');
    }
    /** NPS 10: straight to the promoter ending, one complete response. */
    async function answerPromoter(tab) {
      await choose(tab, 10);
      await next(tab);
      await tab.waitFor(hasInShadow, '.end');
    }
    const postsOf = (responseId) => server.posts.filter((p) => p.body.responseId === responseId);
    const completeOf = async (tab) => (await tab.waitFor(eventNamed, 'complete'), (await tab.eval(eventsNamed, 'complete'))[0].payload);
    const waitFor = async (check, what, timeout = 20000) => {
      const until = Date.now() + timeout;
      while (!check()) {
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const assertClean = async (tab, { csp = true } = {}) => {
      const p = await tab.eval(problems);
      assert.deepEqual(p.errors, [], 'nothing thrown into the page');
      if (csp) assert.deepEqual(p.csp, [], 'no CSP violations');
    };

    test('script tag on a cacheable page: a detractor answers with the mouse; the complete response arrives', async () => {
      const { tab } = await visit(`/cached${PAGES}/checkout.html`);
      await trigger(tab);
      await answerDetractor(tab);
      const complete = await completeOf(tab);
      await tab.waitFor(outboxEmpty, null, 15000);
      const last = postsOf(complete.responseId).at(-1).body;
      assert.equal(last.status, 'complete');
      assert.deepEqual(last.answers, { nps: 3, csat: 4 });
      await assertClean(tab);
    });

    test('npm ESM page: keyboard only, arrows choose, Enter submits, Escape closes', async () => {
      const { tab } = await visit(`/cached/case/esm-checkout${PAGES}/esm.html`);
      await trigger(tab, "window.widget.track('checkout_complete')");
      for (let i = 0; i < 9; i++) await tab.press('ArrowRight');
      const checked = () => document.querySelector('[data-sondar]').shadowRoot.querySelector('input:checked')?.value;
      assert.equal(await tab.eval(checked), '9');
      await tab.press('Enter'); // submits the form the radio group is in
      await tab.waitFor(hasInShadow, '.end');
      await tab.press('Escape');
      await tab.waitFor(() => !document.querySelector('[data-sondar]'));
      assert.deepEqual((await completeOf(tab)).answers, { nps: 9 });
      await assertClean(tab);
    });

    test("strict CSP (script-src 'self' 'wasm-unsafe-eval'; style-src 'self'): shows, no violations", async () => {
      const { tab } = await visit(`/csp/strict${PAGES}/checkout.html`);
      await trigger(tab);
      await answerPromoter(tab);
      await assertClean(tab);
    });

    test("CSP without 'wasm-unsafe-eval': an error event, no survey, and the page keeps working", async () => {
      const { tab } = await visit(`/csp/nowasm${PAGES}/checkout.html`);
      await tab.eval(() => window.Sondar.track('checkout_complete'));
      await tab.waitFor(eventNamed, 'error', 10000);
      assert.equal((await tab.eval(eventsNamed, 'error'))[0].code, 'wasm_unavailable');
      assert.equal(await tab.eval(hasDialog), false);
      const own = await tab.eval(pageCentre, '#own');
      await tab.click(own.x, own.y);
      assert.equal(await tab.eval(() => window.pageClicks), 1);
      assert.deepEqual((await tab.eval(problems)).errors, []);
    });

    test('demo shop with the real collector, pages not no-store: checkout, then confirmation; the outbox ends empty', async (t) => {
      const dir = mkdtempSync(join(tmpdir(), `sondar-${engineName}-`));
      const collector = await startCollector(join(dir, 'demo.db'), demoMounts, { surveys: demoSurveys });
      t.after(async () => {
        await collector.stop();
        rmSync(dir, { recursive: true, force: true });
      });
      const { tab } = await visit(`${collector.url}/checkout.html`);
      const place = await tab.eval(pageCentre, '#place');
      await tab.click(place.x, place.y);
      await tab.waitFor(hasDialog, null, 15000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await choose(tab, 5);
      await next(tab);
      await tab.waitFor(hasInShadow, 'input[value="7"]');
      await choose(tab, 6);
      await next(tab);
      await tab.waitFor(hasInShadow, '.end');
      // Leave at once for the confirmation page: the checkout page goes into the bfcache.
      await tab.goto(`${collector.url}/confirmation.html`);
      await tab.waitFor(hasDialog, null, 15000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await choose(tab, 10);
      for (let i = 0; i < 4 && !(await tab.eval(hasInShadow, '.end')); i++) await next(tab);
      await tab.waitFor(hasInShadow, '.end');
      await tab.waitFor(outboxEmpty, null, 30000);
      const visitor = await tab.eval(() => JSON.parse(localStorage.getItem('sondar.vid')));
      const rows = (await exported(collector)).filter((r) => r.visitorId === visitor);
      assert.deepEqual(rows.map((r) => `${r.surveyId}:${r.status}`).sort(), ['checkout-csat:complete', 'order-nps:complete']);
      assert.deepEqual(rows.find((r) => r.surveyId === 'checkout-csat').answers, { csat: 5, ces: 6 });
      assert.deepEqual(rows.find((r) => r.surveyId === 'order-nps').answers.nps, 10);
    });

    test('two tabs never post the same queued response at the same time', async () => {
      const profile = await visitor();
      const first = await profile.tab();
      await first.goto(`${server.url}${PAGES}/plain.html`);
      const responseId = crypto.randomUUID();
      const now = new Date().toISOString();
      const queued = {
        schema: 'sondar.response/1', responseId, surveyId: 'e2e-checkout', surveyVersion: 1, visitorId: 'v-tabs', status: 'complete',
        answers: { nps: 10 }, scores: {}, locale: 'en', trigger: null, hidden: {}, page: 'x', startedAt: now, submittedAt: now,
      };
      // Left unsent by an earlier page: both tabs find it when they start.
      await first.eval((item, endpoint) => localStorage.setItem('sondar.outbox', JSON.stringify([{ payload: item, endpoint, attempts: 0, nextAt: 0 }])), queued, `${server.url}/collect`);
      for (let i = 0; i < 4; i++) server.faults.push({ delayMs: 1500 }); // slow answers keep a send in flight
      const second = await profile.tab();
      await Promise.all([first.goto(`${server.url}${PAGES}/checkout.html`), second.goto(`${server.url}${PAGES}/checkout.html`)]);
      await first.waitFor(outboxEmpty, null, 20000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      server.faults.length = 0;
      assert.equal(server.maxInflight.get(responseId), 1);
      assert.equal(postsOf(responseId).length, 1);
    });

    test('a lock never released (a page frozen in the bfcache holding it) does not stop delivery', async () => {
      const { tab } = await visit(`/case/lock-held${PAGES}/checkout.html`);
      await trigger(tab);
      await answerPromoter(tab);
      const complete = await completeOf(tab);
      await waitFor(() => postsOf(complete.responseId).length > 0, 'the complete response', 30000);
    });

    test('slow endpoint, visitor leaves right after Submit: the newest version still goes out', async () => {
      const { tab } = await visit(`${PAGES}/checkout.html`);
      await trigger(tab);
      server.faults.push({ delayMs: 5000 }); // the first partial hangs on the network
      await answerDetractor(tab);
      const complete = await completeOf(tab);
      await tab.goto(`${server.url}${PAGES}/plain.html`); // no widget here to resume anything
      await waitFor(() => postsOf(complete.responseId).some((p) => p.body.status === 'complete'), 'the complete response', 15000);
      server.faults.length = 0;
    });

    for (const storage of ['storage-blocked', 'storage-full']) {
      test(`${storage}: responses are still delivered for the life of the page, and that is said once`, async () => {
        const { tab } = await visit(`/case/${storage}${PAGES}/checkout.html`);
        await trigger(tab);
        await answerDetractor(tab);
        const complete = await completeOf(tab);
        await waitFor(() => postsOf(complete.responseId).some((p) => p.body.status === 'complete'), 'the complete response');
        const codes = (await tab.eval(eventsNamed, 'error')).map((e) => e.code);
        assert.deepEqual(codes, ['storage_unavailable']);
        await assertClean(tab);
      });
    }

    for (const [name, fault, code] of [
      ['a redirect', { status: 303, headers: { Location: `${PAGES}/plain.html` } }, 'http_redirect'],
      ['an HTML page with 200', { status: 200, headers: { 'Content-Type': 'text/html' } }, 'http_not_accepted'],
    ]) {
      test(`an endpoint answering ${name} has not accepted the response: kept, reported, sent again`, async () => {
        const { tab } = await visit(`${PAGES}/checkout.html`);
        await trigger(tab);
        server.faults.push(fault);
        await answerPromoter(tab);
        const complete = await completeOf(tab);
        await tab.waitFor(eventNamed, 'error');
        assert.equal((await tab.eval(eventsNamed, 'error'))[0].code, code);
        await waitFor(() => postsOf(complete.responseId).length === 1, 'the response, sent again', 15000);
        await tab.waitFor(outboxEmpty, null, 10000);
        const delivered = await tab.eval(eventsNamed, 'delivered');
        assert.equal(delivered.length, 1, 'delivered once, after the real acceptance');
      });
    }

    test('a relative endpoint is resolved when queued: another page, at another path, sends it right', async () => {
      const config = { survey: '/tests/e2e/surveys/checkout.json', endpoint: '../../../collect' }; // /collect from here
      const { tab } = await visit(`${PAGES}/esm.html?config=${encodeURIComponent(JSON.stringify(config))}`);
      await trigger(tab, "window.widget.track('checkout_complete')");
      // The first send, the one at pagehide and the first from the next page all fail: the
      // response crosses to the other page in the outbox.
      server.faults.push({ drop: true }, { drop: true }, { drop: true });
      await answerPromoter(tab);
      const complete = await completeOf(tab);
      await new Promise((resolve) => setTimeout(resolve, 300)); // the first drop happened; a retry waits
      // A page deeper in the site resumes the outbox; from there, ../../../collect is another URL.
      await tab.goto(`${server.url}/csp/strict${PAGES}/checkout.html`);
      await waitFor(() => postsOf(complete.responseId).length === 1, 'the response, at /collect', 15000);
    });

    test('hostile globals (Prototype.js Array#toJSON, Object.prototype.headers/transform): nothing lost or leaked', async () => {
      const { tab } = await visit(`/case/prototype-js${PAGES}/checkout.html`);
      await trigger(tab);
      await answerDetractor(tab);
      const complete = await completeOf(tab);
      await waitFor(() => postsOf(complete.responseId).some((p) => p.body.status === 'complete'), 'the complete response');
      await tab.waitFor(outboxEmpty, null, 10000);
      const posts = postsOf(complete.responseId);
      assert.ok(posts.every((p) => !('x-polluted' in p.headers) && !p.body.polluted), 'no polluted header or transform');
      assert.deepEqual(posts.at(-1).body.answers, { nps: 3, csat: 4 });
      await assertClean(tab);
    });

    test('window.Sondar taken by something else: nothing thrown, the survey still works', async () => {
      const { tab } = await visit(`/case/sondar-taken${PAGES}/checkout.html`);
      await trigger(tab);
      await answerPromoter(tab);
      await assertClean(tab);
    });

    test('a broken Array.prototype.map: nothing thrown into the page', async () => {
      const before = server.reports.length;
      await visit(`/case/broken-map${PAGES}/checkout.html`);
      await waitFor(() => server.reports.length > before, 'the page report', 15000);
      const report = server.reports.at(-1);
      assert.deepEqual(report.errors, []);
      assert.ok(report.events.includes('ready') || report.events.includes('error'), report.events.join());
    });

    test('Safari 16.0-16.3 (no constructable stylesheets): a <style> fallback; under a strict CSP, styles_unavailable', async () => {
      const { tab } = await visit(`/case/safari-16-0${PAGES}/checkout.html`);
      await trigger(tab);
      assert.equal(await tab.eval(() => getComputedStyle(document.querySelector('[data-sondar]').shadowRoot.querySelector('[role=dialog]')).position), 'fixed');
      await answerPromoter(tab);
      await assertClean(tab);
      const strict = (await visit(`/csp/strict/case/safari-16-0${PAGES}/checkout.html`)).tab;
      await strict.waitFor(eventNamed, 'ready', 15000);
      await strict.eval(() => window.Sondar.track('checkout_complete'));
      await strict.waitFor(eventNamed, 'error', 10000);
      assert.equal((await strict.eval(eventsNamed, 'error'))[0].code, 'styles_unavailable');
      assert.equal(await strict.eval(hasDialog), false);
      assert.deepEqual((await strict.eval(problems)).errors, []);
    });

    test('global CSS (body > div transforms, * { all: unset !important }, Tailwind preflight, Bootstrap): the widget looks the same; each response arrives once', async () => {
      const look = async (path) => {
        const { tab } = await visit(path);
        await trigger(tab);
        await toEmojiQuestion(tab);
        await new Promise((resolve) => setTimeout(resolve, 100));
        const seen = await tab.eval(fingerprint);
        await choose(tab, 4);
        await next(tab);
        await tab.waitFor(hasInShadow, '.end');
        const { responseId } = await completeOf(tab);
        await tab.waitFor(outboxEmpty, null, 10000);
        const completes = postsOf(responseId).filter((p) => p.body.status === 'complete');
        assert.equal(completes.length, 1, `${path}: the complete response arrives once`);
        assert.deepEqual(completes[0].body.answers, { nps: 3, csat: 4 });
        return seen;
      };
      const clean = await look(`${PAGES}/checkout.html`);
      assert.ok(clean.visible);
      for (const sheet of ['body-div', 'all-unset', 'tailwind', 'bootstrap']) {
        const hostile = await look(`/case/${sheet}${PAGES}/checkout.html`);
        assert.deepEqual(hostile.box, clean.box, sheet);
        assert.ok(hostile.visible, `${sheet}: on screen`);
        assert.deepEqual(hostile.styles, clean.styles, sheet);
      }
    });

    test('a plain-http page (no secure context, no crypto.randomUUID): the widget runs and ids are UUID v4', async (t) => {
      if (!engine.insecureHost) return t.skip('no way found to give WebKitGTK a non-secure name for loopback');
      const { tab } = await visit(server.url.replace('127.0.0.1', engine.insecureHost) + `${PAGES}/checkout.html`);
      assert.deepEqual(await tab.eval(() => [window.isSecureContext, typeof crypto.randomUUID]), [false, 'undefined']);
      await trigger(tab);
      await answerPromoter(tab);
      const complete = await completeOf(tab);
      await waitFor(() => postsOf(complete.responseId).length === 1, 'the response');
      const uuid4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
      assert.match(complete.responseId, uuid4);
      assert.match(complete.visitorId, uuid4);
      await assertClean(tab);
    });

    test('one snippet for a site (data-site) on a cacheable page: a click trigger, recall, one survey per page view, why()', async () => {
      const { tab } = await visit(`/cached${PAGES}/site.html`);
      await tab.waitFor(eventNamed, 'ready', 15000);
      const link = await tab.eval(pageCentre, '.faq-link');
      await tab.click(link.x, link.y);
      await tab.waitFor(hasDialog, null, 10000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const prompt = await tab.eval(() => document.querySelector('[data-sondar]').shadowRoot.querySelector('legend').textContent);
      assert.equal(prompt, 'Hi there, was help on this page easy to find?');
      await choose(tab, 6);
      await next(tab);
      await tab.waitFor(hasInShadow, 'textarea');
      await next(tab);
      await tab.waitFor(hasInShadow, '.end');
      const complete = await completeOf(tab);
      assert.equal(complete.surveyId, 'e2e-help');
      assert.deepEqual(complete.answers, { effort: 6 });
      await tab.waitFor(outboxEmpty, null, 15000);
      assert.equal(postsOf(complete.responseId).at(-1).body.status, 'complete');
      await clickIn(tab, 'button.x');
      await tab.eval(() => {
        window.Sondar.track('checkout_complete');
        window.Sondar.why((d) => (window.lastWhy = JSON.stringify(d)));
      });
      await tab.waitFor(() => !!window.lastWhy, null, 10000);
      const decision = JSON.parse(await tab.eval(() => window.lastWhy));
      assert.equal(decision.show, null);
      assert.equal(decision.surveys.find((d) => d.survey === 'e2e-checkout').reason, 'page_cap');
      assert.equal(await tab.eval(hasDialog), false);
      await assertClean(tab);
    });

    test('one snippet for a site on a hostile page (Prototype.js globals, storage blocked): the click survey works, nothing leaks', async () => {
      const { tab } = await visit(`/case/prototype-js+storage-blocked${PAGES}/site.html`);
      await tab.waitFor(eventNamed, 'ready', 15000);
      const link = await tab.eval(pageCentre, '#help');
      await tab.click(link.x, link.y);
      await tab.waitFor(hasDialog, null, 10000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await choose(tab, 3);
      await next(tab);
      await tab.waitFor(hasInShadow, 'textarea');
      await next(tab);
      const complete = await completeOf(tab);
      await waitFor(() => postsOf(complete.responseId).some((p) => p.body.status === 'complete'), 'the complete response');
      const posts = postsOf(complete.responseId);
      assert.ok(posts.every((p) => !('x-polluted' in p.headers) && !p.body.polluted), 'no polluted header or transform');
      assert.deepEqual(posts.at(-1).body.answers, { effort: 3 });
      await assertClean(tab);
    });

    test('emoji faces ask for a colour emoji font first', async () => {
      const { tab } = await visit(`${PAGES}/checkout.html`);
      await trigger(tab);
      await toEmojiQuestion(tab);
      const family = await tab.eval(() => getComputedStyle(document.querySelector('[data-sondar]').shadowRoot.querySelector('.big span')).fontFamily);
      assert.match(family, /^"?Apple Color Emoji"?, "?Segoe UI Emoji"?, "?Noto Color Emoji"?/);
    });
  });
}
