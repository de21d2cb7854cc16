// Sends one response payload. POST JSON with an Idempotency-Key, so a receiver that upserts by
// responseId never counts a resend twice; `transport` and `transform` adapt to any endpoint.
// Failures carry what the outbox needs to decide: `retry` and, when given, `retryAfterMs`.
import { SondarError } from './errors.js';
import { bare, stringify } from './safe.js';

const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);

/** Retry-After as milliseconds: delta-seconds or an HTTP date. */
export function retryAfterMs(header, now = Date.now()) {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function failure(message, code, retry, extra = {}) {
  const error = new SondarError(message, { code });
  return Object.assign(error, { retry }, extra);
}

/**
 * @param {object & {responseId: string}} payload
 * @param {{endpoint?: string, headers?: Record<string,string>, transform?: (p: object) => unknown, transport?: (body: unknown, payload: object) => Promise<unknown>}} options
 */
export async function deliver(payload, options) {
  const body = options.transform ? options.transform(payload) : payload;
  if (options.transport) {
    try {
      return await options.transport(body, payload);
    } catch (cause) {
      // A custom transport's failure is taken as temporary unless it says otherwise.
      throw Object.assign(failure(`transport failed: ${cause && cause.message ? cause.message : cause}`, 'transport', cause?.retry !== false), { cause });
    }
  }
  if (!options.endpoint) throw failure('no endpoint to send responses to', 'no_endpoint', false);
  let response;
  try {
    response = await fetch(
      options.endpoint,
      bare({
        method: 'POST',
        headers: bare({ 'Content-Type': 'application/json', 'Idempotency-Key': payload.responseId, ...options.headers }),
        body: typeof body === 'string' ? body : stringify(body),
        keepalive: true, // survives the page being closed right after Submit
        credentials: 'omit',
        // A redirect would turn the POST into a bodiless GET that answers 200: not a delivery.
        redirect: 'manual',
        // Never an answer from the HTTP cache, whatever the page's fetch defaults.
        cache: 'no-store',
      }),
    );
  } catch (cause) {
    throw Object.assign(failure('the response could not be sent (network error)', 'network', true), { cause });
  }
  // Accepted means a 2xx that is not a web page: a misrouted POST often gets the site's HTML (a
  // single-page app's index.html) with 200. Both keep the response queued and say so.
  if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400)) {
    throw failure('the endpoint answered with a redirect; only a 2xx answer accepts a response', 'http_redirect', true, { report: true });
  }
  if (response.ok && /^text\/html\b/i.test(response.headers.get('Content-Type') || '')) {
    throw failure(`the endpoint answered ${response.status} with an HTML page, not an acceptance`, 'http_not_accepted', true, { report: true });
  }
  if (!response.ok) {
    throw failure(`the endpoint answered ${response.status}`, `http_${response.status}`, RETRYABLE.has(response.status), {
      status: response.status,
      retryAfterMs: retryAfterMs(response.headers.get('Retry-After')),
    });
  }
}

/**
 * GETs `url` for the widget's own files (survey definition, wasm), trying again after 0.5 s and
 * 1.5 s on a network error or a status worth retrying: without them no survey shows on this page
 * view. Resolves with the last response, ok or not.
 * @param {string|URL} url
 * @returns {Promise<Response>}
 */
export async function fetchRetrying(url, attempts = 3) {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(url, { credentials: 'same-origin' });
      if (response.ok || attempt >= attempts || !RETRYABLE.has(response.status)) return response;
    } catch (error) {
      if (attempt >= attempts) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 500 * 3 ** (attempt - 1)));
  }
}
