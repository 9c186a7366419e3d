#!/usr/bin/env bash
# The whole test suite, from a fresh checkout: installs what is missing, makes sure Redis (and
# PostgreSQL, when installed) answer, then typechecks, lints, checks formatting and dead code, and runs every test, then the chaos suite
# (tests/chaos, three runs of every scenario; HERALD_CHAOS=0 leaves it out, as does naming test files).
# Tests against PostgreSQL are skipped, with the reason printed, when it cannot be reached.
set -uo pipefail
cd "$(dirname "$0")/.."

log() { printf '[test] %s\n' "$*" >&2; }

bash scripts/bootstrap.sh || exit 1
source scripts/services.sh
ensure_redis || exit 1
ensure_postgres || log "PostgreSQL variants will be skipped"
ensure_dovecot || log "bounce mailbox tests will be skipped"
if [ "${HERALD_E2E:-1}" = "1" ]; then ensure_chromium || log "browser tests will be skipped"; fi

# The typecheck (the longest check, one core) runs beside the other three, one after another, on the other core.
log "typecheck, beside lint, formatting (prettier) and dead files and exports (knip)"
typecheck_log=$(mktemp)
npx tsc -p tsconfig.json --noEmit >"$typecheck_log" 2>&1 &
typecheck=$!
checks=0
npx eslint . || checks=1
[ $checks -eq 0 ] && { npx prettier --check . --log-level warn || checks=1; }
[ $checks -eq 0 ] && { npx knip --no-progress || checks=1; }
wait $typecheck || checks=1
cat "$typecheck_log"
rm -f "$typecheck_log"
[ $checks -eq 0 ] || exit 1

mkdir -p test-results
log "vitest"
HERALD_TEST_COMPILED=1 npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@"
status=$?
reports=(test-results/vitest.json)
if [ $# -eq 0 ] && [ "${HERALD_CHAOS:-1}" = "1" ]; then
  log "chaos suite (${CHAOS_RUNS:-3} runs; table in test-results/chaos.md)"
  CHAOS_RUNS="${CHAOS_RUNS:-3}" npx vitest run --config vitest.chaos.config.ts --reporter=default --reporter=json --outputFile.json=test-results/chaos.vitest.json || status=1
  reports+=(test-results/chaos.vitest.json)
fi
node scripts/test-summary.mjs "${reports[@]}" || status=1
exit $status
