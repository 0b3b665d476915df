.PHONY: demo test lint bench bench-mass

# Start the app with demo data on the embedded default (SQLite, eager tasks, mail to files).
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

# Time the release pages and API on 10,000 bulk-built releases (throwaway PostgreSQL on
# port 55432). Options: make bench ARGS="--scale --repeat 20 --explain 20"
bench:
	bash bench/run.sh $(ARGS)

# One mass notification to 10,000 subscribers through Celery to a local SMTP sink.
bench-mass:
	bash bench/run.sh mass $(ARGS)
