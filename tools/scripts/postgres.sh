#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for tests and local multi-instance runs.
#
#   bash tools/scripts/postgres.sh        ensure installed, created, running and ready; prints the URL
#   bash tools/scripts/postgres.sh stop   stops it (the data stays under /tmp/tka-pg)
#
# Stdout carries exactly one line, the URL (postgres://postgres@127.0.0.1:54329/postgres), so
# callers can write TKA_TEST_DATABASE_URL=$(bash tools/scripts/postgres.sh); everything else goes
# to stderr. Idempotent and fast when the cluster already runs. The cluster lives in /tmp/tka-pg
# (owned by the postgres user: PostgreSQL refuses to run as root), listens on 127.0.0.1 only,
# trusts every connection from there, has no Unix socket, and keeps fsync on.
# TKA_PG_PORT overrides the port (54329) and TKA_PG_ROOT the directory (/tmp/tka-pg): a test that
# stops and starts PostgreSQL runs its own cluster that way, never the shared one.
set -euo pipefail

port="${TKA_PG_PORT:-54329}"
root="${TKA_PG_ROOT:-/tmp/tka-pg}"
data="$root/data"
log="$root/server.log"
url="postgres://postgres@127.0.0.1:$port/postgres"

say() { echo "postgres.sh: $*" >&2; }

as_postgres() { # fd 9 (the lock below) is closed: the server must not inherit and hold it
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@" 9>&-
  elif [ "$(id -un)" = postgres ]; then
    "$@" 9>&-
  else
    say "run as root (or as the postgres user)"
    exit 1
  fi
}

bindir() { # the PostgreSQL 15 binaries, else the newest installed major
  if [ -x /usr/lib/postgresql/15/bin/postgres ]; then
    echo /usr/lib/postgresql/15/bin
    return 0
  fi
  local found
  found="$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/postgres' 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$found" ] && dirname "$found"
}

ensure_installed() {
  if bin="$(bindir)" && [ -n "$bin" ]; then return 0; fi
  say "PostgreSQL is not installed: installing it with apt-get"
  if [ "$(id -u)" != 0 ]; then
    say "installing PostgreSQL needs root"
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  # Debian 12 ships 15 as its default; elsewhere postgresql-15 may be named explicitly.
  apt-get install -y postgresql-15 >&2 || apt-get install -y postgresql >&2
  bin="$(bindir)" || { say "no PostgreSQL binaries after installing"; exit 1; }
  [ -n "$bin" ] || { say "no PostgreSQL binaries after installing"; exit 1; }
  case "$bin" in */15/bin) ;; *) say "warning: PostgreSQL 15 unavailable, using $bin" ;; esac
}

is_running() { as_postgres "$bin/pg_ctl" status -D "$data" >/dev/null 2>&1; }

create_cluster() {
  [ -f "$data/PG_VERSION" ] && return 0
  say "creating a cluster in $data"
  rm -rf -- "$data"
  mkdir -p "$root"
  chown postgres: "$root"
  chmod 700 "$root"
  as_postgres "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C >&2
  # Trust on loopback only; no other host, no Unix socket.
  cat >"$data/pg_hba.conf" <<'EOF'
# TYPE  DATABASE  USER  ADDRESS        METHOD
host    all       all   127.0.0.1/32   trust
EOF
  cat >>"$data/postgresql.conf" <<EOF

# tools/scripts/postgres.sh
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
fsync = on
synchronous_commit = on
max_connections = 200
EOF
  chown postgres: "$data/pg_hba.conf" "$data/postgresql.conf"
}

if [ "${1:-}" = stop ]; then
  bin="$(bindir)" || true
  if [ -n "${bin:-}" ] && [ -f "$data/PG_VERSION" ] && is_running; then
    as_postgres "$bin/pg_ctl" stop -D "$data" -m fast -w -t 60 >&2
  else
    say "not running"
  fi
  exit 0
fi
if [ -n "${1:-}" ]; then
  say "unknown argument '$1' (use no argument to start, or 'stop')"
  exit 2
fi

# Fast path: already up on this port.
if pg_isready -q -h 127.0.0.1 -p "$port" 2>/dev/null; then
  echo "$url"
  exit 0
fi

ensure_installed
# Serialise concurrent callers (several test runs starting at once).
mkdir -p "$root"
exec 9>"$root.lock"
flock 9
create_cluster
if is_running; then
  running_port="$(sed -n 4p "$data/postmaster.pid" 2>/dev/null || true)"
  if [ -n "$running_port" ] && [ "$running_port" != "$port" ]; then
    say "the cluster in $data already runs on port $running_port, not $port: run '$0 stop' first"
    exit 1
  fi
else
  say "starting PostgreSQL on 127.0.0.1:$port (log: $log)"
  touch "$log"
  chown postgres: "$log"
  as_postgres "$bin/pg_ctl" start -D "$data" -l "$log" -o "-p $port" -w -t 60 >&2 || {
    tail -n 20 "$log" >&2
    exit 1
  }
fi
for _ in $(seq 1 120); do
  if "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; then
    echo "$url"
    exit 0
  fi
  sleep 0.25
done
say "PostgreSQL did not become ready on 127.0.0.1:$port (is it running on another port? see $log)"
tail -n 20 "$log" >&2
exit 1
