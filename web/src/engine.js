// The widget engine: gathers the page's facts (events, clicks, URL, time, scroll, exit intent,
// the visit, the visitor's history), asks the core which of the site's surveys to show, drives
// the session the core keeps, renders its views and sends its payloads. Nothing it does may
// throw into the host page: failures become `error` events.
import { SondarError } from './errors.js';
import { loadWidgetCore } from './widget-core.js';
import { SurveyUI, warmFonts } from './ui.js';
import { addStrings, loadStrings, uiStrings } from './i18n.js';
import { Outbox } from './outbox.js';
import { fetchRetrying } from './transport.js';
import * as storage from './storage.js';
import { ownOptions, uuid } from './safe.js';

export { SondarError };

const EVENTS = ['ready', 'show', 'answer', 'complete', 'dismiss', 'delivered', 'error'];

/**
 * @typedef {object} WidgetOptions
 * @property {object|string} [site] a sondar.site/1 manifest (every survey of the shop), or its URL
 * @property {object|string} [survey] one survey object, or the URL of its JSON (instead of `site`)
 * @property {'pending'} [consent] write nothing to storage and show nothing until consent(true)
 * @property {boolean} [persist] false: neither read nor write the page's storage (a preview of a
 *   survey on a page that has its own widget: its visitor, history and outbox stay untouched)
 * @property {string} [endpoint] where responses are POSTed
 * @property {Record<string,string>} [headers]
 * @property {(payload: object) => unknown} [transform]
 * @property {(body: unknown, payload: object) => Promise<unknown>} [transport]
 * @property {string} [locale]
 * @property {string} [visitorId]
 * @property {Record<string, unknown>} [attributes] CRM facts for targeting
 * @property {Record<string, string|number|boolean>} [hidden] values for the survey's hidden fields
 * @property {Element|string} [container] render inline here instead of floating
 * @property {Record<string,string>} [theme] --sondar-* custom properties
 * @property {boolean} [dataLayer] also push events to window.dataLayer
 * @property {boolean} [debug] log decisions to the console and load the module with error
 *   messages, sondar-widget-debug.wasm (also: ?sondar_debug=1 in the page URL)
 * @property {string|URL} [wasmUrl] where sondar-widget.wasm lives; UI languages other than English
 *   are fetched from i18n/<language>.json next to it unless given in `strings`
 * @property {Record<string, object>} [strings] UI strings by language, e.g. {fr: {...}}
 */

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Responses asked for before they were needed: by the loader, together with the engine (its
 * object is only read: the page can reach it, and may have frozen it), and by the engine for the
 * surveys a manifest preloads. Each is taken once, and only a real, successful Response counts:
 * a page may have replaced fetch.
 */
class Early {
  /** @param {any} [loader] the loader's requests by URL */
  constructor(loader) {
    this.loader = loader;
    /** @type {Record<string, Promise<Response> | null>} */
    this.own = {};
  }

  /** The request for `href` (a URL resolved as fetch() does), null once taken, or undefined. */
  pending(href) {
    try {
      return href in this.own ? this.own[href] : this.loader[href];
    } catch {
      return undefined; // no loader, or a getter of the page's
    }
  }

  /** @param {string|URL} url @returns {Promise<Response|null>} */
  async take(url) {
    try {
      const href = new URL(url, document.baseURI).href;
      const pending = this.pending(href);
      this.own[href] = null;
      const response = await pending;
      return response instanceof Response && response.ok && !response.bodyUsed ? response : null;
    } catch {
      return null;
    }
  }
}

/**
 * The text at `url`; `path` names the option or manifest entry it came from in the error.
 * @param {string|URL} url @param {string} path @param {Early} early
 */
async function fetchText(url, path, early) {
  const response = (await early.take(url)) || (await fetchRetrying(url));
  if (!response.ok) throw new SondarError(`${url}: HTTP ${response.status}`, { code: 'survey_unavailable', path });
  return response.text();
}

export class Widget {
  /** @param {unknown} [early] what the loader requested with the engine, by URL */
  constructor(early) {
    this.early = new Early(early);
    /** @type {Record<string, Set<Function>>} */
    this.listeners = Object.fromEntries(EVENTS.map((e) => [e, new Set()]));
    this.attributes = {};
    this.pageStart = Date.now();
    this.cleanups = [];
    this.ready = null;
    /** Surveys opened so far, by their index in the site. */
    this.surveys = [];
    this.shown = 0; // surveys shown in this page view
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on(name, fn) {
    if (!this.listeners[name] || typeof fn !== 'function') return () => {};
    this.listeners[name].add(fn);
    return () => this.listeners[name].delete(fn);
  }

  emit(name, detail = {}) {
    for (const fn of this.listeners[name]) {
      try {
        fn(detail);
      } catch (error) {
        console.error('sondar: an event listener threw', error); // the host's bug, not ours to rethrow
      }
    }
    try {
      window.dispatchEvent(new CustomEvent(`sondar:${name}`, { detail }));
      if (this.options && this.options.dataLayer) (window.dataLayer = window.dataLayer || []).push({ event: `sondar_${name}`, sondar: detail });
    } catch {
      // a broken dataLayer must not stop the survey
    }
  }

  fail(error, context) {
    const e = error instanceof SondarError ? error : new SondarError(String((error && error.message) || error), { code: 'internal', cause: error });
    if (this.debug) console.warn(`sondar: ${context}:`, e);
    this.emit('error', { code: e.code, path: e.path, message: e.message, context });
  }

  /** Guards a host-facing call: errors become `error` events, never exceptions. */
  guard(context, fn) {
    try {
      const result = fn();
      if (result && typeof result.catch === 'function') result.catch((e) => this.fail(e, context));
    } catch (error) {
      this.fail(error, context);
    }
  }

  /** @param {WidgetOptions} options */
  init(options) {
    this.guard('init', () => {
      this.options = ownOptions(options);
      this.ready = this.start(this.options).catch((e) => {
        this.fail(e, 'init');
        return false;
      });
    });
    return this;
  }

  async start(options) {
    this.debug = options.debug || /[?&]sondar_debug=1(&|$)/.test(location.search);
    const leanUrl = options.wasmUrl || new URL('../lib/sondar-widget.wasm', import.meta.url);
    // With debug on, the sibling module whose errors also say in words what is wrong (the one
    // for every visitor has codes and paths only, and is 5.1 KB lighter).
    const wasmUrl = this.debug ? String(leanUrl).replace(/sondar-widget\.wasm(?=[?#]|$)/, 'sondar-widget-debug.wasm') : leanUrl;
    const locale = options.locale || document.documentElement.lang || navigator.language || 'en';
    if (options.strings) addStrings(options.strings);
    const visitorStrings = loadStrings(locale, wasmUrl);
    this.wasmUrl = wasmUrl;
    const single = !options.site;
    let source = single ? options.survey : options.site;
    this.base = document.baseURI; // what fetch() resolves relative URLs against
    // The module and the manifest (or survey) are fetched at once, not one after the other.
    const wasmResponse = this.early.take(wasmUrl);
    // The loader preloads the surveys of a manifest it requested (loader.js); the engine those
    // of any other.
    let preload = !single;
    if (typeof source === 'string') {
      this.base = new URL(source, this.base).href; // surveys by URL are relative to the manifest
      preload = preload && !this.early.pending(this.base);
      source = fetchText(source, single ? 'survey' : 'site', this.early);
    }
    if (preload) source = Promise.resolve(source).then((manifest) => (this.preloadSurveys(manifest), manifest));
    // A site that did not copy the debug module still shows its survey with debug on.
    const loaded = loadWidgetCore({ wasmUrl, wasmResponse }).catch((e) =>
      String(wasmUrl) === String(leanUrl) ? Promise.reject(e) : loadWidgetCore({ wasmUrl: leanUrl }),
    );
    // What needs no core is done while the module is still on its way (on a slow phone it comes
    // last, and everything after it is the visitor's wait): the stylesheet and its fonts, the
    // visitor, the visit.
    // In a task of their own: the engine's evaluation is a long one already.
    await nextTask();
    warmFonts();
    this.locale = locale;
    this.pending = options.consent === 'pending';
    // One switch for this module: a widget that does not persist holds it only while it runs.
    storage.use(options.persist !== false);
    if (options.persist === false) this.cleanups.push(() => storage.use(true));
    storage.allow(!this.pending);
    this.visitorId = options.visitorId || storage.read('vid', null) || uuid();
    Object.assign(this.attributes, options.attributes);
    this.visit = storage.visit(true);
    const [core, text] = await Promise.all([loaded, source]);
    // The module's compilation ends in the task that resolved it: parsing starts in the next.
    await nextTask();
    source = text;
    if (source == null) throw new SondarError('no site or survey given', { code: 'missing_field', path: 'site' });
    this.site = core.parseSite(source, single);
    // Asked of the collector while the module warms up and the strings load, not after.
    const counts = this.responseCounts(options.endpoint);
    // The first calls into the module compile its code: give the page's own work a turn between
    // steps so no task of ours runs long (the budget is 50 ms).
    await nextTask();
    this.counts = await counts;
    await visitorStrings;
    this.watchPage();
    const surveys = this.site.info.surveys.map((s) => s.id);
    this.emit('ready', { surveyId: surveys[0], surveys });
    if (this.pending) this.last = { show: null, index: -1, consent: 'pending', surveys: [] };
    else this.admit();
    return true;
  }

  /** Storage, delivery and surveys, once the visitor allows them. */
  admit() {
    storage.allow(true);
    storage.write('vid', this.visitorId);
    if (!this.outbox) this.startOutbox(this.options);
    this.guard('page', () => this.evaluate(''));
  }

  /**
   * How many responses the collector holds for surveys with closeAfter: GET <endpoint>/counts.
   * Unknown counts cap nothing (the core's rule), so any failure here is only a debug line.
   */
  async responseCounts(endpoint) {
    const ids = this.site.info.surveys.filter((s) => s.closeAfter > 0).map((s) => s.id);
    if (!ids.length || !endpoint) return {};
    try {
      const url = new URL(endpoint, location.href);
      url.pathname += '/counts';
      url.search = `?surveys=${encodeURIComponent(ids)}`;
      const counts = await (await fetch(url, { credentials: 'omit' })).json();
      // The core refuses a context with a malformed count: a broken collector must not stop
      // every survey, so only counts go through.
      return Object.fromEntries(Object.entries(counts).filter(([, n]) => Number.isInteger(n) && n >= 0));
    } catch (error) {
      if (this.debug) console.info('sondar: no response counts', error);
      return {};
    }
  }

  /** Which survey the core picked last and why each other one did not show. */
  why(fn) {
    const decision = (this.ready || Promise.resolve()).then(() => this.last || null);
    if (typeof fn === 'function') decision.then(fn);
    return decision;
  }

  /** Logout: a new visitor id; the old visitor's history, visit and attributes are gone. */
  reset() {
    this.guard('reset', () =>
      this.whenReady(() => {
        this.close();
        this.visitorId = uuid();
        this.attributes = {};
        storage.forget();
        storage.write('vid', this.visitorId);
        this.visit = storage.visit(true);
      }),
    );
  }

  /** consent(true) lifts `consent: 'pending'`; consent(false) stops writing and showing. */
  consent(granted) {
    this.guard('consent', () =>
      this.whenReady(() => {
        if (granted && this.pending) {
          this.pending = false;
          this.admit();
          storage.write('visit', this.visit); // counted while nothing could be written
        } else if (!granted) {
          this.pending = true;
          storage.allow(false);
          this.close();
        }
      }),
    );
  }

  /** Reports a host event such as "checkout_complete". */
  track(event, props) {
    this.guard('track', () => this.whenReady(() => this.evaluate(String(event), props)));
  }

  /** Sets who the visitor is and what the host knows of them (segment, orders_count, ...). */
  identify(visitorId, attributes) {
    this.guard('identify', () =>
      this.whenReady(() => {
        if (visitorId) {
          this.visitorId = String(visitorId);
          storage.write('vid', this.visitorId);
        }
        Object.assign(this.attributes, attributes);
      }),
    );
  }

  /** Shows a survey of the site now (the first without an id), skipping every rule: the host decided. */
  show(surveyId) {
    this.guard('show', () =>
      this.whenReady(() => {
        const index = surveyId ? this.site.info.surveys.findIndex((s) => s.id === surveyId) : 0;
        if (index < 0) throw new SondarError(`the site has no survey "${surveyId}"`, { code: 'unknown_survey' });
        // Returned, so a failure in open() reaches guard() and becomes an `error` event.
        return this.open(index, '');
      }),
    );
  }

  /** Sends every queued response now; resolves when those attempts have settled. */
  flush() {
    return this.outbox ? Promise.resolve(this.outbox.flush(true)).then(() => undefined, () => undefined) : Promise.resolve();
  }

  startOutbox(options) {
    this.outbox = new Outbox(options, {
      delivered: (p) => this.emit('delivered', { responseId: p.responseId, status: p.status }),
      failed: (p, error, final) => {
        // Retries are routine; a final refusal, or an endpoint that is wrongly set up (a redirect,
        // an HTML page), is the host's business.
        if (final || error.report) this.fail(error, 'deliver');
        else if (this.debug) console.info('sondar: will retry', p.responseId, error.code);
      },
      dropped: (p) => this.fail(new SondarError('outbox full: the oldest unsent response was dropped', { code: 'outbox_full' }), 'deliver'),
      // Withdrawn consent keeps responses in memory on purpose: no error for that.
      memoryOnly: () =>
        this.pending ||
        this.options.persist === false ||
        this.fail(new SondarError('localStorage is unavailable: responses not yet sent are lost if the page closes', { code: 'storage_unavailable' }), 'deliver'),
    });
    // The page may close right after Submit: send everything now, with keepalive.
    this.listen(window, 'pagehide', () => this.guard('pagehide', () => this.outbox.flush(true)));
    this.listen(window, 'online', () => this.guard('online', () => this.outbox.flush()));
    // Back from the back/forward cache: timers may have been frozen while it was away.
    this.listen(window, 'pageshow', (e) => e.persisted && this.guard('pageshow', () => this.outbox.flush()));
    this.cleanups.push(() => this.outbox.stop());
    this.guard('resume', () => this.outbox.flush()); // what earlier pages left unsent
  }

  destroy() {
    this.guard('destroy', () => {
      this.close();
      for (const undo of this.cleanups.splice(0)) undo();
      clearTimeout(this.timer);
      for (const survey of this.surveys) if (survey) survey.delete();
      if (this.site) this.site.delete();
      this.site = this.survey = null;
      this.surveys = [];
    });
  }

  whenReady(fn) {
    if (!this.ready) throw new SondarError('call init() first', { code: 'not_initialized' });
    return this.ready.then((ok) => ok && this.site && fn());
  }

  listen(target, type, fn, options) {
    target.addEventListener(type, fn, options);
    this.cleanups.push(() => target.removeEventListener(type, fn, options));
  }

  // Page facts the core decides on: clicks, time on page, scroll depth, exit intent, SPA navigation.
  watchPage() {
    this.exitIntent = false;
    let frame = 0;
    // Exit intent on touch screens, where no pointer leaves the window: a fast flick back up (a
    // fifth of the screen within 300 ms), as toward the address bar or the back button.
    let lastY = scrollY;
    let upFrom = 0;
    let upSince = 0;
    this.listen(
      window,
      'scroll',
      () => {
        const y = scrollY;
        const t = Date.now();
        if (y >= lastY) upSince = 0;
        else {
          if (!upSince) (upSince = t), (upFrom = lastY);
          if (upFrom - y > innerHeight / 5 && t - upSince < 300) this.exitIntent = true;
        }
        lastY = y;
        if (this.waiting === undefined || frame) return;
        frame = requestAnimationFrame(() => {
          frame = 0;
          this.guard('scroll', () => this.evaluate(this.waiting));
        });
      },
      { passive: true },
    );
    this.listen(document, 'mouseout', (e) => {
      if (e.relatedTarget || e.clientY > 0 || this.waiting === undefined) return;
      this.exitIntent = true;
      this.guard('exit', () => this.evaluate(this.waiting));
    });
    // Single-page apps change the URL without a page load: wrap pushState/replaceState. A jump
    // to an anchor (#faq) on the same page is no new page view.
    const page = () => location.href.split('#')[0];
    const onNavigate = () =>
      this.guard('navigate', () => {
        if (page() === this.lastUrl) return;
        this.lastUrl = page();
        this.pageStart = Date.now();
        this.shown = 0;
        this.visit = storage.visit(true);
        this.exitIntent = false;
        this.waiting = undefined;
        clearTimeout(this.timer);
        // Returned: open() is async, and guard() must see its failure.
        return this.evaluate('');
      });
    this.lastUrl = page();
    for (const method of ['pushState', 'replaceState']) {
      const original = history[method];
      const patched = function (...args) {
        const result = original.apply(this, args);
        setTimeout(onNavigate, 0);
        return result;
      };
      history[method] = patched;
      // Restore only if nobody patched on top of us since.
      this.cleanups.push(() => history[method] === patched && (history[method] = original));
    }
    this.listen(window, 'popstate', onNavigate);
    // The browser judges selectors: one it cannot parse is reported (its error names it), once.
    const selectors = this.site.info.surveys.flatMap((s) => s.clicks).filter((selector) => {
      try {
        document.querySelector(selector);
        return true;
      } catch (error) {
        this.fail(new SondarError(error.message, { code: 'invalid_value', path: 'trigger.clicks' }), 'init');
      }
    });
    if (!selectors.length) return;
    this.listen(
      document,
      'click',
      (e) =>
        this.guard('click', () => {
          const target = e.target;
          const hit = target instanceof Element && selectors.find((selector) => target.closest(selector));
          if (hit) return this.evaluate('', hit);
        }),
      true,
    );
  }

  scrollPercent() {
    const el = document.documentElement;
    const room = el.scrollHeight - window.innerHeight;
    return room <= 0 ? 100 : Math.min(100, Math.round((window.scrollY / room) * 100));
  }

  /**
   * Whether another survey may open: none is on screen or being opened (fetched), consent is not
   * pending, and the widget was not destroyed. Deciding and opening both ask.
   */
  mayOpen() {
    return !this.ui && !this.session && !this.opening && !this.pending && !!this.site;
  }

  evaluate(event, clicked = '') {
    if (!this.mayOpen()) return;
    const now = Date.now();
    const decision = this.site.decide({
      event,
      clicked,
      url: location.href,
      secondsOnPage: (now - this.pageStart) / 1000,
      scrollPercent: this.scrollPercent(),
      exitIntent: this.exitIntent,
      pageViews: this.visit.views,
      secondsOnSite: (now - this.visit.start) / 1000,
      shownThisPage: this.shown,
      responseCounts: this.counts,
      visitorId: this.visitorId,
      locale: this.locale,
      attributes: this.attributes,
      history: storage.history(),
      now,
    });
    this.last = decision;
    if (this.debug) console.info('sondar: decide', event || clicked || '(page)', JSON.stringify(decision, null, 1));
    if (decision.show) return this.open(decision.index, event || clicked);
    // The core says whether a survey waits for later on this page; keep the event so a timer,
    // scroll or exit can finish it.
    if (decision.waiting) this.waiting = event;
    if (decision.retryAt) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.guard('delay', () => this.evaluate(event, clicked)), decision.retryAt - now);
    }
  }

  /**
   * Requests the surveys the manifest marks `"preload": true` while the module is still on its
   * way, so the one the core then chooses is already here. Only a hint is read: the core
   * validates the manifest and decides; a malformed one is its to report.
   * @param {unknown} manifest its text, or the object the page gave
   */
  preloadSurveys(manifest) {
    try {
      const doc = typeof manifest === 'string' ? JSON.parse(manifest) : manifest;
      // The core has not checked the manifest yet: at most a manifest's 50 surveys.
      for (const entry of doc.surveys.slice(0, 50)) {
        const href = entry.preload === true && typeof entry.url === 'string' && new URL(entry.url, this.base).href;
        if (href && this.early.pending(href) === undefined) (this.early.own[href] = fetch(href)).catch(() => {});
      }
    } catch {
      // not JSON, a manifest the core will refuse, or fetch replaced by the page: the survey is
      // fetched when chosen
    }
  }

  /** The site's survey at `index`, fetched first if the manifest gives it by URL. */
  async surveyAt(index) {
    if (this.surveys[index]) return this.surveys[index];
    const entry = this.site.info.surveys[index];
    let text = '';
    if (entry.url) {
      text = await fetchText(new URL(entry.url, this.base), `surveys[${index}].url`, this.early);
    }
    const survey = this.site.survey(index, text);
    // Parsing a fetched survey is the module's first run of that code: the session starts in
    // the next task, so no task of ours runs long on a slow phone.
    if (entry.url) await nextTask();
    this.surveys[index] = survey;
    // The session speaks the visitor's language or the survey's default: have both ready.
    await loadStrings(survey.info.locale, this.wasmUrl);
    return survey;
  }

  async open(index, trigger) {
    // Not even show() opens a survey before consent.
    if (!this.mayOpen()) return;
    this.opening = true;
    try {
      // The decision was the module's first run of that code; the survey's parse and the session
      // come in the next task, so no task of ours runs long on a slow phone.
      await nextTask();
      this.survey = await this.surveyAt(index);
    } finally {
      this.opening = false;
    }
    // Another survey, destroy() or a withdrawn consent came first.
    if (!this.mayOpen()) return;
    const o = this.options;
    const declared = new Set(this.survey.info.hidden);
    const hidden = Object.fromEntries(Object.entries(o.hidden || {}).filter(([k]) => declared.has(k)));
    this.session = this.survey.startSession({
      responseId: uuid(),
      visitorId: this.visitorId,
      locale: this.locale,
      trigger,
      page: location.href,
      hidden,
      attributes: this.attributes,
      startedAt: Date.now(),
    });
    this.waiting = undefined;
    this.shown++;
    // Drawing the first screen (style, layout, focus) is the costliest step: it gets its own task,
    // so neither it nor the page's trigger handler runs long.
    await nextTask();
    if (!this.session || this.ui) return; // destroyed meanwhile
    const container = typeof o.container === 'string' ? document.querySelector(o.container) : o.container;
    try {
      this.ui = new SurveyUI({
        container,
        theme: o.theme,
        on: {
          answer: (id, value) => this.guard('answer', () => this.answer(id, value)),
          other: (id, text) => this.guard('answer', () => this.ui.update(this.session.other(id, text))),
          next: () => this.guard('next', () => this.next()),
          back: () => this.guard('back', () => this.ui.render(this.session.back())),
          dismiss: () => this.guard('dismiss', () => this.dismiss()),
          close: () => this.guard('close', () => this.close()),
          error: (error) => this.fail(error, 'ui'),
        },
      });
      this.ui.render(this.session.view());
    } catch (error) {
      this.close(); // nothing half-drawn stays on the page
      throw error;
    }
    storage.remember(this.survey.id, 'display');
    this.emit('show', { surveyId: this.survey.id, trigger });
  }

  answer(questionId, value) {
    try {
      this.ui.update(this.session.answer(questionId, value));
      this.emit('answer', { surveyId: this.survey.id, questionId, value });
    } catch (error) {
      // The UI offers valid answers but for what is typed (an e-mail address): a refusal clears
      // the answer, so nothing stale is sent, and is worth a debug line, not a crash.
      if (!(error instanceof SondarError)) throw error;
      if (this.debug) console.warn('sondar: answer refused', error);
      this.ui.update(this.session.answer(questionId, null));
    }
  }

  next() {
    let view;
    try {
      view = this.session.next();
    } catch (error) {
      if (error instanceof SondarError && error.code === 'required') return this.ui.showError(uiStrings(this.session.view().locale).required);
      throw error;
    }
    const payload = this.session.payload();
    this.send(payload);
    if (view.state === 'ending') {
      storage.remember(this.survey.id, 'complete');
      this.emit('complete', { surveyId: this.survey.id, responseId: payload.responseId, payload });
    }
    this.ui.render(view);
  }

  dismiss() {
    this.session.dismiss();
    const payload = this.session.payload();
    storage.remember(this.survey.id, 'dismiss');
    this.send(payload);
    this.emit('dismiss', { surveyId: this.survey.id, responseId: payload.responseId });
    this.close();
  }

  close() {
    if (this.ui) this.ui.destroy();
    this.ui = null;
    if (this.session) this.session.delete();
    this.session = null;
  }

  send(payload) {
    this.guard('deliver', () => this.outbox.add(payload));
  }
}

/** The public handle: the methods of window.Sondar, bound and safe to call in any order. */
export function publicApi(widget) {
  return {
    init: (options) => (widget.init(options), undefined),
    track: (event, props) => widget.track(event, props),
    identify: (id, attributes) => widget.identify(id, attributes),
    show: (surveyId) => widget.show(surveyId),
    on: (name, fn) => widget.on(name, fn),
    flush: () => widget.flush(),
    destroy: () => widget.destroy(),
    why: (fn) => widget.why(fn),
    reset: () => widget.reset(),
    consent: (granted) => widget.consent(granted),
  };
}

/**
 * Creates a widget; with `options.survey` it starts at once.
 * @param {WidgetOptions} [options]
 */
export function createWidget(options) {
  const widget = new Widget();
  if (options) widget.init(options);
  return publicApi(widget);
}
