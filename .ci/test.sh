#!/usr/bin/env bash
# The whole test suite against real PostgreSQL, Redis and Chromium (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
WITH_SERVICES=1 source .ci/setup.sh
source .ci/services.sh

export DJANGO_SETTINGS_MODULE=releasemgmt.settings.test
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/lint-imports
.venv/bin/python manage.py makemigrations --check --dry-run >/dev/null
if [ $# -gt 0 ]; then
    .venv/bin/python -m pytest "$@"
    exit
fi
# The whole suite: TEST_PROCESSES processes (pytest-xdist), each with a test database and
# a Redis database of its own, most of the time waiting on PostgreSQL, a browser or a
# worker; then, alone, the tests that stop a service all share or load the machine.
status=0
.venv/bin/python -m pytest -n "${TEST_PROCESSES:-3}" --dist worksteal -m "not serial" \
    --durations 25 || status=$?
.venv/bin/python -m pytest -m serial || status=$?
exit $status
