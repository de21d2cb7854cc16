// Bundles the script-tag build into dist/: sondar.js (loader), sondar-engine.js (widget + core
// glue) and sondar-widget.wasm. Run after the wasm build (make web).
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';

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
