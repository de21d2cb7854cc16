// A shop's page is hostile ground: old libraries patch built-in prototypes (Prototype.js gives
// Array a toJSON that returns a string), tag managers pollute Object.prototype, and plain-http
// pages lack crypto.randomUUID. What must survive that lives here.

const own = Object.prototype.hasOwnProperty;

/**
 * JSON text of plain data (objects, arrays, strings, numbers, booleans, null) that calls no
 * toJSON of Object.prototype or Array.prototype and no Array.prototype method, so a patched
 * prototype cannot change what is stored or sent. Other objects' toJSON (Date's) is honoured.
 * Like JSON.stringify, undefined and functions in objects are left out.
 * @param {unknown} value
 * @returns {string}
 */
export function stringify(value) {
  if (value === null || typeof value !== 'object') {
    // Primitives: JSON.stringify consults toJSON only on objects.
    const text = JSON.stringify(value);
    return text === undefined ? 'null' : text;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== Array.prototype && proto !== null && typeof value.toJSON === 'function') {
    return stringify(value.toJSON()); // a Date, or a class of the caller's own
  }
  let out;
  if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      out += (i ? ',' : '') + (v === undefined || typeof v === 'function' ? 'null' : stringify(v));
    }
    return `${out}]`;
  }
  out = '{';
  let first = true;
  for (const key in value) {
    if (!own.call(value, key)) continue; // inherited: some page's Object.prototype pollution
    const v = value[key];
    if (v === undefined || typeof v === 'function') continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${stringify(v)}`;
    first = false;
  }
  return `${out}}`;
}

/**
 * The caller's options as own properties only, in an object without a prototype: a page that
 * set Object.prototype.headers or .transform must not change what the widget does.
 * @template T
 * @param {T} options
 * @returns {T}
 */
export function ownOptions(options) {
  const out = Object.create(null);
  if (options && typeof options === 'object') {
    for (const key of Object.keys(options)) out[key] = options[key];
  }
  return out;
}

/** A prototype-less object with `props`, for APIs such as fetch that read optional fields. */
export const bare = (props) => Object.assign(Object.create(null), props);

/**
 * A random UUID v4. crypto.randomUUID exists only in secure contexts (https, localhost); on a
 * plain-http page the same 122 random bits come from crypto.getRandomValues.
 */
export function uuid() {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; // version 4
  b[8] = (b[8] & 0x3f) | 0x80; // variant 10
  let hex = '';
  for (let i = 0; i < 16; i++) hex += (b[i] + 0x100).toString(16).slice(1);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
