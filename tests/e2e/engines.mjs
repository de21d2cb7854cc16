// The three browser engines Debian ships, behind one small interface, so one test runs in all:
//   Chromium  (/usr/bin/chromium)          driven by playwright-core
//   Gecko     (/usr/bin/firefox-esr)       driven by puppeteer-core over WebDriver BiDi
//   WebKitGTK (MiniBrowser, under Xvfb)    driven by WebKitWebDriver over plain WebDriver HTTP
// Engine-neutral on purpose: tests find elements in the page's JavaScript (the widget lives in a
// shadow root) and click or type through the driver at the element's viewport coordinates, so a
// click is a real pointer event in every engine. Page instrumentation comes from the test server,
// which injects its recorder into every HTML page (no driver-specific init scripts).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import puppeteer from '../../web/node_modules/puppeteer-core/lib/puppeteer/puppeteer-core.js';
import { launch as launchChromium } from './browser.mjs';

const MINIBROWSER = ['/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser', '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.0/MiniBrowser'].find(existsSync);

/**
 * @typedef {object} Tab
 * @property {(url: string) => Promise<void>} goto
 * @property {<T>(fn: (...args: any[]) => T, ...args: any[]) => Promise<Awaited<T>>} eval runs `fn` in the page
 * @property {(fn: (...args: any[]) => unknown, arg?: any, timeout?: number) => Promise<void>} waitFor until `fn(arg)` is truthy
 * @property {(x: number, y: number) => Promise<void>} click a real pointer click at viewport coordinates
 * @property {(key: 'ArrowRight'|'ArrowLeft'|'Tab'|'Enter'|'Escape'|'Space') => Promise<void>} press
 * @property {() => Promise<void>} close
 * @typedef {{tab: () => Promise<Tab>, close: () => Promise<void>}} Profile one visitor: storage shared by its tabs
 * @typedef {{name: string, insecureHost?: string, profile: () => Promise<Profile>, close: () => Promise<void>}} Engine
 *   insecureHost: a host name that reaches 127.0.0.1 without being a secure context
 */

async function poll(check, timeout, what) {
  const until = Date.now() + timeout;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A Tab over a Playwright or Puppeteer page: the two share these calls.
 * @returns {Tab}
 */
function pageTab(page) {
  return {
    goto: async (url) => void (await page.goto(url)),
    eval: (fn, ...args) => page.evaluate(`(${fn})(...${JSON.stringify(args)})`),
    // Polled from here: waitForFunction would build a function in the page, which a strict CSP
    // forbids.
    waitFor: (fn, arg, timeout = 10000) => poll(() => page.evaluate(`(${fn})(${JSON.stringify(arg)})`).catch(() => false), timeout, String(fn).slice(0, 80)),
    click: (x, y) => page.mouse.click(x, y),
    press: (key) => page.keyboard.press(key === 'Space' ? ' ' : key),
    close: () => page.close(),
  };
}

/** @returns {Promise<Engine>} */
async function chromiumEngine() {
  const browser = await launchChromium();
  return {
    name: 'chromium',
    insecureHost: 'sondar.test',
    async profile() {
      const context = await browser.newContext({ reducedMotion: 'reduce' });
      return { tab: async () => pageTab(await context.newPage()), close: () => context.close() };
    },
    close: () => browser.close(),
  };
}

/** @returns {Promise<Engine>} */
async function firefoxEngine() {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: process.env.FIREFOX || '/usr/bin/firefox-esr',
    headless: true,
    // No network but loopback here: keep Firefox from trying its own services.
    extraPrefsFirefox: {
      'ui.prefersReducedMotion': 1,
      'network.captive-portal-service.enabled': false,
      'app.update.enabled': false,
      // sondar.test resolves to loopback without being a secure context (see browser.mjs).
      'network.dns.localDomains': 'sondar.test',
    },
  });
  return {
    name: 'firefox',
    insecureHost: 'sondar.test',
    async profile() {
      const context = await browser.createBrowserContext();
      return { tab: async () => pageTab(await context.newPage()), close: () => context.close() };
    },
    close: () => browser.close(),
  };
}

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const KEYS = { ArrowRight: '\uE014', ArrowLeft: '\uE012', Tab: '\uE004', Enter: '\uE007', Escape: '\uE00C', Space: ' ' };

/** @returns {Promise<Engine>} */
async function webkitEngine() {
  const port = await freePort();
  // MiniBrowser needs a display: xvfb-run gives the driver (and so the browser) one.
  const driver = spawn('xvfb-run', ['-a', '-s', '-screen 0 1280x900x24', '/usr/bin/WebKitWebDriver', `--port=${port}`], { stdio: 'ignore', detached: true });
  const base = `http://127.0.0.1:${port}`;
  const wd = async (method, path, body, signal) => {
    const res = await fetch(base + path, { method, signal, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = await res.json();
    if (json.value && json.value.error) throw new Error(`WebDriver ${path}: ${json.value.error}: ${json.value.message}`);
    return json.value;
  };
  await poll(() => fetch(`${base}/status`).then((r) => r.ok, () => false), 15000, 'WebKitWebDriver');
  return {
    name: 'webkit',
    async profile() {
      // One session is one MiniBrowser with its own ephemeral storage: one visitor. On a loaded
      // machine a MiniBrowser launch has hung once (the driver never answered, fetch gave up after
      // 300 s): that is the harness failing to start a browser, not the widget failing, so a
      // launch gets 60 s and two more tries.
      let session;
      for (let attempt = 1; !session; attempt++) {
        try {
          session = await wd('POST', '/session', {
            capabilities: { alwaysMatch: { browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] } } },
          }, AbortSignal.timeout(60_000));
        } catch (e) {
          if (attempt === 3) throw e;
          console.error(`WebKit session ${attempt} failed (${e.message}); starting another`);
        }
      }
      const s = `/session/${session.sessionId}`;
      let first = true;
      let current = null;
      return {
        async tab() {
          let handle;
          if (first) {
            first = false;
            handle = await wd('GET', `${s}/window`);
            await wd('POST', `${s}/window/rect`, { width: 1280, height: 800 });
          } else {
            handle = (await wd('POST', `${s}/window/new`, { type: 'tab' })).handle;
          }
          const focus = async () => {
            if (current !== handle) await wd('POST', `${s}/window`, { handle });
            current = handle;
          };
          // Arguments travel inside the script and the result comes back as JSON text made by a
          // serializer of our own: the driver's serialization runs in the page's world, where a
          // hostile page's Object.prototype pollution or broken Array methods would break it.
          const run = async (source, args) => {
            await focus();
            const text = await wd('POST', `${s}/execute/async`, {
              script: `const done = arguments[arguments.length - 1];
                const own = Object.prototype.hasOwnProperty;
                const ser = (v) => {
                  if (v === null || typeof v !== 'object') return v === undefined ? 'null' : JSON.stringify(v);
                  let out = '';
                  if (Array.isArray(v)) {
                    for (let i = 0; i < v.length; i++) out += (i ? ',' : '') + ser(v[i]);
                    return '[' + out + ']';
                  }
                  for (const k in v) if (own.call(v, k) && v[k] !== undefined && typeof v[k] !== 'function') out += (out ? ',' : '') + JSON.stringify(k) + ':' + ser(v[k]);
                  return '{' + out + '}';
                };
                Promise.resolve()
                  .then(() => (${source})(...${JSON.stringify(args)}))
                  .then((v) => done('{"ok":' + ser(v) + '}'), (e) => done(JSON.stringify({ err: String((e && e.stack) || e) })));`,
              args: [],
            });
            const result = JSON.parse(text);
            if ('err' in result) throw new Error(result.err);
            return result.ok;
          };
          return {
            goto: async (url) => {
              await focus();
              await wd('POST', `${s}/url`, { url });
            },
            eval: (fn, ...args) => run(String(fn), args),
            waitFor: (fn, arg, timeout = 10000) => poll(() => run(String(fn), [arg]).catch(() => false), timeout, String(fn).slice(0, 80)),
            click: async (x, y) => {
              await focus();
              await wd('POST', `${s}/actions`, {
                actions: [
                  {
                    type: 'pointer',
                    id: 'mouse',
                    parameters: { pointerType: 'mouse' },
                    actions: [
                      { type: 'pointerMove', x: Math.round(x), y: Math.round(y), origin: 'viewport' },
                      { type: 'pointerDown', button: 0 },
                      { type: 'pointerUp', button: 0 },
                    ],
                  },
                ],
              });
            },
            press: async (key) => {
              await focus();
              await wd('POST', `${s}/actions`, {
                actions: [{ type: 'key', id: 'keyboard', actions: [{ type: 'keyDown', value: KEYS[key] }, { type: 'keyUp', value: KEYS[key] }] }],
              });
            },
            close: async () => {
              await focus();
              await wd('DELETE', `${s}/window`);
              current = null;
            },
          };
        },
        close: () => wd('DELETE', s).catch(() => {}),
      };
    },
    async close() {
      try {
        process.kill(-driver.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    },
  };
}

const FACTORIES = { chromium: chromiumEngine, firefox: firefoxEngine, webkit: webkitEngine };

/** The engines to test: all three, or those named in SONDAR_ENGINES (e.g. "chromium,firefox"). */
export const engineNames = (process.env.SONDAR_ENGINES || 'chromium,firefox,webkit').split(',').filter((n) => FACTORIES[n]);

/** @returns {Promise<Engine>} */
export const startEngine = (name) => FACTORIES[name]();

