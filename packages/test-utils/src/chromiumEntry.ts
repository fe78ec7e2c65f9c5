// `@quant-trim/test-utils/chromium`: where Debian's Chromium is and how the tests start it (no
// dependency: each caller launches it with its own playwright-core).

/** Debian's `chromium` package (`apt-get install -y chromium`). */
export const CHROMIUM = '/usr/bin/chromium';

/** Headless flags: no sandbox (CI containers), no GPU, and nothing that reaches the network or does first-run work. */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
