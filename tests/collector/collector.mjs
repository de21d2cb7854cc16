// Starts the real sondar-collector on 127.0.0.1 (port 0: the OS picks) for tests and scripts.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
/** --mount arguments that serve the demo shop and the widget build, as make demo does. */
export const demoMounts = ['/=demo/shop', '/workspace=demo/workspace', '/dist=dist', '/web/src=web/src', '/web/lib=web/lib', '/web/schema=web/schema'].flatMap((m) => ['--mount', m.replace('=', `=${root}`)]);

export const binary = `${process.env.SONDAR_NATIVE_BUILD || `${root}build/debug`}/demo/collector/sondar-collector`;
/** The surveys the collector tests use (tests/fixtures), and the demo's own (for the demo's tests). */
export const fixtureSurveys = `${root}tests/fixtures/surveys`;
export const demoSurveys = `${root}demo/surveys`;

/**
 * Turns off the abuse controls for anonymous posters, which tests of other things (and the load
 * benchmark) would trip: they post hundreds of responses from one address as one visitor.
 */
export const noAbuseLimits = ['--post-rate', '0', '--max-new-per-visitor', '0'];

/**
 * A collector with a fresh admin token (`token`, and `auth`: the header that carries it). Its
 * abuse controls are off unless `abuseLimits` is true (then they have their defaults, or what
 * `extra` sets). It validates against the fixtures' surveys unless `surveys` names a folder.
 * @param {string} db
 * @param {string[]} [extra]
 * @param {{abuseLimits?: boolean, surveys?: string}} [options]
 * @returns {Promise<{url: string, port: number, token: string, auth: Record<string, string>, process: import('node:child_process').ChildProcess, stop: () => Promise<number>}>}
 */
export function startCollector(db, extra = [], { abuseLimits = false, surveys = fixtureSurveys } = {}) {
  const token = randomBytes(16).toString('hex');
  const limits = abuseLimits ? [] : noAbuseLimits;
  const child = spawn(binary, ['--port', '0', '--db', db, '--surveys', surveys, ...limits, ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SONDAR_ADMIN_TOKEN: token },
  });
  child.stdout.setEncoding('utf8');
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  // A collector that dies mid-test (a crash, a sanitizer report) says why on the test's output.
  child.once('exit', (code, signal) => {
    if (code || (signal && signal !== 'SIGTERM')) console.error(`collector exited (${code ?? signal}): ${stderr}`);
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[\d.]+:\d+)/);
      if (m) {
        resolve({
          url: m[1],
          port: Number(new URL(m[1]).port),
          token,
          auth: { Authorization: `Bearer ${token}` },
          process: child,
          stop: () => new Promise((done) => {
            child.once('exit', (code) => done(code));
            child.kill('SIGTERM');
          }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`collector exited with ${code}: ${stderr}`)));
  });
}

/** The version of each fixture survey, by id. */
const versions = Object.fromEntries(
  readdirSync(fixtureSurveys).filter((f) => f.endsWith('.json')).map((f) => {
    const survey = JSON.parse(readFileSync(`${fixtureSurveys}/${f}`, 'utf8'));
    return [survey.id, survey.version];
  }),
);

/** The ids of the fixture surveys. */
export const fixtureIds = Object.keys(versions);

/** A valid response to the fixtures' order-nps; `over` replaces fields (the surveyVersion follows the surveyId). */
export function payload(over = {}) {
  const now = Date.now();
  return {
    surveyVersion: versions[over.surveyId || 'order-nps'],
    schema: 'sondar.response/1',
    responseId: randomUUID(),
    surveyId: 'order-nps',
    visitorId: 'visitor-1',
    status: 'complete',
    answers: { nps: 9 },
    locale: 'en',
    trigger: 'order_confirmed',
    hidden: { order_id: 'A-1001', segment: 'regular' },
    page: 'https://shop.example/confirmation.html',
    startedAt: new Date(now - 5000).toISOString(),
    submittedAt: new Date(now).toISOString(),
    ...over,
  };
}

/** An answer's status, its body as JSON (null when it is not JSON) and its headers. */
async function answer(res) {
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, json, headers: res.headers };
}

export async function post(url, body, headers = {}) {
  return answer(await fetch(`${url}/api/responses`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
  }));
}

/** Stored responses, through the export (which needs the collector's admin token). */
export async function exported(collector, survey = '') {
  const res = await fetch(`${collector.url}/api/export.jsonl${survey ? `?survey=${survey}` : ''}`, { headers: collector.auth });
  if (!res.ok) throw new Error(`export answered ${res.status}`);
  const text = await res.text();
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/**
 * Eight clients post for 1.5 s; the collector on `db` is then killed with SIGKILL and a new one
 * started on the same database. Returns how many posts were acknowledged (201) before the kill
 * and which of those the new collector does not have.
 * @returns {Promise<{acknowledged: number, lost: string[]}>}
 */
export async function acknowledgedLostAfterKill(db) {
  const first = await startCollector(db);
  const acknowledged = new Set();
  let stop = false;
  const clients = Array.from({ length: 8 }, async () => {
    while (!stop) {
      const p = payload();
      try {
        const r = await post(first.url, p);
        if (r.status === 201) acknowledged.add(p.responseId);
      } catch {
        return; // the collector is gone
      }
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  first.process.kill('SIGKILL');
  stop = true;
  await Promise.all(clients);
  const second = await startCollector(db);
  try {
    const stored = new Set((await exported(second)).map((r) => r.responseId));
    return { acknowledged: acknowledged.size, lost: [...acknowledged].filter((id) => !stored.has(id)) };
  } finally {
    await second.stop();
  }
}

/**
 * PUT `body` (an object or text) to an admin route of `collector`, with If-Match when `ifMatch`
 * is given; the answer's status, JSON body and headers.
 * @param {{url: string, auth: Record<string, string>}} collector
 * @param {string} path @param {unknown} body @param {{ifMatch?: number|string, method?: string}} [options]
 */
export async function admin(collector, path, body, { ifMatch, method = 'PUT' } = {}) {
  const headers = { ...collector.auth, 'Content-Type': 'application/json' };
  if (ifMatch !== undefined) headers['If-Match'] = typeof ifMatch === 'number' ? `"${ifMatch}"` : ifMatch;
  return answer(await fetch(`${collector.url}${path}`, { method, headers, body: typeof body === 'string' ? body : JSON.stringify(body) }));
}

/** Publishes a site manifest naming the surveys `ids` (each at /api/surveys/ID.json). */
export async function publishSite(collector, ids, ifMatch) {
  const site = { schema: 'sondar.site/1', surveys: ids.map((id) => ({ id, url: `/api/surveys/${id}.json` })) };
  return admin(collector, '/api/site', site, { ifMatch });
}

/**
 * An admin request (the collector's token) with a JSON body (an object, or text sent as it is);
 * the answer's status and JSON body (null when empty).
 * @returns {Promise<{status: number, json: any}>}
 */
export async function adminApi(collector, method, path, body) {
  const res = await fetch(`${collector.url}${path}`, {
    method,
    headers: { ...collector.auth, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

/** What `test` gives once it is truthy, asked every 100 ms; throws after `timeoutMs`. */
export async function until(what, test, timeoutMs = 20000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await test();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
