"""Request-size limits: an oversized upload is refused before its body is read."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from media_library.models import MediaAsset

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


class BodyMustNotBeRead(io.RawIOBase):
    """A WSGI input that fails the test if anyone reads it."""

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the request body was read")

    def readline(self, size: int | None = -1) -> bytes:
        raise AssertionError("the request body was read")


class CountingInput(io.BytesIO):
    """A WSGI input that remembers how far it was read."""

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read = self.tell()
        return chunk


def test_a_media_upload_over_the_library_limit_is_refused_unread(
    staff_client, workspace, settings
):
    # given a 2 GiB library limit and a browser announcing 2 GiB and 2 MiB
    settings.MEDIA_MAX_FILE_BYTES = 2 * 1024 * MB
    declared = settings.MEDIA_MAX_FILE_BYTES + 2 * MB
    # when
    response = staff_client.post(
        reverse("admin:media_library_mediaasset_add"),
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(declared),
        **{"wsgi.input": BodyMustNotBeRead()},
    )
    # then
    assert response.status_code == 413
    body = response.content.decode()
    assert f"{declared} bytes declared" in body
    assert f"at most {settings.MEDIA_MAX_FILE_BYTES + MB} accepted" in body
    assert not MediaAsset.objects.exists()


@pytest.mark.parametrize(
    "url", ["/tiktok/webhook/", "/healthz", "/not-a-page/"], ids=str
)
def test_any_other_url_refuses_a_large_body_unread(client, url):
    # when a client announces 50 MiB to a page that takes no files
    response = client.post(
        url,
        content_type="application/json",
        CONTENT_LENGTH=str(50 * MB),
        **{"wsgi.input": BodyMustNotBeRead()},
    )
    # then
    assert response.status_code == 413
    assert "at most 10485760 accepted" in response.content.decode()


def test_the_media_upload_page_keeps_its_own_larger_limit(
    staff_client, workspace, valid_video, settings
):
    # given a general limit far below the video's size
    settings.REQUEST_MAX_BYTES = 1000
    assert valid_video.stat().st_size > 1000
    # when
    response = staff_client.post(
        reverse("admin:media_library_mediaasset_add"),
        {
            "workspace": workspace.pk,
            "upload": SimpleUploadedFile(valid_video.name, valid_video.read_bytes()),
        },
    )
    # then the upload is stored as before
    assert response.status_code == 302, response.content[:500]
    assert MediaAsset.objects.get().size_bytes == valid_video.stat().st_size


def test_a_body_longer_than_allowed_is_stopped_while_streaming(settings):
    # given a 5 MiB file sent where 100 kB are allowed, past the middleware (as a
    # server that passes a body without a trustworthy length would)
    settings.REQUEST_MAX_BYTES = 100_000
    request = RequestFactory().post(
        "/elsewhere/", {"upload": SimpleUploadedFile("big.bin", b"x" * 5 * MB)}
    )
    payload = request.META["wsgi.input"].read()
    stream = CountingInput(payload)
    request.META["wsgi.input"] = stream
    request._stream = stream  # type: ignore[attr-defined]
    # when
    with pytest.raises(RequestDataTooBig):
        _ = request.FILES
    # then reading stopped soon after the limit, not at the end of the body
    assert stream.bytes_read < 1 * MB
