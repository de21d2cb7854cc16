// `sondar report` against DuckDB computing the same deduplicated NPS from the same JSONL file, on
// the same number of threads, in one sitting (this machine is shared: compare the ratio).
//   node tests/bench/duckdb/report_vs_duckdb.mjs SONDAR_BINARY SURVEY RESPONSES [THREADS...] [--rounds N]
// Prints, per thread count, the best of N rounds for each side, the ratio and both NPS figures,
// and the peak RSS of the report (GNU time). DuckDB is a dependency of this script only
// (tests/bench/duckdb/package.json, installed by `make bench`).
import { DuckDBInstance } from '@duckdb/node-api';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';

const args = process.argv.slice(2);
let rounds = 3;
const roundsAt = args.indexOf('--rounds');
if (roundsAt >= 0) rounds = Number(args.splice(roundsAt, 2)[1]);
const [binary, survey, file, ...threadArgs] = args;
if (!binary || !survey || !file) {
  console.error('usage: report_vs_duckdb.mjs SONDAR_BINARY SURVEY RESPONSES [THREADS...] [--rounds N]');
  process.exit(2);
}
const threadCounts = threadArgs.length
  ? threadArgs.map(Number)
  : [...new Set([1, availableParallelism()])];

// The report's rules in SQL: one version per responseId (ids compared lower-cased); complete beats
// dismissed beats partial, then the later submittedAt wins; NPS over the winners that answered it.
// DuckDB does not validate the lines against the survey; the report does.
const query = (path) => `
  WITH lines AS (
    SELECT lower(responseId) AS id,
           CASE status WHEN 'complete' THEN 2 WHEN 'dismissed' THEN 1 ELSE 0 END AS rank,
           epoch_ms(submittedAt::TIMESTAMP) AS at_ms, answers.nps AS nps
    FROM read_json('${path.replaceAll("'", "''")}', format = 'newline_delimited',
      columns = {responseId: 'VARCHAR', status: 'VARCHAR', submittedAt: 'VARCHAR',
                 answers: 'STRUCT(nps INTEGER)'})),
  winners AS (SELECT arg_max(nps, rank * 100000000000000 + at_ms) AS nps FROM lines GROUP BY id)
  SELECT count(nps) AS n,
         round(100.0 * (count_if(nps >= 9) - count_if(nps <= 6)) / count(nps), 2) AS nps
  FROM winners`;

async function duckdb(threads) {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const connection = await instance.connect();
  const start = performance.now();
  const reader = await connection.runAndReadAll(query(file));
  const seconds = (performance.now() - start) / 1000;
  const [row] = reader.getRowObjects();
  connection.closeSync();
  instance.closeSync();
  return { seconds, n: Number(row.n), nps: row.nps };
}

function report(threads) {
  // GNU time's %e is wall seconds to 10 ms; %M the peak resident set in KiB.
  const run = spawnSync('/usr/bin/time', ['-f', '%e %M', binary, 'report', '--json',
    '--threads', String(threads), '--survey', survey, file], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(`sondar report failed: ${run.stderr}`);
  const [seconds, kib] = run.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  const out = JSON.parse(run.stdout);
  return { seconds, rssMiB: kib / 1024, n: out.nps.n, nps: out.nps.score, input: out.input };
}

const bytes = statSync(file).size;
spawnSync('cat', [file], { stdio: ['ignore', 'ignore', 'inherit'] }); // warm the page cache
console.log(`input: ${file}, ${(bytes / 1e6).toFixed(1)} MB; best of ${rounds} rounds, sides alternated`);
for (const threads of threadCounts) {
  let best = { sondar: null, duck: null };
  for (let round = 0; round < rounds; round++) {
    const s = report(threads);
    const d = await duckdb(threads);
    if (!best.sondar || s.seconds < best.sondar.seconds) best.sondar = s;
    if (!best.duck || d.seconds < best.duck.seconds) best.duck = d;
  }
  const { sondar: s, duck: d } = best;
  const same = s.n === d.n && s.nps === d.nps ? 'same figures' : 'FIGURES DIFFER';
  console.log(`${threads} thread${threads > 1 ? 's' : ' '}: sondar report ${s.seconds.toFixed(2)} s ` +
    `(peak RSS ${s.rssMiB.toFixed(0)} MiB), DuckDB ${d.seconds.toFixed(2)} s, ` +
    `DuckDB/sondar ${(d.seconds / s.seconds).toFixed(2)}x; ` +
    `NPS ${s.nps} n=${s.n} vs ${d.nps} n=${d.n}: ${same}`);
}
