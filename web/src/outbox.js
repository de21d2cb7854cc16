// At-least-once delivery. Every payload waits in localStorage until the endpoint accepts it, so
// a failed POST, a closed tab or a crash loses nothing: the next page load sends it. A newer
// payload for the same responseId (partial -> complete) replaces the queued one, and receivers
// upsert by responseId, so resends never count twice.
//
// Where storage is blocked or full, the queue lives in this page's memory: it is still sent for
// as long as the page is open (and at pagehide), but cannot survive a reload.
import { deliver } from './transport.js';
import * as storage from './storage.js';
import { bare } from './safe.js';

const KEY = 'outbox';
const MAX_ITEMS = 50;
const BASE_DELAY = 1000;
const MAX_DELAY = 5 * 60 * 1000;
const LOCK = 'sondar-outbox';
// The lock only keeps two tabs from posting one item at once (harmless: receivers upsert). A
// page can keep holding it for ever (Firefox keeps a bfcached page's locks), so after this long
// without it a tab sends anyway.
const LOCK_PATIENCE = 10 * 1000;

/** @typedef {{payload: any, endpoint?: string, attempts: number, nextAt: number}} Item */

export class Outbox {
  /**
   * @param {object} options transport options (endpoint, headers, transform, transport)
   * @param {{delivered: (payload: any) => void, failed: (payload: any, error: any, final: boolean) => void, dropped: (payload: any) => void, memoryOnly: () => void}} report
   */
  constructor(options, report) {
    this.options = options;
    this.report = report;
    this.inFlight = new Map(); // responseId -> payload being sent from this tab
    this.timer = 0;
    /** @type {Item[]|null} the queue when storage refused it */
    this.memory = null;
    this.lockBusySince = 0;
  }

  /** @returns {Item[]} */
  items() {
    if (this.memory) return this.memory;
    const list = storage.read(KEY, []);
    return Array.isArray(list) ? list : [];
  }

  save(items) {
    if (storage.write(KEY, items)) {
      this.memory = null;
      return;
    }
    // Storage full or forbidden: keep going in memory for this page.
    if (!this.memory) this.report.memoryOnly();
    this.memory = items;
  }

  /** Queues a payload (replacing an older version of the same response) and sends soon. */
  add(payload) {
    const items = this.items().filter((i) => i.payload.responseId !== payload.responseId);
    // The endpoint travels with the item, absolute: another page (another path, other options)
    // may be the one that sends it.
    const endpoint = this.options.endpoint == null ? undefined : new URL(String(this.options.endpoint), location.href).href;
    items.push({ payload, endpoint, attempts: 0, nextAt: 0 });
    while (items.length > MAX_ITEMS) {
      const [oldest] = items.splice(0, 1);
      this.report.dropped(oldest.payload);
    }
    this.save(items);
    return this.flush();
  }

  /**
   * Sends what is due. With `leaving` (pagehide), everything now, with keepalive, and without
   * the lock: waiting for it could outlast the page, and holding it into the back/forward cache
   * would block every other page of the site.
   */
  flush(leaving = false) {
    const run = () => this.sendDue(leaving);
    if (leaving || !(navigator.locks && navigator.locks.request)) return run();
    return navigator.locks.request(LOCK, bare({ ifAvailable: true }), (lock) => {
      if (lock) {
        this.lockBusySince = 0;
        return run();
      }
      const now = Date.now();
      this.lockBusySince ||= now;
      if (now - this.lockBusySince >= LOCK_PATIENCE) return run();
      // Another tab is sending; look again soon in case it never lets go.
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.flush(), 2000);
      return undefined;
    });
  }

  async sendDue(leaving) {
    const now = Date.now();
    const due = this.items().filter((i) => {
      if (!leaving && i.nextAt > now) return false;
      const sending = this.inFlight.get(i.payload.responseId);
      // An older version still on its way does not hold back the newest one: at pagehide the
      // complete response must leave even if the partial before it is stuck on a slow network.
      return !sending || (leaving && !storage.same(sending, i.payload));
    });
    await Promise.all(due.map((item) => this.send(item)));
    this.schedule();
  }

  async send(item) {
    const { payload } = item;
    this.inFlight.set(payload.responseId, payload);
    try {
      await deliver(payload, item.endpoint ? bare({ ...this.options, endpoint: item.endpoint }) : this.options);
      this.settle(payload, null);
      this.report.delivered(payload);
    } catch (error) {
      const final = !error.retry;
      this.settle(payload, final ? null : error);
      this.report.failed(payload, error, final);
    } finally {
      if (this.inFlight.get(payload.responseId) === payload) this.inFlight.delete(payload.responseId);
    }
  }

  /** Removes a sent item, or reschedules it with backoff; a newer queued version is kept. */
  settle(payload, error) {
    const items = this.items();
    const index = items.findIndex((i) => i.payload.responseId === payload.responseId);
    if (index < 0) return;
    const item = items[index];
    if (!storage.same(item.payload, payload)) return; // replaced meanwhile: send that next
    if (!error) {
      items.splice(index, 1);
    } else {
      item.attempts += 1;
      const backoff = Math.min(MAX_DELAY, BASE_DELAY * 2 ** (item.attempts - 1)) * (0.5 + Math.random());
      item.nextAt = Date.now() + Math.max(error.retryAfterMs ?? 0, backoff);
    }
    this.save(items);
  }

  schedule() {
    clearTimeout(this.timer);
    const next = Math.min(...this.items().map((i) => i.nextAt));
    if (Number.isFinite(next)) this.timer = setTimeout(() => this.flush(), Math.max(0, next - Date.now()));
  }

  stop() {
    clearTimeout(this.timer);
  }
}
