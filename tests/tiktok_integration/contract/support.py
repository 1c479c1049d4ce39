"""Helpers for the contract tests: the consent dance and a whole-file upload,
both done the way Postdeck does them, over real HTTP."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import requests

from tiktok_integration.client import (
    ChunkPlan,
    ChunkUploadResult,
    FileRangeReader,
    TikTokClient,
    TikTokOAuthClient,
)
from tiktok_sandbox.models import SandboxCreator

_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TIMEOUT = 10


def consent(
    oauth: TikTokOAuthClient,
    *,
    creator: SandboxCreator,
    requested: Iterable[str],
    ticked: Iterable[str],
    state: str,
    code_challenge: str,
    decision: str = "approve",
) -> dict[str, str]:
    """Open the consent page the client's authorization_url names, submit its
    CSRF-protected form as a browser would, and return the callback's query."""
    url = oauth.authorization_url(
        state=state, scopes=list(requested), code_challenge=code_challenge
    )
    with requests.Session() as browser:
        page = browser.get(url, timeout=TIMEOUT)
        assert page.status_code == 200, page.text
        match = _CSRF_INPUT.search(page.text)
        assert match is not None, "the consent page has no CSRF token"
        answer = browser.post(
            url,
            data={
                "csrfmiddlewaretoken": match[1],
                "creator": creator.open_id,
                "scopes": list(ticked),
                "decision": decision,
            },
            headers={"Referer": url},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
    assert answer.status_code == 302, answer.text
    return dict(parse_qsl(urlsplit(answer.headers["Location"]).query))


def upload_file(
    api: TikTokClient, *, upload_url: str, path: Path, plan: ChunkPlan
) -> list[ChunkUploadResult]:
    """PUT every chunk of ``path`` in order, each streamed by a FileRangeReader."""
    results = []
    with path.open("rb") as handle:
        for index, first, last in plan.chunk_ranges():
            results.append(
                api.upload_chunk(
                    upload_url=upload_url,
                    body=FileRangeReader(handle, first, last - first + 1),
                    first=first,
                    last=last,
                    total=plan.video_size,
                    is_final=index == plan.total_chunk_count - 1,
                )
            )
    return results
