.PHONY: demo test lint bench bench-mass bench-upload

# Start the app with demo data on the embedded default (SQLite, eager tasks, mail to files).
# DEBUG is off, as for any user: the site's own error pages. `DEBUG=true make demo` shows
# Django's debug pages instead (a developer's choice, never for others to see).
demo:
	bash -c 'source .ci/setup.sh'
	.venv/bin/python manage.py migrate --noinput -v0
	.venv/bin/python manage.py load_demo
	.venv/bin/python manage.py runserver 0.0.0.0:8000

# The whole test suite against throwaway PostgreSQL and Redis, with Chromium.
test:
	bash .ci/test.sh

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

# The dataset of DESIGN section 8 (10,000 releases, 50,000 RfCs, 500 users, 1,000,000 audit
# entries) on throwaway PostgreSQL (port 55432), built at 1,000 releases then 10,000; at each
# size every page and API list: queries, p50/p95 in-process, req/s under load (gunicorn,
# wrk) as a ratio to a trivial view, and the release list on two nodes behind nginx against
# one. Options: make bench ARGS="--no-scale --explain 20"; both sizes of issue 17 with
# their profiles: make bench ARGS="--sizes 10000 100000 --profile"
bench:
	bash bench/run.sh $(ARGS)

# One mass notification to 10,000 subscribers through Celery to a local SMTP sink.
bench-mass:
	bash bench/run.sh mass $(ARGS)

# DSL artifacts of 64 MiB, 256 MiB and 1 GiB streamed through gunicorn to the API.
bench-upload:
	bash bench/run.sh upload $(ARGS)
