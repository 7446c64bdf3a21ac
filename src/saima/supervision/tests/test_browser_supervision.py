"""Supervision in a real browser, on the demo city: the office turns a laggard's commitment into a
supervision item, the lead unit acknowledges it and reports progress with evidence, asks for
closure, and the office closes it. Screenshots go to `test-artifacts/`."""

from __future__ import annotations

import datetime

import pytest

from saima.testing import TIMEOUT_MS, artefact, sign_in, switch_language

pytestmark = [pytest.mark.browser]


def accepted_commitment():
    """A laggard statement of the demo's latest result, filed and accepted (as the races'
    follow-up would), and a reporter login of its unit."""
    from django.contrib.auth import get_user_model

    from saima.demo import DEMO_PASSWORD
    from saima.org.access import Access
    from saima.org.models import Role
    from saima.org.services import user_create
    from saima.races.followup import services
    from saima.races.followup.selectors import published_on
    from saima.races.models import LaggardStatement

    statement = LaggardStatement.objects.select_related("unit", "publication").order_by(
        "-publication__period", "unit__order"
    )[0]
    office = Access.for_user(get_user_model().objects.get(username="office"))
    statement = services.statement_submit(
        office,
        statement,
        cause="固定资产投资两个项目延期开工",
        measures="成立专班，周调度",
        commitment="年底前固定资产投资追上时序进度",
        commitment_date=published_on(statement.publication) + datetime.timedelta(days=25),
    )
    statement = services.statement_accept(office, statement)
    user_create(
        username="lead_reporter",
        password=DEMO_PASSWORD,
        roles=[(Role.REPORTER, statement.unit)],
    )
    return statement


def test_a_commitment_followed_to_closure(live_server, demo_city, browser, tmp_path):
    from saima.demo import DEMO_PASSWORD
    from saima.races.register.tests.test_evidence import png_bytes
    from saima.supervision.models import Item

    base = live_server.url
    statement = accepted_commitment()
    evidence = tmp_path / "开工照片.png"
    evidence.write_bytes(png_bytes())

    office = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-GB")
    office.set_default_timeout(TIMEOUT_MS)
    page = office.new_page()
    sign_in(page, base, "office", DEMO_PASSWORD)
    page.click("nav.topnav a:text-is('Supervision')")
    page.wait_for_url(f"{base}/supervision/")
    page.screenshot(path=artefact("supervision-ledger.png"), full_page=False)
    page.click("p.supervision-nav a:text-is('Where problems are')")
    page.wait_for_url(f"{base}/supervision/origins/")
    origin = page.locator(f"li[data-origin='statement:{statement.pk}']")
    with page.expect_navigation():
        origin.locator("a.button").click()
    assert page.input_value("#lead_unit") == statement.unit.code
    assert "年底前固定资产投资" in page.input_value("#task")
    page.screenshot(path=artefact("supervision-new-from-commitment.png"), full_page=True)
    with page.expect_navigation():
        page.click("form.item-form button[type=submit]")
    item = Item.objects.get(origin=f"statement:{statement.pk}")
    assert page.url == f"{base}/supervision/{item.pk}/"
    assert page.locator("#facts").get_attribute("data-status") == "assigned"
    office.close()

    unit = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    unit.set_default_timeout(TIMEOUT_MS)
    page = unit.new_page()
    sign_in(page, base, "lead_reporter", DEMO_PASSWORD)
    page.click("nav.topnav a:text-is('Supervision')")
    with page.expect_navigation():
        page.click(f"tr[data-item='{item.reference}'] a")
    with page.expect_navigation():
        page.click("button:text-is('Acknowledge')")
    page.fill("#feedback-text", "两个项目已完成施工许可，12月5日开工")
    page.set_input_files("#feedback-files", str(evidence))
    with page.expect_navigation():
        page.click("#feedback button[type=submit]")
    assert "Progress reported" in page.locator(".messages").inner_text()
    page.fill("#closure-text", "项目已全部开工，投资进度追上时序")
    with page.expect_navigation():
        page.click("#closure button[type=submit]")
    assert page.locator("#facts").get_attribute("data-status") == "closure_requested"
    page.screenshot(path=artefact("supervision-unit-reported.png"), full_page=True)
    unit.close()

    office = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-GB")
    office.set_default_timeout(TIMEOUT_MS)
    page = office.new_page()
    sign_in(page, base, "office", DEMO_PASSWORD)
    # The office finds the item waiting for it in the ledger, filtered by its status.
    page.click("nav.topnav a:text-is('Supervision')")
    page.wait_for_url(f"{base}/supervision/")
    page.select_option("select[name=status]", "closure_requested")
    with page.expect_navigation():
        page.click("button:text-is('Filter')")
    with page.expect_navigation():
        page.click(f"a:text-is('{item.reference}')")
    assert page.url.endswith(f"/supervision/{item.pk}/")
    with page.expect_navigation():
        page.click("button:text-is('Close the item (办结)')")
    assert page.locator("#facts").get_attribute("data-status") == "closed"
    kinds = page.locator("#timeline li").evaluate_all("els => els.map(e => e.dataset.kind)")
    assert kinds == ["assigned", "acknowledged", "feedback", "closure_requested", "closed"]
    assert page.locator("#timeline a[download]").inner_text() == "开工照片.png"
    page.screenshot(path=artefact("supervision-closed.png"), full_page=True)
    page.click("p.supervision-nav a:text-is('Rectification lists')")
    page.wait_for_url(f"{base}/supervision/rectification/")
    assert page.locator("#lists tbody tr").count() == 2
    with page.expect_navigation():
        page.locator("#lists tbody tr a").first.click()
    assert page.locator("#completion").get_attribute("data-rate")
    page.screenshot(path=artefact("supervision-rectification.png"), full_page=True)
    switch_language(page, "中文")
    page.click("nav.topnav a:text-is('督查督办')")
    page.check("input[name=overdue]")
    with page.expect_navigation():
        page.click("button:text-is('筛选')")
    assert "督办事项台账" in page.locator("h1").inner_text()
    page.screenshot(path=artefact("supervision-ledger-zh.png"), full_page=False)
    office.close()

    room = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    room.set_default_timeout(TIMEOUT_MS)
    page = room.new_page()
    sign_in(page, base, "leader", DEMO_PASSWORD)
    page.goto(f"{base}/meeting/?interval=0")
    page.keyboard.press("End")
    slide = page.locator("section.slide[data-kind=supervision]")
    slide.wait_for(state="visible")
    assert slide.locator("tr[data-item]").count() >= 5
    page.screenshot(path=artefact("supervision-meeting-slide.png"))
    room.close()
    item.refresh_from_db()
    assert item.status == "closed" and item.closed_on is not None
