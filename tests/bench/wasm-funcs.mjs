// Where the bytes of a .wasm go: code bytes per function (needs a build linked with
// --profiling-funcs and configured with -DSONDAR_WASM_NAMES=ON, so the name section survives;
// wasm/README.md has the commands), grouped by origin, plus the data segments.
//   node tests/bench/wasm-funcs.mjs build/wasm-prof/wasm/sondar-widget.wasm [top=40]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: wasm-funcs.mjs FILE.wasm [top]');
  process.exit(2);
}
const bytes = readFileSync(file);
let pos = 8;
const u32 = () => {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[pos++];
    result += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (!(b & 0x80)) return result;
  }
};
const name = () => {
  const len = u32();
  const s = bytes.subarray(pos, pos + len).toString('utf8');
  pos += len;
  return s;
};

const sections = [];
let importedFuncs = 0;
const bodies = []; // code size per defined function
const names = new Map();
let dataBytes = 0;
while (pos < bytes.length) {
  const id = bytes[pos++];
  const size = u32();
  const start = pos;
  const end = pos + size;
  if (id === 0) {
    const custom = name();
    sections.push({ name: `custom:${custom}`, size });
    if (custom === 'name') {
      while (pos < end) {
        const sub = bytes[pos++];
        const subSize = u32();
        const subEnd = pos + subSize;
        if (sub === 1) {
          for (let n = u32(); n > 0; n--) {
            const index = u32();
            names.set(index, name());
          }
        }
        pos = subEnd;
      }
    }
  } else {
    sections.push({ name: ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'datacount'][id] ?? `id${id}`, size });
    if (id === 2) {
      for (let n = u32(); n > 0; n--) {
        name();
        name();
        const kind = bytes[pos++];
        if (kind === 0) { u32(); importedFuncs++; }
        else if (kind === 1) { pos++; const flags = u32(); u32(); if (flags & 1) u32(); }
        else if (kind === 2) { const flags = u32(); u32(); if (flags & 1) u32(); }
        else if (kind === 3) { pos += 2; }
      }
    } else if (id === 10) {
      for (let n = u32(); n > 0; n--) {
        const bodySize = u32();
        bodies.push(bodySize);
        pos += bodySize;
      }
    } else if (id === 11) {
      dataBytes = size;
    }
  }
  pos = end;
  void start;
}

const demangle = (s) => s;
// Classify by the function's own qualified name, not its template arguments (every nlohmann
// instantiation mentions char_traits, and so on).
const head = (fn) => {
  let depth = 0;
  let out = '';
  for (const ch of fn) {
    if (ch === '<') depth++;
    else if (ch === '>') depth--;
    else if (depth === 0) {
      if (ch === '(') break;
      out += ch;
    }
  }
  return out;
};
const origin = (fn) => {
  const h = head(fn);
  if (/nlohmann/.test(h)) {
    if (/lexer/.test(h)) return 'nlohmann lexer';
    if (/parser/.test(h)) return 'nlohmann parser';
    if (/serializer|dtoa|grisu|to_chars/.test(h)) return 'nlohmann serializer';
    return 'nlohmann DOM';
  }
  if (/^sondar::(internal::)?Json|^sondar::internal::json/.test(h)) return 'sondar json';
  if (/sondar/.test(h)) return 'sondar core + glue';
  if (/emscripten|embind/.test(h)) return 'embind';
  if (/^__cxxabiv1|^__cxa|^__dynamic_cast/.test(h)) return 'c++abi (RTTI)';
  if (/^std::/.test(h)) return 'libc++';
  if (/printf|^fmt_|^pop_arg|^out$|^pad$|frexp|wctomb|strto|scan|^__shgetc|^__shlim|tf[23]?$|tf2$|fmodl|^__(add|sub|mul|div|trunc|extend|fix|float|lt|gt|eq|ne|le|ge|unord|cmp)/.test(h)) return 'libc printf/strtod/long double';
  return 'other (libc, malloc, ...)';
};
const rows = bodies.map((size, i) => ({ fn: demangle(names.get(importedFuncs + i) ?? `func${importedFuncs + i}`), size }));
const groups = new Map();
for (const r of rows) {
  const g = origin(r.fn);
  groups.set(g, (groups.get(g) ?? 0) + r.size);
}
console.log(`${file}: ${bytes.length} bytes`);
for (const s of sections) console.log(`  section ${s.name.padEnd(24)} ${String(s.size).padStart(8)}`);
console.log(`code by origin (${rows.length} functions):`);
for (const [g, size] of [...groups].sort((a, b) => b[1] - a[1])) console.log(`  ${g.padEnd(28)} ${String(size).padStart(8)}`);
const top = Number(topArg ?? 40);
console.log(`largest ${top} functions:`);
for (const r of rows.sort((a, b) => b.size - a.size).slice(0, top)) console.log(`  ${String(r.size).padStart(7)}  ${r.fn.slice(0, 150)}`);
void dataBytes;
