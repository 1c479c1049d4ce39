"""The calendar's "Changes requested" colour, as the page draws it: the same
on the post's badge and in the legend, readable (white text on it at least
4.5:1) and far from "Needs attention" red. Screenshots at 1280 and 390 px."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from cms.models import Post
from tests.conftest import screenshot
from tests.factories.tiktok import TikTokAccountFactory
from tests.factories.workspaces import WorkspaceFactory
from tests.tiktok_integration.calendar.support import at, member_of, planned
from tests.tiktok_integration.composer.support import sign_in
from tiktok_integration.models import PublishJob

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BACKGROUND = "el => getComputedStyle(el).backgroundColor"


def _rgb(css: str) -> tuple[int, int, int]:
    red, green, blue = (
        int(part) for part in css[css.index("(") + 1 : -1].split(",")[:3]
    )
    return red, green, blue


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        value_ = value / 255
        return (
            value_ / 12.92 if value_ <= 0.04045 else ((value_ + 0.055) / 1.055) ** 2.4
        )

    red, green, blue = (channel(value) for value in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _contrast(one: tuple[int, int, int], two: tuple[int, int, int]) -> float:
    light, dark = sorted((_luminance(one), _luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _lab(rgb: tuple[int, int, int]) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of an sRGB colour, for a perceptual distance."""
    red, green, blue = (
        value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4
        for value in (part / 255 for part in rgb)
    )
    x = (0.4124 * red + 0.3576 * green + 0.1805 * blue) / 0.95047
    y = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    z = (0.0193 * red + 0.1192 * green + 0.9505 * blue) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


@pytest.mark.parametrize("width", [1280, 390])
def test_changes_requested_is_its_own_readable_colour(
    live_server: Any, page: Any, width: int
) -> None:
    # given a post sent back to its editor and a failed one on the same day
    brand = WorkspaceFactory(time_zone="Europe/Rome", name="Rome brand")
    account = TikTokAccountFactory(workspace=brand, username="alba")
    day = timezone.localdate() + timedelta(days=3)
    back = planned(brand, at(day, 9), (account,), title="Back to editor")
    Post.objects.filter(pk=back.pk).update(editorial_state="changes_requested")
    planned(
        brand, at(day, 11), (account,), status=PublishJob.Status.FAILED, title="Broken"
    )
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, member_of(brand))
    # when
    page.goto(f"{live_server.url}/admin/calendar/")
    page.wait_for_selector("#pd-cal .fc-view")
    page.evaluate(
        "day => document.getElementById('pd-cal').calendar.changeView('listWeek', day)",
        day.isoformat(),
    )
    badge = page.locator(
        f"#pd-cal [data-post-id='{back.pk}'] .pd-ev-review.pd-review-changes_requested"
    ).first
    badge.wait_for()
    screenshot(page, f"calendar-review-colours-{width}")
    # then
    on_badge = _rgb(badge.evaluate(BACKGROUND))
    in_legend = _rgb(
        page.locator(".pd-cal-legend .pd-swatch.pd-review-changes_requested").evaluate(
            BACKGROUND
        )
    )
    attention = _rgb(
        page.locator(".pd-cal-legend .pd-swatch.pd-state-needs_attention").evaluate(
            BACKGROUND
        )
    )
    text = _rgb(badge.evaluate("el => getComputedStyle(el).color"))
    assert on_badge == in_legend
    assert _contrast(text, on_badge) >= 4.5
    # CIE76 distance: about 2 is a just-noticeable step; the old #a4262c was
    # 17 from the red, which reads as the same colour at a swatch's size.
    assert math.dist(_lab(on_badge), _lab(attention)) >= 40
