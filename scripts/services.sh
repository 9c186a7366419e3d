# Sourced by scripts/test.sh: start the services tests need when they are not answering.

redis_answers() { node -e "
  const s = require('node:net').connect(6379, '127.0.0.1');
  s.setTimeout(1000, () => process.exit(1));
  s.on('error', () => process.exit(1));
  s.on('connect', () => s.write('PING\r\n'));
  s.on('data', (d) => process.exit(String(d).startsWith('+PONG') ? 0 : 1));
"; }

ensure_redis() {
  if [ -n "${TEST_REDIS_URL:-}" ] || redis_answers; then return 0; fi
  if ! command -v redis-server >/dev/null; then apt_install redis-server || return 1; fi
  log "starting redis-server on 127.0.0.1:6379 (no persistence, test use)"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --maxmemory-policy noeviction --dir /tmp --logfile /tmp/herald-test-redis.log
  for _ in $(seq 1 50); do redis_answers && return 0; sleep 0.1; done
  log "redis-server did not answer; see /tmp/herald-test-redis.log"
  return 1
}

postgres_answers() { node -e "
  const s = require('node:net').connect(5432, '127.0.0.1');
  s.setTimeout(1000, () => process.exit(1));
  s.on('error', () => process.exit(1));
  s.on('connect', () => process.exit(0));
"; }

ensure_postgres() {
  if [ -n "${TEST_DATABASE_URL:-}" ] || postgres_answers; then return 0; fi
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    log "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    for _ in $(seq 1 50); do postgres_answers && return 0; sleep 0.2; done
  fi
  return 1
}

ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then return 0; fi
  log "installing Debian's chromium for the browser tests"
  apt_install chromium
}

ensure_dovecot() {
  if [ -x /usr/sbin/dovecot ]; then return 0; fi
  log "installing Debian's dovecot-imapd for the bounce mailbox tests (the tests start their own, unprivileged)"
  apt_install dovecot-imapd
}

apt_install() {
  if ! command -v apt-get >/dev/null; then return 1; fi
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  if [ -z "${HERALD_APT_UPDATED:-}" ]; then $sudo apt-get update -qq >/dev/null; export HERALD_APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}
