"""The 'Postdeck staff' group: what a workspace member may do in the admin.

Membership of a workspace decides *which* objects a user sees; this group decides
*what* they may do with them. It is (re)built after every migrate so new models'
permissions are picked up.
"""

from __future__ import annotations

from typing import Any

STAFF_GROUP_NAME = "Postdeck staff"

STAFF_PERMISSIONS = {
    "workspaces": ["view_workspace", "change_workspace"],
    "cms": ["add_post", "change_post", "delete_post", "view_post", "add_postmedia",
            "change_postmedia", "delete_postmedia", "view_postmedia"],
    "media_library": ["add_mediaasset", "change_mediaasset", "delete_mediaasset",
                      "view_mediaasset", "add_tag", "change_tag", "delete_tag",
                      "view_tag", "view_mediaconversion"],
    "tiktok_integration": ["view_tiktokaccount", "change_tiktokaccount",
                           "view_publishjob", "add_publishjob", "change_publishjob",
                           "publish_publishjob", "view_publishattempt",
                           "view_tiktokvideo", "change_tiktokvideo",
                           "add_postingqueue", "change_postingqueue",
                           "delete_postingqueue", "view_postingqueue",
                           "add_queueslot", "change_queueslot", "delete_queueslot",
                           "view_queueslot"],
}  # fmt: skip


def ensure_staff_group(**kwargs: Any) -> None:
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    query = Q(pk__in=[])
    for app_label, codenames in STAFF_PERMISSIONS.items():
        query |= Q(content_type__app_label=app_label, codename__in=codenames)
    group, _ = Group.objects.get_or_create(name=STAFF_GROUP_NAME)
    group.permissions.set(Permission.objects.filter(query))
