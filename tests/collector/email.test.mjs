// E-mail alerts and the daily digest, received by a real SMTP server started here (npm
// `smtp-server`) that requires STARTTLS and a password, read back by a real MIME parser
// (`mailparser`): both parts checked, customer text escaped in the HTML, the digest's figures
// and its lowest-scored comments, one digest per day whatever the restarts; options from a
// config file; addresses that could smuggle headers refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminApi, payload, post, startCollector, until } from './collector.mjs';

const require = createRequire(new URL('../../web/package.json', import.meta.url));
const { SMTPServer } = require('smtp-server');
const { simpleParser } = require('mailparser');

const dir = mkdtempSync(join(tmpdir(), 'sondar-email-'));
const mails = [];
let smtp;
let smtpPort;
let configFile;

before(async () => {
  // A certificate for 127.0.0.1, which the collector is told to trust (--smtp-ca-file).
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  smtp = new SMTPServer({
    key: readFileSync(join(dir, 'key.pem')),
    cert: readFileSync(join(dir, 'cert.pem')),
    logger: false,
    // AUTH is offered only after STARTTLS (the server's default): a login proves the upgrade.
    onAuth(auth, session, done) {
      if (auth.username === 'cx' && auth.password === 's3cret pass') return done(null, { user: 'cx' });
      return done(new Error('bad login'));
    },
    onData(stream, session, done) {
      simpleParser(stream).then((mail) => {
        mails.push({ mail, secure: session.secure, user: session.user, to: session.envelope.rcptTo.map((r) => r.address) });
        done();
      }, done);
    },
  });
  await new Promise((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = smtp.server.address().port;
  writeFileSync(join(dir, 'password'), 's3cret pass\n');
  // The SMTP settings come from a config file, as an operator would keep them.
  configFile = join(dir, 'collector.toml');
  writeFileSync(configFile, [
    `smtp-url = "smtp://127.0.0.1:${smtpPort}"`,
    'smtp-from = "Shop feedback <feedback@shop.example>"',
    'smtp-user = "cx"',
    `smtp-password-file = "${join(dir, 'password')}"`,
    `smtp-ca-file = "${join(dir, 'cert.pem')}"`,
    'digest-hour = 0',
  ].join('\n'));
});
after(async () => {
  await new Promise((resolve) => smtp.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

test('an e-mail alert per matching response: STARTTLS and a login, both parts, the words escaped in HTML', async () => {
  const collector = await startCollector(join(dir, 'alerts.db'), ['--config', configFile]);
  try {
    const hook = await adminApi(collector, 'POST', '/api/webhooks', {
      url: 'mailto:cx@shop.example,lead@shop.example', template: 'email', surveys: ['order-nps'],
      when: { question: 'nps', op: 'lte', value: 6 },
    });
    assert.equal(hook.status, 201, JSON.stringify(hook.json));
    const start = mails.length;
    const p = payload({ answers: { nps: 2, why: '<script>alert(1)</script> Parcel & box crushed' }, hidden: { order_id: 'A-42', segment: 'vip' } });
    assert.equal((await post(collector.url, p)).status, 201);
    assert.equal((await post(collector.url, payload({ answers: { nps: 10 } }))).status, 201);
    await until('the alert e-mail', () => mails.length > start);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(mails.length, start + 1, 'one e-mail: the promoter sends none');
    const { mail, secure, user, to } = mails.at(-1);
    assert.equal(secure, true, 'sent after STARTTLS');
    assert.equal(user, 'cx');
    assert.deepEqual(to.sort(), ['cx@shop.example', 'lead@shop.example']);
    assert.equal(mail.from.value[0].address, 'feedback@shop.example');
    assert.match(mail.subject, /NPS 2 \(detractor\)/);
    assert.match(mail.text, /<script>alert\(1\)<\/script> Parcel & box crushed/);
    assert.match(mail.text, /order: A-42/);
    assert.ok(!mail.html.includes('<script>'), 'no markup from the customer');
    assert.match(mail.html, /&lt;script&gt;alert\(1\)&lt;\/script&gt; Parcel &amp; box crushed/);
    assert.match(mail.html, new RegExp(`href="http://127\\.0\\.0\\.1:\\d+/workspace/\\?view=responses&amp;survey=order-nps&amp;response=${p.responseId}"`));
    if (process.env.SONDAR_EMAIL_OUT) writeFileSync(join(process.env.SONDAR_EMAIL_OUT, 'alert.html'), mail.html);
    const [delivery] = (await adminApi(collector, 'GET', `/api/webhooks/${hook.json.id}/deliveries`)).json.deliveries;
    assert.equal(mail.messageId, `<${delivery.id}@sondar>`);
    assert.equal(delivery.state, 'delivered');
    assert.equal(delivery.lastStatus, 250);
  } finally {
    await collector.stop();
  }
});

test('the daily digest: the day before\'s scores with the change, the lowest-scored comments, once a day', async () => {
  const db = join(dir, 'digest.db');
  let collector = await startCollector(db, ['--config', configFile]);
  const DAY = 24 * 3600 * 1000;
  const today = Date.now() - (Date.now() % DAY);
  const yesterday = new Date(today - DAY).toISOString().slice(0, 10);
  const at = (dayStart, i) => new Date(dayStart + 12 * 3600 * 1000 + i * 60000).toISOString();
  let n = 0;
  const send = async (dayStart, nps, why) => {
    const p = payload({ visitorId: `v-${n}`, answers: { nps, ...(why ? { why } : {}) }, submittedAt: at(dayStart, n++), startedAt: at(dayStart, n) });
    p.startedAt = p.submittedAt;
    assert.equal((await post(collector.url, p, collector.auth)).status, 201);
  };
  // Yesterday: 2 promoters, 3 detractors with words. The day before: 4 promoters.
  for (const nps of [10, 9]) await send(today - DAY, nps);
  await send(today - DAY, 1, 'Never <b>again</b>');
  await send(today - DAY, 4, 'Slow delivery');
  await send(today - DAY, 0, 'Broken & late');
  for (let i = 0; i < 4; i++) await send(today - 2 * DAY, 10);
  const start = mails.length;
  try {
    const hook = await adminApi(collector, 'POST', '/api/webhooks', { url: 'mailto:boss@shop.example', template: 'digest', surveys: ['order-nps'] });
    assert.equal(hook.status, 201, JSON.stringify(hook.json));
    await until('the digest', () => mails.length > start);
    const { mail } = mails.at(-1);
    assert.match(mail.subject, new RegExp(`daily digest for ${yesterday} \\(5 responses\\)`));
    assert.match(mail.text, /NPS −20\.0 \(95% interval .* to .*\), 5 answers; −120\.0 since the period before/);
    const lines = mail.text.split('\n');
    const quoted = lines.filter((l) => l.startsWith('- NPS'));
    assert.deepEqual(quoted, ['- NPS 0: Broken & late', '- NPS 1: Never <b>again</b>', '- NPS 4: Slow delivery']);
    assert.ok(!mail.html.includes('<b>again'));
    assert.match(mail.html, /Never &lt;b&gt;again&lt;\/b&gt;/);
    assert.match(mail.html, /Lowest-scored comments/);
    if (process.env.SONDAR_EMAIL_OUT) writeFileSync(join(process.env.SONDAR_EMAIL_OUT, 'digest.html'), mail.html);
    // A restart (and the next looks) do not send the day's digest again.
    await collector.stop();
    collector = await startCollector(db, ['--config', configFile]);
    await new Promise((r) => setTimeout(r, 4000));
    assert.equal(mails.filter((m) => m.mail.subject.includes('daily digest')).length, 1);
    const deliveries = (await adminApi(collector, 'GET', `/api/webhooks/${hook.json.id}/deliveries`)).json.deliveries;
    assert.deepEqual(deliveries.map((d) => d.responseId), [`digest:order-nps:${yesterday}`]);
  } finally {
    await collector.stop();
  }
});

test('mailto: plain addresses only, and only where an SMTP server is set', async () => {
  const plain = await startCollector(join(dir, 'nomail.db'));
  const withMail = await startCollector(join(dir, 'mail.db'), ['--config', configFile]);
  try {
    const none = await adminApi(plain, 'POST', '/api/webhooks', { url: 'mailto:cx@shop.example', template: 'email', when: { question: 'nps', op: 'lte', value: 6 } });
    assert.equal(none.status, 422);
    assert.match(none.json.errors[0].message, /--smtp-url/);
    for (const url of ['mailto:cx@shop.example\r\nBcc: all@evil.example', 'mailto:cx@shop.example?bcc=all@evil.example',
      'mailto:<cx@shop.example>', 'mailto:', `mailto:${Array.from({ length: 11 }, (_, i) => `a${i}@shop.example`).join(',')}`]) {
      const r = await adminApi(withMail, 'POST', '/api/webhooks', { url, template: 'email', when: { question: 'nps', op: 'lte', value: 6 } });
      assert.equal(r.status, 422, url);
      assert.equal(r.json.errors[0].path, 'url');
    }
  } finally {
    await plain.stop();
    await withMail.stop();
  }
});
