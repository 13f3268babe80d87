#!/usr/bin/env bash
# Installs what is missing, then runs every test layer; exits non-zero on the first failure.
# Layers: format, lints (native and wasm32), native tests (unit, doc, integration, property, the
# core-import guard), the WebAssembly splitter's lints and tests, the data
# files against their scripts, the same data checks and native tests again in a fresh copy of the
# repository with nothing beside it (no upstream folder), browser tests
# (wasm-bindgen-test in headless Chromium), the release build, end-to-end and accessibility tests
# (Playwright + axe against the release build on 127.0.0.1), the release size report against
# size-budget.json, and last the tests that reported themselves skipped, with the reason.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

# Tests that cannot run here (the RMI templates are never in the repository) say so in their own
# output and append a line to this log; the summary at the end counts them.
mkdir -p target
export CHOKEPOINT_SKIP_LOG="$PWD/target/skipped-tests.log"
fresh_skips="$PWD/target/skipped-tests-fresh-copy.log"
: > "$CHOKEPOINT_SKIP_LOG"
: > "$fresh_skips"

data_checks() {
  for script in scripts/data/*.py; do
    [ -e "$script" ] || continue
    python3 "$script" --check
  done
  # The world map (node; topojson-client is a devDependency that scripts/setup.sh installs).
  for script in scripts/data/*.mjs; do
    [ -e "$script" ] || continue
    node "$script" --check
  done
}

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

step "The build's tool that splits the app's WebAssembly (tools/wasm-split): lints and tests"
cargo clippy --offline -p wasm-split --all-targets -- -D warnings
cargo test --offline -p wasm-split

step "Data files match their generating scripts"
data_checks

step "Self-contained: data checks and native tests in a fresh copy with nothing beside it"
# The files a clone gets (tracked, plus new ones git does not ignore) in an empty folder, so that
# the team's upstream folder is not beside it. It builds into this target directory, so the
# dependencies are reused; its files are dated now (as a clone's are), so cargo compiles the
# project's own crate again, with the copy's paths compiled in. Afterwards src/lib.rs is touched
# here, so that the next build here compiles this tree's crate again.
scratch="$(mktemp -d)"
root="$PWD"
cleanup() { rm -rf "$scratch"; touch "$root/src/lib.rs"; }
trap cleanup EXIT
copy="$scratch/chokepoint"
mkdir "$copy"
git ls-files -z --cached --others --exclude-standard |
  tar --null --files-from=- --ignore-failed-read -cf - 2>/dev/null | tar -xmf - -C "$copy"
[ ! -e "$scratch/shared" ] || { echo "the fresh copy has an upstream folder beside it" >&2; exit 1; }
ln -s "$root/node_modules" "$copy/node_modules"
(
  cd "$copy"
  unset CHOKEPOINT_RMI_DIR
  export CHOKEPOINT_SKIP_LOG="$fresh_skips"
  data_checks
  CARGO_TARGET_DIR="$root/target" cargo test --offline
)
# The RMI tests must have found no templates there: proof that the tests ran from the copy.
if ! [ -s "$fresh_skips" ]; then
  echo "the fresh copy's tests reported no RMI test skipped: they did not run from the copy" >&2
  exit 1
fi
cleanup
trap - EXIT

step "Browser tests (wasm-bindgen-test, headless Chromium)"
CHROMEDRIVER="$(command -v chromedriver)" \
  cargo test --offline --target wasm32-unknown-unknown --test browser

step "Release build (trunk, offline)"
trunk build --offline --release

step "End-to-end and accessibility tests (Playwright + axe, release build on 127.0.0.1)"
node --test --test-concurrency=1 tests/e2e/

step "Release size"
node scripts/size-report.mjs

step "Skipped tests"
# Each log line is: runner <TAB> test <TAB> reason. Listed by reason, then counted.
summarise() {
  awk -F '\t' '{ n[$3]++; names[$3] = names[$3] "    " $1 ": " $2 "\n" }
    END { for (r in n) printf "  %d skipped: %s\n%s", n[r], r, names[r] }' "$1"
}
summarise "$CHOKEPOINT_SKIP_LOG"
echo "Skipped here: $(grep -c . "$CHOKEPOINT_SKIP_LOG" || true) test(s) or step(s), each with its reason above."
echo "Skipped in the fresh copy, as expected there (RMI files are never in the repository): $(grep -c . "$fresh_skips" || true)."
