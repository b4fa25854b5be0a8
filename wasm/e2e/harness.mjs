// What the browser tests share: named checks that report `ok`/`FAILED` and a final
// `N passed, M failed` line, and Debian's headless Chromium through playwright-core.
import { chromium } from 'playwright-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const results = [];

/** Runs one named check; a thrown error fails it with its first line. */
export async function check(name, fn) {
  try {
    await fn();
    results.push([name, true]);
    console.log(`ok     ${name}`);
  } catch (error) {
    results.push([name, false]);
    console.log(`FAILED ${name}\n       ${String(error.message).split('\n')[0]}`);
  }
}

export function expect(condition, message) {
  if (!condition) throw new Error(message);
}

/** A fresh Chromium profile (so no service worker or cache is left from another run). */
export function launch(viewport, options = {}) {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'sopro-e2e-')), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport,
    ...options,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Closes the browser, prints the count and exits non-zero on a failure. */
export async function finish(context) {
  await context.close();
  const failed = results.filter(([, ok]) => !ok).length;
  console.log(`${results.length - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
