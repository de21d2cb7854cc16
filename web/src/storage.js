// The visitor's id and survey history in localStorage. Storage can be missing, full or
// forbidden (private modes, sandboxed frames): then sondar works for this page only.
import { stringify } from './safe.js';

const PREFIX = 'sondar.';
const MAX_HISTORY = 200;

export function read(name, fallback) {
  try {
    const text = localStorage.getItem(PREFIX + name);
    return text == null ? fallback : JSON.parse(text);
  } catch {
    return fallback;
  }
}

export function write(name, value) {
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
