// Body of dist/sondar-engine.js: replaces the loader's queueing stub with the real widget and
// replays the calls the page made before the engine arrived.
import { Widget, publicApi } from './engine.js';

const stub = window.Sondar || {};
const widget = new Widget();
const api = publicApi(widget);
const init = api.init;
api.init = (options) => init({ wasmUrl: `${stub.base || ''}sondar-widget.wasm`, ...options });
api.loaded = true;
window.Sondar = api;
for (const [method, args] of stub.q || []) {
  if (typeof api[method] === 'function') api[method](...args);
}
