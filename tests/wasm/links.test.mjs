// The core's link check (IsSafeLink, through the wasm core's survey validation) against Node's
// URL, the WHATWG parser browsers share: over generated inputs built from the characters and
// pieces that parsers strip, rewrite or read specially, every link the core accepts must parse,
// be http(s), and (for a path) stay on the page's origin. A seeded generator: a failure names the
// seed and the input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadCore } from '../../web/src/core.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const base = JSON.parse(readFileSync(`${root}tests/fixtures/surveys/order_nps.json`, 'utf8'));
const core = await loadCore();
const page = 'https://shop.example/checkout/page?x=1';

/** Whether the core accepts `url` as an ending's link. */
function accepted(url) {
  const survey = structuredClone(base);
  survey.endings[0].link.url = url;
  const result = core.validateSurvey(survey);
  if (result.ok) return true;
  assert.ok(result.errors.every((e) => e.path === 'endings[0].link.url'), `${JSON.stringify(url)}: ${JSON.stringify(result.errors)}`);
  return false;
}

// Pieces a hostile (or careless) author could combine.
const pieces = [
  '/', '//', '\\', '/\\', '\t', '\n', '\r', ' ', '\u0000', '\u001f', '\u007f', '\u00a0', '\u3002', '\uff0f', '\uff3c',
  '@', ':', '%', '%2f', '%5c', '%2e', '.', '..', '?', '#', '[', ']', '-', '_', '~',
  'a', 'evil.example', 'shop.example', 'xn--', '0x7f', '127.0.0.1', '1.2.3.999', '999', '8080', 'é',
  'https://', 'http://', 'HTTPS://', 'https:', 'http:', 'javascript:', 'data:', 'file:', 'ftp://',
];

function* generated(seed, count) {
  let state = seed >>> 0;
  const next = () => ((state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  for (let i = 0; i < count; i++) {
    const length = 1 + Math.floor(next() * 6);
    // Half start as a plausible link, so that accepted inputs are not rare.
    const starts = ['', '', '/', 'https://', 'http://evil.example', 'https://shop.example/'];
    let url = starts[Math.floor(next() * starts.length)];
    for (let j = 0; j < length; j++) url += pieces[Math.floor(next() * pieces.length)];
    yield url;
  }
}

function check(url) {
  if (!accepted(url)) return 'refused';
  let parsed;
  assert.doesNotThrow(() => (parsed = new URL(url, page)), `the core accepted ${JSON.stringify(url)}, which URL cannot parse`);
  assert.ok(['https:', 'http:'].includes(parsed.protocol), `${JSON.stringify(url)} -> ${parsed.href}`);
  if (url.startsWith('/')) {
    assert.equal(parsed.origin, new URL(page).origin, `the path ${JSON.stringify(url)} leaves the site: ${parsed.href}`);
  } else {
    // An absolute link goes where it says: the host the core read is the host a browser reads.
    const written = url.slice(url.indexOf('//') + 2).split(/[/?#]/)[0].split(':')[0].toLowerCase();
    assert.equal(parsed.hostname, written, `${JSON.stringify(url)} -> ${parsed.href}`);
  }
  return 'accepted';
}

test('links: the reported bypasses are refused', () => {
  for (const url of ['/\\evil.example/x', '/\t/evil.example/y', '/\n/evil.example', '//evil.example', '\\\\evil.example', 'https://shop.example@evil.example/']) {
    assert.equal(accepted(url), false, JSON.stringify(url));
  }
  for (const url of ['/support', 'https://reviews.example/shop', 'http://shop.example:8080/a?b=%2F%2F#c']) {
    assert.equal(check(url), 'accepted', url);
  }
});

test('links: whatever the core accepts, a WHATWG parser reads as http(s) and, for a path, on the same origin', () => {
  const seed = Number(process.env.SONDAR_LINK_SEED || 20261201);
  const tally = { accepted: 0, refused: 0 };
  for (const url of generated(seed, 4000)) tally[check(url)]++;
  console.log(`links: ${JSON.stringify(tally)} of 4000 generated (seed ${seed})`);
  // Both sides of the check were exercised.
  assert.ok(tally.accepted > 100 && tally.refused > 100, JSON.stringify(tally));
});
