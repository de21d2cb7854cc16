// The generated responses the collector benchmarks share: N order-nps responses (and later
// versions of some) over 14 days ending a week ago, made once into build/bench, and a loader that
// posts them with the admin token from 64 connections.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
process.env.SONDAR_NATIVE_BUILD ||= `${root}build/release`;
const build = process.env.SONDAR_NATIVE_BUILD;
const { fixtureSurveys } = await import('../collector/collector.mjs');

export const DAY = 86400000;
// Inside the collector's 30-day backdating window, and the last 7 days of a month's range hold
// none of it (a filter that keeps nothing is a case too).
export const base = Math.floor((Date.now() - 21 * DAY) / DAY) * DAY;

/** The posts (JSON lines) of N generated responses. @param {number} n @returns {string[]} */
export function generated(n) {
  const data = `${root}build/bench/workspace-${n}.jsonl`;
  mkdirSync(`${root}build/bench`, { recursive: true });
  if (!existsSync(data) || statSync(data).size === 0) {
    execFileSync('sh', ['-c', `"${build}/tests/bench/sondar_gen_responses" "${fixtureSurveys}/order_nps.json" ${n} 11 ${base} > "${data}"`]);
  }
  return readFileSync(data, 'utf8').split('\n').filter(Boolean);
}

/**
 * Posts every line; how many were new (201: the file also holds later versions of some, 200),
 * how many were refused, and the seconds it took.
 * @param {{url: string, auth: Record<string, string>}} collector @param {string[]} lines
 */
export async function load(collector, lines) {
  const headers = { 'Content-Type': 'application/json', ...collector.auth };
  let next = 0;
  let stored = 0;
  let refused = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: 64 }, async () => {
    while (next < lines.length) {
      const res = await fetch(`${collector.url}/api/responses`, { method: 'POST', headers, body: lines[next++] });
      await res.arrayBuffer();
      if (res.status === 201) stored++;
      else if (res.status !== 200) refused++;
    }
  }));
  return { stored, refused, seconds: (performance.now() - started) / 1000 };
}

/**
 * Runs `bench(name, db)` on a fresh SQLite file and on a fresh database of a PostgreSQL server
 * started for it (`which`: sqlite, postgres or both), cleaning up after.
 * @param {string} which @param {(name: string, db: string) => Promise<void>} bench
 */
export async function onEachStore(which, bench) {
  const { startPostgres } = await import('../collector/postgres.mjs');
  const dir = mkdtempSync(join(tmpdir(), 'sondar-bench-'));
  let postgres;
  try {
    if (which !== 'postgres') await bench('SQLite', join(dir, 'bench.db'));
    if (which !== 'sqlite') {
      postgres = await startPostgres();
      await bench('PostgreSQL', postgres.createDatabase('bench'));
    }
  } finally {
    postgres?.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
