// At-least-once delivery. Every payload waits in localStorage until the endpoint accepts it, so
// a failed POST, a closed tab or a crash loses nothing: the next page load sends it. A newer
// payload for the same responseId (partial -> complete) replaces the queued one, and receivers
// upsert by responseId, so resends never count twice.
import { deliver } from './transport.js';
import * as storage from './storage.js';

const KEY = 'outbox';
const MAX_ITEMS = 50;
const BASE_DELAY = 1000;
const MAX_DELAY = 5 * 60 * 1000;

/** @typedef {{payload: any, endpoint?: string, attempts: number, nextAt: number}} Item */

export class Outbox {
  /**
   * @param {object} options transport options (endpoint, headers, transform, transport)
   * @param {{delivered: (payload: any) => void, failed: (payload: any, error: any, final: boolean) => void, dropped: (payload: any) => void}} report
   */
  constructor(options, report) {
    this.options = options;
    this.report = report;
    this.inFlight = new Map(); // responseId -> payload being sent from this tab
    this.timer = 0;
  }

  /** @returns {Item[]} */
  items() {
    const list = storage.read(KEY, []);
    return Array.isArray(list) ? list : [];
  }

  save(items) {
    if (!storage.write(KEY, items)) {
      // Storage full or forbidden: keep going in memory for this page.
      this.memory = items;
    }
  }

  /** Queues a payload (replacing an older version of the same response) and sends soon. */
  add(payload) {
    let items = this.items().filter((i) => i.payload.responseId !== payload.responseId);
    // The endpoint travels with the item: another page (with other options) may send it.
    items.push({ payload, endpoint: this.options.endpoint, attempts: 0, nextAt: 0 });
    while (items.length > MAX_ITEMS) {
      const [oldest] = items.splice(0, 1);
      this.report.dropped(oldest.payload);
    }
    this.save(items);
    return this.flush();
  }

  /** Sends what is due; with `all`, everything now (the page is going away). */
  flush(all = false) {
    const run = () => this.sendDue(all);
    // One tab sends at a time, so two open tabs never post the same item together.
    if (navigator.locks && navigator.locks.request) {
      return navigator.locks.request('sondar-outbox', { ifAvailable: !all }, (lock) => (lock || all ? run() : undefined));
    }
    return run();
  }

  async sendDue(all) {
    const now = Date.now();
    const due = this.items().filter((i) => (all || i.nextAt <= now) && !this.inFlight.has(i.payload.responseId));
    await Promise.all(due.map((item) => this.send(item)));
    this.schedule();
  }

  async send(item) {
    const { payload } = item;
    this.inFlight.set(payload.responseId, payload);
    try {
      await deliver(payload, item.endpoint ? { ...this.options, endpoint: item.endpoint } : this.options);
      this.settle(payload, null);
      this.report.delivered(payload);
    } catch (error) {
      const final = !error.retry;
      this.settle(payload, final ? null : error);
      this.report.failed(payload, error, final);
    } finally {
      this.inFlight.delete(payload.responseId);
    }
  }

  /** Removes a sent item, or reschedules it with backoff; a newer queued version is kept. */
  settle(payload, error) {
    const items = this.items();
    const index = items.findIndex((i) => i.payload.responseId === payload.responseId);
    if (index < 0) return;
    const item = items[index];
    if (JSON.stringify(item.payload) !== JSON.stringify(payload)) return; // replaced meanwhile: send that next
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
