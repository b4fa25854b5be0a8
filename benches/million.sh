#!/usr/bin/env bash
# The 1M-family acceptance run of `sopro batch` (not part of the test command: ~2 minutes and
# 2 GB of disk): a generated registry with deliberately broken lines at known places must come
# out with exactly one row per record, the broken ones as error rows by record number, and no
# answer value of theirs anywhere in the output.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
dir=target/million
mkdir -p "$dir"
cargo build -q --release --locked -p sopro-cli
sopro=target/release/sopro

[ -f "$dir/clean-$n.jsonl" ] || $sopro gen --n "$n" --seed 7 -o "$dir/clean-$n.jsonl"
# Break five lines: bad JSON carrying a name, invalid answers carrying a name, invalid UTF-8,
# an empty object, and a truncated last line.
python3 - "$dir/clean-$n.jsonl" "$dir/broken-$n.jsonl" "$n" <<'PY'
import sys
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
broken = {
    n // 5: b'{"as_of": "2026-03-10", "note": "Petrova Secret", \n',
    2 * n // 5: b'{"as_of": "2026-03-10", "members": [{"id": "m1", "role": "Ivanova Secret"}]}\n',
    3 * n // 5: b'\xff\xfe\xfd\n',
    4 * n // 5: b'{}\n',
}
with open(src, 'rb') as i, open(dst, 'wb') as o:
    for number, line in enumerate(i, 1):
        o.write(broken.get(number, line))
    o.write(b'{"as_of": "2026-03-10", "members": [{"id": "m1", "note": "Sidorova Secret')
PY
/usr/bin/time -v $sopro batch --rules rules/khmao --input "$dir/broken-$n.jsonl" --output "$dir/out-$n.csv" \
  2> "$dir/time.log"
grep -E "records|Maximum resident|Elapsed" "$dir/time.log"

rows=$(($(wc -l < "$dir/out-$n.csv") - 1))
expected=$((n + 1))
echo "rows: $rows (expected $expected)"
[ "$rows" -eq "$expected" ]
for record in $((n / 5)) $((2 * n / 5)) $((3 * n / 5)) $((4 * n / 5)) $((n + 1)); do
  row=$(grep -m1 "^$record," "$dir/out-$n.csv")
  echo "  $row"
  case "$row" in *bad_json*|*invalid_answers*|*bad_utf8*) ;; *) echo "record $record is not an error row"; exit 1;; esac
done
if grep -q "Secret" "$dir/out-$n.csv"; then echo "an answer value leaked"; exit 1; fi
echo "every record accounted for; no answer value in the output"
