"""Deterministic, fast settings for the test suite. Never reads .env."""

import os
import tempfile

os.environ["DJANGO_READ_DOT_ENV"] = "false"
os.environ.setdefault(
    "DJANGO_SECRET_KEY", "test-secret-key-not-for-production-" + "x" * 20
)
os.environ.setdefault(
    "FIELD_ENCRYPTION_KEYS", "dGVzdC1rZXktMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDA="
)
os.environ.setdefault("POSTDECK_VAR_DIR", tempfile.mkdtemp(prefix="postdeck-test-"))
if os.environ.get("TEST_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["TEST_DATABASE_URL"]
else:
    os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("CELERY_BROKER_URL", "memory://")
os.environ.setdefault("CELERY_RESULT_BACKEND", "cache+memory://")

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = False
LOGGING["root"]["level"] = "WARNING"  # type: ignore[index]  # noqa: F405
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not Django's in-memory test database: the live server of the
    # browser tests then gives each request thread its own connection, as
    # web, worker and beat have in the embedded default. In memory, every
    # thread shares one connection, and two requests at once (the composer's
    # panels load side by side) break each other's transactions.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(VAR_DIR / "test-db.sqlite3")  # noqa: F405
    }
