"""TikTok's URL verification files are served byte for byte, publicly, at each
of Postdeck's own prefixes (docs/tiktok.md §10)."""

from __future__ import annotations

import pytest
from django.test import Client

from tiktok_integration.models import UrlVerificationFile

pytestmark = pytest.mark.django_db

CONTENT = "tiktok-developers-site-verification=AbC123xyz"


@pytest.mark.parametrize(
    "path",
    ["/tiktokAbC123.txt", "/tiktok-media/tiktokAbC123.txt", "/legal/tiktokAbC123.txt"],
)
def test_the_file_is_served_byte_exact_without_login_or_redirect(path):
    # given staff pasted the content with the newline a textarea adds
    UrlVerificationFile.objects.create(
        file_name="tiktokAbC123.txt", content=CONTENT + "\r\n"
    )
    # when TikTok fetches it
    response = Client().get(path)
    # then
    assert response.status_code == 200
    assert response.content == CONTENT.encode()
    assert response["Content-Type"].startswith("text/plain")
    assert response["Content-Length"] == str(len(CONTENT))


def test_unknown_names_are_not_found():
    UrlVerificationFile.objects.create(file_name="tiktokAbC123.txt", content=CONTENT)
    assert Client().get("/tiktokOther.txt").status_code == 404
    assert Client().get("/tiktok-media/tiktokOther.txt").status_code == 404


def test_staff_add_a_file_and_see_where_it_is_served_and_the_txt_value(admin_client):
    response = admin_client.post(
        "/admin/tiktok_integration/urlverificationfile/add/",
        {"file_name": "tiktokAbC123.txt", "content": CONTENT + "\n", "note": ""},
    )
    assert response.status_code == 302
    saved = UrlVerificationFile.objects.get()
    page = admin_client.get(
        f"/admin/tiktok_integration/urlverificationfile/{saved.pk}/change/"
    ).content.decode()
    assert saved.content == CONTENT
    assert "/tiktok-media/tiktokAbC123.txt" in page
    assert f'data-copy="{CONTENT}"' in page


def test_a_file_name_with_a_path_is_refused(admin_client):
    response = admin_client.post(
        "/admin/tiktok_integration/urlverificationfile/add/",
        {"file_name": "../etc/passwd", "content": CONTENT, "note": ""},
    )
    assert response.status_code == 200
    assert not UrlVerificationFile.objects.exists()
