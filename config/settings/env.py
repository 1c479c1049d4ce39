"""Strict readers for environment variables.

django-environ casts quietly: ``env.bool("X")`` turns ``X=yes-please`` into False and
a bad integer surfaces as a bare ``ValueError``. Settings go through these readers so
that a malformed value names the variable and what it expects.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import environ
from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_MISSING = object()

env = environ.Env()


def read_dotenv(path: Path) -> None:
    """Load ``path`` into the environment; variables already set always win."""
    if path.is_file():
        environ.Env.read_env(str(path), overwrite=False)


def _raw(name: str, default: object) -> str | object:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is _MISSING:
            raise ImproperlyConfigured(
                f"Set the environment variable {name}; it is required and has no "
                "default (see .env.example)."
            )
        return default
    return value


def _cast(name: str, expected: str, cast: Callable[[str], T], default: object) -> T:
    value = _raw(name, default)
    if not isinstance(value, str):
        return value  # type: ignore[return-value]
    try:
        return cast(value)
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            f"{name} must be {expected}; got {value!r}."
        ) from error


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(value)


def env_str(name: str, default: object = _MISSING) -> str:
    return _cast(name, "a string", str, default)


def env_bool(name: str, default: object = _MISSING) -> bool:
    return _cast(name, "true or false (also 1/0, yes/no, on/off)", _bool, default)


def env_int(name: str, default: object = _MISSING) -> int:
    return _cast(name, "a whole number", int, default)


def env_float(name: str, default: object = _MISSING) -> float:
    return _cast(name, "a number", float, default)


def env_list(name: str, default: object = _MISSING) -> list[str]:
    def split(value: str) -> list[str]:
        return [item.strip() for item in value.split(",") if item.strip()]

    return _cast(name, "a comma-separated list", split, default)


def env_db(name: str, default: str) -> dict[str, object]:
    value = str(_raw(name, default))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            config = env.db_url_config(value)
        if not config.get("ENGINE"):
            raise ValueError(value)
        return config
    except (ValueError, KeyError, ImproperlyConfigured) as error:
        raise ImproperlyConfigured(
            f"{name} must be a database URL such as "
            "postgres://user:password@host:5432/name or sqlite:////path/db.sqlite3; "
            f"got {value!r}."
        ) from error
