// The widget's own words. Survey texts come from the survey (resolved by the core); these are
// the buttons, labels and messages around them, picked for the locale the survey is shown in.
// English ships with the engine. The other languages (i18n-all.js) are bundled by the npm entry
// and fetched one at a time by the script-tag build (dist/i18n/<language>.json), so a page
// downloads only the language it shows.
// Order of `faces`: very dissatisfied .. very satisfied.

/** @typedef {{next: string, back: string, submit: string, close: string, thanks: string, thanksBody: string, required: string, progress: string, npsLow: string, npsHigh: string, star: string, down: string, up: string, faces: string[], left: string, dialog: string, contactYes: string, email: string}} UiStrings */

/** @type {Record<string, UiStrings>} */
const STRINGS = {
  en: { next: 'Next', back: 'Back', submit: 'Submit', close: 'Close', thanks: 'Thank you!', thanksBody: 'Your feedback helps us improve.', required: 'Please answer this question.', progress: 'Question {n} of {t}', npsLow: 'Not at all likely', npsHigh: 'Extremely likely', star: '{n} of {t} stars', down: 'Thumbs down', up: 'Thumbs up', faces: ['Very dissatisfied', 'Dissatisfied', 'Neutral', 'Satisfied', 'Very satisfied'], left: '{n} characters left', dialog: 'Feedback', contactYes: 'Yes, you may contact me', email: 'E-mail address' },
};

/** Languages with a dist/i18n/<language>.json. */
export const LANGUAGES = ['en', 'es', 'fr', 'de', 'it', 'pt', 'nl', 'ja', 'zh', 'ar'];

const language = (locale) => String(locale || 'en').toLowerCase().split('-')[0];

/** Adds languages: {fr: {...}, ...}. @param {Record<string, UiStrings>} table */
export function addStrings(table) {
  Object.assign(STRINGS, table);
}

/** UI strings for a BCP 47 tag: "pt-BR" -> pt, unknown or not loaded -> en. */
export function uiStrings(locale) {
  return STRINGS[language(locale)] || STRINGS.en;
}

/**
 * Fetches a language's strings from `<base>i18n/<language>.json` unless it is here already.
 * Never rejects: without them the widget speaks English.
 * @param {string} locale @param {string|URL} base
 */
export async function loadStrings(locale, base) {
  const lang = language(locale);
  if (STRINGS[lang] || !LANGUAGES.includes(lang)) return;
  try {
    // `base` may be relative to the page (a wasmUrl option such as "/sondar/sondar-widget.wasm").
    const response = await fetch(new URL(`i18n/${lang}.json`, new URL(base, location.href)), { credentials: 'same-origin' });
    // English fills any key the file lacks.
    if (response.ok) STRINGS[lang] = { ...STRINGS.en, ...(await response.json()) };
  } catch {
    // offline or not deployed: English
  }
}

/** "Question {n} of {t}" with values filled in. */
export const fill = (template, n, t) => template.replace('{n}', String(n)).replace('{t}', String(t));
