// The dashboard shows the collector's /api/summary: figures computed on the server by the core over
// every stored version of the survey (the page never downloads the responses). The summary needs
// the collector's admin token (admin.js).
import { admin } from '/admin.js';

const $ = (selector) => document.querySelector(selector);
const el = (tag, text) => Object.assign(document.createElement(tag), text == null ? {} : { textContent: String(text) });
const fmt = (v, digits = 1, sign = false) => (v == null ? '–' : `${sign && v > 0 ? '+' : ''}${v.toFixed(digits)}`);

const surveys = await (await admin('/api/surveys')).json();
const select = $('#survey');
for (const s of surveys) select.append(Object.assign(el('option', s.id), { value: s.id }));
const chosen = new URLSearchParams(location.search).get('survey');
if (chosen) select.value = chosen;
select.addEventListener('change', () => show(select.value));
await show(select.value);

async function show(id) {
  const summary = await (await admin(`/api/summary?survey=${encodeURIComponent(id)}`)).json();
  render(summary);
  // Which versions these figures cover, and the ones whose questions changed shape (their figures
  // are not mixed in).
  const apart = summary.reportedApart || [];
  const check = $('#check');
  check.className = 'muted';
  const covered = summary.versions || [];
  check.textContent = `Computed by the collector over version${covered.length > 1 ? 's' : ''} ${covered.join(', ')} of this survey.` +
    (apart.length
      ? ` Reported apart (other questions or scales): ${apart.map((g) => `versions ${g.versions.join(', ')}, ${g.responses.total} responses`).join('; ')}.`
      : '') +
    (summary.unreadable ? ` ${summary.unreadable} stored responses match no version.` : '');
  document.body.dataset.ready = 'shown';
}

function render(s) {
  const r = s.responses;
  $('#count').textContent = `${r.total} responses (${r.complete} complete, ${r.partial} partial, ${r.dismissed} dismissed)`;
  const metric = (id, m, digits, unit, sign) => {
    const box = $(`#${id}`);
    box.querySelector('.value').textContent = m && m.score != null ? `${fmt(m.score, digits, sign)}${unit}` : '–';
    box.querySelector('.ci').textContent = m && m.ci_low != null ? `95% CI ${fmt(m.ci_low, digits, sign)} to ${fmt(m.ci_high, digits, sign)} · n=${m.n}` : m ? `n=${m.n}` : 'no such question';
  };
  metric('nps', s.nps, 1, '', true);
  metric('csat', s.csat, 1, '%', false);
  metric('ces', s.ces, 2, '', false);

  const dist = $('#distribution');
  dist.replaceChildren();
  for (const q of Object.values(s.questions)) {
    // Scales have a distribution; choices and contact questions counts per option (or yes/no).
    const rows = q.distribution || (q.counts && Object.entries(q.counts).map(([value, count]) => ({ value, count })));
    if (!rows) continue;
    const table = el('table');
    const max = Math.max(1, ...rows.map((d) => d.count));
    for (const d of rows) {
      const row = el('tr');
      const bar = Object.assign(el('progress'), { max, value: d.count });
      bar.setAttribute('aria-label', `${d.value}: ${d.count}`);
      const cell = el('td');
      cell.append(bar);
      row.append(el('td', d.value), cell, el('td', d.count));
      table.append(row);
    }
    dist.append(el('h3', `${q.question} (${q.type}, n=${q.n})`), table);
  }

  const body = $('#trend tbody');
  body.replaceChildren();
  for (const [day, g] of Object.entries(s.byDay)) {
    const row = el('tr');
    row.append(el('td', day), el('td', g.responses.total), el('td', fmt(g.nps?.score, 1, true)), el('td', g.csat ? `${fmt(g.csat.score)}%` : '–'), el('td', fmt(g.ces?.score, 2)));
    body.append(row);
  }
}
