#!/usr/bin/env bash
# Prepares this machine for Tocsin, installing only what is missing: PostgreSQL with PostGIS, Redis,
# a Python virtual environment with the project, and the database with its migrations applied.
# Used by `make run` and `make test` (which also sets TOCSIN_SETUP_BROWSER=1: Chromium for the
# browser tests). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

DB_NAME=${TOCSIN_DB_NAME:-tocsin}
export TOCSIN_PG_ADMIN_URL=${TOCSIN_PG_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
export TOCSIN_DATABASE_URL=${TOCSIN_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/$DB_NAME}
export TOCSIN_REDIS_URL=${TOCSIN_REDIS_URL:-redis://127.0.0.1:6379/0}

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "this step needs root: $*"; fi
}
apt_updated=
apt_install() {
  say "installing $*"
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# --- system packages -------------------------------------------------------------------------
command -v pg_ctlcluster >/dev/null || apt_install postgresql postgresql-client
PG_VERSION=$(ls /usr/lib/postgresql | sort -n | tail -1)
[ -e "/usr/share/postgresql/$PG_VERSION/extension/postgis.control" ] \
  || apt_install "postgresql-$PG_VERSION-postgis-3"
command -v redis-server >/dev/null || apt_install redis-server
python3 -c 'import ensurepip, venv' 2>/dev/null || apt_install python3-venv
# the console's browser tests (make test) drive Debian's Chromium
if [ "${TOCSIN_SETUP_BROWSER:-0}" = 1 ] && [ ! -x /usr/bin/chromium ]; then apt_install chromium; fi
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || die "Tocsin needs Python 3.11 or newer (python3 is $(python3 -V))"

# --- services --------------------------------------------------------------------------------
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  say "starting PostgreSQL $PG_VERSION"
  as_root pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" main start
  for _ in $(seq 50); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.2; done
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  say "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 50); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
psql "$TOCSIN_PG_ADMIN_URL" -qAtc 'SELECT 1' >/dev/null 2>&1 || die "cannot connect to PostgreSQL as
  $TOCSIN_PG_ADMIN_URL
Set TOCSIN_PG_ADMIN_URL to a superuser connection string (with its password), e.g.
  TOCSIN_PG_ADMIN_URL=postgresql://postgres:secret@127.0.0.1:5432/postgres make run"

# --- Python environment ----------------------------------------------------------------------
if [ ! -x .venv/bin/python ]; then
  say "creating the Python environment in .venv"
  python3 -m venv .venv
fi
if [ ! -e .venv/.installed ] || [ pyproject.toml -nt .venv/.installed ]; then
  say "installing Tocsin and its dependencies"
  .venv/bin/pip install -q --disable-pip-version-check -e '.[test]'
  touch .venv/.installed
fi

# --- database --------------------------------------------------------------------------------
if [ "${TOCSIN_SETUP_DATABASE:-1}" = 1 ]; then
  db_exists=$(psql "$TOCSIN_PG_ADMIN_URL" -qAtc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")
  if [ "$db_exists" != 1 ]; then
    say "creating database $DB_NAME"
    psql "$TOCSIN_PG_ADMIN_URL" -qc "CREATE DATABASE \"$DB_NAME\"" >/dev/null
  fi
  .venv/bin/tocsin migrate
fi
