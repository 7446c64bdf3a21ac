"""The pages of statements, follow-up and objections: every page and action against every persona,
and the forms with good and bad input."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from saima.engine import parse_period
from saima.metrics.models import Observation
from saima.org.access import Access
from saima.races.followup import selectors, services
from saima.races.models import LaggardStatement, Objection, Publication
from saima.testing import PERSONAS

Q1 = parse_period("2026-Q1")
TODAY = datetime.date(2026, 4, 10)
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


class Clock:
    today = TODAY


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    from django.utils import timezone

    clock = Clock()
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: clock.today)
    return clock


def office(world) -> Access:
    return Access.for_user(world.user("office"))


@pytest.fixture(scope="module")
def publication_day() -> datetime.date:
    """The kept publication is made on the clock's day, as the tests' own writes are."""
    return TODAY


@pytest.fixture
def west(publication):
    return LaggardStatement.objects.get(publication=publication, unit__code="west")


def commitment_day(statement, days: int = 60) -> str:
    return (
        selectors.published_on(statement.publication) + datetime.timedelta(days=days)
    ).isoformat()


def statement_form(statement, **changes) -> dict:
    return {
        "action": "submit",
        "cause": "Two projects slipped.",
        "measures": "Weekly dispatch.",
        "commitment": "Back on schedule by June.",
        "commitment_date": commitment_day(statement),
        **changes,
    }


def submitted(world, statement):
    return services.statement_submit(
        office(world),
        statement,
        cause="c",
        measures="m",
        commitment="k",
        commitment_date=datetime.date.fromisoformat(commitment_day(statement)),
    )


def west_objection(world, publication) -> Objection:
    return services.objection_file(
        Access.for_user(world.user("west_approver")),
        publication,
        world.units["west"],
        reason="Our March investment is wrong.",
    )


# --- The matrix --------------------------------------------------------------------------------

# status per persona: office, leader, east_reporter, west_approver, stranger, anonymous
READ_ALL = (200, 200, 200, 200, 404, 302)
READ_WEST = (200, 200, 403, 200, 404, 302)
OFFICE_ACTS = (302, 403, 403, 403, 404, 302)


def _statement_url(world, publication, state: str):
    statement = LaggardStatement.objects.get(publication=publication, unit__code="west")
    if state in ("submitted", "accepted"):
        statement = submitted(world, statement)
    if state == "accepted":
        services.statement_accept(office(world), statement)
    return reverse("races:statement", args=["keywork", statement.pk]), statement


def _objection_url(world, publication, state: str = "open"):
    objection = west_objection(world, publication)
    if state == "upheld":
        services.objection_answer(office(world), objection, status="upheld", answer="Right.")
    return reverse("races:objection", args=[objection.pk]), objection


def case_statements(world, publication, persona):
    return "get", reverse("races:statements", args=["keywork", "2026-Q1"]), None


def case_statement(world, publication, persona):
    return "get", _statement_url(world, publication, "requested")[0], None


def case_statement_submit(world, publication, persona):
    url, statement = _statement_url(world, publication, "requested")
    return "post", url, statement_form(statement)


def case_statement_accept(world, publication, persona):
    return "post", _statement_url(world, publication, "submitted")[0], {"action": "accept"}


def case_statement_return(world, publication, persona):
    url = _statement_url(world, publication, "submitted")[0]
    return "post", url, {"action": "return", "comment": "Be precise."}


def case_statement_follow_up(world, publication, persona):
    url = _statement_url(world, publication, "accepted")[0]
    return "post", url, {"action": "follow_up", "note": "On track.", "outcome": ""}


def case_follow_up(world, publication, persona):
    return "get", reverse("races:follow_up"), None


def case_objections(world, publication, persona):
    return "get", reverse("races:objections", args=["keywork", "2026-Q1"]), None


def case_objection_file(world, publication, persona):
    unit = "east" if persona == "east_reporter" else "west"
    url = reverse("races:objections", args=["keywork", "2026-Q1"])
    return "post", url, {"unit": unit, "reason": "The figure is wrong."}


def case_objection(world, publication, persona):
    return "get", _objection_url(world, publication)[0], None


def case_objection_answer(world, publication, persona):
    url = _objection_url(world, publication)[0]
    return "post", url, {"action": "answer", "status": "upheld", "answer": "Agreed."}


def case_objection_republish(world, publication, persona):
    url = _objection_url(world, publication, "upheld")[0]
    return "post", url, {"action": "republish", "reason": "West corrected."}


def case_objection_evidence(world, publication, persona):
    url = _objection_url(world, publication)[0]
    return "post", url, {"action": "evidence", "evidence": SimpleUploadedFile("a.pdf", PDF)}


MATRIX = {
    case_statements: READ_ALL,
    case_statement: READ_WEST,
    case_statement_submit: (302, 403, 403, 302, 404, 302),
    case_statement_accept: OFFICE_ACTS,
    case_statement_return: OFFICE_ACTS,
    case_statement_follow_up: OFFICE_ACTS,
    case_follow_up: (200, 200, 200, 200, 403, 302),
    case_objections: READ_ALL,
    case_objection_file: (403, 403, 302, 302, 404, 302),
    case_objection: READ_WEST,
    case_objection_answer: OFFICE_ACTS,
    case_objection_republish: OFFICE_ACTS,
    case_objection_evidence: (403, 403, 403, 302, 404, 302),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", list(MATRIX), ids=lambda case: case.__name__[5:])
def test_page_matrix(world, publication, as_user, persona, case) -> None:
    method, url, data = case(world, publication, persona)
    client = as_user(persona)
    states = _states()
    response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
    expected = MATRIX[case][PERSONAS.index(persona)]
    assert response.status_code == expected, (persona, url, response.content[:300])
    if persona == "anonymous":
        assert "/login" in response["Location"] or "login" in response["Location"]
    if expected != 302 or persona == "anonymous":
        assert _states() == states, "a refused request changed something"


def _states():
    return (
        list(LaggardStatement.objects.order_by("pk").values_list("status", "follow_up")),
        list(Objection.objects.order_by("pk").values_list("status", "evidence_id")),
        Publication.objects.count(),
    )


# --- Statements pages --------------------------------------------------------------------------


def test_the_office_sees_every_statement_and_reviews_from_the_list(
    world, publication, west, as_user
) -> None:
    submitted(world, west)
    page = as_user("office").get(reverse("races:statements", args=["keywork", "2026-Q1"]))
    text = page.content.decode()
    assert 'data-unit="west"' in text and 'data-unit="north"' in text
    assert 'value="accept"' in text and 'value="return"' in text
    response = as_user("office").post(
        reverse("races:statement", args=["keywork", west.pk]), {"action": "accept", "back": "list"}
    )
    assert response["Location"] == reverse("races:statements", args=["keywork", "2026-Q1"])
    assert LaggardStatement.objects.get(pk=west.pk).status == "accepted"


def test_a_unit_sees_and_files_only_its_own(world, publication, west, as_user) -> None:
    client = as_user("west_approver")
    text = client.get(reverse("races:statements", args=["keywork", "2026-Q1"])).content.decode()
    assert 'data-unit="west"' in text and 'data-unit="north"' not in text
    assert "File the statement" in text and 'value="accept"' not in text
    detail = client.get(reverse("races:statement", args=["keywork", west.pk])).content.decode()
    assert 'name="commitment_date"' in detail and 'value="accept"' not in detail
    response = client.post(
        reverse("races:statement", args=["keywork", west.pk]), statement_form(west)
    )
    assert response.status_code == 302
    assert LaggardStatement.objects.get(pk=west.pk).status == "submitted"
    east = as_user("east_reporter")
    text = east.get(reverse("races:statements", args=["keywork", "2026-Q1"])).content.decode()
    assert "No statement is asked of your unit" in text


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"commitment_date": "2026-02-31"}, "commitment_date"),
        ({"commitment_date": "next spring"}, "commitment_date"),
        ({"commitment_date": ""}, "commitment_date"),
        ({"cause": ""}, "cause"),
        ({"measures": " "}, "measures"),
    ],
)
def test_a_bad_statement_is_shown_back_and_nothing_saved(
    world, publication, west, as_user, changes, field
) -> None:
    form = statement_form(west, **changes)
    response = as_user("west_approver").post(
        reverse("races:statement", args=["keywork", west.pk]), form
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert f'data-field="{field}"' in text
    assert "Back on schedule by June." in text  # what was typed is kept
    assert LaggardStatement.objects.get(pk=west.pk).status == "requested"


def test_a_return_without_a_comment_is_refused(world, publication, west, as_user) -> None:
    submitted(world, west)
    response = as_user("office").post(
        reverse("races:statement", args=["keywork", west.pk]), {"action": "return", "comment": ""}
    )
    assert response.status_code == 400
    assert LaggardStatement.objects.get(pk=west.pk).status == "submitted"


def test_unknown_actions_periods_and_codes(world, publication, west, as_user) -> None:
    client = as_user("office")
    url = reverse("races:statement", args=["keywork", west.pk])
    assert client.post(url, {"action": "delete"}).status_code == 400
    assert client.get(reverse("races:statement", args=["other", west.pk])).status_code == 404
    assert client.get(reverse("races:statement", args=["keywork", 99999])).status_code == 404
    assert client.get(reverse("races:statements", args=["keywork", "2026-Q9"])).status_code == 400
    assert client.get(reverse("races:statements", args=["keywork", "2025-Q1"])).status_code == 400
    assert client.get(reverse("races:statements", args=["keywork", "2026-Q2"])).status_code == 404
    assert client.get(reverse("races:objections", args=["keywork", "nonsense"])).status_code == 400
    assert client.get(reverse("races:objection", args=[99999])).status_code == 404
    assert client.get(reverse("races:objection", args=[10**30])).status_code == 404
    assert client.get(reverse("races:statement", args=["keywork", 10**30])).status_code == 404


def test_the_follow_up_page_counts_days(world, publication, west, as_user, clock) -> None:
    submitted(world, west)
    services.statement_accept(office(world), west)
    statement = LaggardStatement.objects.get(pk=west.pk)
    clock.today = statement.commitment_date + datetime.timedelta(days=3)
    text = as_user("office").get(reverse("races:follow_up")).content.decode()
    assert 'data-days-left="-3"' in text and 'data-overdue="true"' in text
    assert "3 days overdue" in text
    clock.today = statement.commitment_date - datetime.timedelta(days=5)
    text = as_user("leader").get(reverse("races:follow_up")).content.decode()
    assert "5 days left" in text
    text = as_user("east_reporter").get(reverse("races:follow_up")).content.decode()
    assert "No open commitments." in text
    detail = as_user("office").get(reverse("races:statement", args=["keywork", west.pk]))
    assert 'value="follow_up"' in detail.content.decode()


# --- Objections pages --------------------------------------------------------------------------


def test_the_filing_form_shows_while_the_window_is_open(world, publication, as_user, clock) -> None:
    url = reverse("races:objections", args=["keywork", "2026-Q1"])
    text = as_user("west_approver").get(url).content.decode()
    assert 'enctype="multipart/form-data"' in text and "2026-04-17" in text
    assert 'value="west"' in text and 'value="east"' not in text
    assert 'name="reason"' not in as_user("office").get(url).content.decode()
    clock.today = datetime.date(2026, 4, 18)
    text = as_user("west_approver").get(url).content.decode()
    assert 'name="reason"' not in text and "closed on 2026-04-17" in text
    response = as_user("west_approver").post(url, {"unit": "west", "reason": "Too late?"})
    assert response.status_code == 400 and "closed" in response.content.decode()
    assert not Objection.objects.exists()


def test_an_objection_with_evidence_through_the_page(world, publication, as_user) -> None:
    url = reverse("races:objections", args=["keywork", "2026-Q1"])
    client = as_user("west_approver")
    response = client.post(
        url,
        {"unit": "west", "reason": "See the ledger.", "evidence": SimpleUploadedFile("l.pdf", PDF)},
    )
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert response["Location"] == reverse("races:objection", args=[objection.pk])
    assert bytes(objection.evidence.data) == PDF
    text = client.get(response["Location"]).content.decode()
    assert "l.pdf" in text and "See the ledger." in text


@pytest.mark.parametrize(
    "form, field",
    [
        ({"unit": "west", "reason": ""}, "reason"),
        ({"unit": "nowhere", "reason": "x"}, "unit"),
        ({"unit": "west", "reason": "x", "evidence": ("a.pdf", b"MZ\x90\x00fake")}, "evidence"),
        ({"unit": "west", "reason": "x", "evidence": ("a.exe", b"MZ\x90\x00fake")}, "evidence"),
        ({"unit": "west", "reason": "x", "evidence": ("a.pdf", b"")}, "evidence"),
    ],
)
def test_a_bad_objection_is_refused_by_field(world, publication, as_user, form, field) -> None:
    data = dict(form)
    if "evidence" in data:
        name, content = data["evidence"]
        data["evidence"] = SimpleUploadedFile(name, content)
    url = reverse("races:objections", args=["keywork", "2026-Q1"])
    response = as_user("west_approver").post(url, data)
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.content.decode()
    assert not Objection.objects.exists()


def test_uphold_and_republish_through_the_pages(world, race, publication, as_user) -> None:
    v1_standings = list(publication.standings)
    objection = west_objection(world, publication)
    url = reverse("races:objection", args=[objection.pk])
    client = as_user("office")
    text = client.get(url).content.decode()
    assert 'value="answer"' in text and 'value="republish"' not in text
    bad = client.post(url, {"action": "answer", "status": "upheld", "answer": ""})
    assert bad.status_code == 400
    assert (
        client.post(
            url, {"action": "answer", "status": "upheld", "answer": "Entered wrongly."}
        ).status_code
        == 302
    )
    text = client.get(url).content.decode()
    assert 'value="republish"' in text and "Correct the inputs first" in text
    figure = Observation.objects.get(
        unit=world.units["west"], indicator=world.indicators["fai"], year=2026, month=3
    )
    figure.value = Decimal("42")
    figure.save()
    response = client.post(url, {"action": "republish", "reason": "West's March FAI corrected"})
    assert response.status_code == 302 and "?job=" in response["Location"]
    # The page it returns to shows the publishing job's outcome, with the way to the result.
    shown = client.get(response["Location"]).content.decode()
    assert "Published 2026-Q1, version 2." in shown
    v2 = Publication.objects.get(version=2)
    assert v2.objection_id == objection.pk
    assert Publication.objects.get(version=1).standings == v1_standings
    text = client.get(url).content.decode()
    assert 'data-republished="2"' in text and 'value="republish"' not in text
    listing = client.get(reverse("races:objections", args=["keywork", "2026-Q1"]))
    assert f'data-cites="{objection.pk}"' in listing.content.decode()
    again = client.post(url, {"action": "republish", "reason": "Again"})
    assert again.status_code == 400 and Publication.objects.count() == 2
    unit_view = as_user("west_approver").get(url).content.decode()
    assert "Entered wrongly." in unit_view and 'value="answer"' not in unit_view
