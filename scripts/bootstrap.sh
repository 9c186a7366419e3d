#!/usr/bin/env bash
# Installs what Herald needs on a fresh Debian/Ubuntu machine: npm dependencies and, unless REDIS_URL
# points elsewhere, a redis-server. Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[bootstrap] %s\n' "$*" >&2; }

apt_install() {
  if ! command -v apt-get >/dev/null; then
    log "cannot install $* automatically (no apt-get); please install it with your package manager"
    return 1
  fi
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  if [ -z "${HERALD_APT_UPDATED:-}" ]; then
    $sudo apt-get update -qq >/dev/null
    export HERALD_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

# npm dependencies, from the lock file, when missing or out of date.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

# Redis: Herald starts a private redis-server itself when none answers, so it only needs the program.
if [ -z "${REDIS_URL:-}" ] && ! command -v redis-server >/dev/null; then
  log "installing redis-server from the Debian packages"
  apt_install redis-server
fi
