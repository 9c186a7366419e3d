#!/usr/bin/env bash
# One command from a fresh checkout to a running Herald with the embedded defaults:
# SQLite under ./var, a reachable Redis or a private one, every channel in dry-run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
npm run --silent build
exec node bin/herald.js start
