// The survey editor: a form and a JSON tab over one draft, every change validated by the
// WebAssembly core (sondar/core: no rule is checked here), a live preview rendered by the real
// widget, and publishing through the collector's admin API (If-Match: a publish from another tab
// in between is refused with 412 and nothing is overwritten).
import { admin } from '/admin.js';
import { loadCore } from '/web/src/core.js';
import { createWidget } from '/web/src/index.js';
import { schemaFields, section } from '/schema-form.js';
import {
  EditorState, EditorView, keymap, lineNumbers, highlightActiveLine, defaultKeymap, history, historyKeymap,
  indentWithTab, syntaxTree, syntaxHighlighting, defaultHighlightStyle, bracketMatching, json, linter, lintGutter,
  forceLinting, diffLines,
} from '/dist/workspace-vendor.js';

const $ = (selector) => /** @type {HTMLElement} */ (document.querySelector(selector));
/** @param {string} tag @param {Record<string, any>} [props] @param {...(Node|string)} children */
function h(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  for (const [k, v] of Object.entries(props)) if (k.startsWith('data-') || k.startsWith('aria-')) node.setAttribute(k, v);
  node.append(...children);
  return node;
}
// The schemas the npm package ships: the form is built from them, so it covers every member.
const schemas = Object.fromEntries(await Promise.all(['survey.json', 'site.json'].map(async (f) => [f, await (await fetch(`/web/schema/${f}`)).json()])));
const surveySchema = schemas['survey.json'];
const QUESTION_TYPES = surveySchema.definitions.question.properties.type.enum;
// Types a new set of options is filled in for when chosen (a convenience; the core checks).
const CHOICE = new Set(['single_choice', 'multi_choice']);

const core = await loadCore();
const SITE = '(site)';
const state = {
  kind: /** @type {'survey'|'site'} */ ('survey'),
  id: '',
  base: 0, // the version the draft was edited from (0: a new survey)
  published: '', // that version's text, as the diff shows it
  text: '',
  doc: /** @type {any} */ (null),
  errors: /** @type {Array<{code: string, path: string, message: string}>} */ ([]),
  info: /** @type {any} */ (null),
};

// ---- the draft's JSON text, in CodeMirror ----
// In a shadow root: there CodeMirror's styles are constructed style sheets, which the pages' CSP
// (style-src 'self') allows; in the document it would add <style> elements the CSP refuses.
const shadow = $('#json-panel').attachShadow({ mode: 'open' });
const mount = document.createElement('div');
shadow.append(mount);
const view = new EditorView({
  parent: mount,
  root: shadow,
  state: EditorState.create({
    doc: '',
    extensions: [
      lineNumbers(), history(), highlightActiveLine(), bracketMatching(), json(),
      syntaxHighlighting(defaultHighlightStyle), lintGutter(),
      keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
      EditorView.contentAttributes.of({ 'aria-label': 'Survey JSON' }),
      EditorView.theme({
        '&': { maxHeight: '560px', border: '1px solid #d1d5db', fontSize: '14px' },
        '.cm-scroller': { overflow: 'auto', fontFamily: 'ui-monospace, monospace' },
      }),
      linter(() => state.errors.map((e) => {
        const [from, to] = span(view.state, e.path);
        return { from, to, severity: 'error', message: `${e.path || '(document)'}: ${e.message}` };
      }), { delay: 0 }),
      EditorView.updateListener.of((u) => {
        if (u.docChanged && !writing) changed(u.state.doc.toString(), 'json');
      }),
    ],
  }),
});
let writing = false;

/** Where `path` (the core's "questions[0].prompt") is in the text: the value's span, or the
 * nearest enclosing one that exists. */
function span(editorState, path) {
  const tree = syntaxTree(editorState);
  let node = tree.topNode.firstChild;
  const keys = [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]));
  const text = (n) => editorState.sliceDoc(n.from, n.to);
  for (const key of keys) {
    if (!node) break;
    let next = null;
    if (typeof key === 'number' && node.name === 'Array') {
      let i = 0;
      for (let c = node.firstChild; c; c = c.nextSibling) {
        if (['[', ']', ','].includes(c.name)) continue;
        if (i++ === key) next = c;
      }
    } else if (node.name === 'Object') {
      for (let c = node.firstChild; c; c = c.nextSibling) {
        if (c.name === 'Property' && c.firstChild && JSON.parse(text(c.firstChild)) === String(key)) next = c.lastChild;
      }
    }
    if (!next) break;
    node = next;
  }
  return node ? [node.from, Math.min(node.to, node.from + 2000)] : [0, 0];
}

function writeText(text) {
  writing = true;
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
  writing = false;
}

// ---- validation: the core's, on every change ----
/** @param {string} text @param {'json'|'form'|'load'} from */
function changed(text, from) {
  state.text = text;
  let doc = null;
  try {
    doc = JSON.parse(text);
  } catch {}
  // The core reads the text itself: its invalid_json error names the line and column.
  const result = state.kind === 'site' ? core.validateSite(text) : core.validateSurvey(text);
  state.errors = result.ok ? [] : result.errors;
  state.info = result.ok ? result.survey || result.site : null;
  // Text that does not parse leaves the form nothing to show (a form edit then would rewrite the
  // JSON from an older document, losing what was typed there).
  state.doc = doc && typeof doc === 'object' && !Array.isArray(doc) ? doc : null;
  if (from !== 'form') renderForm();
  else markFields();
  renderErrors();
  forceLinting(view);
  $('#publish').toggleAttribute('disabled', true);
  schedulePreview();
}

function renderErrors() {
  const list = $('#errors');
  list.replaceChildren(...state.errors.map((e) => {
    const jump = h('button', { type: 'button', className: 'link' }, e.path || '(document)');
    jump.addEventListener('click', () => {
      showTab('json');
      const [from] = span(view.state, e.path);
      view.dispatch({ selection: { anchor: from }, scrollIntoView: true });
      view.focus();
    });
    return h('li', { 'data-code': e.code }, jump, `: ${e.message}`);
  }));
  if (!state.errors.length) list.append(h('li', { className: 'ok' }, `No problems: the core accepts this ${state.kind === 'site' ? 'manifest' : 'survey'}.`));
}

// ---- the form: the same document, field by field ----
const defaultLocale = () => (state.doc && typeof state.doc.locale === 'string' ? state.doc.locale : 'en');
/** The language whose texts the form edits: the survey's default, or a translation. */
let textLocale = '';
const locale = () => textLocale || defaultLocale();
const textOf = (v) => (typeof v === 'string' ? (locale() === defaultLocale() ? v : '') : v && typeof v === 'object' ? v[locale()] ?? '' : '');
/** A text with the edited language's part replaced; a plain string becomes {default, language}. */
const withText = (old, value) => {
  if (old && typeof old === 'object') return { ...old, [locale()]: value };
  if (locale() === defaultLocale()) return value;
  return { ...(typeof old === 'string' ? { [defaultLocale()]: old } : {}), [locale()]: value };
};
// The members that hold texts ({locale: text} or a string), as the schema names them.
const TEXT_KEYS = new Set();
(function collect(node) {
  if (!node || typeof node !== 'object') return;
  for (const [k, v] of Object.entries(node.properties || {})) if (v && v.$ref === '#/definitions/text') TEXT_KEYS.add(k);
  Object.values(node).forEach(collect);
})(surveySchema);
/** Every language some text of the draft is written in, the default first. */
function draftLocales() {
  const found = new Set([defaultLocale()]);
  const walk = (v) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      if (TEXT_KEYS.has(k) && x && typeof x === 'object' && !Array.isArray(x)) Object.keys(x).forEach((l) => found.add(l));
      else walk(x);
    }
  };
  walk(state.doc);
  if (textLocale) found.add(textLocale);
  return [...found];
}
/** @type {import('./schema-form.js').Kit} */
const kit = {
  h,
  field: (label, path, input, hint) => field(label, path, input, hint),
  textOf,
  withText,
  edit: (fn, structural) => edit(fn, structural),
  schemas,
  questionIds: () => (Array.isArray(state.doc?.questions) ? state.doc.questions.map((q) => q && q.id).filter((id) => typeof id === 'string') : []),
  open: new Set(['trigger', 'endings']),
};

/**
 * Applies `fn` to the draft and writes the JSON text from it. A value typed into a field leaves
 * the form as it is (the field keeps focus); a `structural` change (something added, removed or
 * turned into another shape) draws the form again.
 */
function edit(fn, structural = false) {
  if (!state.doc) return;
  fn(state.doc);
  const text = JSON.stringify(state.doc, null, 2);
  writeText(text);
  changed(text, structural ? 'structure' : 'form');
}

function field(label, path, input, hint = '') {
  input.setAttribute('data-path', path);
  const id = `f-${path.replace(/[^A-Za-z0-9]/g, '-')}`;
  input.id = id;
  const wrap = h('div', { className: 'field' }, h('label', { htmlFor: id }, label), input);
  if (hint) wrap.append(h('small', { className: 'muted' }, hint));
  wrap.append(h('div', { className: 'field-error', id: `${id}-error` }));
  input.setAttribute('aria-describedby', `${id}-error`);
  return wrap;
}
function textInput(path, value, onInput, props = {}) {
  const input = h('input', { value: value ?? '', ...props });
  input.addEventListener('input', () => onInput(input.value));
  return input;
}

function renderForm() {
  const panel = $('#form-panel');
  const focused = document.activeElement?.getAttribute('data-path');
  if (!state.doc) {
    panel.replaceChildren(h('p', { className: 'muted' }, 'The JSON is not readable yet: fix it in the JSON tab.'));
    return;
  }
  if (state.kind === 'site') {
    renderSiteForm(panel);
    if (focused) panel.querySelector(`[data-path="${CSS.escape(focused)}"]`)?.focus();
    markFields();
    return;
  }
  const d = state.doc;
  // Which language's texts the fields show: the default, a translation, or a new one.
  const languages = h('select', {}, ...draftLocales().map((l) => h('option', { value: l, selected: l === locale() }, l === defaultLocale() ? `${l} (default)` : l)));
  languages.addEventListener('change', () => {
    textLocale = languages.value === defaultLocale() ? '' : languages.value;
    renderForm();
  });
  const added = h('input', { placeholder: 'e.g. fr', size: 6 });
  const addLanguage = h('button', { type: 'button' }, 'Translate into');
  addLanguage.addEventListener('click', () => {
    if (!added.value.trim()) return;
    textLocale = added.value.trim();
    renderForm();
  });
  const top = h('fieldset', {}, h('legend', {}, 'Survey'),
    field('Texts in', 'texts-locale', languages, 'Every text field below shows and edits this language; the core reports texts missing in the default.'),
    h('p', {}, added, ' ', addLanguage),
    field('Title', 'title', textInput('title', textOf(d.title), (v) => edit((x) => (x.title = withText(x.title, v))))),
    field('Default locale', 'locale', textInput('locale', d.locale ?? 'en', (v) => edit((x) => (x.locale = v)))));
  // Everything else a survey has, from the schema: trigger, targeting, sampling, recontact,
  // schedule, closeAfter, hidden fields, localeFallback.
  const props = surveySchema.properties;
  const rest = Object.keys(props).filter((k) => !['$schema', 'schema', 'id', 'version', 'locale', 'title', 'questions', 'endings'].includes(k))
    .flatMap((k) => schemaFields(kit, props[k], d[k], [k]));
  const questions = h('fieldset', {}, h('legend', {}, 'Questions'));
  const fieldsOf = (q, i, k) => schemaFields(kit, surveySchema.definitions.question.properties[k], q[k], ['questions', i, k]);
  (Array.isArray(d.questions) ? d.questions : []).forEach((q, i) => {
    const at = `questions[${i}]`;
    const type = h('select', {}, ...QUESTION_TYPES.map((t) => h('option', { value: t, selected: q.type === t }, t)));
    type.addEventListener('change', () => edit((x) => {
      x.questions[i].type = type.value;
      if (CHOICE.has(type.value) && !x.questions[i].options) {
        x.questions[i].options = [{ id: 'a', label: 'Option A' }, { id: 'b', label: 'Option B' }];
      }
    }, true));
    const required = h('input', { type: 'checkbox', checked: !!q.required });
    required.addEventListener('change', () => edit((x) => (x.questions[i].required = required.checked)));
    // Recall: the names a prompt may show here, offered as buttons that insert them (the core
    // says which it accepts: answers of earlier questions, hidden fields, attributes).
    const hidden = (Array.isArray(d.hidden) ? d.hidden : []).map((x) => (typeof x === 'string' ? x : x && x.name)).filter(Boolean);
    const names = [...d.questions.slice(0, i).map((p) => `answers.${p.id}`), ...hidden.map((n) => `hidden.${n}`), 'attributes.first_name|there'];
    const recall = h('p', { className: 'recall' }, 'Recall: ', ...names.map((name) => {
      const insert = h('button', { type: 'button', className: 'chip' }, `{{${name}}}`);
      insert.addEventListener('click', () => edit((x) => (x.questions[i].prompt = withText(x.questions[i].prompt, `${textOf(x.questions[i].prompt)}{{${name}}}`)), true));
      return insert;
    }));
    const box = h('fieldset', { className: 'question' }, h('legend', {}, `Question ${i + 1}`),
      field('Id', `${at}.id`, textInput(`${at}.id`, q.id, (v) => edit((x) => (x.questions[i].id = v)))),
      field('Type', `${at}.type`, type),
      field('Prompt', `${at}.prompt`, textInput(`${at}.prompt`, textOf(q.prompt), (v) => edit((x) => (x.questions[i].prompt = withText(x.questions[i].prompt, v))))),
      recall,
      field('Required', `${at}.required`, required),
      // The rest from the schema: scale and display, options with other, showIf, logic, and
      // the smaller settings in one section.
      ...['scale', 'options', 'showIf', 'logic'].flatMap((k) => fieldsOf(q, i, k)),
      section(kit, 'More settings', `${at}.more`, '', ['description', 'shuffle', 'maxSelect', 'maxLength', 'placeholder', 'email'].flatMap((k) => fieldsOf(q, i, k))));
    const remove = h('button', { type: 'button' }, `Remove question ${i + 1}`);
    remove.addEventListener('click', () => edit((x) => x.questions.splice(i, 1), true));
    box.append(remove);
    questions.append(box);
  });
  const add = h('button', { type: 'button', id: 'add-question' }, 'Add question');
  add.addEventListener('click', () => edit((x) => {
    x.questions = Array.isArray(x.questions) ? x.questions : [];
    x.questions.push({ id: `q${x.questions.length + 1}`, type: 'text', prompt: '' });
  }, true));
  questions.append(add);
  // Endings by score (their "if"), with review and support links.
  const endings = h('fieldset', {}, h('legend', {}, 'Endings'), ...schemaFields(kit, props.endings, d.endings, ['endings']));
  const more = h('fieldset', {}, h('legend', {}, 'When it shows, to whom, and what it carries'), ...rest);
  panel.replaceChildren(top, questions, endings, more);
  if (focused) panel.querySelector(`[data-path="${CSS.escape(focused)}"]`)?.focus();
  markFields();
}

const number = (v) => (v === '' ? undefined : Number(v));

/** The site manifest: site rules, and each survey's priority (and whether it is listed). */
function renderSiteForm(panel) {
  const d = state.doc;
  const rules = d.rules || {};
  const setRule = (key, v) => edit((x) => {
    x.rules = { ...x.rules, [key]: number(v) };
    if (x.rules[key] === undefined) delete x.rules[key];
  });
  const top = h('fieldset', {}, h('legend', {}, 'Site rules'),
    field('Surveys per page view (0: no limit)', 'rules.maxPerPageView',
      textInput('rules.maxPerPageView', rules.maxPerPageView ?? '', (v) => setRule('maxPerPageView', v), { type: 'number', min: 0 })),
    field('Days between any two surveys shown', 'rules.cooldownDays',
      textInput('rules.cooldownDays', rules.cooldownDays ?? '', (v) => setRule('cooldownDays', v), { type: 'number', min: 0, step: 'any' })));
  const siteSchema = schemas['site.json'];
  top.append(...Object.keys(siteSchema.properties.rules.properties).filter((k) => k !== 'maxPerPageView' && k !== 'cooldownDays')
    .flatMap((k) => schemaFields(kit, siteSchema.properties.rules.properties[k], rules[k], ['rules', k], { file: 'site.json' })));
  const entrySchema = siteSchema.properties.surveys.items;
  const list = h('fieldset', {}, h('legend', {}, 'Surveys (higher priority first)'));
  (Array.isArray(d.surveys) ? d.surveys : []).forEach((e, i) => {
    const id = e.survey ? e.survey.id : e.id;
    const remove = h('button', { type: 'button' }, `Remove ${id} from the site`);
    remove.addEventListener('click', () => edit((x) => x.surveys.splice(i, 1), true));
    list.append(h('fieldset', { className: 'question' }, h('legend', {}, id),
      field('Priority (-1000 to 1000)', `surveys[${i}].priority`,
        textInput(`surveys[${i}].priority`, e.priority ?? '', (v) => edit((x) => (x.surveys[i].priority = number(v))), { type: 'number' })),
      ...(e.survey ? [] : schemaFields(kit, entrySchema.properties.preload, e.preload, ['surveys', i, 'preload'], { file: 'site.json' })),
      remove));
  });
  // Surveys published here and not on the site yet. An entry names the survey; the collector
  // serves it with the rules of the survey's latest version, so none are copied here.
  const listed = new Set((d.surveys || []).map((e) => (e.survey ? e.survey.id : e.id)));
  for (const s of surveys.filter((x) => !listed.has(x.id))) {
    const add = h('button', { type: 'button' }, `Add ${s.id} to the site`);
    add.addEventListener('click', () =>
      edit((x) => {
        x.surveys = [...(x.surveys || []), { url: `/api/surveys/${s.id}.json`, id: s.id, priority: 0 }];
      }, true));
    list.append(add);
  }
  panel.replaceChildren(top, list,
    h('p', { className: 'muted' }, 'Each survey shows by its own trigger, targeting, sampling, recontact, schedule and closeAfter: edit them in the survey and publish it; the site follows.'));
}

/** Each error at the field of its path (or the nearest enclosing one shown). */
function markFields() {
  const panel = $('#form-panel');
  for (const slot of panel.querySelectorAll('.field-error')) slot.textContent = '';
  for (const input of panel.querySelectorAll('[data-path]')) input.removeAttribute('aria-invalid');
  for (const e of state.errors) {
    let path = e.path;
    let input = null;
    while (path && !(input = panel.querySelector(`[data-path="${CSS.escape(path)}"]`))) {
      // Up one member; a top-level one with no field of its own has nothing above it.
      const up = path.replace(/(\.[^.[\]]+|\[\d+\])$/, '');
      path = up === path ? '' : up;
    }
    if (!input) continue;
    input.setAttribute('aria-invalid', 'true');
    const slot = document.getElementById(`${input.id}-error`);
    if (slot) slot.textContent = `${slot.textContent ? `${slot.textContent} · ` : ''}${e.message}`;
  }
}

// ---- tabs (arrow keys move between them) ----
function showTab(which) {
  for (const name of ['form', 'json']) {
    const tab = $(`#tab-${name}`);
    tab.setAttribute('aria-selected', String(name === which));
    tab.tabIndex = name === which ? 0 : -1;
    $(`#${name}-panel`).hidden = name !== which;
  }
  if (which === 'form') renderForm();
  // A view laid out while hidden has measured nothing: it draws its lines once shown.
  else view.requestMeasure();
}
for (const name of ['form', 'json']) {
  const tab = $(`#tab-${name}`);
  tab.addEventListener('click', () => showTab(name));
  tab.addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const other = name === 'form' ? 'json' : 'form';
    showTab(other);
    $(`#tab-${other}`).focus();
  });
}

// ---- preview: the real widget, inline, from the draft ----
let widget = null;
let previewTimer = 0;
function schedulePreview() {
  clearTimeout(previewTimer);
  previewTimer = setTimeout(preview, 300);
}
function preview() {
  widget?.destroy();
  widget = null;
  const box = $('#preview');
  box.replaceChildren();
  const note = $('#preview-note');
  if (state.kind === 'site') {
    note.textContent = 'A manifest has no preview of its own: "Who would see it?" below asks the core.';
    return;
  }
  if (!state.info) {
    note.textContent = 'The preview shows once the core accepts the draft.';
    return;
  }
  const select = /** @type {HTMLSelectElement} */ ($('#locale'));
  const chosen = select.value;
  select.replaceChildren(...state.info.locales.map((l) => h('option', { value: l, selected: l === chosen }, l)));
  note.textContent = 'Answers given here are not sent anywhere.';
  // A visitor of its own, and a transport that keeps nothing: the preview never posts.
  widget = createWidget({
    survey: state.doc,
    container: box,
    locale: select.value || state.info.locale,
    visitorId: `editor-preview-${Math.random().toString(36).slice(2)}`,
    // The editor shares the shop's origin: the preview must not touch its visitor id, history
    // or outbox (a no-op transport would otherwise "deliver" the shop's queued responses).
    persist: false,
    transport: async () => ({ ok: true }),
    // Authors want the words of an error: the module with messages.
    wasmUrl: '/web/lib/sondar-widget-debug.wasm',
  });
  widget.on('ready', () => widget.show(state.info.id));
}
$('#restart').addEventListener('click', preview);
$('#locale').addEventListener('change', preview);
$('#width').addEventListener('change', () => {
  $('#preview').className = `preview ${/** @type {HTMLSelectElement} */ ($('#width')).value}`;
});

// ---- publishing ----
const status = (text, bad = false) => {
  const p = $('#publish-status');
  p.textContent = text;
  p.className = bad ? 'bad' : '';
};

$('#review').addEventListener('click', () => {
  const diff = $('#diff');
  diff.hidden = false;
  const parts = diffLines(state.published, `${state.text.trimEnd()}\n`);
  diff.replaceChildren(...parts.map((p) => h('span', { className: p.added ? 'added' : p.removed ? 'removed' : 'same' },
    p.value.replace(/^(?=.)/gm, p.added ? '+ ' : p.removed ? '- ' : '  '))));
  const same = parts.every((p) => !p.added && !p.removed);
  const ok = !state.errors.length && !same && (state.kind === 'site' || !!surveyId());
  $('#publish').toggleAttribute('disabled', !ok);
  status(same ? 'No changes to publish.' : state.errors.length ? 'Fix the problems above first.' : `Ready to publish as version ${state.base ? 'the next after ' + state.base : '1'}.`, !ok && !same);
});

function surveyId() {
  return state.id || /** @type {HTMLInputElement} */ ($('#new-id')).value.trim();
}
/** Where the document being edited is published. */
const route = () => (state.kind === 'site' ? '/api/site' : `/api/surveys/${encodeURIComponent(surveyId())}`);
const what = () => (state.kind === 'site' ? 'the site manifest' : `"${surveyId()}"`);

$('#publish').addEventListener('click', async () => {
  // Once: a second click would publish over the first (and read as someone else's 412).
  $('#publish').toggleAttribute('disabled', true);
  const id = surveyId();
  const headers = { 'Content-Type': 'application/json' };
  if (state.base) headers['If-Match'] = `"${state.base}"`;
  const res = await admin(route(), { method: 'PUT', headers, body: state.text });
  const body = await res.json().catch(() => ({}));
  $('#publish').toggleAttribute('disabled', true);
  if (res.status === 201) {
    status(`Published ${what()} version ${body.version}.`);
    publishedSite = null;
    await loadSurveys(state.kind === 'site' ? SITE : id);
    await open(state.kind === 'site' ? SITE : id);
  } else if (res.status === 412) {
    status(`Not published: version ${body.latest} of ${what()} was published (from another tab or by someone else) after version ${state.base}, which you edited. Nothing was overwritten. Copy your changes, choose it again to load version ${body.latest}, then apply them.`, true);
  } else {
    state.errors = body.errors || [];
    renderErrors();
    markFields();
    forceLinting(view);
    status(`Not published (HTTP ${res.status}): ${(body.errors || []).map((e) => `${e.path}: ${e.message}`).join('; ')}`, true);
  }
});

async function renderVersions(list) {
  const body = $('#versions tbody');
  body.replaceChildren(...list.map((v) => {
    const restore = h('button', { type: 'button' }, `Restore version ${v.version}`);
    restore.disabled = v.version === state.base;
    restore.addEventListener('click', async () => {
      const res = await admin(`${route()}/rollback`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ version: v.version }),
      });
      const r = await res.json();
      status(res.status === 201 ? `Version ${v.version} restored as version ${r.version}.` : `Not restored: ${r.errors?.[0]?.message}`, res.status !== 201);
      if (res.status === 201) {
        publishedSite = null;
        await open(state.kind === 'site' ? SITE : state.id);
      }
    });
    const how = v.source === 'rollback' ? `restored ${v.fromVersion}` : v.source;
    return h('tr', {}, h('td', {}, String(v.version)), h('td', {}, new Date(v.publishedAt).toLocaleString()), h('td', {}, how), h('td', {}, restore));
  }));
}

// ---- who would see it: the core's site decision with this draft's rules ----
let publishedSite = null;
$('#who').addEventListener('submit', async (event) => {
  event.preventDefault();
  const say = (text) => ($('#who-status').textContent = text);
  const rows = $('#who-result tbody');
  rows.replaceChildren();
  if (!state.info) return say('The draft has problems: fix them first.');
  const read = (id, what) => {
    try {
      return JSON.parse(/** @type {HTMLTextAreaElement} */ ($(id)).value);
    } catch (e) {
      throw new Error(`${what} is not JSON: ${e.message}`);
    }
  };
  let context;
  try {
    const time = /** @type {HTMLInputElement} */ ($('#who-time')).value;
    context = {
      url: /** @type {HTMLInputElement} */ ($('#who-url')).value,
      event: /** @type {HTMLInputElement} */ ($('#who-event')).value.trim(),
      visitorId: /** @type {HTMLInputElement} */ ($('#who-visitor')).value || 'visitor-1',
      attributes: read('#who-attributes', 'Visitor attributes'),
      history: read('#who-history', 'History'),
      now: time ? new Date(time).getTime() : Date.now(),
    };
  } catch (e) {
    return say(e.message);
  }
  if (publishedSite === null) {
    const res = await fetch('/api/site', { cache: 'no-store' });
    publishedSite = res.ok ? await res.json() : { schema: 'sondar.site/1', surveys: [] };
  }
  // The published manifest with the draft's rules in its entry (or the draft inline, when the
  // manifest does not list it yet); with the manifest open, the draft manifest itself.
  const site = structuredClone(state.kind === 'site' ? state.doc : publishedSite);
  const entry = state.kind === 'site' ? true : site.surveys.find((e) => (e.survey ? e.survey.id : e.id) === state.doc.id);
  if (entry === true) {
    // A draft manifest: each entry as the collector would serve it, with its survey's rules.
    for (let i = 0; i < site.surveys.length; i++) {
      const published = !site.surveys[i].survey && surveys.find((x) => x.id === site.surveys[i].id);
      if (!published) continue;
      const res = await admin(`/api/surveys/${encodeURIComponent(published.id)}/versions/${published.version}`);
      if (res.ok) site.surveys[i] = core.withRulesOf(site.surveys[i], await res.json());
    }
  } else if (!entry) site.surveys.push({ survey: state.doc });
  else if (entry.survey) entry.survey = state.doc;
  else site.surveys[site.surveys.indexOf(entry)] = core.withRulesOf(entry, state.doc);
  let decision;
  try {
    const parsed = core.parseSite(site);
    try {
      decision = parsed.decide(context);
    } finally {
      parsed.delete();
    }
  } catch (e) {
    return say(`The core refused it: ${(e.errors || [e]).map((x) => `${x.path ?? ''} ${x.message}`).join('; ')}`);
  }
  say(decision.show ? `"${decision.show}" would show.` : 'No survey would show.');
  rows.replaceChildren(...decision.surveys.map((d) => h('tr', { className: d.survey === state.doc.id ? 'draft' : '' },
    h('td', {}, d.survey), h('td', {}, d.reason), h('td', {}, d.detail || ''),
    h('td', {}, d.retryAt ? new Date(d.retryAt).toLocaleString() : ''))));
});

// ---- choosing what to edit ----
const NEW = '(new)';
async function open(id) {
  $('#new-survey').hidden = id !== NEW;
  $('#diff').hidden = true;
  state.kind = id === SITE ? 'site' : 'survey';
  if (id === SITE) {
    const list = await (await admin('/api/site/versions')).json();
    const latest = list[0]?.version || 0;
    const text = latest
      ? `${JSON.stringify(await (await admin(`/api/site/versions/${latest}`)).json(), null, 2)}\n`
      : `${JSON.stringify({ schema: 'sondar.site/1', rules: { maxPerPageView: 1 }, surveys: [] }, null, 2)}\n`;
    Object.assign(state, { id: '', base: latest, published: latest ? text : '' });
    $('#base').textContent = latest ? `Editing version ${latest} of the site manifest (the latest).` : 'No manifest is published yet.';
    renderVersions(list);
    writeText(text);
    changed(text, 'load');
    return;
  }
  if (id === NEW) {
    Object.assign(state, { id: '', base: 0, published: '' });
    $('#base').textContent = 'A new survey: it becomes version 1 when published.';
    renderVersions([]);
    const draft = { schema: 'sondar.survey/1', id: 'new-survey', locale: 'en', title: 'A quick question', questions: [{ id: 'q1', type: 'nps', required: true, prompt: 'How likely are you to recommend us?' }], endings: [{ id: 'thanks', title: 'Thank you!' }] };
    const text = JSON.stringify(draft, null, 2);
    writeText(text);
    changed(text, 'load');
    return;
  }
  const list = await (await admin(`/api/surveys/${encodeURIComponent(id)}/versions`)).json();
  const latest = list[0].version;
  state.id = id;
  const text = await (await admin(`/api/surveys/${encodeURIComponent(id)}/versions/${latest}`)).text();
  const pretty = `${JSON.stringify(JSON.parse(text), null, 2)}\n`;
  Object.assign(state, { id, base: latest, published: pretty });
  $('#base').textContent = `Editing version ${latest} (the latest).`;
  renderVersions(list);
  writeText(pretty);
  changed(pretty, 'load');
}

let surveys = [];
const select = /** @type {HTMLSelectElement} */ ($('#survey'));
/** The published surveys, in the picker (and for the manifest's "Add"), with `chosen` selected. */
async function loadSurveys(chosen) {
  surveys = await (await admin('/api/surveys')).json();
  select.replaceChildren(...surveys.map((s) => h('option', { value: s.id }, s.id)), h('option', { value: NEW }, 'New survey…'),
    h('option', { value: SITE }, 'Site manifest'));
  if (chosen) select.value = chosen;
}
await loadSurveys('');
const wanted = new URLSearchParams(location.search).get('survey');
if (wanted) select.value = wanted;
select.addEventListener('change', () => open(select.value));
$('#new-id').addEventListener('input', () => edit((x) => (x.id = /** @type {HTMLInputElement} */ ($('#new-id')).value.trim())));
await open(select.value);
document.body.dataset.ready = 'editor';
