// "sondar/core": the whole core (validate, decide, sessions, scoring, aggregation) in Node or a
// browser. In Node the .wasm is read from disk; in browsers it is fetched next to this module.
import createModule from '../lib/sondar-core.mjs';
import { instantiate } from './core-api.js';

export { SondarError, Survey, Session, Aggregate } from './core-api.js';

const isNode = typeof process === 'object' && !!(process.versions && process.versions.node);

/**
 * @param {{wasmUrl?: string|URL, wasmBinary?: ArrayBuffer|Uint8Array}} [options]
 */
export async function loadCore(options = {}) {
  const wasm = new URL('../lib/sondar-core.wasm', import.meta.url);
  if (!options.wasmBinary && !options.wasmUrl && isNode) {
    // Node 20's fetch cannot read file: URLs, which is what emscripten would try.
    const { readFile } = await import('node:fs/promises');
    return instantiate(createModule, { wasmBinary: await readFile(wasm) });
  }
  return instantiate(createModule, { wasmUrl: wasm, ...options });
}
