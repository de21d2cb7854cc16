// Renders a session's view (computed by the core) in a Shadow DOM and reports what the visitor
// does. Decides nothing: validation, flow and scoring happen in the core.
import { CSS } from './styles.js';
import { SondarError } from './errors.js';
import { fill, uiStrings } from './i18n.js';

const FACES = ['😞', '🙁', '😐', '🙂', '😄'];
// Which of the five faces an N-point emoji scale uses (the core allows 2-5 points).
const FACE_SETS = { 2: [0, 4], 3: [0, 2, 4], 4: [0, 1, 3, 4], 5: [0, 1, 2, 3, 4] };
let uid = 0;
// Where an exception in one of our event handlers goes: never to the page's onerror.
let reportError = (error) => console.error('sondar:', error);

/** Runs `fn` in the task after the next frame: once the browser has laid out what is there now. */
const afterFrame = (fn) => requestAnimationFrame(() => setTimeout(fn));

/** Wraps a DOM event handler so that nothing it throws reaches the host page. */
const safely = (fn) => (e) => {
  try {
    fn(e);
  } catch (error) {
    reportError(error);
  }
};

/**
 * Builds an element. Text is only ever set through textContent: survey texts are data.
 * @param {string} tag @param {Record<string, any>} [attrs] @param {...(Node|string|null|false)} kids
 */
function h(tag, attrs = {}, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'text') el.textContent = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), safely(v));
    else if (k in el && (typeof v !== 'string' || k === 'value')) el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const kid of kids) if (kid) el.append(kid);
  return el;
}

/** Accepts only --sondar-* properties with plain values, so a theme cannot inject CSS. */
function themeRule(theme) {
  const decls = Object.entries(theme || {})
    .filter(([k, v]) => /^--sondar-[a-z-]+$/.test(k) && /^[#(),.%\w\s-]+$/.test(String(v)))
    .map(([k, v]) => `${k}:${v}`);
  return decls.length ? `:host{${decls.join(';')}}` : '';
}

let baseSheet;
/** Constructable stylesheets: Chromium 73, Firefox 101, Safari 16.4. Safari 16.0-16.3 has the
 * constructor but throws "Illegal constructor". */
function constructable() {
  try {
    return 'adoptedStyleSheets' in ShadowRoot.prototype && typeof new CSSStyleSheet().replaceSync === 'function';
  } catch {
    return false;
  }
}

/**
 * The widget's stylesheet, parsed once and shared; the engine prepares it (warmFonts) while the
 * module streams so showing a survey does not pay for it. Null where stylesheets cannot be
 * constructed.
 */
function prepareStyles() {
  if (baseSheet === undefined) {
    baseSheet = null;
    if (constructable()) {
      baseSheet = new CSSStyleSheet();
      baseSheet.replaceSync(CSS);
    }
  }
  return baseSheet;
}

let warm = null;
const unwarm = () => warm && (warm.remove(), (warm = null));
/**
 * Lays out, unseen, a line in each of the first screen's three fonts while the module is still
 * on its way, so the frame that first shows a question does not also create them: creating a
 * font and shaping its first words was most of that frame's layout (47 -> 27 ms on a 4x slower
 * CPU with this done before, session 19). Gone after the frame that laid it out.
 */
export function warmFonts() {
  const base = prepareStyles();
  if (!base || warm) return;
  const text = 'Quick 0123456789';
  warm = h('sondar-widget', { 'aria-hidden': 'true' });
  const root = warm.attachShadow({ mode: 'open' });
  root.adoptedStyleSheets = [base];
  root.append(h('div', { class: 'card vh' }, h('p', { class: 'title', text }), h('p', { text }), h('b', { class: 'btn', text })));
  document.documentElement.append(warm);
  afterFrame(unwarm);
  setTimeout(unwarm, 3000); // a background tab draws no frames
}

export class SurveyUI {
  /**
   * @param {{container?: Element|null, theme?: Record<string,string>, on: {answer: (id: string, value: unknown) => void, next: () => void, back: () => void, dismiss: () => void, close: () => void}}} options
   */
  constructor(options) {
    unwarm();
    this.on = options.on;
    if (options.on.error) reportError = options.on.error;
    this.returnFocus = document.activeElement;
    // An element name no page styles by accident (`body > div` rules are common), whose own box
    // the stylesheet resets with !important, which beats the page's rules, !important or not.
    this.host = h('sondar-widget', { 'data-sondar': '' });
    const root = this.host.attachShadow({ mode: 'open' });
    const theme = themeRule(options.theme);
    const base = prepareStyles();
    let fallback = null;
    if (base) {
      const sheets = [base];
      if (theme) {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(theme);
        sheets.push(sheet);
      }
      root.adoptedStyleSheets = sheets;
    } else {
      // Safari before 16.4: a <style> in the shadow root. A CSP without 'unsafe-inline' for styles
      // blocks it; that is checked below.
      fallback = h('style', { text: CSS + theme });
      root.append(fallback);
    }
    this.card = h('section', { class: options.container ? 'card inline' : 'card', role: 'dialog' });
    this.card.addEventListener(
      'keydown',
      safely((e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          this.state === 'ending' ? this.on.close() : this.on.dismiss();
        }
      }),
    );
    this.live = h('p', { class: 'vh', 'aria-live': 'polite' });
    root.append(this.card, this.live);
    // Floating: a child of <html>, beside <body>, so no transform, filter or overflow of the
    // page's body can move or clip it, and a framework that swaps <body> does not remove it.
    (options.container || document.documentElement).append(this.host);
    if (fallback && !(fallback.sheet && fallback.sheet.cssRules.length)) {
      this.host.remove();
      // No way to style the widget here: fail closed rather than show it unstyled.
      throw new SondarError('this browser cannot construct stylesheets and the page forbids inline styles', { code: 'styles_unavailable' });
    }
  }

  /** Shows a view; `focus` when the visitor moved to a new screen. */
  render(view, focus = true) {
    this.view = view;
    this.state = view.state;
    const s = (this.s = uiStrings(view.locale));
    this.card.dir = view.dir;
    this.card.lang = view.locale;
    this.card.replaceChildren();
    const screen = (this.screen = {});
    const id = `sondar-${++uid}`;
    const close = h('button', { type: 'button', class: 'x', 'aria-label': s.close, text: '×', onclick: () => (view.state === 'ending' ? this.on.close() : this.on.dismiss()) });
    if (view.state === 'ending') {
      const e = view.ending;
      const link = e && e.link ? h('a', { href: e.link.url, target: '_blank', rel: 'noopener noreferrer', text: e.link.label }) : null;
      this.card.setAttribute('aria-labelledby', id);
      this.card.append(
        close,
        h('div', { class: 'end' }, h('h2', { id, text: e ? e.title : s.thanks }), h('p', { text: e ? e.body : s.thanksBody }), link && h('p', {}, link)),
      );
      this.live.textContent = e ? e.title : s.thanks;
      if (focus) (link || close).focus();
      return;
    }
    const q = view.question;
    this.card.setAttribute('aria-labelledby', view.title ? `${id}-t` : `${id}-q`);
    this.error = h('p', { class: 'err', role: 'alert' });
    this.nextButton = h('button', { type: 'submit', class: 'btn' });
    this.progress = h('progress', { 'aria-hidden': 'true' });
    const form = h(
      'form',
      {
        novalidate: true,
        onsubmit: (e) => {
          e.preventDefault();
          // Consent ticked but the core took no answer (the address is missing or malformed):
          // ask for it rather than drop the consent.
          if (this.email && this.email.required && !(this.view.answer && this.view.answer.consent)) return this.showError(s.required), this.email.focus();
          this.on.next();
        },
      },
      h('fieldset', {}, h('legend', { id: `${id}-q`, text: q.prompt }), q.description && h('p', { class: 'desc', text: q.description }), this.control(q, view.answer, `${id}-q`)),
      this.error,
      h('div', { class: 'nav' }, view.canBack && h('button', { type: 'button', class: 'btn sec', text: s.back, onclick: () => this.on.back() }), this.nextButton),
    );
    this.card.append(...[close, view.title && h('p', { class: 'title', id: `${id}-t`, text: view.title }), form, this.progress].filter(Boolean));
    this.update(view);
    const announce = () => this.screen === screen && (this.live.textContent = `${fill(s.progress, view.progress.index, view.progress.total)}. ${q.prompt}`);
    const first = focus && (this.card.querySelector('input:checked') || this.card.querySelector('input,textarea'));
    if (this.shown) announce(), first && first.focus();
    // The first screen is announced and focused once the browser has laid it out. Focusing at
    // once forces that layout into this task; the hidden announcement was a third of that
    // first layout (12 of 35 ms on a 4x slower CPU, session 19). Both made the frame that shows
    // the question longer than 50 ms on a slow phone. A live region also announces what changes
    // in it after it is in the page, not the text it was inserted with. Focus only if the
    // visitor is not inside the widget by then.
    else afterFrame(safely(() => (announce(), first && first.isConnected && document.activeElement !== this.host && first.focus())));
    this.shown = true;
  }

  /** Refreshes what an answer can change without rebuilding the screen. */
  update(view) {
    this.view = view;
    if (view.state !== 'question') return;
    this.nextButton.textContent = view.isLast ? this.s.submit : this.s.next;
    this.progress.max = view.progress.total;
    this.progress.value = view.progress.index;
    this.error.textContent = '';
  }

  showError(message) {
    if (this.error) this.error.textContent = message;
  }

  control(q, answer, labelId) {
    const name = `q-${++uid}`;
    this.email = null;
    const answer_ = (value) => this.on.answer(q.id, value);
    if (q.scale) {
      const { min, max, display } = q.scale;
      const points = max - min + 1;
      const faces = FACE_SETS[points];
      const s = this.s;
      const items = [];
      for (let v = min; v <= max; v++) {
        const i = v - min;
        let glyph = String(v);
        let label = null;
        if (display === 'star') (glyph = '★'), (label = fill(s.star, v, max));
        else if (display === 'thumbs') (glyph = i ? '👍' : '👎'), (label = i ? s.up : s.down);
        else if (display === 'emoji') (glyph = FACES[faces[i]]), (label = s.faces[faces[i]]);
        const input = h('input', { type: 'radio', class: 'vh', name, value: v, checked: answer === v, 'aria-label': label, onchange: () => (paint(v), answer_(v)) });
        items.push(h('label', { class: `pt${display === 'number' ? '' : ' big'}${display === 'star' ? ' star' : ''}` }, input, h('span', { 'aria-hidden': label ? 'true' : null, text: glyph })));
      }
      // Stars up to the chosen one light up.
      const paint = (chosen) => display === 'star' && items.forEach((el, i) => el.classList.toggle('on', chosen != null && min + i <= chosen));
      paint(answer);
      const low = q.scale.lowLabel || (q.type === 'nps' ? this.s.npsLow : null);
      const high = q.scale.highLabel || (q.type === 'nps' ? this.s.npsHigh : null);
      const endsId = `${name}-ends`;
      return h(
        'div',
        {},
        h('div', { class: 'scale', role: 'radiogroup', 'aria-labelledby': labelId, 'aria-describedby': low || high ? endsId : null }, ...items),
        (low || high) && h('div', { class: 'ends', id: endsId }, h('span', { text: low || '' }), h('span', { text: high || '' })),
      );
    }
    if (q.options) {
      const multi = q.type === 'multi_choice';
      const chosen = new Set(multi ? answer || [] : answer ? [answer] : []);
      const inputs = q.options.map((o) =>
        h('input', {
          type: multi ? 'checkbox' : 'radio',
          name,
          value: o.id,
          checked: chosen.has(o.id),
          onchange: () => {
            if (!multi) return answer_(o.id);
            const picked = inputs.filter((i) => i.checked).map((i) => i.value);
            limit(picked.length);
            answer_(picked);
          },
        }),
      );
      // At maxSelect, the unchosen boxes are disabled rather than silently refused.
      const limit = (count) => multi && q.maxSelect && inputs.forEach((i) => (i.disabled = !i.checked && count >= q.maxSelect));
      limit(chosen.size);
      // "Other" (always the last option) comes with a text field; typing in it chooses it.
      const other = q.options[q.options.length - 1];
      const free =
        other.other &&
        h('input', {
          type: 'text',
          class: 'other',
          'aria-label': other.label,
          maxlength: 1000,
          value: q.other || '',
          oninput: () => {
            if (!inputs[inputs.length - 1].checked) inputs[inputs.length - 1].click();
            this.on.other(q.id, free.value);
          },
        });
      return h('div', { class: 'opts', role: multi ? 'group' : 'radiogroup', 'aria-labelledby': labelId }, ...q.options.map((o, i) => h('label', { class: 'opt' }, inputs[i], h('span', { text: o.label }))), free);
    }
    if (q.type === 'contact') {
      const given = answer || {};
      const send = () => answer_(box.checked && email && email.value ? { consent: true, email: email.value } : { consent: box.checked });
      const email = q.email && h('input', { type: 'email', class: 'other', 'aria-label': this.s.email, autocomplete: 'email', placeholder: q.placeholder, value: given.email || '', hidden: !given.consent, oninput: send });
      const box = h('input', {
        type: 'checkbox',
        checked: !!given.consent,
        onchange: () => {
          if (email) (email.hidden = !box.checked), (email.required = box.checked);
          send();
        },
      });
      this.email = email;
      return h('div', { class: 'opts', role: 'group', 'aria-labelledby': labelId }, h('label', { class: 'opt' }, box, h('span', { text: this.s.contactYes })), email);
    }
    const count = h('p', { class: 'count', 'aria-hidden': 'true' });
    const left = (text) => (count.textContent = fill(this.s.left, q.maxLength - [...text].length, 0));
    const area = h('textarea', {
      'aria-labelledby': labelId,
      maxlength: q.maxLength,
      placeholder: q.placeholder,
      value: answer || '',
      oninput: () => (left(area.value), answer_(area.value)),
    });
    left(area.value);
    return h('div', {}, area, count);
  }

  /** Removes the widget and gives focus back to where the visitor was. */
  destroy() {
    this.host.remove();
    const back = this.returnFocus;
    if (back && back.isConnected && typeof back.focus === 'function') back.focus();
  }
}
