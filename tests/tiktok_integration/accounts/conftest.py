import pytest

from tests.factories.workspaces import MembershipFactory


@pytest.fixture
def member(sandbox, client):
    """A workspace manager logged in, with the sandbox serving over HTTP."""
    membership = MembershipFactory(role="manager", user__email="manager@example.com")
    client.force_login(membership.user)
    return membership
