# Install what the app and its tests need on a fresh Debian machine, idempotently.
# Sourced by the Makefile targets; WITH_SERVICES=1 also installs what the tests use:
# PostgreSQL, Redis, Chromium, nginx (the load balancer of the two-node test) and
# docker-compose (to validate docker-compose.yml).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

if [ "${WITH_SERVICES:-0}" = 1 ]; then
    need=()
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
    command -v redis-server >/dev/null || need+=(redis-server)
    [ -x /usr/bin/chromium ] || need+=(chromium)
    command -v docker-compose >/dev/null || need+=(docker-compose)
    command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
    if [ ${#need[@]} -gt 0 ]; then
        echo "Installing ${need[*]} from Debian..."
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
    fi
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)
if [ ! -f "$stamp" ]; then
    .venv/bin/pip install -q --upgrade pip
    # compat: the project folder on the path, so that a module missing here is never
    # looked up in another checkout that shares this environment
    .venv/bin/pip install -q -e ".[dev]" --config-settings editable_mode=compat
    touch "$stamp"
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
fi
