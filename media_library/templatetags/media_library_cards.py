"""``{% media_card asset %}`` and ``{% readiness_badge asset %}`` for templates.

Both render through ``media_library.readiness.readiness_of``, the one wording of
the TikTok verdict.
"""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from media_library.admin.library_views import render_card
from media_library.models import MediaAsset
from media_library.readiness import readiness_of

register = template.Library()


@register.simple_tag
def media_card(asset: MediaAsset) -> SafeString:
    """The grid card of ``asset`` (an instance from the admin's queryset)."""
    return mark_safe(render_card(asset))  # noqa: S308  # nosec B308 B703 (escaped template)


@register.simple_tag
def readiness_badge(asset: MediaAsset) -> SafeString:
    """The badge and the reasons behind it, as on the asset's card."""
    converting = bool(getattr(asset, "is_converting", False))
    return mark_safe(  # noqa: S308  # nosec B308 B703 (escaped template)
        render_to_string(
            "admin/media_library/mediaasset/readiness.html",
            {"readiness": readiness_of(asset, converting=converting)},
        )
    )
