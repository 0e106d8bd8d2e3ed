# Sourced by .ci/run: a throw-away PostgreSQL server on localhost for the tests marked `postgres`.
# PostgreSQL refuses to run its server as root, so it runs as the `postgres` user.
start_postgres() {
  if [[ $(id -u) -ne 0 ]]; then return 1; fi
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || return 1
  fi
  local bin; bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  local dir=/tmp/annotator-ci-pg port=54329
  if ! su postgres -s /bin/sh -c "$bin/pg_isready -q -h 127.0.0.1 -p $port" 2>/dev/null; then
    rm -rf "$dir" && mkdir -p "$dir" && chown postgres "$dir"
    su postgres -s /bin/sh -c "$bin/initdb -A trust -U postgres -D $dir/data" >/dev/null 2>&1 || return 1
    # A throw-away server: without fsync, the tests' CREATE and DROP DATABASE (each DROP forces a checkpoint) take
    # about 0.05 s instead of 0.1 to 3 s on a busy machine; a crashed server is started again from scratch anyway.
    su postgres -s /bin/sh -c "$bin/pg_ctl -s -D $dir/data -o '-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off' -l $dir/log -w start" || return 1
  fi
  export ANNOTATOR_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
}
start_postgres || echo "PostgreSQL not available: the tests marked postgres will be skipped" >&2
