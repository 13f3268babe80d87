// Trunk post_build hook (see Trunk.toml): hardens and completes the built site in Trunk's staging
// directory before it becomes dist/.
//
// 1. Content-Security-Policy: every top-level .html page gets a <meta http-equiv> policy as its
//    first child of <head>. Inline scripts (Trunk's module loader) are allowed by their SHA-256
//    hash only; everything else must come from the page's own origin. frame-ancestors cannot be
//    set from a <meta> element: hosts send it as a header (EMBEDDING.md, docs/PRIVACY.md).
// 2. Single-file build (single-file.mjs): dist/chokepoint-offline.html, the whole app in one file.
// 3. Service worker: sw.js is written from static/sw.template.js with the list of every file of
//    the build and a version derived from their contents, so a returning visitor gets the whole
//    app, lazily loaded workers included, from the cache, with or without a network.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { SINGLE_FILE, singleFile } from './single-file.mjs';

const staging = process.env.TRUNK_STAGING_DIR;
const source = process.env.TRUNK_SOURCE_DIR ?? process.cwd();
if (!staging) {
  console.error('postbuild: TRUNK_STAGING_DIR is not set (run through trunk build)');
  process.exit(1);
}

/** The policy for a page whose inline scripts hash to `hashes`. */
export function policy(hashes) {
  const scripts = ["'self'", "'wasm-unsafe-eval'", ...hashes.map((h) => `'sha256-${h}'`)];
  return [
    "default-src 'none'",
    `script-src ${scripts.join(' ')}`,
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    // Workers start from a blob: loader that imports the bundle (src/app/spawn.rs explains why).
    "worker-src 'self' blob:",
    "manifest-src 'self'",
    "frame-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "object-src 'none'",
  ].join('; ');
}

const inlineScript = /<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi;

function addPolicy(file) {
  let html = readFileSync(file, 'utf8');
  if (html.includes('http-equiv="Content-Security-Policy"')) return;
  const hashes = [...html.matchAll(inlineScript)].map((m) =>
    createHash('sha256').update(m[1], 'utf8').digest('base64'),
  );
  if (/\son[a-z]+\s*=/i.test(html.replace(inlineScript, ''))) {
    throw new Error(`${file}: inline event handler attributes are not allowed`);
  }
  const meta = `<meta http-equiv="Content-Security-Policy" content="${policy(hashes)}" />`;
  // Right after <meta charset> (which must stay within the first 1024 bytes), before any script.
  html = /<meta charset[^>]*>/i.test(html)
    ? html.replace(/(<meta charset[^>]*>)/i, `$1\n    ${meta}`)
    : html.replace(/<head>/i, `<head>\n    ${meta}`);
  writeFileSync(file, html);
  console.log(`postbuild: ${relative(staging, file)}: CSP with ${hashes.length} inline script hash(es)`);
}

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

// The single-file build carries its own, stricter policy (no address to load anything from).
const single = singleFile(staging);
console.log(`postbuild: ${SINGLE_FILE}: ${(single.bytes / 1e6).toFixed(1)} MB, workers: ${single.workers.join(', ')}`);

for (const name of readdirSync(staging)) {
  if (name.endsWith('.html') && name !== SINGLE_FILE) addPolicy(join(staging, name));
}

const cached = files(staging)
  .map((f) => relative(staging, f).split(sep).join('/'))
  // The single-file build is a download for air-gapped machines, not part of the app.
  .filter((f) => f !== 'sw.js' && f !== SINGLE_FILE && !f.endsWith('.map'))
  .sort();
const version = createHash('sha256');
for (const f of cached) version.update(f).update(readFileSync(join(staging, f)));
const template = readFileSync(join(source, 'static', 'sw.template.js'), 'utf8');
const sw = template
  .replace('__VERSION__', version.digest('hex').slice(0, 16))
  .replace('__FILES__', JSON.stringify(['./', ...cached.map((f) => `./${f}`)]));
writeFileSync(join(staging, 'sw.js'), sw);
console.log(`postbuild: sw.js caches ${cached.length} files`);
