"""Settings shared by every environment, read from the environment (django-environ).

With no configuration at all this is the embedded default: a SQLite file, Django's
in-process cache, Celery tasks run eagerly and e-mail printed to the console.
Every key is documented in `.env.example`.
"""

import warnings
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A developer's `.env` is honoured; the deployment passes real environment variables.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="insecure-local-development-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

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
    "blogapi",
    "users",
    "posts",
    "todos",
]

MIDDLEWARE = [
    # First, so a request's measured time covers every other middleware.
    "blogapi.metrics.RequestMetricsMiddleware",
    "blogapi.middleware.RequestLogMiddleware",
    # Answers anonymous near-cache hits before the rest (still measured and logged above),
    # and makes a request's writes wait out the cache lease once (blogapi/caching).
    "blogapi.caching.front.NearCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "blogapi.middleware.ApiJsonErrorMiddleware",
    "blogapi.middleware.RejectNulBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "blogapi.urls"
WSGI_APPLICATION = "blogapi.wsgi.application"
AUTH_USER_MODEL = "users.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

# --- Database -----------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    # Persistent connections, checked before reuse so a restarted PostgreSQL costs
    # one failed request at most instead of every worker's stale connection.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=3))

# --- Cache --------------------------------------------------------------------------
# Redis when REDIS_URL is set, else the in-process cache. Exceptions are NOT ignored
# here: blogapi.caching and the login throttle catch them themselves, so that an
# invalidation that could not reach Redis is recorded instead of silently dropped.
REDIS_URL = env("REDIS_URL", default="")
CACHE_SOCKET_TIMEOUT = env.float("CACHE_SOCKET_TIMEOUT", default=0.25)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="blogapi"),
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": CACHE_SOCKET_TIMEOUT,
                "SOCKET_TIMEOUT": CACHE_SOCKET_TIMEOUT,
                "CONNECTION_POOL_KWARGS": {"max_connections": env.int("REDIS_MAX_CONNECTIONS", default=50)},
            },
        }
    }
    # Redis Sentinel: REDIS_URL names the master (redis://[:password@]<master name>/<db>) and
    # the sentinels find it. Every read goes to the master, as django-redis's DefaultClient
    # does; its SentinelClient would read from replicas, whose lag would serve a generation
    # token a write has already replaced: a stale response (C1, docs/CACHING.md).
    if REDIS_SENTINELS := env.list("REDIS_SENTINELS", default=[]):
        CACHES["default"]["OPTIONS"].update(
            CONNECTION_FACTORY="django_redis.pool.SentinelConnectionFactory",
            SENTINELS=[(host, int(port)) for host, port in (address.rsplit(":", 1) for address in REDIS_SENTINELS)],
        )
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "blogapi"}}
# Per-process fallback for the login throttle while the shared cache is unreachable.
CACHES["local"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "blogapi-local"}

# Response cache (blogapi/caching.py): time-to-live of cached responses, seconds.
RESPONSE_CACHE_ENABLED = env.bool("RESPONSE_CACHE_ENABLED", default=True)
RESPONSE_CACHE_TTL = env.int("RESPONSE_CACHE_TTL", default=300)
# After a cache error, skip the cache for this long instead of paying the socket
# timeout on every request while Redis is down or stalled.
RESPONSE_CACHE_RETRY_AFTER = env.float("RESPONSE_CACHE_RETRY_AFTER", default=1.0)
# The near cache (blogapi/caching/generations.py): a process trusts the generation tokens
# it read for this many seconds without asking Redis again, and every write waits as long
# before it returns. The same on every process sharing the cache; 0 turns it off. Default:
# a quarter second where the cache is shared (Redis), off with the in-process cache.
RESPONSE_CACHE_LEASE = env.float("RESPONSE_CACHE_LEASE", default=0.25 if REDIS_URL else 0.0)
# What each process may keep of responses (and of users read to authenticate), in bytes.
RESPONSE_CACHE_NEAR_BYTES = env.int("RESPONSE_CACHE_NEAR_BYTES", default=32 * 1024 * 1024)
# Each process counts hits and misses in memory and a background thread adds them to the
# shared cache this often (`manage.py cache_stats` reads them there); 0: only on exit.
RESPONSE_CACHE_STATS_FLUSH_SECONDS = env.float("RESPONSE_CACHE_STATS_FLUSH_SECONDS", default=2.0)

# --- Celery -------------------------------------------------------------------------
# No broker configured (the embedded default): run tasks in-process.
CELERY_TASK_ALWAYS_EAGER = not env("CELERY_BROKER_URL", default="")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="") or "memory://"
CELERY_TASK_EAGER_PROPAGATES = False
# Acknowledge a task only once it finished, and put it back on the queue if the process
# running it dies: a killed worker loses nothing (the tasks are idempotent for that).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=45)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    "socket_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    # Redis broker: redeliver an unacknowledged (late-ack) task after this many seconds.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
}
if CELERY_BROKER_URL.startswith("sentinel://"):
    # sentinel://host:26379;sentinel://host2:26379 finds the master named here (default:
    # the one REDIS_URL names).
    CELERY_BROKER_TRANSPORT_OPTIONS["master_name"] = env(
        "CELERY_BROKER_SENTINEL_MASTER", default=urlsplit(REDIS_URL).hostname or "mymaster"
    )
if CELERY_BROKER_KEY_PREFIX := env("CELERY_BROKER_KEY_PREFIX", default=""):
    # Redis broker: deployments (or test runs) sharing one Redis database keep apart.
    CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = CELERY_BROKER_KEY_PREFIX
# Publishing from a request: one quick retry, then give up. A broker that refuses costs a
# few milliseconds, a silent one CELERY_BROKER_CONNECTION_TIMEOUT; the post is saved
# anyway and its notification stays owed for the beat sweep.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BEAT_SCHEDULE = {
    "send-pending-post-notifications": {
        "task": "posts.tasks.send_pending_post_notifications",
        "schedule": env.float("NOTIFICATION_SWEEP_SECONDS", default=60.0),
    },
    "flush-expired-jwt": {
        "task": "users.tasks.flush_expired_tokens",
        # Daily; beat keeps the last run in its schedule file, so a restart does not reset it.
        "schedule": 24 * 3600.0,
    },
}

# Post notifications (posts/notifications.py). The sweep sends those still owed once
# they are older than the grace period (younger ones are the normal task's business)
# and gives up on those older than the maximum age, a few per run.
NOTIFICATION_SWEEP_GRACE_SECONDS = env.int("NOTIFICATION_SWEEP_GRACE_SECONDS", default=300)
NOTIFICATION_SWEEP_MAX_AGE_HOURS = env.int("NOTIFICATION_SWEEP_MAX_AGE_HOURS", default=72)
NOTIFICATION_SWEEP_BATCH = env.int("NOTIFICATION_SWEEP_BATCH", default=100)

# --- E-mail -------------------------------------------------------------------------
# smtp://user:password@host:587 (smtp+tls:// for STARTTLS, smtp+ssl:// for TLS), consolemail://, ...
_email = env.email("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _email["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_FILE_PATH = _email["EMAIL_FILE_PATH"] or None
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="blogapi <noreply@localhost>")
# Seconds an SMTP call may block; well inside the task's soft time limit.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# --- Auth ---------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "SIGNING_KEY": env("JWT_SIGNING_KEY", default=SECRET_KEY),
    "ALGORITHM": "HS256",
    "AUTH_HEADER_TYPES": ("Bearer",),
}

# --- REST framework -----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["users.authentication.JWTAuthenticationHeldUser"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.NamespaceVersioning",
    "DEFAULT_VERSION": "v1",
    "ALLOWED_VERSIONS": ["v1", "v2"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "blogapi.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "login_username": env("LOGIN_FAILURES_PER_USERNAME", default="5/min"),
        "login_address": env("LOGIN_FAILURES_PER_ADDRESS", default="20/min"),
    },
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
}
API_PAGE_SIZE = env.int("API_PAGE_SIZE", default=20)
API_MAX_PAGE_SIZE = 100

SPECTACULAR_SETTINGS = {
    "TITLE": "Blog API",
    # blogapi.schema.describe_version adds the login URL of the schema's own version.
    "DESCRIPTION": "Blog posts and to-dos.",
    "VERSION": "2.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "blogapi.schema.describe_version",
        "blogapi.schema.add_error_responses",
    ],
    # A JS object, not a dict: the version selector (`urls`) needs the standalone layout
    # and its preset, which are JavaScript references. No `validatorUrl`: off localhost,
    # Swagger UI would send every page load's schema URL to validator.swagger.io.
    "SWAGGER_UI_SETTINGS": """{
        "validatorUrl": null,
        "deepLinking": true,
        "persistAuthorization": true,
        "urls": [{"url": "/api/schema/v2/", "name": "v2"}, {"url": "/api/schema/v1/", "name": "v1"}],
        "presets": [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
        "layout": "StandaloneLayout"
    }""",
}

# --- Static files (WhiteNoise serves them from gunicorn) -----------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Serve straight from the apps' static folders too, so a deployment that skipped
# collectstatic still has working admin and Swagger UI assets.
WHITENOISE_USE_FINDERS = True
# ...which makes WhiteNoise's warning about a missing STATIC_ROOT noise, not news.
warnings.filterwarnings("ignore", message="No directory at: ", category=UserWarning)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# HTTPS is terminated by a proxy: switched on by environment, never forced here.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if env.bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Strict-Transport-Security, once the whole host name is HTTPS only (browsers remember it).
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)

# --- Logging ------------------------------------------------------------------------
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOG_FILE = env("LOG_FILE", default="")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Our own request line replaces Django's, which would log 4xx twice.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
    },
}
if LOG_FILE:
    LOGGING["handlers"]["file"] = {
        "class": "logging.handlers.RotatingFileHandler",
        "filename": LOG_FILE,
        "maxBytes": env.int("LOG_FILE_MAX_BYTES", default=10 * 1024 * 1024),
        "backupCount": env.int("LOG_FILE_BACKUPS", default=5),
        "formatter": "plain",
    }
    LOGGING["root"]["handlers"].append("file")

# --- Metrics (blogapi/metrics.py) ----------------------------------------------------
# /metrics in the Prometheus text format: served to clients on the loopback interface,
# and to anyone sending `Authorization: Bearer <METRICS_TOKEN>` (empty: loopback only).
METRICS_TOKEN = env("METRICS_TOKEN", default="")
