"""The Content-Security-Policy in a real browser: the demo city's pages (charts, htmx, the meeting
screen, the battle map, the admin) load with no policy violation."""

from __future__ import annotations

from pathlib import Path

import pytest

from saima.testing import BROWSER, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(BROWSER).exists(), reason=f"no Chromium at {BROWSER}"),
]

PAGES = [
    "/",
    "/units/dongcheng/",
    "/races/",
    "/races/keywork/2026-Q3/",
    "/bulletins/",
    "/meeting/?interval=1",
    "/projects/map/",
    "/reporting/",
    "/admin/",
    "/api/docs",
]


def test_no_page_breaks_the_content_security_policy(live_server, demo_city, page):
    from saima.demo import DEMO_PASSWORD

    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    base = live_server.url
    sign_in(page, base, "office", DEMO_PASSWORD)
    for path in PAGES:
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == 200, path
        assert "Content-Security-Policy" in response.headers or "content-security-policy" in (
            response.headers
        )
        page.wait_for_load_state("networkidle")
    assert violations == []
    # The listener does hear a violation: an inline script added to the page is refused.
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.inlineRan = true'; document.head.appendChild(s); }"
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.inlineRan === undefined")
    assert len(violations) == 1
