#!/usr/bin/env bash
# Installs what is missing, then runs every test layer; exits non-zero on the first failure.
# Layers: format, lints (native and wasm32), native tests (unit, doc, integration, property, the
# core-import guard), browser tests (wasm-bindgen-test in headless Chromium), the release build,
# end-to-end and accessibility tests (Playwright + axe against the release build on 127.0.0.1),
# and the release size report against size-budget.json (printed last).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "Format"
cargo fmt --all --check

step "Lints, native"
cargo clippy --offline --all-targets -- -D warnings
step "Lints, wasm32"
cargo clippy --offline --all-targets --target wasm32-unknown-unknown -- -D warnings

step "API documentation builds without warnings (broken links, missing docs)"
RUSTDOCFLAGS="-D warnings" cargo doc --offline --no-deps --quiet

step "Native tests: unit, doc, integration, property, core-import guard"
cargo test --offline

step "Data files match their generating scripts"
for script in scripts/data/*.py; do
  [ -e "$script" ] || continue
  python3 "$script" --check
done
# The world map (node; its inputs are devDependencies that scripts/setup.sh installs with npm ci).
for script in scripts/data/*.mjs; do
  [ -e "$script" ] || continue
  node "$script" --check
done

step "Browser tests (wasm-bindgen-test, headless Chromium)"
CHROMEDRIVER=/usr/bin/chromedriver \
  cargo test --offline --target wasm32-unknown-unknown --test browser

step "Release build (trunk, offline)"
trunk build --offline --release

step "End-to-end and accessibility tests (Playwright + axe, release build on 127.0.0.1)"
node --test --test-concurrency=1 tests/e2e/

step "Release size"
node scripts/size-report.mjs
