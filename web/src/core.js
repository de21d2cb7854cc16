// "sondar/core": the whole core (validate, decide, sessions, scoring, aggregation) in Node or a
// browser. In Node the .wasm is read from disk; in browsers it is fetched next to this module.
import createModule from '../lib/sondar-core.mjs';
import { Handle, Session, Survey as SurveyBase, instantiate, json } from './core-api.js';
import { SondarError } from './errors.js';

export { SondarError, Session };

/** A survey with what a receiver or dashboard needs on top of the widget's calls. */
export class Survey extends SurveyBase {
  /** Validates a response payload as a receiver must; returns it with scores recomputed. */
  validateResponse(payload) {
    return this._call('validateResponse', json(payload));
  }

  /** A streaming, mergeable aggregate for this survey. */
  createAggregate() {
    if (!this._handle) throw new SondarError('this object was deleted', { code: 'deleted' });
    return new Aggregate(new this._module.Aggregate(this._handle), this._state);
  }
}

export class Aggregate extends Handle {
  /** Validates and counts one payload; returns the number of responses counted. */
  add(payload) {
    return this._call('add', json(payload));
  }
  /** Adds another aggregate's counts (its toJSON()). */
  merge(aggregate) {
    return this._call('merge', json(aggregate));
  }
  toJSON() {
    return this._call('toJson');
  }
  /** Scores with intervals, overall and by trigger, segment and day. */
  summary(confidence = 0.95) {
    return this._call('summary', confidence);
  }
}

/** Parses with `parse`; the outcome as data, internal errors still thrown. */
function check(parse, source, name) {
  try {
    const parsed = parse(source);
    const info = parsed.info;
    parsed.delete();
    return { ok: true, [name]: info };
  } catch (error) {
    if (error instanceof SondarError && error.code !== 'internal') return { ok: false, errors: error.errors };
    throw error;
  }
}

/** @param {{wasmUrl?: string|URL, wasmBinary?: ArrayBuffer|Uint8Array}} options */
async function open(options) {
  const core = await instantiate(createModule, options, Survey);
  return {
    ...core,
    /** @returns {{ok: true, survey: object} | {ok: false, errors: Array<{code: string, path: string, message: string}>}} */
    validateSurvey: (source) => check(core.parseSurvey, source, 'survey'),
    /** @returns {{ok: true, site: object} | {ok: false, errors: Array<{code: string, path: string, message: string}>}} */
    validateSite: (source) => check(core.parseSite, source, 'site'),
  };
}

const isNode = typeof process === 'object' && !!(process.versions && process.versions.node);

/**
 * @param {{wasmUrl?: string|URL, wasmBinary?: ArrayBuffer|Uint8Array}} [options]
 */
export async function loadCore(options = {}) {
  const wasm = new URL('../lib/sondar-core.wasm', import.meta.url);
  if (!options.wasmBinary && !options.wasmUrl && isNode) {
    // Node 20's fetch cannot read file: URLs, which is what emscripten would try.
    const { readFile } = await import('node:fs/promises');
    return open({ wasmBinary: await readFile(wasm) });
  }
  return open({ wasmUrl: wasm, ...options });
}
