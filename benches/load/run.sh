#!/usr/bin/env bash
# Load figures of `sopro serve` on this machine (loopback only), for benches/README.md:
#   - /v1/assess with the typical family at 64 connections (wrk, Debian's package), full and
#     brief explanation: requests/s, p50, p90, p99;
#   - /v1/batch against `sopro batch` on the same generated registry (100 000 families).
# Bounded: 10 s per wrk run, one registry. Run on a quiet machine: the figures are the
# machine's, not targets a test holds.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "installing wrk"; apt-get install -y wrk >/dev/null; }
cargo build -q --release --locked -p sopro-cli
sopro=./target/release/sopro
port=${SOPRO_LOAD_PORT:-18181}
work=target/load
mkdir -p "$work"
"$sopro" serve --rules rules/khmao --bind "127.0.0.1:$port" 2> "$work/serve.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done

echo "== /v1/assess, typical family, 64 connections, 10 s (wrk -t2)"
curl -sf "http://127.0.0.1:$port/v1/assess" -H 'Content-Type: application/json' \
  --data-binary @benches/data/typical.json -o /dev/null -w 'response %{size_download} bytes\n'
wrk -t2 -c64 -d10s -s benches/load/assess.lua "http://127.0.0.1:$port/v1/assess" | tail -n 1
echo "== the same, ?explain=brief"
wrk -t2 -c64 -d10s -s benches/load/assess.lua "http://127.0.0.1:$port/v1/assess?explain=brief" | tail -n 1

echo "== /v1/batch against sopro batch, 100 000 families"
[ -f "$work/registry.jsonl" ] || "$sopro" gen --rules rules/khmao --n 100000 --seed 7 -o "$work/registry.jsonl" 2>/dev/null
for run in 1 2 3; do
  /usr/bin/time -f '%e' -o "$work/cli.time" "$sopro" batch --rules rules/khmao --input "$work/registry.jsonl" \
    --output "$work/cli.jsonl" >/dev/null 2>&1
  /usr/bin/time -f '%e' -o "$work/http.time" curl -sf -X POST -T "$work/registry.jsonl" -H 'Content-Type: application/x-ndjson' \
    "http://127.0.0.1:$port/v1/batch" -o "$work/http.jsonl"
  cli=$(cat "$work/cli.time") http=$(cat "$work/http.time")
  same=$(cmp -s "$work/cli.jsonl" "$work/http.jsonl" && echo identical || echo DIFFERENT)
  echo "run $run: sopro batch ${cli} s, /v1/batch ${http} s ($(python3 -c "print(f'{$cli/$http*100:.0f}')") % of sopro batch's rate), rows $same"
done
