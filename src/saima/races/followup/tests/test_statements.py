"""Laggard statements (表态发言): who is asked, filing, review, follow-up to the commitment date."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from saima.engine import parse_period
from saima.org.access import Access
from saima.races.followup import selectors, services
from saima.races.models import LaggardStatement
from saima.races.results.selectors import statements_of
from saima.races.results.services import race_publish

Q1 = parse_period("2026-Q1")
TODAY = datetime.date(2026, 4, 10)
Status = LaggardStatement.Status


class Clock:
    today = TODAY


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """`timezone.localdate` as the tests set it (`clock.today = ...`)."""
    from django.utils import timezone

    clock = Clock()
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: clock.today)
    return clock


def access(world, persona: str) -> Access:
    if persona == "anonymous":
        return Access(user_id=None)
    return Access.for_user(world.user(persona))


@pytest.fixture(scope="module")
def publication_day() -> datetime.date:
    """The kept publication is made on the clock's day, as the tests' own writes are."""
    return TODAY


@pytest.fixture
def west(publication):
    return LaggardStatement.objects.get(publication=publication, unit__code="west")


def commitment_day(statement, days: int = 60) -> datetime.date:
    return selectors.published_on(statement.publication) + datetime.timedelta(days=days)


def submit(world, statement, persona: str = "west_approver", **changes):
    fields = {
        "cause": "Two large projects slipped to the second quarter.",
        "measures": "A weekly dispatch of the slipped projects.",
        "commitment": "Catch up with the time schedule by the half year.",
        "commitment_date": commitment_day(statement),
        **changes,
    }
    return services.statement_submit(access(world, persona), statement, **fields)


def accepted(world, statement, **changes):
    submit(world, statement, **changes)
    return services.statement_accept(access(world, "office"), statement, comment="")


# --- Who is asked ------------------------------------------------------------------------------


def test_publication_asks_each_laggard_for_a_statement(world, publication) -> None:
    rows = {s.unit.code: s for s in LaggardStatement.objects.filter(publication=publication)}
    assert set(rows) == {"west", "north"}  # east took the red flag of the districts
    assert rows["west"].why == ["yellow_flag", "last_place"]
    assert rows["north"].why == ["last_place"]
    assert all(s.status == Status.REQUESTED for s in rows.values())
    assert selectors.reasons_of(rows["west"]) == ["yellow flag", "last place of its group"]


def test_a_republication_keeps_the_statements_asked_for(world, race, west) -> None:
    submit(world, west)
    race_publish(access(world, "office"), race, Q1, reason="A figure corrected")
    assert LaggardStatement.objects.filter(unit__code="west").count() == 1
    assert list(statements_of(race, "2026-Q1")) == list(
        LaggardStatement.objects.order_by("unit__order")
    )


# --- Filing ------------------------------------------------------------------------------------


def test_the_units_approver_files_its_statement(world, west) -> None:
    done = submit(world, west)
    assert done.status == Status.SUBMITTED
    assert done.submitted_by == world.user("west_approver")
    assert done.commitment_date == commitment_day(west)
    stored = LaggardStatement.objects.get(pk=west.pk)
    assert stored.cause.startswith("Two large projects")
    record = stored.history.order_by("-history_date", "-history_id").first()
    assert record.history_user == world.user("west_approver")
    assert record.history_change_reason == "submitted"


def test_the_office_may_file_on_the_units_behalf(world, west) -> None:
    assert submit(world, west, persona="office").status == Status.SUBMITTED


@pytest.mark.parametrize("persona", ["leader", "east_reporter", "stranger", "anonymous"])
def test_others_may_not_file_a_units_statement(world, west, persona) -> None:
    with pytest.raises(PermissionDenied):
        submit(world, west, persona=persona)
    assert LaggardStatement.objects.get(pk=west.pk).status == Status.REQUESTED


@pytest.mark.parametrize("field", ["cause", "measures", "commitment"])
def test_every_text_is_required(world, west, field) -> None:
    with pytest.raises(ValidationError) as refused:
        submit(world, west, **{field: "   "})
    assert list(refused.value.message_dict) == [field]
    stored = LaggardStatement.objects.get(pk=west.pk)
    assert stored.status == Status.REQUESTED and stored.cause == ""


def test_a_text_too_long_or_with_a_null_character_is_refused(world, west) -> None:
    with pytest.raises(ValidationError) as refused:
        submit(world, west, measures="x" * (services.TEXT_MAX + 1), cause="a\x00b")
    assert set(refused.value.message_dict) == {"measures", "cause"}


@pytest.mark.parametrize("days", [None, -3, 0, 367])
def test_the_commitment_date_falls_within_a_year_after_publication(world, west, days) -> None:
    date = None if days is None else commitment_day(west, days)
    with pytest.raises(ValidationError) as refused:
        submit(world, west, commitment_date=date)
    assert list(refused.value.message_dict) == ["commitment_date"]
    assert LaggardStatement.objects.get(pk=west.pk).status == Status.REQUESTED


def test_all_problems_are_named_at_once(world, west) -> None:
    with pytest.raises(ValidationError) as refused:
        submit(world, west, cause="", measures="", commitment="", commitment_date=None)
    assert set(refused.value.message_dict) == {"cause", "measures", "commitment", "commitment_date"}


def test_a_filed_statement_cannot_be_filed_again_until_returned(world, west) -> None:
    submit(world, west)
    with pytest.raises(ValidationError) as refused:
        submit(world, west, cause="Changed my mind")
    assert "status" in refused.value.message_dict
    services.statement_return(access(world, "office"), west, comment="Name the projects.")
    again = submit(world, west, cause="Projects A and B slipped.")
    assert again.status == Status.SUBMITTED and again.cause == "Projects A and B slipped."


# --- Review ------------------------------------------------------------------------------------


def test_the_office_accepts_a_statement(world, west) -> None:
    submit(world, west)
    done = services.statement_accept(access(world, "office"), west, comment="Good.")
    assert done.status == Status.ACCEPTED
    assert done.reviewed_by == world.user("office") and done.office_comment == "Good."


def test_a_return_needs_a_comment(world, west) -> None:
    submit(world, west)
    with pytest.raises(ValidationError) as refused:
        services.statement_return(access(world, "office"), west, comment=" ")
    assert "comment" in refused.value.message_dict
    assert LaggardStatement.objects.get(pk=west.pk).status == Status.SUBMITTED
    done = services.statement_return(access(world, "office"), west, comment="Too vague.")
    assert done.status == Status.RETURNED and done.office_comment == "Too vague."


@pytest.mark.parametrize("persona", ["leader", "east_reporter", "west_approver", "stranger"])
def test_only_the_office_reviews(world, west, persona) -> None:
    submit(world, west)
    with pytest.raises(PermissionDenied):
        services.statement_accept(access(world, persona), west)
    with pytest.raises(PermissionDenied):
        services.statement_return(access(world, persona), west, comment="No.")
    assert LaggardStatement.objects.get(pk=west.pk).status == Status.SUBMITTED


def test_a_statement_not_yet_filed_cannot_be_reviewed(world, west) -> None:
    with pytest.raises(ValidationError):
        services.statement_accept(access(world, "office"), west)
    with pytest.raises(ValidationError):
        services.statement_return(access(world, "office"), west, comment="Where is it?")


# --- Follow-up ---------------------------------------------------------------------------------


def test_follow_up_notes_accumulate_and_fulfilled_closes(world, west) -> None:
    accepted(world, west)
    office = access(world, "office")
    services.statement_follow_up(office, west, note="Project A restarted.")
    done = services.statement_follow_up(office, west, note="Caught up.", outcome="fulfilled")
    assert done.status == Status.FULFILLED
    assert done.follow_up.splitlines() == [
        f"{TODAY.isoformat()} · office: Project A restarted.",
        f"{TODAY.isoformat()} · office: Caught up.",
    ]
    with pytest.raises(ValidationError):
        services.statement_follow_up(office, west, note="Once more.")
    reasons = list(done.history.values_list("history_change_reason", flat=True))
    assert "follow-up fulfilled" in reasons and "accepted" in reasons


def test_missed_only_after_the_commitment_date(world, west, clock) -> None:
    west = accepted(world, west)
    office = access(world, "office")
    clock.today = west.commitment_date
    with pytest.raises(ValidationError) as refused:
        services.statement_follow_up(office, west, note="Not there yet.", outcome="missed")
    assert "outcome" in refused.value.message_dict
    assert LaggardStatement.objects.get(pk=west.pk).follow_up == ""
    clock.today = west.commitment_date + datetime.timedelta(days=1)
    done = services.statement_follow_up(office, west, note="Still behind.", outcome="missed")
    assert done.status == Status.MISSED


def test_a_follow_up_needs_a_note_and_a_known_outcome(world, west) -> None:
    accepted(world, west)
    office = access(world, "office")
    with pytest.raises(ValidationError) as refused:
        services.statement_follow_up(office, west, note="", outcome="done")
    assert set(refused.value.message_dict) == {"note", "outcome"}


@pytest.mark.parametrize("persona", ["leader", "east_reporter", "west_approver", "stranger"])
def test_only_the_office_follows_up(world, west, persona) -> None:
    accepted(world, west)
    with pytest.raises(PermissionDenied):
        services.statement_follow_up(access(world, persona), west, note="Fine.")


def test_only_an_accepted_statement_is_followed_up(world, west) -> None:
    submit(world, west)
    with pytest.raises(ValidationError):
        services.statement_follow_up(access(world, "office"), west, note="Early.")


def test_open_commitments_count_days_left_and_overdue(world, publication, clock) -> None:
    west = LaggardStatement.objects.get(publication=publication, unit__code="west")
    north = LaggardStatement.objects.get(publication=publication, unit__code="north")
    accepted(world, west, commitment_date=commitment_day(west, 30))
    services.statement_submit(
        access(world, "office"),
        north,
        cause="c",
        measures="m",
        commitment="k",
        commitment_date=commitment_day(north, 90),
    )
    services.statement_accept(access(world, "office"), north)
    clock.today = commitment_day(west, 40)
    found = selectors.open_commitments(access(world, "office"))
    assert [(c.statement.unit.code, c.days_left, c.overdue) for c in found] == [
        ("west", -10, True),
        ("north", 50, False),
    ]
    assert found[0].days_overdue == 10 and found[1].days_overdue == 0
    assert len(selectors.open_commitments(access(world, "leader"))) == 2
    mine = selectors.open_commitments(access(world, "west_approver"))
    assert [c.statement.unit.code for c in mine] == ["west"]
    assert selectors.open_commitments(access(world, "east_reporter")) == []
    services.statement_follow_up(access(world, "office"), west, note="Late.", outcome="missed")
    assert [c.statement.unit.code for c in selectors.open_commitments(access(world, "office"))] == [
        "north"
    ]


def test_reading_a_statement_is_scoped(world, west) -> None:
    assert selectors.readable_statement(access(world, "leader"), west.pk) == west
    assert selectors.readable_statement(access(world, "west_approver"), west.pk) == west
    with pytest.raises(PermissionDenied):
        selectors.readable_statement(access(world, "east_reporter"), west.pk)
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.readable_statement(access(world, "stranger"), west.pk)
    with pytest.raises(Http404):
        selectors.readable_statement(access(world, "office"), west.pk, code="other")
    with pytest.raises(Http404):
        selectors.readable_statement(access(world, "office"), 99999)
    east = access(world, "east_reporter")
    assert list(selectors.readable_statements(east, west.publication.race, "2026-Q1")) == []


def _set_west_march_fai(world, value: str) -> None:
    from decimal import Decimal

    from saima.metrics.models import Observation

    figure = Observation.objects.get(
        unit=world.units["west"], indicator=world.indicators["fai"], year=2026, month=3
    )
    figure.value = Decimal(value)
    figure.save()


def test_a_republication_withdraws_and_asks_again(world, race, west) -> None:
    """A unit that is no laggard in the new version is no longer asked; asked again if a later
    version makes it one again; a new laggard is asked; the reasons follow the result."""
    office = access(world, "office")
    original = str(west.unit.observations.get(indicator__code="fai", year=2026, month=3).value)
    submit(world, west)
    _set_west_march_fai(world, "500")  # west now leads the districts, east trails
    race_publish(office, race, Q1, reason="West's March investment corrected")
    west.refresh_from_db()
    assert west.status == Status.WITHDRAWN
    assert not selectors.may_file_statement(access(world, "west_approver"), west)
    east = LaggardStatement.objects.get(unit__code="east")
    assert east.status == Status.REQUESTED and east.why == ["yellow_flag", "last_place"]
    assert east.publication.version == 2
    record = west.history.order_by("-history_id").first()
    assert record.history_user == world.user("office")
    assert record.history_change_reason == "withdrawn"

    _set_west_march_fai(world, original)  # the correction is undone: back to the first standings
    race_publish(office, race, Q1, reason="The correction was wrong")
    west.refresh_from_db()
    east.refresh_from_db()
    assert west.status == Status.REQUESTED and west.why == ["yellow_flag", "last_place"]
    assert east.status == Status.WITHDRAWN
    assert LaggardStatement.objects.count() == 3  # west, north and east: none asked twice


def test_an_accepted_commitment_stands_after_a_republication(world, race, west) -> None:
    accepted(world, west)
    _set_west_march_fai(world, "500")
    race_publish(access(world, "office"), race, Q1, reason="West's March investment corrected")
    west.refresh_from_db()
    assert west.status == Status.ACCEPTED
