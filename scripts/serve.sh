#!/usr/bin/env bash
# Installs what is missing, then serves the app on 127.0.0.1 with the embedded default data and
# the demo portfolio. Usage: scripts/serve.sh [PORT]   (default 8080)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
port="${1:-${PORT:-8080}}"
echo "Chokepoint: serving on http://127.0.0.1:$port/ (Ctrl-C stops)"
exec trunk serve --offline --address 127.0.0.1 --port "$port"
