// Takes the WebAssembly modules from the wasm build tree into the npm package (lib/), and bundles
// the script-tag build into dist/: sondar.js (loader), sondar-engine.js (widget + core glue) and
// sondar-widget.wasm. Run after the wasm build (make web); SONDAR_WASM_BUILD names another
// build tree than the wasm preset's.
import { build } from 'esbuild';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { minify } from 'terser';
import { pathToFileURL } from 'node:url';
import { STRINGS } from './src/i18n-all.js';

const web = new URL('./', import.meta.url);
const dist = new URL('../dist/', import.meta.url);
const wasmBuild = process.env.SONDAR_WASM_BUILD
  ? pathToFileURL(`${process.env.SONDAR_WASM_BUILD.replace(/\/$/, '')}/wasm/`)
  : new URL('../build/wasm/wasm/', import.meta.url);
await mkdir(new URL('lib/', web), { recursive: true });
for (const file of ['sondar-core.mjs', 'sondar-core.wasm', 'sondar-widget.wasm', 'sondar-widget-debug.wasm']) {
  await copyFile(new URL(file, wasmBuild), new URL(`lib/${file}`, web));
}
await mkdir(dist, { recursive: true });
const common = { bundle: true, minify: true, format: 'iife', target: 'es2020', legalComments: 'none', logLevel: 'warning' };
await build({ ...common, entryPoints: [new URL('src/loader.js', web).pathname], outfile: new URL('sondar.js', dist).pathname });
await build({
  ...common,
  entryPoints: [new URL('src/engine-entry.js', web).pathname],
  outfile: new URL('sondar-engine.js', dist).pathname,
  // The engine gets its wasm URL from the loader; import.meta has no meaning in a classic script.
  define: { 'import.meta.url': 'undefined' },
});
// What a shop page downloads gets a second pass: terser's compressor, run twice, finds what
// esbuild's single pass leaves (~280 B brotli of the engine). Safe transforms only.
for (const file of ['sondar.js', 'sondar-engine.js']) {
  const path = new URL(file, dist);
  const { code } = await minify(await readFile(path, 'utf8'), { ecma: 2020, compress: { passes: 2 }, mangle: true });
  // Chromium's explicit compile hint (since 136; a comment elsewhere): the engine's functions are
  // compiled on a background thread while the file streams, not one by one on the main thread at
  // their first call, which is the visitor's wait. On the slow phone (session 18) that took the
  // main thread's JavaScript compiling after the trigger from 88 to 24 ms (traced) and trigger ->
  // visible from 626 to 595 ms (median of 20 interleaved runs); the cost is 27 B brotli.
  await writeFile(path, file === 'sondar-engine.js' ? `//# allFunctionsCalledOnLoad\n${code}` : code);
}
for (const file of ['sondar-widget.wasm', 'sondar-widget-debug.wasm']) await copyFile(new URL(`lib/${file}`, web), new URL(file, dist));
// The workspace's editor libraries (CodeMirror, jsdiff), one ES module for the demo's pages.
await build({
  ...common,
  format: 'esm',
  entryPoints: [new URL('workspace/vendor.js', web).pathname],
  outfile: new URL('workspace-vendor.js', dist).pathname,
});
// The workspace's views (Preact + htm) and chart (uPlot, with its stylesheet).
await build({
  ...common,
  format: 'esm',
  entryPoints: [new URL('workspace/views.js', web).pathname],
  outfile: new URL('workspace-views.js', dist).pathname,
});
await copyFile(new URL('node_modules/uplot/dist/uPlot.min.css', web), new URL('workspace-uplot.css', dist));
// UI languages other than English, one file each: a page fetches only the one it shows.
await mkdir(new URL('i18n/', dist), { recursive: true });
for (const [language, strings] of Object.entries(STRINGS)) {
  await writeFile(new URL(`i18n/${language}.json`, dist), JSON.stringify(strings));
}
