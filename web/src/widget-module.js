// Loads sondar-widget.wasm, the core built with plain C exports (wasm/widget.cpp), and gives it
// the shape of the embind module that core-api.js wraps: Survey and Session classes whose methods
// take and return JSON text, each with delete(), plus samplingBucket. No Emscripten runtime: the
// module imports three functions, provided here.

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * @param {string|URL} url
 * @param {WebAssembly.Imports} imports
 */
async function instantiateUrl(url, imports) {
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`cannot fetch ${url}: HTTP ${response.status}`);
  if (WebAssembly.instantiateStreaming && /^application\/wasm\b/.test(response.headers.get('content-type') || '')) {
    return WebAssembly.instantiateStreaming(response, imports);
  }
  // Servers that label .wasm wrongly cannot stream; compile from the bytes instead.
  return WebAssembly.instantiate(await response.arrayBuffer(), imports);
}

/**
 * @param {{wasmBinary?: ArrayBuffer|Uint8Array, locateFile?: () => string|URL}} [options]
 */
export default async function createWidgetModule(options = {}) {
  /** @type {WebAssembly.Memory} */
  let memory;
  const heap = () => new Uint8Array(memory.buffer);
  const imports = {
    env: {
      // Numbers the core's fast path cannot read exactly; JS parses them correctly rounded.
      sondar_parse_number: (pointer, length) => Number(decoder.decode(heap().subarray(pointer, pointer + length))),
      emscripten_notify_memory_growth() {},
    },
    wasi_snapshot_preview1: {
      proc_exit(code) {
        throw new Error(`sondar core exited (${code})`);
      },
    },
  };
  const { instance } = options.wasmBinary
    ? await WebAssembly.instantiate(options.wasmBinary, imports)
    : await instantiateUrl(options.locateFile ? options.locateFile() : 'sondar-widget.wasm', imports);
  const core = /** @type {any} */ (instance.exports);
  memory = core.memory;
  core._initialize();

  /** The NUL-terminated result of the last call. @param {number} pointer */
  const read = (pointer) => {
    const bytes = heap();
    return decoder.decode(bytes.subarray(pointer, bytes.indexOf(0, pointer)));
  };

  /**
   * Copies `strings` into wasm memory, calls `fn(pointer1, length1, ...)` and frees them.
   * @template T @param {string[]} strings @param {(...args: number[]) => T} fn @returns {T}
   */
  const withStrings = (strings, fn) => {
    const pointers = [];
    const args = [];
    try {
      for (const text of strings) {
        const data = encoder.encode(text);
        const pointer = core.sondar_alloc(data.length);
        if (!pointer) throw new Error('sondar core is out of memory');
        pointers.push(pointer);
        heap().set(data, pointer);
        args.push(pointer, data.length);
      }
      return fn(...args);
    } finally {
      for (const pointer of pointers) core.sondar_free(pointer);
    }
  };

  class Survey {
    /** @param {string} text */
    constructor(text) {
      this.pointer = withStrings([text], core.sondar_survey_new);
    }
    result() {
      return read(core.sondar_survey_result(this.pointer));
    }
    /** @param {string} context */
    decide(context) {
      return withStrings([context], (at, length) => read(core.sondar_survey_decide(this.pointer, at, length)));
    }
    delete() {
      core.sondar_survey_delete(this.pointer);
      this.pointer = 0;
    }
  }

  class Session {
    /** @param {Survey} survey @param {string} start */
    constructor(survey, start) {
      this.pointer = withStrings([start], (at, length) => core.sondar_session_new(survey.pointer, at, length));
    }
    result() {
      return read(core.sondar_session_result(this.pointer));
    }
    /** @param {string} questionId @param {string} value */
    answer(questionId, value) {
      return withStrings([questionId, value], (id, idLength, at, length) =>
        read(core.sondar_session_answer(this.pointer, id, idLength, at, length)),
      );
    }
    next() {
      return read(core.sondar_session_next(this.pointer));
    }
    back() {
      return read(core.sondar_session_back(this.pointer));
    }
    dismiss() {
      return read(core.sondar_session_dismiss(this.pointer));
    }
    view() {
      return read(core.sondar_session_view(this.pointer));
    }
    /** @param {number} now */
    payload(now) {
      return read(core.sondar_session_payload(this.pointer, now));
    }
    delete() {
      core.sondar_session_delete(this.pointer);
      this.pointer = 0;
    }
  }

  return {
    Survey,
    Session,
    /** @param {string} visitorId @param {string} surveyId */
    samplingBucket: (visitorId, surveyId) => withStrings([visitorId, surveyId], core.sondar_sampling_bucket),
  };
}
