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
    # One audit entry per request, however many rows it changed (upskill/services/audit.py).
    "upskill.middleware.AuditActionMiddleware",
    # After authentication: ends the session of a deactivated person, or one past its cap.
    "upskill.middleware.SessionBoundsMiddleware",
    # After the session and user are loaded (from the primary): the read-only pages'
    # reads go to DATABASE_REPLICA_URL when it is set.
    "upskill.replica.ReplicaReadsMiddleware",
    "upskill.middleware.AccessDenialMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "upskill.middleware.SignOutFormActionMiddleware",
    # django-axes must come last: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failed sign-ins for one
# username from one address, that pair is locked out for AXES_COOLOFF_MINUTES.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Passwords: everyone while PASSWORD_LOGIN is on, only superusers (break-glass) when off.
    "upskill.backends.PasswordBackend",
    # OpenID Connect: inert until OIDC_ISSUER is set (see "Single sign-on" below).
    "upskill.backends.OidcBackend",
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
# Each entry carries the correlation id of the user action it belongs to, and an action's
# entries are merged into one when it ends (upskill/services/audit.py).
AUDITLOG_CID_GETTER = "upskill.services.audit.action_cid"
# A reference is recorded as its object's name when it is written (a user's is the
# username): the trail names objects, never ids, without looking them up per entry.
AUDITLOG_USE_FK_STRING_REPRESENTATION = True
# The tracked models' fields that hold a person, which the trail shows by name, not
# username (tests/upskill/test_audit_actions.py checks every user reference is here).
AUDIT_PEOPLE_FIELDS = {
    "pathways.PathwayAssignment": ("created_by",),
    "responsibilities.CommitmentCheckIn": ("recorded_by",),
    "responsibilities.AlignmentSurvey": ("created_by",),
    "metrics.XapiKey": ("created_by",),
}
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
    # Not metrics.ImportRun: a run's status changes over two requests and two jobs, so
    # the import services write its one entry when it settles (import_run_audit).
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
# Seconds a web process keeps its database connection between requests (0: a new
# connection per request, what PgBouncer in transaction mode wants). Reused connections
# are checked before each request, so a restarted server costs one failed request none.
DATABASES["default"]["CONN_MAX_AGE"] = _env_or_fail(env.int, "CONN_MAX_AGE", 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = DATABASES["default"]["CONN_MAX_AGE"] != 0
# A PostgreSQL read replica for the read-only pages (upskill/replica.py): their GET
# requests read from it, everything else (and every write) uses DATABASE_URL. Unset:
# no second database, and the router below decides nothing.
_replica_url = env.str("DATABASE_REPLICA_URL", default="")
if _replica_url:
    try:
        DATABASES["replica"] = env.db_url_config(_replica_url)
    except (ImproperlyConfigured, ValueError, KeyError) as exc:
        raise ImproperlyConfigured(
            f"DATABASE_REPLICA_URL is malformed ({exc}). Expected e.g. "
            "postgres://user:password@replica-host:5432/upskill"
        ) from exc
    if not (
        DATABASES["replica"].get("ENGINE")
        == DATABASES["default"]["ENGINE"]
        == "django.db.backends.postgresql"
    ):
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL must be a postgres:// URL, and DATABASE_URL too: the "
            "replica is a streaming copy of the PostgreSQL primary."
        )
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = DATABASES["default"]["CONN_HEALTH_CHECKS"]
    # Tests run against the primary's test database through this alias.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["upskill.replica.ReplicaRouter"]
# After a request that wrote, the same browser reads from the primary this long (the
# replica's lag must stay well under it).
DATABASE_REPLICA_PIN_SECONDS = _env_or_fail(env.int, "DATABASE_REPLICA_PIN_SECONDS", 10)
if DATABASE_REPLICA_PIN_SECONDS < 1:
    raise ImproperlyConfigured("DATABASE_REPLICA_PIN_SECONDS must be at least 1 (second).")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for the write lock instead of failing at once when the eager worker and a
    # request write at the same moment.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# ActivityRecord's (person, occurred_at) index carries included columns on PostgreSQL
# (an index-only scan for the incremental rollup); SQLite, which has no INCLUDE, builds
# the plain two-column index, which is all it needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Single sign-on (OpenID Connect, mozilla-django-oidc underneath): on when OIDC_ISSUER is
# set. The provider's endpoints come from its discovery document, fetched when first
# needed and cached (upskill/oidc.py), so nothing here names them.
OIDC_ISSUER = env.str("OIDC_ISSUER", default="").rstrip("/")
OIDC_RP_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
if OIDC_ISSUER and not (OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET):
    raise ImproperlyConfigured(
        "OIDC_ISSUER is set: OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set too."
    )
if OIDC_ISSUER and not DEBUG and not OIDC_ISSUER.startswith("https://"):
    raise ImproperlyConfigured("OIDC_ISSUER must be an https:// URL when DEBUG is false.")
OIDC_RP_SCOPES = env.str("OIDC_SCOPES", default="openid email profile")
if OIDC_ISSUER and "openid" not in OIDC_RP_SCOPES.split():
    raise ImproperlyConfigured("OIDC_SCOPES must include openid.")
OIDC_BUTTON_LABEL = env.str("OIDC_BUTTON_LABEL", default="your company account")
# Which claim names the person, and which field of theirs it must equal (a lookup from
# the user: "person__employee_id", or "email" — compared ignoring case). The subject
# (`sub`) is stored on first sign-in and matched first from then on.
OIDC_MATCH_CLAIM = env.str("OIDC_MATCH_CLAIM", default="employee_id")
OIDC_MATCH_FIELD = env.str("OIDC_MATCH_FIELD", default="person__employee_id")
# When the match claim is missing from a token: try the (verified) email claim instead.
OIDC_MATCH_EMAIL_FALLBACK = _env_or_fail(env.bool, "OIDC_MATCH_EMAIL_FALLBACK", False)
OIDC_CREATE_UNKNOWN = _env_or_fail(env.bool, "OIDC_CREATE_UNKNOWN", False)
# Members of any of these IdP groups are L&D admins, others are not (empty: the group
# SCIM maps, SCIM_LD_ADMIN_GROUP); only applied when the token carries the group claim.
OIDC_ADMIN_GROUPS = _env_or_fail(env.list, "OIDC_ADMIN_GROUPS", [])
OIDC_GROUPS_CLAIM = env.str("OIDC_GROUPS_CLAIM", default="groups")
OIDC_TIMEOUT = _env_or_fail(env.float, "OIDC_TIMEOUT", 5.0)
OIDC_DISCOVERY_CACHE_SECONDS = _env_or_fail(env.int, "OIDC_DISCOVERY_CACHE_SECONDS", 3600)
# mozilla-django-oidc's own settings: authorisation code flow with PKCE (S256), state
# and nonce; the ID token kept in the session for RP-initiated logout's id_token_hint.
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_RP_SIGN_ALGO = env.str("OIDC_SIGN_ALGORITHM", default="RS256")
OIDC_STORE_ID_TOKEN = True
OIDC_STORE_ACCESS_TOKEN = False
OIDC_CREATE_USER = OIDC_CREATE_UNKNOWN
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_callback"
OIDC_OP_LOGOUT_URL_METHOD = "upskill.oidc.provider_logout_url"
LOGIN_REDIRECT_URL_FAILURE = "login"

# Password sign-in (the form on /login/ and the admin's). Off: only superusers, the
# break-glass accounts for when the identity provider is down.
PASSWORD_LOGIN = _env_or_fail(env.bool, "PASSWORD_LOGIN", True)

# Every session ends this long after sign-in, whatever happens in between (the cookie
# expires then too). Default: 12 hours.
SESSION_MAX_AGE = _env_or_fail(env.int, "SESSION_MAX_AGE", 12 * 3600)
if SESSION_MAX_AGE < 60:
    raise ImproperlyConfigured("SESSION_MAX_AGE must be at least 60 (seconds).")
SESSION_COOKIE_AGE = SESSION_MAX_AGE

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

# SITE_URL: the site's public address. Every id an Open Badges 3.0 credential carries
# is built on it (never on the request's Host), and so are the links in emails.
# The badge signing key is BADGE_SIGNING_KEY (an Ed25519 private Multikey "z3u2..." or a
# base64 32-byte seed); unset, one is generated once and kept in the database. Keys
# rotated out of BADGE_SIGNING_KEY go to BADGE_RETIRED_SIGNING_KEYS (comma-separated) so
# their credentials can still be revoked.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
BADGE_ISSUER_NAME = env.str("BADGE_ISSUER_NAME", default="Upskill")
BADGE_SIGNING_KEY = env.str("BADGE_SIGNING_KEY", default="")
BADGE_RETIRED_SIGNING_KEYS = env.list("BADGE_RETIRED_SIGNING_KEYS", default=[])
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

# xAPI receiver (/xapi/statements, /xapi/about; README "Sending xAPI"): object.id IRIs
# name steps as XAPI_STEP_IRI_PREFIX + "<pathway-slug>/<step-key>" (foreign ids are mapped
# on the xAPI mapping page).
XAPI_STEP_IRI_PREFIX = env.str(
    "XAPI_STEP_IRI_PREFIX", default="https://upskill.example/xapi/steps/"
)
XAPI_MAX_BODY_BYTES = _env_or_fail(env.int, "XAPI_MAX_BODY_BYTES", 1_048_576)
XAPI_MAX_STATEMENTS = _env_or_fail(env.int, "XAPI_MAX_STATEMENTS", 500)
# An account actor ({"homePage", "name"}) is the person whose user field of this name
# ("username" or "email") equals the account name, any case. With homepages listed, only
# accounts on those systems are matched (e.g. your Moodle's URL).
XAPI_ACCOUNT_NAME_FIELD = env.str("XAPI_ACCOUNT_NAME_FIELD", default="username")
if XAPI_ACCOUNT_NAME_FIELD not in ("username", "email"):
    raise ImproperlyConfigured('XAPI_ACCOUNT_NAME_FIELD must be "username" or "email".')
# (Empty items dropped: "XAPI_ACCOUNT_HOMEPAGES=" means none, not one empty homepage.)
XAPI_ACCOUNT_HOMEPAGES = [h for h in env.list("XAPI_ACCOUNT_HOMEPAGES", default=[]) if h.strip()]
# Browser-run content (TinCan/cmi5 packages) may call the receiver from these origins
# (CORS); "*" allows any.
XAPI_CORS_ALLOWED_ORIGINS = [
    o for o in env.list("XAPI_CORS_ALLOWED_ORIGINS", default=[]) if o.strip()
]
# The homePage of the authority account a statement is returned with (the key's prefix
# is the account name).
XAPI_AUTHORITY_HOMEPAGE = env.str("XAPI_AUTHORITY_HOMEPAGE", default="https://upskill.example/")

# HR sync (upskill.services.hr_sync): a sync that would make more than this share of the
# active people leavers is refused unless confirmed explicitly (--allow-mass-leavers, or
# the checkbox on the Organisation page that names the number).
HR_SYNC_MAX_LEAVER_SHARE = _env_or_fail(env.float, "HR_SYNC_MAX_LEAVER_SHARE", 0.10)

# SCIM 2.0 provisioning (upskill.services.scim): the identity provider's group whose
# members are L&D admins (matched on displayName; every other group is a team), and the
# largest request body and page accepted.
SCIM_LD_ADMIN_GROUP = env.str("SCIM_LD_ADMIN_GROUP", default="Upskill L&D admins")
SCIM_MAX_BODY_BYTES = _env_or_fail(env.int, "SCIM_MAX_BODY_BYTES", 1_048_576)
SCIM_MAX_PAGE_SIZE = _env_or_fail(env.int, "SCIM_MAX_PAGE_SIZE", 200)

# Celery: a real broker when REDIS_URL is set, otherwise tasks run eagerly in-process
# so the quick start needs nothing but Python.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured("REDIS_URL must start with redis://, rediss:// or unix://")
# The figures cache (upskill/cache.py) and the OIDC discovery cache: Redis when REDIS_URL
# is set, shared by every process (the key prefix keeps them apart from the broker's
# keys in the same database), else each process's memory. Figures are keyed on the
# generations of their inputs, so they are never stale; FIGURES_CACHE_SECONDS only
# bounds how long an entry nobody asks for any more (its inputs have moved on) holds
# memory: the broker's Redis must not evict (noeviction), so the superseded entries of
# an hour are what the cache can hold. The short socket timeouts: a Redis that is down
# makes pages compute their figures, not wait.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "upskill",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "upskill",
            "OPTIONS": {"MAX_ENTRIES": 1_000},
        }
    }
FIGURES_CACHE_SECONDS = _env_or_fail(env.int, "FIGURES_CACHE_SECONDS", 3600)
if FIGURES_CACHE_SECONDS < 1:
    raise ImproperlyConfigured("FIGURES_CACHE_SECONDS must be a positive number of seconds.")
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
    # Every app's due notifications (due dates, pulses, check-ins, the digest), then the
    # catch-up of every email still pending.
    "upskill-notifications-due": {
        "task": "upskill.tasks.notifications_due",
        "schedule": 900.0,
    },
}

# Email: EMAIL_URL as django-environ reads it (smtp://user:pass@host:587,
# smtp+tls://..., smtps://..., consolemail:// — the local default, printing emails to the
# terminal). SITE_URL (above, with the badges) makes the absolute links in emails.
try:
    vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
except (ImproperlyConfigured, ValueError, KeyError) as exc:
    raise ImproperlyConfigured(
        f"EMAIL_URL is malformed ({exc}). Expected e.g. smtp+tls://user:pass@host:587"
    ) from exc
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Upskill <upskill@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = _env_or_fail(env.int, "EMAIL_TIMEOUT", 20)

# Team chat webhooks (Slack, Microsoft Teams): seconds before a service that does not
# answer counts as a failed post (retried), and whether a plain-http loopback URL may be
# configured (a local test server; on by default only with DEBUG).
CHAT_WEBHOOK_TIMEOUT = _env_or_fail(env.int, "CHAT_WEBHOOK_TIMEOUT", 10)
CHAT_WEBHOOK_ALLOW_HTTP_LOOPBACK = _env_or_fail(env.bool, "CHAT_WEBHOOK_ALLOW_HTTP_LOOPBACK", DEBUG)

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
