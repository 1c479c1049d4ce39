"""What a public legal page shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cms.legal.sanitise import legal_html_clean
from cms.legal.texts import STARTING_TEXTS
from cms.models import LegalPage


@dataclass(frozen=True, slots=True)
class LegalText:
    """A page as shown: ``html`` is already sanitised; ``updated_at`` is None
    while the starting text has not been saved by the installation."""

    kind: str
    title: str
    html: str
    updated_at: datetime | None


def legal_page_shown(kind: str) -> LegalText | None:
    """The saved page of ``kind`` or its starting text; None for unknown kinds."""
    if kind not in STARTING_TEXTS:
        return None
    page = LegalPage.objects.filter(kind=kind).first()
    if page is None:
        title, body = STARTING_TEXTS[kind]
        return LegalText(kind, title, legal_html_clean(body), None)
    # Cleaned again on the way out: rows written around the service stay safe.
    return LegalText(kind, page.title, legal_html_clean(page.body), page.updated_at)
