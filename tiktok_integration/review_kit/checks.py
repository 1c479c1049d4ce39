"""The settings TikTok's developer portal asks for, each checked live
(docs/tiktok.md §1.10, §4.7, §9, §10).

Each URL is built from the outward-facing settings (``POSTDECK_BASE_URL``,
``TIKTOK_REDIRECT_URI``) and answered by this Postdeck itself through Django's
test client with the URL's own host and scheme: nothing leaves the process, so
the check works offline and can never be pointed at someone else's server.
Host checks, middleware, CSRF and redirects all apply as for TikTok.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.http.response import HttpResponseBase
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from cms.legal.selectors import legal_page_shown
from media_library.models import VerifiedUrlPrefix
from tiktok_integration import views as tiktok_views
from tiktok_integration.models import UrlVerificationFile
from tiktok_integration.pull_media.links import own_prefix_registered, pull_media_prefix

logger = logging.getLogger(__name__)

OK, WARN, FAIL = "ok", "warn", "fail"
REDIRECT_URI_MAX_CHARS = 512
#: Paths under which Postdeck serves verification files (config/urls.py).
VERIFICATION_PATHS = ("/", f"/{settings.TIKTOK_PULL_MEDIA_PATH}", "/legal/")


@dataclass(frozen=True, slots=True)
class UrlCheck:
    """One portal setting: ``state`` is ``ok``, ``warn`` (works here, not as
    TikTok needs it in production, or cannot be checked from here) or ``fail``;
    ``message`` says what is right or names what is wrong."""

    label: str
    portal_field: str
    url: str
    state: str
    message: str


def review_kit_checks() -> list[UrlCheck]:
    """Redirect URI, webhook URL, Terms and Privacy URLs, then every verified
    URL prefix (Postdeck's own pull prefix first)."""
    base = settings.BASE_URL
    checks = [
        _redirect_uri(settings.TIKTOK_REDIRECT_URI),
        _webhook(f"{base}{reverse('tiktok:webhook')}"),
        _legal("Terms of Service URL", "terms", f"{base}{_legal_path('terms')}"),
        _legal("Privacy Policy URL", "privacy", f"{base}{_legal_path('privacy')}"),
        _own_prefix(pull_media_prefix()),
    ]
    own = pull_media_prefix()
    for prefix in VerifiedUrlPrefix.objects.values_list("prefix", flat=True):
        if prefix != own:
            checks.append(_other_prefix(prefix))
    return checks


def _legal_path(kind: str) -> str:
    return reverse("legal:page", args=[kind])


def _address_problems(url: str, *, prefix: bool = False) -> tuple[list[str], bool]:
    """(problems, only_sandbox_allowances): what TikTok would refuse in the
    address itself; the second is True when every problem is one the sandbox
    lets through (plain http, an IP address)."""
    parts = urlsplit(url)
    base = urlsplit(settings.BASE_URL)
    hard, soft = [], []
    if parts.scheme != "https":
        soft.append("it is not https")
    if _is_ip(parts.hostname or ""):
        soft.append("its host is an IP address, not a name")
    if (parts.netloc or "").lower() != (base.netloc or "").lower():
        hard.append(
            f"it is not on this Postdeck's address ({settings.BASE_URL}, "
            "POSTDECK_BASE_URL), so Postdeck cannot answer it"
        )
    if parts.query or parts.fragment:
        hard.append("it has a query string or #fragment")
    if prefix and not url.endswith("/"):
        hard.append("a URL prefix must end with '/'")
    problems = hard + soft
    return problems, bool(soft) and not hard and settings.TIKTOK_SANDBOX


def _fetch(url: str, *, method: str = "get", body: str = "") -> HttpResponseBase | None:
    """Ask this Postdeck for ``url`` in-process, as a stranger (no login, CSRF
    enforced); None if it could not be asked."""
    parts = urlsplit(url)
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    secure = parts.scheme == "https"
    try:
        if method == "post":
            return client.post(
                parts.path,
                body,
                content_type="application/json",
                secure=secure,
                HTTP_HOST=parts.netloc,
            )
        return client.get(parts.path, secure=secure, HTTP_HOST=parts.netloc)
    except Exception:  # the page reports it instead of failing
        logger.exception("Review kit could not fetch %s", parts.path)
        return None


def _answer_problem(response: HttpResponseBase | None, expected: int) -> str:
    if response is None:
        return "Postdeck could not answer it (see the server log)"
    status = response.status_code
    if status == expected:
        return ""
    if 300 <= status < 400:
        return (
            f"it redirects ({status} to {response.get('Location', '?')}); TikTok "
            "does not follow redirects"
        )
    if status == 400:
        return "Postdeck refused the host (400): add it to DJANGO_ALLOWED_HOSTS"
    return f"it answers {status}, not {expected}"


def _verdict(
    label: str, field: str, url: str, problems: list[str], soft: bool, good: str
) -> UrlCheck:
    if not problems:
        return UrlCheck(label, field, url, OK, good)
    text = "; ".join(problems)
    if soft:
        return UrlCheck(
            label,
            field,
            url,
            WARN,
            f"Fine for the built-in sandbox, but TikTok needs more: {text}.",
        )
    return UrlCheck(label, field, url, FAIL, text[0].upper() + text[1:] + ".")


def _redirect_uri(url: str) -> UrlCheck:
    problems, soft = _address_problems(url)
    if len(url) >= REDIRECT_URI_MAX_CHARS:
        problems.append(f"it is {len(url)} characters; TikTok allows under 512")
        soft = False
    try:
        view = resolve(urlsplit(url).path).func
    except Resolver404:
        view = None
    if view is not tiktok_views.callback:
        problems.append("its path does not lead to Postdeck's TikTok callback")
        soft = False
    return _verdict(
        "Redirect URI",
        "Login Kit > Redirect URI",
        url,
        problems,
        soft,
        "Leads to Postdeck's callback (TIKTOK_REDIRECT_URI).",
    )


def _webhook(url: str) -> UrlCheck:
    problems, soft = _address_problems(url)
    answer = _answer_problem(_fetch(url, method="post", body="{}"), 401)
    if answer:
        problems.append(answer + " (expected 401 for an unsigned event)")
        soft = False
    return _verdict(
        "Webhook URL",
        "Webhooks > Callback URL",
        url,
        problems,
        soft,
        "Answers and refuses unsigned events, as it should (§9).",
    )


def _legal(label: str, kind: str, url: str) -> UrlCheck:
    problems, soft = _address_problems(url)
    response = _fetch(url)
    answer = _answer_problem(response, 200)
    if answer:
        problems.append(answer)
        soft = False
    elif response is not None and not response["Content-Type"].startswith("text/html"):
        problems.append("it is not an HTML page")
        soft = False
    shown = legal_page_shown(kind)
    if not problems and shown is not None and shown.updated_at is None:
        return UrlCheck(
            label,
            f"Basic information > {label}",
            url,
            WARN,
            "Public, but still Postdeck's starting text: adapt and save it under "
            "Content > Legal pages.",
        )
    return _verdict(
        label,
        f"Basic information > {label}",
        url,
        problems,
        soft,
        "Public, no login, no redirect.",
    )


def _verification_problem(prefix: str) -> str:
    """'' when a verification file is served correctly at ``prefix``."""
    path = urlsplit(prefix).path
    if path not in VERIFICATION_PATHS:
        return (
            "Postdeck serves verification files only at "
            + ", ".join(VERIFICATION_PATHS)
            + ", so TikTok cannot verify this prefix on Postdeck"
        )
    files = list(UrlVerificationFile.objects.all())
    if not files:
        return (
            "no verification file: add the one TikTok offers under TikTok > "
            "TikTok URL verification files"
        )
    for found in files:
        response = _fetch(prefix + found.file_name)
        if (
            response is not None
            and response.status_code == 200
            and response["Content-Type"].startswith("text/plain")
            and getattr(response, "content", b"") == found.content.encode()
        ):
            return ""
    return "the verification file is not served byte for byte at this prefix"


def _own_prefix(prefix: str) -> UrlCheck:
    label, field = "Media URL prefix (Postdeck)", "URL properties > URL prefix"
    problems, soft = _address_problems(prefix, prefix=True)
    verification = _verification_problem(prefix)
    if verification:
        problems.append(verification)
    if not own_prefix_registered():
        problems.append(
            "it is not under Media library > Verified URL prefixes, so photo "
            "posts cannot be published"
        )
    if settings.TIKTOK_SANDBOX and problems:
        return UrlCheck(
            label,
            field,
            prefix,
            WARN,
            "The built-in sandbox counts it as verified. For TikTok: "
            + "; ".join(problems)
            + ".",
        )
    return _verdict(
        label,
        field,
        prefix,
        problems,
        soft,
        "Registered, and the verification file is served byte for byte.",
    )


def _other_prefix(prefix: str) -> UrlCheck:
    label, field = "Verified URL prefix", "URL properties > URL prefix"
    if urlsplit(prefix).netloc.lower() != urlsplit(settings.BASE_URL).netloc.lower():
        return UrlCheck(
            label,
            field,
            prefix,
            WARN,
            "Outside Postdeck (a bucket or CDN): it cannot be checked from "
            "here; make sure TikTok's portal shows it as verified.",
        )
    problems, soft = _address_problems(prefix, prefix=True)
    verification = _verification_problem(prefix)
    if verification:
        problems.append(verification)
        soft = False
    return _verdict(
        label, field, prefix, problems, soft, "The verification file is served."
    )


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
