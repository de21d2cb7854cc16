// Bytes a checkout page downloads for the widget: raw, gzip -9 and brotli -q 11.
//   node tests/bench/size.mjs        (after make web)
// Budgets from DESIGN.md: loader <= 2 KB brotli before anything triggers; loader + engine +
// wasm + styles <= 45 KB brotli. Styles ship inside the engine (constructable stylesheet).
import { readFileSync } from 'node:fs';
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
const total = rows.reduce((t, r) => ({ name: 'total', raw: t.raw + r.raw, gzip: t.gzip + r.gzip, brotli: t.brotli + r.brotli }), { raw: 0, gzip: 0, brotli: 0 });
const kb = (n) => `${(n / 1024).toFixed(1)} KB`.padStart(9);
console.log(`${'file'.padEnd(20)}${'raw'.padStart(9)}${'gzip'.padStart(9)}${'brotli'.padStart(9)}`);
for (const r of [...rows, total]) console.log(`${r.name.padEnd(20)}${kb(r.raw)}${kb(r.gzip)}${kb(r.brotli)}`);
const loader = rows[0].brotli;
console.log(`loader before any trigger: ${kb(loader).trim()} brotli (budget 2 KB): ${loader <= 2048 ? 'within' : 'OVER'}`);
console.log(`everything to show a survey: ${kb(total.brotli).trim()} brotli (budget 45 KB): ${total.brotli <= 45 * 1024 ? 'within' : 'OVER'}`);
