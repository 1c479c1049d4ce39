"""Webhook signature checks and envelope parsing (docs/tiktok.md §9)."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tiktok_integration.client import (
    NO_LONGER_PUBLICLY_AVAILABLE,
    PUBLICLY_AVAILABLE,
    WebhookPayloadError,
    WebhookSignatureError,
    parse_event,
    sign,
    verify_signature,
)

from .support import CLIENT_SECRET

NOW = 1_760_000_000
BODY = json.dumps(
    {
        "client_key": "sbawtestclientkey",
        "event": "post.publish.failed",
        "create_time": NOW - 5,
        "user_openid": "act.example-not-a-token-but-an-open-id",
        "content": json.dumps(
            {
                "publish_id": "v_pub_file~v2-1.1",
                "reason": "spam_risk_text",
                "publish_type": "DIRECT_PUBLISH",
            }
        ),
    }
).encode()


def _verify(header: str | None, body: bytes = BODY, now: float = NOW) -> None:
    verify_signature(client_secret=CLIENT_SECRET, header=header, raw_body=body, now=now)


def test_valid_signature_passes() -> None:
    _verify(sign(CLIENT_SECRET, BODY, NOW))


def test_signature_is_hmac_sha256_over_timestamp_dot_raw_body() -> None:
    # Given TikTok's documented construction computed by hand,
    expected = hmac.new(
        CLIENT_SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256
    ).hexdigest()

    # then sign() builds the same header and verify accepts it with spaces too.
    assert sign(CLIENT_SECRET, BODY, NOW) == f"t={NOW},s={expected}"
    _verify(f" t={NOW} , s={expected.upper()} ")


def test_one_changed_byte_fails() -> None:
    tampered = BODY.replace(b"spam_risk_text", b"spam_risk_texT")
    with pytest.raises(WebhookSignatureError, match="No signature matches"):
        _verify(sign(CLIENT_SECRET, BODY, NOW), body=tampered)


@given(st.binary(min_size=1, max_size=512), st.data())
def test_any_flipped_byte_fails(body: bytes, data: st.DataObject) -> None:
    # Given any body signed correctly,
    header = sign(CLIENT_SECRET, body, NOW)
    _verify(header, body=body)

    # when one of its bytes changes, then verification fails.
    position = data.draw(st.integers(min_value=0, max_value=len(body) - 1))
    flipped = bytearray(body)
    flipped[position] ^= data.draw(st.integers(min_value=1, max_value=255))
    with pytest.raises(WebhookSignatureError):
        _verify(header, body=bytes(flipped))


def test_wrong_secret_fails() -> None:
    with pytest.raises(WebhookSignatureError, match="No signature matches"):
        _verify(sign("another-apps-secret", BODY, NOW))


def test_timestamp_at_the_tolerance_passes_and_beyond_it_fails() -> None:
    # Given signatures made 300 s and 301 s ago, and 301 s in the future,
    _verify(sign(CLIENT_SECRET, BODY, NOW - 300))
    with pytest.raises(WebhookSignatureError, match="tolerance"):
        _verify(sign(CLIENT_SECRET, BODY, NOW - 301))
    with pytest.raises(WebhookSignatureError, match="tolerance"):
        _verify(sign(CLIENT_SECRET, BODY, NOW + 301))


@pytest.mark.parametrize("header", [None, ""])
def test_missing_header_fails(header: str | None) -> None:
    with pytest.raises(WebhookSignatureError, match="missing"):
        _verify(header)


def test_one_good_value_among_several_s_values_passes() -> None:
    # Given a header carrying an old and a current signature (key rotation),
    good = sign(CLIENT_SECRET, BODY, NOW).split("s=")[1]
    _verify(f"t={NOW},s={'0' * 64},s={good}")
    # but several wrong ones do not.
    with pytest.raises(WebhookSignatureError):
        _verify(f"t={NOW},s={'0' * 64},s={'f' * 64}")


@pytest.mark.parametrize(
    "header",
    [
        "s=abc",
        "t=,s=abc",
        "t=12a,s=abc",
        f"t={NOW},t={NOW},s=abc",
        f"t={NOW}",
        f"t={NOW},s=",
        "garbage",
    ],
)
def test_malformed_headers_fail(header: str) -> None:
    with pytest.raises(WebhookSignatureError):
        _verify(header)


def test_parse_failed_event_reads_reason_from_the_json_string_content() -> None:
    event = parse_event(BODY)
    assert event.event == event.raw_event == "post.publish.failed"
    assert event.content == {
        "publish_id": "v_pub_file~v2-1.1",
        "reason": "spam_risk_text",
        "publish_type": "DIRECT_PUBLISH",
    }
    assert event.publish_id == "v_pub_file~v2-1.1"
    assert event.reason == "spam_risk_text"
    assert event.create_time == NOW - 5
    assert event.client_key == "sbawtestclientkey"


@pytest.mark.parametrize(
    ("spelling", "normalised"),
    [
        ("post.publish.publicly_available", PUBLICLY_AVAILABLE),
        ("post.publish.publicaly_available", PUBLICLY_AVAILABLE),
        ("post.publish.no_longer_publicaly_available", NO_LONGER_PUBLICLY_AVAILABLE),
        ("post.publish.no_longer_publicly_available", NO_LONGER_PUBLICLY_AVAILABLE),
    ],
)
def test_every_event_spelling_is_normalised(spelling: str, normalised: str) -> None:
    body = json.dumps(
        {
            "event": spelling,
            "create_time": NOW,
            "content": json.dumps(
                {"publish_id": "p", "post_id": "7123456789012345678"}
            ),
        }
    ).encode()
    event = parse_event(body)
    assert event.event == normalised
    assert event.raw_event == spelling


def test_millisecond_create_time_becomes_seconds() -> None:
    body = json.dumps(
        {
            "event": "post.publish.complete",
            "create_time": NOW * 1000 + 999,
            "content": "{}",
        }
    ).encode()
    assert parse_event(body).create_time == NOW


def test_authorization_removed_reason_is_an_integer() -> None:
    body = json.dumps(
        {
            "event": "authorization.removed",
            "create_time": NOW,
            "content": '{"reason": 1}',
        }
    ).encode()
    assert parse_event(body).reason == 1


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"create_time": 1}',
        b'{"event": "post.publish.complete"}',
        b'{"event": "post.publish.complete", "create_time": 1, "content": "{oops"}',
        b'{"event": "post.publish.complete", "create_time": 1, "content": "[1]"}',
    ],
)
def test_unreadable_envelopes_are_refused(body: bytes) -> None:
    with pytest.raises(WebhookPayloadError):
        parse_event(body)
