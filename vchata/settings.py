"""Settings for VChata CRM, read from the environment (12-factor).

Production differs from development only by environment values; see README.md
for the list. Nothing here is meant to be edited per deployment.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from redis.exceptions import ConnectionError as RedisConnectionError

from vchata.logs import FILTERS as LOG_FILTERS
from vchata.logs import FORMATTERS as LOG_FORMATTERS
from vchata.logs import formatter_name as log_formatter

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

TESTING = "pytest" in sys.modules

# The served app (wsgi.py/asgi.py) refuses to start with DEBUG off and no
# SECRET_KEY; management commands and tests get a fixed throwaway key so
# `manage.py check` and the suite run on a bare checkout.
SECRET_KEY_FROM_ENV = bool(os.environ.get("SECRET_KEY"))
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-insecure-key-never-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# An htmx post after the session ended (its CSRF cookie gone) says "session ended", not a bare 403.
CSRF_FAILURE_VIEW = "vchata.tenancy.pages.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "vchata.accounts",
    "vchata.resilience",
    "pipelines",
    "leads",
    "pipelines.automation",
    "analytics",
    "integrations",
]

MIDDLEWARE = [
    "vchata.requestid.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "vchata.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "vchata.middleware.ApiErrorMiddleware",
    "vchata.dbtimeouts.DatabaseTimeoutsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "vchata.tenancy.time_zones.ResetTimeZoneMiddleware",
    "vchata.db_router.ReplicaReadsMiddleware",
]

ROOT_URLCONF = "vchata.urls"
WSGI_APPLICATION = "vchata.wsgi.application"
ASGI_APPLICATION = "vchata.asgi.application"

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
        },
    },
]

# SQLite by default so a new machine runs with nothing installed; PostgreSQL
# (psycopg 3) whenever DATABASE_URL is a postgres:// URL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# Server-side binding lets psycopg prepare a statement once it has run DB_PREPARE_THRESHOLD
# times on a connection; PostgreSQL then reuses its plan. Planning the 6-table join of a
# lead page costs ~2 ms, more than running it. DB_PREPARE_THRESHOLD=off behind a pooler
# that can't keep prepared statements (PgBouncer in transaction mode before 1.21).
PREPARE_THRESHOLD = os.environ.get("DB_PREPARE_THRESHOLD", "2")


def _prepared_statements(database: dict) -> dict:
    if database["ENGINE"] == "django.db.backends.postgresql" and PREPARE_THRESHOLD != "off":
        options = database.setdefault("OPTIONS", {})
        options.update(server_side_binding=True, prepare_threshold=int(PREPARE_THRESHOLD))
    return database


_prepared_statements(DATABASES["default"])
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Busy timeout so concurrent dev-server requests wait instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
# Optional read replica: analytics reads go there (vchata/db_router.py); tests
# mirror it onto the default database instead of creating a second one.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    _prepared_statements(DATABASES["replica"])
DATABASE_ROUTERS = ["vchata.db_router.PrimaryReplicaRouter"]

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

if TESTING:
    # Hashing cost is the point in production and pure waste in tests, where
    # every fixture user would pay it.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "/login"
LOGIN_REDIRECT_URL = "/app/"
LOGOUT_REDIRECT_URL = "/login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Tests and `make run` serve straight from the finders; production runs collectstatic.
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", DEBUG or TESTING)
WHITENOISE_MANIFEST_STRICT = False

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Lets several deployments (or test runs) share one Redis without mixing throttle counters.
CACHES["default"]["KEY_PREFIX"] = os.environ.get("CACHE_KEY_PREFIX", "")
# The lead list's exact total is kept in that cache (vchata/counts.py) when
# counting costs something: totals below LEAD_COUNT_CACHE_MIN are counted live
# on every request. The TTL bounds only an invalidation neither the cache nor the database took (vchata/counts.py).
# On by default only with Redis: a LocMem cache is per process, and a write
# served by one worker could not drop the totals another worker keeps.
LEAD_COUNT_CACHE = env_bool("LEAD_COUNT_CACHE", bool(REDIS_URL))
LEAD_COUNT_CACHE_MIN = int(os.environ.get("LEAD_COUNT_CACHE_MIN", "5000"))
LEAD_COUNT_CACHE_TTL = int(os.environ.get("LEAD_COUNT_CACHE_TTL", "600"))

# Largest request body the API accepts; larger ones get a 413 envelope.
API_MAX_BODY_BYTES = int(os.environ.get("API_MAX_BODY_BYTES", str(1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = max(API_MAX_BODY_BYTES, 2_621_440)

SIGNUP_ENABLED = env_bool("SIGNUP_ENABLED", True)

# --- background tasks (Celery, vchata/celery.py) ------------------------------
# Redis is the broker whenever there is one; without it tasks run in-process
# (callers send them after the transaction commits), so nothing else is needed.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
# The suite runs tasks in-process too (its worker tests switch that off); a started worker never does.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", TESTING or not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = False  # a failing task never turns a committed request into a 500
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
# At least once: a task is acknowledged after it ran, and goes back to the queue if its worker dies.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A send to an unreachable broker gives up quickly: the outbox row waits for the sweep instead.
CELERY_BROKER_CONNECTION_TIMEOUT = float(os.environ.get("CELERY_BROKER_CONNECTION_TIMEOUT", "2"))
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Deployments (and test runs) sharing one Redis keep separate queues.
    "global_keyprefix": f"{os.environ['CACHE_KEY_PREFIX']}:" if os.environ.get("CACHE_KEY_PREFIX") else "",
    # A task unacknowledged this long (its worker vanished) is handed to another worker.
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600")),
}
CELERY_TIMEZONE = "UTC"
# Scheduled jobs, sent by `make beat` (or run by `manage.py run_integrations` from cron).
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {
        "task": "integrations.tasks.sweep_outbox",
        "schedule": float(os.environ.get("OUTBOX_SWEEP_SECONDS", "60")),
    },
    "webhook-retries": {
        "task": "integrations.tasks.retry_due_deliveries",
        "schedule": float(os.environ.get("WEBHOOK_RETRY_SWEEP_SECONDS", "30")),
    },
    "inbound-sweep": {
        "task": "integrations.tasks.sweep_inbound_events",
        "schedule": float(os.environ.get("OUTBOX_SWEEP_SECONDS", "60")),
    },
    "idle-automation-rules": {"task": "integrations.tasks.run_automations", "schedule": 60.0},
    "integrations-prune": {"task": "integrations.tasks.prune_integration_logs", "schedule": 3600.0},
    # Each member's overdue and today's tasks, every morning in their organization's time zone: run
    # hourly, it sends an org's digests once its clock passes TASK_DIGEST_HOUR, and nothing twice.
    "task-digests": {"task": "leads.tasks.send_task_digests", "schedule": crontab(minute=0)},
}
# The hour (0–23, each organization's own time) from which its members' task digests go out.
TASK_DIGEST_HOUR = int(os.environ.get("TASK_DIGEST_HOUR", "7"))

# --- integrations (integrations/) -------------------------------------------
# Outbound webhooks: seconds before each retry (8 tries over about a day), each
# stretched by up to WEBHOOK_RETRY_JITTER of itself so failing endpoints are not hit in step.
WEBHOOK_RETRY_SCHEDULE = [float(s) for s in env_list("WEBHOOK_RETRY_SCHEDULE", "60,300,1800,3600,10800,21600,43200")]
WEBHOOK_RETRY_JITTER = float(os.environ.get("WEBHOOK_RETRY_JITTER", "0.2"))
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10"))
# A worker's claim on a delivery lasts the timeout plus this; a worker that died mid-send is replaced after it.
WEBHOOK_CLAIM_MARGIN_SECONDS = float(os.environ.get("WEBHOOK_CLAIM_MARGIN_SECONDS", "20"))
# An endpoint is disabled after this many failed attempts in a row spanning at least this many hours.
WEBHOOK_DISABLE_AFTER_FAILURES = int(os.environ.get("WEBHOOK_DISABLE_AFTER_FAILURES", "20"))
WEBHOOK_DISABLE_AFTER_HOURS = float(os.environ.get("WEBHOOK_DISABLE_AFTER_HOURS", "24"))
# Private, loopback and link-local targets are refused unless this is set (development, tests).
WEBHOOKS_ALLOW_PRIVATE = env_bool("WEBHOOKS_ALLOW_PRIVATE", False)
# Under pytest, deliveries may reach loopback addresses only, whatever a test stored.
WEBHOOKS_LOOPBACK_ONLY = TESTING
# Outbox rows and delivery logs older than this are deleted (once nothing is pending on them).
INTEGRATIONS_LOG_RETENTION_DAYS = int(os.environ.get("INTEGRATIONS_LOG_RETENTION_DAYS", "30"))
# Meta (Messenger, Instagram, WhatsApp Cloud API) inbound webhooks.
META_APP_SECRET = os.environ.get("META_APP_SECRET", "")
META_VERIFY_TOKEN = os.environ.get("META_VERIFY_TOKEN", "")

# --- Email (invitations) -------------------------------------------------------
# Django's email framework, configured from the environment. The console backend
# (mail printed to the server's output) unless EMAIL_BACKEND says otherwise;
# tests always use the locmem outbox (pytest-django). SMTP in production:
# EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend plus EMAIL_HOST & co.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "artifacts" / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "VChata CRM <no-reply@vchata.local>")
# Where links in emails point (an invitation is <SITE_URL>/invite/<token>). Empty:
# the address the inviting request came in on.
SITE_URL = os.environ.get("SITE_URL", "")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework_simplejwt.authentication.JWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # DRF's JSON parser, also refusing what could not be stored or sent back (vchata/parsers.py).
    "DEFAULT_PARSER_CLASSES": ["vchata.parsers.StrictJSONParser"],
    # No OPTIONS self-description: the OpenAPI schema documents the API, and DRF's
    # metadata needs a serializer_class that views with input/output serializers
    # don't have (OPTIONS /leads/{orgId} was a 500, found by the fuzzer). OPTIONS is a 405.
    "DEFAULT_METADATA_CLASS": None,
    # DRF's negotiation, without parsing a missing, */* or application/json Accept header (vchata/negotiation.py).
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "vchata.negotiation.FirstRendererNegotiation",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "vchata.exceptions.envelope_exception_handler",
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%SZ",
    "COERCE_DECIMAL_TO_STRING": False,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Throttling (vchata/throttling.py): counted in the default cache, so in
    # Redis, shared by every worker, whenever REDIS_URL is set.
    "DEFAULT_THROTTLE_CLASSES": [
        "vchata.throttling.AnonThrottle",
        "vchata.throttling.UserThrottle",
        "vchata.throttling.ScopeThrottle",
        "integrations.throttling.ApiKeyThrottle",
    ],
    # Under pytest every scope is effectively unlimited (per second, so the
    # counters stay tiny); the throttling tests set real rates.
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("THROTTLE_ANON_RATE", "100000/s" if TESTING else "120/minute"),
        "user": os.environ.get("THROTTLE_USER_RATE", "100000/s" if TESTING else "1200/minute"),
        # /auth/token and /auth/signup, per client IP: against credential stuffing.
        "auth": os.environ.get("THROTTLE_AUTH_RATE", "100000/s" if TESTING else "10/minute"),
        # POST /forms/{formKey}, per IP: public web-to-lead capture.
        "forms": os.environ.get("THROTTLE_FORM_RATE", "100000/s" if TESTING else "20/minute"),
        # /webhooks/meta, per sending IP: Meta batches, but a burst of retries must not be turned away.
        "meta": os.environ.get("THROTTLE_META_RATE", "100000/s" if TESTING else "3000/minute"),
        # Per API key (a key's own ``rate_limit`` a minute, when set, wins).
        "apikey": os.environ.get("THROTTLE_APIKEY_RATE", "100000/s" if TESTING else "600/minute"),
    },
    # Reverse proxies in front of the app. 0: the client is REMOTE_ADDR and
    # X-Forwarded-For is ignored (else any client could pick its own throttle key).
    "NUM_PROXIES": int(os.environ.get("NUM_PROXIES", "0")),
}
# Credentials the org routes accept before JWT (dotted paths: the core does not import the apps).
ORG_ROUTE_AUTHENTICATORS = ["integrations.authentication.ApiKeyAuthentication"]

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=int(os.environ.get("JWT_ACCESS_MINUTES", "15"))),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=int(os.environ.get("JWT_REFRESH_DAYS", "7"))),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "SIGNING_KEY": os.environ.get("JWT_SIGNING_KEY", SECRET_KEY),
    # Tokens carry a hash of the password hash: changing the password revokes them.
    "CHECK_REVOKE_TOKEN": True,
}

# --- HTTPS and security headers --------------------------------------------
# Production behind TLS sets HTTPS_ONLY=1 (and SECURE_PROXY_SSL_HEADER when a
# proxy terminates TLS); each setting can still be overridden on its own.
# Off by default so `make run`, the tests and loopback benchmarks speak plain HTTP.
HTTPS_ONLY = env_bool("HTTPS_ONLY", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS_ONLY)
# Load balancers probe /health over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health(/live|/ready)?$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", HTTPS_ONLY)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", HTTPS_ONLY)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(31_536_000 if HTTPS_ONLY else 0)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS_ONLY)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", HTTPS_ONLY)
# "HTTP_X_FORWARDED_PROTO,https": trust that header from the proxy to mean HTTPS.
# Only set it when the proxy always overwrites the header.
_proxy_ssl_header = env_list("SECURE_PROXY_SSL_HEADER")
SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header) if len(_proxy_ssl_header) == 2 else None
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy of the pages (django-csp; vchata/security.py gives
# API responses and /api/docs their own). Our pages load only our own static
# JS and CSS: no inline scripts, no CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # style="width: 40%" on server-rendered bars; attribute styles cannot load or run anything.
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

SPECTACULAR_SETTINGS = {
    "TITLE": "VChata CRM API",
    "DESCRIPTION": "Leads, pipelines, conversations and analytics for sales teams.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/",
    "SECURITY": [{"jwtAuth": []}],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "vchata.schema.document_body_errors",
    ],
    # Two choice sets share the field name "role": name the full one, or the schema gets "Role6d0Enum".
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "vchata.accounts.models.Membership.Role",
        "InvitableRoleEnum": "vchata.accounts.invitations.INVITABLE_ROLES",
        "InvitationStatusEnum": "vchata.accounts.models.Invitation.Status",
        # "status" is a lead's status and an invitation's: the lead's keeps its name.
        "StatusEnum": "pipelines.models.LeadStatus",
        # "type" is an activity's type and a custom field's type.
        "ActivityTypeEnum": "leads.models.Activity.Type",
        "LoggedActivityTypeEnum": "leads.models.LOGGED_ACTIVITY_CHOICES",
        "CustomFieldTypeEnum": "leads.models.CustomField.Type",
        "TaskTypeEnum": "leads.models.Task.Type",
        "WebhookEventTypeEnum": "integrations.models.EventType",
    },
}

# --- When a dependency fails ---------------------------------------------------
# Redis is optional at run time (vchata/cachefaults.py): a cache call that gets no answer within
# REDIS_TIMEOUT seconds fails, the request goes on without the cache, and the process leaves the
# cache alone for REDIS_RETRY_SECONDS before trying it again.
REDIS_TIMEOUT = float(os.environ.get("REDIS_TIMEOUT", "0.5"))
REDIS_RETRY_SECONDS = float(os.environ.get("REDIS_RETRY_SECONDS", "0" if TESTING else "1"))
if REDIS_URL:
    CACHES["default"]["OPTIONS"] = {
        "socket_connect_timeout": REDIS_TIMEOUT,
        "socket_timeout": REDIS_TIMEOUT,
        # A pooled connection that a restarted Redis dropped is retried once on a new one.
        "retry_on_error": [RedisConnectionError],
    }
# Database trouble is a 503 with Retry-After (vchata/dbfaults.py). Served requests run with a
# statement and a lock timeout (vchata/dbtimeouts.py), in seconds, 0 for none.
DB_CONNECT_TIMEOUT = int(os.environ.get("DB_CONNECT_TIMEOUT", "5"))
DB_STATEMENT_TIMEOUT = float(os.environ.get("DB_STATEMENT_TIMEOUT", "10"))
DB_LOCK_TIMEOUT = float(os.environ.get("DB_LOCK_TIMEOUT", "5"))
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        _database.setdefault("OPTIONS", {}).setdefault("connect_timeout", DB_CONNECT_TIMEOUT)
        # Django's backend, with a health check that sends no query on a busy connection.
        _database["ENGINE"] = "vchata.postgresql"

# --- Logs ------------------------------------------------------------------------
# Every line carries the request id (vchata/requestid.py); LOG_FORMAT=json writes one JSON object
# a line for a log collector. TRUST_REQUEST_ID_HEADER=1 keeps the X-Request-ID the proxy sends.
TRUST_REQUEST_ID_HEADER = env_bool("TRUST_REQUEST_ID_HEADER", False)
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": LOG_FILTERS,
    "formatters": LOG_FORMATTERS,
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": log_formatter(LOG_FORMAT)}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
