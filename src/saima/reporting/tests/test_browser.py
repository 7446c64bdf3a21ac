"""The reporting form in a real browser: a reporter fills it in and submits, an approver approves.

Playwright drives Debian's Chromium against a live server; skipped without /usr/bin/chromium.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connections

from saima.reporting.tests.conftest import EAST_OCTOBER
from saima.testing import BROWSER

TIMEOUT_MS = 15_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(BROWSER).exists(), reason=f"no Chromium at {BROWSER}"),
]


def new_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    return context, context.new_page()


def sign_in(page, base: str, username: str) -> None:
    from saima.testing import PASSWORD

    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login/'] button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_reporter_submits_and_approver_approves(live_server, committed_world, browser):
    from saima.org.models import Role
    from saima.org.services import user_create
    from saima.reporting.models import Submission
    from saima.testing import PASSWORD

    user_create(
        username="east_approver",
        password=PASSWORD,
        roles=[(Role.APPROVER, committed_world.units["east"])],
    )
    base, form = live_server.url, "/reporting/units/east/?period=2026-10"

    context, page = new_page(browser)
    try:
        sign_in(page, base, "east_reporter")
        page.click("nav.topnav >> text=Reporting")  # the board sends a reporter to their unit
        page.wait_for_url(f"{base}{form}")
        # The live light follows the typing (HTMX, computed by the engine on the server).
        page.fill("#value-fai", "100")
        page.wait_for_selector("#light-fai .light--red")
        page.fill("#value-fai", EAST_OCTOBER["fai"])
        page.wait_for_selector("#light-fai .light--green")
        for code, value in EAST_OCTOBER.items():
            page.fill(f"#value-{code}", value)
        with page.expect_navigation():
            page.click("button[value=submit]")
        assert page.locator(".messages").inner_text().endswith("The figures are submitted.")
        assert page.locator("[data-status=submitted]").count() == 1
        assert page.locator("button[value=submit]").count() == 0
    finally:
        context.close()

    context, page = new_page(browser)
    try:
        sign_in(page, base, "east_approver")
        page.goto(f"{base}{form}")
        with page.expect_navigation():
            page.click("button[value=approve]")
        assert "The figures are approved." in page.locator(".messages").inner_text()
        assert page.locator("[data-status=approved]").count() == 1
    finally:
        context.close()

    submission = Submission.objects.select_related("submitted_by", "approved_by").get(
        unit=committed_world.units["east"], year=2026, month=10
    )
    connections.close_all()  # this context's connection (see the `browser` fixture)
    assert (
        submission.status,
        submission.submitted_by.username,
        submission.approved_by.username,
    ) == (
        "approved",
        "east_reporter",
        "east_approver",
    )
