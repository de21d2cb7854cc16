// The workspace: one app for a shop's CX team. Every figure comes from the collector's queries
// (/api/summary, /api/comments, /api/responses/ID, /api/export.csv, /api/cases), computed by the core over
// the stored responses; the page never downloads them all, only what the screen shows. The chosen
// survey, the view, the search and the filters live in the URL, so a view can be shared. Text from
// responses is always set as text: Preact renders htm's values as text nodes, never as markup.
import { html, render, useEffect, useMemo, useRef, useState, uPlot } from '/dist/workspace-views.js';
import { admin } from '/admin.js';

/** URL parameters that are the app's own; every other one is a filter the collector reads. */
const OWN = new Set(['view', 'survey', 'q', 'response', 'case']);
const VIEWS = new Set(['overview', 'responses', 'cases', 'alerts', 'themes']);
const CASE_STATES = ['open', 'contacted', 'resolved'];
// Who is working, for the cases' history: typed once, kept on this device.
const NAME_KEY = 'sondar.workspace.name';
const METRICS = [
  { key: 'nps', name: 'NPS', digits: 1, unit: '', sign: true, categories: ['promoter', 'passive', 'detractor'] },
  { key: 'csat', name: 'CSAT', digits: 1, unit: '%', sign: false, categories: ['satisfied', 'not_satisfied'] },
  { key: 'ces', name: 'CES', digits: 2, unit: '', sign: false, categories: ['agree', 'not_agree'] },
];
const CONTROLLED = new Set(['from', 'to', 'trigger', 'segment', 'category', 'status', 'theme']);
const GOOD = new Set(['promoter', 'satisfied', 'agree']);
const BAD = new Set(['detractor', 'not_satisfied', 'not_agree']);

/** @typedef {{view: string, survey: string, q: string, response: string, case: string, filters: Record<string, string>}} View */

/** @returns {View} */
function readLocation() {
  const params = new URLSearchParams(location.search);
  /** @type {Record<string, string>} */
  const filters = {};
  for (const [k, v] of params) if (!OWN.has(k) && v !== '') filters[k] = v;
  const view = params.get('view') || '';
  return {
    view: VIEWS.has(view) ? view : 'overview', survey: params.get('survey') || '', q: params.get('q') || '',
    response: params.get('response') || '', case: params.get('case') || '', filters,
  };
}

/** @param {View} view */
function hrefFor(view) {
  const params = new URLSearchParams({ view: view.view });
  if (view.survey) params.set('survey', view.survey);
  if (view.q) params.set('q', view.q);
  if (view.response) params.set('response', view.response);
  if (view.case) params.set('case', view.case);
  for (const [k, v] of Object.entries(view.filters)) params.set(k, v);
  return `/workspace/?${params}`;
}

/** @param {string} survey @param {Record<string, string>} filters @param {Record<string, string>} [extra] */
const query = (survey, filters, extra = {}) => new URLSearchParams({ survey, ...filters, ...extra }).toString();

/** An admin GET as JSON; a refusal becomes an Error carrying the collector's messages. */
async function json(path) {
  const res = await admin(path);
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(body?.errors?.map((e) => `${e.path ? `${e.path}: ` : ''}${e.message}`).join('; ') || `the collector answered ${res.status}`);
  return body;
}

// Answers of the last few seconds by path: the overview and the filter bar ask for the same
// unfiltered summary, and one query to the collector serves both.
const recent = new Map();
function cached(path) {
  const hit = recent.get(path);
  if (hit && Date.now() - hit.at < 10000) return hit.answer;
  const answer = json(path);
  recent.set(path, { at: Date.now(), answer });
  answer.catch(() => recent.delete(path));
  return answer;
}

/** What `path` answers, refetched when it changes; null while loading. */
function useJson(path) {
  const [state, setState] = useState({ path: '', data: null, error: '' });
  useEffect(() => {
    if (!path) return undefined;
    let live = true;
    setState({ path, data: null, error: '' });
    cached(path).then((data) => live && setState({ path, data, error: '' }), (e) => live && setState({ path, data: null, error: e.message }));
    return () => (live = false);
  }, [path]);
  return state.path === path ? state : { path, data: null, error: '' };
}

/**
 * A list the collector pages by cursor: its first page whenever `key` changes, the next on
 * `more()`; an answer for a key left meanwhile is dropped. `first` and `last` are the pages'
 * whole answers.
 * @param {string} key @param {(cursor: string|null) => string} pathFor
 */
function usePaged(key, pathFor) {
  const [items, setItems] = useState(/** @type {any[]} */ ([]));
  const [state, setState] = useState({ first: null, last: null, loading: true, error: '' });
  const current = useRef(key);
  current.current = key;
  const load = async (cursor) => {
    const asked = key;
    setState((s) => ({ ...s, loading: true }));
    try {
      const page = await json(pathFor(cursor));
      if (current.current !== asked) return;
      setItems((p) => (cursor ? [...p, ...page.items] : page.items));
      setState((s) => ({ first: cursor ? s.first : page, last: page, loading: false, error: '' }));
    } catch (e) {
      if (current.current === asked) setState((s) => ({ ...s, loading: false, error: e.message }));
    }
  };
  useEffect(() => {
    setItems([]);
    load(null);
  }, [key]);
  return { items, first: state.first, last: state.last, loading: state.loading, error: state.error, more: () => load(state.last?.next) };
}

const fmt = (v, digits = 1, sign = false) => (v == null ? '–' : `${sign && v > 0 ? '+' : ''}${v.toFixed(digits)}`);
const label = (category) => category.replace('_', ' ');
const tone = (category) => (GOOD.has(category) ? 'good' : BAD.has(category) ? 'bad' : 'neutral');
const text = (t, locale) => (t == null ? '' : typeof t === 'string' ? t : t[locale] ?? Object.values(t)[0] ?? '');

function App() {
  const [view, setView] = useState(readLocation);
  const surveys = useJson('/api/surveys');
  // A viewer's token: what it may not do is not offered (the collector refuses it anyway).
  const me = useJson('/api/me').data;
  useEffect(() => {
    if (!me) return;
    document.body.dataset.role = me.role;
    /** @type {HTMLElement} */ (document.querySelector('#who')).textContent = `${me.name} (${me.role})`;
  }, [me]);
  useEffect(() => {
    const back = () => setView(readLocation());
    addEventListener('popstate', back);
    return () => removeEventListener('popstate', back);
  }, []);
  const list = surveys.data || [];
  const survey = list.find((s) => s.id === view.survey) || list[0];
  const current = survey ? { ...view, survey: survey.id } : view;
  // The header's links keep the survey and the filters.
  useEffect(() => {
    for (const a of document.querySelectorAll('nav a[data-view]')) {
      const target = /** @type {HTMLAnchorElement} */ (a);
      target.href = hrefFor({ ...current, view: target.dataset.view || 'overview', response: '', case: '' });
      if (target.dataset.view === current.view) target.setAttribute('aria-current', 'page');
      else target.removeAttribute('aria-current');
    }
  });
  /** @param {Partial<View>} change */
  const go = (change) => {
    const next = { ...current, ...change };
    history.pushState(null, '', hrefFor(next));
    setView(next);
  };
  if (surveys.error) return html`<p role="alert" class="bad">${surveys.error}</p>`;
  if (!surveys.data) return html`<p class="muted">Loading…</p>`;
  if (!survey) return html`<p>No survey is published on this collector yet. <a href="/editor.html">Create one</a>.</p>`;
  return html`<${Workspace} view=${current} survey=${survey} surveys=${list} go=${go} />`;
}

function Workspace({ view, survey, surveys, go }) {
  // The latest version's document labels questions and options; the unfiltered summary gives the
  // touchpoints and segments a filter can choose.
  const doc = useJson(`/api/surveys/${encodeURIComponent(survey.id)}/versions/${survey.version}`).data;
  const base = useJson(`/api/summary?${query(survey.id, {})}`).data;
  // A link from an alert names one response: it opens over whichever view is shown.
  const detail = view.response ? html`<${Detail} id=${view.response} go=${go} onClose=${() => go({ response: '' })} />` : null;
  if (view.view === 'cases') {
    return html`<${SurveyPicker} view=${view} surveys=${surveys} go=${go} /><${Cases} view=${view} go=${go} />${detail}`;
  }
  if (view.view === 'alerts') return html`<${Alerts} surveys=${surveys} go=${go} />${detail}`;
  if (view.view === 'themes') return html`<${ThemeList} />${detail}`;
  return html`
    <${Filters} view=${view} surveys=${surveys} base=${base} go=${go} />
    ${view.view === 'responses'
      ? html`<${Responses} view=${view} base=${base} go=${go} />`
      : html`<${Overview} view=${view} doc=${doc} go=${go} />`}
    ${detail}`;
}

function Filters({ view, surveys, base, go }) {
  const f = view.filters;
  const set = (key, value) => {
    const filters = { ...f };
    if (value) filters[key] = value;
    else delete filters[key];
    go({ filters });
  };
  // "(other)" holds the keys past the breakdown's limit: no filter can choose it.
  const keys = (section) => Object.keys(base?.[section] || {}).filter((k) => k !== '(other)').sort();
  const categories = METRICS.filter((m) => base?.[m.key]).flatMap((m) => m.categories.map((c) => ({ c, m })));
  const select = (name, key, options, all = 'All') => html`
    <label>${name}
      <select value=${f[key] || ''} onChange=${(e) => set(key, e.currentTarget.value)}>
        <option value="">${all}</option>
        ${options.map((o) => html`<option value=${o.value ?? o}>${o.text ?? o}</option>`)}
        ${f[key] && !options.some((o) => (o.value ?? o) === f[key]) ? html`<option value=${f[key]}>${f[key]}</option>` : null}
      </select>
    </label>`;
  const others = Object.entries(f).filter(([k]) => !CONTROLLED.has(k));
  return html`
    <form class="filters card" aria-label="Filters" onSubmit=${(e) => e.preventDefault()}>
      <label>Survey
        <select value=${view.survey} onChange=${(e) => go({ survey: e.currentTarget.value, filters: {}, q: '' })}>
          ${surveys.map((s) => html`<option value=${s.id}>${s.id}</option>`)}
        </select>
      </label>
      <label>From <input type="date" value=${f.from || ''} onChange=${(e) => set('from', e.currentTarget.value)} /></label>
      <label>To <input type="date" value=${f.to || ''} onChange=${(e) => set('to', e.currentTarget.value)} /></label>
      ${select('Touchpoint', 'trigger', keys('byTrigger'))}
      ${select('Segment', 'segment', keys('bySegment'))}
      ${select('Score', 'category', categories.map(({ c, m }) => ({ value: c, text: `${m.name}: ${label(c)}` })), 'Any')}
      ${select('Status', 'status', ['complete', 'partial', 'dismissed'])}
      ${select('Theme', 'theme', (base?.themes || []).map((t) => ({ value: t.id, text: t.label })), 'Any')}
      ${others.map(([k, v]) => html`<button type="button" class="chip" onClick=${() => set(k, '')} aria-label=${`Remove filter ${k} = ${v}`}>${k} = ${v} ×</button>`)}
      ${Object.keys(f).length ? html`<button type="button" class="link" onClick=${() => go({ filters: {} })}>Clear filters</button>` : null}
    </form>`;
}

function Overview({ view, doc, go }) {
  const { data: s, error } = useJson(`/api/summary?${query(view.survey, view.filters)}`);
  useEffect(() => {
    if (s) document.body.dataset.ready = 'overview';
    return () => delete document.body.dataset.ready;
  }, [s]);
  if (error) return html`<p role="alert" class="bad">${error}</p>`;
  if (!s) return html`<p class="muted" aria-live="polite">Loading…</p>`;
  const metrics = METRICS.filter((m) => s[m.key]);
  const r = s.responses;
  const apart = s.reportedApart || [];
  return html`
    <p id="count">${r.total} responses (${r.complete} complete, ${r.partial} partial, ${r.dismissed} dismissed)
      <span class="muted"> · versions ${(s.versions || []).join(', ')}${apart.length ? ` · reported apart: ${apart.map((g) => `versions ${g.versions.join(', ')} (${g.responses.total})`).join('; ')}` : ''}${s.unreadable ? ` · ${s.unreadable} stored responses match no version` : ''}</span></p>
    <div class="cards">
      ${metrics.map((m) => html`<${Metric} metric=${m} score=${s[m.key]} />`)}
    </div>
    ${metrics.length ? html`<section class="card"><h2>Trend</h2><${Trend} byDay=${s.byDay} metric=${metrics[0]} /></section>` : null}
    <${Breakdown} title="Touchpoints" param="trigger" groups=${s.byTrigger} metrics=${metrics} view=${view} go=${go} />
    <${Breakdown} title="Segments" param="segment" groups=${s.bySegment} metrics=${metrics} view=${view} go=${go} />
    <${Themes} themes=${s.themes} metrics=${metrics} view=${view} go=${go} />
    <section class="card"><h2>Answers</h2><${Distributions} questions=${s.questions} doc=${doc} /></section>`;
}

function Metric({ metric, score }) {
  const m = metric;
  return html`
    <section class="card metric" id=${m.key} aria-label=${m.name}>
      <h2>${m.name}</h2>
      <div class="value">${score.score == null ? '–' : `${fmt(score.score, m.digits, m.sign)}${m.unit}`}</div>
      <div class="ci">${score.ci_low != null ? `95% CI ${fmt(score.ci_low, m.digits, m.sign)} to ${fmt(score.ci_high, m.digits, m.sign)} · ` : ''}n=${score.n}</div>
      ${m.key === 'csat' ? html`<${AcsiReference} />` : null}
    </section>`;
}

// The American Customer Satisfaction Index's industry scores, as the source the product grew from
// quotes them. They are a 0-100 index from ACSI's own method, not a share of satisfied answers, so
// they are shown beside CSAT as labelled reference values, never compared with it.
const ACSI = [
  ['Apparel', 79], ['Automobile', 82], ['Banks', 82], ['Cellular telephones', 79], ['Computer software', 79],
  ['Financial advisors', 80], ['Restaurants', 81], ['Hotels', 76], ['Internet retail', 80], ['Life insurance', 80],
  ['Specialty retail stores', 78],
];

function AcsiReference() {
  return html`
    <details class="reference">
      <summary>Industry reference (ACSI)</summary>
      <p class="muted">ACSI scores are a 0–100 index, not a CSAT percentage: a reference, not a target this figure can be compared with.</p>
      <table><tbody>${ACSI.map(([name, value]) => html`<tr><th scope="row">${name}</th><td>${value}</td></tr>`)}</tbody></table>
    </details>`;
}

/** The headline metric by day with its interval as a band (uPlot), and the same as a table. */
function Trend({ byDay, metric }) {
  const box = useRef(null);
  const days = Object.keys(byDay).filter((d) => /^\d{4}-\d\d-\d\d$/.test(d)).sort();
  const at = (d, k) => byDay[d][metric.key]?.[k] ?? null;
  useEffect(() => {
    if (!box.current || !days.length) return undefined;
    const data = [days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000), days.map((d) => at(d, 'score')), days.map((d) => at(d, 'ci_low')), days.map((d) => at(d, 'ci_high'))];
    const plot = new uPlot({
      width: Math.max(280, box.current.clientWidth),
      height: 220,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      // One day alone gets a day either side, not an axis of years.
      scales: { x: { time: true, range: (u, min, max) => (min === max ? [min - 86400, max + 86400] : [min, max]) } },
      series: [{}, { label: metric.name, stroke: '#0f766e', width: 2 }, { label: 'CI low', stroke: 'rgba(15,118,110,0.25)' }, { label: 'CI high', stroke: 'rgba(15,118,110,0.25)' }],
      bands: [{ series: [3, 2], fill: 'rgba(15,118,110,0.12)' }],
    }, data, box.current);
    const resize = () => plot.setSize({ width: Math.max(280, box.current?.clientWidth || 280), height: 220 });
    addEventListener('resize', resize);
    return () => {
      removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [byDay, metric.key]);
  if (!days.length) return html`<p class="muted">No responses in this range.</p>`;
  return html`
    <div ref=${box} class="chart" role="img" aria-label=${`${metric.name} by day, ${days[0]} to ${days[days.length - 1]}, with its 95% interval`}></div>
    <details><summary>The trend as a table</summary>
      <table><thead><tr><th scope="col">Day</th><th scope="col">Responses</th><th scope="col">${metric.name}</th><th scope="col">95% CI</th></tr></thead>
        <tbody>${days.map((d) => html`<tr><td>${d}</td><td>${byDay[d].responses.total}</td><td>${fmt(at(d, 'score'), metric.digits, metric.sign)}</td><td>${at(d, 'ci_low') == null ? '–' : `${fmt(at(d, 'ci_low'), metric.digits)} to ${fmt(at(d, 'ci_high'), metric.digits)}`}</td></tr>`)}</tbody>
      </table>
    </details>`;
}

/** Touchpoints or segments side by side: each score with its interval, and its difference from
 * every other response with a mark where the collector's comparison says it is significant. */
function Breakdown({ title, param, groups, metrics, view, go }) {
  const rows = Object.entries(groups || {}).sort((a, b) => b[1].responses.total - a[1].responses.total);
  if (!rows.length) return null;
  return html`
    <section class="card"><h2>${title}</h2>
      <div class="scroll"><table>
        <thead><tr><th scope="col">${title.slice(0, -1)}</th><th scope="col">n</th>
          ${metrics.map((m) => html`<th scope="col">${m.name} (95% CI)</th><th scope="col">${m.name} against the rest</th>`)}</tr></thead>
        <tbody>${rows.map(([key, g]) => html`
          <tr>
            <th scope="row">${key === '(other)' ? key : html`<a href=${hrefFor({ ...view, filters: { ...view.filters, [param]: key } })} onClick=${(e) => { e.preventDefault(); go({ filters: { ...view.filters, [param]: key } }); }}>${key}</a>`}</th>
            <td>${g.responses.total}</td>
            ${metrics.map((m) => html`<td>${fmt(g[m.key]?.score, m.digits, m.sign)}${g[m.key]?.ci_low != null ? html` <span class="muted">[${fmt(g[m.key].ci_low, m.digits)}, ${fmt(g[m.key].ci_high, m.digits)}]</span>` : null}</td>
              <td>${versus(g.vsRest?.[m.key], m)}</td>`)}
          </tr>`)}</tbody>
      </table></div>
    </section>`;
}

/** What the commented responses are about (the core's tagger), and how those that mention a
 * theme score against the other commented responses. */
function Themes({ themes, metrics, view, go }) {
  const rows = (themes || []).filter((t) => t.comments > 0).sort((a, b) => b.comments - a.comments);
  if (!themes?.length) return null;
  const to = (id) => ({ ...view, view: 'responses', filters: { ...view.filters, theme: id } });
  return html`
    <section class="card"><h2>Themes</h2>
      <p class="muted">The site's theme list: <a href=${hrefFor({ ...view, view: 'themes', response: '', case: '' })} onClick=${(e) => { e.preventDefault(); go({ view: 'themes' }); }}>see or change it</a>.</p>
      ${rows.length ? html`<div class="scroll"><table>
        <thead><tr><th scope="col">Theme</th><th scope="col">Comments (share)</th>
          ${metrics.map((m) => html`<th scope="col">${m.name} of those</th><th scope="col">against the other comments</th>`)}</tr></thead>
        <tbody>${rows.map((t) => html`
          <tr>
            <th scope="row"><a href=${hrefFor(to(t.id))} onClick=${(e) => { e.preventDefault(); go(to(t.id)); }}>${t.label}</a></th>
            <td>${t.comments} (${t.share.toFixed(1)}%)</td>
            ${metrics.map((m) => html`<td>${fmt(t[m.key]?.score, m.digits, m.sign)}</td><td>${versus(t.vsRest?.[m.key], m)}</td>`)}
          </tr>`)}</tbody>
      </table></div>` : html`<p class="muted">No comment in this view mentions a theme.</p>`}
    </section>`;
}

/** A theme as the form edits it: its English label and its words as one line; the rest kept. */
const editable = (t) => ({
  ...t,
  en: typeof t.label === 'string' ? t.label : t.label?.en ?? '',
  line: (t.words || []).join(', '),
});
/** The form's themes as a sondar.themes/1 document (the collector checks it). */
function themesDocument(rows) {
  return {
    schema: 'sondar.themes/1',
    themes: rows.map(({ en, line, ...t }) => ({
      id: t.id,
      // The other languages' labels stay as published; English is edited here.
      label: typeof t.label === 'object' && t.label ? { ...t.label, en } : { en },
      words: line.split(',').map((w) => w.trim()).filter(Boolean),
    })),
  };
}

/**
 * The site's comment themes (the core's default list until one is published): what each theme
 * listens for, edited and published like a survey (If-Match on the version edited), its
 * history with a restore, and the re-tagging of stored comments that follows a publish.
 */
function ThemeList() {
  const [reload, setReload] = useState(0);
  const { data, error } = useJson(`/api/themes#${reload}`);
  const versions = useJson(`/api/themes/versions#${reload}`).data;
  const [rows, setRows] = useState(/** @type {any[]|null} */ (null));
  const [problem, setProblem] = useState('');
  const [saved, setSaved] = useState('');
  const refresh = () => {
    recent.clear();
    setReload((n) => n + 1);
  };
  // The form takes the list when its version changes, not at each progress poll, so what the
  // admin is typing stays.
  const shown = data?.version;
  useEffect(() => {
    if (data) setRows((data.document.themes || []).map(editable));
  }, [shown]);
  useEffect(() => {
    if (!data) return undefined;
    document.body.dataset.ready = 'themes';
    // While stored comments are tagged again, say how far it is.
    const busy = data.retag.running || data.retag.rowsLeft > 0;
    const timer = busy ? setTimeout(refresh, 1500) : 0;
    return () => {
      clearTimeout(timer);
      delete document.body.dataset.ready;
    };
  }, [data]);
  if (error) return html`<p role="alert" class="bad">${error}</p>`;
  if (!data || !rows) return html`<p class="muted">Loading…</p>`;
  const change = (i, patch) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const publish = async (e) => {
    e.preventDefault();
    setProblem('');
    setSaved('');
    const headers = { 'Content-Type': 'application/json' };
    if (data.version) headers['If-Match'] = `"${data.version}"`;
    const res = await admin('/api/themes', { method: 'PUT', headers, body: JSON.stringify(themesDocument(rows)) });
    const answer = await res.json().catch(() => null);
    if (res.status !== 201) return setProblem(messages(answer, res.status));
    setSaved(`Published as version ${answer.version}. Stored comments are being tagged with it.`);
    refresh();
  };
  const restore = async (version) => {
    const res = await admin('/api/themes/rollback', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ version }) });
    const answer = await res.json().catch(() => null);
    if (res.status !== 201) return setProblem(messages(answer, res.status));
    setSaved(`Version ${version} restored as version ${answer.version}.`);
    refresh();
  };
  const left = data.retag.rowsLeft;
  return html`
    <section class="card" aria-labelledby="themes-title">
      <h2 id="themes-title">Comment themes</h2>
      <p>${data.version ? `Version ${data.version} of this site's list.` : 'The default list for shops (nothing published yet).'}${' '}
        A comment mentions a theme when one of its words is a word of the comment; <code>deliver*</code> matches any word starting so.
        The words of every language go in one list.</p>
      <p role="status" class=${left > 0 || data.retag.running ? '' : 'muted'}>
        ${left > 0 || data.retag.running ? `Tagging stored comments with this list: ${left} responses left.` : 'Every stored comment is tagged with this list.'}</p>
      <form class="theme-form" onSubmit=${publish}>
        ${rows.map((t, i) => html`
          <fieldset key=${i} disabled=${document.body.dataset.role === 'viewer'}><legend>${t.en || t.id || 'New theme'}</legend>
            <label>Id <input value=${t.id} onInput=${(e) => change(i, { id: e.currentTarget.value })} required /></label>
            <label>Label (English) <input value=${t.en} onInput=${(e) => change(i, { en: e.currentTarget.value })} required /></label>
            <label class="wide">Words, separated by commas
              <textarea rows="3" value=${t.line} onInput=${(e) => change(i, { line: e.currentTarget.value })}></textarea></label>
            <button type="button" class="admin-only" onClick=${() => setRows(rows.filter((_, j) => j !== i))}>Remove ${t.en || t.id || 'this theme'}</button>
          </fieldset>`)}
        <p class="admin-only">
          <button type="button" onClick=${() => setRows([...rows, { id: '', label: {}, en: '', line: '' }])}>Add a theme</button>
          <button class="button">Publish</button>
        </p>
      </form>
      ${problem ? html`<p role="alert" class="bad">${problem}</p>` : null}
      ${saved ? html`<p role="status">${saved}</p>` : null}
    </section>
    ${versions?.length ? html`<section class="card"><h2>History</h2><div class="scroll"><table>
      <thead><tr><th scope="col">Version</th><th scope="col">Published</th><th scope="col">How</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
      <tbody>${versions.map((v) => html`<tr>
        <th scope="row">${v.version}</th><td>${when(v.publishedAt)}</td>
        <td>${v.source}${v.fromVersion ? ` (from ${v.fromVersion})` : ''}</td>
        <td>${v.version === data.version ? html`<span class="muted">current</span>` : html`<button class="admin-only" onClick=${() => restore(v.version)}>Restore version ${v.version}</button>`}</td>
      </tr>`)}</tbody></table></div></section>` : null}`;
}

function versus(d, m) {
  if (!d) return html`<span class="muted">–</span>`;
  const diff = `${fmt(d.difference, m.digits, true)} [${fmt(d.ci_low, m.digits, true)}, ${fmt(d.ci_high, m.digits, true)}]`;
  if (!d.significant) return html`${diff} <span class="muted">not significant</span>`;
  const higher = d.difference > 0;
  // CES is an effort score read like the others here (higher agree is better).
  return html`${diff} <strong class=${higher ? 'good' : 'bad'}>${higher ? '▲ higher' : '▼ lower'}, significant</strong>`;
}

function Distributions({ questions, doc }) {
  const locale = doc?.locale || 'en';
  const byId = Object.fromEntries((doc?.questions || []).map((q) => [q.id, q]));
  // In the survey's order (the summary's keys are sorted), then any the latest version lacks.
  const order = [...(doc?.questions || []).map((q) => q.id), ...Object.keys(questions)];
  return [...new Set(order)].filter((id) => questions[id]).map((id) => questions[id]).map((q) => {
    const def = byId[q.question];
    const prompt = text(def?.prompt, locale) || q.question;
    const optionLabel = (id) => text(def?.options?.find((o) => o.id === id)?.label, locale) || id;
    const rows = q.distribution
      ? q.distribution.map((d) => ({ name: String(d.value), count: d.count }))
      : q.counts && Object.entries(q.counts).map(([id, count]) => ({ name: def?.type === 'contact' ? id : optionLabel(id), count }));
    if (!rows) return html`<h3>${prompt} <span class="muted">(${q.type}, ${q.n} answers: read them under Responses)</span></h3>`;
    const max = Math.max(1, ...rows.map((d) => d.count));
    return html`
      <h3>${prompt} <span class="muted">(${q.type}, n=${q.n})</span></h3>
      <table class="bars"><tbody>${rows.map((d) => html`
        <tr><th scope="row">${d.name}</th><td><progress max=${max} value=${d.count} aria-label=${`${d.name}: ${d.count}`}></progress></td><td>${d.count}</td></tr>`)}
      </tbody></table>`;
  });
}

/** Each term marked where it begins a word, as the collector's search matched it. */
function Highlighted({ text: t, terms }) {
  if (!terms.length) return t;
  const escaped = terms.map((term) => term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const re = new RegExp(`(^|[^\\p{L}\\p{N}])(${escaped.join('|')})`, 'giu');
  const parts = [];
  let last = 0;
  for (const m of t.matchAll(re)) {
    const start = (m.index || 0) + m[1].length;
    parts.push(t.slice(last, start), html`<mark>${m[2]}</mark>`);
    last = start + m[2].length;
  }
  parts.push(t.slice(last));
  return parts;
}

function Responses({ view, base, go }) {
  const themeLabel = Object.fromEntries((base?.themes || []).map((t) => [t.id, t.label]));
  const [exporting, setExporting] = useState('');
  // What is typed stays until searched: a render (a page arriving) must not put back the URL's q.
  const [typed, setTyped] = useState(view.q);
  useEffect(() => setTyped(view.q), [view.q]);
  const key = query(view.survey, view.filters, view.q ? { q: view.q } : {});
  const { items: pages, last, loading, error, more } = usePaged(key, (cursor) => `/api/comments?${key}&limit=25${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
  const state = { next: last?.next, terms: last?.terms || [], loading, error };
  useEffect(() => {
    if (!state.loading) document.body.dataset.ready = 'responses';
    return () => delete document.body.dataset.ready;
  }, [state.loading]);
  const exportCsv = async () => {
    setExporting('Preparing the CSV…');
    const res = await admin(`/api/export.csv?${query(view.survey, view.filters)}`);
    if (!res.ok) return setExporting(`The export failed (${res.status}).`);
    const a = document.createElement('a');
    a.href = URL.createObjectURL(await res.blob());
    a.download = `${view.survey}.csv`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
    setExporting('');
  };
  return html`
    <div class="toolbar">
      <form role="search" class="search" onSubmit=${(e) => { e.preventDefault(); go({ q: new FormData(e.currentTarget).get('q')?.toString().trim() || '' }); }}>
        <label for="q" class="visually-hidden">Search comments</label>
        <input id="q" name="q" type="search" value=${typed} onInput=${(e) => setTyped(e.currentTarget.value)} placeholder="Search comments" />
        <button class="button">Search</button>
      </form>
      <button type="button" class="button secondary admin-only" onClick=${exportCsv}>Export CSV</button>
      <span class="muted" aria-live="polite">${exporting}</span>
    </div>
    ${state.error ? html`<p role="alert" class="bad">${state.error}</p>` : null}
    <p class="muted" aria-live="polite">${state.loading && !pages.length ? 'Loading…' : `${pages.length}${state.next ? '+' : ''} comment${pages.length === 1 ? '' : 's'}${view.q ? ` matching “${view.q}”` : ''}`}</p>
    <ol class="inbox">
      ${pages.map((c) => html`
        <li key=${`${c.responseId}/${c.question}/${c.kind}`}>
          <button type="button" class="comment" onClick=${() => go({ response: c.responseId })}>
            <span class="prompt muted">${c.prompt}${c.kind === 'other' ? ' (other)' : ''}</span>
            <span class="words"><${Highlighted} text=${c.text} terms=${state.terms} /></span>
            <span class="meta">
              ${Object.entries(c.scores || {}).map(([q, sc]) => html`<span class=${`badge ${tone(sc.category)}`}>${q} ${sc.value} · ${label(sc.category)}</span>`)}
              ${(c.themes || []).map((t) => html`<span class="theme">${themeLabel[t] || t}</span>`)}
              ${c.segment ? html`<span>segment ${c.segment}</span>` : null}
              ${c.trigger ? html`<span>${c.trigger}</span>` : null}
              <span>${c.submittedAt.slice(0, 16).replace('T', ' ')} UTC</span>
              ${c.status !== 'complete' ? html`<span>${c.status}</span>` : null}
            </span>
          </button>
        </li>`)}
    </ol>
    ${state.next ? html`<button type="button" class="button secondary" disabled=${state.loading} onClick=${more}>More comments</button>` : null}`;
}

/** One response in full, in a modal dialog (focus moves in, Escape closes, focus goes back). */
function Detail({ id, go, onClose }) {
  const dialog = useRef(null);
  const { data, error } = useJson(`/api/responses/${encodeURIComponent(id)}`);
  const [opening, setOpening] = useState('');
  const follow = async () => {
    setOpening('Opening a case…');
    const res = await admin(`/api/cases/${encodeURIComponent(id)}`, {
      method: 'PUT', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ state: 'open', by: localStorage.getItem(NAME_KEY) || '' }),
    });
    if (!res.ok) return setOpening(`Could not open a case (${res.status}).`);
    go({ view: 'cases', response: '', case: '' });
  };
  useEffect(() => {
    const opener = document.activeElement;
    /** @type {HTMLDialogElement} */ (dialog.current).showModal();
    return () => /** @type {HTMLElement|null} */ (opener)?.focus?.();
  }, [id]);
  const r = data?.response;
  return html`
    <dialog ref=${dialog} class="detail" aria-labelledby="detail-title" onClose=${onClose}>
      <h2 id="detail-title">Response</h2>
      ${error ? html`<p role="alert" class="bad">${error}</p>` : null}
      ${r ? html`
        <dl class="facts">
          <dt>Submitted</dt><dd>${r.submittedAt}</dd>
          <dt>Status</dt><dd>${r.status}</dd>
          <dt>Survey</dt><dd>${r.surveyId} version ${r.surveyVersion}</dd>
          ${r.trigger ? html`<dt>Touchpoint</dt><dd>${r.trigger}</dd>` : null}
          ${r.locale ? html`<dt>Language</dt><dd>${r.locale}</dd>` : null}
          ${r.page ? html`<dt>Page</dt><dd>${r.page}</dd>` : null}
          <dt>Visitor</dt><dd>${r.visitorId}</dd>
          ${Object.entries(r.hidden || {}).map(([k, v]) => html`<dt>${k}</dt><dd>${typeof v === 'string' ? v : JSON.stringify(v)}</dd>`)}
        </dl>
        <h3>Answers</h3>
        <dl class="answers">${(data.answers || []).map((a) => html`<dt>${a.label}</dt><dd>${a.value}</dd>`)}</dl>` : html`<p class="muted">Loading…</p>`}
      <form method="dialog" class="toolbar">
        <button class="button">Close</button>
        ${r ? html`<button type="button" class="button secondary admin-only" onClick=${follow}>Follow up</button>` : null}
        <span class="muted" aria-live="polite">${opening}</span>
      </form>
    </dialog>`;
}

const TEMPLATES = [
  { value: 'slack', text: 'Slack (incoming webhook)' },
  { value: 'json', text: 'JSON to any HTTPS endpoint' },
  { value: 'email', text: 'E-mail per response (mailto:)' },
  { value: 'digest', text: 'Daily e-mail digest (mailto:)' },
];
const DETRACTORS = JSON.stringify({ category: 'nps', op: 'eq', value: 'detractor' });
const when = (ms) => (ms ? `${ms.slice(0, 16).replace('T', ' ')} UTC` : '');
const messages = (body, status) => body?.errors?.map((e) => `${e.path ? `${e.path}: ` : ''}${e.message}`).join('; ') || `the collector answered ${status}`;

/**
 * Alerts: the webhooks and e-mails the collector sends, made, watched and deleted here. The rule is
 * the core's condition JSON, checked by the collector (errors come back at their paths); each
 * webhook's deliveries show what was sent and why a send failed, and a dead one can be sent again.
 */
function Alerts({ surveys, go }) {
  const [reload, setReload] = useState(0);
  const { data, error } = useJson(`/api/webhooks#${reload}`);
  const [made, setMade] = useState(/** @type {any} */ (null));
  const [problem, setProblem] = useState('');
  const [template, setTemplate] = useState('slack');
  const form = useRef(null);
  useEffect(() => {
    if (data) document.body.dataset.ready = 'alerts';
    return () => delete document.body.dataset.ready;
  }, [data]);
  const refresh = () => {
    recent.clear();
    setReload((n) => n + 1);
  };
  const create = async (e) => {
    e.preventDefault();
    const f = new FormData(/** @type {HTMLFormElement} */ (form.current));
    /** @type {any} */
    const body = { url: String(f.get('url')).trim(), template, surveys: f.getAll('surveys').map(String) };
    if (template !== 'digest') {
      try {
        body.when = JSON.parse(String(f.get('when')));
      } catch {
        return setProblem('when: is not JSON');
      }
    }
    setProblem('');
    const res = await admin('/api/webhooks', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const answer = await res.json().catch(() => null);
    if (res.status !== 201) return setProblem(messages(answer, res.status));
    setMade(answer);
    refresh();
  };
  return html`
    <section class="card" aria-labelledby="new-alert">
      <h2 id="new-alert">New alert</h2>
      <form ref=${form} class="alert-form" onSubmit=${create}>
        <label>Send as
          <select value=${template} onChange=${(e) => setTemplate(e.currentTarget.value)}>
            ${TEMPLATES.map((t) => html`<option value=${t.value}>${t.text}</option>`)}
          </select>
        </label>
        <label class="wide">To <input name="url" required placeholder=${template === 'email' || template === 'digest' ? 'mailto:cx@your-shop.example' : 'https://hooks.slack.com/services/…'} /></label>
        <fieldset><legend>Surveys (none: every survey)</legend>
          ${surveys.map((sv) => html`<label class="check"><input type="checkbox" name="surveys" value=${sv.id} /> ${sv.id}</label>`)}
        </fieldset>
        ${template === 'digest' ? null : html`<label class="wide">When (a condition: question, category, hidden or field leaves, all / any)
          <textarea name="when" rows="3" spellcheck=${false}>${DETRACTORS}</textarea></label>`}
        <button class="button">Create</button>
      </form>
      ${problem ? html`<p role="alert" class="bad">${problem}</p>` : null}
      ${made ? html`<p role="status">Created. Its signing secret, shown only now: <code>${made.secret}</code></p>` : null}
    </section>
    ${error ? html`<p role="alert" class="bad">${error}</p>` : null}
    ${data && !data.webhooks.length ? html`<p class="muted">No alerts yet.</p>` : null}
    <ol class="inbox">${(data?.webhooks || []).map((w) => html`<li key=${w.id}><${WebhookCard} hook=${w} go=${go} changed=${refresh} /></li>`)}</ol>`;
}

function WebhookCard({ hook, go, changed }) {
  const [list, setList] = useState(/** @type {any[]|null} */ (null));
  const [note, setNote] = useState('');
  const path = `/api/webhooks/${encodeURIComponent(hook.id)}`;
  const show = async () => setList((await json(`${path}/deliveries?limit=50&t=${Date.now()}`)).deliveries);
  const remove = async () => {
    if (!confirm(`Delete the alert to ${hook.url}? Deliveries not yet sent are dropped.`)) return;
    const res = await admin(path, { method: 'DELETE' });
    if (res.status !== 204) return setNote(`Not deleted (${res.status}).`);
    changed();
  };
  const retry = async (id) => {
    const res = await admin(`${path}/deliveries/${encodeURIComponent(id)}/retry`, { method: 'POST' });
    setNote(res.status === 202 ? 'Sending again.' : `Not sent again (${res.status}).`);
    await show();
  };
  const health = hook.disabled ? html`<span class="bad">disabled ${when(hook.disabledAt)}</span>`
    : hook.failingSince ? html`<span class="bad">failing since ${when(hook.failingSince)}</span>`
      : hook.lastSuccessAt ? html`<span class="good">last delivered ${when(hook.lastSuccessAt)}</span>` : html`<span class="muted">nothing sent yet</span>`;
  return html`
    <article class="case" aria-label=${`Alert to ${hook.url}`}>
      <h3 class="meta"><strong>${TEMPLATES.find((t) => t.value === hook.template)?.text || hook.template}</strong> <span class="url">${hook.url}</span> ${health}</h3>
      <p class="meta"><span>${hook.surveys?.length ? hook.surveys.join(', ') : 'every survey'}</span>
        ${hook.when ? html`<code>${JSON.stringify(hook.when)}</code>` : null}
        <span class="muted">${hook.failures} failed attempt${hook.failures === 1 ? '' : 's'}</span></p>
      <p class="toolbar">
        <button type="button" class="button secondary" onClick=${show}>Deliveries</button>
        <button type="button" class="link" onClick=${remove}>Delete</button>
        <span class="muted" aria-live="polite">${note}</span>
      </p>
      ${list ? html`<div class="scroll"><table>
        <thead><tr><th>Created</th><th>Response</th><th>State</th><th>Attempts</th><th>Last answer</th><th><span class="visually-hidden">Action</span></th></tr></thead>
        <tbody>${list.length ? list.map((d) => html`<tr>
          <td>${when(d.createdAt)}</td>
          <td>${d.responseId.startsWith('digest:') ? d.responseId.slice(7) : html`<button type="button" class="link" onClick=${() => go({ response: d.responseId })}>${d.responseId.slice(0, 8)}</button>`}</td>
          <td>${d.state}${d.nextAttemptAt ? html`<br /><span class="muted">next ${when(d.nextAttemptAt)}</span>` : null}</td>
          <td>${d.attempts}</td>
          <td>${d.lastStatus ?? ''} ${d.lastError || ''}</td>
          <td>${d.state === 'delivered' ? null : html`<button type="button" class="link" onClick=${() => retry(d.id)}>Send again</button>`}</td>
        </tr>`) : html`<tr><td colspan="6" class="muted">No deliveries yet.</td></tr>`}</tbody></table></div>` : null}
    </article>`;
}

function SurveyPicker({ view, surveys, go }) {
  return html`
    <form class="filters card" aria-label="Survey" onSubmit=${(e) => e.preventDefault()}>
      <label>Survey
        <select value=${view.survey} onChange=${(e) => go({ survey: e.currentTarget.value, case: '' })}>
          ${surveys.map((s) => html`<option value=${s.id}>${s.id}</option>`)}
        </select>
      </label>
    </form>`;
}

/**
 * The follow-up inbox: cases an alert opened, or someone did, by state. Each is assigned, moved
 * open -> contacted -> resolved and noted here; the collector keeps the history.
 */
function Cases({ view, go }) {
  const [name, setName] = useState(() => localStorage.getItem(NAME_KEY) || '');
  const [reload, setReload] = useState(0);
  const key = new URLSearchParams({ survey: view.survey, ...(view.case ? { state: view.case } : {}) }).toString();
  // A save reloads the list from its first page (the case may have left this state's tab).
  const { items: pages, first, last, loading, error, more } = usePaged(`${key}#${reload}`, (cursor) => `/api/cases?${key}&limit=25${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
  // Only the first page carries the recovered figure.
  const state = { next: last?.next, counts: last?.counts, recovered: first?.recovered, loading, error };
  useEffect(() => {
    if (!state.loading) document.body.dataset.ready = 'cases';
    return () => delete document.body.dataset.ready;
  }, [state.loading]);
  const rec = state.recovered;
  const tab = (value, title) => html`
    <button type="button" class=${`chip${view.case === value ? ' on' : ''}`} aria-pressed=${view.case === value} onClick=${() => go({ case: value })}>
      ${title}${value && state.counts ? ` ${state.counts[value]}` : ''}
    </button>`;
  return html`
    <section class="card" aria-labelledby="cases-title">
      <h2 id="cases-title">Follow-up</h2>
      <div class="toolbar">
        ${tab('', 'All')}${CASE_STATES.map((s) => tab(s, s[0].toUpperCase() + s.slice(1)))}
        <label class="muted">You are <input value=${name} maxlength="100" onInput=${(e) => { setName(e.currentTarget.value); localStorage.setItem(NAME_KEY, e.currentTarget.value); }} placeholder="your name" /></label>
      </div>
      <p class="muted">${rec && rec.answeredAgain
        ? `Recovered: ${rec.recovered} of the ${rec.answeredAgain} unhappy answers followed by another answer from the same customer scored higher (${Math.round(rec.share * 100)}%).`
        : 'Recovered: no unhappy customer has answered again yet.'}</p>
    </section>
    ${state.error ? html`<p role="alert" class="bad">${state.error}</p>` : null}
    ${state.loading && !pages.length ? html`<p class="muted">Loading…</p>` : null}
    ${!state.loading && !pages.length && !state.error ? html`<p class="muted">No ${view.case || ''} cases. An alert's rule opens one for each response it matches; “Follow up” on any response opens one too.</p>` : null}
    <ol class="inbox">
      ${pages.map((c) => html`<li key=${c.responseId}><${CaseCard} item=${c} name=${name} go=${go} changed=${() => setReload((n) => n + 1)} /></li>`)}
    </ol>
    ${state.next ? html`<button type="button" class="button secondary" disabled=${state.loading} onClick=${more}>More cases</button>` : null}`;
}

/** One case: what the customer said and how to reach them, and the form that moves the case on. */
function CaseCard({ item, name, go, changed }) {
  const [history, setHistory] = useState(/** @type {any[]|null} */ (null));
  const [saving, setSaving] = useState('');
  const form = useRef(null);
  const id = encodeURIComponent(item.responseId);
  const showHistory = async () => setHistory((await json(`/api/cases/${id}`)).history);
  const save = async (e) => {
    e.preventDefault();
    const data = new FormData(/** @type {HTMLFormElement} */ (form.current));
    /** @type {Record<string, string>} */
    const change = { by: name };
    const next = String(data.get('state'));
    if (next !== item.state) change.state = next;
    const assignee = String(data.get('assignee')).trim();
    if (assignee !== item.assignee) change.assignee = assignee;
    const note = String(data.get('note')).trim();
    if (note) change.note = note;
    if (Object.keys(change).length === 1) return setSaving('Nothing changed.');
    setSaving('Saving…');
    const res = await admin(`/api/cases/${id}`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(change) });
    const body = await res.json().catch(() => null);
    if (!res.ok) return setSaving(body?.errors?.map((x) => `${x.path ? `${x.path}: ` : ''}${x.message}`).join('; ') || `Not saved (${res.status}).`);
    setSaving('Saved.');
    changed();
  };
  const fields = `case-${item.responseId}`;
  return html`
    <article class="case" aria-labelledby=${`${fields}-title`}>
      <h3 id=${`${fields}-title`} class="meta">
        ${Object.entries(item.scores || {}).map(([q, sc]) => html`<span class=${`badge ${tone(sc.category)}`}>${q} ${sc.value} · ${label(sc.category)}</span>`)}
        <span class=${`state ${item.state}`}>${item.state}</span>
        <span>${item.assignee ? `with ${item.assignee}` : 'unassigned'}</span>
        <span class="muted">opened ${(item.openedAt || '').slice(0, 16).replace('T', ' ')} UTC${item.source === 'alert' ? ' by an alert' : ''}</span>
      </h3>
      ${(item.comments || []).map((c) => html`<p class="words"><span class="prompt muted">${c.prompt}</span><br />${c.text}</p>`)}
      <p class="meta">
        ${item.contact ? html`<a href=${`mailto:${item.contact}`}>${item.contact}</a>` : html`<span class="muted">no contact address given</span>`}
        ${item.hidden?.segment ? html`<span>segment ${item.hidden.segment}</span>` : null}
        ${item.trigger ? html`<span>${item.trigger}</span>` : null}
        <button type="button" class="link" onClick=${() => go({ response: item.responseId })}>The whole response</button>
        ${item.notes ? html`<button type="button" class="link" onClick=${showHistory}>${item.notes} note${item.notes === 1 ? '' : 's'}</button>` : null}
      </p>
      ${history ? html`<ol class="history">${history.map((h) => html`<li>
        <span class="muted">${h.at.slice(0, 16).replace('T', ' ')} ${h.by || 'someone'}:</span>
        ${h.state ? ` moved to ${h.state}.` : ''}${h.assignee != null ? (h.assignee ? ` gave it to ${h.assignee}.` : ' unassigned it.') : ''}
        ${h.note ? html` <q>${h.note}</q>` : null}</li>`)}</ol>` : null}
      <form ref=${form} class="case-form admin-only" onSubmit=${save}>
        <label>State <select name="state" value=${item.state}>${CASE_STATES.map((s) => html`<option value=${s}>${s}</option>`)}</select></label>
        <label>Assignee <input name="assignee" value=${item.assignee} maxlength="100" /></label>
        <label class="note">Note <textarea name="note" rows="2" maxlength="4000" placeholder="What was done, what was promised"></textarea></label>
        <button class="button">Save</button>
        <span class="muted" aria-live="polite">${saving}</span>
      </form>
    </article>`;
}

render(html`<${App} />`, /** @type {HTMLElement} */ (document.querySelector('#app')));
