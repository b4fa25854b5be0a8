#!/usr/bin/env bash
# Runs every test of the project: formatting, lints, the Rust tests of every crate, the test
# cases of every bundled rule set (`sopro test`), the programme as DOCX and HTML (read by
# python-docx, printed by Chromium), the HTTP service against its OpenAPI document
# (schemathesis), and the browser build: its package (with the
# size budget), its TypeScript declarations as a consumer uses them, native/WASM parity in
# headless Chromium, and the intake page end to end.
# Installs what it needs first (scripts/setup.sh). Ends with a line `N passed, M failed`.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# SOPRO_BLESS rewrites the golden files and schemas instead of checking them: never here.
unset SOPRO_BLESS

echo "== setup"
bash scripts/setup.sh

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -q -- -D warnings
echo "== cargo test --workspace"
cargo test --workspace --locked 2>&1 | tee target/cargo-test.log
echo "== supply chain (cargo-deny: advisories, licenses, sources)"
bash scripts/supply-chain.sh
echo "== benchmarks compile"
cargo check --benches -p sopro-benches --locked -q

passed=0
failed=0
for log_line in $(grep -E '^test result:' target/cargo-test.log | sed -E 's/.* ([0-9]+) passed; ([0-9]+) failed.*/\1:\2/'); do
  passed=$((passed + ${log_line%%:*}))
  failed=$((failed + ${log_line##*:}))
done
# A test run that printed no results ran nothing: fail rather than count zero.
[ "$passed" -ge 60 ] || { echo "error: only $passed Rust tests passed; expected at least 60"; exit 1; }

echo "== sopro test (every bundled rule set)"
cargo build -q --locked -p sopro-cli
rule_sets=0
for dir in rules/*/*/ rules/examples/*/*/; do
  [ -f "$dir/ruleset.yaml" ] || continue
  rule_sets=$((rule_sets + 1))
  out=$(./target/debug/sopro test "$dir" --require-full-coverage) || { echo "$out"; exit 1; }
  echo "$out" | tail -n 2
  last=$(echo "$out" | tail -n 1)
  passed=$((passed + $(echo "$last" | sed -E 's/^([0-9]+) passed.*/\1/')))
  failed=$((failed + $(echo "$last" | sed -E 's/.* ([0-9]+) failed$/\1/')))
done
[ "$rule_sets" -ge 3 ] || { echo "error: only $rule_sets bundled rule sets found under rules/"; exit 1; }

echo "== the programme (ИПСС) as documents: DOCX read by python-docx, HTML printed by Chromium; the history page"
bash scripts/programme-docs.sh | tee target/programme-docs.log
docs_ok=$(grep -c '^ok ' target/programme-docs.log || true)
[ "$docs_ok" -eq 3 ] || { echo "error: the programme documents and the history page were not all checked"; exit 1; }
passed=$((passed + docs_ok))

echo "== the HTTP service against its OpenAPI document (openapi-spec-validator, schemathesis)"
bash scripts/api-fuzz.sh | tee target/api-fuzz-checks.log
api_ok=$(grep -c '^ok ' target/api-fuzz-checks.log || true)
[ "$api_ok" -eq 2 ] || { echo "error: the HTTP service's checks did not all run"; exit 1; }
passed=$((passed + api_ok))

echo "== browser build: package, parity in Chromium, intake page end to end"
bash wasm/build.sh
echo "== TypeScript consumer of the package (tsc, moduleResolution nodenext and bundler)"
bash wasm/ts-consumer/check.sh | tee target/ts-consumer.log
ts_line=$(tail -n 1 target/ts-consumer.log)
echo "$ts_line" | grep -Eq '^typescript consumer: [0-9]+ passed, [0-9]+ failed$' || { echo "error: the TypeScript check ended without its count"; exit 1; }
ts_passed=$(echo "$ts_line" | sed -E 's/^typescript consumer: ([0-9]+) passed.*/\1/')
[ "$ts_passed" -ge 2 ] || { echo "error: the TypeScript check ran fewer than its 2 configurations"; exit 1; }
passed=$((passed + ts_passed))
failed=$((failed + $(echo "$ts_line" | sed -E 's/.* ([0-9]+) failed$/\1/')))
CHROMEDRIVER=/usr/bin/chromedriver CARGO_PROFILE_DEV_DEBUG=false \
  cargo test --locked -p sopro-wasm --target wasm32-unknown-unknown --test web 2>&1 | tee target/wasm-test.log
wasm_line=$(grep -E '^test result:' target/wasm-test.log | tail -n 1 | sed -E 's/.* ([0-9]+) passed; ([0-9]+) failed.*/\1:\2/')
[ -n "$wasm_line" ] && [ "${wasm_line%%:*}" -ge 2 ] || { echo "error: the browser tests reported no results"; exit 1; }
passed=$((passed + ${wasm_line%%:*}))
failed=$((failed + ${wasm_line##*:}))

# A free port, so that a server left over from another run is never the one tested.
port=${SOPRO_E2E_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
python3 -m http.server "$port" --bind 127.0.0.1 --directory wasm >target/e2e-server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
ready=
for _ in $(seq 100); do
  kill -0 "$server" 2>/dev/null || break
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then ready=1; break; fi
  sleep 0.1
done
[ -n "$ready" ] || { echo "error: the page server did not start on port $port"; cat target/e2e-server.log; exit 1; }
node wasm/e2e/e2e.mjs "http://127.0.0.1:$port/www/" target/e2e | tee target/e2e.log
e2e_line=$(tail -n 1 target/e2e.log)
echo "$e2e_line" | grep -Eq '^[0-9]+ passed, [0-9]+ failed$' || { echo "error: the page test ended without its count"; exit 1; }
passed=$((passed + $(echo "$e2e_line" | sed -E 's/^([0-9]+) passed.*/\1/')))
failed=$((failed + $(echo "$e2e_line" | sed -E 's/.* ([0-9]+) failed$/\1/')))

echo "== the rule studio end to end (edit, check, tests, compare, offline)"
node wasm/e2e/studio.mjs "http://127.0.0.1:$port/www/studio/" target/e2e-studio | tee target/e2e-studio.log
studio_line=$(tail -n 1 target/e2e-studio.log)
echo "$studio_line" | grep -Eq '^[0-9]+ passed, [0-9]+ failed$' || { echo "error: the studio test ended without its count"; exit 1; }
passed=$((passed + $(echo "$studio_line" | sed -E 's/^([0-9]+) passed.*/\1/')))
failed=$((failed + $(echo "$studio_line" | sed -E 's/.* ([0-9]+) failed$/\1/')))

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
