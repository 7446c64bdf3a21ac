"""Each role's day, by clicking only: from the home page to every page the role works on, in a
real browser over the demo city. Screenshots at 1366×768 and 1920×1080 go to `test-artifacts/`.
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


def _home(page, base: str, username: str) -> None:
    from saima.demo import DEMO_PASSWORD

    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, base, username, DEMO_PASSWORD)


def _menu(page, label: str, url: str) -> None:
    _click(page, label, within="nav.topnav", url=url)


def test_office_day_by_clicking(live_server, demo_city, page):
    _home(page, live_server.url, "office")
    _shoot(page, "office-home")

    # The dense table and the dashboard, from the menu.
    _menu(page, "Table", r"/table/")
    assert page.locator("table.dense tbody tr[data-unit]").count() >= 15
    _shoot(page, "office-table")
    # The same in Chinese, which wraps differently, still fits.
    switch_language(page, "中文")
    _shoot(page, "office-table-zh")
    _click(page, "领导看板", within="nav.topnav", url=r"/dashboard/")
    _shoot(page, "office-dashboard-zh")
    switch_language(page, "English")
    _menu(page, "Dashboard", r"/dashboard/")
    _shoot(page, "office-dashboard")

    # The reporting board: the bureau import and a unit's template upload.
    _menu(page, "Reporting", r"/reporting/")
    _shoot(page, "office-board")
    _click(page, "Import the statistics bureau's figures", url=r"/reporting/import/")
    assert page.locator("input[type=file]").count() == 1
    _shoot(page, "office-import")
    page.go_back()
    _click(page, "template", within="table.list", url=r"/reporting/upload/[\w-]+/\d{4}-\d\d/")
    assert page.get_by_role("link", name="Download the template").count() == 1
    _shoot(page, "office-upload")
    page.go_back()
    _click(page, "Lock the period", url=r"/reporting/lock/")
    _shoot(page, "office-lock")
    page.go_back()

    # A race preview.
    _menu(page, "Races", r"/races/")
    page.locator("main h2 a").first.click()
    page.wait_for_url(re.compile(r"/races/[\w-]+/$"))
    with page.expect_navigation():
        page.locator("a", has_text=re.compile("Preview")).first.click()
    assert "/preview/" in page.url
    _shoot(page, "office-preview")

    # Targets, schedules and the calendar.
    _menu(page, "Targets", r"/targets/")
    assert page.locator("table.targets input").count() > 100
    _shoot(page, "office-targets")
    _click(page, "Schedules", within="nav.tabs", url=r"/targets/profiles/")
    page.locator("div.chart svg").first.wait_for(state="visible")
    _shoot(page, "office-profiles")
    _click(page, "Reporting calendar", within="nav.tabs", url=r"/reporting/calendar/")
    assert page.locator("tr[data-month]").count() == 12
    _shoot(page, "office-calendar")


def test_reporter_day_by_clicking(live_server, demo_city, page):
    _home(page, live_server.url, "reporter")
    assert page.locator("p.home-callout a", has_text="Your to-do list").count() == 1
    _shoot(page, "reporter-home")

    # The to-do list, from the header (its count loads there).
    _click(page, "To do", within="header.topbar", url=r"/todo/")
    _shoot(page, "reporter-todo")

    # The entry form (the board sends a unit to its own form), then the template upload.
    _menu(page, "Reporting", r"/reporting/units/[\w-]+/")
    assert page.locator("form#figures-form").count() == 1
    _shoot(page, "reporter-form")
    # The demo's last month is accepted already: the form points on to the month to enter.
    _click(page, "Go on to 2026-11", url=r"/reporting/units/[\w-]+/\?period=2026-11")
    _click(page, "Upload a filled template", url=r"/reporting/upload/")
    _shoot(page, "reporter-upload")

    # Its explanation in the latest race, and the rules it is scored by.
    _menu(page, "Races", r"/races/")
    with page.expect_navigation():
        page.locator("main a.button").last.click()
    with page.expect_navigation():
        page.locator("table.ranking th[scope=row] a").first.click()
    assert "/units/" in page.url
    _shoot(page, "reporter-explanation")
    _click(page, "The rules of this race", url=r"/races/[\w-]+/rules/")
    _shoot(page, "reporter-rules")


def test_leader_reaches_the_dashboard_from_home(live_server, demo_city, page):
    _home(page, live_server.url, "leader")
    _click(page, "Open your dashboard", within="main", url=r"/dashboard/")
    assert page.locator("#standings-title").count() == 1
    _shoot(page, "leader-dashboard")
