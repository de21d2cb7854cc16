// The JavaScript face of the WebAssembly core: typed errors, handle lifetimes, JSON in and out.
// Every rule lives in C++ (core/); this file only converts.
import { SondarError, envelope } from './errors.js';
import { stringify } from './safe.js';

// Handles the caller forgot to delete() are freed when their wrapper is collected.
const registry = new FinalizationRegistry((handle) => {
  try {
    handle.delete();
  } catch {
    // already gone with a trapped module
  }
});

export class Handle {
  /** @param {any} handle @param {{broken: boolean}} state */
  constructor(handle, state) {
    this._handle = handle;
    this._state = state;
    registry.register(this, handle, this);
  }

  /** Frees the wasm memory behind this object; later calls throw "deleted". */
  delete() {
    if (!this._handle) return;
    registry.unregister(this);
    this._handle.delete();
    this._handle = null;
  }

  /** Calls into wasm and unwraps the {ok, value | errors} envelope. */
  _call(method, ...args) {
    if (!this._handle) throw new SondarError('this object was deleted', { code: 'deleted' });
    return unwrap(this._state, () => this._handle[method](...args));
  }
}

/**
 * Runs one call into wasm. A trap (abort, out of memory) leaves the module unusable, so every
 * later call fails closed.
 * @template T @param {{broken: boolean}} state @param {() => T} fn @returns {T}
 */
export function intoWasm(state, fn) {
  if (state.broken) throw new SondarError('the sondar core stopped after an internal error', { code: 'internal' });
  try {
    return fn();
  } catch (cause) {
    state.broken = true;
    throw new SondarError('internal error in the sondar core', { code: 'internal', cause });
  }
}

/** @param {{broken: boolean}} state @param {() => string} fn */
const unwrap = (state, fn) => envelope(intoWasm(state, fn));

export const json = (value) => (typeof value === 'string' ? value : stringify(value));

export class Survey extends Handle {
  constructor(handle, state, info) {
    super(handle, state);
    this._module = state.module;
    /** @type {{id: string, version: number, locale: string, locales: string[], events: string[], hidden: string[], questions: number}} */
    this.info = info;
    this.id = info.id;
  }

  /** Should the survey show now? @param {object} context */
  decide(context) {
    return this._call('decide', json(context));
  }

  /** Starts one visitor's session. @param {object} start */
  startSession(start) {
    if (!this._handle) throw new SondarError('this object was deleted', { code: 'deleted' });
    const handle = new this._module.Session(this._handle, json(start));
    const session = new Session(handle, this._state);
    session._view = session._call('result');
    return session;
  }

}

export class Session extends Handle {
  /** The screen to render: question, answer, progress, or the ending. */
  view() {
    return this._call('view');
  }
  /** Records an answer to the question on screen (null clears it); returns the new view. */
  answer(questionId, value) {
    return this._call('answer', questionId, stringify(value === undefined ? null : value));
  }
  /** The free text of the "other" option of the question on screen ("" clears it). */
  other(questionId, text) {
    return this._call('other', questionId, String(text));
  }
  next() {
    return this._call('next');
  }
  back() {
    return this._call('back');
  }
  dismiss() {
    return this._call('dismiss');
  }
  /** The sondar.response/1 payload as of `now` (ms since the epoch). */
  payload(now = Date.now()) {
    return this._call('payload', now);
  }
}

/** Every survey of a site manifest (or one survey), decided across in one call. */
export class Site extends Handle {
  constructor(handle, state, info, SurveyClass) {
    super(handle, state);
    this._Survey = SurveyClass;
    /** @type {{surveys: Array<{id: string, url: string, clicks: string[], closeAfter: number}>}} */
    this.info = info;
  }

  /** Which survey shows now, and why each other one does not. @param {object} context */
  decide(context) {
    return this._call('decide', json(context));
  }

  /**
   * The survey at `index` of the manifest; one given by URL needs the text fetched from there.
   * @param {number} index @param {string|object} [source]
   */
  survey(index, source = '') {
    if (!this._handle) throw new SondarError('this object was deleted', { code: 'deleted' });
    return wrapSurvey(this._state, this._handle.survey(index, json(source)), this._Survey);
  }
}

/** @param {{broken: boolean}} state @param {any} handle @param {typeof Survey} SurveyClass */
const wrapSurvey = (state, handle, SurveyClass) => {
  try {
    return new SurveyClass(handle, state, unwrap(state, () => handle.result()));
  } catch (error) {
    handle.delete();
    throw error;
  }
};

/**
 * Instantiates a module factory and returns the core's API. `SurveyClass` lets "sondar/core" add
 * the receiver's methods without the widget downloading them.
 * @param {(options: object) => Promise<any>} factory
 * @param {{wasmUrl?: string|URL, wasmBinary?: ArrayBuffer|Uint8Array}} options
 * @param {typeof Survey} [SurveyClass]
 */
export async function instantiate(factory, options, SurveyClass = Survey) {
  const moduleOptions = {};
  if (options.wasmBinary) moduleOptions.wasmBinary = options.wasmBinary;
  else if (options.wasmUrl) moduleOptions.locateFile = () => String(options.wasmUrl);
  let module;
  try {
    module = await factory(moduleOptions);
  } catch (cause) {
    // Typically a CSP without 'wasm-unsafe-eval', or the .wasm could not be fetched.
    throw new SondarError(`cannot start the sondar core: ${cause && cause.message ? cause.message : cause}`, {
      code: 'wasm_unavailable',
      cause,
    });
  }
  const state = { broken: false, module };

  return {
    /** Parses and validates a survey; throws SondarError listing every problem. */
    parseSurvey: (source) => wrapSurvey(state, new module.Survey(json(source)), SurveyClass),
    /** Parses and validates a sondar.site/1 manifest; throws SondarError listing every problem. */
    parseSite(source) {
      const handle = new module.Site(json(source), false);
      try {
        return new Site(handle, state, unwrap(state, () => handle.result()), SurveyClass);
      } catch (error) {
        handle.delete();
        throw error;
      }
    },
    /** The visitor's sticky sampling bucket, 0..9999. */
    samplingBucket: (visitorId, surveyId) => module.samplingBucket(String(visitorId), String(surveyId)),
    /** A manifest entry given by URL with its survey's rules, as the collector serves it. */
    withRulesOf: (entry, survey) => JSON.parse(module.withRulesOf(json(entry), json(survey))),
  };
}
