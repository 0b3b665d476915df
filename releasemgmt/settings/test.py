"""What the suite runs with: the database, broker and mail come from the environment
(the test command points them at throwaway PostgreSQL and Redis)."""

import os
from urllib.parse import urlsplit

from .base import *  # noqa: F403

# A parallel run of the suite (pytest-xdist's processes gw0, gw1...): each process has a
# Redis database of its own, as it has its own test database, so that a worker started by
# one process never takes the tasks of another.
_process = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and _process.startswith("gw"):  # noqa: F405
    if int(_process[2:]) + 1 > 15:
        raise RuntimeError("Redis has 16 databases: run the suite in 15 processes at most.")
    REDIS_URL = urlsplit(REDIS_URL)._replace(path=f"/{int(_process[2:]) + 1}").geturl()  # noqa: F405
    CELERY_BROKER_URL = REDIS_URL

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Serve static files straight from their sources (no collectstatic needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Uploaded files of the suite go to a throwaway folder.
import tempfile  # noqa: E402

MEDIA_ROOT = tempfile.mkdtemp(prefix="releasemgmt-test-media-")
# Large uploads are staged next to the media, so that storing them is a rename.
FILE_UPLOAD_TEMP_DIR = tempfile.mkdtemp(prefix="incoming-", dir=MEDIA_ROOT)

# The suite makes every page from the database: a page kept until the database changes
# (releasemgmt.pagecache) would make the same request cost fewer queries the second
# time; so would a part kept until its rows change. tests/releasemgmt/test_pagecache.py
# and tests/releases/test_release_page_kept.py keep them as production does.
KEPT_PAGES = frozenset()
KEPT_PARTS = frozenset()
