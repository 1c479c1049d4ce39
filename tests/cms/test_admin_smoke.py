from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_dashboard_shows_the_three_panels(admin_client):
    # when
    response = admin_client.get(reverse("admin:index"))
    # then
    assert response.status_code == 200
    for panel in ("panel-upcoming", "panel-attention", "panel-reconnect"):
        assert panel in response.content.decode()
