"""Key projects in a real browser, reached by clicking from the home page: the office imports its
list (a project whose land milestone was due three weeks ago), the battle map shows that
milestone red, and Dongcheng's reporter files the week's report with a photo and a problem that
the office then sees. Screenshots go to `test-artifacts/`."""

from __future__ import annotations

import datetime
import io

import pytest
from openpyxl import Workbook

from saima.testing import TIMEOUT_MS, artefact, sign_in

pytestmark = [pytest.mark.browser]

OVERDUE = "#d55e00"


def project_list(today: datetime.date) -> bytes:
    """The office's list: one new project of Dongcheng, its land due three weeks ago."""
    book = Workbook()
    sheet = book.active
    sheet.title = "项目库"
    sheet.append(["2026年重点项目清单"])
    sheet.append(
        [
            "项目编号",
            "项目名称",
            "项目类别",
            "项目级别",
            "责任单位",
            "包联领导",
            "总投资(亿元)",
            "建设年限",
            "项目阶段",
            "阶段日期",
            "年度计划投资(亿元)",
            "用地计划",
            "施工许可计划",
        ]
    )
    sheet.append(
        [
            "BT-001",
            "东城智慧物流港",
            "现代服务业",
            "市重点",
            "东城区",
            "王建国",
            6.5,
            f"{today.year}-{today.year + 2}",
            "签约",
            (today - datetime.timedelta(days=60)).isoformat(),
            1.2,
            today - datetime.timedelta(days=21),
            today + datetime.timedelta(days=40),
        ]
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_import_report_and_the_red_milestone(live_server, demo_city, browser, tmp_path):
    from saima.demo import DEMO_PASSWORD
    from saima.projects.models import Milestone, WeeklyProblem, WeeklyReport
    from saima.races.register.tests.test_evidence import png_bytes

    base = live_server.url
    today = datetime.date.today()
    upload = tmp_path / "重点项目清单.xlsx"
    upload.write_bytes(project_list(today))
    photo = tmp_path / "site.png"
    photo.write_bytes(png_bytes())

    office = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-GB")
    office.set_default_timeout(TIMEOUT_MS)
    page = office.new_page()
    sign_in(page, base, "office", DEMO_PASSWORD)
    page.click("nav.topnav a:text-is('Projects')")
    page.wait_for_url(f"{base}/projects/")
    assert page.locator("#projects tbody tr").count() == 60
    page.click("nav.subnav a:text-is('Import')")
    page.wait_for_url(f"{base}/projects/import/")
    page.select_option("select[name=measure]", "亿元")
    page.set_input_files("#import-file", str(upload))
    with page.expect_navigation():
        page.click("form button[type=submit]:text-is('Upload and preview')")
    assert page.locator("#preview tr[data-status=new]").count() == 1
    page.screenshot(path=artefact("projects-import-preview.png"), full_page=True)
    with page.expect_navigation():
        page.click("button:text-is('Save the list')")
    assert page.locator("#import-result").inner_text().startswith("1")
    land = Milestone.objects.get(project__code="BT-001", code="land")
    assert land.planned == today - datetime.timedelta(days=21) and land.actual is None

    with page.expect_navigation():
        page.click("a:text-is('Open the battle map')")
    page.select_option("select[name=unit]", "dongcheng")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    row = page.locator("tr[data-project='BT-001']")
    assert row.get_attribute("data-status") == "overdue"
    assert "21 days" in row.locator("[data-overdue=land]").inner_text()
    chart = page.locator(".gantt[data-drawn='1'] svg").first
    chart.wait_for()
    assert chart.locator(f"path[fill='{OVERDUE}']").count() >= 1  # red points, drawn by ECharts
    page.screenshot(path=artefact("projects-battle-map.png"), full_page=True)
    office.close()

    reporter = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    reporter.set_default_timeout(TIMEOUT_MS)
    page = reporter.new_page()
    sign_in(page, base, "reporter", DEMO_PASSWORD)
    page.click("nav.topnav a:text-is('Projects')")
    page.wait_for_url(f"{base}/projects/")
    page.click("nav.subnav a:text-is('Weekly schedule')")
    page.wait_for_url(f"{base}/projects/weekly/")
    with page.expect_navigation():
        page.click("tr[data-unit=dongcheng] a.button")
    form = page.locator("fieldset[data-project='BT-001']")
    form.locator("textarea[name$='-progress']").fill("完成场地平整，临时用电接入")
    form.locator("textarea[name$='-next_plan']").fill("办理用地手续")
    form.locator("textarea[name$='-problems']").fill("用地报批材料待自然资源局审核，需协调加快")
    form.locator("input[type=file]").set_input_files(str(photo))
    with page.expect_navigation():
        page.click("#weekly-form button[type=submit]")
    assert "1 report saved" in page.locator(".messages").inner_text()
    assert (
        "reported by reporter"
        in page.locator("fieldset[data-project='BT-001'] legend").inner_text()
    )
    page.screenshot(path=artefact("projects-weekly-report.png"), full_page=True)
    report = WeeklyReport.objects.get(project__code="BT-001")
    assert (report.photos.count(), report.reported_by.username) == (1, "reporter")
    assert WeeklyProblem.objects.get(report=report).status == "open"
    reporter.close()

    office = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-GB")
    office.set_default_timeout(TIMEOUT_MS)
    page = office.new_page()
    sign_in(page, base, "office", DEMO_PASSWORD)
    page.click("nav.topnav a:text-is('Projects')")
    page.click("nav.subnav a:text-is('Problems')")
    page.wait_for_url(f"{base}/projects/problems/")
    problem = page.locator("#problems tr", has_text="BT-001")
    assert "用地报批材料" in problem.inner_text()
    page.screenshot(path=artefact("projects-problems.png"), full_page=False)
    office.close()
