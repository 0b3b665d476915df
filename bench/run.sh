#!/usr/bin/env bash
# The benchmark against throwaway PostgreSQL and Redis on ports of their own, so that it
# never clashes with a test run (25432/26379); the app under load listens on a free
# loopback port (BENCH_HTTP_PORT to choose one). Options go to bench/run.py;
# `bash bench/run.sh mass [--subscribers N]` runs the mass-notification benchmark instead,
# `bash bench/run.sh upload [--sizes 64,256,1024]` the DSL artifact upload one.
set -euo pipefail
cd "$(dirname "$0")/.."
WITH_SERVICES=1 source .ci/setup.sh
# The load generator of bench/load.py, from Debian like the rest.
if [ -z "${1:-}" ] || [ "${1#-}" != "$1" ] && ! command -v wrk >/dev/null; then
    echo "Installing wrk from Debian..."
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >/dev/null
fi
export PG_PORT=${BENCH_PG_PORT:-25532} REDIS_PORT=${BENCH_REDIS_PORT:-26380}
source .ci/services.sh

export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-releasemgmt.settings.test}
export LOG_LEVEL=${LOG_LEVEL:-WARNING}
.venv/bin/python manage.py migrate --noinput -v0
if [ "${1:-}" = "mass" ]; then
    shift
    .venv/bin/python bench/mass.py "$@"
elif [ "${1:-}" = "upload" ]; then
    shift
    .venv/bin/python bench/upload.py "$@"
else
    .venv/bin/python bench/run.py "$@"
fi
