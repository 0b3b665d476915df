"""Settings shared by every profile; everything that differs comes from the environment.

Profiles: ``local`` (embedded default: SQLite, eager Celery, mail to files),
``test`` (what the suite runs with) and ``production`` (PostgreSQL, Redis, SMTP,
secrets required).
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import environ
from boto3.s3.transfer import TransferConfig

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="insecure-local-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "guardian",
    "axes",
    "releasemgmt.accounts",
    "releasemgmt.audit",
    "releasemgmt.notifications",
    "dsl",
    "releases",
    "raci",
    "changes",
    "deployments",
    "readiness",
    "satisfaction",
    "aftercare",
    "kpis",
    "dashboards",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # a path with a NUL or a control character is no page (releasemgmt.web.no_such_path)
    "releasemgmt.web.no_such_path",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "releasemgmt.web.login_for_htmx",
    "releasemgmt.pagecache.KeptPagesMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "releasemgmt.urls"
WSGI_APPLICATION = "releasemgmt.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "libraries": {"form_choices": "releasemgmt.form_choices", "jinja": "releasemgmt.jinja"},
        },
    },
    # the partials that loop over many rows, asked for by name (``*.jinja``, ``using``)
    {
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "releasemgmt.jinja.environment"},
    },
]
FORM_RENDERER = "releasemgmt.jinja.WidgetRenderer"


def tuned(database: dict) -> dict:
    """The connection's settings for what the app asks of its database.

    SQLite: let requests that write at once queue as they do on PostgreSQL. Every request
    runs in one transaction (ATOMIC_REQUESTS). By default SQLite begins a transaction
    DEFERRED, as a reader; when it then comes to write while another connection is
    writing, SQLite answers "database is locked" at once instead of waiting (waiting there
    could deadlock). So a transaction takes the write lock when it begins (IMMEDIATE) and
    waits for it up to ``timeout`` seconds: writers take turns, and the one that comes
    second sees what the first did (a 409 for the same step, a success for an independent
    write). In WAL mode readers do not block the writer nor the writer them;
    ``synchronous=NORMAL`` is safe with WAL (a power cut may lose the last commits, never
    corrupt the file).

    PostgreSQL: no parallel workers for a query. The app's queries take a few
    milliseconds; starting a worker for one can take longer than the worker saves (a
    thread's month of milestones, with the other core busy: 6 ms alone, 10.5 with a
    worker), and under load the workers take the cores the other requests need (issue
    17). A streamed export reads through a cursor, which PostgreSQL never runs in
    parallel anyway.

    Options given in DATABASE_URL (``sqlite:///db.sqlite3?timeout=60``,
    ``postgres://...?options=-c%20max_parallel_workers_per_gather%3D2``) take precedence.
    """
    engine = database.get("ENGINE", "")
    if engine == "django.db.backends.sqlite3":
        options = database.setdefault("OPTIONS", {})
        options.setdefault("transaction_mode", "IMMEDIATE")
        options.setdefault("timeout", 30)
        options.setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
    elif "postgresql" in engine:
        options = database.setdefault("OPTIONS", {})
        options.setdefault("options", "-c max_parallel_workers_per_gather=0")
    return database


DATABASES = {
    "default": tuned(env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# A covering index's extra columns (``include``) are PostgreSQL's; SQLite, the embedded
# default, keeps the index on its key columns alone, which is all it needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username/address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's model back end, reading the user with their permissions (issue 17).
    "raci.backends.UserWithPermissionsBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# List the demo accounts on the login page (embedded default only).
DEMO_LOGINS = env.bool("DEMO_LOGINS", default=False)

# guardian: anonymous users hold no object permissions in this product.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

# Each process keeps its own cache; the calendar feeds (dashboards.feeds) have theirs,
# bounded: a feed's text is made again at the first request after a recorded change.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "feeds": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "calendar-feeds",
        "OPTIONS": {"MAX_ENTRIES": 200},
    },
    # The pages kept until the database changes (releasemgmt.pagecache), each a minute
    # at most: 1,000 of at most 64 KB per process (most are 15-60 KB), and apart, 100
    # of 64-256 KB (a busy calendar month's layer weighs 150-250 KB): 90 MB at most.
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "kept-pages",
        "OPTIONS": {"MAX_ENTRIES": 1000},
    },
    "large_pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "kept-large-pages",
        "OPTIONS": {"MAX_ENTRIES": 100},
    },
}
# The pages kept per user until the database changes (issue 17): the start page, the
# release list and page, their API, the navigation's counts polled by every page, and
# the calendar's layers, which its page asks for again on every move between months
# and every layer shown again.
KEPT_PAGES = frozenset(
    {
        "home",
        "dashboards:inbox_counts",
        "dashboards:start_part",
        "releases:list",
        "releases:detail",
        "releases:record",
        "release-list",
        "release-detail",
        "calendar",
    }
)
# The parts of pages kept apart until the rows they show change, whatever else is
# written meanwhile (issue 17, ``releasemgmt.pagecache.kept_part``): the release page's,
# its record, and the API's release (``releases.api.views``).
KEPT_PARTS = frozenset({"release", "release-api", "record"})

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Third-party front-end assets are installed from the npm registry (package.json).
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/pico", BASE_DIR / "node_modules" / "@picocss" / "pico" / "css"),
    ("vendor/fullcalendar", BASE_DIR / "node_modules" / "fullcalendar"),
    ("vendor/fullcalendar-luxon", BASE_DIR / "node_modules" / "@fullcalendar" / "luxon3"),
    ("vendor/luxon", BASE_DIR / "node_modules" / "luxon" / "build" / "global"),
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Documents attached to a release (reports, plans, evidence): size and type limits.
MAX_UPLOAD_SIZE = env.int("MAX_UPLOAD_SIZE", default=100 * 1024 * 1024)
# The service desk's subscriber lists (CSV, read and not stored).
MAX_SUBSCRIBER_CSV_SIZE = env.int("MAX_SUBSCRIBER_CSV_SIZE", default=10 * 1024 * 1024)
# Software components stored in the DSL (RM.2.3) may be far larger.
MAX_ARTIFACT_SIZE = env.int("MAX_ARTIFACT_SIZE", default=4 * 1024 * 1024 * 1024)
# Uploads are hashed as they stream in and, past 2.5 MiB, written to a temporary file.
# Point FILE_UPLOAD_TEMP_DIR at an existing folder on the media volume so that storing a
# large artifact is a rename rather than a copy (and a tmpfs /tmp is not filled).
FILE_UPLOAD_HANDLERS = [
    "releasemgmt.files.ChecksummingMemoryUploadHandler",
    "releasemgmt.files.ChecksummingTemporaryUploadHandler",
]
FILE_UPLOAD_TEMP_DIR = env("FILE_UPLOAD_TEMP_DIR", default=None)
ALLOWED_UPLOAD_EXTENSIONS = env.list(
    "ALLOWED_UPLOAD_EXTENSIONS",
    default=[
        ".pdf",
        ".docx",
        ".doc",
        ".xlsx",
        ".xls",
        ".odt",
        ".ods",
        ".txt",
        ".md",
        ".csv",
        ".eml",
        ".msg",
        ".zip",
        ".tar.gz",
        ".tgz",
        ".jar",
        ".war",
        ".ear",
        ".sql",
        ".xml",
        ".json",
        ".png",
        ".jpg",
    ],
)


def email_settings(url: str) -> dict:
    """The EMAIL_* settings of an e-mail URL, in django-environ's schemes (``smtp://``,
    ``smtp+tls://``, ``consolemail://``, ``filemail://``, ``memorymail://``...).

    With ``filemail://`` each mail is written to a file in the folder that follows the
    scheme: ``filemail:///srv/mail`` is /srv/mail, ``filemail://var/mail`` is var/mail in
    the project, and ``filemail://`` alone is var/mail too. (django-environ itself drops
    the first character of the path, which would make /srv/mail a relative srv/mail.)
    """
    config = environ.Env.email_url_config(url)
    if config["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend":
        parts = urlsplit(url)
        folder = unquote(parts.netloc + parts.path) or "var/mail"
        if folder.startswith("/"):
            config["EMAIL_FILE_PATH"] = "/" + folder.lstrip("/")
        else:
            config["EMAIL_FILE_PATH"] = str(BASE_DIR / folder)
    return config


# The embedded default writes each e-mail to a file under var/mail/.
vars().update(email_settings(env("EMAIL_URL", default="filemail://var/mail")))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="releasemgmt@localhost")
# Links in e-mails point here.
SITE_URL = env("SITE_URL", default="http://localhost:8000")
# Sending retries on SMTP errors: 5 more attempts, 30 s, 60 s, 120 s... apart.
NOTIFICATION_MAX_RETRIES = env.int("NOTIFICATION_MAX_RETRIES", default=5)
NOTIFICATION_RETRY_BASE_SECONDS = env.int("NOTIFICATION_RETRY_BASE_SECONDS", default=30)
# A mass-notification recipient claimed this long ago by a worker that died is sent again.
MASS_NOTIFICATION_STALE_SECONDS = env.int("MASS_NOTIFICATION_STALE_SECONDS", default=300)

# Celery: with no REDIS_URL the tasks run eagerly in the web process.
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# On a lost broker connection, stop the unacknowledged tasks: the broker hands them out
# again, and our tasks resume from what the database says (Celery 6's default).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "flush-outbox": {"task": "releasemgmt.notifications.tasks.flush_outbox_task", "schedule": 60.0},
    "resume-mass-notifications": {
        "task": "deployments.tasks.resume_mass_notifications_task",
        "schedule": 60.0,
    },
    "remind-satisfaction": {
        "task": "satisfaction.tasks.remind_task",
        "schedule": 3600.0,
    },
    "remind-improvement-actions": {
        "task": "aftercare.tasks.remind_improvement_actions_task",
        "schedule": env.float("IMPROVEMENT_REMINDERS_EVERY_SECONDS", default=3600.0),
    },
    "verify-dsl": {
        "task": "dsl.tasks.verify_library_task",
        "schedule": env.float("DSL_VERIFY_EVERY_SECONDS", default=3600.0),
    },
    "remind-due-steps": {
        "task": "deployments.tasks.remind_due_steps_task",
        "schedule": env.float("DUE_REMINDERS_EVERY_SECONDS", default=3600.0),
    },
    "remind-checklist-items": {
        "task": "readiness.tasks.remind_checklist_items_task",
        "schedule": env.float("DUE_REMINDERS_EVERY_SECONDS", default=3600.0),
    },
    "refresh-package-spans": {
        "task": "deployments.tasks.refresh_package_spans_task",
        "schedule": env.float("KPI_RECOUNT_EVERY_SECONDS", default=86400.0),
    },
    "recount-owed-decisions": {
        "task": "deployments.tasks.recount_owed_decisions_task",
        "schedule": env.float("KPI_RECOUNT_EVERY_SECONDS", default=86400.0),
    },
    "recount-kpi-facts": {
        "task": "kpis.tasks.recount_kpi_facts_task",
        "schedule": env.float("KPI_RECOUNT_EVERY_SECONDS", default=86400.0),
    },
}
# Due dates of what is owed and their reminders (issue 16; releases.due_dates): the
# site's defaults, which an application's release policy may override.
DUE_DATES = {
    "decision_days": env.int("DUE_DECISION_DAYS", default=3),
    "authorisation_lead_days": env.int("DUE_AUTHORISATION_LEAD_DAYS", default=2),
    "after_installation_days": env.int("DUE_AFTER_INSTALLATION_DAYS", default=2),
    "remind_days_before": env.int("DUE_REMIND_DAYS_BEFORE", default=2),
}
# Past due, the accountable party is told again this many days after the last time.
ESCALATE_EVERY_DAYS = env.int("ESCALATE_EVERY_DAYS", default=7)
# How many stored files one run of the DSL's integrity check re-reads (oldest checked first).
DSL_VERIFY_PER_RUN = env.int("DSL_VERIFY_PER_RUN", default=200)

# API tokens (django-rest-knox): kept as digests, several per user, each expiring.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.int("API_TOKEN_TTL_HOURS", default=24 * 30)),
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_LIMIT_PER_USER": env.int("API_TOKENS_PER_USER", default=20),
}

# Personal links mailed to one user to act from the mail (releasemgmt.accounts.links):
# how long one works, in days.
PERSONAL_LINK_TTL_DAYS = env.int("PERSONAL_LINK_TTL_DAYS", default=14)
# Replies to a mail that asks for a decision (deployments.services.decision_requests):
# the domain of their Reply-To addresses (decide+<signed token>@<domain>; empty: no
# Reply-To), the loopback listener `manage.py receive_mail` serves (SMTP or LMTP) and
# the handler it gives each mail to.
MAIL_REPLY_DOMAIN = env("MAIL_REPLY_DOMAIN", default="replies.localhost")
INBOUND_MAIL_HOST = env("INBOUND_MAIL_HOST", default="127.0.0.1")
INBOUND_MAIL_PORT = env.int("INBOUND_MAIL_PORT", default=8025)
INBOUND_MAIL_LMTP = env.bool("INBOUND_MAIL_LMTP", default=False)
INBOUND_MAIL_HANDLER = "deployments.replies.receive"
# The satisfaction survey after closure: the one reminder goes after this many days.
SATISFACTION_REMINDER_DAYS = env.int("SATISFACTION_REMINDER_DAYS", default=7)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "releasemgmt.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "releasemgmt.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "releasemgmt.api.errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "releasemgmt API",
    "DESCRIPTION": "Releases through the stages RM.1 to RM.7 of the release management process.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TestReportKindEnum": "deployments.models.TestReport.Kind",
        "DecisionKindEnum": "deployments.models.Decision.Kind",
        "DocumentKindEnum": "dsl.models.Document.Kind",
        "ConfigurationItemKindEnum": "dsl.models.ConfigurationItem.Kind",
        "CommunicationKindEnum": "releasemgmt.notifications.models.Communication.Kind",
        "MilestoneKindEnum": "releases.models.Milestone.Kind",
        "WindowKindEnum": "releases.models.Window.Kind",
        "PartyKindEnum": "raci.models.Party.Kind",
        "VerdictEnum": "deployments.models.Decision.Verdict",
        "RfCStatusEnum": "changes.models.RfC.Status",
        "ChangeTypeEnum": "changes.models.ChangeType",
        "LevelEnum": "changes.models.Level",
        "RfCPriorityEnum": "changes.models.Priority",
        "ChecklistItemStatusEnum": "readiness.models.ChecklistItem.Status",
        "AdviceVerdictEnum": "changes.models.Advice.Verdict",
        "CabMeetingKindEnum": "changes.models.CabMeeting.Kind",
        "OnBreachEnum": "releases.models.OnBreach",
        "DeploymentOptionEnum": "releases.models.DeploymentOption",
        "ReleaseTypeEnum": "raci.release_types.ReleaseType",
        "CIStatusEnum": "dsl.models.CIStatus",
        "CITaskStatusEnum": "dsl.models.CITask.Status",
        "EnvironmentKindEnum": "dsl.models.Environment.Kind",
        "EnvironmentStatusEnum": "dsl.models.Environment.Status",
        "IncidentPriorityEnum": "aftercare.models.Incident.Priority",
        "ImprovementActionStatusEnum": "aftercare.models.ImprovementAction.Status",
        "BoardOutcomeEnum": "readiness.models.GoNoGoBoard.Outcome",
        "CabDecisionOutcomeEnum": "changes.models.CabDecision.Outcome",
        "RunbookSectionEnum": "readiness.models.RunbookSection",
        "QuarterlyActionStatusEnum": "kpis.models.QuarterlyReviewAction.Status",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # django-axes: failed logins and lockouts (warnings), not its start-up banner.
    "loggers": {"axes": {"level": "WARNING"}},
}

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username
# from one address, that pair is locked out for AXES_COOLOFF_MINUTES, on the login page and
# on the API token endpoint alike. Keyed on the pair so that a typo-prone office behind one
# NAT address does not lock each other out, and a stranger cannot lock out a colleague.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind a reverse proxy, the number of proxies whose X-Forwarded-For is trusted.
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)


def object_store(env) -> dict | None:
    """The DSL's files in an S3-compatible object store (MinIO, S3) through
    django-storages, when S3_BUCKET is given, so that several web nodes share one library;
    None keeps the local folder (MEDIA_ROOT)."""
    bucket = env("S3_BUCKET", default="")
    if not bucket:
        return None
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": env("S3_ENDPOINT_URL", default=None),
            "access_key": env("S3_ACCESS_KEY_ID", default=None),
            "secret_key": env("S3_SECRET_ACCESS_KEY", default=None),
            "region_name": env("S3_REGION", default=None),
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,
            # uploads of the DSL's artifacts go up in parts: memory stays flat
            "max_memory_size": 8 * 1024 * 1024,
            # 8 MiB parts sent one after the other: with boto3's threads the worker grew
            # by about 90 MiB per 1 GiB artifact; without, it stays at 128-134 MiB
            # whatever the size, as fast against the bench's store (make bench-upload)
            "transfer_config": TransferConfig(
                multipart_chunksize=8 * 1024 * 1024, use_threads=False
            ),
        },
    }
