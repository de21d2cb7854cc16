// "sondar/core": the WebAssembly core in Node or a browser.
import type { CoreErrorCode } from './codes.js';
export type { CoreErrorCode, WidgetErrorCode, CollectorErrorCode } from './codes.js';

/** What a SondarError of "sondar/core" can say: a core code, or why the core is not there. */
export type CoreApiErrorCode = CoreErrorCode | 'deleted' | 'wasm_unavailable' | 'error';

export interface SondarIssue {
  /** Stable code, e.g. "out_of_range", "unknown_reference" (core/README.md, Error codes). */
  code: CoreErrorCode;
  /** JSON path of the offending value, e.g. "questions[2].scale.max". */
  path: string;
  message: string;
}

export class SondarError extends Error {
  readonly code: CoreApiErrorCode;
  readonly path: string;
  /** Every problem found, not just the first. */
  readonly errors: SondarIssue[];
}

export interface SurveyInfo {
  id: string;
  version: number;
  locale: string;
  /** Locales every text is translated into. */
  locales: string[];
  events: string[];
  hidden: string[];
  questions: number;
}

export interface DecideContext {
  event?: string;
  url?: string;
  secondsOnPage?: number;
  scrollPercent?: number;
  exitIntent?: boolean;
  /** The trigger.clicks selector a click matched. */
  clicked?: string;
  /** Pages seen in this visit, this one included (default 1). */
  pageViews?: number;
  secondsOnSite?: number;
  /** Surveys already shown in this page view (a site's maxPerPageView). */
  shownThisPage?: number;
  /** Responses the collector holds per survey id, for closeAfter. */
  responseCounts?: Record<string, number>;
  visitorId: string;
  locale?: string;
  attributes?: Record<string, unknown>;
  history?: Array<{ survey: string; kind: 'display' | 'dismiss' | 'complete'; at: number }>;
  /** Milliseconds since the epoch. */
  now: number;
}

export type DecisionReason =
  | 'show' | 'no_trigger' | 'page_mismatch' | 'too_early' | 'not_scrolled' | 'no_exit_intent'
  | 'locale_unavailable' | 'not_targeted' | 'display_cap' | 'recontact_wait' | 'cooldown' | 'sampled_out'
  | 'not_started' | 'ended' | 'closed' | 'few_page_views' | 'page_cap' | 'site_cap' | 'outranked';

export interface Decision {
  show: boolean;
  reason: DecisionReason;
  detail: string;
  /** When asking again can succeed (ms), for time-based refusals. */
  retryAt: number | null;
}

export interface SiteDecision {
  /** The survey to show now, or null. */
  show: string | null;
  /** Its index in the manifest's surveys, or -1. */
  index: number;
  /** A survey waits for something later on this page: time, scroll depth or exit intent. */
  waiting: boolean;
  /** The earliest time (ms) a survey waiting on time may show: when to ask again. */
  retryAt: number | null;
  /** Every survey, in the order tried (priority, then manifest order). */
  surveys: Array<Decision & { survey: string; priority: number }>;
}

export interface SiteInfo {
  surveys: Array<{ id: string; url: string; clicks: string[]; closeAfter: number }>;
}

export interface Site extends Deletable {
  readonly info: SiteInfo;
  decide(context: DecideContext): SiteDecision;
  /** The survey at `index`; one given by URL needs the document fetched from there. */
  survey(index: number, source?: object | string): Survey;
}

export interface SessionStart {
  /** UUID v4, e.g. crypto.randomUUID(). */
  responseId: string;
  visitorId: string;
  locale?: string;
  trigger?: string;
  page?: string;
  hidden?: Record<string, string | number | boolean>;
  /** The host's facts on the visitor, for {{attributes.x}} in texts; never sent. */
  attributes?: Record<string, unknown>;
  /** Milliseconds since the epoch. */
  startedAt: number;
}

/** contact questions: {consent, email (only with consent, when the question asks for it)}. */
export type AnswerValue = number | string | string[] | { consent: boolean; email?: string } | null;

export interface QuestionView {
  id: string;
  type: 'nps' | 'csat' | 'ces' | 'rating' | 'single_choice' | 'multi_choice' | 'text' | 'contact';
  prompt: string;
  description: string | null;
  required: boolean;
  scale?: { min: number; max: number; display: 'number' | 'star' | 'emoji' | 'thumbs'; lowLabel: string | null; highLabel: string | null };
  /** In the order to show (shuffled per response when the question says so). */
  options?: Array<{ id: string; label: string; other?: true }>;
  /** The text typed for the "other" option, when the question has one. */
  other?: string | null;
  maxSelect?: number;
  maxLength?: number;
  placeholder?: string | null;
  /** contact: whether an e-mail address is asked for with consent. */
  email?: boolean;
}

export interface View {
  surveyId: string;
  state: 'question' | 'ending' | 'dismissed';
  locale: string;
  dir: 'ltr' | 'rtl';
  title: string | null;
  question?: QuestionView;
  answer?: AnswerValue;
  progress?: { index: number; total: number };
  isLast?: boolean;
  canBack?: boolean;
  /** null: show the widget's built-in thank-you. */
  ending?: { id: string; title: string; body: string | null; link: { url: string; label: string } | null } | null;
}

export interface ResponsePayload {
  schema: 'sondar.response/1';
  responseId: string;
  surveyId: string;
  surveyVersion: number;
  visitorId: string;
  status: 'partial' | 'complete' | 'dismissed';
  answers: Record<string, AnswerValue>;
  scores: Record<string, { value: number; category: string }>;
  locale: string;
  trigger: string | null;
  hidden: Record<string, string | number | boolean>;
  page: string;
  startedAt: string;
  submittedAt: string;
  /** Texts typed for "other" options, by question id (only when chosen). */
  other?: Record<string, string>;
  /** The order shuffled options were shown in, by question id. */
  optionOrder?: Record<string, string[]>;
}

interface Deletable {
  /** Frees the wasm memory now (a FinalizationRegistry also frees forgotten handles). */
  delete(): void;
}

export interface Survey extends Deletable {
  readonly id: string;
  readonly info: SurveyInfo;
  decide(context: DecideContext): Decision;
  startSession(start: SessionStart): Session;
  /** Throws SondarError listing every problem; returns the payload with scores recomputed. */
  validateResponse(payload: object | string): ResponsePayload;
  createAggregate(): Aggregate;
}

export interface Session extends Deletable {
  view(): View;
  answer(questionId: string, value: AnswerValue): View;
  /** The free text of the "other" option of the question on screen ("" clears it). */
  other(questionId: string, text: string): View;
  next(): View;
  back(): View;
  dismiss(): View;
  payload(now?: number): ResponsePayload;
}

export interface Aggregate extends Deletable {
  add(payload: object | string): number;
  merge(aggregate: object | string): number;
  toJSON(): object;
  summary(confidence?: number): Record<string, any>;
}

export interface Core {
  /** Throws SondarError listing every problem in the survey. */
  parseSurvey(source: object | string): Survey;
  validateSurvey(source: object | string): { ok: true; survey: SurveyInfo } | { ok: false; errors: SondarIssue[] };
  /** Throws SondarError listing every problem in the sondar.site/1 manifest. */
  parseSite(source: object | string): Site;
  validateSite(source: object | string): { ok: true; site: SiteInfo } | { ok: false; errors: SondarIssue[] };
  samplingBucket(visitorId: string, surveyId: string): number;
  /** A manifest entry given by URL with the rules (trigger, targeting, ...) of its survey replaced: what the collector serves. */
  withRulesOf(entry: object, survey: object): Record<string, unknown>;
}

export function loadCore(options?: { wasmUrl?: string | URL; wasmBinary?: ArrayBuffer | Uint8Array }): Promise<Core>;
