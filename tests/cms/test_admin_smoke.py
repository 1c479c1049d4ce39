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


def test_the_admin_has_no_view_site_link_to_a_missing_front_page(admin_client):
    # given: Postdeck serves no page at "/"
    assert admin_client.get("/").status_code == 404
    # when
    response = admin_client.get(reverse("admin:index"))
    # then
    assert response.status_code == 200
    assert "View site" not in response.content.decode()


def _wrong_plural(plural: str) -> bool:
    word = plural.rsplit(" ", 1)[-1].lower()
    if word.endswith(("ss", "xs", "shs", "chs")):
        return True
    return word.endswith("ys") and len(word) > 2 and word[-3] not in "aeiou"


def test_every_admin_label_has_a_correct_english_plural():
    from django.contrib import admin

    # when
    wrong = {
        model._meta.label: str(model._meta.verbose_name_plural)
        for model in admin.site._registry
        if _wrong_plural(str(model._meta.verbose_name_plural))
    }
    # then
    assert wrong == {}


def test_the_favicon_is_found(client, admin_client):
    # when
    response = client.get("/favicon.ico")
    page = admin_client.get(reverse("admin:index")).content.decode()
    # then
    assert response.status_code == 301
    assert response["Location"].endswith("postdeck/favicon.svg")
    assert 'rel="icon"' in page
