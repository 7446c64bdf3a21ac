"""The board's actions: reminders with one click (and what was sent), a lock that asks first and
names who has not reported, and the links to the template, the bureau import and the calendar."""

from __future__ import annotations

from django.core import mail

BOARD = "/reporting/?period=2026-10"


def _emails(world):
    for name in ("east_reporter", "west_approver"):
        user = world.user(name)
        user.email = f"{name}@example.gov.cn"
        user.save(update_fields=["email"])


def test_office_sends_reminders_from_the_board_and_sees_them(as_user, world):
    _emails(world)
    client = as_user("office")
    response = client.post("/reporting/remind/?period=2026-10", follow=True)
    html = response.content.decode()
    assert "reminders sent, to East District, West District" in html
    assert mail.outbox and {m.to[0] for m in mail.outbox} == {
        "east_reporter@example.gov.cn",
        "west_approver@example.gov.cn",
    }
    assert 'id="reminders-sent"' in html and "west_approver@example.gov.cn" in html
    # The same day again: nothing more goes out, and the page says why.
    again = client.post("/reporting/remind/?period=2026-10", follow=True).content.decode()
    assert "No reminder was due" in again


def test_lock_asks_first_and_names_the_units_that_have_not_reported(as_user):
    html = as_user("office").get("/reporting/lock/?period=2026-10").content.decode()
    assert "Lock 2026-10?" in html
    assert 'data-unit="east"' in html and 'data-unit="west"' in html
    assert 'name="confirm" value="yes"' in html
    assert "<script" not in html.split("</head>", 1)[1]


def test_board_links_to_the_template_the_bureau_import_and_the_calendar(as_user):
    html = as_user("office").get(BOARD).content.decode()
    assert 'href="/reporting/upload/east/2026-10/"' in html
    assert 'href="/reporting/import/?period=2026-10"' in html
    assert 'href="/reporting/calendar/?year=2026"' in html
    assert 'href="/reporting/lock/?period=2026-10"' in html
