from __future__ import annotations

from datetime import datetime

import factory

from cms.models import Post
from cms.services import post_schedule_derive
from tests.factories.workspaces import WorkspaceFactory


class PostFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    class Meta:
        model = Post

    workspace = factory.SubFactory(WorkspaceFactory)
    title = factory.Sequence(lambda n: f"Post {n}")
    caption = "Hello #postdeck"
    time_zone = factory.SelfAttribute("workspace.time_zone")


def schedule(post: Post, wall_time: datetime) -> Post:
    """Give ``post`` a wall time (naive) in its zone and save it with the UTC
    instant ``cms.scheduling`` derives."""
    post.scheduled_date, post.scheduled_time = wall_time.date(), wall_time.time()
    post_schedule_derive(post=post)
    post.save()
    return post
