// Debian's Chromium driven by playwright-core (never a downloaded browser), headless, with the
// flags that keep it off the network this machine does not have.
import { chromium } from '../../web/node_modules/playwright-core/index.mjs';

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      // A name for loopback that is not "potentially trustworthy": pages on http://sondar.test are
      // what a plain-http shop is, not a secure context.
      '--host-resolver-rules=MAP sondar.test 127.0.0.1',
    ],
  });
}

export const screenshots = new URL('../../build/e2e-screenshots/', import.meta.url).pathname;
