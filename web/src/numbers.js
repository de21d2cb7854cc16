// The two functions the core imports from its JS host (env.sondar_parse_number and
// env.sondar_format_number; core/src/json.cpp says why they are not C++). Written once for both
// builds: widget-core.js passes them to the standalone widget module, and the wasm build turns
// this file into a --pre-js of the embind module (wasm/numbers_pre_js.cmake), whose EM_JS
// stubs call them. Keep it a plain file of top-level functions: the build strips `export`.

/**
 * A number the core's exact fast path could not read: JS parses it correctly rounded.
 * @param {Uint8Array} heap wasm memory @param {number} at @param {number} length ASCII digits
 * @returns {number}
 */
export function sondarParseNumber(heap, at, length) {
  let text = '';
  for (let i = 0; i < length; i++) text += String.fromCharCode(heap[at + i]);
  return Number(text);
}

/**
 * The shortest digits that read back to `x`, as "1.2345e+2", written at `at` (32 bytes).
 * @param {Uint8Array} heap wasm memory @param {number} x @param {number} at
 * @returns {number} the length written
 */
export function sondarFormatNumber(heap, x, at) {
  const text = x.toExponential();
  for (let i = 0; i < text.length; i++) heap[at + i] = text.charCodeAt(i);
  return text.length;
}
