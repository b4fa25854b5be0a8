#!/usr/bin/env bash
# Installs what the browser build and its tests need, if missing (idempotent): the wasm32
# target, wasm-bindgen-cli of the same version as the wasm-bindgen crate, Debian's Chromium and
# ChromeDriver, and the npm tools of wasm/package.json (from its lock file).
set -euo pipefail
cd "$(dirname "$0")/.."

rustup target add wasm32-unknown-unknown >/dev/null

version=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"$/\1/p')
if ! wasm-bindgen --version 2>/dev/null | grep -q "$version"; then
  echo "installing wasm-bindgen-cli $version (a few minutes)"
  cargo install --quiet wasm-bindgen-cli --version "$version"
fi

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  echo "installing Debian's chromium and chromium-driver"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi

(cd wasm && npm ci --no-audit --no-fund --loglevel=error)
