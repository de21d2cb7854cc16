// The npm package as a user gets it: `npm pack`, installed into an empty folder, imported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = fileURLToPath(new URL('../../web/', import.meta.url));
const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));

test('npm pack: the tarball installs and both entry points work', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sondar-pack-'));
  try {
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: web }).toString();
    const [info] = JSON.parse(out);
    const files = info.files.map((f) => f.path).sort();
    for (const f of ['package.json', 'src/index.js', 'src/core.js', 'types/index.d.ts', 'types/core.d.ts', 'lib/sondar-core.wasm', 'lib/sondar-widget.wasm', 'lib/sondar-widget-debug.wasm', 'schema/survey.json', 'schema/site.json']) {
      assert.ok(files.includes(f), `tarball holds ${f}`);
    }
    assert.ok(!files.some((f) => f.startsWith('node_modules') || f.endsWith('build.mjs')), 'nothing but what ships');
    writeFileSync(join(dir, 'package.json'), '{"name":"smoke","private":true,"type":"module"}');
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline', join(dir, info.filename)], { cwd: dir, stdio: 'pipe' });
    const script = `
      import { loadCore, SondarError } from 'sondar/core';
      import { createWidget } from 'sondar';
      import { readFileSync } from 'node:fs';
      const core = await loadCore();
      const survey = core.parseSurvey(readFileSync(${JSON.stringify(join(fixtures, 'surveys/order_nps.json'))}, 'utf8'));
      const bad = core.validateSurvey({ schema: 'sondar.survey/1' });
      console.log(JSON.stringify({ id: survey.id, bad: bad.errors.map((e) => e.path), widget: typeof createWidget, error: typeof SondarError }));
    `;
    writeFileSync(join(dir, 'smoke.mjs'), script);
    const result = JSON.parse(execFileSync('node', ['smoke.mjs'], { cwd: dir }).toString());
    assert.deepEqual(result, { id: 'order-nps', bad: ['id', 'questions'], widget: 'function', error: 'function' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('types: every runtime export has a declaration', () => {
  const index = readFileSync(join(web, 'types/index.d.ts'), 'utf8');
  const core = readFileSync(join(web, 'types/core.d.ts'), 'utf8');
  for (const name of ['createWidget', 'SondarError']) assert.match(index, new RegExp(`\\b${name}\\b`));
  for (const name of ['loadCore', 'SondarError', 'Survey', 'Session', 'Aggregate']) assert.match(core, new RegExp(`\\b${name}\\b`));
});
