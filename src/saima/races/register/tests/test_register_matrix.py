"""Pages of the register, evidence downloads and manual scores: every persona, every route."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from saima.org.access import Access
from saima.races.models import Adjustment, Evidence, ManualScore, Objection
from saima.races.register import services
from saima.races.register.tests.test_evidence import EXE, pdf_bytes
from saima.races.register.tests.test_register import MANUAL_RULES
from saima.races.results.services import race_publish
from saima.testing import PERSONAS, make_race


def office(world) -> Access:
    return Access.for_user(world.user("office"))


def entry_of(world, race, unit: str, *, reason: str = "an event", evidence: bool = True):
    return services.adjustment_add(
        office(world),
        race,
        unit=unit,
        category="environment",
        date="2026-02-10",
        points="-1.5",
        reason=reason,
        evidence_file=SimpleUploadedFile(f"{unit}.pdf", pdf_bytes()) if evidence else None,
    )


@pytest.fixture
def manual_race(world):
    return make_race(world, code="manual", rules=MANUAL_RULES)


def adjustments_url(race) -> str:
    return reverse("races:adjustments", args=[race.code])


def scores_url(race, period: str = "") -> str:
    url = reverse("races:manual_scores", args=[race.code])
    return f"{url}?period={period}" if period else url


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and "/login" in response["Location"]


# --- The register page -------------------------------------------------------------------------

REGISTER_READ = {
    "office": 200,
    "leader": 200,
    "east_reporter": 200,
    "west_approver": 200,
    "stranger": 404,
    "anonymous": 302,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_register_page(world, race, as_user, persona) -> None:
    entry_of(world, race, "east", reason="East accident")
    entry_of(world, race, "west", reason="West petition")
    response = as_user(persona).get(adjustments_url(race))
    assert response.status_code == REGISTER_READ[persona]
    if persona == "anonymous":
        assert is_login_redirect(response)
        return
    if response.status_code != 200:
        return
    page = response.content.decode()
    shown = {"East accident" in page, "West petition" in page}
    expected = {
        "office": (True, True),
        "leader": (True, True),
        "east_reporter": (True, False),
        "west_approver": (False, True),
    }[persona]
    assert ("East accident" in page, "West petition" in page) == expected, shown
    assert ('name="action" value="add"' in page) == (persona == "office")
    assert ('value="withdraw"' in page) == (persona == "office")
    assert "2026-Q1" in page  # the race period the events count in


def test_an_unknown_race_is_404(world, race, as_user) -> None:
    assert as_user("office").get("/races/nothing/adjustments/").status_code == 404


ADD = {
    "office": 302,
    "leader": 403,
    "east_reporter": 403,
    "west_approver": 403,
    "stranger": 404,
    "anonymous": 302,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_entering_from_the_page(world, race, as_user, persona) -> None:
    form = {
        "action": "add",
        "unit": "west",
        "category": "honours",
        "date": "2026-03-01",
        "points": "1.5",
        "reason": "Provincial model unit",
        "veto": "on",
        "evidence": SimpleUploadedFile("award.pdf", pdf_bytes()),
    }
    response = as_user(persona).post(adjustments_url(race), form)
    assert response.status_code == ADD[persona]
    if persona == "office":
        entry = Adjustment.objects.get()
        assert (entry.unit.code, entry.veto, entry.evidence.name) == ("west", True, "award.pdf")
    else:
        assert not Adjustment.objects.exists()
        assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"unit": "city"}, "Qinghe City is not in the race&#x27;s groups"),
        ({"points": "0"}, "non-zero points"),
        ({"reason": ""}, "Give the reason"),
        ({"date": "2025-06-01"}, "outside the race&#x27;s year 2026"),
        ({"evidence": SimpleUploadedFile("setup.pdf", EXE)}, "content is not one of"),
    ],
)
def test_a_refused_entry_shows_why_and_keeps_the_form(world, race, as_user, changes, words):
    form = {
        "action": "add",
        "unit": "east",
        "category": "safety",
        "date": "2026-03-01",
        "points": "-2",
        "reason": "Accident at the port",
        **changes,
    }
    response = as_user("office").post(adjustments_url(race), form)
    assert response.status_code == 400
    page = response.content.decode()
    assert words in page
    assert "Nothing was entered" in page
    assert not Adjustment.objects.exists() and not Evidence.objects.exists()


def test_a_declared_body_over_the_limit_is_refused_unread(world, race, as_user, settings) -> None:
    settings.SAIMA_EVIDENCE_MAX_BYTES = 1024
    big = SimpleUploadedFile("big.pdf", pdf_bytes() + b"0" * (100 * 1024))
    form = {"action": "add", "unit": "east", "category": "safety", "date": "2026-03-01"}
    response = as_user("office").post(adjustments_url(race), {**form, "evidence": big})
    assert response.status_code == 400
    assert "larger than 1 KB" in response.content.decode()
    assert not Adjustment.objects.exists()


WITHDRAW = ADD


@pytest.mark.parametrize("persona", PERSONAS)
def test_withdrawing_from_the_page(world, race, as_user, persona) -> None:
    entry = entry_of(world, race, "east")
    form = {"action": "withdraw", "entry": entry.pk, "reason": "Entered twice"}
    response = as_user(persona).post(adjustments_url(race), form)
    assert response.status_code == WITHDRAW[persona]
    entry.refresh_from_db()
    assert (entry.withdrawn_at is not None) == (persona == "office")


def test_withdrawing_needs_a_reason(world, race, as_user) -> None:
    entry = entry_of(world, race, "east")
    response = as_user("office").post(
        adjustments_url(race), {"action": "withdraw", "entry": entry.pk, "reason": ""}
    )
    assert response.status_code == 400
    assert "Give the reason for withdrawing" in response.content.decode()
    entry.refresh_from_db()
    assert entry.withdrawn_at is None


@pytest.mark.parametrize(
    "form", [{"action": "withdraw", "entry": "x"}, {"action": "withdraw"}, {"action": "zap"}]
)
def test_odd_posts_are_400(world, race, as_user, form) -> None:
    assert as_user("office").post(adjustments_url(race), form).status_code == 400


def test_withdrawing_an_entry_of_another_race_is_404(world, race, as_user) -> None:
    other = make_race(world, code="other")
    entry = entry_of(world, other, "east")
    response = as_user("office").post(
        adjustments_url(race), {"action": "withdraw", "entry": entry.pk, "reason": "x"}
    )
    assert response.status_code == 404


def test_filters_and_withdrawn_entries(world, race, as_user) -> None:
    entry_of(world, race, "east", reason="East accident")
    gone = entry_of(world, race, "west", reason="West petition")
    services.adjustment_withdraw(office(world), gone, "duplicate entry")
    client = as_user("office")
    page = client.get(adjustments_url(race) + "?unit=east").content.decode()
    assert "East accident" in page and "West petition" not in page
    page = client.get(adjustments_url(race) + "?category=honours").content.decode()
    assert "East accident" not in page
    page = client.get(adjustments_url(race) + "?unit=<script>&category=zz").content.decode()
    assert "East accident" in page and "duplicate entry" in page
    assert 'data-withdrawn="true"' in page


def test_the_page_lists_many_entries_in_few_queries(
    world, race, as_user, django_assert_max_num_queries
) -> None:
    for number in range(30):
        entry_of(world, race, "east" if number % 2 else "west", evidence=number % 3 == 0)
    client = as_user("office")
    client.get(adjustments_url(race))
    with django_assert_max_num_queries(30):
        assert client.get(adjustments_url(race)).status_code == 200


# --- Evidence downloads ------------------------------------------------------------------------

EVIDENCE_OF_EAST = {
    "office": 200,
    "leader": 200,
    "east_reporter": 200,
    "west_approver": 403,
    "stranger": 403,
    "anonymous": 302,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_evidence_of_an_adjustment(world, race, as_user, persona) -> None:
    entry = entry_of(world, race, "east")
    response = as_user(persona).get(reverse("races:evidence", args=[entry.evidence_id]))
    assert response.status_code == EVIDENCE_OF_EAST[persona]
    if response.status_code == 200:
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Type"] == "application/pdf"
        assert response.content == pdf_bytes()


def test_evidence_of_a_withdrawn_entry_stays_readable(world, race, as_user) -> None:
    entry = entry_of(world, race, "east")
    services.adjustment_withdraw(office(world), entry, "mistake")
    response = as_user("east_reporter").get(reverse("races:evidence", args=[entry.evidence_id]))
    assert response.status_code == 200


EVIDENCE_OF_WEST_OBJECTION = {
    "office": 200,
    "leader": 200,
    "east_reporter": 403,
    "west_approver": 200,
    "stranger": 403,
    "anonymous": 302,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_evidence_of_an_objection(world, race, as_user, persona) -> None:
    from saima.engine import parse_period
    from saima.races.register.evidence import evidence_from_upload

    publication = race_publish(office(world), race, parse_period("2026-Q1"))
    stored = evidence_from_upload(
        Access.for_user(world.user("west_approver")),
        SimpleUploadedFile("objection.pdf", pdf_bytes()),
    )
    Objection.objects.create(
        publication=publication, unit=world.units["west"], reason="PM2.5 misread", evidence=stored
    )
    response = as_user(persona).get(reverse("races:evidence", args=[stored.pk]))
    assert response.status_code == EVIDENCE_OF_WEST_OBJECTION[persona]


def test_unknown_evidence_is_404(world, as_user) -> None:
    assert as_user("office").get(reverse("races:evidence", args=[999])).status_code == 404


def test_evidence_is_read_only(world, race, as_user) -> None:
    entry = entry_of(world, race, "east")
    url = reverse("races:evidence", args=[entry.evidence_id])
    assert as_user("office").post(url).status_code == 405


# --- Manual scores page ------------------------------------------------------------------------

SCORES_READ = {
    "office": 200,
    "leader": 200,
    "east_reporter": 403,
    "west_approver": 403,
    "stranger": 404,
    "anonymous": 302,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_manual_scores_page(world, manual_race, as_user, persona) -> None:
    services.manual_scores_save(
        office(world), manual_race, "2026-Q2", [services.ScoreRow("east", "inspection", "12.5")]
    )
    response = as_user(persona).get(scores_url(manual_race, "2026-Q2"))
    assert response.status_code == SCORES_READ[persona]
    if response.status_code == 200:
        page = response.content.decode()
        assert "12.5" in page
        assert ('name="score-east-inspection"' in page) == (persona == "office")


SCORES_WRITE = {
    "office": 302,
    "leader": 403,
    "east_reporter": 403,
    "west_approver": 403,
    "stranger": 404,
    "anonymous": 302,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_saving_manual_scores_from_the_page(world, manual_race, as_user, persona) -> None:
    form = {"action": "save", "score-east-inspection": "14", "score-west-inspection": ""}
    response = as_user(persona).post(scores_url(manual_race, "2026-Q1"), form)
    assert response.status_code == SCORES_WRITE[persona]
    expected = [("east", "14.000")] if persona == "office" else []
    assert [
        (s.unit.code, str(s.points)) for s in ManualScore.objects.select_related("unit")
    ] == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_uploading_manual_scores(world, manual_race, as_user, persona) -> None:
    data = b"unit,item,points\neast,inspection,11\nnorth,inspection,4\n"
    form = {"action": "upload", "file": SimpleUploadedFile("scores.csv", data)}
    response = as_user(persona).post(scores_url(manual_race, "2026-Q1"), form)
    assert response.status_code == SCORES_WRITE[persona]
    assert ManualScore.objects.count() == (2 if persona == "office" else 0)


def test_refused_scores_show_why_and_keep_what_was_typed(world, manual_race, as_user) -> None:
    form = {"action": "save", "score-east-inspection": "99", "score-west-inspection": "3"}
    response = as_user("office").post(scores_url(manual_race, "2026-Q1"), form)
    assert response.status_code == 400
    page = response.content.decode()
    assert "99 points is outside 0–15" in page
    assert 'value="99"' in page
    assert not ManualScore.objects.exists()


def test_a_refused_upload_names_the_row(world, manual_race, as_user) -> None:
    data = b"unit,item,points\neast,inspection,11\nnorth,inspection,abc\n"
    form = {"action": "upload", "file": SimpleUploadedFile("scores.csv", data)}
    response = as_user("office").post(scores_url(manual_race, "2026-Q1"), form)
    assert response.status_code == 400
    assert "scores.csv, row 3, column points" in response.content.decode()
    assert not ManualScore.objects.exists()


@pytest.mark.parametrize("period", ["2026-05", "2025-Q1", "nonsense", "2026-Q1&period=2026-Q2"])
def test_a_period_that_is_not_the_races_is_400(world, manual_race, as_user, period) -> None:
    response = as_user("office").get(scores_url(manual_race) + "?period=" + period)
    assert response.status_code in (200, 400)
    if period != "2026-Q1&period=2026-Q2":
        assert response.status_code == 400
        assert "2026-Q1, 2026-Q2" in response.content.decode()


def test_a_race_without_manual_items_says_so(world, race, as_user) -> None:
    response = as_user("office").get(scores_url(race))
    assert response.status_code == 200
    assert "This race has no manual items" in response.content.decode()


def test_huge_ids_are_not_found(world, race, as_user) -> None:
    client = as_user("office")
    assert client.get("/races/evidence/99999999999999999999999/").status_code == 404
    response = client.post(
        adjustments_url(race), {"action": "withdraw", "entry": "9" * 30, "reason": "x"}
    )
    assert response.status_code == 400
