"""The pages in a real browser: Playwright driving Debian's Chromium against a live server.

Skipped (with the reason) when /usr/bin/chromium is missing. Full-page screenshots of the overview
and a unit page are written to `test-artifacts/` at the repository root for a person to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from saima.testing import BROWSER, artefact, sign_in, switch_language

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(BROWSER).exists(), reason=f"no Chromium at {BROWSER}"),
]


def test_overview_language_and_unit_chart(live_server, demo_city, page):
    from saima.demo import DEMO_PASSWORD

    base = live_server.url
    sign_in(page, base, "office", DEMO_PASSWORD)

    # The overview: a grid of lights with the demo's units.
    grid = page.locator("table.grid").first
    grid.wait_for()
    cells = page.locator("table.grid td[data-k][data-light]")
    assert cells.count() > 0
    first = cells.first
    assert first.get_attribute("tabindex") == "0"  # saima.js makes every cell focusable
    first.hover()
    tip = page.locator("#saima-tip")
    tip.wait_for(state="visible")
    assert "Dongcheng District · " in tip.inner_text()
    assert re.search(r"Value: (—|[\d,.]+\S*)", tip.inner_text())
    assert page.locator("table.grid th[scope=row] a", has_text="Dongcheng District").count() == 1
    assert page.locator("html").get_attribute("lang") == "en"
    page.screenshot(path=artefact("overview.png"), full_page=True)

    # 中文: names come from the database in both languages, so they switch whatever the catalogue.
    switch_language(page, "中文")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("table.grid th[scope=row] a", has_text="东城区").count() == 1
    assert page.get_by_text("城区组").count() >= 1
    assert page.locator("table.grid thead a", has_text="固定资产投资").count() >= 1
    assert page.locator("text=Dongcheng District").count() == 0
    assert page.locator("form.language button[aria-pressed=true]").inner_text() == "中文"
    page.screenshot(path=artefact("overview-zh.png"), full_page=True)

    switch_language(page, "English")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("table.grid th[scope=row] a", has_text="Dongcheng District").count() == 1

    # A cell opens its unit's page at its indicator, by click or by Enter (built by saima.js).
    cell = page.locator("table.grid tbody tr", has_text="Dongcheng District").locator("td[data-k]")
    cell.first.click()
    page.wait_for_url(re.compile(r"/units/dongcheng/\?period=[0-9-]+#ind-[\w-]+$"))
    page.go_back()
    page.locator("table.grid").first.wait_for()
    cell.first.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert re.search(r"/units/dongcheng/\?period=[0-9-]+#ind-[\w-]+$", page.url)
    page.go_back()

    # A unit page, opened by its link: one trend chart per indicator, drawn by ECharts.
    page.locator("table.grid th[scope=row] a", has_text="Dongcheng District").click()
    page.wait_for_url(re.compile(r"/units/dongcheng/"))
    assert page.locator("h1").inner_text().startswith("Dongcheng District")
    drawn = page.locator("div.chart svg, div.chart canvas").first
    drawn.wait_for(state="visible")
    box = drawn.bounding_box()
    assert box is not None and box["width"] > 0 and box["height"] > 0
    assert (
        page.locator("div.chart").count()
        == page.locator("section.card[data-indicator]").count()
        > 0
    )
    page.screenshot(path=artefact("unit.png"), full_page=True)


def test_reporter_sees_only_their_unit(live_server, committed_world, page):
    from saima.testing import PASSWORD

    base = live_server.url
    sign_in(page, base, "east_reporter", PASSWORD)
    grid = page.locator("table.grid").first  # June also has the double-over-half grid
    grid.wait_for()
    assert grid.locator("th[scope=row] a", has_text="East District").count() == 1
    assert grid.locator("td[data-k][data-light]").count() > 0
    assert "West District" not in page.content()
    assert page.get_by_text("West District").count() == 0

    # Nor may the reporter open West District by its address.
    response = page.goto(f"{base}/units/west/")
    assert response is not None and response.status == 403


def test_pages_print_without_the_menu_and_with_whole_rows(live_server, committed_world, page):
    """The print stylesheet: no menu, picker or language switch on paper; table headers repeat
    and rows are not cut; a unit's cards keep their figures readable (no solid fill)."""
    from saima.testing import PASSWORD

    base = live_server.url
    sign_in(page, base, "office", PASSWORD)
    page.goto(f"{base}/units/east/?period=2026-06")
    card = page.locator("section.card[data-light]").first
    assert card.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 255, 255)"
    page.emulate_media(media="print")
    assert page.locator(".topnav").evaluate("e => getComputedStyle(e).display") == "none"
    assert page.locator(".picker").evaluate("e => getComputedStyle(e).display") == "none"
    page.goto(f"{base}/indicators/fai/?period=2026-06")
    head = page.locator("table.ranking thead").first
    assert head.evaluate("e => getComputedStyle(e).display") == "table-header-group"
    row = page.locator("table.ranking tbody tr").first
    assert row.evaluate("e => getComputedStyle(e).breakInside") == "avoid"
    page.screenshot(path=artefact("indicator-print.png"), full_page=True)
    favicon = page.locator("link[rel=icon]").get_attribute("href")
    assert favicon and page.request.get(base + favicon).status == 200
