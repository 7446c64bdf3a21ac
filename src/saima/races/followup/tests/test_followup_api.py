"""The API of statements, follow-up and objections (/api/races): every route against every persona,
bad input, and the path from an objection to the republication citing it."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from saima.engine import parse_period
from saima.org.access import Access
from saima.races.followup import selectors, services
from saima.races.models import LaggardStatement, Objection, Publication
from saima.testing import PERSONAS

Q1 = parse_period("2026-Q1")
TODAY = datetime.date(2026, 4, 10)
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
API = "/api/races"


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


def commitment_day(statement, days: int = 60) -> datetime.date:
    return selectors.published_on(statement.publication) + datetime.timedelta(days=days)


def statement_body(statement, **changes) -> dict:
    return {
        "cause": "Two projects slipped.",
        "measures": "Weekly dispatch.",
        "commitment": "Back on schedule by June.",
        "commitment_date": commitment_day(statement).isoformat(),
        **changes,
    }


def post_json(client, url: str, body: dict | None = None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def _statement(world, publication, state: str) -> LaggardStatement:
    statement = LaggardStatement.objects.get(publication=publication, unit__code="west")
    if state in ("submitted", "accepted"):
        statement = services.statement_submit(
            office(world),
            statement,
            cause="c",
            measures="m",
            commitment="k",
            commitment_date=commitment_day(statement),
        )
    if state == "accepted":
        statement = services.statement_accept(office(world), statement)
    return statement


def _objection(world, publication, state: str = "open") -> Objection:
    objection = services.objection_file(
        Access.for_user(world.user("west_approver")),
        publication,
        world.units["west"],
        reason="Our March investment is wrong.",
    )
    if state == "upheld":
        objection = services.objection_answer(
            office(world), objection, status="upheld", answer="Right."
        )
    return objection


# --- The matrix --------------------------------------------------------------------------------

# status per persona: office, leader, east_reporter, west_approver, stranger, anonymous
READ_ALL = (200, 200, 200, 200, 404, 401)
OFFICE_ACTS = (200, 403, 403, 403, 404, 401)


def case_list_statements(world, publication, persona):
    return lambda client: client.get(f"{API}/keywork/2026-Q1/statements")


def case_submit(world, publication, persona):
    statement = _statement(world, publication, "requested")
    return lambda client: post_json(
        client, f"{API}/statements/{statement.pk}/submit", statement_body(statement)
    )


def case_accept(world, publication, persona):
    statement = _statement(world, publication, "submitted")
    return lambda client: post_json(
        client, f"{API}/statements/{statement.pk}/accept", {"comment": "Good."}
    )


def case_return(world, publication, persona):
    statement = _statement(world, publication, "submitted")
    return lambda client: post_json(
        client, f"{API}/statements/{statement.pk}/return", {"comment": "Vague."}
    )


def case_follow_up(world, publication, persona):
    statement = _statement(world, publication, "accepted")
    return lambda client: post_json(
        client, f"{API}/statements/{statement.pk}/follow-up", {"note": "On track."}
    )


def case_open_commitments(world, publication, persona):
    _statement(world, publication, "accepted")
    return lambda client: client.get(f"{API}/follow-up")


def case_list_objections(world, publication, persona):
    _objection(world, publication)
    return lambda client: client.get(f"{API}/keywork/2026-Q1/objections")


def case_file_objection(world, publication, persona):
    unit = "east" if persona == "east_reporter" else "west"
    return lambda client: post_json(
        client, f"{API}/keywork/2026-Q1/objections", {"unit": unit, "reason": "Wrong figure."}
    )


def case_evidence(world, publication, persona):
    objection = _objection(world, publication)
    return lambda client: client.post(
        f"{API}/objections/{objection.pk}/evidence",
        {"file": SimpleUploadedFile("ledger.pdf", PDF, content_type="application/pdf")},
    )


def case_answer(world, publication, persona):
    objection = _objection(world, publication)
    return lambda client: post_json(
        client,
        f"{API}/objections/{objection.pk}/answer",
        {"status": "dismissed", "answer": "The figure was right."},
    )


def case_republish(world, publication, persona):
    objection = _objection(world, publication, "upheld")
    return lambda client: post_json(
        client, f"{API}/objections/{objection.pk}/republish", {"reason": "West corrected."}
    )


MATRIX = {
    case_list_statements: READ_ALL,
    case_submit: (200, 403, 403, 200, 404, 401),
    case_accept: OFFICE_ACTS,
    case_return: OFFICE_ACTS,
    case_follow_up: OFFICE_ACTS,
    case_open_commitments: (200, 200, 200, 200, 403, 401),
    case_list_objections: READ_ALL,
    case_file_objection: (403, 403, 201, 201, 404, 401),
    case_evidence: (403, 403, 403, 200, 404, 401),
    case_answer: OFFICE_ACTS,
    case_republish: (202, 403, 403, 403, 404, 401),
}


def _states():
    return (
        list(LaggardStatement.objects.order_by("pk").values_list("status", "follow_up")),
        list(Objection.objects.order_by("pk").values_list("status", "evidence_id")),
        Publication.objects.count(),
    )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", list(MATRIX), ids=lambda case: case.__name__[5:])
def test_api_matrix(world, publication, as_user, persona, case) -> None:
    send = case(world, publication, persona)
    client = as_user(persona)
    before = _states()
    response = send(client)
    expected = MATRIX[case][PERSONAS.index(persona)]
    assert response.status_code == expected, (persona, response.content[:300])
    if expected >= 400:
        assert response.json()["detail"]
        assert _states() == before, "a refused request changed something"


# --- Contents and bad input --------------------------------------------------------------------


def test_statements_are_listed_as_each_persona_may_read_them(world, publication, as_user) -> None:
    office_rows = as_user("office").get(f"{API}/keywork/2026-Q1/statements").json()
    assert {(r["unit"], r["status"], tuple(r["why"])) for r in office_rows} == {
        ("west", "requested", ("yellow_flag", "last_place")),
        ("north", "requested", ("last_place",)),
    }
    client = as_user("west_approver")
    assert [r["unit"] for r in client.get(f"{API}/keywork/2026-Q1/statements").json()] == ["west"]


def test_statement_workflow_over_the_api(world, publication, west, as_user, clock) -> None:
    unit = as_user("west_approver")
    response = post_json(unit, f"{API}/statements/{west.pk}/submit", statement_body(west))
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    assert response.json()["submitted_by"] == "west_approver"
    client = as_user("office")
    refused = post_json(client, f"{API}/statements/{west.pk}/return", {"comment": ""})
    assert refused.status_code == 400 and "comment" in refused.json()["errors"]
    accepted = post_json(client, f"{API}/statements/{west.pk}/accept")
    assert accepted.json()["status"] == "accepted" and accepted.json()["days_left"] is not None
    clock.today = commitment_day(west) + datetime.timedelta(days=4)
    followed = client.get(f"{API}/follow-up").json()
    assert [(r["unit"], r["days_left"]) for r in followed] == [("west", -4)]
    done = post_json(
        client, f"{API}/statements/{west.pk}/follow-up", {"note": "Late.", "outcome": "missed"}
    )
    assert done.json()["status"] == "missed" and "Late." in done.json()["follow_up"]
    assert client.get(f"{API}/follow-up").json() == []


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"commitment_date": "2026-02-31"}, "commitment_date"),
        ({"commitment_date": "soon"}, "commitment_date"),
        ({"commitment_date": "2020-01-01"}, "commitment_date"),
        ({"cause": ""}, "cause"),
        ({"cause": "x" * 5000}, "cause"),
        ({"extra": 1}, "extra"),
    ],
)
def test_a_bad_statement_is_refused_by_field(
    world, publication, west, as_user, changes, field
) -> None:
    body = statement_body(west, **changes)
    response = post_json(as_user("west_approver"), f"{API}/statements/{west.pk}/submit", body)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert LaggardStatement.objects.get(pk=west.pk).status == "requested"


def test_missing_body_and_unknown_ids(world, publication, west, as_user) -> None:
    client = as_user("office")
    assert post_json(client, f"{API}/statements/{west.pk}/submit").status_code == 400
    response = client.post(
        f"{API}/statements/{west.pk}/submit", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert post_json(client, f"{API}/statements/99999/accept").status_code == 404
    # Not a key a database can hold: refused as a bad value, before any lookup.
    assert post_json(client, f"{API}/statements/{10**30}/accept").status_code == 400
    assert client.post(f"{API}/objections/{10**30}/evidence").status_code in (400, 404)
    assert post_json(client, f"{API}/objections/99999/answer", {}).status_code in (400, 404)
    assert client.get(f"{API}/keywork/2026-Q2/statements").status_code == 404
    assert client.get(f"{API}/keywork/2026-Q9/objections").status_code == 400
    assert client.get(f"{API}/nowhere/2026-Q1/objections").status_code == 404


def test_objection_refusals(world, race, publication, as_user, clock) -> None:
    client = as_user("west_approver")
    url = f"{API}/keywork/2026-Q1/objections"
    blank = post_json(client, url, {"unit": "west", "reason": "  "})
    assert blank.status_code == 400 and "reason" in blank.json()["errors"]
    unknown = post_json(client, url, {"unit": "nowhere", "reason": "x"})
    assert unknown.status_code == 400 and "unit" in unknown.json()["errors"]
    assert post_json(client, url, {"unit": "east", "reason": "x"}).status_code == 403
    clock.today = publication.objections_until + datetime.timedelta(days=1)
    closed = post_json(client, url, {"unit": "west", "reason": "x"})
    assert closed.status_code == 400 and "closed" in closed.json()["detail"]
    assert not Objection.objects.exists()


def test_bad_evidence_over_the_api(world, publication, as_user) -> None:
    objection = _objection(world, publication)
    client = as_user("west_approver")
    url = f"{API}/objections/{objection.pk}/evidence"
    response = client.post(url, {"file": SimpleUploadedFile("ledger.pdf", b"MZ\x90\x00 not a pdf")})
    assert response.status_code == 400 and "evidence" in response.json()["errors"]
    assert client.post(url, {}).status_code == 400
    assert Objection.objects.get(pk=objection.pk).evidence_id is None


def test_objection_to_republication_over_the_api(world, race, publication, as_user) -> None:
    v1 = list(publication.standings)
    unit = as_user("west_approver")
    filed = post_json(
        unit, f"{API}/keywork/2026-Q1/objections", {"unit": "west", "reason": "Wrong figure."}
    )
    assert filed.status_code == 201
    objection_id = filed.json()["id"]
    with_file = unit.post(
        f"{API}/objections/{objection_id}/evidence",
        {"file": SimpleUploadedFile("ledger.pdf", PDF, content_type="application/pdf")},
    )
    assert with_file.json()["evidence"]["name"] == "ledger.pdf"
    assert with_file.json()["evidence"]["url"].endswith(f"/{with_file.json()['evidence']['id']}/")
    client = as_user("office")
    early = post_json(client, f"{API}/objections/{objection_id}/republish", {"reason": "Fix"})
    assert early.status_code == 400
    no_text = post_json(client, f"{API}/objections/{objection_id}/answer", {"status": "upheld"})
    assert no_text.status_code == 400 and "answer" in no_text.json()["errors"]
    bad_status = post_json(
        client, f"{API}/objections/{objection_id}/answer", {"status": "maybe", "answer": "x"}
    )
    assert bad_status.status_code == 400 and "status" in bad_status.json()["errors"]
    upheld = post_json(
        client, f"{API}/objections/{objection_id}/answer", {"status": "upheld", "answer": "Yes."}
    )
    assert upheld.json()["status"] == "upheld"
    republished = post_json(
        client, f"{API}/objections/{objection_id}/republish", {"reason": "West corrected."}
    )
    assert republished.status_code == 202, republished.content
    job = republished.json()  # run in the request by the tests' settings: done already
    assert job["status"] == "done" and job["result"]["version"] == 2
    polled = client.get(republished["Location"]).json()
    assert polled["id"] == job["id"] and polled["result"]["version"] == 2
    assert Publication.objects.get(version=2).objection_id == objection_id
    listed = client.get(f"{API}/keywork/2026-Q1/objections").json()
    assert listed[0]["cited_by"] == [2] and listed[0]["version"] == 1
    assert Publication.objects.get(version=1).standings == v1
    unit = as_user("west_approver")  # the test client is shared: sign in again
    superseded = post_json(
        unit, f"{API}/keywork/2026-Q1/objections", {"unit": "west", "reason": "Again."}
    )
    assert superseded.status_code == 201  # against v2, the current version
    assert superseded.json()["version"] == 2


@override_settings(SAIMA_JOBS_INLINE=False)
def test_republishing_over_the_api_is_a_job_to_poll(world, publication, as_user) -> None:
    """Refusals come at once; an accepted republication is a job (asked twice while it waits:
    the same job), which a worker runs and the job's route then reports done, with the version."""
    from saima.jobs.models import Job
    from saima.jobs.worker import run_pending

    objection = _objection(world, publication, "upheld")
    url = f"{API}/objections/{objection.pk}/republish"
    client = as_user("office")
    blank = post_json(client, url, {"reason": "   "})
    assert blank.status_code == 400 and "reason" in blank.json()["errors"]
    assert not Job.objects.exists()
    first = post_json(client, url, {"reason": "West corrected."})
    second = post_json(client, url, {"reason": "West corrected."})
    assert first.status_code == second.status_code == 202
    job = first.json()
    assert second.json()["id"] == job["id"] and job["status"] == "queued"
    assert Job.objects.count() == 1 and Publication.objects.count() == 1
    assert as_user("west_approver").get(job["url"]).status_code == 403
    run_pending()
    done = as_user("office").get(first["Location"]).json()
    assert done["status"] == "done" and done["result"]["version"] == 2
    republished = Publication.objects.get(version=2)
    assert republished.objection_id == objection.pk and republished.reason == "West corrected."
    cited = post_json(client, url, {"reason": "Again."})
    assert cited.status_code == 400 and "objection" in cited.json()["errors"]
