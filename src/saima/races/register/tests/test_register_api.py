"""The register and manual-score routes of the API: every persona, bad input, never a 500."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from saima.org.access import Access
from saima.org.tests.api_helpers import call, client_for
from saima.races.models import Adjustment, Evidence, ManualScore
from saima.races.register import services
from saima.races.register.tests.test_evidence import EXE, pdf_bytes, png_bytes
from saima.races.register.tests.test_register import MANUAL_RULES
from saima.testing import PERSONAS, make_race

BASE = "/api/races"


def office(world) -> Access:
    return Access.for_user(world.user("office"))


def entry_of(world, race, unit: str, reason: str = "an event") -> Adjustment:
    return services.adjustment_add(
        office(world),
        race,
        unit=unit,
        category="petitions",
        date="2026-05-20",
        points=-1,
        reason=reason,
    )


@pytest.fixture
def manual_race(world):
    return make_race(world, code="manual", rules=MANUAL_RULES)


GOOD = {
    "unit": "east",
    "category": "honours",
    "date": "2026-03-08",
    "points": 1.5,
    "reason": "National civilised city",
    "veto": False,
}

# --- The register ------------------------------------------------------------------------------

READ = {
    "office": 200,
    "leader": 200,
    "east_reporter": 200,
    "west_approver": 200,
    "stranger": 404,
    "anonymous": 401,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_list(world, race, persona) -> None:
    entry_of(world, race, "east", "east event")
    entry_of(world, race, "west", "west event")
    response = call(client_for(world, persona), "GET", f"{BASE}/keywork/adjustments")
    assert response.status_code == READ[persona]
    if response.status_code == 200:
        units = sorted(row["unit"] for row in response.json())
        assert (
            units
            == {
                "office": ["east", "west"],
                "leader": ["east", "west"],
                "east_reporter": ["east"],
                "west_approver": ["west"],
            }[persona]
        )
        assert response.json()[0]["counts_in"] == "2026-Q2"


def test_list_filters_and_shape(world, race) -> None:
    entry = entry_of(world, race, "east")
    services.adjustment_attach_evidence(
        office(world), entry, SimpleUploadedFile("a.png", png_bytes())
    )
    services.adjustment_withdraw(office(world), entry, "double")
    entry_of(world, race, "west")
    client = client_for(world, "leader", "token")
    rows = call(client, "GET", f"{BASE}/keywork/adjustments?unit=east").json()
    assert len(rows) == 1
    row = rows[0]
    assert (row["points"], row["withdraw_reason"], row["withdrawn_by"]) == (
        "-1",
        "double",
        "office",
    )
    assert row["evidence"]["content_type"] == "image/png"
    evidence_id = Adjustment.objects.get(pk=entry.pk).evidence_id
    assert row["evidence"]["url"] == f"/races/evidence/{evidence_id}/"
    assert call(client, "GET", f"{BASE}/keywork/adjustments?category=honours").json() == []
    assert call(client, "GET", f"{BASE}/keywork/adjustments?unit=<x>").status_code == 400


WRITE = {
    "office": 201,
    "leader": 403,
    "east_reporter": 403,
    "west_approver": 403,
    "stranger": 404,
    "anonymous": 401,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_add(world, race, persona) -> None:
    response = call(client_for(world, persona), "POST", f"{BASE}/keywork/adjustments", GOOD)
    assert response.status_code == WRITE[persona]
    assert Adjustment.objects.count() == (1 if persona == "office" else 0)
    if persona == "office":
        body = response.json()
        assert (body["unit"], body["points"], body["counts_in"]) == ("east", "1.5", "2026-Q1")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"unit": "north"}, None),  # in the race: accepted (both groups)
        ({"unit": "city"}, "unit"),
        ({"points": 0}, "points"),
        ({"points": 150}, "points"),
        ({"points": "NaN"}, "points"),
        ({"points": "many"}, "points"),
        ({"reason": ""}, "reason"),
        ({"date": "2025-12-31"}, "date"),
        ({"date": "2026-02-30"}, "date"),
        ({"category": "gossip"}, "category"),
        ({"extra": 1}, "extra"),
        ({"unit": "a/b"}, "unit"),
    ],
)
def test_add_bad_input(world, race, changes, field) -> None:
    response = call(
        client_for(world, "office"), "POST", f"{BASE}/keywork/adjustments", {**GOOD, **changes}
    )
    if field is None:
        assert response.status_code == 201
        return
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"], response.json()
    assert not Adjustment.objects.exists()


def test_add_for_a_unit_outside_the_groups_names_it(world) -> None:
    make_race(world, code="districts", groups=[world.groups["districts"]])
    response = call(
        client_for(world, "office"),
        "POST",
        f"{BASE}/districts/adjustments",
        {**GOOD, "unit": "north"},
    )
    assert response.status_code == 400
    assert response.json()["errors"]["unit"] == ["North County is not in the race's groups."]


def test_add_body_that_is_not_json(world, race) -> None:
    response = call(client_for(world, "office"), "POST", f"{BASE}/keywork/adjustments", raw=b"{")
    assert response.status_code == 400


def test_unknown_race_is_404(world, race) -> None:
    response = call(client_for(world, "office"), "GET", f"{BASE}/nothing/adjustments")
    assert response.status_code == 404


#: West's people do not see East's entries at all: 404.
UPLOAD = {
    "office": 200,
    "leader": 403,
    "east_reporter": 403,
    "west_approver": 404,
    "stranger": 404,
    "anonymous": 401,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_evidence_upload(world, race, persona) -> None:
    entry = entry_of(world, race, "east")
    client = client_for(world, persona)
    response = client.post(
        f"{BASE}/keywork/adjustments/{entry.pk}/evidence",
        {"file": SimpleUploadedFile("report.pdf", pdf_bytes())},
    )
    assert response.status_code == UPLOAD[persona]
    entry.refresh_from_db()
    assert (entry.evidence_id is not None) == (persona == "office")
    if persona == "office":
        assert response.json()["evidence"]["name"] == "report.pdf"


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("setup.pdf", EXE, "content is not one of"),
        ("photo.pdf", png_bytes(), "content is a PNG"),
        ("empty.pdf", b"", "is empty"),
        ("big.pdf", pdf_bytes() + b"0" * 4096, "larger than 2 KB"),
    ],
)
def test_evidence_upload_refused(world, race, settings, name, data, words) -> None:
    settings.SAIMA_EVIDENCE_MAX_BYTES = 2048
    entry = entry_of(world, race, "east")
    response = client_for(world, "office").post(
        f"{BASE}/keywork/adjustments/{entry.pk}/evidence", {"file": SimpleUploadedFile(name, data)}
    )
    assert response.status_code == 400
    assert words in response.json()["errors"]["evidence"][0]
    assert not Evidence.objects.exists()


def test_evidence_upload_without_a_file(world, race) -> None:
    entry = entry_of(world, race, "east")
    response = client_for(world, "office").post(f"{BASE}/keywork/adjustments/{entry.pk}/evidence")
    assert response.status_code == 400
    assert "file" in response.json()["errors"]


def test_an_entry_of_another_race_is_404(world, race) -> None:
    other = make_race(world, code="other")
    entry = entry_of(world, other, "east")
    response = call(
        client_for(world, "office"),
        "POST",
        f"{BASE}/keywork/adjustments/{entry.pk}/withdraw",
        {"reason": "x"},
    )
    assert response.status_code == 404


WITHDRAW = UPLOAD


@pytest.mark.parametrize("persona", PERSONAS)
def test_withdraw(world, race, persona) -> None:
    entry = entry_of(world, race, "east")
    response = call(
        client_for(world, persona),
        "POST",
        f"{BASE}/keywork/adjustments/{entry.pk}/withdraw",
        {"reason": "Entered twice"},
    )
    assert response.status_code == WITHDRAW[persona]
    entry.refresh_from_db()
    assert (entry.withdrawn_at is not None) == (persona == "office")


def test_withdraw_needs_a_reason_and_happens_once(world, race) -> None:
    entry = entry_of(world, race, "east")
    client = client_for(world, "office")
    url = f"{BASE}/keywork/adjustments/{entry.pk}/withdraw"
    assert call(client, "POST", url, {"reason": " "}).status_code == 400
    assert call(client, "POST", url, {"reason": "ok"}).status_code == 200
    again = call(client, "POST", url, {"reason": "again"})
    assert again.status_code == 400
    assert "already withdrawn" in again.json()["detail"]


# --- Manual scores -----------------------------------------------------------------------------

SCORES_READ = {
    "office": 200,
    "leader": 200,
    "east_reporter": 403,
    "west_approver": 403,
    "stranger": 404,
    "anonymous": 401,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_get_scores(world, manual_race, persona) -> None:
    services.manual_scores_save(
        office(world), manual_race, "2026-Q1", [services.ScoreRow("east", "inspection", 12)]
    )
    response = call(client_for(world, persona), "GET", f"{BASE}/manual/scores/2026-Q1")
    assert response.status_code == SCORES_READ[persona]
    if response.status_code == 200:
        body = response.json()
        assert body["items"] == [
            {"code": "inspection", "name": "Inspection rectification", "weight": 15.0}
        ]
        assert body["scores"] == [{"unit": "east", "item": "inspection", "points": "12"}]


SCORES_WRITE = {
    "office": 200,
    "leader": 403,
    "east_reporter": 403,
    "west_approver": 403,
    "stranger": 404,
    "anonymous": 401,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_put_scores(world, manual_race, persona) -> None:
    payload = {"scores": [{"unit": "west", "item": "inspection", "points": 7.25}]}
    response = call(client_for(world, persona), "PUT", f"{BASE}/manual/scores/2026-Q2", payload)
    assert response.status_code == SCORES_WRITE[persona]
    assert ManualScore.objects.count() == (1 if persona == "office" else 0)
    if persona == "office":
        assert response.json()["scores"] == [
            {"unit": "west", "item": "inspection", "points": "7.25"}
        ]


@pytest.mark.parametrize(
    ("period", "scores", "field"),
    [
        ("2026-05", [{"unit": "east", "item": "inspection", "points": 1}], "period"),
        ("2026-Q1", [{"unit": "city", "item": "inspection", "points": 1}], "rows"),
        ("2026-Q1", [{"unit": "east", "item": "fai", "points": 1}], "rows"),
        ("2026-Q1", [{"unit": "east", "item": "inspection", "points": 15.5}], "rows"),
        ("2026-Q1", [{"unit": "east", "item": "inspection", "points": "NaN"}], "scores"),
        (
            "2026-Q1",
            [
                {"unit": "east", "item": "inspection", "points": 1},
                {"unit": "east", "item": "inspection", "points": 2},
            ],
            "rows",
        ),
    ],
)
def test_put_scores_bad_input(world, manual_race, period, scores, field) -> None:
    response = call(
        client_for(world, "office"), "PUT", f"{BASE}/manual/scores/{period}", {"scores": scores}
    )
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not ManualScore.objects.exists()


def test_get_scores_of_a_period_not_the_races(world, manual_race) -> None:
    response = call(client_for(world, "office"), "GET", f"{BASE}/manual/scores/2026-H1")
    assert response.status_code == 400
    assert "2026-Q1" in response.json()["detail"]


def test_huge_ids_are_not_found(world, race) -> None:
    url = f"{BASE}/keywork/adjustments/{'9' * 30}/withdraw"
    response = call(client_for(world, "office"), "POST", url, {"reason": "x"})
    assert response.status_code in (400, 404)
