"""Panels against the sandbox over real HTTP: one request for several accounts
answers each account's panel, in order, each with what TikTok said just now.
(That the TikTok calls of one request overlap is measured by
bench/bench_composer.py: the suite's in-memory SQLite makes them one after
another.)"""

from __future__ import annotations

from django.urls import reverse

from tests.tiktok_integration.composer.support import connect, member
from tiktok_sandbox.models import SandboxCreator


def test_one_request_answers_each_accounts_panel_in_order(sandbox, brand, client):
    # given two accounts, one of whose creators cannot post right now
    accounts = [connect("public", brand), connect("cannotpost", brand)]
    client.force_login(member(brand))
    ids = ",".join(str(account.pk) for account in accounts)
    # when one request asks for both panels
    response = client.get(
        reverse("admin:cms_post_compose_panels") + f"?accounts={ids}",
        HTTP_HOST="127.0.0.1",
    )
    # then both are there, in the order asked, each as TikTok answered
    body = response.content.decode()
    assert body.index("Pat Public") < body.index("Ben Banned")
    assert body.count('data-state="ready"') == 1
    assert body.count('data-state="blocked"') == 1
    assert SandboxCreator.objects.get(username="kind.public").publishes.count() == 0
