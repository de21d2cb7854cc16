// Bytes a checkout page downloads for the widget: raw, gzip -9 and brotli -q 11.
//   node tests/bench/size.mjs        (after make web)
// The design's budgets: loader <= 2 KB brotli before anything triggers; loader + engine +
// wasm + styles <= 45 KB brotli. Styles ship inside the engine (constructable stylesheet).
// English UI strings ship in the engine, so the budget (DESIGN.md: loader + engine + wasm +
// styles) is the English page's; a page shown in another language also fetches that one
// language's dist/i18n/<language>.json, and the largest of those is measured against it too.
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const dist = new URL('../../dist/', import.meta.url);
const measure = (name) => {
  const bytes = readFileSync(new URL(name, dist));
  return {
    name,
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
};
const rows = ['sondar.js', 'sondar-engine.js', 'sondar-widget.wasm'].map(measure);
const languages = readdirSync(new URL('i18n/', dist)).map((f) => measure(`i18n/${f}`));
const largest = languages.reduce((a, b) => (b.brotli > a.brotli ? b : a));
const sum = (list, name) => list.reduce((t, r) => ({ name, raw: t.raw + r.raw, gzip: t.gzip + r.gzip, brotli: t.brotli + r.brotli }), { raw: 0, gzip: 0, brotli: 0 });
const english = sum(rows, 'total, English');
const total = sum([...rows, largest], `total, ${largest.name.slice(5, -5)}`);
const kb = (n) => `${(n / 1024).toFixed(1)} KB`.padStart(9);
console.log(`${'file'.padEnd(22)}${'raw'.padStart(9)}${'gzip'.padStart(9)}${'brotli'.padStart(9)}`);
for (const r of [...rows, largest, english, total]) console.log(`${r.name.padEnd(22)}${kb(r.raw)}${kb(r.gzip)}${kb(r.brotli)}`);
const loader = rows[0].brotli;
console.log(`loader before any trigger: ${kb(loader).trim()} brotli (budget 2 KB): ${loader <= 2048 ? 'within' : 'OVER'}`);
console.log(`other UI languages: ${languages.map((r) => `${r.name.slice(5, -5)} ${r.brotli} B`).join(', ')} (brotli)`);
const debug = measure('sondar-widget-debug.wasm');
console.log(`with debug on, ${debug.name} instead: ${kb(debug.brotli).trim()} brotli (its errors have messages; not in the budget)`);
const budget = 45 * 1024;
const verdict = (n) => (n <= budget ? `within (${budget - n} B to spare)` : `OVER by ${n - budget} B`);
console.log(`everything to show a survey in English: ${english.brotli} B brotli (budget 45 KB = ${budget} B): ${verdict(english.brotli)}`);
console.log(`the same in the largest other UI language (${largest.name}): ${total.brotli} B: ${verdict(total.brotli)}`);
