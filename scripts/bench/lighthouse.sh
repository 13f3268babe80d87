#!/usr/bin/env bash
# Lighthouse benchmark of the release build, as a phone visitor gets it: Lighthouse 12.2.3 (mobile
# preset: simulated slow 4G and 4x CPU slowdown) with Debian's Chromium, against dist/ served with
# gzip by scripts/static-server.mjs on 127.0.0.1. Prints each run and the median run (by
# performance score) of performance, LCP, TBT, CLS and accessibility, with the machine's load.
# A benchmark, not a test: record results in BENCHMARKS.md with the load it printed.
#
#   scripts/bench/lighthouse.sh [--runs N] [--no-build] [--url-path /#/path]
#
# Lighthouse is installed on first use into target/bench-tools (not a project dependency: CI never
# needs it). Reports: target/bench/lighthouse-<run>.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
runs=5
build=1
url_path="/"
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --url-path) url_path="$2"; shift 2 ;;
    *) echo "usage: scripts/bench/lighthouse.sh [--runs N] [--no-build] [--url-path PATH]" >&2; exit 2 ;;
  esac
done
export PATH="$HOME/.cargo/bin:$root/node_modules/.bin:$PATH"
chrome="${CHROME_PATH:-/usr/bin/chromium}"
[ -x "$chrome" ] || { echo "no Chromium at $chrome (set CHROME_PATH)" >&2; exit 1; }

tools="$root/target/bench-tools"
if [ ! -x "$tools/node_modules/.bin/lighthouse" ]; then
  echo "==> Installing lighthouse 12.2.3 into target/bench-tools"
  mkdir -p "$tools"
  [ -f "$tools/package.json" ] || echo '{"private":true}' > "$tools/package.json"
  npm install --prefix "$tools" --no-audit --no-fund --save-exact lighthouse@12.2.3 >/dev/null
fi

if [ "$build" = 1 ]; then
  echo "==> Release build (trunk, offline)"
  trunk build --offline --release
fi
[ -f dist/index.html ] || { echo "no dist/index.html: build first" >&2; exit 1; }

port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
node scripts/static-server.mjs dist --port "$port" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break
  sleep 0.2
done

out="$root/target/bench"
mkdir -p "$out"
rm -f "$out"/lighthouse-*.json
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for i in $(seq "$runs"); do
  echo "==> Lighthouse run $i of $runs"
  CHROME_PATH="$chrome" "$tools/node_modules/.bin/lighthouse" "http://127.0.0.1:$port$url_path" \
    --quiet --output=json --output-path="$out/lighthouse-$i.json" \
    --only-categories=performance,accessibility \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

node - "$out" "$runs" "$load_before" "$load_after" <<'JS'
const fs = require('fs');
const [dir, runs, before, after] = process.argv.slice(2);
const rows = [];
for (let i = 1; i <= Number(runs); i++) {
  const r = JSON.parse(fs.readFileSync(`${dir}/lighthouse-${i}.json`, 'utf8'));
  const a = r.audits;
  const failed = Object.values(a)
    .filter((x) => x.score === 0 && r.categories.accessibility.auditRefs.some((ref) => ref.id === x.id && ref.weight > 0))
    .map((x) => x.id);
  rows.push({
    run: i,
    performance: Math.round(r.categories.performance.score * 100),
    lcp_ms: Math.round(a['largest-contentful-paint'].numericValue),
    fcp_ms: Math.round(a['first-contentful-paint'].numericValue),
    tbt_ms: Math.round(a['total-blocking-time'].numericValue),
    cls: Number(a['cumulative-layout-shift'].numericValue.toFixed(3)),
    accessibility: Math.round(r.categories.accessibility.score * 100),
    failing_a11y: failed.join(' ') || '-',
  });
}
console.table(rows);
const sorted = [...rows].sort((x, y) => x.performance - y.performance || y.lcp_ms - x.lcp_ms);
const median = sorted[Math.floor((sorted.length - 1) / 2)];
console.log(`median run (by performance): ${JSON.stringify(median)}`);
const med = (k) => { const v = rows.map((r) => r[k]).sort((x, y) => x - y); return v[Math.floor((v.length - 1) / 2)]; };
console.log(`per-metric medians: performance ${med('performance')}, LCP ${med('lcp_ms')} ms, ` +
  `FCP ${med('fcp_ms')} ms, TBT ${med('tbt_ms')} ms, CLS ${med('cls')}, accessibility ${med('accessibility')}`);
console.log(`load average (1/5/15 min): before ${before}, after ${after}; cores: ${require('os').cpus().length}`);
JS
