"""Browser tests of the calendar end only once the page is settled: a feed
request still running on the live server when the test database is flushed
holds a lock on SQLite's shared in-memory database, and the flush fails."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

SETTLED = (
    "() => !document.querySelector('#pd-cal[data-loading=\"1\"]')"
    " && document.readyState === 'complete'"
)


@pytest.fixture(autouse=True)
def _settled_at_the_end(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.node.get_closest_marker("browser") is None:
        yield
        return
    page = request.getfixturevalue("page")
    yield
    page.wait_for_function(SETTLED)
    page.wait_for_load_state("networkidle")
