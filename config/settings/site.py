"""Where this installation lives: its folders and its public address.

Read first by every settings module (base.py and tiktok.py), because the
``.env`` file is loaded here, before any other variable is read.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_str, read_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# Asked before .env is read: a base URL set in the environment is used as given.
_BASE_URL_GIVEN = "POSTDECK_BASE_URL" in os.environ

if env_bool("DJANGO_READ_DOT_ENV", default=True):
    read_dotenv(BASE_DIR / ".env")

VAR_DIR = Path(env_str("POSTDECK_VAR_DIR", str(BASE_DIR / "var")))

BASE_URL = env_str("POSTDECK_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
_base = urlsplit(BASE_URL)
if _base.scheme not in {"http", "https"} or not _base.hostname:
    raise ImproperlyConfigured(
        f"POSTDECK_BASE_URL must be an absolute http(s) URL; got {BASE_URL!r}."
    )
IS_LOCALHOST = _base.hostname in {"localhost", "127.0.0.1", "::1"}

# A local base URL from .env (or the default) takes POSTDECK_PORT's port, as
# `make run` does for its processes (scripts/run.py), so that a command run
# beside `POSTDECK_PORT=38123 make run` with the same POSTDECK_PORT reaches
# that server (and its TikTok sandbox) instead of port 8000.
_port = env_str("POSTDECK_PORT", default="")
if IS_LOCALHOST and _port and not _BASE_URL_GIVEN:
    BASE_URL = urlunsplit(
        (_base.scheme, f"{_base.hostname}:{_port}", _base.path, "", "")
    ).rstrip("/")
