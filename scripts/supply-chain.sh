#!/usr/bin/env bash
# Supply-chain check with cargo-deny (deny.toml): known advisories, explicitly allowed licenses,
# crates.io as the only source. GitHub cannot be reached here, so the advisory database is the
# snapshot in supply-chain/advisory-db.tar.gz, laid out where cargo-deny looks for its clone
# (a git repository dated as the snapshot), and cargo-deny runs offline.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo-deny >/dev/null; then
  echo "installing cargo-deny (about 3 minutes)"
  cargo install --locked cargo-deny --version 0.20.2
fi

snapshot_date=2026-08-21T00:00:00Z
db=target/advisory-dbs/advisory-db-3157b0e258782691   # the folder name cargo-deny derives from the URL
if [ ! -d "$db/.git" ] || [ supply-chain/advisory-db.tar.gz -nt "$db/.git" ]; then
  rm -rf "$db"
  mkdir -p "$(dirname "$db")"
  tar -xzf supply-chain/advisory-db.tar.gz -C "$(dirname "$db")"
  mv "$(dirname "$db")/advisory-db" "$db"
  (cd "$db" && git init -q && git add -A &&
    GIT_AUTHOR_DATE=$snapshot_date GIT_COMMITTER_DATE=$snapshot_date \
      git -c user.name=snapshot -c user.email=snapshot@invalid commit -qm "rustsec/advisory-db snapshot")
fi

cargo fetch --locked -q   # cargo-deny reads the metadata of every platform's crates, offline
cargo deny --offline --locked check
