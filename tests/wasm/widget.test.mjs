// The widget's own module (sondar-widget.wasm: C exports, no embind) through web/src/widget-core.js,
// checked against the embind module of "sondar/core" on the shared fixtures: both wrap the same
// handles, so every answer must be identical. The module for shop pages has no error messages
// (codes and paths only); sondar-widget-debug.wasm, which debug mode loads, has them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadCore, SondarError } from '../../web/src/core.js';
import { loadWidgetCore } from '../../web/src/widget-core.js';

const root = new URL('../../', import.meta.url);
const read = (path) => readFileSync(new URL(path, root), 'utf8');
const widget = await loadWidgetCore({ wasmBinary: readFileSync(new URL('web/lib/sondar-widget.wasm', root)) });
const debug = await loadWidgetCore({ wasmBinary: readFileSync(new URL('web/lib/sondar-widget-debug.wasm', root)) });
const core = await loadCore();

/** The error a call throws, as plain data. */
const thrown = (fn) => {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof SondarError, String(error));
    return error.errors;
  }
  assert.fail('did not throw');
};

/** One survey as the widget runs it: a site of one. */
const single = (source) => widget.parseSite(source, true);
/** A site-of-one decision as a plain survey decision. */
const alone = (decision) => {
  const { survey, priority, ...rest } = decision.surveys[0];
  return rest;
};

/** Errors as the module without messages gives them. */
const lean = (errors) => errors.map((e) => ({ ...e, message: '' }));

test('widget module: same survey errors as sondar/core on every invalid fixture, messages only in the debug module', () => {
  for (const c of JSON.parse(read('tests/fixtures/invalid_surveys.json'))) {
    const expected = core.validateSurvey(c.survey).errors;
    assert.ok(expected.every((e) => e.message), c.name);
    assert.deepEqual(thrown(() => debug.parseSite(c.survey, true)), expected, c.name);
    const errors = thrown(() => single(c.survey));
    assert.deepEqual(errors, lean(expected), c.name);
  }
});

test('widget module: same manifest errors as sondar/core on every invalid site fixture, messages only in the debug module', () => {
  for (const c of JSON.parse(read('tests/fixtures/invalid_sites.json'))) {
    const expected = core.validateSite(c.site).errors;
    assert.deepEqual(thrown(() => debug.parseSite(c.site)), expected, c.name);
    assert.deepEqual(thrown(() => widget.parseSite(c.site)), lean(expected), c.name);
  }
});

test('widget module: an error without its message reads as its code and path, and says where the words are', () => {
  let caught;
  try {
    single('{"schema": "sondar.survey/1", "id": "x", "version": 1, "questions": [{"id": "q", "type": "nps", "prompt": "Hi", "scale": {"min": 1, "max": 5}}]}');
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof SondarError);
  assert.equal(caught.code, 'invalid_scale');
  assert.equal(caught.path, 'questions[0].scale');
  assert.match(caught.message, /^questions\[0\]\.scale: invalid_scale\n\(debug on, e\.g\. \?sondar_debug=1/);
});

/** A decision as the module without messages gives it: every reason, no detail in words. */
const wordless = (decision) =>
  decision.surveys ? { ...decision, surveys: decision.surveys.map((d) => ({ ...d, detail: '' })) } : { ...decision, detail: '' };

test('widget module: same decisions as sondar/core on every decide fixture, details in words only in the debug module', () => {
  let worded = 0;
  for (const c of JSON.parse(read('tests/fixtures/decide_cases.json'))) {
    const text = read(`tests/fixtures/surveys/${c.survey}.json`);
    const parsed = core.parseSurvey(text);
    const theirs = parsed.decide(c.context);
    parsed.delete();
    worded += theirs.detail ? 1 : 0;
    for (const [module, expected] of [[widget, wordless(theirs)], [debug, theirs]]) {
      const ours = module.parseSite(text, true);
      assert.deepEqual(alone(ours.decide(c.context)), expected, c.name);
      ours.delete();
    }
  }
  assert.ok(worded > 10, 'the fixtures have details to compare');
});

test('widget module: same site decisions as sondar/core on every site fixture', () => {
  const text = read('tests/fixtures/sites/shop.json');
  const ours = widget.parseSite(text);
  const said = debug.parseSite(text);
  const theirs = core.parseSite(text);
  assert.deepEqual(ours.info, theirs.info);
  for (const c of JSON.parse(read('tests/fixtures/site_decide_cases.json'))) {
    const expected = theirs.decide(c.context);
    assert.deepEqual(ours.decide(c.context), wordless(expected), c.name);
    assert.deepEqual(said.decide(c.context), expected, c.name);
  }
  ours.delete();
  said.delete();
  theirs.delete();
});

test('widget module: a survey by URL must be the one the manifest names', () => {
  const site = widget.parseSite(read('tests/fixtures/sites/shop.json'));
  assert.deepEqual(site.info.surveys[0], { id: 'order-nps', url: '../surveys/order_nps.json', clicks: [], closeAfter: 0 });
  const survey = site.survey(0, read('tests/fixtures/surveys/order_nps.json'));
  assert.equal(survey.id, 'order-nps');
  assert.equal(survey.info.questions, 3);
  survey.delete();
  const inline = site.survey(1);
  assert.equal(inline.id, 'vip-cart');
  inline.delete();
  const [wrong] = thrown(() => site.survey(0, read('tests/fixtures/surveys/checkout_csat.json')));
  assert.deepEqual(wrong, { code: 'invalid_value', path: 'surveys[0].url', message: '' });
  const [broken] = thrown(() => site.survey(0, '{"schema": "sondar.survey/1"}'));
  assert.equal(broken.path, 'surveys[0].url');
  assert.equal(thrown(() => site.survey(9))[0].path, 'index');
  site.delete();
  const said = debug.parseSite(read('tests/fixtures/sites/shop.json'));
  assert.match(thrown(() => said.survey(0, read('tests/fixtures/surveys/checkout_csat.json')))[0].message, /holds survey "checkout-csat", the manifest expects "order-nps"/);
  assert.match(thrown(() => said.survey(0, '{"schema": "sondar.survey/1"}'))[0].message, /^\.\.\/surveys\/order_nps\.json: id is required/);
  said.delete();
});

test('widget module: a whole session in non-ASCII text gives the payload sondar/core gives', () => {
  const text = read('tests/fixtures/surveys/all_types.json');
  const start = { responseId: '3b241101-e2bb-4255-8caf-4136c566a962', visitorId: 'visiteur-é', locale: 'en', startedAt: 1767261600000 };
  const answers = [10, 5, 7, 0, 1, 'friend', ['shoes', 'bags'], 'Très bien 👍 “ok”'];
  const run = (api) => {
    const survey = api === widget ? single(text).survey(0) : api.parseSurvey(text);
    const session = survey.startSession(start);
    for (const value of answers) {
      session.answer(session.view().question.id, value);
      session.next();
    }
    const payload = session.payload(1767261660000);
    session.delete();
    survey.delete();
    return payload;
  };
  const ours = run(widget);
  assert.equal(ours.status, 'complete');
  assert.ok(Object.values(ours.answers).includes('Très bien 👍 “ok”'), JSON.stringify(ours.answers));
  assert.deepEqual(ours, run(core));
});

test('widget module: shuffle, "other" texts and contact answers give the payload sondar/core gives', () => {
  const text = read('tests/fixtures/surveys/options_contact.json');
  const start = { responseId: '3b241101-e2bb-4255-8caf-4136c566a962', visitorId: 'v', locale: 'en', startedAt: 1767261600000 };
  const run = (survey) => {
    const session = survey.startSession(start);
    const order = session.view().question.options.map((o) => o.id);
    session.answer('source', 'other');
    session.other('source', 'Une émission de radio 📻');
    session.next();
    session.answer('missing', ['sizes']);
    assert.equal(thrown(() => session.other('missing', 'x'.repeat(1001)))[0].code, 'too_long');
    session.next();
    assert.equal(thrown(() => session.answer('contact', { consent: true, email: 'not an address' }))[0].path, 'answers.contact.email');
    session.answer('contact', { consent: true, email: 'ada@example.org' });
    session.next();
    session.next();
    const payload = session.payload(1767261660000);
    session.delete();
    survey.delete();
    return { order, payload };
  };
  const ours = run(single(text).survey(0));
  assert.deepEqual(ours.payload.optionOrder.source, ours.order);
  assert.deepEqual(ours.payload.other, { source: 'Une émission de radio 📻' });
  assert.deepEqual(ours.payload.answers.contact, { consent: true, email: 'ada@example.org' });
  assert.deepEqual(ours, run(core.parseSurvey(text)));
});

test('widget module: numbers beyond the fast path are read through JS, correctly rounded', () => {
  // 0.30000000000000004 has 17 significant digits: the core hands it to Number() in JS. Read
  // as 0.3 it would say "waits 4.7 more seconds" (the debug module's words) and, in both
  // modules, a retryAt 0.00000000000000004 s earlier, which rounds the same: the detail shows it.
  const seconds = 0.1 + 0.2;
  for (const module of [widget, debug]) {
    const survey = module.parseSite({
      schema: 'sondar.survey/1',
      id: 'delayed',
      questions: [{ id: 'q', type: 'nps', prompt: 'How likely?' }],
      trigger: { delaySeconds: 5 },
    }, true);
    const decision = alone(survey.decide({ event: '', url: 'https://shop.example/', secondsOnPage: seconds, visitorId: 'v', locale: 'en', now: 1767261600000 }));
    assert.equal(decision.reason, 'too_early');
    assert.equal(decision.detail, module === debug ? `waits ${5 - seconds} more seconds on the page` : '');
    assert.equal(decision.retryAt, 1767261600000 + Math.ceil((5 - seconds) * 1000));
    survey.delete();
    // A retryAt that shows the parse in both: read as 4.7, ceil(4.7 * 1000) would be 4,700.
    const long = module.parseSite({ schema: 'sondar.survey/1', id: 'long', questions: [{ id: 'q', type: 'nps', prompt: 'How likely?' }], trigger: { delaySeconds: 4.700000000000001 } }, true);
    const wait = alone(long.decide({ event: '', url: 'https://shop.example/', secondsOnPage: 0, visitorId: 'v', locale: 'en', now: 0 }));
    assert.equal(Math.ceil(4.700000000000001 * 1000), 4701);
    assert.equal(wait.retryAt, 4701);
    long.delete();
  }
});

test('widget module: calls after delete() are refused, not undefined behaviour', () => {
  const site = single(read('tests/fixtures/surveys/order_nps.json'));
  const survey = site.survey(0);
  const session = survey.startSession({ responseId: '3b241101-e2bb-4255-8caf-4136c566a962', visitorId: 'v', locale: 'en', startedAt: 1 });
  session.delete();
  assert.equal(thrown(() => session.view())[0].code, 'deleted');
  survey.delete();
  assert.equal(thrown(() => survey.startSession({}))[0].code, 'deleted');
  site.delete();
  assert.equal(thrown(() => site.decide({}))[0].code, 'deleted');
});
