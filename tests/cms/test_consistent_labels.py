"""Every admin page speaks the same way: its breadcrumbs start at "Home", and
its form labels are in sentence case ("Time zone:", not "time zone:")."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

OWN_PAGES = [
    "admin:postdeck_settings",
    "admin:postdeck_system",
    "admin:two_factor",
    "admin:tiktok_review_kit",
    "admin:calendar",
    "admin:cms_post_review_inbox",
    "admin:cms_post_compose",
]


def _pages() -> list[str]:
    urls = []
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        for view in ("changelist", "add"):
            try:
                urls.append(reverse("admin:{}_{}_{}".format(*info, view)))
            except NoReverseMatch:
                continue
    return urls + [reverse(name) for name in OWN_PAGES]


@pytest.mark.django_db
def test_breadcrumbs_start_at_home_and_labels_are_sentence_case(admin_client):
    # given every list, every add form and Postdeck's own pages
    seen, wrong = 0, []
    for url in _pages():
        # when
        response = admin_client.get(url)
        if response.status_code != 200:
            continue
        html = response.content.decode()
        seen += 1
        # then
        for crumbs in re.findall(
            r'<div class="breadcrumbs">\s*(.*?)</div>', html, re.S
        ):
            first = (
                re.sub(r"<[^>]+>", "", crumbs).split("\u203a")[0].split("&rsaquo;")[0]
            )
            if first.strip() != "Home":
                wrong.append(f"{url}: breadcrumbs start with {first.strip()!r}")
        for label in re.findall(r"<label[^>]*>([^<]+)</label>", html):
            # A field's label ("Time zone:"); a button-like label inside a
            # sentence ("... or choose files") keeps its lower case.
            text = label.strip()
            if text.endswith(":") and text[:1].islower():
                wrong.append(f"{url}: label {text!r}")
    assert seen > 20
    assert wrong == []
