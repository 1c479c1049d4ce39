from __future__ import annotations

import secrets
import tempfile
from datetime import time, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from cms.models import Post, PostMedia
from cms.scheduling import utc_to_local
from cms.services import post_schedule_derive
from media_library.models import MediaAsset
from media_library.samples import make_sample_photo, make_sample_video
from media_library.services.assets import media_asset_create
from tiktok_integration.analytics.demo import DEMO_OPEN_ID, analytics_demo_seed
from tiktok_integration.models import PostingQueue, QueueSlot, TikTokAccount
from workspaces.models import Workspace, WorkspaceMembership
from workspaces.services import workspace_add_member

DEMO_USERNAME = "admin"
#: One demo login per review role (issue 18's walkthrough in the README).
REVIEW_DEMO_USERS = [
    ("demo-editor", WorkspaceMembership.Role.EDITOR),
    ("demo-approver", WorkspaceMembership.Role.APPROVER),
    ("demo-client", WorkspaceMembership.Role.CLIENT_REVIEWER),
]
SAMPLE_VIDEOS = [
    ("sample-vertical.mp4", {"seconds": 4, "width": 720, "height": 1280}),
    ("sample-square.mp4", {"seconds": 3, "width": 720, "height": 720}),
]
SAMPLE_PHOTOS = [
    ("sample-photo-1.jpg", 1080, 1350),
    ("sample-photo-2.jpg", 1080, 1080),
    ("sample-photo-3.jpg", 1080, 1920),
]
#: A photo post ready to schedule: in sandbox mode its photos reach the sandbox
#: by PULL_FROM_URL from Postdeck's /tiktok-media/ links.
DEMO_PHOTO_POST_ID = "demo-three-photos"
#: The demo account's posting queue: Monday to Friday at these wall times in
#: the workspace's zone, so the calendar shows free slots.
DEMO_QUEUE_WEEKDAYS = range(5)
DEMO_QUEUE_TIMES = (time(9, 0), time(18, 0))


class Command(BaseCommand):
    help = (
        "Seed a demo: a workspace, a superuser with a generated password (kept in "
        "var/demo-login.txt and printed), sample videos and photos generated now, "
        "and a sample TikTok account with published posts, their metric history "
        "and a posting queue. Safe to run again: it keeps existing data."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        login_file = Path(settings.VAR_DIR) / "demo-login.txt"
        with transaction.atomic():
            workspace, _ = Workspace.objects.get_or_create(
                slug="demo",
                defaults={"name": "Demo brand", "time_zone": "Europe/Berlin"},
            )
            password = self._ensure_superuser(login_file)
            user = get_user_model().objects.get(username=DEMO_USERNAME)
            workspace_add_member(
                workspace=workspace,
                user_id=user.pk,
                role=WorkspaceMembership.Role.MANAGER,
            )
            review_logins = self._ensure_review_users(workspace)
        created = self._ensure_media(workspace, user)
        photo_post = self._ensure_photo_post(workspace, user)
        posts = analytics_demo_seed(
            workspace_id=workspace.pk, user_id=user.pk, now=timezone.now()
        )
        queue = self._ensure_queue()
        self.stdout.write(
            f"Demo workspace '{workspace.name}' ready ({created} sample files and "
            f"{posts} published posts with metric history added)."
        )
        if queue is not None:
            self.stdout.write(
                f"@{queue.account.username} has a posting queue as an example "
                "(Monday to Friday 09:00 and 18:00; it is disconnected, so its "
                "slots are not offered). Give the account you connect a queue "
                "(Accounts, then Posting queues): its free slots show on the "
                "calendar and 'Add to queue' in the composer fills them."
            )
        if photo_post is not None:
            self.stdout.write(
                f"Photo post '{photo_post.title}' is ready: connect a sandbox "
                "creator, then open the post in the composer and publish it."
            )
        for username, role, user_password in review_logins:
            self.stdout.write(f"Review demo, {role}: {username} / {user_password}")
        self.stdout.write(f"Login: {DEMO_USERNAME} / {password}")

    def _ensure_superuser(self, login_file: Path) -> str:
        user_model = get_user_model()
        user = user_model.objects.filter(username=DEMO_USERNAME).first()
        if user is not None and login_file.exists():
            return login_file.read_text().strip()
        password = secrets.token_urlsafe(12)
        if user is None:
            user_model.objects.create_superuser(
                username=DEMO_USERNAME, email="admin@localhost", password=password
            )
        else:
            user.set_password(password)
            user.save(update_fields=["password"])
        login_file.write_text(password + "\n")
        login_file.chmod(0o600)
        return password

    def _ensure_review_users(self, workspace: Workspace) -> list[tuple[str, str, str]]:
        """An editor, an approver and a client reviewer of the demo workspace,
        each with a generated password kept in var/demo-review-logins.txt.
        The client reviewer is staff (to sign in) but not in the staff group:
        they see only the posts waiting for the client."""
        from django.contrib.auth.models import Group

        from cms.permissions import STAFF_GROUP_NAME

        login_file = Path(settings.VAR_DIR) / "demo-review-logins.txt"
        known = dict(
            line.split(" ", 1)
            for line in (
                login_file.read_text().splitlines() if login_file.exists() else []
            )
            if " " in line
        )
        user_model = get_user_model()
        staff_group = Group.objects.filter(name=STAFF_GROUP_NAME).first()
        logins = []
        for username, role in REVIEW_DEMO_USERS:
            user = user_model.objects.filter(username=username).first()
            password = known.get(username, "")
            if user is None or not password:
                password = secrets.token_urlsafe(9)
                if user is None:
                    user = user_model.objects.create_user(
                        username=username,
                        email=f"{username}@localhost",
                        password=password,
                        is_staff=True,
                    )
                else:
                    user.set_password(password)
                    user.save(update_fields=["password"])
            if (
                staff_group is not None
                and role != WorkspaceMembership.Role.CLIENT_REVIEWER
            ):
                user.groups.add(staff_group)
            workspace_add_member(workspace=workspace, user_id=user.pk, role=role)
            logins.append((username, WorkspaceMembership.Role(role).label, password))
        login_file.write_text("".join(f"{name} {word}\n" for name, _, word in logins))
        login_file.chmod(0o600)
        return logins

    def _ensure_media(self, workspace: Workspace, user: Any) -> int:
        if MediaAsset.objects.filter(workspace=workspace).exists():
            return 0
        created = 0
        with tempfile.TemporaryDirectory() as directory:
            for name, spec in SAMPLE_VIDEOS:
                path = make_sample_video(Path(directory) / name, **spec)  # type: ignore[arg-type]
                with path.open("rb") as handle:
                    result = media_asset_create(
                        workspace_id=workspace.pk,
                        file=handle,
                        original_filename=name,
                        uploaded_by=user,
                    )
                created += int(result.created)
            for name, width, height in SAMPLE_PHOTOS:
                path = Path(directory) / name
                path.write_bytes(make_sample_photo(width=width, height=height))
                with path.open("rb") as handle:
                    result = media_asset_create(
                        workspace_id=workspace.pk,
                        file=handle,
                        original_filename=name,
                        uploaded_by=user,
                    )
                created += int(result.created)
        return created

    def _ensure_queue(self) -> PostingQueue | None:
        """The demo account's queue, made once (staff may change or pause it
        afterwards); None without the demo account."""
        account = TikTokAccount.objects.filter(open_id=DEMO_OPEN_ID).first()
        if account is None:
            return None
        queue, made = PostingQueue.objects.get_or_create(account=account)
        if made:
            QueueSlot.objects.bulk_create(
                QueueSlot(queue=queue, weekday=weekday, local_time=clock)
                for weekday in DEMO_QUEUE_WEEKDAYS
                for clock in DEMO_QUEUE_TIMES
            )
        return queue

    def _ensure_photo_post(self, workspace: Workspace, user: Any) -> Post | None:
        """The 3-photo demo post (made once, while its photos exist)."""
        existing = Post.objects.filter(
            workspace=workspace, external_id=DEMO_PHOTO_POST_ID
        ).first()
        if existing is not None:
            return existing
        photos = list(
            MediaAsset.objects.filter(
                workspace=workspace,
                kind=MediaAsset.Kind.PHOTO,
                is_tiktok_ready=True,
                original_filename__in=[name for name, _, _ in SAMPLE_PHOTOS],
            ).order_by("original_filename")
        )
        if len(photos) < len(SAMPLE_PHOTOS):
            return None
        with transaction.atomic():
            # Planned for tomorrow 10:00 so it shows on the calendar, ready to
            # be dragged to another day or opened in the composer.
            today = utc_to_local(timezone.now(), workspace.time_zone).date()
            post = Post(
                workspace=workspace,
                title="Three photos from the demo",
                caption="Three sample photos, posted from Postdeck. #postdeck",
                external_id=DEMO_PHOTO_POST_ID,
                time_zone=workspace.time_zone,
                scheduled_date=today + timedelta(days=1),
                scheduled_time=time(10, 0),
                created_by=user,
            )
            post_schedule_derive(post=post)
            post.save()
            for position, photo in enumerate(photos):
                PostMedia.objects.create(post=post, asset=photo, position=position)
        return post
