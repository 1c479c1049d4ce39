"""Tags: names normalised and created per workspace, linked to and cut from assets.

A tag belongs to one workspace and is matched case-insensitively, so an asset is
only ever tagged with tags from its own workspace.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from django.db import IntegrityError, transaction
from django.db.models import Q

from media_library.models import MediaAsset, Tag

TAG_MAX_LENGTH = 50


def _normalise_tag_name(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip()[:TAG_MAX_LENGTH]


def tag_list_get_or_create(*, workspace_id: int, names: Iterable[str]) -> list[Tag]:
    """The workspace's tags with these names (case-insensitive), created if new."""
    tags: dict[str, Tag] = {}
    for raw in names:
        name = _normalise_tag_name(raw)
        if not name or name.lower() in tags:
            continue
        tag = Tag.objects.filter(workspace_id=workspace_id, name__iexact=name).first()
        if tag is None:
            try:
                with transaction.atomic():
                    tag = Tag.objects.create(workspace_id=workspace_id, name=name)
            except IntegrityError:
                tag = Tag.objects.get(workspace_id=workspace_id, name__iexact=name)
        tags[name.lower()] = tag
    return list(tags.values())


def media_asset_add_tags(*, asset_ids: Iterable[int], names: Sequence[str]) -> int:
    """Tag each asset with ``names`` from its own workspace; returns links added."""
    through = MediaAsset.tags.through
    with transaction.atomic():
        assets = MediaAsset.objects.filter(pk__in=list(asset_ids)).only(
            "pk", "workspace_id"
        )
        by_workspace: dict[int, list[int]] = {}
        for asset in assets:
            by_workspace.setdefault(asset.workspace_id, []).append(asset.pk)
        wanted: set[tuple[int, int]] = set()
        for workspace_id, ids in by_workspace.items():
            for tag in tag_list_get_or_create(workspace_id=workspace_id, names=names):
                wanted |= {(pk, tag.pk) for pk in ids}
        existing = set(
            through.objects.filter(
                mediaasset_id__in={pk for pk, _ in wanted},
                tag_id__in={tag_id for _, tag_id in wanted},
            ).values_list("mediaasset_id", "tag_id")
        )
        links = [
            through(mediaasset_id=pk, tag_id=tag_id)
            for pk, tag_id in sorted(wanted - existing)
        ]
        through.objects.bulk_create(links, ignore_conflicts=True)
    return len(links)


def media_asset_remove_tags(*, asset_ids: Iterable[int], names: Sequence[str]) -> int:
    """Remove the named tags (case-insensitive) from the assets; returns links cut."""
    query = Q()
    for name in names:
        if normalised := _normalise_tag_name(name):
            query |= Q(tag__name__iexact=normalised)
    if not query:
        return 0
    deleted, _ = (
        MediaAsset.tags.through.objects.filter(mediaasset_id__in=list(asset_ids))
        .filter(query)
        .delete()
    )
    return deleted
