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

/**
 * The widget's module for shop pages carries no messages (core/include/sondar/status.h,
 * SONDAR_MESSAGE): its errors read as code and path, with a pointer to the module that has them.
 * @param {Array<{code: string, path: string, message: string}>} errors
 */
export function fromErrors(errors) {
  const first = errors[0] || { code: 'error', path: '', message: 'unknown error' };
  let lean = false;
  const said = (e) => e.message || ((lean = true), e.code);
  let text = errors.map((e) => (e.path ? `${e.path}: ${said(e)}` : said(e))).join('\n');
  if (lean) text += '\n(debug on, e.g. ?sondar_debug=1 in the page URL, says what is wrong in words)';
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
