"""UrlVerificationFile: TikTok's URL-prefix ownership file (docs/tiktok.md §10)."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models

validate_file_name = RegexValidator(
    r"^[A-Za-z0-9_\-]+\.txt$",
    "Use the file name exactly as TikTok shows it, e.g. tiktokAbC123.txt "
    "(letters, digits, '-' or '_', ending in .txt).",
)


class UrlVerificationFile(models.Model):
    """A signature file TikTok asks to find at ``<prefix><file name>``.

    Served byte for byte (no newline added) as ``text/plain`` at the site root,
    under the pull prefix and under ``/legal/``, so each of Postdeck's own URL
    prefixes can be verified. The content doubles as the domain property's DNS
    TXT value (§10, observed in public code: UNCONFIRMED).
    """

    file_name = models.CharField(
        "file name",
        max_length=100,
        unique=True,
        validators=[validate_file_name],
        help_text="Exactly as TikTok names the download, e.g. tiktokAbC123.txt.",
    )
    content = models.CharField(
        "content",
        max_length=500,
        help_text="The file's text as TikTok shows it, e.g. "
        "tiktok-developers-site-verification=AbC123. Spaces and line breaks "
        "around it are dropped; nothing is added when it is served.",
    )
    note = models.CharField(
        "note",
        max_length=200,
        blank=True,
        help_text="Which prefix or app it verifies, for whoever checks next.",
    )
    created_at = models.DateTimeField("added at", auto_now_add=True)

    class Meta:
        verbose_name = "TikTok URL verification file"
        ordering = ["file_name"]

    def __str__(self) -> str:
        return self.file_name

    def save(self, *args: object, **kwargs: object) -> None:
        # A pasted value often carries a trailing newline TikTok's file lacks.
        self.content = self.content.strip()
        super().save(*args, **kwargs)  # type: ignore[arg-type]
