"""The race in a real browser: the office previews and publishes a quarter, a unit's reporter
reads its standing and its explanation. Screenshots go to `test-artifacts/`."""

from __future__ import annotations

import pytest

from saima.testing import TIMEOUT_MS, artefact, sign_in

pytestmark = [pytest.mark.browser]


def test_office_publishes_and_a_unit_reads_its_explanation(live_server, demo_city, browser):
    from saima.demo import DEMO_PASSWORD
    from saima.races.models import Publication

    base = live_server.url
    office = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-GB")
    office.set_default_timeout(TIMEOUT_MS)
    page = office.new_page()
    sign_in(page, base, "office", DEMO_PASSWORD)

    page.click("nav.topnav a:text-is('Races')")
    page.wait_for_url(f"{base}/races/")
    page.click("section[data-race=keywork] h2 a")
    page.wait_for_url(f"{base}/races/keywork/")
    page.locator("#rank-chart-districts svg").wait_for()  # standings over time, drawn by ECharts
    page.click("tr[data-period='2026-Q3'] a.button")
    page.wait_for_url(f"{base}/races/keywork/preview/?period=2026-Q3")
    assert page.locator("section.standings").count() == 3  # districts, counties, zones
    page.screenshot(path=artefact("race-preview.png"), full_page=True)

    # Q3 is published already: publishing again makes version 2, with a reason.
    page.fill("#reason", "Linshui's September retail figure corrected")
    with page.expect_navigation():
        page.click("#publish button[type=submit]")
    # Publishing is a background job: the preview shows its progress, then its outcome.
    assert "job=" in page.url
    page.locator(".job--done").wait_for()
    assert "version 2" in page.locator(".job--done").inner_text()
    page.screenshot(path=artefact("race-published-job.png"), full_page=True)
    with page.expect_navigation():
        page.click(".job--done a")
    assert "/races/keywork/2026-Q3/?version=2" in page.url
    assert Publication.objects.filter(period="2026-Q3").count() == 2
    assert "Version 2" in page.locator("section.version").inner_text()
    leader_of_districts = page.locator("section.standings[data-group=districts] tbody tr").first
    assert leader_of_districts.get_attribute("data-rank") == "1"
    assert leader_of_districts.get_attribute("data-flag") == "red"
    page.screenshot(path=artefact("race-result.png"), full_page=True)
    office.close()

    reporter = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    reporter.set_default_timeout(TIMEOUT_MS)
    page = reporter.new_page()
    sign_in(page, base, "reporter", DEMO_PASSWORD)
    page.goto(f"{base}/races/keywork/2026-Q3/")
    own = page.locator("tr[data-unit=dongcheng] th a")
    assert own.count() == 1
    assert page.locator("tr[data-unit=xicheng] th a").count() == 0  # no link to others' reasons
    with page.expect_navigation():
        own.click()
    rows = page.locator("#explanation tbody tr")
    # the demo's items, two computed from its projects and one from its supervision items
    assert rows.count() == 12
    total = float(page.locator("#standing").get_attribute("data-total"))
    points = sum(float(rows.nth(i).get_attribute("data-points") or 0) for i in range(rows.count()))
    assert points <= total + 3.0 + 1e-9  # items plus at most the bonus cap
    page.screenshot(path=artefact("race-explanation.png"), full_page=True)
    response = page.goto(f"{base}/races/keywork/2026-Q3/units/xicheng/")
    assert response.status == 403
    reporter.close()
