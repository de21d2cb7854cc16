// The package's TypeScript declarations compile against the README's examples, and every error
// code the widget emits is one core/error_codes.json lists (the generated files are up to date).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('web/types compile with the README examples (tsc --strict)', () => {
  const tsc = spawnSync(process.execPath, [`${root}web/node_modules/typescript/bin/tsc`, '-p', `${root}tests/web/types`], { encoding: 'utf8' });
  assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
});

test('the C++ enums, TypeScript unions and docs table are generated from core/error_codes.json', () => {
  const check = spawnSync(process.execPath, [`${root}core/error_codes.mjs`, '--check'], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
});

test('every code the widget emits is in core/error_codes.json', () => {
  const registry = JSON.parse(readFileSync(`${root}core/error_codes.json`, 'utf8'));
  const known = new Set([...registry.core, ...registry.widget].map(([code]) => code));
  const emitted = new Map();
  for (const file of readdirSync(`${root}web/src`).filter((f) => f.endsWith('.js'))) {
    const text = readFileSync(`${root}web/src/${file}`, 'utf8');
    // { code: 'x' }, failure(message, 'x', ...), report('x', ...), error.code === 'x'
    const patterns = [/code: '([a-z_]+)'/g, /failure\([^;]*?, '([a-z_]+)', (?:true|false|RETRY)/g, /report\('([a-z_]+)'/g, /code [!=]== '([a-z_]+)'/g];
    for (const pattern of patterns) for (const m of text.matchAll(pattern)) emitted.set(m[1], file);
  }
  assert.ok(emitted.size >= 15, `found ${emitted.size} codes: the patterns above still match the sources`);
  const unknown = [...emitted].filter(([code]) => !known.has(code)).map(([code, file]) => `${code} (${file})`);
  assert.deepEqual(unknown, []);
  for (const literal of readFileSync(`${root}web/types/core.d.ts`, 'utf8').match(/CoreApiErrorCode = [^;]+;/)[0].matchAll(/'([a-z_]+)'/g)) {
    assert.ok(known.has(literal[1]), `core.d.ts names ${literal[1]}`);
  }
});
