#!/usr/bin/env bash
# Runs every test of the project: formatting, lints, the Rust tests of every crate, and the
# test cases of every bundled rule set (`sopro test`). Ends with a line `N passed, M failed`.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -q -- -D warnings
echo "== cargo test --workspace"
cargo test --workspace --locked 2>&1 | tee target/cargo-test.log
echo "== benchmarks compile"
cargo check --benches -p sopro-benches --locked -q

passed=0
failed=0
for log_line in $(grep -E '^test result:' target/cargo-test.log | sed -E 's/.* ([0-9]+) passed; ([0-9]+) failed.*/\1:\2/'); do
  passed=$((passed + ${log_line%%:*}))
  failed=$((failed + ${log_line##*:}))
done

echo "== sopro test (every bundled rule set)"
cargo build -q --locked -p sopro-cli
for dir in rules/*/*/; do
  [ -f "$dir/ruleset.yaml" ] || continue
  out=$(./target/debug/sopro test "$dir" --require-full-coverage) || { echo "$out"; exit 1; }
  echo "$out" | tail -n 2
  last=$(echo "$out" | tail -n 1)
  passed=$((passed + $(echo "$last" | sed -E 's/^([0-9]+) passed.*/\1/')))
  failed=$((failed + $(echo "$last" | sed -E 's/.* ([0-9]+) failed$/\1/')))
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
