"""Each role's day, by clicking only: from the home page to every page the role works on, in a
real browser over the demo city. Screenshots at 1366×768 and 1920×1080 go to `test-artifacts/`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from saima.testing import BROWSER, artefact, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(BROWSER).exists(), reason=f"no Chromium at {BROWSER}"),
]

SIZES = ((1366, 768), (1920, 1080))


def _shoot(page, name: str) -> None:
    """Screenshots at both sizes; the page must not scroll sideways at 1366 px."""
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=artefact(f"journey-{name}-{width}.png"), full_page=True)
        if width == 1366:
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= 1366, f"{name} scrolls sideways at 1366 px ({scroll} px)"
    page.set_viewport_size({"width": 1366, "height": 768})


def _click(page, text: str, *, within: str = "body", url: str | None = None) -> None:
    with page.expect_navigation():
        page.locator(within).get_by_role("link", name=text, exact=False).first.click()
    if url:
        assert re.search(url, page.url), page.url


def test_office_table_fits_1366(live_server, demo_city, page):
    from saima.demo import DEMO_PASSWORD

    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, live_server.url, "office", DEMO_PASSWORD)
    _click(page, "Table", within="nav.topnav", url=r"/table/")
    assert page.locator("table.dense tbody tr[data-unit]").count() >= 15
    _shoot(page, "office-table")
