"""Limits on what a unit may store: a replaced evidence file is deleted, the unit's evidence has a
quota, and a unit files at most a few objections to one result."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from saima.races.followup import services
from saima.races.followup.tests.test_objections import (  # noqa: F401 (fixtures)
    PDF,
    access,
    clock,
    file_west,
    publication_day,
)
from saima.races.models import Evidence, Objection
from saima.races.register.evidence import unit_evidence_bytes


def pdf(name: str = "ledger.pdf", padding: int = 0) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF + b"%" * padding, content_type="application/pdf")


def test_replaced_evidence_is_deleted(world, publication):
    objection = file_west(world, publication, evidence_file=pdf("first.pdf"))
    first = objection.evidence_id
    west = access(world, "west_approver")
    for n in range(5):
        objection = services.objection_attach_evidence(west, objection, pdf(f"v{n}.pdf"))
    assert not Evidence.objects.filter(pk=first).exists()
    assert list(Evidence.objects.values_list("name", flat=True)) == ["v4.pdf"]
    assert Objection.objects.get(pk=objection.pk).evidence.name == "v4.pdf"


def test_a_units_evidence_has_a_quota(world, publication, settings):
    settings.SAIMA_EVIDENCE_QUOTA_BYTES = 3 * 1024
    objection = file_west(world, publication, evidence_file=pdf(padding=1500))
    west = access(world, "west_approver")
    # Replacing counts the replaced file as freed.
    objection = services.objection_attach_evidence(west, objection, pdf(padding=2500))
    with pytest.raises(ValidationError) as refused:
        file_west(world, publication, evidence_file=pdf(padding=1000))
    assert "does not fit" in refused.value.message_dict["evidence"][0]
    assert Objection.objects.count() == 1  # nothing stored
    assert unit_evidence_bytes(world.units["west"].pk) == len(PDF) + 2500


def test_a_unit_files_at_most_a_few_objections_to_one_result(world, publication, settings):
    settings.SAIMA_OBJECTIONS_PER_RESULT = 2
    file_west(world, publication)
    file_west(world, publication)
    with pytest.raises(ValidationError) as refused:
        file_west(world, publication)
    assert "the most allowed" in refused.value.message_dict["reason"][0]
    assert Objection.objects.filter(unit=world.units["west"]).count() == 2
