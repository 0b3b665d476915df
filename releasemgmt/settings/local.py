"""Embedded default: SQLite, eager Celery tasks, e-mail written to files under var/mail."""

from .base import *  # noqa: F403

DEBUG = env.bool("DEBUG", default=True)  # noqa: F405
