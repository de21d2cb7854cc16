// The survey editor in Chromium against the real collector (the demo's surveys, a fresh SQLite
// file): a survey built from nothing with the keyboard in the form, an error shown at its field
// and gone once fixed, the preview answered to an ending, published; a publish from a second tab
// in between refused (412) with nothing overwritten; the shop serving the new version without a
// restart; a response begun on version 1 and delivered after version 2 was published, from the
// outbox across a reload. axe on the editor. Screenshots: build/e2e-screenshots/editor-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, screenshots } from './browser.mjs';
import { startCollector, demoMounts, demoSurveys, exported } from '../collector/collector.mjs';

const root = new URL('../../', import.meta.url);
const axeSource = readFileSync(new URL('web/node_modules/axe-core/axe.min.js', root), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'sondar-editor-'));
let collector;
let browser;
before(async () => {
  mkdirSync(screenshots, { recursive: true });
  collector = await startCollector(join(dir, 'editor.db'), demoMounts, { surveys: demoSurveys });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await collector?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function openEditor(context, survey = '') {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${collector.url}/editor.html${survey ? `?survey=${survey}` : ''}#token=${collector.token}`);
  await page.waitForFunction(() => document.body.dataset.ready === 'editor', null, { timeout: 20000 });
  return { page, problems };
}

// As a mouse user does: a click on the visible label (the radio is visually hidden).
const choose = (page, name, scope = page) => scope.locator('label', { has: page.getByRole('radio', { name, exact: true }) }).click();

test('editor: a survey from nothing with the keyboard, an error at its field, the preview to an ending, published', async () => {
  const context = await browser.newContext({ reducedMotion: 'reduce' });
  const { page, problems } = await openEditor(context);
  await page.selectOption('#survey', '(new)');
  await page.focus('#new-id');
  await page.keyboard.type('exit-poll');
  // The first question's prompt, emptied from the keyboard: the core's error shows at the field.
  const prompt = page.getByLabel('Prompt').first();
  await prompt.focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  const error = page.locator('#f-questions-0--prompt-error');
  await page.waitForFunction(() => document.querySelector('#f-questions-0--prompt-error')?.textContent !== '');
  assert.equal(await prompt.getAttribute('aria-invalid'), 'true');
  assert.match(await page.textContent('#errors'), /questions\[0\]\.prompt/);
  await page.screenshot({ path: `${screenshots}editor-error.png`, fullPage: true });
  await page.keyboard.type('Would you shop with us again?');
  await page.waitForFunction(() => document.querySelector('#f-questions-0--prompt-error')?.textContent === '');
  assert.equal(await error.textContent(), '');
  assert.match(await page.textContent('#errors'), /No problems/);
  // The JSON tab holds the same document, and the tabs answer the arrow keys.
  await page.focus('#tab-form');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.getAttribute('#tab-json', 'aria-selected'), 'true');
  await page.waitForFunction(() => document.querySelector('#json-panel').shadowRoot.querySelector('.cm-content').textContent.includes('Would you shop with us again?'));
  assert.match(await page.textContent('#json-panel .cm-content'), /"id": "exit-poll"/);
  await page.screenshot({ path: `${screenshots}editor-json.png`, fullPage: true });
  await page.keyboard.press('ArrowLeft');

  // The real widget in the preview, at phone width, answered to its ending.
  await page.selectOption('#width', 'phone');
  const preview = page.locator('#preview');
  await preview.getByRole('dialog').waitFor();
  await preview.getByText('Would you shop with us again?', { exact: true }).waitFor();
  await choose(page, '9', preview);
  await preview.getByRole('button', { name: 'Submit' }).click();
  await preview.getByRole('heading', { name: 'Thank you!' }).waitFor();
  await page.screenshot({ path: `${screenshots}editor-preview-phone.png`, fullPage: true });

  // Review, then publish: version 1 of a new survey.
  await page.click('#review');
  assert.match(await page.textContent('#diff'), /^\+ {3}"id": "exit-poll",$/m);
  await page.click('#publish');
  await page.getByText('Published "exit-poll" version 1.').waitFor();
  const versions = await (await fetch(`${collector.url}/api/surveys/exit-poll/versions`, { headers: collector.auth })).json();
  assert.deepEqual(versions.map((v) => v.version), [1]);

  // axe over the whole editor, and no page error.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`));
  assert.deepEqual(violations, []);
  assert.deepEqual(problems, []);
  await context.close();
});

test('editor: the form covers the schema: options with other, showIf, targeting, sampling, a personal hidden field, a translation', async () => {
  const context = await browser.newContext({ reducedMotion: 'reduce' });
  const { page, problems } = await openEditor(context);
  await page.selectOption('#survey', '(new)');
  await page.fill('#new-id', 'form-tour');
  const at = (path) => page.locator(`[data-path="${path}"]`);
  const open = (path) => page.locator(`[data-section="${path}"] > summary`).click();
  const settled = () => page.getByText('No problems: the core accepts this survey.').waitFor();
  // A choice question: its options, the second one "other" (with its text box in the widget).
  await at('questions[0].type').selectOption('single_choice');
  await open('questions[0].options');
  await open('questions[0].options[1]');
  await at('questions[0].options[1].other').selectOption('true');
  // A second question shown only when the first was answered "a".
  await page.click('#add-question');
  await at('questions[1].prompt').fill('What made you choose that?');
  await open('questions[1].showIf');
  await at('questions[1].showIf').selectOption('test');
  await at('questions[1].showIf.value').fill('a');
  // Who sees it: VIP visitors, one in four.
  await open('targeting');
  await at('targeting').selectOption('test');
  await at('targeting.attribute').fill('segment');
  await at('targeting.value').fill('vip');
  await open('sampling');
  await at('sampling.percent').fill('25');
  await at('trigger.events').fill('order_confirmed');
  // A hidden field marked personal, offered for recall in the second prompt.
  await open('hidden');
  await page.getByRole('button', { name: 'Add hidden' }).click();
  await at('hidden[0]').fill('order_id');
  await at('hidden[0].pii').check();
  await page.getByRole('button', { name: '{{hidden.order_id}}' }).nth(1).click();
  await settled();
  // A translation: the title in French, the English one kept.
  await page.fill('input[placeholder="e.g. fr"]', 'fr');
  await page.getByRole('button', { name: 'Translate into' }).click();
  await at('title').fill('Une question rapide');
  await settled();
  await page.screenshot({ path: `${screenshots}editor-form-schema.png`, fullPage: true });
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`));
  assert.deepEqual(violations, []);
  await page.click('#review');
  await page.click('#publish');
  await page.getByText('Published "form-tour" version 1.').waitFor();
  const stored = await (await fetch(`${collector.url}/api/surveys/form-tour/versions/1`, { headers: collector.auth })).json();
  assert.deepEqual(stored.questions[0].options[1], { id: 'b', label: 'Option B', other: true });
  assert.deepEqual(stored.questions[1].showIf, { question: 'q1', op: 'eq', value: 'a' });
  assert.equal(stored.questions[1].prompt, 'What made you choose that?{{hidden.order_id}}');
  assert.deepEqual(stored.targeting, { attribute: 'segment', op: 'eq', value: 'vip' });
  assert.deepEqual(stored.sampling, { percent: 25 });
  assert.deepEqual(stored.trigger, { events: ['order_confirmed'] });
  assert.deepEqual(stored.hidden, [{ name: 'order_id', pii: true }]);
  assert.deepEqual(stored.title, { en: 'A quick question', fr: 'Une question rapide' });
  // JSON typed in the other tab whose error has no field of its own (hidden is not a list): the
  // error is listed and the form still answers.
  await page.click('#tab-json');
  await page.locator('#json-panel .cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(JSON.stringify({ ...stored, hidden: { 0: '' } }));
  await page.waitForFunction(() => /hidden/.test(document.querySelector('#errors').textContent));
  await page.click('#tab-form');
  await at('title').fill('Still answering');
  assert.deepEqual(problems, []);
  await context.close();
});

test("editor: the preview leaves the shop's visitor id, history and unsent responses alone (same origin)", async () => {
  const context = await browser.newContext({ reducedMotion: 'reduce' });
  const { page, problems } = await openEditor(context);
  // What the shop's own widget keeps on this origin.
  const before = await page.evaluate(() => {
    localStorage.setItem('sondar.vid', JSON.stringify('shop-visitor-1'));
    localStorage.setItem('sondar.history', JSON.stringify([{ survey: 'order-nps', kind: 'complete', at: 1 }]));
    localStorage.setItem('sondar.outbox', JSON.stringify([{ payload: { responseId: 'queued-1' }, attempts: 0 }]));
    return Object.fromEntries(Object.keys(localStorage).filter((k) => k.startsWith('sondar.')).map((k) => [k, localStorage.getItem(k)]));
  });
  await page.selectOption('#survey', 'order-nps');
  const preview = page.locator('#preview');
  await preview.getByRole('dialog').waitFor();
  await preview.getByRole('button', { name: /close/i }).first().click();
  await page.click('#restart');
  await preview.getByRole('dialog').waitFor();
  const after = await page.evaluate(() => Object.fromEntries(Object.keys(localStorage).filter((k) => k.startsWith('sondar.')).map((k) => [k, localStorage.getItem(k)])));
  assert.deepEqual(after, before);
  assert.deepEqual(problems, []);
  await context.close();
});

test('editor: a publish from another tab in between gets 412 and overwrites nothing; the shop shows the new version', async () => {
  const context = await browser.newContext({ reducedMotion: 'reduce' });
  const a = await openEditor(context, 'order-nps');
  const b = await openEditor(context, 'order-nps');
  const base = Number((await a.page.textContent('#base')).match(/version (\d+)/)[1]);
  const setPrompt = async (page, text) => {
    const prompt = page.getByLabel('Prompt').first();
    await prompt.fill(text);
    await page.waitForFunction((t) => document.querySelector('#json-panel').shadowRoot.querySelector('.cm-content').textContent.includes(t), text);
  };
  await setPrompt(a.page, 'How likely are you to recommend Acme to a friend?');
  await a.page.click('#review');
  await a.page.click('#publish');
  await a.page.getByText(`Published "order-nps" version ${base + 1}.`).waitFor();

  // Who would see it: the core's decision for every survey of the site, on the page given.
  await a.page.click('#who-ask');
  await a.page.getByText('"order-nps" would show.').waitFor();
  await a.page.fill('#who-event', 'add_to_cart');
  await a.page.fill('#who-url', 'https://shop.example/index.html');
  await a.page.fill('#who-attributes', '{"segment": "vip"}');
  await a.page.click('#who-ask');
  await a.page.getByText('"vip-welcome" would show.').waitFor();
  const reasons = await a.page.$$eval('#who-result tbody tr', (rows) => Object.fromEntries(rows.map((r) => [r.cells[0].textContent, r.cells[1].textContent])));
  assert.equal(reasons['order-nps'], 'no_trigger');
  assert.equal(reasons['vip-welcome'], 'show');
  await a.page.fill('#who-attributes', '{"segment": ');
  await a.page.click('#who-ask');
  await a.page.getByText(/Visitor attributes is not JSON/).waitFor();

  await setPrompt(b.page, 'Tab B would overwrite this');
  await b.page.click('#review');
  await b.page.click('#publish');
  await b.page.getByText(/Not published: version \d+ of "order-nps" was published/).waitFor();
  assert.match(await b.page.textContent('#publish-status'), new RegExp(`version ${base + 1} .* after version ${base}.*Nothing was overwritten`));
  await b.page.screenshot({ path: `${screenshots}editor-412.png`, fullPage: true });
  const latest = await (await fetch(`${collector.url}/api/surveys/order-nps/versions/${base + 1}`, { headers: collector.auth })).json();
  assert.equal(latest.questions[0].prompt, 'How likely are you to recommend Acme to a friend?');
  assert.equal((await (await fetch(`${collector.url}/api/surveys/order-nps/versions`, { headers: collector.auth })).json()).length, 2);

  // The shop, in a browser that has never cached the survey: the new version, no restart.
  const shop = await browser.newContext({ reducedMotion: 'reduce' });
  const page = await shop.newPage();
  await page.goto(`${collector.url}/confirmation.html`);
  await page.getByRole('dialog').waitFor();
  assert.match(await page.getByRole('dialog').textContent(), /How likely are you to recommend Acme to a friend\?/);
  await shop.close();
  await context.close();
});

test('a response begun on version 1 is delivered after version 2 was published, from the outbox across a reload', async () => {
  const context = await browser.newContext({ reducedMotion: 'reduce' });
  const page = await context.newPage();
  // The collector is out of reach while the visitor answers: the response waits in the outbox.
  await page.route('**/api/responses', (route) => route.abort('connectionrefused'));
  await page.goto(`${collector.url}/checkout.html`);
  await page.click('#place');
  await page.getByRole('dialog').waitFor();
  const survey = await (await fetch(`${collector.url}/api/surveys/checkout-csat.json`)).json();
  await choose(page, 'Very satisfied');
  for (let i = 0; i < 5 && (await page.getByRole('button', { name: /Next|Submit/ }).count()); i++) {
    await page.getByRole('button', { name: /Next|Submit/ }).first().click();
  }
  await page.waitForFunction(() => Object.keys(localStorage).some((k) => k.includes('outbox') && localStorage.getItem(k).includes('checkout-csat')));
  // Version 2 is published meanwhile (a reworded title: the same shape).
  const next = { ...survey, title: 'Your checkout, in one click' };
  const put = await fetch(`${collector.url}/api/surveys/checkout-csat`, {
    method: 'PUT', headers: { ...collector.auth, 'Content-Type': 'application/json', 'If-Match': `"${survey.version}"` }, body: JSON.stringify(next),
  });
  assert.equal(put.status, 201);
  // Back online, and a reload: the outbox delivers the version-1 response, which is stored.
  await page.unroute('**/api/responses');
  await page.reload();
  let stored = [];
  for (let i = 0; i < 100 && !stored.length; i++) {
    stored = (await exported(collector, 'checkout-csat')).filter((r) => r.surveyVersion === survey.version && r.status === 'complete');
    if (!stored.length) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal(stored.length, 1);
  const summary = await (await fetch(`${collector.url}/api/summary?survey=checkout-csat`, { headers: collector.auth })).json();
  assert.deepEqual(summary.versions, [survey.version + 1, survey.version]);
  assert.equal(summary.responses.complete, 1);
  await context.close();
});

test('editor: the site manifest, a priority out of range shown at its field, published; the shop reads it', async () => {
  const context = await browser.newContext({ reducedMotion: 'reduce' });
  const { page, problems } = await openEditor(context);
  await page.selectOption('#survey', '(site)');
  await page.getByText(/Editing version 1 of the site manifest/).waitFor();
  const priority = page.locator('[data-path="surveys[3].priority"]');
  await priority.fill('5000');
  await page.waitForFunction(() => document.querySelector('#f-surveys-3--priority-error')?.textContent !== '');
  assert.match(await page.textContent('#errors'), /surveys\[3\]\.priority/);
  await priority.fill('20');
  await page.getByText('No problems: the core accepts this manifest.').waitFor();
  // help-ces now outranks the others where it may show.
  await page.fill('#who-url', 'https://shop.example/support.html');
  await page.fill('#who-event', '');
  await page.click('#who-ask');
  await page.getByText(/would show|No survey would show/).waitFor();
  await page.click('#review');
  await page.click('#publish');
  await page.getByText('Published the site manifest version 2.').waitFor();
  const site = await fetch(`${collector.url}/api/site`);
  assert.match(site.headers.get('etag'), /^"2\.\d+"$/);
  assert.equal((await site.json()).surveys[3].priority, 20);
  await page.screenshot({ path: `${screenshots}editor-site.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});
