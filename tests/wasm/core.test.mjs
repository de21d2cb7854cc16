// The wasm core on the fixtures the C++ suite uses (tests/fixtures), with the same test names,
// and a cross-check that native and wasm answer identically.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadCore, SondarError } from '../../web/src/core.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = `${root}tests/fixtures`;
const read = (name) => readFileSync(`${fixtures}/${name}`, 'utf8');
const fixture = (name) => JSON.parse(read(name));
const codes = (errors) => errors.map((e) => `${e.code}@${e.path}`).sort();

const core = await loadCore();
const surveys = {};
const survey = (name) => (surveys[name] ??= core.parseSurvey(read(`surveys/${name}.json`)));

test('Survey: parses every fixture survey', () => {
  for (const name of ['order_nps', 'checkout_csat', 'all_types', 'vip_onboarding']) {
    assert.equal(survey(name).info.id.length > 0, true, name);
  }
});

test('Survey: rejects each invalid fixture with exactly the expected errors', () => {
  for (const c of fixture('invalid_surveys.json')) {
    const result = core.validateSurvey(c.survey);
    assert.equal(result.ok, false, c.name);
    assert.deepEqual(codes(result.errors), codes(c.errors), c.name);
  }
});

test('Survey: a parse failure is a SondarError with code and path', () => {
  assert.throws(
    () => core.parseSurvey({ schema: 'sondar.survey/1', id: 's', questions: [{ id: 'a', type: 'slider', prompt: 'x' }] }),
    (e) => e instanceof SondarError && e.code === 'unknown_type' && e.path === 'questions[0].type',
  );
});

test('Decide: matches every fixture case', () => {
  for (const c of fixture('decide_cases.json')) {
    const d = survey(c.survey).decide(c.context);
    assert.equal(d.show, c.expect.show, c.name);
    assert.equal(d.reason, c.expect.reason, `${c.name}: ${d.detail}`);
    if ('retryAt' in c.expect) assert.equal(d.retryAt, c.expect.retryAt, c.name);
  }
});

test('Site: rejects each invalid manifest with exactly the expected errors', () => {
  for (const c of fixture('invalid_sites.json')) {
    const result = core.validateSite(c.site);
    assert.equal(result.ok, false, c.name);
    assert.deepEqual(codes(result.errors), codes(c.errors), c.name);
  }
});

test('Site: matches every decision case', () => {
  const site = core.parseSite(read('sites/shop.json'));
  for (const c of fixture('site_decide_cases.json')) {
    const d = site.decide(c.context);
    assert.equal(d.show, c.expect.show, c.name);
    for (const one of d.surveys) {
      if (one.survey in c.expect.reasons) assert.equal(one.reason, c.expect.reasons[one.survey], `${c.name}: ${one.survey} ${one.detail}`);
      if (c.expect.retryAt && one.survey in c.expect.retryAt) assert.equal(one.retryAt, c.expect.retryAt[one.survey], c.name);
    }
  }
  site.delete();
});

test('Response: accepts every valid fixture and rejects each invalid one exactly', () => {
  const cases = fixture('responses.json');
  for (const c of cases.valid) assert.doesNotThrow(() => survey(cases.survey).validateResponse(c.payload), c.name);
  for (const c of cases.invalid) {
    assert.throws(
      () => survey(cases.survey).validateResponse(c.payload),
      (e) => e instanceof SondarError && assert.deepEqual(codes(e.errors), codes(c.errors), c.name) === undefined,
      c.name,
    );
  }
});

test('Session: a detractor walks to the support ending and the payload is schema v1', () => {
  const s = survey('order_nps').startSession({
    responseId: '3b241101-e2bb-4255-8caf-4136c566a962',
    visitorId: 'visitor-1',
    locale: 'fr-CA',
    trigger: 'checkout_complete',
    page: 'https://shop.example/order/1?email=a@b.c',
    startedAt: 1767225600000,
  });
  assert.equal(s.view().question.prompt, 'Quelle est la probabilité que vous nous recommandiez à un ami ?');
  assert.throws(() => s.next(), (e) => e.code === 'required' && e.path === 'answers.nps');
  s.answer('nps', 2);
  assert.equal(s.next().question.id, 'why');
  s.answer('why', 'Trop lent');
  s.next();
  s.answer('area', ['delivery']);
  const end = s.next();
  assert.equal(end.state, 'ending');
  assert.equal(end.ending.id, 'thanks-detractor');
  const p = s.payload(1767225605000);
  assert.equal(p.status, 'complete');
  assert.equal(p.page, 'https://shop.example/order/1');
  assert.deepEqual(p.scores, { nps: { value: 2, category: 'detractor' } });
  s.delete();
  assert.throws(() => s.view(), (e) => e.code === 'deleted');
});

test('Aggregate: merging two halves equals adding everything', () => {
  const lines = read('responses_sample.jsonl').split('\n').filter((l) => l.trim());
  const whole = survey('order_nps').createAggregate();
  const left = survey('order_nps').createAggregate();
  const right = survey('order_nps').createAggregate();
  lines.forEach((line, i) => {
    for (const agg of [whole, i % 2 ? left : right]) {
      try {
        agg.add(line);
      } catch (e) {
        assert.ok(e instanceof SondarError);
      }
    }
  });
  left.merge(right.toJSON());
  assert.deepEqual(left.toJSON(), whole.toJSON());
  assert.equal(whole.summary().nps.n, 9);
  [whole, left, right].forEach((a) => a.delete());
});

test('Crosscheck: native and wasm give identical answers on every fixture', (t) => {
  const binary = `${process.env.SONDAR_NATIVE_BUILD || `${root}build/debug`}/tests/core/sondar_crosscheck`;
  if (!existsSync(binary)) {
    assert.fail(`native build missing: ${binary} (run make test, or set SONDAR_NATIVE_BUILD)`);
  }
  const native = JSON.parse(execFileSync(binary, [fixtures], { maxBuffer: 64 << 20 }).toString());
  const errorsOf = (fn) => {
    try {
      fn();
      return [];
    } catch (e) {
      return e.errors;
    }
  };
  const responses = fixture('responses.json');
  const order = survey(responses.survey);
  const aggregate = order.createAggregate();
  for (const line of read('responses_sample.jsonl').split('\n')) {
    if (line.trim()) errorsOf(() => aggregate.add(line));
  }
  const shop = core.parseSite(read('sites/shop.json'));
  const wasm = {
    invalidSurveys: fixture('invalid_surveys.json').map((c) => core.validateSurvey(c.survey).errors),
    decide: fixture('decide_cases.json').map((c) => survey(c.survey).decide(c.context)),
    invalidSites: fixture('invalid_sites.json').map((c) => core.validateSite(c.site).errors),
    siteDecide: fixture('site_decide_cases.json').map((c) => shop.decide(c.context)),
    recallViews: fixture('recall_cases.json').map((c) => {
      const session = survey(c.survey).startSession(c.start);
      const views = [session.view()];
      for (const [id, value] of c.answers) {
        errorsOf(() => session.answer(id, value));
        session.next();
        views.push(session.view());
      }
      session.delete();
      return views;
    }),
    responsesValid: responses.valid.map((c) => order.validateResponse(c.payload)),
    responsesInvalid: responses.invalid.map((c) => errorsOf(() => order.validateResponse(c.payload))),
    sampleAggregate: aggregate.toJSON(),
    sampleSummary: aggregate.summary(),
  };
  aggregate.delete();
  shop.delete();
  for (const key of Object.keys(native)) {
    assert.deepEqual(wasm[key], native[key], key);
  }
  t.diagnostic(
    `identical: ${wasm.invalidSurveys.length} invalid surveys, ${wasm.decide.length} decisions, ` +
      `${wasm.invalidSites.length} invalid sites, ${wasm.siteDecide.length} site decisions, ` +
      `${wasm.recallViews.flat().length} views with recall, ` +
      `${wasm.responsesValid.length + wasm.responsesInvalid.length} responses, one aggregate`,
  );
});

test('withRulesOf: an entry given by URL takes its survey\'s rules, keeps its own members, and parses', () => {
  const survey = JSON.parse(readFileSync(`${root}tests/fixtures/surveys/order_nps.json`, 'utf8'));
  const entry = core.withRulesOf({ id: 'order-nps', url: '/api/surveys/order-nps.json', priority: 7, trigger: { events: ['stale'] } }, survey);
  assert.deepEqual(entry.trigger, survey.trigger);
  assert.deepEqual(entry.targeting, survey.targeting);
  assert.equal(entry.priority, 7);
  assert.equal(entry.questions, undefined, 'only rules, never the questions');
  const site = core.validateSite({ schema: 'sondar.site/1', surveys: [entry] });
  assert.equal(site.ok, true, JSON.stringify(site.errors));
});
