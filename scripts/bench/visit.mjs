#!/usr/bin/env node
// What a first visit transfers over the network, as a static host serves the build: the release
// build in dist/ (or DIR) behind scripts/static-server.mjs (gzip, a validator, 304 answers), a
// fresh headless Chromium profile, the page loaded until its offline copy is installed, then the
// Scenarios page with a simulation run and every other page. Prints each request the host
// answered (status, gzip bytes of the body, path) and the total. A benchmark, not a test: the
// end-to-end test tests/e2e/weight.test.mjs holds that no file is sent twice.
//
//     node scripts/bench/visit.mjs [DIR]
import { resolve } from 'node:path';
import { launchBrowser, visitEveryPage } from '../../tests/e2e/harness.mjs';
import { serveStatic } from '../static-server.mjs';

const dir = resolve(process.argv[2] ?? new URL('../../dist', import.meta.url).pathname);
const server = await serveStatic(dir);
const browser = await launchBrowser();
try {
  const page = await (await browser.newContext()).newPage();
  await visitEveryPage(page, server.url);
  const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
  for (const r of server.requests) console.log(`${r.status}  ${kb(r.bytes).padStart(9)}  ${r.path}`);
  const total = server.requests.reduce((s, r) => s + r.bytes, 0);
  const revalidated = server.requests.filter((r) => r.status === 304).length;
  console.log(`whole visit: ${kb(total)} in ${server.requests.length} requests (${revalidated} answered 304)`);
} finally {
  await browser.close();
  await server.close();
}
