"""The composer screen's words that TikTok prescribes (docs/tiktok.md §8).

The template renders them and the tests compare against these constants, so a
wording change happens here only. The declaration sentences themselves live
with the rules (``tiktok_integration.composer``), which the server checks.
"""

from __future__ import annotations

from tiktok_integration.client.facts import PrivacyLevel

MUSIC_USAGE_URL = "https://www.tiktok.com/legal/page/global/music-usage-confirmation/en"
BRANDED_CONTENT_POLICY_URL = "https://www.tiktok.com/legal/page/global/bc-policy/en"

#: §8.4: hover text of the disclosure choices, and why the button is disabled.
DISCLOSURE_REQUIRED = (
    "You need to indicate if your content promotes yourself, a third party, or both."
)
#: §8.4: hover text of "Only me" while "Branded content" is ticked.
BRANDED_NOT_PRIVATE = "Branded content visibility cannot be set to private."
#: The other way round (§8.4): "Branded content" while "Only me" is chosen.
PRIVATE_NOT_BRANDED = (
    "Branded content cannot be private: choose who can view the post other than "
    "'Only me' first."
)
#: §8.6: said once the user has pressed the button.
PROCESSING_NOTICE = (
    "Processing may take a few minutes before the post shows on the creator's "
    "TikTok profile."
)
#: §8.8: shown when TikTok offers the creator nothing but "Only me".
UNAUDITED_BANNER = (
    "TikTok lets this app post only privately ('Only me') until TikTok has "
    "audited it: everything posted is private and the creator's account must be "
    "set to private while posting. After the audit, the creator can make the "
    "account public and set each post to 'Everyone'."
)
AUDIT_URL = "https://developers.tiktok.com/application/content-posting-api"
DRAFT_EXPLANATION = (
    "Sent to the creator's TikTok inbox as a draft: the creator finishes the post "
    "in the TikTok app (caption, who can view it, interactions and labels). "
    "TikTok ignores those settings here, so they are hidden."
)

#: TikTok's own wording for each privacy level (§4.2 values, the app's labels).
PRIVACY_LABELS = {
    PrivacyLevel.PUBLIC_TO_EVERYONE.value: "Everyone",
    PrivacyLevel.MUTUAL_FOLLOW_FRIENDS.value: "Friends",
    PrivacyLevel.FOLLOWER_OF_CREATOR.value: "Followers",
    PrivacyLevel.SELF_ONLY.value: "Only me",
}


def privacy_label(level: str) -> str:
    """TikTok's word for ``level``; an unknown level is shown as TikTok sent it."""
    return PRIVACY_LABELS.get(level, level)
