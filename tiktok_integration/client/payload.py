"""Checked readers for fields of TikTok's JSON payloads.

Each raises ValueError when a field has the wrong type (or a required one is
missing); the ``from_api`` constructors let it propagate and the calling client
turns it into a TikTokError.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: A JSON object as sent to or read from TikTok.
JsonObject = dict[str, Any]


def optional_str(data: Mapping[str, Any], key: str) -> str | None:
    """``data[key]`` as a string, or None when absent; ValueError if not a string."""
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value
    raise ValueError(f"'{key}' should be a string.")


def required_str(data: Mapping[str, Any], key: str) -> str:
    """``data[key]`` as a non-empty string; ValueError if absent, empty or not
    a string."""
    value = optional_str(data, key)
    if not value:
        raise ValueError(f"'{key}' is missing.")
    return value


def optional_int(data: Mapping[str, Any], key: str) -> int | None:
    """``data[key]`` as an int (digit strings accepted), or None when absent;
    ValueError otherwise."""
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise ValueError(f"'{key}' should be an integer.")


def required_int(data: Mapping[str, Any], key: str) -> int:
    """``data[key]`` as an int (digit strings accepted); ValueError if absent or
    not an integer."""
    value = optional_int(data, key)
    if value is None:
        raise ValueError(f"'{key}' is missing.")
    return value


def optional_bool(data: Mapping[str, Any], key: str) -> bool | None:
    """``data[key]`` as a bool, or None when absent; ValueError if not a bool."""
    value = data.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise ValueError(f"'{key}' should be a boolean.")


def object_or_empty(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """``data[key]`` as a mapping, ``{}`` when absent; ValueError if not an object."""
    value = data.get(key)
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return value
    raise ValueError(f"'{key}' should be an object.")


def list_or_empty(data: Mapping[str, Any], key: str) -> list[Any]:
    """``data[key]`` as a list, ``[]`` when absent; ValueError if not a list."""
    value = data.get(key)
    if value is None:
        return []
    if isinstance(value, list):
        return value
    raise ValueError(f"'{key}' should be a list.")


def id_string(value: Any) -> str:
    """An id as an exact string (ints accepted); ValueError for anything else."""
    # 19-digit post ids must stay exact, so they travel as strings.
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ValueError("An id should be a string or an integer.")
