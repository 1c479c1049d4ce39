"""The bulk posts contract: the column names of a posting plan (documented in
docs/bulk-posts.md). The header names are the contract; their order is free.
One row is one post for one account; rows sharing an ``external_id`` are one
post for several accounts.
"""

from __future__ import annotations

from typing import Final

#: Every column ``import_posts`` reads, in the order ``export_posts`` writes them.
COLUMNS: Final = (
    "external_id",
    "account",
    "media",
    "caption",
    "scheduled_at",
    "timezone",
    "mode",
    "privacy_level",
    "allow_comment",
    "allow_duet",
    "allow_stitch",
    "brand_organic",
    "brand_content",
    "is_aigc",
    "cover_timestamp_ms",
)
#: Columns about the post itself; the others are one account's TikTok settings.
#: Rows sharing an ``external_id`` are one post for several accounts and must
#: agree on these.
POST_COLUMNS: Final = ("media", "caption", "scheduled_at", "timezone")
#: Columns a plan's header must name.
REQUIRED: Final = ("external_id", "account", "media", "scheduled_at", "mode")
BOOLEAN_COLUMNS: Final = (
    "allow_comment",
    "allow_duet",
    "allow_stitch",
    "brand_organic",
    "brand_content",
    "is_aigc",
)
TRUE_WORDS: Final = frozenset({"true", "yes", "y", "1", "x"})
FALSE_WORDS: Final = frozenset({"false", "no", "n", "0", ""})
#: Photos of one post in one ``media`` cell, in order.
MEDIA_SEPARATOR: Final = "|"
#: Read-only columns ``export_posts`` adds after ``COLUMNS``; ``import_posts``
#: ignores exactly these without ``--ignore-unknown``, so an export re-imports.
EXPORT_ONLY_COLUMNS: Final = (
    "state",
    "publish_id",
    "public_url",
    "failure_reason",
    "views",
    "likes",
    "comments",
    "shares",
    "metrics_at",
)
#: ``export_posts`` names a post that has no external_id (one made in the
#: composer) ``postdeck-<post id>``; ``import_posts`` finds it by that name.
POST_ID_PREFIX: Final = "postdeck-"
