"""Exports: per account or post over a date range, CSV and XLSX, and never a
formula from a caption."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories.tiktok import TikTokAccountFactory
from tiktok_integration.analytics.export import safe_cell
from tiktok_integration.models import TikTokVideo, VideoSnapshot

HOSTILE = ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


@pytest.fixture
def videos(db):
    account = TikTokAccountFactory(username="brand")
    now = timezone.now()
    for index, title in enumerate(HOSTILE):
        video = TikTokVideo.objects.create(
            account=account,
            video_id=f"7{index:018d}",
            title=title,
            created_on_tiktok_at=now - timedelta(days=10),
        )
        for days_ago in (9, 5, 1):
            VideoSnapshot.objects.create(
                video=video,
                taken_at=now - timedelta(days=days_ago),
                view_count=100 - days_ago,
                like_count=1,
                comment_count=0,
                share_count=0,
            )
    return account


@pytest.mark.parametrize("value", HOSTILE)
def test_text_a_spreadsheet_would_run_is_quoted(value):
    assert safe_cell(value) == "'" + value
    assert safe_cell(42) == 42 and safe_cell("plain") == "plain"


def test_csv_export_of_an_account_over_a_range_is_safe(videos, tmp_path):
    # when
    target = tmp_path / "out.csv"
    start = (timezone.now() - timedelta(days=6)).date().isoformat()
    call_command(
        "export_metrics", "--account=@brand", f"--from={start}", f"--output={target}"
    )
    # then only snapshots in range, and no cell starts a formula
    rows = list(csv.reader(io.StringIO(target.read_text())))
    assert rows[0][0] == "account"
    assert len(rows) == 1 + len(HOSTILE) * 2
    for row in rows[1:]:
        assert not row[2].startswith(("=", "+", "-", "@", "\t", "\r"))
        assert row[2].startswith("'")


def test_xlsx_export_holds_text_not_formulas(videos, tmp_path):
    target = tmp_path / "out.xlsx"
    call_command("export_metrics", account="brand", format="xlsx", output=str(target))
    sheet = load_workbook(target).active
    titles = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(titles) == len(HOSTILE) * 3
    assert all(isinstance(title, str) and title.startswith("'") for title in titles)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_admin_action_exports_the_selected_videos(videos, admin_client):
    response = admin_client.post(
        reverse("admin:tiktok_integration_tiktokvideo_changelist"),
        {
            "action": "export_csv",
            "_selected_action": list(
                TikTokVideo.objects.values_list("pk", flat=True)[:2]
            ),
        },
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows) == 1 + 2 * 3
