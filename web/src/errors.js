// The errors every part of the widget and of "sondar/core" throws: a SondarError with the
// core's stable code and JSON path (codes: core/error_codes.json), and the {ok, value | errors}
// envelope the WebAssembly glue answers in.

/** An error from the core: `code` is stable (e.g. "out_of_range"), `path` a JSON path. */
export class SondarError extends Error {
  /**
   * @param {string} message
   * @param {{code?: string, path?: string, errors?: Array<{code: string, path: string, message: string}>, cause?: unknown}} [details]
   */
  constructor(message, details = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'SondarError';
    this.code = details.code || 'error';
    this.path = details.path || '';
    this.errors = details.errors || [{ code: this.code, path: this.path, message }];
  }
}

/** @param {Array<{code: string, path: string, message: string}>} errors */
export function fromErrors(errors) {
  const first = errors[0] || { code: 'error', path: '', message: 'unknown error' };
  const text = errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('\n');
  return new SondarError(text, { code: first.code, path: first.path, errors });
}

/**
 * The value of a glue envelope, or the SondarError its errors make.
 * @param {string} text
 */
export function envelope(text) {
  const result = JSON.parse(text);
  if (!result.ok) throw fromErrors(result.errors);
  return result.value;
}
