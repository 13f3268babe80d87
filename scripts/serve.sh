#!/usr/bin/env bash
# Installs what building and serving needs and is missing, builds the release build (what users
# get: optimised, wasm-opt'ed bundles, the service worker, the Content-Security-Policy), then serves
# dist/ on 127.0.0.1 with gzip, as a static host would. The page opens on the demo portfolio,
# computed from the embedded default data.
#   scripts/serve.sh [PORT]    (default 8080)
set -euo pipefail
cd "$(dirname "$0")/.."
port="${1:-${PORT:-8080}}"
case "$port" in
  ''|*[!0-9]*) echo "usage: scripts/serve.sh [PORT]" >&2; exit 2 ;;
esac
scripts/setup.sh --serve
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
echo "==> Release build (trunk, offline)"
trunk build --offline --release
exec node scripts/static-server.mjs dist --port "$port"
