#!/usr/bin/env node
// A static file server for the release build (dist/), as a real host serves it: the right MIME
// types (wasm as application/wasm), gzip when the browser accepts it, a validator (ETag) with 304
// answers to conditional requests, and optional extra headers.
// Used by scripts/serve.sh (the README's run command) and by the end-to-end tests' harness.
//
//     node scripts/static-server.mjs [DIR] [--port 8080] [--host 127.0.0.1]
//
// Node's standard library only, so that serving needs nothing the test packages bring.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';

export const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.png': 'image/png',
};

/** Types worth compressing (everything the app loads but the PNG screenshots). */
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.wasm', '.css', '.svg', '.json', '.webmanifest']);

/**
 * Serves `dir` on `host` at `port` (0: a free port). Resolves to { url, close, requests }, where
 * `requests` lists every request received as { path, at, status, bytes } (at = Date.now(); bytes:
 * the body sent, after compression).
 * Options: `headers` added to every answer; `gzip` (default true) compresses when the request
 * accepts it, as real hosts do.
 */
export async function serveStatic(dir, { headers = {}, gzip = true, port = 0, host = '127.0.0.1' } = {}) {
  const base = resolve(dir);
  const requests = [];
  const compressed = new Map();
  const server = createServer(async (req, res) => {
    const entry = { path: req.url, at: Date.now(), status: 0, bytes: 0 };
    requests.push(entry);
    try {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      let file = normalize(join(base, path));
      if (file !== base && !file.startsWith(base + sep)) {
        entry.status = 403;
        res.writeHead(403).end();
        return;
      }
      if ((await stat(file).catch(() => null))?.isDirectory()) file = join(file, 'index.html');
      let body = await readFile(file);
      const ext = extname(file);
      // A weak validator of the file's content, as static hosts send (nginx, GitHub Pages): the
      // browser asks again with If-None-Match and gets 304, no body, while the file is unchanged.
      const etag = `W/"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;
      const answer = {
        'content-type': TYPES[ext] ?? 'application/octet-stream',
        'cache-control': 'no-cache',
        vary: 'accept-encoding',
        etag,
        ...headers,
      };
      const known = (req.headers['if-none-match'] ?? '').split(',').map((t) => t.trim());
      if (known.includes(etag) || known.includes('*')) {
        entry.status = 304;
        res.writeHead(304, answer).end();
        return;
      }
      if (gzip && COMPRESSIBLE.has(ext) && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
        const key = `${file}:${body.length}`;
        if (!compressed.has(key)) compressed.set(key, gzipSync(body, { level: 9 }));
        body = compressed.get(key);
        answer['content-encoding'] = 'gzip';
      }
      entry.status = 200;
      entry.bytes = req.method === 'HEAD' ? 0 : body.length;
      res.writeHead(200, answer);
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      entry.status = 404;
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, ok);
  });
  const address = server.address();
  return {
    url: `http://${host}:${address.port}/`,
    requests,
    close: () => new Promise((ok) => server.close(ok)),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const at = args.indexOf(name);
    if (at < 0) return fallback;
    const [, value] = args.splice(at, 2);
    return value;
  };
  const port = Number(option('--port', '8080'));
  const host = option('--host', '127.0.0.1');
  const dir = args[0] ?? 'dist';
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`static-server: not a port: ${port}`);
    process.exit(2);
  }
  const served = await serveStatic(dir, { port, host }).catch((error) => {
    console.error(`static-server: cannot listen on ${host}:${port}: ${error.message}`);
    process.exit(1);
  });
  console.log(`Chokepoint: serving ${dir}/ on ${served.url} (Ctrl-C stops)`);
}
