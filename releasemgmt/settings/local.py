"""Embedded default: SQLite, eager Celery tasks, e-mail written to files under var/mail."""

from .base import *  # noqa: F403

DEBUG = env.bool("DEBUG", default=True)  # noqa: F405
DEMO_LOGINS = env.bool("DEMO_LOGINS", default=True)  # noqa: F405

# Serve static files straight from their sources (no collectstatic needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
