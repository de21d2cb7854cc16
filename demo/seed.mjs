// Posts generated responses to a running collector so the workspace has history to show.
//   SONDAR_ADMIN_TOKEN=... node demo/seed.mjs http://127.0.0.1:8787 FILE.jsonl...
// With the admin token the posts are an import: the per-address rate limit and the per-visitor
// cap, which are for anonymous posters, do not apply.
import { readFileSync } from 'node:fs';

const [url, ...files] = process.argv.slice(2);
const headers = { 'Content-Type': 'application/json' };
if (process.env.SONDAR_ADMIN_TOKEN) headers.Authorization = `Bearer ${process.env.SONDAR_ADMIN_TOKEN}`;
let sent = 0;
let refused = 0;
for (const file of files) {
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  for (let i = 0; i < lines.length; i += 16) {
    const batch = lines.slice(i, i + 16).map((body) =>
      fetch(`${url}/api/responses`, { method: 'POST', headers, body }).then((r) => (r.ok ? sent++ : refused++)),
    );
    await Promise.all(batch);
  }
}
console.log(`seeded ${sent} responses${refused ? `, ${refused} refused` : ''}`);
