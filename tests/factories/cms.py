from __future__ import annotations

import factory

from cms.models import Post
from tests.factories.workspaces import WorkspaceFactory


class PostFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    class Meta:
        model = Post

    workspace = factory.SubFactory(WorkspaceFactory)
    title = factory.Sequence(lambda n: f"Post {n}")
    caption = "Hello #postdeck"
    time_zone = factory.SelfAttribute("workspace.time_zone")
