"""Embedded default: SQLite, eager Celery tasks, e-mail written to files under var/mail."""

from .base import *  # noqa: F403

DEBUG = env.bool("DEBUG", default=True)  # noqa: F405
DEMO_LOGINS = env.bool("DEMO_LOGINS", default=True)  # noqa: F405

# Serve static files straight from their sources (no collectstatic needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Eager tasks log every run at INFO; keep the demo's console readable.
LOGGING["loggers"]["celery"] = {"level": "WARNING"}  # noqa: F405
