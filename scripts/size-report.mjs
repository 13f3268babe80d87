// Prints the gzip-compressed size of what the first page load transfers (the .wasm, .js and
// .css of dist/) and of a whole visit (the first load, the page itself and every bundle the app
// loads later: the pages' module and the start scripts), and fails when either is over its budget
// in size-budget.json, or when an embedded document is in both modules.
import { readdirSync, readFileSync } from 'node:fs';
import { join, extname } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = new URL('..', import.meta.url).pathname;
// `node scripts/size-report.mjs [DIR]`: dist/ of this repository unless another build is named.
const dist = process.argv[2] ?? join(root, 'dist');
const budget = JSON.parse(readFileSync(join(root, 'size-budget.json'), 'utf8'));
const lazy = new RegExp(budget.not_first_load_pattern ?? '^$');
// What partners load (the embed widget, the JavaScript API), not a visit of the app.
const notApp = new RegExp(budget.not_app_pattern ?? '^$');
const gzip = (name) => gzipSync(readFileSync(join(dist, name)), { level: 9 }).length;

const rows = [];
for (const name of readdirSync(dist).sort()) {
  const ext = extname(name);
  if (!['.wasm', '.js', '.css'].includes(ext) || lazy.test(name)) continue;
  const raw = readFileSync(join(dist, name));
  rows.push({ name, ext, raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length });
}
const kb = (n) => (n / 1000).toFixed(1).padStart(8) + ' KB';
console.log('\nRelease build size (first page load, gzip -9):');
for (const ext of ['.wasm', '.js', '.css']) {
  const of = rows.filter((r) => r.ext === ext);
  const gz = of.reduce((s, r) => s + r.gzip, 0);
  const raw = of.reduce((s, r) => s + r.raw, 0);
  console.log(`  ${ext.padEnd(6)}${kb(gz)} gzip  (${kb(raw).trim()} raw, ${of.map((r) => r.name).join(', ')})`);
}
// The bundles loaded later, when a page, worker or export first needs them (for the record).
const later = new Map();
for (const name of readdirSync(dist).sort()) {
  const ext = extname(name);
  if (!['.wasm', '.js'].includes(ext) || !lazy.test(name)) continue;
  const bundle = name.replace(/(_bg)?\.(wasm|js)$/, '');
  later.set(bundle, (later.get(bundle) ?? 0) + gzip(name));
}
console.log('Loaded later, when first needed (gzip -9, .wasm + .js):');
for (const [bundle, gz] of later) console.log(`  ${bundle.padEnd(24)}${kb(gz)}${notApp.test(bundle) ? '  (not the app: partners)' : ''}`);
const total = rows.reduce((s, r) => s + r.gzip, 0);
const limit = budget.first_load_gzip_bytes;
console.log(`  first load ${kb(total)} gzip  of a budget of ${(limit / 1000).toFixed(0)} KB (${((100 * total) / limit).toFixed(0)} %)`);

// A visit that opens every page of the app: the page (index.html, which holds the prerendered
// first screen), the first load, and every later bundle of the app.
const page = gzip('index.html');
const laterApp = [...later].filter(([bundle]) => !notApp.test(bundle)).reduce((s, [, gz]) => s + gz, 0);
const visit = page + total + laterApp;
const visitLimit = budget.whole_visit_gzip_bytes;
console.log(
  `  whole visit ${kb(visit)} gzip  (index.html ${kb(page).trim()}, first load ${kb(total).trim()}, later ${kb(laterApp).trim()})` +
    (visitLimit ? ` of a budget of ${(visitLimit / 1000).toFixed(0)} KB (${((100 * visit) / visitLimit).toFixed(0)} %)` : ''),
);
if (rows.length === 0 || !rows.some((r) => r.ext === '.wasm')) {
  console.error('size report: no .wasm in dist/: build first');
  process.exit(1);
}
// The build's split (tools/wasm-split) carries each embedded document once: the reference data
// and the trade table, which the app's start reads, in the app's module; the policy rules, which
// only the pages' part reads (the table's policy checks, the Sources page), in the pages' module.
// A slice from the middle of each document must be in its module and not in the other one,
// which uses that module's copy.
const mainRow = rows.find((r) => r.ext === '.wasm');
const mainWasm = mainRow ? readFileSync(join(dist, mainRow.name)) : Buffer.alloc(0);
const pagesWasm = readFileSync(join(dist, 'chokepoint-pages_bg.wasm'));
const carriers = { 'reference.json': 'app', 'trade.json': 'app', 'policy_rules.json': 'pages' };
for (const [file, carrier] of Object.entries(carriers)) {
  const text = readFileSync(join(root, 'data', file));
  const slice = text.subarray(Math.floor(text.length / 2), Math.floor(text.length / 2) + 64);
  const [own, other] = carrier === 'app' ? [mainWasm, pagesWasm] : [pagesWasm, mainWasm];
  if (!own.includes(slice)) {
    console.error(`size report: the ${carrier} module does not carry data/${file}: the check below cannot see it`);
    process.exit(1);
  }
  if (other.includes(slice)) {
    console.error(`size report: data/${file} is in both modules: the ${carrier === 'app' ? 'pages' : "app's"} module carries a copy (tools/wasm-split)`);
    process.exit(1);
  }
}
if (total > limit) {
  console.error(`size report: ${total} bytes gzip is over the budget of ${limit} bytes`);
  process.exit(1);
}
if (visitLimit && visit > visitLimit) {
  console.error(`size report: the whole visit, ${visit} bytes gzip, is over its budget of ${visitLimit} bytes`);
  process.exit(1);
}
