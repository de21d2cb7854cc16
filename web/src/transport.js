// Sends one response payload. POST JSON with an Idempotency-Key, so a receiver that upserts by
// responseId never counts a resend twice; `transport` and `transform` adapt to any endpoint.
import { SondarError } from './core-api.js';

/**
 * @param {object & {responseId: string}} payload
 * @param {{endpoint?: string, headers?: Record<string,string>, transform?: (p: object) => unknown, transport?: (body: unknown, payload: object) => Promise<unknown>}} options
 */
export async function deliver(payload, options) {
  const body = options.transform ? options.transform(payload) : payload;
  if (options.transport) return options.transport(body, payload);
  if (!options.endpoint) throw new SondarError('no endpoint to send responses to', { code: 'no_endpoint' });
  let response;
  try {
    response = await fetch(options.endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': payload.responseId, ...options.headers },
      body: JSON.stringify(body),
      keepalive: true, // survives the page being closed right after Submit
      credentials: 'omit',
    });
  } catch (cause) {
    throw new SondarError('the response could not be sent (network error)', { code: 'network', cause });
  }
  if (!response.ok) {
    throw new SondarError(`the endpoint answered ${response.status}`, { code: `http_${response.status}` });
  }
}
