// Bundles the script-tag build into dist/: sondar.js (loader), sondar-engine.js (widget + core
// glue) and sondar-widget.wasm. Run after the wasm build (make web).
import { build } from 'esbuild';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { STRINGS } from './src/i18n-all.js';

const web = new URL('./', import.meta.url);
const dist = new URL('../dist/', import.meta.url);
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
await copyFile(new URL('lib/sondar-widget.wasm', web), new URL('sondar-widget.wasm', dist));
// UI languages other than English, one file each: a page fetches only the one it shows.
await mkdir(new URL('i18n/', dist), { recursive: true });
for (const [language, strings] of Object.entries(STRINGS)) {
  await writeFile(new URL(`i18n/${language}.json`, dist), JSON.stringify(strings));
}
