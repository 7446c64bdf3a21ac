"""Objections: filed by a unit while the window is open, answered by the office, an upheld one
cited by the republication."""

from __future__ import annotations

import copy
import datetime
import struct
import zlib
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from saima.engine import parse_period
from saima.metrics.models import Observation
from saima.org.access import Access
from saima.org.models import Role
from saima.org.services import user_create
from saima.races.followup import selectors, services
from saima.races.models import Evidence, Objection, Publication
from saima.races.results.services import race_publish

Q1 = parse_period("2026-Q1")
TODAY = datetime.date(2026, 4, 10)

#: A real, minimal PDF document.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def png_bytes() -> bytes:
    """A real 1×1 PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


class Clock:
    today = TODAY


@pytest.fixture(autouse=True)
def clock(monkeypatch):
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


def file_west(world, publication, **changes) -> Objection:
    fields = {"reason": "Our March investment was entered as 24 instead of 42.", **changes}
    return services.objection_file(
        access(world, "west_approver"), publication, world.units["west"], **fields
    )


# --- Filing ------------------------------------------------------------------------------------


def test_a_unit_objects_to_its_result(world, publication) -> None:
    objection = file_west(world, publication)
    assert objection.status == Objection.Status.OPEN
    assert objection.filed_by == world.user("west_approver")
    assert objection.publication == publication and objection.evidence is None
    record = objection.history.get()
    assert record.history_user == world.user("west_approver")
    east = services.objection_file(
        access(world, "east_reporter"),
        publication,
        world.units["east"],
        reason="A bonus is missing.",
    )
    assert east.unit.code == "east"


def test_an_objection_with_real_evidence(world, publication) -> None:
    objection = file_west(
        world,
        publication,
        evidence_file=SimpleUploadedFile("ledger.pdf", PDF, content_type="application/pdf"),
    )
    assert objection.evidence.name == "ledger.pdf"
    assert bytes(objection.evidence.data) == PDF
    replaced = services.objection_attach_evidence(
        access(world, "west_approver"),
        objection,
        SimpleUploadedFile("photo.png", png_bytes(), content_type="image/png"),
    )
    assert replaced.evidence.content_type == "image/png"


def test_a_bad_evidence_file_stores_nothing(world, publication) -> None:
    fake = SimpleUploadedFile("ledger.pdf", b"MZ\x90\x00" + b"\x00" * 64)
    with pytest.raises(ValidationError) as refused:
        file_west(world, publication, evidence_file=fake)
    assert "evidence" in refused.value.message_dict
    assert not Objection.objects.exists() and not Evidence.objects.exists()


@pytest.mark.parametrize("persona", ["office", "leader", "east_reporter", "stranger", "anonymous"])
def test_only_the_units_people_object_for_it(world, publication, persona) -> None:
    with pytest.raises(PermissionDenied):
        services.objection_file(
            access(world, persona), publication, world.units["west"], reason="Not fair."
        )
    assert not Objection.objects.exists()


def test_a_reason_is_required(world, publication) -> None:
    with pytest.raises(ValidationError) as refused:
        file_west(world, publication, reason="  ")
    assert list(refused.value.message_dict) == ["reason"]
    with pytest.raises(ValidationError):
        file_west(world, publication, reason="x" * (services.TEXT_MAX + 1))
    assert not Objection.objects.exists()


def test_the_window_closes(world, publication, clock) -> None:
    assert publication.objections_until == TODAY + datetime.timedelta(days=7)
    clock.today = publication.objections_until
    file_west(world, publication)
    clock.today = publication.objections_until + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        file_west(world, publication)
    assert "closed" in str(refused.value)
    assert Objection.objects.count() == 1
    assert selectors.objecting_units(access(world, "west_approver"), publication) == []


def test_a_superseded_version_takes_no_objection(world, race, publication) -> None:
    race_publish(access(world, "office"), race, Q1, reason="A figure corrected")
    with pytest.raises(ValidationError) as refused:
        file_west(world, publication)
    assert "superseded" in str(refused.value)
    assert not Objection.objects.exists()
    assert selectors.objecting_units(access(world, "west_approver"), publication) == []


def test_a_unit_outside_the_standings_cannot_object(world, publication) -> None:
    city_reporter = user_create(
        username="city_reporter", password="x" * 20, roles=[(Role.REPORTER, world.units["city"])]
    )
    with pytest.raises(ValidationError) as refused:
        services.objection_file(
            Access.for_user(city_reporter), publication, world.units["city"], reason="Rank us."
        )
    assert "unit" in refused.value.message_dict


def test_objecting_units(world, publication) -> None:
    assert selectors.objecting_units(access(world, "west_approver"), publication) == [
        world.units["west"]
    ]
    assert selectors.objecting_units(access(world, "office"), publication) == []
    assert selectors.objecting_units(access(world, "leader"), publication) == []


# --- Answers -----------------------------------------------------------------------------------


def test_the_office_answers_an_objection(world, publication) -> None:
    objection = file_west(world, publication)
    done = services.objection_answer(
        access(world, "office"), objection, status="dismissed", answer="The figure was right."
    )
    assert done.status == Objection.Status.DISMISSED and done.answered_by == world.user("office")
    with pytest.raises(ValidationError):
        services.objection_answer(access(world, "office"), objection, status="upheld", answer="No")
    with pytest.raises(ValidationError):
        services.objection_attach_evidence(
            access(world, "west_approver"), objection, SimpleUploadedFile("late.pdf", PDF)
        )


def test_an_answer_needs_text_and_a_verdict(world, publication) -> None:
    objection = file_west(world, publication)
    with pytest.raises(ValidationError) as refused:
        services.objection_answer(access(world, "office"), objection, status="maybe", answer=" ")
    assert set(refused.value.message_dict) == {"status", "answer"}
    assert Objection.objects.get(pk=objection.pk).status == Objection.Status.OPEN


@pytest.mark.parametrize("persona", ["leader", "east_reporter", "west_approver", "stranger"])
def test_only_the_office_answers(world, publication, persona) -> None:
    objection = file_west(world, publication)
    with pytest.raises(PermissionDenied):
        services.objection_answer(access(world, persona), objection, status="upheld", answer="Yes")
    assert Objection.objects.get(pk=objection.pk).status == Objection.Status.OPEN


def test_reading_objections_is_scoped(world, publication) -> None:
    objection = file_west(world, publication)
    race = publication.race
    assert list(selectors.readable_objections(access(world, "leader"), race, "2026-Q1")) == [
        objection
    ]
    assert (
        list(selectors.readable_objections(access(world, "east_reporter"), race, "2026-Q1")) == []
    )
    with pytest.raises(PermissionDenied):
        selectors.readable_objection(access(world, "east_reporter"), objection.pk)
    with pytest.raises(Http404):
        selectors.readable_objection(access(world, "stranger"), objection.pk)


# --- Republication -----------------------------------------------------------------------------


def republish(world, persona: str, objection: Objection, reason: str) -> Publication:
    """Republish citing the objection as the pages and the API do: through a publishing job (run
    at once in the tests), refusals known before computing raised when it is started."""
    user = world.user(persona)
    job = services.objection_republish_start(
        access(world, persona), objection, user=user, reason=reason
    )
    job.refresh_from_db()
    assert job.status == "done", job.message
    return Publication.objects.get(pk=job.data["publication"])


def test_publish_object_uphold_republish(world, race, publication) -> None:
    """publish → the unit objects → the office upholds → corrects → republishes citing it."""
    v1_before = copy.deepcopy(
        (publication.standings, publication.explanation, bytes(publication.inputs))
    )
    objection = file_west(world, publication)
    office = access(world, "office")
    with pytest.raises(ValidationError):  # not answered yet
        republish(world, "office", objection, reason="Corrected")
    services.objection_answer(office, objection, status="upheld", answer="Entered wrongly.")
    figure = Observation.objects.get(
        unit=world.units["west"], indicator=world.indicators["fai"], year=2026, month=3
    )
    figure.value = Decimal("42")
    figure.save()
    with pytest.raises(PermissionDenied):
        republish(world, "west_approver", objection, reason="Me")
    with pytest.raises(ValidationError) as refused:
        republish(world, "office", objection, reason=" ")
    assert "reason" in refused.value.message_dict
    v2 = republish(world, "office", objection, reason="West's March FAI corrected")
    assert v2.version == 2 and v2.objection == objection
    assert v2.reason == "West's March FAI corrected"
    v1 = Publication.objects.get(pk=publication.pk)
    assert (v1.standings, v1.explanation, bytes(v1.inputs)) == v1_before
    assert v1.objection is None
    assert bytes(v2.inputs) != bytes(v1.inputs)
    assert list(objection.republications.all()) == [v2]
    with pytest.raises(ValidationError) as twice:
        republish(world, "office", objection, reason="Again")
    assert "already cites" in str(twice.value)
    with pytest.raises(ValidationError) as cited:  # nor through the publish page's path
        race_publish(office, race, Q1, reason="Again", objection=objection)
    assert "already cites" in str(cited.value)
    assert Publication.objects.count() == 2


def test_a_dismissed_objection_is_not_cited(world, race, publication) -> None:
    objection = file_west(world, publication)
    services.objection_answer(access(world, "office"), objection, status="dismissed", answer="No.")
    with pytest.raises(ValidationError):
        republish(world, "office", objection, reason="Anyway")
    with pytest.raises(ValidationError):
        race_publish(access(world, "office"), race, Q1, reason="Anyway", objection=objection)
    assert Publication.objects.count() == 1
