"""The review kit: every portal setting checked against this Postdeck's own
answers (never another server), green on a correct production-like setup and
naming what is wrong on a broken one; every guideline's proof exists."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from cms.legal.services import legal_page_save
from tests.factories.media import VerifiedUrlPrefixFactory
from tiktok_integration.models import UrlVerificationFile
from tiktok_integration.review_kit.checks import FAIL, OK, WARN, review_kit_checks
from tiktok_integration.review_kit.guidelines import GUIDELINES

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
HOST = "postdeck.example.com"


@pytest.fixture
def production(settings):
    settings.TIKTOK_SANDBOX = False
    settings.BASE_URL = f"https://{HOST}"
    settings.ALLOWED_HOSTS = [HOST]
    settings.TIKTOK_REDIRECT_URI = f"https://{HOST}/tiktok/callback/"
    return settings


def correct_setup() -> None:
    VerifiedUrlPrefixFactory(prefix=f"https://{HOST}/tiktok-media/")
    UrlVerificationFile.objects.create(
        file_name="tiktokAbC.txt", content="tiktok-developers-site-verification=AbC"
    )
    for kind in ("terms", "privacy"):
        legal_page_save(kind=kind, title=kind.title(), body="<p>Ours</p>", user=None)


def by_label(checks):
    return {check.label: check for check in checks}


def test_a_correct_production_setup_is_all_green(production):
    correct_setup()
    checks = review_kit_checks()
    assert [(c.label, c.state) for c in checks if c.state != OK] == []
    labels = [check.label for check in checks]
    assert labels == [
        "Redirect URI",
        "Webhook URL",
        "Terms of Service URL",
        "Privacy Policy URL",
        "Media URL prefix (Postdeck)",
    ]
    assert by_label(checks)["Webhook URL"].url == f"https://{HOST}/tiktok/webhook/"


def test_a_broken_setup_names_each_problem(production):
    # given http, a redirect URI on another host, a host Django refuses, and
    # neither a verification file nor a registered prefix
    production.BASE_URL = f"http://{HOST}"
    production.TIKTOK_REDIRECT_URI = "https://elsewhere.example.net/tiktok/callback/"
    production.ALLOWED_HOSTS = ["other.example.com"]
    checks = by_label(review_kit_checks())

    redirect = checks["Redirect URI"]
    webhook = checks["Webhook URL"]
    terms = checks["Terms of Service URL"]
    media = checks["Media URL prefix (Postdeck)"]
    assert (
        redirect.state == FAIL and "not on this Postdeck's address" in redirect.message
    )
    assert webhook.state == FAIL
    assert "not https" in webhook.message and "DJANGO_ALLOWED_HOSTS" in webhook.message
    assert terms.state == FAIL and "DJANGO_ALLOWED_HOSTS" in terms.message
    assert media.state == FAIL
    assert "no verification file" in media.message
    assert "Verified URL prefixes" in media.message


def test_a_wrong_verification_file_and_starting_legal_text_are_flagged(production):
    VerifiedUrlPrefixFactory(prefix=f"https://{HOST}/tiktok-media/")
    VerifiedUrlPrefixFactory(prefix="https://cdn.example.net/media/")
    VerifiedUrlPrefixFactory(prefix=f"https://{HOST}/media/")
    UrlVerificationFile.objects.create(file_name="tiktokAbC.txt", content="x=1")
    checks = review_kit_checks()
    states = {(check.label, check.url): check for check in checks}

    assert by_label(checks)["Terms of Service URL"].state == WARN
    assert "starting text" in by_label(checks)["Terms of Service URL"].message
    assert by_label(checks)["Media URL prefix (Postdeck)"].state == OK
    cdn = states[("Verified URL prefix", "https://cdn.example.net/media/")]
    assert cdn.state == WARN and "cannot be checked from here" in cdn.message
    media = states[("Verified URL prefix", f"https://{HOST}/media/")]
    assert media.state == FAIL and "only at" in media.message


def test_sandbox_mode_passes_the_local_address_with_a_warning(settings):
    settings.TIKTOK_SANDBOX = True
    settings.BASE_URL = "http://127.0.0.1:8000"
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    settings.TIKTOK_REDIRECT_URI = "http://127.0.0.1:8000/tiktok/callback/"
    checks = by_label(review_kit_checks())
    assert checks["Redirect URI"].state == WARN
    assert "sandbox" in checks["Redirect URI"].message
    assert checks["Media URL prefix (Postdeck)"].state == WARN


def test_every_guideline_names_tests_that_exist():
    for rule in GUIDELINES:
        for node in rule.tests:
            path, name = node.split("::")
            tree = ast.parse((ROOT / path).read_text())
            names = {
                item.name
                for item in ast.walk(tree)
                if isinstance(item, ast.FunctionDef)
            }
            assert name in names, node
    assert [rule.section for rule in GUIDELINES] == [f"§8.{n}" for n in range(1, 10)]


def test_the_page_is_for_staff_who_may_see_the_settings(
    admin_client, client, production
):
    correct_setup()
    page = admin_client.get("/admin/tiktok-review-kit/", HTTP_HOST=HOST, secure=True)
    staff = get_user_model().objects.create_user("s", password="x", is_staff=True)
    client.force_login(staff)
    refused = client.get("/admin/tiktok-review-kit/", HTTP_HOST=HOST, secure=True)

    assert page.status_code == 200
    text = page.content.decode()
    assert "Every setting answers as TikTok needs it." in text
    assert f'data-copy="https://{HOST}/tiktok/callback/"' in text
    assert "§8.3" in text and "No automated test" not in text
    assert "test_the_music_declaration_sits_above_the_publish_button" in text
    assert refused.status_code == 403
