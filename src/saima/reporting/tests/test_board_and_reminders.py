"""The status board (late included, with a fixed today) and the reminder emails."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command

from saima.reporting import calendar, selectors, services
from saima.reporting.models import Reminder, ReportingPeriod
from saima.reporting.tests.conftest import EAST_OCTOBER, save, set_status


@pytest.fixture
def emails(world):
    for name in ("east_reporter", "west_approver", "office"):
        user = world.user(name)
        user.email = f"{name}@example.gov.cn"
        user.save(update_fields=["email"])


@pytest.fixture
def earlier_months_done(world):
    """August and September are accepted everywhere: the reminders are about October only."""
    for unit in ("east", "west", "north"):
        for month in (8, 9):
            set_status(world, unit, month, "accepted")


def statuses(month: int, today: date) -> dict[str, str]:
    return {row.unit.code: row.status for row in selectors.status_rows(2026, month, today=today)}


def test_default_calendar():
    assert calendar.default_dates(2026, 10) == (date(2026, 11, 1), date(2026, 11, 8))
    assert calendar.default_dates(2026, 12) == (date(2027, 1, 1), date(2027, 1, 8))
    assert calendar.DUE_DAY == 8


def test_the_office_dates_win(world):
    ReportingPeriod.objects.create(
        year=2026, month=10, opens_on=date(2026, 11, 2), due_on=date(2026, 11, 30)
    )
    assert calendar.schedule(2026, 10).due_on == date(2026, 11, 30)
    assert statuses(10, date(2026, 11, 25))["east"] == "not_started"


def test_statuses_and_late(world):
    # October 2026: due 2026-11-08. East submitted, West drafted, North nothing.
    save(world, "east_reporter", "east", 10, EAST_OCTOBER)
    set_status(world, "east", 10, "submitted")
    save(world, "office", "west", 10, {"fai": "90"})
    before_due = date(2026, 11, 8)
    assert statuses(10, before_due) == {
        "east": "submitted",
        "west": "draft",
        "north": "not_started",
    }
    after_due = date(2026, 11, 9)
    assert statuses(10, after_due) == {"east": "submitted", "west": "late", "north": "late"}
    board = selectors.status_board(2026, 10, today=after_due)
    assert [row.unit.code for row in board.late] == ["north", "west"]
    assert board.counts == {
        "not_started": 0,
        "draft": 0,
        "submitted": 1,
        "approved": 0,
        "accepted": 0,
        "returned": 0,
        "late": 2,
    }
    # Groups in their order (both 0 here, so by code), units in theirs.
    assert [g.name for g in board.groups] == ["Counties", "Districts"]
    assert [row.base_status for row in board.rows] == ["not_started", "submitted", "draft"]


@pytest.mark.parametrize("status", ["approved", "accepted", "returned"])
def test_each_status_shows(world, status):
    set_status(world, "west", 6, status)
    late = status == "returned"  # June was due on 2026-07-08
    assert statuses(6, date(2026, 11, 25))["west"] == ("late" if late else status)


def test_june_figures_without_a_submission_are_a_draft(world):
    # The world's June figures were loaded without the workflow: they count as a draft.
    # North County reported nothing for June.
    assert statuses(6, date(2026, 7, 1)) == {
        "east": "draft",
        "west": "draft",
        "north": "not_started",
    }


def test_reminders_before_and_after_the_due_date(world, emails, earlier_months_done):
    save(world, "east_reporter", "east", 10, EAST_OCTOBER)
    set_status(world, "east", 10, "submitted")
    # Three days before the due date: West and North owe October (North has nobody to email).
    sent = services.reminders_send(today=date(2026, 11, 5))
    assert [(r.unit.code, r.kind, r.recipients) for r in sent] == [
        ("west", "due_soon", ["west_approver@example.gov.cn"])
    ]
    (message,) = mail.outbox
    assert message.to == ["west_approver@example.gov.cn"]
    assert message.subject == "[Saima] West District's figures for 2026-10 are due on 2026-11-08"
    # The same day again, and the next day: "due soon" goes once.
    assert services.reminders_send(today=date(2026, 11, 5)) == []
    assert services.reminders_send(today=date(2026, 11, 6)) == []
    assert len(mail.outbox) == 1
    # After the due date: overdue, once a day.
    overdue = services.reminders_send(today=date(2026, 11, 9))
    assert [(r.unit.code, r.kind) for r in overdue] == [("west", "overdue")]
    assert mail.outbox[-1].subject == (
        "[Saima] Overdue: West District's figures for 2026-10 were due on 2026-11-08"
    )
    assert services.reminders_send(today=date(2026, 11, 9)) == []
    assert len(services.reminders_send(today=date(2026, 11, 10))) == 1
    assert Reminder.objects.count() == 3
    board = selectors.status_board(2026, 10, today=date(2026, 11, 10))
    west = next(row for row in board.rows if row.unit.code == "west")
    assert [r.kind for r in west.reminders] == ["due_soon", "overdue", "overdue"]


def test_reminders_cover_returned_figures_and_skip_locked_months(
    world, emails, earlier_months_done, access_of_persona
):
    save(world, "east_reporter", "east", 10, EAST_OCTOBER)
    set_status(world, "east", 10, "returned")
    set_status(world, "west", 10, "approved")
    sent = services.reminders_send(today=date(2026, 11, 12))
    assert [(r.unit.code, r.recipients) for r in sent] == [
        ("east", ["east_reporter@example.gov.cn"])
    ]
    services.period_lock(
        access=access_of_persona("office"), user=world.user("office"), year=2026, month=10
    )
    assert services.reminders_send(today=date(2026, 11, 13)) == []


def test_reminders_look_back_three_months(world, emails):
    sent = services.reminders_send(today=date(2026, 11, 9))
    assert sorted((r.unit.code, r.month) for r in sent) == [
        ("east", 8),
        ("east", 9),
        ("east", 10),
        ("west", 8),
        ("west", 9),
        ("west", 10),
    ]


def test_remind_command(world, emails, earlier_months_done, capsys):
    call_command("remind", "--today", "2026-11-09")
    out = capsys.readouterr().out
    assert "east 2026-10 overdue: east_reporter@example.gov.cn" in out
    assert "west 2026-10 overdue: west_approver@example.gov.cn" in out
    assert out.strip().endswith("2 reminder(s) sent.")
    call_command("remind", "--today", "2026-11-09")
    assert capsys.readouterr().out.strip() == "0 reminder(s) sent."
    assert len(mail.outbox) == 2


def test_remind_command_refuses_a_bad_date(world):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("remind", "--today", "9 Nov")
