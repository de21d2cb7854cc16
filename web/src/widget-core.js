// The core as the widget engine uses it: sondar-widget.wasm (plain C exports, wasm/widget.cpp)
// loaded without any Emscripten runtime, JSON text in and {ok, value | errors} envelopes out,
// failures as SondarError. "sondar/core" has the fuller, embind-based API (core-api.js); this one
// is kept small because every checkout page showing a survey downloads it. The engine owns the
// survey and session it opens and frees them on close and destroy.
import { SondarError, envelope } from './errors.js';
import { intoWasm, json } from './core-api.js';
import { fetchRetrying } from './transport.js';
import { stringify } from './safe.js';
import { sondarFormatNumber, sondarParseNumber } from './numbers.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * @param {string|URL} url @param {WebAssembly.Imports} imports
 * @param {Promise<Response|null>} [early] the module's response if it was already requested
 */
async function instantiateUrl(url, imports, early) {
  const response = (early && (await early)) || (await fetchRetrying(url));
  if (!response.ok) throw new Error(`cannot fetch ${url}: HTTP ${response.status}`);
  // Servers that label .wasm wrongly cannot stream; compile from the bytes instead.
  return /^application\/wasm\b/.test(response.headers.get('content-type') || '')
    ? WebAssembly.instantiateStreaming(response, imports)
    : WebAssembly.instantiate(await response.arrayBuffer(), imports);
}

/**
 * @typedef {{id: string, version: number, locale: string, locales: string[], events: string[], hidden: string[], questions: number}} SurveyInfo
 * @typedef {{view(): any, answer(questionId: string, value: unknown): any, other(questionId: string, text: string): any, next(): any, back(): any, dismiss(): any, payload(now?: number): any, delete(): void}} WidgetSession
 * @typedef {{id: string, info: SurveyInfo, startSession(start: object): WidgetSession, delete(): void}} WidgetSurvey
 * @typedef {{info: {surveys: Array<{id: string, url: string, clicks: string[], closeAfter: number}>}, decide(context: object): any, survey(index: number, text?: string): WidgetSurvey, delete(): void}} WidgetSite
 */

/**
 * @param {{wasmUrl?: string|URL, wasmBinary?: BufferSource, wasmResponse?: Promise<Response|null>}} options
 * @returns {Promise<{parseSite(source: string|object, single?: boolean): WidgetSite}>}
 */
export async function loadWidgetCore(options) {
  /** @type {any} */
  let core;
  const heap = () => new Uint8Array(core.memory.buffer);
  const imports = {
    env: {
      sondar_parse_number: (at, length) => sondarParseNumber(heap(), at, length),
      sondar_format_number: (x, at) => sondarFormatNumber(heap(), x, at),
      emscripten_notify_memory_growth() {},
    },
    wasi_snapshot_preview1: {
      proc_exit(code) {
        throw new Error(`exit ${code}`);
      },
    },
  };
  try {
    const { instance } = options.wasmBinary
      ? await WebAssembly.instantiate(options.wasmBinary, imports)
      : await instantiateUrl(options.wasmUrl || 'sondar-widget.wasm', imports, options.wasmResponse);
    core = instance.exports;
    core._initialize();
  } catch (cause) {
    // Typically a CSP without 'wasm-unsafe-eval', or the .wasm could not be fetched.
    throw new SondarError(`cannot start the sondar core: ${cause && cause.message ? cause.message : cause}`, { code: 'wasm_unavailable', cause });
  }
  const state = { broken: false };

  /**
   * Calls export `name` with `handle` (0: none), the strings copied into wasm memory for the call,
   * and `extra`; returns what it returns (a new handle, or a pointer to the result text).
   * @param {string} name @param {number|null} handle @param {string[]} strings @param {number[]} [extra]
   */
  const raw = (name, handle, strings, extra = []) => {
    if (handle === null) throw new SondarError('this object was deleted', { code: 'deleted' });
    return intoWasm(state, () => {
      const owned = [];
      try {
        const args = handle ? [handle] : [];
        for (const text of strings) {
          const data = encoder.encode(text);
          const at = core.sondar_alloc(data.length);
          if (!at) throw new Error('out of memory');
          owned.push(at);
          heap().set(data, at);
          args.push(at, data.length);
        }
        return core[name](...args, ...extra);
      } finally {
        for (const at of owned) core.sondar_free(at);
      }
    });
  };
  /** The same, for exports that return a NUL-terminated envelope. */
  const call = (name, handle, strings, extra) => {
    const at = raw(name, handle, strings, extra);
    const bytes = heap();
    return envelope(decoder.decode(bytes.subarray(at, bytes.indexOf(0, at))));
  };

  /** Frees `handle` with export `name` if `result` threw; returns it otherwise. */
  const opened = (name, handle, read) => {
    try {
      return read();
    } catch (error) {
      core[name](handle);
      throw error;
    }
  };

  /** @param {number} handle a survey handle from the module */
  const wrapSurvey = (handle) => {
    const info = opened('sondar_survey_delete', handle, () => call('sondar_survey_result', handle, []));
    return {
      id: info.id,
      info,
      startSession(start) {
        let session = raw('sondar_session_new', handle, [json(start)]);
        opened('sondar_session_delete', session, () => call('sondar_session_result', session, []));
        /** @param {string} name */
        const step = (name) => () => call(`sondar_session_${name}`, session, []);
        return {
          view: step('view'),
          next: step('next'),
          back: step('back'),
          dismiss: step('dismiss'),
          answer: (questionId, value) => call('sondar_session_answer', session, [questionId, stringify(value === undefined ? null : value)]),
          other: (questionId, text) => call('sondar_session_other', session, [questionId, String(text)]),
          payload: (now = Date.now()) => call('sondar_session_payload', session, [], [now]),
          delete() {
            if (session) core.sondar_session_delete(session);
            session = null;
          },
        };
      },
      delete() {
        if (handle) core.sondar_survey_delete(handle);
        handle = null;
      },
    };
  };

  return {
    /**
     * A site manifest, or (`single`) one survey served as a site of one.
     * @param {string|object} source @param {boolean} [single]
     */
    parseSite(source, single) {
      let handle = raw('sondar_site_new', 0, [json(source)], [single ? 1 : 0]);
      const info = opened('sondar_site_delete', handle, () => call('sondar_site_result', handle, []));
      return {
        info,
        decide: (context) => call('sondar_site_decide', handle, [json(context)]),
        /** The survey at `index`; `text` is its document when the manifest gives it by URL. */
        survey: (index, text = '') => wrapSurvey(raw('sondar_site_survey', handle, [text], [index])),
        delete() {
          if (handle) core.sondar_site_delete(handle);
          handle = null;
        },
      };
    },
  };
}
