"""Settings of the benchmark: the suite's settings (database and broker from the
environment), served as in production: DEBUG off, persistent database connections
(``CONN_MAX_AGE`` as in ``production.py``), static files indexed once at start-up, and
``bench_urls`` as the URLconf (the app's URLs plus the trivial view)."""

import os

from releasemgmt.settings import base
from releasemgmt.settings.test import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench_urls"
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405
WHITENOISE_AUTOREFRESH = False
STATIC_ROOT = None  # no collectstatic: WhiteNoise serves from the finders
# the pages kept until the database changes, as in production (the suite's settings make
# every page); ``run.py --no-kept``: under load too, every page is made from the database
KEPT_PAGES = frozenset() if os.environ.get("BENCH_KEPT_PAGES") == "0" else base.KEPT_PAGES
# the parts of pages kept until their rows change, as in production, made pages or not;
# ``run.py --no-kept-parts``: every part made too
KEPT_PARTS = frozenset() if os.environ.get("BENCH_KEPT_PARTS") == "0" else base.KEPT_PARTS
