"""A whole plan's lookups, batched: every account, medium and existing post
of a file is found with a constant number of queries, whatever its length.

Media references: a library id (digits), a SHA-256 (64 hex digits), an
``https://`` URL or a local path (relative to the plan file's folder). Paths
and URLs go through the media library's own import (``import_media_batch``:
fingerprinted, probed in a limited child, deduplicated by SHA-256); in a dry
run nothing is stored and a file not yet in the library is reported as
"would be imported".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, Q

from cms.models import Post
from media_library.importing import (
    DUPLICATE,
    IMPORTED,
    ImportSource,
    collect_sources,
    import_media_batch,
)
from media_library.models import MediaAsset
from media_library.selectors import media_asset_ids_by_sha256
from tiktok_integration.bulk.contract import POST_ID_PREFIX
from tiktok_integration.models import PublishJob, TikTokAccount

SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")


@dataclass(frozen=True, slots=True)
class MediaFound:
    """One media reference resolved: ``asset_id``, or ``problem`` (why not),
    or ``pending`` (a dry run: the file would be imported first)."""

    asset_id: int | None = None
    problem: str = ""
    pending: bool = False


@dataclass(frozen=True, slots=True)
class Lookups:
    """What a plan's rows refer to. ``accounts`` by every name a row may use
    (username, lowercased, and open_id); ``media`` by reference as written;
    ``posts`` by external_id (or ``postdeck-<id>`` for a post without one),
    each with its workspace, ``publish_jobs`` and ``post_media`` loaded."""

    accounts: dict[str, TikTokAccount]
    media: dict[str, MediaFound]
    posts: dict[str, Post]


def resolve(
    *,
    workspace_id: int,
    names: Iterable[str],
    media_refs: Iterable[str],
    external_ids: Iterable[str],
    base: Path,
    uploaded_by: Any,
    dry_run: bool,
) -> Lookups:
    """Look everything up at once. ``base``: the folder relative paths start
    from. Paths and URLs are imported into the library (not in a dry run)."""
    return Lookups(
        accounts=_accounts(workspace_id, set(names)),
        media=_media(workspace_id, set(media_refs), base, uploaded_by, dry_run),
        posts=_posts(workspace_id, set(external_ids)),
    )


def _accounts(workspace_id: int, names: set[str]) -> dict[str, TikTokAccount]:
    if not names:
        return {}
    lowered = {name.lower() for name in names}
    found: dict[str, TikTokAccount] = {}
    accounts = TikTokAccount.objects.filter(workspace_id=workspace_id).filter(
        Q(username__in=lowered | names) | Q(open_id__in=names)
    )
    for account in accounts:
        found[account.open_id] = account
        found[account.username.lower()] = account
    return found


def account_for(lookups: Lookups, name: str) -> TikTokAccount | None:
    """The account a row's ``account`` cell names (username any case, or open_id)."""
    return lookups.accounts.get(name) or lookups.accounts.get(name.lower())


def _media(
    workspace_id: int, refs: set[str], base: Path, uploaded_by: Any, dry_run: bool
) -> dict[str, MediaFound]:
    found: dict[str, MediaFound] = {}
    ids = {ref for ref in refs if ref.isdigit()}
    shas = {ref for ref in refs if SHA256.match(ref)}
    files = sorted(refs - ids - shas)
    assets = MediaAsset.objects.filter(workspace_id=workspace_id).filter(
        Q(pk__in=[int(ref) for ref in ids]) | Q(sha256__in={s.lower() for s in shas})
    )
    by_id: dict[str, int] = {}
    by_sha: dict[str, int] = {}
    for pk, sha in assets.values_list("pk", "sha256"):
        by_id[str(pk)], by_sha[sha] = pk, pk
    for ref in ids:
        found[ref] = (
            MediaFound(asset_id=by_id[ref])
            if ref in by_id
            else MediaFound(problem=f"media {ref}: no such id in the library.")
        )
    for ref in shas:
        sha_pk = by_sha.get(ref.lower())
        found[ref] = (
            MediaFound(asset_id=sha_pk)
            if sha_pk
            else MediaFound(problem=f"media {ref[:12]}…: no file with this SHA-256.")
        )
    if files:
        found |= _import_files(workspace_id, files, base, uploaded_by, dry_run)
    return found


def _import_files(
    workspace_id: int, refs: list[str], base: Path, uploaded_by: Any, dry_run: bool
) -> dict[str, MediaFound]:
    found: dict[str, MediaFound] = {}
    sources: list[ImportSource] = []
    labels: list[str] = []
    for ref in refs:
        if ref.startswith("http://"):
            found[ref] = MediaFound(problem=f"media {ref}: use an https URL.")
            continue
        argument = ref if ref.startswith("https://") else str(_local(base, ref))
        collected = collect_sources([argument])
        if len(collected) != 1 or (collected[0].path is None and not collected[0].url):
            reason = collected[0].refusal if collected else "no such file"
            found[ref] = MediaFound(problem=f"media {ref}: {reason or 'no such file'}")
            continue
        sources.append(collected[0])
        labels.append(ref)
    outcomes = import_media_batch(
        workspace_id=workspace_id,
        sources=sources,
        known=media_asset_ids_by_sha256(workspace_id=workspace_id),
        uploaded_by=uploaded_by,
        dry_run=dry_run,
        jobs=settings.MEDIA_IMPORT_JOBS,
    )
    for ref, outcome in zip(labels, outcomes, strict=True):
        if outcome.status in (DUPLICATE, IMPORTED) and outcome.asset_id:
            found[ref] = MediaFound(asset_id=outcome.asset_id)
        elif outcome.status == DUPLICATE and dry_run:
            # The same bytes as another path of this plan, not stored yet.
            found[ref] = MediaFound(pending=True)
        elif outcome.status == IMPORTED and dry_run:
            problems = "; ".join(outcome.validation_errors)
            found[ref] = (
                MediaFound(pending=True)
                if outcome.is_tiktok_ready
                else MediaFound(problem=f"media {ref} is not TikTok-ready: {problems}.")
            )
        else:
            found[ref] = MediaFound(problem=f"media {ref}: {outcome.reason}")
    return found


def _local(base: Path, ref: str) -> Path:
    path = Path(ref).expanduser()
    return path if path.is_absolute() else base / path


def _posts(workspace_id: int, external_ids: set[str]) -> dict[str, Post]:
    if not external_ids:
        return {}
    by_pk = {
        int(key.removeprefix(POST_ID_PREFIX)): key
        for key in external_ids
        if key.startswith(POST_ID_PREFIX) and key.removeprefix(POST_ID_PREFIX).isdigit()
    }
    posts = (
        Post.objects.filter(workspace_id=workspace_id)
        .filter(Q(external_id__in=external_ids) | Q(external_id="", pk__in=by_pk))
        .select_related("workspace")
        .prefetch_related(
            Prefetch(
                "publish_jobs",
                queryset=PublishJob.objects.select_related("account").order_by("pk"),
            ),
            "post_media",
        )
        .order_by()
    )
    return {post.external_id or by_pk[post.pk]: post for post in posts}
