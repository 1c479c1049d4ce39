"""Cleaning the HTML staff type into a legal page (bleach, an allow-list)."""

from __future__ import annotations

import bleach

ALLOWED_TAGS = frozenset(
    {
        "h2", "h3", "h4", "p", "br", "ul", "ol", "li", "a", "strong", "em",
        "b", "i", "blockquote", "code", "hr", "table", "thead", "tbody", "tr",
        "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": ["href", "title"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})


def legal_html_clean(html: str) -> str:
    """``html`` with only headings, text, lists, tables and http(s)/mailto links
    left; scripts, styles, event handlers and other tags are dropped (their text
    kept, escaped). Safe to mark safe in a template."""
    cleaned = bleach.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )
    return str(cleaned)
