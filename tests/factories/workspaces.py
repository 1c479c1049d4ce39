from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from cms.permissions import STAFF_GROUP_NAME
from workspaces.models import Workspace, WorkspaceMembership


class UserFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


class StaffUserFactory(UserFactory):
    is_staff = True

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation  # type: ignore[misc]
    def staff_group(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.groups.add(Group.objects.get(name=STAFF_GROUP_NAME))


class WorkspaceFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"Brand {n}")
    slug = factory.Sequence(lambda n: f"brand-{n}")
    time_zone = "Europe/Berlin"


class MembershipFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    class Meta:
        model = WorkspaceMembership

    workspace = factory.SubFactory(WorkspaceFactory)
    user = factory.SubFactory(StaffUserFactory)
