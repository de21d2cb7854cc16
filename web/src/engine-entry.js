// Body of dist/sondar-engine.js: replaces the loader's queueing stub with the real widget and
// replays the calls the page made before the engine arrived. The queue is the page's to spoil:
// entries that are not [method, args] are skipped, and nothing here throws into the page.
import { Widget, publicApi } from './engine.js';

try {
  const stub = window.Sondar || {};
  // With the responses the loader requested together with this script (see loader.js).
  const widget = new Widget(stub.pre);
  const api = publicApi(widget);
  const init = api.init;
  api.init = (options) => init({ wasmUrl: `${stub.base || ''}sondar-widget.wasm`, ...options });
  api.loaded = true;
  window.Sondar = api;
  const queue = Array.isArray(stub.q) ? stub.q : [];
  for (let i = 0; i < queue.length; i++) {
    const entry = queue[i];
    const method = Array.isArray(entry) ? entry[0] : undefined;
    const args = Array.isArray(entry) && Array.isArray(entry[1]) ? entry[1] : [];
    if (typeof method === 'string' && Object.prototype.hasOwnProperty.call(api, method)) {
      Function.prototype.apply.call(api[method], null, args);
    }
  }
} catch (e) {
  try {
    window.dispatchEvent(new CustomEvent('sondar:error', { detail: { code: 'internal', message: String(e) } }));
  } catch {
    // nothing left to tell it with
  }
}
