#!/usr/bin/env node
// When a first visit on a slow phone sees what: the release build in dist/ (or DIR) behind
// scripts/static-server.mjs (gzip), headless Chromium at 390x844 with Lighthouse's mobile
// throttling applied by the DevTools protocol (150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up,
// a fourfold CPU slowdown), the service worker blocked. For each run, milliseconds from the
// navigation to: the app's own first screen (the prerendered copy replaced), the first material
// of the table per material and stage, the table drawn whole, and the editor's lines drawn. Then
// the median of each. A benchmark, not a test (BENCHMARKS.md, "Size: what the first page load
// transfers").
//
//     node scripts/bench/phone-start.mjs [DIR] [--runs N]
import { resolve } from 'node:path';
import { launchBrowser } from '../../tests/e2e/harness.mjs';
import { serveStatic } from '../static-server.mjs';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 5;
const dir = resolve(args[0] ?? new URL('../../dist', import.meta.url).pathname);
const server = await serveStatic(dir);
const browser = await launchBrowser();

// Polled in the page from the start: the first time each thing is there.
const watch = () => {
  const seen = {};
  const marks = {
    app: () => document.querySelector('[data-testid="app-ready"]'),
    table: () => document.querySelector('[data-testid="material-row"]'),
    tableWhole: () =>
      document.querySelector('[data-testid="material-row"]') && document.querySelector('[data-testid="charts-place"]'),
    editor: () => document.querySelector('.editor-lines:not([aria-busy]) [data-testid="line-editor"]'),
  };
  const poll = () => {
    for (const [name, found] of Object.entries(marks)) {
      if (!(name in seen) && found()) seen[name] = Math.round(performance.now());
    }
    window.__seen = seen;
    if (Object.keys(seen).length < Object.keys(marks).length) requestAnimationFrame(poll);
  };
  document.addEventListener('DOMContentLoaded', poll);
};

const results = [];
try {
  for (let run = 1; run <= runs; run += 1) {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, serviceWorkers: 'block' });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 150,
      downloadThroughput: (1.6 * 1024 * 1024) / 8,
      uploadThroughput: (750 * 1024) / 8,
    });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    await page.addInitScript(watch);
    await page.goto(server.url);
    await page.waitForFunction(() => window.__seen && Object.keys(window.__seen).length === 4, null, {
      timeout: 120_000,
      polling: 200,
    });
    const seen = await page.evaluate(() => window.__seen);
    results.push(seen);
    console.log(`run ${run}: ${JSON.stringify(seen)}`);
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
}
const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
const names = Object.keys(results[0]);
console.log(
  `medians of ${runs} runs (ms from navigation): ` +
    names.map((name) => `${name} ${median(results.map((r) => r[name]))}`).join(', '),
);
