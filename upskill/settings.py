"""Upskill settings: one file, configured from the environment.

With no environment at all you get the embedded local run: SQLite in ./db.sqlite3,
Celery tasks executed eagerly in-process, DEBUG on. Set DEBUG=false for production
strictness (SECRET_KEY required, HTTPS-only cookies, HSTS); `manage.py check --deploy`
is then clean. DATABASE_URL=postgres://... and REDIS_URL=redis://... switch to
PostgreSQL and a real broker with the same code.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False)


def _env_or_fail(reader, name, default):
    """Read a variable, turning a malformed value into one clear start-up error."""
    try:
        return reader(name, default=default)
    except (ValueError, ImproperlyConfigured) as exc:
        raise ImproperlyConfigured(f"Environment variable {name} is malformed: {exc}") from exc


DEBUG = _env_or_fail(env.bool, "DEBUG", True)

_LOCAL_SECRET_KEY = "django-insecure-local-only-never-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is false (production mode). "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = _LOCAL_SECRET_KEY

ALLOWED_HOSTS = _env_or_fail(
    env.list, "ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is false.")
CSRF_TRUSTED_ORIGINS = _env_or_fail(env.list, "CSRF_TRUSTED_ORIGINS", [])

# Aggregates describing fewer people than this are suppressed everywhere.
MIN_GROUP_SIZE = _env_or_fail(env.int, "MIN_GROUP_SIZE", 5)
if MIN_GROUP_SIZE < 1:
    raise ImproperlyConfigured("MIN_GROUP_SIZE must be a positive integer.")
# Impact estimates: a team counts as treated from the first week in which at least
# MIN_GROUP_SIZE of its people, and at least this share of them, had completed the
# pathway (0 = the MIN_GROUP_SIZE people alone).
IMPACT_TREATMENT_SHARE = _env_or_fail(env.float, "IMPACT_TREATMENT_SHARE", 0.0)
if not 0 <= IMPACT_TREATMENT_SHARE <= 1:
    raise ImproperlyConfigured("IMPACT_TREATMENT_SHARE must be between 0 and 1.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "axes",
    "auditlog",
    "upskill",
    "pathways",
    "responsibilities",
    "metrics",
    "demo",  # last: the demo organisation reads every app above, and no app reads it
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "upskill.middleware.AccessDenialMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # django-axes must come last: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failed sign-ins for one
# username from one address, that pair is locked out for AXES_COOLOFF_MINUTES.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = _env_or_fail(env.int, "AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=_env_or_fail(env.int, "AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "upskill/locked_out.html"
AXES_VERBOSE = False
# Failed sign-ins are kept for the audit trail (successful ones and sign-outs are in
# axes' access log); axes masks the password field in what it stores.
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# The audit trail of configuration changes (django-auditlog): who changed what, when,
# with old and new values. Only configuration is tracked — never step progress and
# evidence, pulse answers or users (passwords).
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    "pathways.Product",
    "pathways.Competency",
    "pathways.RoleRubric",
    {"model": "pathways.Pathway", "m2m_fields": {"products", "target_roles"}},
    "pathways.Stage",
    {"model": "pathways.Step", "m2m_fields": {"prerequisites"}},
    "pathways.PathwayAssignment",
    "responsibilities.ResponsibilityArea",
    "responsibilities.RaciAssignment",
    {"model": "responsibilities.Commitment", "m2m_fields": {"teams"}},
    "responsibilities.CommitmentCheckIn",
    "responsibilities.AlignmentSurvey",
    {
        "model": "metrics.ImportRun",
        # Status transitions and outcomes, not per-row errors (they quote cells) nor
        # the progress counters that tick during an import.
        "include_fields": ["kind", "original_name", "status", "rows_inserted", "rows_duplicate"],
    },
    {"model": "metrics.XapiKey", "exclude_fields": ["key_hash"]},
    "upskill.OutcomeMeasure",
)

# A strict Content-Security-Policy everywhere but the Django admin (which uses inline
# scripts): no inline scripts or styles, nothing from other origins. htmx is configured
# in base.html not to inject its indicator styles nor to eval.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

ROOT_URLCONF = "upskill.urls"
WSGI_APPLICATION = "upskill.wsgi.application"

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
                "upskill.context_processors.navigation",
            ],
        },
    },
]

SUPPORTED_DATABASE_ENGINES = {
    "django.db.backends.postgresql",
    "django.db.backends.sqlite3",
}
# An empty DATABASE_URL means the embedded default, as if it were unset.
_database_url = env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
try:
    DATABASES = {"default": env.db_url_config(_database_url)}
except (ImproperlyConfigured, ValueError, KeyError) as exc:
    raise ImproperlyConfigured(
        f"DATABASE_URL is malformed ({exc}). Expected e.g. "
        "postgres://user:password@host:5432/upskill or sqlite:///path/to/db.sqlite3"
    ) from exc
if DATABASES["default"].get("ENGINE") not in SUPPORTED_DATABASE_ENGINES:
    raise ImproperlyConfigured(
        "DATABASE_URL must start with postgres:// (production) or sqlite:// (local run); "
        f"got a URL for {DATABASES['default'].get('ENGINE') or 'an unknown database'}."
    )
DATABASES["default"]["CONN_MAX_AGE"] = _env_or_fail(env.int, "CONN_MAX_AGE", 0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for the write lock instead of failing at once when the eager worker and a
    # request write at the same moment.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Uploads: a file over FILE_UPLOAD_MAX_MEMORY_SIZE streams to a temporary file on disk
# instead of memory (import CSVs may be up to 200 MB, checked by the importer);
# DATA_UPLOAD_MAX_MEMORY_SIZE caps the rest of a request body (form fields, JSON).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# A request body over this (a 200 MB file plus the form around it) has its file data
# dropped unread-into-storage by the first handler, and the view refuses it.
UPLOAD_MAX_BODY_BYTES = 201 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "upskill.uploads.OversizedBodyHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# xAPI statements endpoint (POST /xapi/statements): object.id IRIs name steps as
# XAPI_STEP_IRI_PREFIX + "<pathway-slug>/<step-key>".
XAPI_STEP_IRI_PREFIX = env.str(
    "XAPI_STEP_IRI_PREFIX", default="https://upskill.example/xapi/steps/"
)
XAPI_MAX_BODY_BYTES = _env_or_fail(env.int, "XAPI_MAX_BODY_BYTES", 1_048_576)
XAPI_MAX_STATEMENTS = _env_or_fail(env.int, "XAPI_MAX_STATEMENTS", 500)

# Celery: a real broker when REDIS_URL is set, otherwise tasks run eagerly in-process
# so the quick start needs nothing but Python.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured("REDIS_URL must start with redis://, rediss:// or unix://")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Every task is idempotent and acks late; a pool child killed mid-task (the OOM killer's
# way) must put its message back rather than mark the task failed and drop it.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Redelivery after a worker dies mid-task needs the visibility timeout to outlast the
# longest task; imports and rollups are idempotent, so redelivery is safe.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _env_or_fail(env.int, "CELERY_VISIBILITY_TIMEOUT", 3600)
}
CELERY_BEAT_SCHEDULE = {
    "metrics-rollup-catch-up": {
        "task": "metrics.tasks.rollup_catch_up",
        "schedule": 300.0,
    },
    # Imports accepted while the broker was down, or whose worker died, are re-sent.
    "metrics-import-runs-resume": {
        "task": "metrics.tasks.import_runs_resume",
        "schedule": 120.0,
    },
    "responsibilities-computed-check-ins": {
        "task": "metrics.tasks.commitment_check_ins_compute",
        "schedule": 3600.0,
    },
    # Standing pathway assignments: enrol people who joined an assigned team or took an
    # assigned role since the last run (changes made in the app or the Django admin).
    "pathways-assignments-apply": {
        "task": "pathways.tasks.pathway_assignments_apply",
        "schedule": 3600.0,
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # django-axes logs every sign-in at INFO; keep warnings (lockouts) only.
    "loggers": {"axes": {"level": "WARNING"}},
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _env_or_fail(env.bool, "SECURE_SSL_REDIRECT", True)
    # Only a loopback benchmark over plain HTTP turns these off (bench/load/).
    SESSION_COOKIE_SECURE = _env_or_fail(env.bool, "SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = _env_or_fail(env.bool, "CSRF_COOKIE_SECURE", True)
    SECURE_HSTS_SECONDS = _env_or_fail(env.int, "SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
    SESSION_COOKIE_HTTPONLY = True
