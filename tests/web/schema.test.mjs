// The JSON Schema files of the npm package (sondar/schema/survey.json, sondar/schema/site.json), for
// editors outside the browser ("$schema" gives VS Code completion and hover docs), held against
// the core: every valid fixture passes a JSON Schema validator (ajv), and every invalid fixture
// whose errors are all structural (types, required and unknown fields, question types, the schema
// marker) fails it. What only the core can tell (references, logic, scales, locales, links) stays
// the core's: the schema says so in its description.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(`${root}web/package.json`);
const Ajv = require('ajv');
const json = (path) => JSON.parse(readFileSync(`${root}${path}`, 'utf8'));
const surveySchema = json('web/schema/survey.json');
const siteSchema = json('web/schema/site.json');

// strictRequired is off: a site entry is "survey" or "url" + "id", told apart by oneOf of required
// alone; union types (["string", "number", "boolean"]) are plain JSON Schema.
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
ajv.addSchema(surveySchema, 'survey.json');
const validSurvey = ajv.getSchema('survey.json');
const validSite = ajv.compile(siteSchema);
const structural = new Set(['wrong_type', 'missing_field', 'unknown_field', 'unknown_type', 'schema_mismatch']);
// Structural codes whose cause is another part of the document: a JSON Schema cannot tell.
const needsTheCore = {
  'showIf value wrong type': 'the type a condition value needs is the type of the question it names',
};
const explain = (validate) => JSON.stringify(validate.errors?.slice(0, 3));

test('schema: every valid survey fixture and demo survey passes', () => {
  const files = [
    ...readdirSync(`${root}tests/fixtures/surveys`).map((f) => `tests/fixtures/surveys/${f}`),
    ...readdirSync(`${root}demo/surveys`).filter((f) => f !== 'site.json').map((f) => `demo/surveys/${f}`),
  ];
  assert.ok(files.length >= 8);
  for (const file of files) assert.ok(validSurvey(json(file)), `${file}: ${explain(validSurvey)}`);
});

test('schema: every valid site manifest passes', () => {
  for (const file of ['tests/fixtures/sites/shop.json', 'demo/surveys/site.json']) {
    assert.ok(validSite(json(file)), `${file}: ${explain(validSite)}`);
  }
});

test('schema: every invalid survey whose errors are structural fails', () => {
  let checked = 0;
  for (const c of json('tests/fixtures/invalid_surveys.json')) {
    if (!c.errors.every((e) => structural.has(e.code)) || needsTheCore[c.name]) continue;
    checked++;
    assert.equal(validSurvey(c.survey), false, `${c.name}: the schema accepts it`);
  }
  assert.ok(checked >= 20, `${checked} structural fixtures`);
});

test('schema: every invalid site whose errors are structural fails', () => {
  let checked = 0;
  for (const c of json('tests/fixtures/invalid_sites.json')) {
    if (!c.errors.every((e) => structural.has(e.code))) continue;
    checked++;
    assert.equal(validSite(c.site), false, `${c.name}: the schema accepts it`);
  }
  assert.ok(checked >= 4, `${checked} structural fixtures`);
});

test('schema: shipped in the package, where "$schema" can point', () => {
  const pkg = json('web/package.json');
  assert.equal(pkg.exports['./schema/survey.json'], './schema/survey.json');
  assert.equal(pkg.exports['./schema/site.json'], './schema/site.json');
  assert.ok(pkg.files.includes('schema/'));
  // A survey that names the schema is still a valid survey for the core and the schema.
  assert.ok(validSurvey({ ...json('tests/fixtures/surveys/order_nps.json'), $schema: './node_modules/sondar/schema/survey.json' }));
});
