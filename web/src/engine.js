// The widget engine: gathers the page's facts (events, URL, time, scroll, exit intent, the
// visitor's history), asks the core whether to show, drives the session the core keeps, renders
// its views and sends its payloads. Nothing it does may throw into the host page: failures
// become `error` events.
import { SondarError } from './core-api.js';
import { loadWidgetCore } from './widget-core.js';
import { SurveyUI, prepareStyles } from './ui.js';
import { addStrings, loadStrings, uiStrings } from './i18n.js';
import { Outbox } from './outbox.js';
import { fetchRetrying } from './transport.js';
import * as storage from './storage.js';
import { ownOptions, uuid } from './safe.js';

export { SondarError };

const EVENTS = ['ready', 'show', 'answer', 'complete', 'dismiss', 'delivered', 'error'];

/**
 * @typedef {object} WidgetOptions
 * @property {object|string} survey survey object, or the URL of its JSON
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
 * @property {boolean} [debug] log decisions to the console
 * @property {string|URL} [wasmUrl] where sondar-widget.wasm lives; UI languages other than English
 *   are fetched from i18n/<language>.json next to it unless given in `strings`
 * @property {Record<string, object>} [strings] UI strings by language, e.g. {fr: {...}}
 */

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

export class Widget {
  constructor() {
    /** @type {Record<string, Set<Function>>} */
    this.listeners = Object.fromEntries(EVENTS.map((e) => [e, new Set()]));
    this.attributes = {};
    this.pageStart = Date.now();
    this.cleanups = [];
    this.ready = null;
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
    if (this.options && this.options.debug) console.warn(`sondar: ${context}:`, e);
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
    const wasmUrl = options.wasmUrl || new URL('../lib/sondar-widget.wasm', import.meta.url);
    const locale = options.locale || document.documentElement.lang || navigator.language || 'en';
    if (options.strings) addStrings(options.strings);
    const visitorStrings = loadStrings(locale, wasmUrl);
    const core = await loadWidgetCore({ wasmUrl });
    let source = options.survey;
    if (typeof source === 'string') {
      const response = await fetchRetrying(source);
      if (!response.ok) throw new SondarError(`survey ${source}: HTTP ${response.status}`, { code: 'survey_unavailable' });
      source = await response.text();
    }
    if (source == null) throw new SondarError('no survey given', { code: 'missing_field', path: 'survey' });
    this.survey = core.parseSurvey(source);
    // The first calls into the module compile its code: give the page's own work a turn between
    // steps so no task of ours runs long (the budget is 50 ms).
    await nextTask();
    prepareStyles();
    await nextTask();
    this.locale = locale;
    // The session speaks the visitor's language or the survey's default: have both ready.
    await Promise.all([visitorStrings, loadStrings(this.survey.info.locale, wasmUrl)]);
    this.visitorId = options.visitorId || storage.read('vid', null) || uuid();
    storage.write('vid', this.visitorId);
    Object.assign(this.attributes, options.attributes);
    this.startOutbox(options);
    this.watchPage();
    this.emit('ready', { surveyId: this.survey.id });
    this.guard('page', () => this.evaluate(''));
    return true;
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

  /** Shows the survey now, skipping its trigger and targeting (the host decided). */
  show(surveyId) {
    this.guard('show', () =>
      this.whenReady(() => {
        // Returned, so a failure in open() reaches guard() and becomes an `error` event.
        if (!surveyId || surveyId === this.survey.id) return this.open('');
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
        else if (options.debug) console.info('sondar: will retry', p.responseId, error.code);
      },
      dropped: (p) => this.fail(new SondarError('outbox full: the oldest unsent response was dropped', { code: 'outbox_full' }), 'deliver'),
      memoryOnly: () =>
        this.fail(new SondarError('localStorage is unavailable: responses are kept and sent while this page is open, but a reload loses unsent ones', { code: 'storage_unavailable' }), 'deliver'),
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
      if (this.survey) this.survey.delete();
      this.survey = null;
    });
  }

  whenReady(fn) {
    if (!this.ready) throw new SondarError('call init() first', { code: 'not_initialized' });
    return this.ready.then((ok) => ok && this.survey && fn());
  }

  listen(target, type, fn, options) {
    target.addEventListener(type, fn, options);
    this.cleanups.push(() => target.removeEventListener(type, fn, options));
  }

  // Page facts the core decides on: time on page, scroll depth, exit intent, SPA navigation.
  watchPage() {
    this.exitIntent = false;
    let frame = 0;
    this.listen(
      window,
      'scroll',
      () => {
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
    // Single-page apps change the URL without a page load: wrap pushState/replaceState.
    const onNavigate = () =>
      this.guard('navigate', () => {
        if (location.href === this.lastUrl) return;
        this.lastUrl = location.href;
        this.pageStart = Date.now();
        this.exitIntent = false;
        this.waiting = undefined;
        clearTimeout(this.timer);
        // Returned: open() is async, and guard() must see its failure.
        return this.evaluate('');
      });
    this.lastUrl = location.href;
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
  }

  scrollPercent() {
    const el = document.documentElement;
    const room = el.scrollHeight - window.innerHeight;
    return room <= 0 ? 100 : Math.min(100, Math.round((window.scrollY / room) * 100));
  }

  evaluate(event) {
    if (this.ui || this.session || !this.survey) return;
    const now = Date.now();
    const decision = this.survey.decide({
      event,
      url: location.href,
      secondsOnPage: (now - this.pageStart) / 1000,
      scrollPercent: this.scrollPercent(),
      exitIntent: this.exitIntent,
      visitorId: this.visitorId,
      locale: this.locale,
      attributes: this.attributes,
      history: storage.history(),
      now,
    });
    if (this.options.debug) console.info('sondar: decide', event || '(page)', decision);
    if (decision.show) return this.open(event);
    // The core says what it waits for; keep the event so a timer, scroll or exit can finish it.
    if (['too_early', 'not_scrolled', 'no_exit_intent'].includes(decision.reason)) {
      this.waiting = event;
      if (decision.reason === 'too_early' && decision.retryAt) {
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.guard('delay', () => this.evaluate(event)), decision.retryAt - now);
      }
    }
  }

  async open(trigger) {
    if (this.ui || this.session) return;
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
      startedAt: Date.now(),
    });
    this.waiting = undefined;
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
      // The UI only offers valid answers; a refusal here is worth a debug line, not a crash.
      if (!(error instanceof SondarError)) throw error;
      if (this.options.debug) console.warn('sondar: answer refused', error);
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
