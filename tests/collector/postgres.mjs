// A real PostgreSQL server for tests: its own cluster in a temp folder (initdb), on 127.0.0.1 and a
// free port (pg_ctl), trusting local connections, removed afterwards. Uses Debian's `postgresql`
// package; as root, the server runs as its `postgres` user (PostgreSQL refuses to run as root).
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function binDir() {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, 'bin/initdb'))) : [];
  if (!versions.length) throw new Error('PostgreSQL is not installed (Debian package postgresql; `make test` installs it)');
  versions.sort((a, b) => Number(b) - Number(a));
  return join(base, versions[0], 'bin');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * @returns {Promise<{url: (db?: string) => string, createDatabase: (name: string) => string,
 *   sql: (db: string, query: string) => string, stop: () => void, start: () => void, destroy: () => void}>}
 */
export async function startPostgres() {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'sondar-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout);
    const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout);
    chownSync(dir, uid, gid);
  }
  const run = (tool, args) => {
    const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args];
    const r = spawnSync(cmd, argv, { encoding: 'utf8', cwd: dir });
    if (r.status !== 0) {
      const log = existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8') : '';
      throw new Error(`${tool} ${args.join(' ')} failed: ${r.stderr || r.stdout}${log}`);
    }
    return r.stdout;
  };
  // --no-sync only skips initdb's own fsync of the new cluster; the server itself runs with fsync on.
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'sondar', '-E', 'UTF8', '--no-locale', '--no-sync']);
  const port = await freePort();
  const start = () =>
    run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', 'start', '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=100`]);
  const stop = () => run('pg_ctl', ['-D', data, '-w', '-m', 'fast', 'stop']);
  start();
  const url = (db = 'postgres') => `postgres://sondar@127.0.0.1:${port}/${db}`;
  const sql = (db, query) => {
    const r = spawnSync(join(bin, 'psql'), ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', url(db), '-c', query], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`psql: ${r.stderr}`);
    return r.stdout.trim();
  };
  /** A psql session kept open: `send` writes statements to it, `close` ends it. */
  const session = (db) => {
    const child = spawn(join(bin, 'psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url(db)], { stdio: ['pipe', 'ignore', 'inherit'] });
    return {
      send: (text) => child.stdin.write(`${text}\n`),
      close: () => new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : (child.once('exit', resolve), child.stdin.end()))),
    };
  };
  let databases = 0;
  return {
    url,
    sql,
    session,
    /** A fresh, empty database; returns its URL. */
    createDatabase(name = `t${++databases}`) {
      sql('postgres', `CREATE DATABASE ${name}`);
      return url(name);
    },
    stop,
    start,
    destroy() {
      try {
        stop();
      } catch {}
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * For tests that run once per store: `make.sqlite(name)` is a file in `dir`, `make.postgres(name)`
 * a fresh database on one PostgreSQL server started on first use (`server()` starts it too);
 * `destroy()` stops the server.
 * @param {string} dir
 */
export function backends(dir) {
  let postgres;
  const server = async () => (postgres ??= await startPostgres());
  return {
    make: {
      sqlite: (name) => join(dir, `${name}.db`),
      postgres: async (name) => (await server()).createDatabase(name.replace(/-/g, '_')),
    },
    server,
    destroy: () => postgres?.destroy(),
  };
}
