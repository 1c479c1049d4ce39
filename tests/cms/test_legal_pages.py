"""Terms and Privacy: public, sanitised, versioned (who changed what, when)."""

from __future__ import annotations

import pytest
from django.test import Client

from cms.models import LegalPage, LegalPageVersion

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["terms", "privacy"])
def test_the_pages_are_public_with_a_starting_text(kind):
    response = Client().get(f"/legal/{kind}/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"<script" not in response.content


def test_the_starting_privacy_text_says_what_is_stored_and_how_to_delete_it():
    text = Client().get("/legal/privacy/").content.decode()
    assert "tokens" in text
    assert "Delete stored TikTok data" in text
    assert "disconnect" in text.lower()


def test_unknown_pages_are_not_found():
    assert Client().get("/legal/cookies/").status_code == 404


def test_staff_edits_are_sanitised_and_kept_as_versions(admin_client, admin_user):
    # given staff save a Privacy page twice, once with hostile markup
    add = admin_client.post(
        "/admin/cms/legalpage/add/",
        {
            "kind": "privacy",
            "title": "Privacy",
            "body": '<p onclick="steal()">Hi</p><script>alert(1)</script>'
            '<a href="javascript:alert(2)">x</a><a href="https://ok.example/">ok</a>',
            "note": "first",
            "versions-TOTAL_FORMS": 0,
            "versions-INITIAL_FORMS": 0,
        },
    )
    assert add.status_code == 302, add.content
    page = LegalPage.objects.get()
    change = admin_client.post(
        f"/admin/cms/legalpage/{page.pk}/change/",
        {
            "kind": "privacy",
            "title": "Privacy Policy",
            "body": "<p>Second text</p>",
            "note": "rewrote it",
            "versions-TOTAL_FORMS": 1,
            "versions-INITIAL_FORMS": 1,
            "versions-0-id": LegalPageVersion.objects.get().pk,
            "versions-0-page": page.pk,
        },
    )
    assert change.status_code == 302, change.content
    # then the history says who changed what, and the first text was cleaned
    versions = list(LegalPageVersion.objects.order_by("pk"))
    assert [v.note for v in versions] == ["first", "rewrote it"]
    assert all(v.changed_by == admin_user for v in versions)
    first = versions[0].body
    assert "onclick" not in first and "<script" not in first
    assert "javascript:" not in first and 'href="https://ok.example/"' in first
    shown = Client().get("/legal/privacy/").content.decode()
    assert "Second text" in shown and "Privacy Policy" in shown
