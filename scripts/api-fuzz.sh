#!/usr/bin/env bash
# The HTTP service against its own OpenAPI document, with real tools from PyPI (pinned, in a
# virtual environment under target/): openapi-spec-validator checks the document is valid
# OpenAPI 3.1; schemathesis sends generated requests to every operation (but the batch, whose
# JSON Lines body it cannot generate) and checks that none is a server error and that every
# response is as documented — status, content type, headers and body against the schemas
# generated from the engine's types. Prints one `ok`/`FAILED` line per check.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/api-fuzz-venv
if [ ! -x "$venv/bin/st" ]; then
  echo "installing schemathesis and openapi-spec-validator into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check schemathesis==4.32.5 openapi-spec-validator==0.9.0
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
./target/debug/sopro serve --rules rules/khmao --bind "127.0.0.1:$port" 2>target/api-fuzz-serve.log &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
fetch() { python3 -c "import sys, urllib.request; sys.stdout.buffer.write(urllib.request.urlopen(sys.argv[1], timeout=10).read())" "$1"; }
for _ in $(seq 200); do fetch "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
fetch "http://127.0.0.1:$port/v1/openapi.json" >target/openapi.json

if "$venv/bin/python" -c "
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename
document, _ = read_from_filename('target/openapi.json')
validate(document)
assert document['openapi'] == '3.1.0'
"; then
  echo "ok     /v1/openapi.json is valid OpenAPI 3.1 (openapi-spec-validator)"
else
  echo "FAILED /v1/openapi.json is not valid OpenAPI 3.1"
  exit 1
fi

# The checks that answers are accepted or refused exactly as the document's schemas say are
# left out: the answers' schema is each version's (served per version), the document's is any
# object.
if "$venv/bin/st" run "http://127.0.0.1:$port/v1/openapi.json" --checks all \
  --exclude-checks positive_data_acceptance,negative_data_rejection,missing_required_header,unsupported_method \
  --exclude-path /v1/batch --max-examples 30 --seed 1 >target/api-fuzz.log 2>&1; then
  cases=$(grep -Eo '[0-9]+ generated' target/api-fuzz.log | tail -n 1)
  echo "ok     schemathesis: ${cases:-?} requests to every operation, no server error, every response as documented"
else
  tail -n 40 target/api-fuzz.log
  echo "FAILED schemathesis found responses that are server errors or not as documented (target/api-fuzz.log)"
  exit 1
fi
if grep -q "Секретова\|panicked" target/api-fuzz-serve.log; then
  echo "FAILED the service's log under fuzzing holds a panic"
  exit 1
fi
