// The workspace in Chromium against the real collector (the demo's surveys, a fresh SQLite file,
// responses posted with known scores): the overview's figures are the collector's, the segment
// that differs is marked significant and the one that does not is not; filters live in the URL
// and survive a reload; the inbox searches with matches marked, pages, and opens a response in a
// dialog that Escape closes; hostile comments, triggers and segments show as text, never as
// markup; the CSV download is neutralised against formulas; axe finds nothing on either view.
// Screenshots: build/e2e-screenshots/workspace-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { launch, screenshots } from './browser.mjs';
import { spawnSync } from 'node:child_process';
import { binary, startCollector, demoMounts, demoSurveys, post, until } from '../collector/collector.mjs';

const root = new URL('../../', import.meta.url);
const axeSource = readFileSync(new URL('web/node_modules/axe-core/axe.min.js', root), 'utf8');
const { parse } = createRequire(new URL('web/package.json', root))('csv-parse/sync');
const dir = mkdtempSync(join(tmpdir(), 'sondar-workspace-e2e-'));
const version = JSON.parse(readFileSync(join(demoSurveys, 'order-nps.json'), 'utf8')).version;

const xss = '<img src=x onerror="window.__xss = 1">Late <b>again</b>';
const formula = '=HYPERLINK("http://evil.example","win") parcel lost';
const hostileTrigger = '<script>window.__xss = 2</script>';

let collector;
let browser;
before(async () => {
  mkdirSync(screenshots, { recursive: true });
  collector = await startCollector(join(dir, 'workspace.db'), demoMounts, { surveys: demoSurveys });
  browser = await launch();
  const now = Date.now();
  let n = 0;
  const send = async (nps, segment, improve, trigger = 'order_confirmed') => {
    const at = now - 3600_000 + n++ * 1000;
    const body = {
      schema: 'sondar.response/1', responseId: randomUUID(), surveyId: 'order-nps', surveyVersion: version,
      visitorId: `v-${n}`, status: 'complete', locale: 'en', trigger,
      hidden: { order_id: `A-${n}`, segment },
      answers: { nps, ...(improve ? { improve } : {}) },
      page: 'https://shop.example/order/1', startedAt: new Date(at - 20000).toISOString(), submittedAt: new Date(at).toISOString(),
    };
    const answer = await post(collector.url, body, collector.auth);
    assert.equal(answer.status, 201, JSON.stringify(answer.json));
  };
  // vip: 15 promoters; regular: 15 detractors with words; a segment of 2 too small to tell.
  for (let i = 0; i < 15; i++) await send(10, 'vip');
  for (let i = 0; i < 15; i++) await send(2, 'regular', `Delivery was late, order ${i}`);
  await send(9, '<i>tiny</i>');
  await send(3, '<i>tiny</i>', formula, hostileTrigger);
  await send(1, 'regular', xss);
});
after(async () => {
  await browser?.close();
  await collector?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function open(context, path, token = collector.token) {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${collector.url}${path}#token=${token}`);
  await page.waitForFunction(() => document.body.dataset.ready, null, { timeout: 20000 });
  return { page, problems };
}

async function axe(page) {
  await page.evaluate(axeSource);
  return page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`));
}

test('overview: the collector\'s figures, the segment comparison marked where significant, filters in the URL', async () => {
  const context = await browser.newContext({ reducedMotion: 'reduce' });
  const { page, problems } = await open(context, '/workspace/?survey=order-nps');
  const summary = await (await fetch(`${collector.url}/api/summary?survey=order-nps`, { headers: collector.auth })).json();
  assert.match(await page.textContent('#count'), new RegExp(`^${summary.responses.total} responses`));
  const nps = summary.nps.score;
  assert.equal(await page.textContent('#nps .value'), `${nps > 0 ? '+' : ''}${nps.toFixed(1)}`);
  const segments = page.locator('section', { has: page.getByRole('heading', { name: 'Segments' }) });
  const vip = segments.getByRole('row', { name: /^vip/ });
  assert.match(await vip.textContent(), /▲ higher, significant/);
  assert.equal(summary.bySegment.vip.vsRest.nps.significant, true);
  const tiny = segments.getByRole('row', { name: /tiny/ });
  assert.match(await tiny.textContent(), /not significant/);
  // The hostile segment and trigger are text: the <i> and <script> are characters on screen.
  assert.equal(await tiny.locator('a').textContent(), '<i>tiny</i>');
  assert.equal(await page.locator('main i, main script').count(), 0);
  assert.match(await page.textContent('main'), /<script>window.__xss = 2<\/script>/);
  // Every comment mentions delivery (late, parcel): 17 of 17 commented responses.
  const themes = page.locator('section', { has: page.getByRole('heading', { name: 'Themes' }) });
  assert.match(await themes.getByRole('row', { name: /^Delivery/ }).textContent(), /17 \(100\.0%\)/);
  await page.screenshot({ path: `${screenshots}workspace-overview.png`, fullPage: true });
  assert.deepEqual(await axe(page), []);
  // A theme opens its comments.
  await themes.getByRole('link', { name: 'Delivery' }).click();
  await page.waitForFunction(() => document.body.dataset.ready === 'responses');
  assert.equal(new URL(page.url()).searchParams.get('theme'), 'delivery');
  assert.equal(await page.locator('.inbox li').count(), 17);
  await page.goBack();
  await page.waitForFunction(() => document.body.dataset.ready === 'overview');

  // A filter goes into the URL, and the figures are the filtered summary's.
  await page.getByLabel('Segment').selectOption('regular');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('segment') === 'regular');
  await page.waitForFunction(() => document.body.dataset.ready === 'overview');
  const regular = await (await fetch(`${collector.url}/api/summary?survey=order-nps&segment=regular`, { headers: collector.auth })).json();
  await page.waitForFunction((n) => document.querySelector('#count')?.textContent.startsWith(`${n} responses`), regular.responses.total);
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.ready === 'overview');
  assert.equal(await page.getByLabel('Segment').inputValue(), 'regular');
  assert.match(await page.textContent('#count'), new RegExp(`^${regular.responses.total} responses`));
  assert.deepEqual(problems, []);
  await context.close();
});

test('responses: search with matches marked, filters, paging, the whole response in a dialog, hostile text as text', async () => {
  const context = await browser.newContext({ reducedMotion: 'reduce' });
  const { page, problems } = await open(context, '/workspace/?view=responses&survey=order-nps');
  // 15 + 1 + 1 comments, 25 a page: all on one.
  assert.equal(await page.locator('.inbox li').count(), 17);
  const hostile = page.locator('.inbox li', { hasText: 'onerror' });
  assert.equal(await hostile.locator('.words').textContent(), xss);
  assert.equal(await page.locator('.inbox img, .inbox b').count(), 0);
  assert.equal(await page.evaluate(() => window.__xss), undefined);

  await page.getByRole('searchbox', { name: 'Search comments' }).fill('LATE');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.waitForFunction(() => new URL(location.href).searchParams.get('q') === 'LATE');
  await page.waitForFunction(() => document.querySelectorAll('.inbox li').length === 16);
  const marks = await page.locator('.inbox mark').allTextContents();
  assert.ok(marks.length >= 16 && marks.every((m) => m.toLowerCase() === 'late'), marks.join());
  await page.screenshot({ path: `${screenshots}workspace-responses.png`, fullPage: true });

  await page.getByLabel('Segment').selectOption('<i>tiny</i>');
  await page.waitForFunction(() => document.querySelectorAll('.inbox li').length === 0);
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.getByRole('searchbox', { name: 'Search comments' }).fill('parcel');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.waitForFunction(() => document.querySelectorAll('.inbox li').length === 1);
  assert.equal(await page.locator('.inbox .words').textContent(), formula);

  // The whole response, in a modal dialog; Escape closes it and focus goes back.
  const opener = page.locator('.inbox .comment').first();
  await opener.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Response' });
  await dialog.locator('.answers dt').first().waitFor();
  assert.match(await dialog.textContent(), /order_idA-\d+/);
  assert.match(await dialog.textContent(), new RegExp(hostileTrigger.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: `${screenshots}workspace-detail.png` });
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('comment')), true);
  assert.deepEqual(await axe(page), []);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a viewer\'s token: the words and scores, no order numbers, nothing to export, alert or change', async () => {
  const made = spawnSync(binary, ['--db', join(dir, 'workspace.db'), 'token', 'create', 'analyst', '--role', 'viewer'], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  const viewer = made.stdout.trim();
  await until('the viewer token', async () => (await fetch(`${collector.url}/api/me`, { headers: { Authorization: `Bearer ${viewer}` } })).ok);
  const context = await browser.newContext({ reducedMotion: 'reduce' });
  const { page, problems } = await open(context, '/workspace/?view=responses&survey=order-nps', viewer);
  assert.equal(await page.locator('.inbox li').count(), 17);
  assert.equal(await page.textContent('#who'), 'analyst (viewer)');
  assert.equal(await page.getByRole('button', { name: 'Export CSV' }).isVisible(), false);
  assert.equal(await page.getByRole('link', { name: 'Alerts' }).isVisible(), false);
  await page.locator('.inbox .comment').first().click();
  const dialog = page.getByRole('dialog', { name: 'Response' });
  await dialog.locator('.answers dt').first().waitFor();
  // order_id is marked "pii" in the demo's surveys; the segment is not.
  assert.doesNotMatch(await dialog.textContent(), /order_id|A-\d+/);
  assert.match(await dialog.textContent(), /segment/);
  assert.equal(await dialog.getByRole('button', { name: 'Follow up' }).isVisible(), false);
  await page.screenshot({ path: `${screenshots}workspace-viewer.png` });
  assert.deepEqual(problems, []);
  await context.close();
});

test('responses: paging by the collector\'s cursor, and the CSV download neutralised', async () => {
  const context = await browser.newContext({ reducedMotion: 'reduce', acceptDownloads: true });
  const { page } = await open(context, '/workspace/?view=responses&survey=order-nps&q=late&segment=regular');
  assert.equal(await page.locator('.inbox li').count(), 16);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  assert.equal(download.suggestedFilename(), 'order-nps.csv');
  const rows = parse(readFileSync(await download.path()), { bom: true });
  // The export takes the view's filters (segment=regular), not its search.
  assert.equal(rows.length, 1 + 16);
  const improve = rows[0].findIndex((h) => h.endsWith('[improve]'));
  assert.ok(improve > 0);
  assert.ok(rows.slice(1).some((r) => r[improve] === xss));
  const all = parse(await (await fetch(`${collector.url}/api/export.csv?survey=order-nps`, { headers: collector.auth })).text(), { bom: true });
  const cell = all.slice(1).find((r) => r[improve].includes('parcel'))[improve];
  assert.equal(cell, `'${formula}`);
  await context.close();
  // A page of 10: the second page starts where the first ended, nothing twice.
  const first = await (await fetch(`${collector.url}/api/comments?survey=order-nps&limit=10`, { headers: collector.auth })).json();
  const second = await (await fetch(`${collector.url}/api/comments?survey=order-nps&limit=10&cursor=${first.next}`, { headers: collector.auth })).json();
  assert.equal(first.items.length, 10);
  assert.equal(second.items.length, 7);
  assert.equal(second.next, null);
  assert.equal(new Set([...first.items, ...second.items].map((c) => c.responseId)).size, 17);
});

test('follow-up: an alert opens a case with the customer\'s words and address; assign, contact, note; follow up any response', async () => {
  // The survey gains a "may we contact you?" question (version 2), and a rule alerts on scores of 3 or less.
  const survey = await (await fetch(`${collector.url}/api/surveys/order-nps/versions/${version}`, { headers: collector.auth })).json();
  const next = { ...survey, questions: [...survey.questions, { id: 'contact', type: 'contact', prompt: 'May we call you about it?', email: true }] };
  const put = await fetch(`${collector.url}/api/surveys/order-nps`, {
    method: 'PUT', headers: { ...collector.auth, 'Content-Type': 'application/json', 'If-Match': `"${version}"` }, body: JSON.stringify(next),
  });
  assert.equal(put.status, 201);
  const { version: v2 } = await put.json();
  const hook = await fetch(`${collector.url}/api/webhooks`, {
    method: 'POST', headers: { ...collector.auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ url: 'https://hooks.example/cx', surveys: ['order-nps'], when: { question: 'nps', op: 'lte', value: 3 } }),
  });
  assert.equal(hook.status, 201);
  const at = Date.now();
  const unhappy = {
    schema: 'sondar.response/1', responseId: randomUUID(), surveyId: 'order-nps', surveyVersion: v2, visitorId: 'v-case',
    status: 'complete', locale: 'en', trigger: 'order_confirmed', hidden: { order_id: 'A-77', segment: 'vip' },
    answers: { nps: 1, improve: xss, contact: { consent: true, email: 'ana.customer@example.com' } },
    startedAt: new Date(at - 20000).toISOString(), submittedAt: new Date(at).toISOString(),
  };
  assert.equal((await post(collector.url, unhappy, collector.auth)).status, 201);

  const context = await browser.newContext({ reducedMotion: 'reduce' });
  const { page, problems } = await open(context, '/workspace/?view=cases&survey=order-nps');
  const card = page.locator('article.case').filter({ hasText: 'ana.customer@example.com' });
  await card.waitFor();
  assert.equal(await card.getByRole('link', { name: 'ana.customer@example.com' }).getAttribute('href'), 'mailto:ana.customer@example.com');
  assert.match(await card.textContent(), /<img src=x onerror="window.__xss = 1">Late <b>again<\/b>/, 'markup shows as text');
  assert.match(await card.textContent(), /by an alert/);
  assert.equal(await page.evaluate(() => window.__xss), undefined, 'the comment is text');
  await page.screenshot({ path: `${screenshots}workspace-cases.png`, fullPage: true });
  assert.deepEqual(await axe(page), []);

  await page.getByPlaceholder('your name').fill('Ana');
  await card.getByLabel('Assignee').fill('Ana');
  await card.getByLabel('State').selectOption('contacted');
  await card.getByLabel('Note').fill('Called; a replacement ships today');
  await card.getByRole('button', { name: 'Save' }).click();
  const saved = page.locator('article.case').filter({ hasText: 'ana.customer@example.com' });
  await saved.getByText('with Ana').waitFor();
  await saved.getByRole('button', { name: '1 note' }).click();
  await saved.getByText('Called; a replacement ships today').waitFor();
  const stored = await (await fetch(`${collector.url}/api/cases/${unhappy.responseId}`, { headers: collector.auth })).json();
  assert.equal(stored.state, 'contacted');
  assert.deepEqual(stored.history.map(({ at: _, ...h }) => h), [{ by: 'Ana', state: 'contacted', assignee: 'Ana', note: 'Called; a replacement ships today' }]);
  await page.getByRole('button', { name: /^Contacted/ }).click();
  await page.waitForFunction(() => new URL(location.href).searchParams.get('case') === 'contacted');
  await page.locator('article.case').first().waitFor();
  assert.equal(await page.locator('article.case').count(), 1);

  // Any response: its dialog (the link an alert carries) has "Follow up".
  const { items } = await (await fetch(`${collector.url}/api/comments?survey=order-nps&q=order`, { headers: collector.auth })).json();
  const other = items[0].responseId;
  await page.goto(`${collector.url}/workspace/?view=responses&survey=order-nps&response=${other}`);
  await page.getByRole('dialog').getByRole('button', { name: 'Follow up' }).click();
  await page.waitForFunction(() => new URL(location.href).searchParams.get('view') === 'cases');
  const manual = await (await fetch(`${collector.url}/api/cases/${other}`, { headers: collector.auth })).json();
  assert.equal(manual.source, 'manual');
  assert.equal(manual.history[0].by, 'Ana');
  assert.deepEqual(problems, []);
  await context.close();
});

test('alerts: a rule refused at its path, then a Slack alert made with its secret shown once; its deliveries, sent again, deleted', async () => {
  const context = await browser.newContext({ reducedMotion: 'reduce' });
  const { page, problems } = await open(context, '/workspace/?view=alerts&survey=order-nps');
  await page.getByLabel('To', { exact: true }).fill('https://hooks.slack.invalid/services/T/B/X');
  await page.getByRole('checkbox', { name: 'order-nps' }).check();
  await page.getByLabel(/^When/).fill('{"question": "nps", "op": "below", "value": 6}');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('alert').filter({ hasText: 'when.op' }).waitFor();
  await page.getByLabel(/^When/).fill('{"all": [{"question": "nps", "op": "lte", "value": 4}, {"hidden": "segment", "op": "eq", "value": "vip"}]}');
  await page.getByRole('button', { name: 'Create' }).click();
  const secret = await page.getByRole('status').locator('code').textContent();
  assert.match(secret, /^whsec_/);
  const card = page.locator('article').filter({ hasText: 'hooks.slack.invalid' });
  await card.waitFor();
  assert.match(await card.textContent(), /nothing sent yet/);
  const { webhooks } = await (await fetch(`${collector.url}/api/webhooks`, { headers: collector.auth })).json();
  const hook = webhooks.find((w) => w.url.includes('hooks.slack.invalid'));
  assert.equal(hook.template, 'slack');
  assert.equal(hook.secret, undefined);
  // A vip detractor: its delivery fails (the name does not resolve) and is listed with why.
  const at = Date.now();
  const unhappy = {
    schema: 'sondar.response/1', responseId: randomUUID(), surveyId: 'order-nps', surveyVersion: version, visitorId: 'v-alert',
    status: 'complete', locale: 'en', trigger: 'order_confirmed', hidden: { order_id: 'A-88', segment: 'vip' }, answers: { nps: 2 },
    startedAt: new Date(at - 20000).toISOString(), submittedAt: new Date(at).toISOString(),
  };
  assert.equal((await post(collector.url, unhappy, collector.auth)).status, 201);
  for (let i = 0; i < 100; i++) {
    const { deliveries } = await (await fetch(`${collector.url}/api/webhooks/${hook.id}/deliveries`, { headers: collector.auth })).json();
    if (deliveries[0]?.attempts) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await card.getByRole('button', { name: 'Deliveries' }).click();
  const row = card.locator('tbody tr').first();
  await row.getByText('pending').waitFor();
  assert.match(await row.textContent(), /resolv|timed out|could not/i);
  await page.screenshot({ path: `${screenshots}workspace-alerts.png`, fullPage: true });
  assert.deepEqual(await axe(page), []);
  await row.getByRole('button', { name: 'Send again' }).click();
  await card.getByText('Sending again.').waitFor();
  page.once('dialog', (d) => d.accept());
  await card.getByRole('button', { name: 'Delete' }).click();
  await page.locator('article').filter({ hasText: 'hooks.slack.invalid' }).waitFor({ state: 'detached' });
  const after = await (await fetch(`${collector.url}/api/webhooks`, { headers: collector.auth })).json();
  assert.ok(!after.webhooks.some((w) => w.id === hook.id));
  assert.deepEqual(problems, []);
  await context.close();
});

// Last: it changes the site's theme list, which the views above read.
test('themes: the site\'s list edited and published (a refusal at its path first); stored comments re-tagged; a restore', async () => {
  const context = await browser.newContext({ reducedMotion: 'reduce' });
  const { page, problems } = await open(context, '/workspace/?view=themes&survey=order-nps');
  await page.getByText('The default list for shops').waitFor();
  assert.equal(await page.locator('.theme-form > fieldset').count(), 8);
  await page.getByRole('button', { name: 'Add a theme' }).click();
  const added = page.locator('.theme-form > fieldset').last();
  await added.getByLabel('Id').fill('Late!');
  await added.getByLabel('Label (English)').fill('Lateness');
  await added.getByLabel(/^Words/).fill('late, retard*, verspät*');
  await page.getByRole('button', { name: 'Publish' }).click();
  await page.getByRole('alert').filter({ hasText: 'themes[8].id' }).waitFor();
  await added.getByLabel('Id').fill('late');
  await page.getByRole('button', { name: 'Publish' }).click();
  await page.getByText('Published as version 1.').waitFor();
  // Every response whose comment has the word: 15 "Delivery was late" and the markup ones ("Late
  // again"), not "parcel lost". The stored comments are tagged again in the background: the
  // theme filter finds them all once that ran.
  const get = async (path) => (await fetch(`${collector.url}${path}`, { headers: collector.auth })).json();
  const said = new Set((await get('/api/comments?survey=order-nps&q=late&limit=100')).items.map((c) => c.responseId));
  assert.ok(said.size >= 16, String(said.size));
  // Over every version: the summary is the latest shape's, the follow-up test above published another.
  const tagged = async () => {
    const s = await get('/api/summary?survey=order-nps&theme=late');
    return [s, ...(s.reportedApart || [])].reduce((n, group) => n + group.responses.total, 0);
  };
  for (let i = 0; i < 200 && (await tagged()) !== said.size; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(await tagged(), said.size);
  const late = async () => (await get('/api/summary?survey=order-nps')).themes.find((t) => t.id === 'late');
  assert.equal((await late()).label, 'Lateness');
  // The view polls while the re-tag runs (its second pass comes 5 s after the publish).
  await page.getByText('Every stored comment is tagged with this list.').waitFor({ timeout: 20000 });
  assert.equal((await late()).label, 'Lateness');
  await page.screenshot({ path: `${screenshots}workspace-themes.png`, fullPage: true });
  assert.deepEqual(await axe(page), []);
  // Restoring nothing-published is not a version; version 1 is current, so publish a second and restore the first.
  await page.locator('.theme-form > fieldset').last().getByRole('button', { name: 'Remove Lateness' }).click();
  await page.getByRole('button', { name: 'Publish' }).click();
  await page.getByText('Published as version 2.').waitFor();
  await page.getByRole('button', { name: 'Restore version 1' }).click();
  await page.getByText('Version 1 restored as version 3.').waitFor();
  for (let i = 0; i < 200 && (await tagged()) !== said.size; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(await tagged(), said.size);
  // The overview's themes card shows the new theme, linked to its comments.
  await page.goto(`${collector.url}/workspace/?survey=order-nps`);
  await page.getByRole('link', { name: 'Lateness' }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});
