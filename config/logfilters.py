"""Keep query strings out of log lines that print request URLs.

OAuth callbacks carry ``?code=…&state=…`` and TikTok's upload URL (the sandbox's
too) carries ``upload_token``; a log line with either is a credential on disk.
gunicorn's access log is configured in config/gunicorn.py. Inside Python:

- ``django.server`` (runserver's access log) prints the whole request line: the
  filter here strips it;
- urllib3 prints every URL it requests at DEBUG: the TikTok client, its only
  user, filters those lines (``tiktok_integration.client.http``);
- Django's ``django.request`` and ``django.security`` lines carry
  ``request.path``, which has no query string.
"""

from __future__ import annotations

import logging
import re

URL_LOGGERS = ("django.server",)

_QUERY = re.compile(r"\?[^\s\"']+")


def strip_query_strings(text: str) -> str:
    """``text`` with every ``?query`` that runs up to a space or quote removed."""
    return _QUERY.sub("", text)


class StripQueryStrings(logging.Filter):
    """Rewrites a record's message and string arguments without query strings."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = strip_query_strings(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                strip_query_strings(arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        elif isinstance(record.args, dict):
            record.args = {
                key: strip_query_strings(arg) if isinstance(arg, str) else arg
                for key, arg in record.args.items()
            }
        return True


def install() -> None:
    """Attach the filter to each logger in ``URL_LOGGERS`` (idempotent).

    On the loggers themselves, not on handlers, so every handler (a console, a
    file, a log shipper) gets the stripped record. LOGGING cannot declare this
    for django.server without redefining Django's own handler for it.
    """
    for name in URL_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, StripQueryStrings) for f in logger.filters):
            logger.addFilter(StripQueryStrings())
