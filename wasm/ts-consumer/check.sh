#!/usr/bin/env bash
# Type-checks the TypeScript consumer (consumer.ts, assets.ts) against the built package in
# wasm/pkg, resolved as a user's project resolves it: node_modules/sopro-wasm (a link to
# ../pkg, as `npm install` makes for its `file:` dependency) and the package's `exports` map.
# One `tsc --noEmit` per configuration: moduleResolution nodenext and bundler, both strict and
# with skipLibCheck off, so the package's own declarations are checked. Run after
# wasm/build.sh. Ends with `typescript consumer: N passed, M failed`; fails if any failed.
set -euo pipefail
cd "$(dirname "$0")"
PKG=../pkg
TSC=../node_modules/.bin/tsc
[ -f "$PKG/package.json" ] && [ -f "$PKG/sopro.d.ts" ] || { echo "error: no package in wasm/pkg; run wasm/build.sh first" >&2; exit 1; }
[ -x "$TSC" ] || { echo "error: no tsc; run npm ci in wasm/" >&2; exit 1; }
mkdir -p node_modules
ln -sfn ../../pkg node_modules/sopro-wasm
pkg_dir=$(cd "$PKG" && pwd -P)

passed=0
failed=0
for config in tsconfig.nodenext.json tsconfig.bundler.json; do
  status=0
  out=$("$TSC" --noEmit --pretty false --listFiles -p "$config" 2>&1) || status=$?
  # Errors are printed as they are; the list of files is only to prove what was checked.
  errors=$(echo "$out" | grep -v '^/' || true)
  [ -z "$errors" ] || echo "$errors"
  missing=
  for file in sopro.d.ts types.d.ts package.json khmao-2026.3.bundle.json; do
    echo "$out" | grep -qxF "$pkg_dir/$file" || missing="$missing $file"
  done
  if [ "$status" -eq 0 ] && [ -z "$errors" ] && [ -z "$missing" ]; then
    echo "ok: tsc -p $config"
    passed=$((passed + 1))
  else
    [ -z "$missing" ] || echo "error: tsc -p $config did not check the package's$missing"
    echo "FAILED: tsc -p $config (exit $status)"
    failed=$((failed + 1))
  fi
done
echo "typescript consumer: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
