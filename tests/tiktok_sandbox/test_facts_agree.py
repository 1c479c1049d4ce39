"""The product's TikTok numbers (tiktok_integration/client/facts.py) against the
sandbox's own copy (tiktok_sandbox/rules.py and its URL layout).

Both restate docs/tiktok.md independently and neither imports the other, so a
number mistyped in one of them shows up here as a disagreement.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, resolve

from tiktok_integration.client import facts
from tiktok_integration.client.facts import Endpoint, RateLimit
from tiktok_sandbox import rules
from tiktok_sandbox import urls as sandbox_urls
from tiktok_sandbox.models import SandboxCreator

SANDBOX_URLCONF = "tiktok_sandbox.urls"

# The sandbox serves both token grants from one view and journals the chunk PUT
# as "upload"; every other route is named as the product names the endpoint.
SANDBOX_ROUTE_OF_ENDPOINT = {
    **{endpoint: endpoint.value for endpoint in Endpoint},
    Endpoint.OAUTH_TOKEN_EXCHANGE: "oauth_token",
    Endpoint.OAUTH_TOKEN_REFRESH: "oauth_token",
}

NUMBERS = {
    "cap window (s)": (facts.CAP_WINDOW_SECONDS, rules.CAP_WINDOW_SECONDS),
    "daily post cap": (facts.DAILY_POST_CAP, rules.DAILY_POST_CAP),
    "pending share cap": (facts.PENDING_SHARE_CAP, rules.PENDING_SHARE_CAP),
    "video title (UTF-16)": (facts.VIDEO_TITLE_MAX_UTF16, rules.VIDEO_TITLE_MAX),
    "photo title (UTF-16)": (facts.PHOTO_TITLE_MAX_UTF16, rules.PHOTO_TITLE_MAX),
    "photo description (UTF-16)": (
        facts.PHOTO_DESCRIPTION_MAX_UTF16,
        rules.PHOTO_DESCRIPTION_MAX,
    ),
    "photos per post": (facts.MAX_PHOTO_IMAGES, rules.MAX_PHOTO_IMAGES),
    "videos per list or query": (
        facts.MAX_VIDEOS_PER_REQUEST,
        rules.MAX_VIDEOS_PER_REQUEST,
    ),
    "cover URL life (s)": (facts.COVER_URL_TTL_SECONDS, rules.COVER_URL_TTL_SECONDS),
    "smallest chunk": (facts.MIN_CHUNK_BYTES, rules.MIN_CHUNK_BYTES),
    "largest chunk": (facts.MAX_CHUNK_BYTES, rules.MAX_CHUNK_BYTES),
    "largest final chunk": (facts.MAX_FINAL_CHUNK_BYTES, rules.MAX_FINAL_CHUNK_BYTES),
    "most chunks": (facts.MAX_CHUNK_COUNT, rules.MAX_CHUNK_COUNT),
    "largest video": (facts.MAX_VIDEO_BYTES, rules.MAX_VIDEO_BYTES),
    "upload_url lifetime (s)": (
        facts.UPLOAD_URL_LIFETIME_SECONDS,
        rules.UPLOAD_URL_LIFETIME_SECONDS,
    ),
    "rate window (s)": (facts.RATE_LIMIT_WINDOW_SECONDS, rules.RATE_WINDOW_SECONDS),
    "chunk content types": (facts.UPLOAD_CONTENT_TYPES, rules.UPLOAD_CONTENT_TYPES),
    "privacy levels": (tuple(facts.PrivacyLevel), rules.PRIVACY_LEVELS),
}


@pytest.mark.parametrize(("product", "sandbox"), NUMBERS.values(), ids=NUMBERS)
def test_product_and_sandbox_state_the_same_number(product, sandbox):
    assert product == sandbox


def test_new_sandbox_creators_get_the_daily_cap():
    assert SandboxCreator._meta.get_field("daily_post_cap").default == (
        facts.DAILY_POST_CAP
    )


SANDBOX_RATE_LIMITED = sorted(
    (endpoint, limit.limit)
    for limit in rules.RATE_LIMITS.values()
    for endpoint in limit.endpoints
)


@pytest.mark.parametrize(("endpoint", "per_minute"), SANDBOX_RATE_LIMITED)
def test_each_rate_limit_the_sandbox_enforces_is_the_products(endpoint, per_minute):
    window = facts.RATE_LIMIT_OF_ENDPOINT[Endpoint(endpoint)]
    assert facts.RATE_LIMIT_PER_MINUTE[window] == per_minute


def test_the_sandbox_limits_every_endpoint_tiktok_documents_a_limit_for():
    # TikTok documents no limit for cancel (§6); the product still paces it.
    documented = set(facts.RATE_LIMIT_OF_ENDPOINT) - {Endpoint.CANCEL}
    assert {Endpoint(endpoint) for endpoint, _ in SANDBOX_RATE_LIMITED} == documented


def test_endpoints_sharing_a_sandbox_window_share_a_product_window():
    for limit in rules.RATE_LIMITS.values():
        windows = {
            facts.RATE_LIMIT_OF_ENDPOINT[Endpoint(name)] for name in limit.endpoints
        }
        assert len(windows) == 1, limit.name
    assert set(facts.RATE_LIMIT_PER_MINUTE) == set(RateLimit)


CALLED_ENDPOINTS = [endpoint for endpoint in Endpoint if endpoint.path]


@pytest.mark.parametrize("endpoint", CALLED_ENDPOINTS, ids=str)
def test_the_sandbox_serves_every_path_the_product_calls(endpoint):
    match = resolve(endpoint.path, urlconf=SANDBOX_URLCONF)
    assert match.url_name == SANDBOX_ROUTE_OF_ENDPOINT[endpoint]


def test_every_api_path_the_sandbox_serves_is_one_the_product_knows():
    served = {
        "/" + str(pattern.pattern)
        for pattern in sandbox_urls.urlpatterns
        if isinstance(pattern, URLPattern) and str(pattern.pattern).startswith("v2/")
    }
    known = {endpoint.path for endpoint in CALLED_ENDPOINTS}
    known.add(urlsplit(facts.AUTHORIZE_URL).path)
    assert served == known
