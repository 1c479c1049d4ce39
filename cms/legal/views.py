"""Public Terms and Privacy pages: no login, no redirects, a plain layout."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from cms.legal.selectors import legal_page_shown


@require_safe
def legal_page(request: HttpRequest, kind: str) -> HttpResponse:
    """``/legal/terms/`` or ``/legal/privacy/``; 404 for anything else."""
    shown = legal_page_shown(kind)
    if shown is None:
        raise Http404
    return render(
        request,
        "legal/page.html",
        {
            "page": shown,
            # legal_html_clean left only an allow-list of tags and attributes.
            "body": mark_safe(shown.html),  # noqa: S308  # nosec B308 B703
        },
    )
