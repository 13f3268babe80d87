#!/usr/bin/env bash
# Runs a coverage-guided fuzzing campaign on one target (cargo-fuzz / libFuzzer, stable Rust with
# `--sanitizer none`: the code is safe Rust, so the findings that matter are panics, aborts,
# timeouts and out-of-memory), then minimises the corpus in place.
#   scripts/fuzz.sh TARGET [SECONDS]        (default 3600)
#   scripts/fuzz.sh --list
# Targets and what they read: fuzz/bodies.rs. The committed corpora are replayed by `cargo test`
# (tests/it/fuzz_replay.rs); a crash input goes to fuzz/regressions/TARGET/ with its fix and test.
# Record each campaign in FUZZING.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "==> Installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi
cd fuzz
if [ "${1:-}" = "--list" ]; then
  exec cargo fuzz list
fi
target="${1:?usage: scripts/fuzz.sh TARGET [SECONDS] (scripts/fuzz.sh --list)}"
seconds="${2:-3600}"
mkdir -p "corpus/$target" "artifacts/$target"
# -rss_limit_mb: a reader that allocates past 2 GB is a finding (the XLSX bomb of issue #16).
# -timeout: one input taking over 10 s is a hang.
cargo fuzz run --sanitizer none --release "$target" "corpus/$target" -- \
  -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1
cargo fuzz cmin --sanitizer none --release "$target" "corpus/$target"
