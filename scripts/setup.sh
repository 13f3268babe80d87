#!/usr/bin/env bash
# Installs whatever the project needs and is missing; a second run skips what is there.
#   scripts/setup.sh           everything the tests need (scripts/test.sh)
#   scripts/setup.sh --serve   only what building and serving the release build needs
#                              (scripts/serve.sh): no browser, no test packages
# Needs: a Debian machine with rustup, cargo, node and npm. Everything comes from the package
# registries (crates.io, npm, Debian); no tool downloads a binary or a browser of its own.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=test
case "${1:-}" in
  "") ;;
  --serve) mode=serve ;;
  *) echo "usage: scripts/setup.sh [--serve]" >&2; exit 2 ;;
esac

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=0.2.130
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

step() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# Rust toolchain and the wasm32 target, as pinned in rust-toolchain.toml.
if ! rustup toolchain list | grep -q '^1\.95\.0' ||
   ! rustup target list --installed --toolchain 1.95.0 | grep -q wasm32-unknown-unknown ||
   ! rustup component list --installed --toolchain 1.95.0 | grep -q clippy; then
  step "Installing the Rust toolchain from rust-toolchain.toml"
  rustup toolchain install
fi

# Trunk (0.22 needs a newer rustc than 1.95).
if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  step "Installing trunk $TRUNK_VERSION (takes several minutes)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

# wasm-bindgen-cli, the same version as the wasm-bindgen crate (also provides the test runner).
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  step "Installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# Debian's Chromium and ChromeDriver for the browser tests.
if [ "$mode" = test ] && { ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; }; then
  step "Installing chromium and chromium-driver from Debian"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium chromium-driver
fi

# Node packages, reinstalled when the lock file changes. Serving needs only binaryen (wasm-opt,
# the "dependencies"); the tests also need the "devDependencies" (playwright-core,
# @axe-core/playwright, topojson-client for the world-map check).
full=node_modules/.package-lock.stamp
serve_only=node_modules/.package-lock.serve.stamp
if [ "$mode" = test ]; then
  if [ ! -f "$full" ] || ! cmp -s package-lock.json "$full"; then
    step "Installing node packages"
    npm ci --no-audit --no-fund
    cp package-lock.json "$full"
  fi
elif { [ ! -f "$full" ] || ! cmp -s package-lock.json "$full"; } &&
     { [ ! -f "$serve_only" ] || ! cmp -s package-lock.json "$serve_only"; }; then
  step "Installing node packages for the build (binaryen)"
  npm ci --omit=dev --no-audit --no-fund
  cp package-lock.json "$serve_only"
fi

# Crates, so that every later build can run offline.
cargo fetch --quiet
cargo fetch --quiet --target wasm32-unknown-unknown
