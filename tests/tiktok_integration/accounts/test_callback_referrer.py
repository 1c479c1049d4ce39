"""The OAuth callback's URL holds the code and state: it never reaches a Referer."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
SECRETS = {"code": "secret-code-123", "state": "secret-state-456"}


def test_an_anonymous_hit_goes_to_login_without_the_code_or_state(client):
    # when
    response = client.get(reverse("tiktok:callback"), SECRETS)
    # then
    location = unquote(response["Location"])
    assert response.status_code == 302
    assert location.startswith(reverse("admin:login"))
    assert "secret-code-123" not in location
    assert "secret-state-456" not in location
    assert (
        f"next={reverse('admin:tiktok_integration_tiktokaccount_changelist')}"
        in location
    )
    assert response["Referrer-Policy"] == "no-referrer"


def test_a_refused_callback_answers_with_no_referrer(staff_client):
    # when
    response = staff_client.get(reverse("tiktok:callback"), SECRETS)
    # then
    assert response.status_code == 303
    assert response["Referrer-Policy"] == "no-referrer"


def test_a_wrong_method_answers_with_no_referrer(client):
    # when
    response = client.post(reverse("tiktok:callback"), SECRETS)
    # then
    assert response.status_code == 405
    assert response["Referrer-Policy"] == "no-referrer"


def test_other_pages_keep_the_site_wide_referrer_policy(client):
    # when
    response = client.get(reverse("admin:login"))
    # then
    assert response["Referrer-Policy"] == "same-origin"
