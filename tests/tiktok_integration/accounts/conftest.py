import pytest

from tests.factories.cms import MembershipFactory
from tests.tiktok_integration.sandbox.conftest import (  # noqa: F401
    _plain_server,
    _socket_server,
    public_creator,
    sandbox,
)


@pytest.fixture
def member(sandbox, client):  # noqa: F811 - the imported fixture
    """A workspace manager logged in, with the sandbox serving over HTTP."""
    membership = MembershipFactory(role="manager", user__email="manager@example.com")
    client.force_login(membership.user)
    return membership
