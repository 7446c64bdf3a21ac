"""Bulletins and meeting mode in a real browser, reached by clicking from the home page: the
office drafts the Q2 bulletin from its published result, edits and issues it; a unit's reporter
reads it; the meeting screen at 1920×1080, dark and light, advanced by the keyboard.
Screenshots go to `test-artifacts/`."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from saima.testing import TIMEOUT_MS, artefact, sign_in

pytestmark = [pytest.mark.browser]


def _context(browser, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    return context


def test_office_drafts_edits_and_issues_and_a_unit_reads(live_server, demo_city, browser):
    from saima.bulletins.models import Bulletin
    from saima.demo import DEMO_PASSWORD

    base = live_server.url
    office = _context(browser, 1440, 900)
    page = office.new_page()
    sign_in(page, base, "office", DEMO_PASSWORD)
    page.click("nav.topnav a[href='/bulletins/']")
    page.wait_for_url(f"{base}/bulletins/")
    assert page.locator("tr[data-status=issued]").count() == 1  # the demo's Q3 bulletin
    page.screenshot(path=artefact("bulletins-index.png"), full_page=True)
    page.click("#draft a.button[href$='period=2026-Q2']")  # named 2026年第二季度 in Chinese
    page.wait_for_url(f"{base}/bulletins/new/?race=keywork&kind=race&period=2026-Q2")
    with page.expect_navigation():
        page.click("form.definition-form button[type=submit]")
    draft = Bulletin.objects.get(period="2026-Q2")
    assert page.url == f"{base}/bulletins/{draft.pk}/"
    page.locator("#chart-standings-0-0 svg").wait_for()  # drawn by ECharts from the facts
    assert "关于2026年第二季度" in page.locator(".gbdoc > h1").inner_text()
    page.screenshot(path=artefact("bulletin-draft.png"), full_page=True)

    page.fill("#paragraph-next", "各单位要对照排名找差距、补短板。")
    with page.expect_navigation():
        page.click("form.bulletin-edit button[type=submit]")
    assert "各单位要对照排名找差距、补短板。" in page.locator(".gbdoc").inner_text()
    page.fill("#paragraph-overview", "")
    page.evaluate("document.querySelector('#paragraph-overview').removeAttribute('required')")
    with page.expect_navigation():
        page.click("form.bulletin-edit button[type=submit]")
    assert "为空" in page.locator(".alert").inner_text()  # refused, in Chinese
    page.goto(f"{base}/bulletins/{draft.pk}/")
    with page.expect_navigation():
        page.click("#issue")
    draft.refresh_from_db()
    assert draft.issued and draft.files.count() == 3
    assert page.locator(".bulletin-status").get_attribute("data-status") == "issued"
    page.screenshot(path=artefact("bulletin-issued.png"), full_page=True)
    office.close()

    reporter = _context(browser, 1280, 900)
    page = reporter.new_page()
    sign_in(page, base, "reporter", DEMO_PASSWORD)
    page.click("nav.topnav a[href='/bulletins/']")
    page.wait_for_url(f"{base}/bulletins/")
    to_read = page.locator("#to-read li")
    assert to_read.count() == 2  # the demo's Q3 and the Q2 just issued
    with page.expect_navigation():
        page.click(f"#to-read a[href='/bulletins/{draft.pk}/']")
    with page.expect_navigation():
        page.click("form[action$='/read/'] button")
    page.goto(f"{base}/bulletins/")
    assert page.locator("#to-read li").count() == 1
    reporter.close()


def test_meeting_mode_at_1920_by_1080(live_server, demo_city, browser):
    from saima.demo import DEMO_PASSWORD

    base = live_server.url
    context = _context(browser, 1920, 1080)
    page = context.new_page()
    # no internet: any request off this server fails the test
    outside = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url) if not request.url.startswith((base, "data:")) else None
        ),
    )
    sign_in(page, base, "leader", DEMO_PASSWORD)
    page.click("nav.topnav a[href='/meeting/']")
    page.wait_for_url(f"{base}/meeting/")
    slides = page.locator(".slide")
    total = slides.count()
    assert total >= 7
    assert page.locator(".slide:not([hidden])").get_attribute("data-kind") == "title"
    page.screenshot(path=artefact("meeting-1-title-dark.png"))
    page.keyboard.press("ArrowRight")
    visible = page.locator(".slide:not([hidden])")
    assert visible.get_attribute("data-kind") == "standings"
    assert visible.locator("tbody tr").first.get_attribute("data-flag") == "red"
    page.screenshot(path=artefact("meeting-2-standings-dark.png"))
    kinds = ["title", "standings"]
    for _ in range(total - 2):
        page.keyboard.press("ArrowRight")
        kind = page.locator(".slide:not([hidden])").get_attribute("data-kind")
        if kind not in kinds:
            page.screenshot(path=artefact(f"meeting-{len(kinds) + 1}-{kind}-dark.png"))
        kinds.append(kind)
    assert {"distinctions", "progress", "lights", "statements", "projects"} <= set(kinds)
    page.keyboard.press("ArrowRight")  # wraps to the first
    assert page.locator(".slide:not([hidden])").get_attribute("data-kind") == "title"
    page.keyboard.press("t")
    assert page.locator("html").get_attribute("data-theme") == "light"
    page.keyboard.press("ArrowRight")
    page.screenshot(path=artefact("meeting-standings-light.png"))
    # legible from the back of the room: the standings text is at least 30 px
    size = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.slide:not([hidden]) tbody th'))"
        ".fontSize)"
    )
    assert size >= 30
    # the timer advances on its own
    page.goto(f"{base}/meeting/?interval=1&theme=light")
    # (a locator's expectation, not a polled script: the pages' policy forbids eval)
    expect(page.locator(".slide:not([hidden])")).not_to_have_attribute(
        "data-kind", "title", timeout=5000
    )
    assert outside == []
    context.close()
