/** Debian's chromium for the browser tests (playwright-core drives it; nothing is downloaded). */
export const CHROMIUM = process.env.MASKDCPT_CHROMIUM ?? '/usr/bin/chromium';

// As root the sandbox cannot start; the network is closed, so anything that phones home is off.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
