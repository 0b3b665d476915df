"""Embedded default: SQLite, eager Celery tasks, e-mail written to files under var/mail."""

from .base import *  # noqa: F403

# DEBUG stays off (base) unless a developer asks for it with DEBUG=true: with it on, every
# error page would show the URL map, tracebacks and settings to whoever is signed in.
DEMO_LOGINS = env.bool("DEMO_LOGINS", default=True)  # noqa: F405

# WhiteNoise serves static files straight from their sources (no collectstatic needed),
# DEBUG or not: runserver itself serves them only with DEBUG on.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Eager tasks log every run at INFO; keep the demo's console readable.
LOGGING["loggers"]["celery"] = {"level": "WARNING"}  # noqa: F405

# The local folder (MEDIA_ROOT) unless S3_BUCKET names an object store, as in production:
# then several app servers on one database share one library.
STORAGES = {
    "default": object_store(env)  # noqa: F405
    or {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
