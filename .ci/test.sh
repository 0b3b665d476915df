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
.venv/bin/python -m pytest "$@"
