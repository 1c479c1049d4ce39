"""Saving a legal page keeps the old text: one LegalPageVersion per save."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from cms.legal.sanitise import legal_html_clean
from cms.models import LegalPage, LegalPageVersion


def legal_page_save(
    *, kind: str, title: str, body: str, user: Any | None, note: str = ""
) -> LegalPage:
    """Create or update the ``kind`` page with cleaned ``body`` and record a
    version (who, when, what). Raises ``ValueError`` for an unknown kind."""
    if kind not in LegalPage.Kind.values:
        raise ValueError(f"Unknown legal page {kind!r}.")
    cleaned = legal_html_clean(body)
    author = user if user is not None and user.is_authenticated else None
    with transaction.atomic():
        page, _ = LegalPage.objects.select_for_update().get_or_create(
            kind=kind, defaults={"title": title, "body": cleaned}
        )
        page.title = title
        page.body = cleaned
        page.updated_by = author
        page.save()
        LegalPageVersion.objects.create(
            page=page, title=title, body=cleaned, changed_by=author, note=note
        )
    return page
