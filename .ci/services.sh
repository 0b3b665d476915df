# Throwaway PostgreSQL and Redis for one test run, on loopback ports of their own.
# Sourced by .ci/test.sh; exports DATABASE_URL and REDIS_URL, and stops both on exit.

# Below 32768: outside Linux's ephemeral range, so no outgoing connection holds them.
PG_PORT=${PG_PORT:-25432}
REDIS_PORT=${REDIS_PORT:-26379}
RUN_DIR=$(mktemp -d /tmp/releasemgmt-ci.XXXXXX)
chmod 755 "$RUN_DIR"

as_pg() {
    # PostgreSQL refuses to run as root: use the postgres account there.
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
mkdir -p "$RUN_DIR/pg"
[ "$(id -u)" = 0 ] && chown postgres "$RUN_DIR/pg"
as_pg "$PG_BIN/initdb" -D "$RUN_DIR/pg/data" -U postgres --auth=trust -E UTF8 >"$RUN_DIR/initdb.log"
as_pg "$PG_BIN/pg_ctl" -D "$RUN_DIR/pg/data" -l "$RUN_DIR/pg/server.log" -w \
    -o "-p $PG_PORT -k $RUN_DIR/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres releasemgmt
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize yes --pidfile "$RUN_DIR/redis.pid" --logfile "$RUN_DIR/redis.log" --dir "$RUN_DIR"

stop_services() {
    as_pg "$PG_BIN/pg_ctl" -D "$RUN_DIR/pg/data" -m immediate stop >/dev/null 2>&1 || true
    # by port, not pid: a test may have restarted it (the broker-outage test does)
    redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    rm -rf "$RUN_DIR"
}
trap stop_services EXIT

export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/releasemgmt"
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
# Up to 60 s for Redis to answer: a busy machine is slower, not broken.
for _ in $(seq 600); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$REDIS_PORT" ping >/dev/null || { echo "Redis did not start: $RUN_DIR/redis.log" >&2; exit 1; }
