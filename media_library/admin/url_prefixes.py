"""The verified URL prefix admin: where TikTok may pull media from (§4.7).

An asset whose public address starts with one of these prefixes is sent to
TikTok by PULL_FROM_URL instead of FILE_UPLOAD; the prefixes are global because TikTok
verifies URL ownership per app, not per workspace.
"""

from __future__ import annotations

from django.contrib import admin

from media_library.models import VerifiedUrlPrefix


@admin.register(VerifiedUrlPrefix)
class VerifiedUrlPrefixAdmin(admin.ModelAdmin):
    """Global: URL ownership is verified per TikTok app, not per workspace."""

    list_display = ["prefix", "note", "created_at"]
    search_fields = ["prefix", "note"]
    search_help_text = "Search by prefix or note."
    readonly_fields = ["created_at"]
