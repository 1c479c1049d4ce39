"""TikTok URL verification files (docs/tiktok.md §10): pasted as TikTok shows
them, served byte-exact at each of Postdeck's own prefixes."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.utils.html import format_html, format_html_join

from tiktok_integration.models import UrlVerificationFile
from tiktok_integration.pull_media.links import pull_media_prefix


def served_at(file_name: str) -> list[str]:
    """Every URL Postdeck serves ``file_name`` at: the site root, the pull
    prefix and /legal/ (each a URL prefix TikTok may verify)."""
    return [
        f"{settings.BASE_URL}/{file_name}",
        f"{pull_media_prefix()}{file_name}",
        f"{settings.BASE_URL}/legal/{file_name}",
    ]


def copy_button(value: str) -> str:
    """A button that copies ``value`` (tiktok_integration/copy.js)."""
    return format_html(
        '<code class="copy-value">{}</code> '
        '<button type="button" class="button copy-button" data-copy="{}">'
        "Copy</button>",
        value,
        value,
    )


@admin.register(UrlVerificationFile)
class UrlVerificationFileAdmin(admin.ModelAdmin):
    """Global: TikTok verifies URL ownership per app, not per workspace."""

    list_display = ["file_name", "note", "created_at"]
    search_fields = ["file_name", "note"]
    fields = [
        "file_name",
        "content",
        "note",
        "served_urls",
        "dns_txt_value",
        "created_at",
    ]
    readonly_fields = ["served_urls", "dns_txt_value", "created_at"]

    class Media:
        js = ["tiktok_integration/copy.js"]
        css = {"all": ["tiktok_integration/review_kit.css"]}

    @admin.display(description="served at")
    def served_urls(self, obj: UrlVerificationFile) -> str:
        if not obj.file_name:
            return "Save first."
        return format_html_join(
            "",
            "<div>{}</div>",
            ((copy_button(url),) for url in served_at(obj.file_name)),
        )

    @admin.display(description="domain property TXT value")
    def dns_txt_value(self, obj: UrlVerificationFile) -> str:
        """For a domain property, the same string goes in a DNS TXT record
        (observed in public code, UNCONFIRMED by TikTok's text; §10)."""
        if not obj.content:
            return "Save first."
        return format_html(
            "{}<div class='help'>To verify the whole domain instead, add this "
            "as a TXT record of {} at your DNS provider.</div>",
            copy_button(obj.content),
            settings.BASE_URL.split("://", 1)[-1].split("/", 1)[0],
        )
