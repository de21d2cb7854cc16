// The visitor's id and survey history in localStorage. Storage can be missing, full or
// forbidden (private modes, sandboxed frames): then sondar works for this page only.
import { stringify } from './safe.js';

const PREFIX = 'sondar.';
const MAX_HISTORY = 200;
// A visit ends after this long without a page view, as web analytics count it.
const VISIT_IDLE_MS = 30 * 60 * 1000;

// False while the visitor has not consented: nothing is written.
let allowed = true;
export const allow = (yes) => {
  allowed = !!yes;
};
// False for a widget told `persist: false` (the editor's preview): storage is neither read nor
// written, so the page's own visitor, history and outbox are not touched.
let used = true;
export const use = (yes) => {
  used = !!yes;
};

export function read(name, fallback) {
  if (!used) return fallback;
  try {
    const text = localStorage.getItem(PREFIX + name);
    return text == null ? fallback : JSON.parse(text);
  } catch {
    return fallback;
  }
}

export function write(name, value) {
  if (!allowed || !used) return false;
  try {
    localStorage.setItem(PREFIX + name, stringify(value));
    return true;
  } catch {
    return false;
  }
}

/** @returns {Array<{survey: string, kind: 'display'|'dismiss'|'complete', at: number}>} */
export const history = () => {
  const list = read('history', []);
  return Array.isArray(list) ? list : [];
};

export function remember(survey, kind, at = Date.now()) {
  write('history', [...history(), { survey, kind, at }].slice(-MAX_HISTORY));
}

/** Whether two stored values are the same data (an item read back is a copy, not the object). */
export const same = (a, b) => stringify(a) === stringify(b);

/**
 * This visit, counting a page view when `page` is true: {start, last, views}.
 * @param {boolean} page
 */
export function visit(page) {
  const now = Date.now();
  const v = read('visit', null);
  const going = v && typeof v.start === 'number' && typeof v.views === 'number' && now - v.last < VISIT_IDLE_MS;
  const out = going ? { start: v.start, last: now, views: v.views + (page ? 1 : 0) } : { start: now, last: now, views: 1 };
  write('visit', out);
  return out;
}

/** A new visitor on this browser (logout): their history and visit go. */
export function forget() {
  if (!allowed || !used) return;
  for (const name of ['history', 'visit']) {
    try {
      localStorage.removeItem(PREFIX + name);
    } catch {
      // storage blocked: there was nothing to forget
    }
  }
}
