// "sondar": the browser widget.
import type { ResponsePayload, SiteDecision } from './core.js';
import type { WidgetErrorCode } from './codes.js';
export { SondarError } from './core.js';

export interface WidgetOptions {
  /** A sondar.site/1 manifest listing every survey of the shop, or its URL (surveys it gives by
   *  URL are resolved against it and fetched only when chosen). */
  site?: object | string;
  /** One survey, or the URL of its JSON: a site of one, without site rules. */
  survey?: object | string;
  /** 'pending': nothing is written to storage and no survey shows until consent(true). */
  consent?: 'pending';
  /** false: the page's storage is neither read nor written (a preview beside the page's own widget). */
  persist?: boolean;
  /** Where responses are POSTed (JSON, with an Idempotency-Key header). */
  endpoint?: string;
  headers?: Record<string, string>;
  transform?(payload: ResponsePayload): unknown;
  /** Sends a response yourself instead of the built-in POST. */
  transport?(body: unknown, payload: ResponsePayload): Promise<unknown>;
  locale?: string;
  visitorId?: string;
  /** CRM facts used by targeting: segment, orders_count, lifetime_value, country, ... */
  attributes?: Record<string, unknown>;
  /** Values for the survey's declared hidden fields. */
  hidden?: Record<string, string | number | boolean>;
  /** Render inline in this element instead of floating. */
  container?: Element | string;
  /** --sondar-* custom properties, e.g. {"--sondar-accent": "#0a7"}. */
  theme?: Record<string, string>;
  /** Also push events to window.dataLayer. */
  dataLayer?: boolean;
  /** Log every decision to the console and load sondar-widget-debug.wasm (next to
   *  sondar-widget.wasm), whose errors also carry messages; `?sondar_debug=1` in the page's URL
   *  does the same. */
  debug?: boolean;
  /** Where sondar-widget.wasm lives; UI languages other than English are fetched from
   *  i18n/<language>.json next to it unless given in `strings` (the npm entry bundles them).
   *  With debug on, a name ending in sondar-widget.wasm is read as sondar-widget-debug.wasm. */
  wasmUrl?: string | URL;
  /** UI strings by language, e.g. {fr: {next: "Suivant", ...}}; see src/i18n.js for the keys. */
  strings?: Record<string, Record<string, string | string[]>>;
}

export type WidgetEvent = 'ready' | 'show' | 'answer' | 'complete' | 'dismiss' | 'delivered' | 'error';

/**
 * `code` of an `error` event's detail: the core's codes for survey errors (with a JSON `path`),
 * or the widget's own (core/README.md, "Error codes", lists them all with their meaning).
 */
export type { WidgetErrorCode } from './codes.js';

/** The detail of an `error` event. */
export interface WidgetErrorDetail {
  code: WidgetErrorCode;
  path?: string;
  message: string;
  /** What the widget was doing: "init", "deliver", ... */
  context?: string;
}

export interface Widget {
  init(options: WidgetOptions): void;
  /** Reports a host event such as "checkout_complete" or "add_to_cart". */
  track(event: string, props?: Record<string, unknown>): void;
  identify(visitorId: string, attributes?: Record<string, unknown>): void;
  /** Shows a survey of the site now (the first one without an id), skipping its rules. */
  show(surveyId?: string): void;
  /** The last decision: which survey shows and, for each other one, why not and `retryAt`. */
  why(callback?: (decision: SiteDecision | null) => void): Promise<SiteDecision | null>;
  /** Logout: a new visitor id; the history, visit and attributes of the old one are cleared. */
  reset(): void;
  /** true lifts `consent: 'pending'`; false stops storage writes and surveys. */
  consent(granted: boolean): void;
  /** Subscribes; returns the unsubscribe function. Events also fire on window as "sondar:<name>". */
  on(event: WidgetEvent, listener: (detail: any) => void): () => void;
  flush(): Promise<void>;
  destroy(): void;
}

export function createWidget(options?: WidgetOptions): Widget;

declare global {
  interface Window {
    Sondar: Widget;
  }
}
