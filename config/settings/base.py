"""Postdeck settings: everything here, every value from the environment.

Defaults are the secure ones (DEBUG off, secure cookies off localhost) and the
embedded runtime (SQLite, a broker that needs no server, local files). Production
differs only by environment variables; see .env.example for every variable.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .env import (
    env_bool,
    env_db,
    env_int,
    env_list,
    env_str,
)
from .site import BASE_DIR, BASE_URL, IS_LOCALHOST, VAR_DIR

# --- Core -----------------------------------------------------------------------

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS", default=[])
DEBUG = env_bool("DJANGO_DEBUG", default=False)

_base = urlsplit(BASE_URL)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default=[_base.hostname])
CSRF_TRUSTED_ORIGINS = env_list(
    "DJANGO_CSRF_TRUSTED_ORIGINS", default=[f"{_base.scheme}://{_base.netloc}"]
)

INSTALLED_APPS = [
    "cms.apps.CmsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_celery_beat",
    "workspaces",
    "media_library",
    "cms",
    "tiktok_integration",
    "tiktok_sandbox",
    "config.apps.PostdeckConfig",  # deploy checks, log filters (config/apps.py)
]

MIDDLEWARE = [
    "config.limits.RequestSizeLimitMiddleware",  # before anything reads the body
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"
ADMIN_URL = env_str("DJANGO_ADMIN_URL", default="admin/")
if not ADMIN_URL.endswith("/") or ADMIN_URL.startswith("/"):
    raise ImproperlyConfigured(
        f"DJANGO_ADMIN_URL must look like 'admin/' (no leading slash, one trailing "
        f"slash); got {ADMIN_URL!r}."
    )

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
                "cms.context_processors.postdeck",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------

DATABASES = {
    "default": env_db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat write to the same file. WAL lets readers and one writer
    # work at once; IMMEDIATE transactions take the write lock up front so a reader
    # never has to upgrade (the usual cause of "database is locked"), and the busy
    # timeout makes the second writer wait instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=30000;"
            "PRAGMA foreign_keys=ON;"
        ),
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Behind PgBouncer in transaction mode, a server-side cursor (.iterator())
    # cannot outlive its transaction's server connection (docs/deployment.md).
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool(
        "DATABASE_DISABLE_SERVER_SIDE_CURSORS", default=False
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth, i18n -----------------------------------------------------------------

_VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATORS}.UserAttributeSimilarityValidator"},
    {"NAME": f"{_VALIDATORS}.MinimumLengthValidator"},
    {"NAME": f"{_VALIDATORS}.CommonPasswordValidator"},
    {"NAME": f"{_VALIDATORS}.NumericPasswordValidator"},
]
LANGUAGE_CODE = "en"
TIME_ZONE = env_str("DJANGO_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True
# One date/time format across the admin: minutes always, zone named.
FORMAT_MODULE_PATH = ["config.formats"]

# --- Static and media -----------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = env_str("DJANGO_MEDIA_URL", default="/media/")
MEDIA_ROOT = VAR_DIR / "media"

STORAGE_BACKEND = env_str("STORAGE_BACKEND", default="local")
if STORAGE_BACKEND == "local":
    _default_storage: dict[str, object] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": MEDIA_URL},
    }
elif STORAGE_BACKEND == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("AWS_STORAGE_BUCKET_NAME"),
            "access_key": env_str("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY", default=None),
            "region_name": env_str("AWS_S3_REGION_NAME", default=None),
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL", default=None),
            "custom_domain": env_str("AWS_S3_CUSTOM_DOMAIN", default=None),
            "location": env_str("AWS_S3_LOCATION", default="media"),
            "file_overwrite": False,
            "default_acl": "private",
            "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", default=True),
        },
    }
else:
    raise ImproperlyConfigured(
        f"STORAGE_BACKEND must be 'local' or 's3'; got {STORAGE_BACKEND!r}."
    )
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = str(VAR_DIR / "tmp")
# Request bodies are refused by size before they are read (config/limits.py): this
# for every URL but the media upload page (MEDIA_MAX_FILE_BYTES + 1 MiB) and the
# sandbox's upload endpoint. The reverse proxy should refuse the same sizes first.
REQUEST_MAX_BYTES = env_int("POSTDECK_REQUEST_MAX_BYTES", default=10 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "config.limits.RequestSizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- Security -------------------------------------------------------------------

_secure_default = not IS_LOCALHOST
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=_secure_default)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=_secure_default)
SECURE_HSTS_SECONDS = env_int(
    "DJANGO_SECURE_HSTS_SECONDS", default=0 if IS_LOCALHOST else 31536000
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool(
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not IS_LOCALHOST
)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", default=not IS_LOCALHOST)
if env_bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS: list[str] = []

# --- Login protection, two-factor, Content-Security-Policy ---------------------
# One block on purpose: lockout (django-axes), TOTP (django-otp) and the CSP
# (django-csp) add apps, middleware and settings together.

INSTALLED_APPS += [
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]
_auth_middleware = MIDDLEWARE.index(
    "django.contrib.auth.middleware.AuthenticationMiddleware"
)
MIDDLEWARE[_auth_middleware + 1 : _auth_middleware + 1] = [
    # Marks the session's user as verified once a one-time code was accepted.
    "django_otp.middleware.OTPMiddleware",
    "cms.security.middleware.RequireTwoFactorMiddleware",
]
MIDDLEWARE += [
    "csp.middleware.CSPMiddleware",
    # Last, so it turns a lockout flagged anywhere into the lockout page.
    "axes.middleware.AxesMiddleware",
]
# Axes only watches (it refuses locked-out attempts); ModelBackend logs in.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failed sign-ins before a lock, and how long the lock lasts (minutes). A failure
# during the lock starts the cool-off again.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", default=15))
# Each entry is counted on its own: "username+ip_address" locks one account from
# one address, "ip_address" an address whatever account it tries.
AXES_LOCKOUT_PARAMETERS: list[str | list[str]] = [
    entry.split("+") if "+" in entry else entry
    for entry in env_list(
        "AXES_LOCKOUT_PARAMETERS", default=["username+ip_address", "ip_address"]
    )
]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/login_locked.html"
# X-Forwarded-For is believed only behind a proxy that says so; the client is the
# address the outermost trusted proxy appended (POSTDECK_TRUSTED_PROXY_COUNT from
# the right), never the client-supplied left-most entry.
AXES_CLIENT_IP_CALLABLE = "cms.security.lockout.client_ip_address"
POSTDECK_TRUSTED_PROXY_COUNT = env_int(
    "POSTDECK_TRUSTED_PROXY_COUNT",
    default=1 if env_bool("DJANGO_BEHIND_TLS_PROXY", default=False) else 0,
)
# TOTP two-factor for staff; when required, staff without an authenticator app
# must set one up before they can do anything else.
POSTDECK_REQUIRE_2FA = env_bool("POSTDECK_REQUIRE_2FA", default=False)
OTP_TOTP_ISSUER = env_str("POSTDECK_OTP_ISSUER", default="Postdeck")
# Content-Security-Policy: no inline script or style anywhere (templates use
# static files). Media may come from object storage's own origin.
if STORAGE_BACKEND == "s3":
    _storage_origin = env_str("AWS_S3_CUSTOM_DOMAIN", default=None)
    _storage_endpoint = env_str("AWS_S3_ENDPOINT_URL", default=None)
    _media_origins = env_list(
        "POSTDECK_CSP_MEDIA_ORIGINS",
        default=[
            f"https://{_storage_origin}"
            if _storage_origin
            else (
                _storage_endpoint.rstrip("/")
                if _storage_endpoint
                else "https://*.amazonaws.com"
            )
        ],
    )
else:
    _media_origins = env_list("POSTDECK_CSP_MEDIA_ORIGINS", default=[])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # TikTok serves creator avatars from its own CDNs, which change.
        "img-src": ["'self'", "data:", "https:", *_media_origins],
        "media-src": ["'self'", *_media_origins],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Token encryption (independent of SECRET_KEY) -------------------------------

# Newest first: the first key encrypts, every key decrypts.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")

# --- TikTok and publishing: config/settings/tiktok.py ---------------------------

from .tiktok import *  # noqa: E402, F403

# --- Celery ---------------------------------------------------------------------

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", default="filesystem://")
CELERY_RESULT_BACKEND = env_str(
    "CELERY_RESULT_BACKEND", default=f"file://{VAR_DIR / 'celery' / 'results'}"
)
_visibility_timeout = env_int("CELERY_VISIBILITY_TIMEOUT", default=3600)
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "celery" / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
else:
    # The Redis visibility timeout must sit well above the longest task (hard
    # limit below), or a running task is delivered a second time.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": _visibility_timeout}
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
        "visibility_timeout": _visibility_timeout
    }
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", default=540)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", default=600)
if _visibility_timeout < 2 * CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        "CELERY_VISIBILITY_TIMEOUT must be at least twice CELERY_TASK_TIME_LIMIT "
        f"({2 * CELERY_TASK_TIME_LIMIT} s), or running tasks are delivered twice."
    )
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes every database connection before and after each
# task unless this is set: a new PostgreSQL backend (fork, auth, set_config) per
# task, measured by bench/bench_scale.py as one connection per publish step.
# With it, connections live as CONN_MAX_AGE and CONN_HEALTH_CHECKS say
# (config/celery.py checks them before each task); the fixup still closes them
# every this many tasks.
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", default=200)
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = 30
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = "default"
# Publishing tasks are idempotent by lease (docs/reliability.md §4), so they can be
# acknowledged late and re-queued when a worker dies; everything else acks early.
# Status checks have a queue of their own, so a surge of uploads on "publish"
# cannot hold them back, and so have token refreshes, so a backlog of ticks or
# publishes cannot delay one past its token's expiry (bench/bench_scale.py).
# A worker takes from all its queues in turn. Every worker deployment must
# consume both (the Procfile's one worker does; docs/deployment.md).
# Analytics syncs and media probes/conversions stay on "default" unless given
# queues of their own, for their own workers (docs/deployment.md); their beat
# ticks stay on "default" either way (config/periodic.py).
CELERY_TOKEN_QUEUE = env_str("CELERY_TOKEN_QUEUE", default="tokens")
CELERY_POLL_QUEUE = env_str("CELERY_POLL_QUEUE", default="publish_poll")
CELERY_TASK_ROUTES = {
    "tiktok.refresh_account_token": {"queue": CELERY_TOKEN_QUEUE},
    "tiktok.publish_poll": {"queue": CELERY_POLL_QUEUE},
    "tiktok.publish_*": {"queue": "publish"},
    "tiktok.analytics_*": {
        "queue": env_str("CELERY_ANALYTICS_QUEUE", default="default")
    },
    "media_library.*": {"queue": env_str("CELERY_MEDIA_QUEUE", default="default")},
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- Media library --------------------------------------------------------------

# Larger files are refused before they are stored. TikTok's own limits (4 GB per
# video, 20 MB per photo) are checked separately and mark a file "not ready".
MEDIA_MAX_FILE_BYTES = env_int("MEDIA_MAX_FILE_BYTES", default=4 * 1024**3)
# Probing runs in a child process with a wall-clock (and CPU) limit in seconds
# and an address-space cap, so a hostile file cannot hang or balloon a worker.
MEDIA_PROBE_TIMEOUT_SECONDS = env_int("MEDIA_PROBE_TIMEOUT_SECONDS", default=120)
MEDIA_PROBE_MEMORY_LIMIT_MB = env_int("MEDIA_PROBE_MEMORY_LIMIT_MB", default=1024)
# Fork each probe from a server that loaded FFmpeg once (docs/media-probe-pool.md);
# off: start a new Python process per file, about 70 ms slower each.
MEDIA_PROBE_FORK_SERVER = env_bool("MEDIA_PROBE_FORK_SERVER", default=True)
# Images declaring more pixels are refused as decompression bombs.
MEDIA_PHOTO_MAX_PIXELS = env_int("MEDIA_PHOTO_MAX_PIXELS", default=50_000_000)
# "Make TikTok-ready" conversions: same kind of limits, in a Celery task.
MEDIA_CONVERT_TIMEOUT_SECONDS = env_int("MEDIA_CONVERT_TIMEOUT_SECONDS", default=1500)
MEDIA_CONVERT_MEMORY_LIMIT_MB = env_int("MEDIA_CONVERT_MEMORY_LIMIT_MB", default=2048)
_convert_task_limit = MEDIA_CONVERT_TIMEOUT_SECONDS + 60
if _visibility_timeout < 2 * _convert_task_limit:
    raise ImproperlyConfigured(
        "CELERY_VISIBILITY_TIMEOUT must be at least twice "
        f"MEDIA_CONVERT_TIMEOUT_SECONDS + 60 ({2 * _convert_task_limit} s), or a "
        "running conversion is delivered twice."
    )
# import_media: files probed in parallel, and the total time one URL may take.
MEDIA_IMPORT_JOBS = env_int("MEDIA_IMPORT_JOBS", default=2)
MEDIA_IMPORT_URL_TIMEOUT_SECONDS = env_int(
    "MEDIA_IMPORT_URL_TIMEOUT_SECONDS", default=600
)
# URL imports go to public addresses on port 443 only. These exist for the test
# suite's loopback HTTPS server and are deliberately not read from the environment.
MEDIA_IMPORT_ALLOWED_PORTS = [443]
MEDIA_IMPORT_TRUSTED_HOSTS: list[str] = []
MEDIA_IMPORT_CA_FILE: str | None = None

# --- Email and logging ----------------------------------------------------------

EMAIL_BACKEND = env_str(
    "DJANGO_EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if IS_LOCALHOST
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", default="postdeck@localhost")

LOG_LEVEL = env_str("DJANGO_LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # urllib3 logs request lines with query strings, and TikTok's upload_url
        # carries upload_token in its query string.
        "urllib3": {"level": "WARNING"},
    },
}

for _directory in (
    VAR_DIR,
    MEDIA_ROOT,
    STATIC_ROOT,
    VAR_DIR / "tmp",
    VAR_DIR / "celery",
):
    _directory.mkdir(parents=True, exist_ok=True)
if CELERY_RESULT_BACKEND.startswith("file://"):
    Path(CELERY_RESULT_BACKEND.removeprefix("file://")).mkdir(
        parents=True, exist_ok=True
    )
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _folder in ("data_folder_in", "processed_folder", "control_folder"):
        Path(str(CELERY_BROKER_TRANSPORT_OPTIONS[_folder])).mkdir(
            parents=True, exist_ok=True
        )
