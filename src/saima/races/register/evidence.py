"""Evidence of the races: a file supporting an adjustment of the register or an objection, checked
as `saima.common.evidence` checks every upload, stored in the database, and read only by those
allowed (the office and leaders; a unit's people for their unit's entries)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _

from saima.common.evidence import CheckedFile, file_response, read_upload
from saima.common.security import size_text
from saima.org.access import Access
from saima.races.models import Adjustment, Evidence, Objection


def evidence_store(access: Access, checked: CheckedFile) -> Evidence:
    """Save a checked file. Call it inside the caller's transaction, after its other checks."""
    return Evidence.objects.create(
        name=checked.name,
        content_type=checked.content_type,
        size=len(checked.data),
        sha256=checked.sha256,
        data=checked.data,
        uploaded_by_id=access.user_id,
    )


def evidence_from_upload(access: Access, uploaded_file, *, field: str = "evidence") -> Evidence:
    """Check an uploaded file and store it as Evidence (saved).

    Raises ValidationError ({field: [message]}) naming what is wrong: an empty file, one larger
    than `SAIMA_EVIDENCE_MAX_BYTES`, a kind other than PDF, PNG, JPEG, DOCX or XLSX, or a name
    that does not agree with the content. Call it inside the caller's `transaction.atomic`, after
    the caller's own checks (or use `read_upload` first and `evidence_store` later), so a refused
    request stores nothing.
    """
    if access.user_id is None:
        raise PermissionDenied(_("Sign in to upload a file."))
    return evidence_store(access, read_upload(uploaded_file, field=field))


def quota_bytes() -> int:
    """The most evidence a unit's objections and entries may keep (SAIMA_EVIDENCE_QUOTA_BYTES)."""
    return int(getattr(settings, "SAIMA_EVIDENCE_QUOTA_BYTES", 100 * 1024 * 1024))


def unit_evidence_bytes(unit_id: int) -> int:
    """The bytes of evidence kept for a unit's objections and register entries."""
    ids = set(
        Objection.objects.filter(unit_id=unit_id, evidence__isnull=False).values_list(
            "evidence_id", flat=True
        )
    )
    ids |= set(
        Adjustment.objects.filter(unit_id=unit_id, evidence__isnull=False).values_list(
            "evidence_id", flat=True
        )
    )
    return Evidence.objects.filter(pk__in=ids).aggregate(total=Sum("size"))["total"] or 0


def check_quota(unit, adding: int, *, freeing: int = 0, field: str = "evidence") -> None:
    """Refuse a file that would take the unit's evidence over its quota (ValidationError naming
    the field). Call it in the writer's transaction, with the unit's row locked."""
    quota = quota_bytes()
    used = unit_evidence_bytes(unit.pk) - freeing
    if used + adding > quota:
        raise ValidationError(
            {
                field: [
                    _(
                        "%(unit)s keeps %(used)s of evidence of the %(quota)s allowed; this file "
                        "does not fit. Ask the office to remove files no longer needed."
                    )
                    % {"unit": unit, "used": size_text(max(used, 0)), "quota": size_text(quota)}
                ]
            }
        )


def evidence_discard(evidence_id: int | None) -> None:
    """Delete a stored file that no register entry and no objection refers to any more (a file
    replaced by another is not kept). The history keeps the file's number, not its bytes."""
    if evidence_id is None:
        return
    if Adjustment.objects.filter(evidence_id=evidence_id).exists():
        return
    if Objection.objects.filter(evidence_id=evidence_id).exists():
        return
    Evidence.objects.filter(pk=evidence_id).delete()


# --- Reading -----------------------------------------------------------------------------------


def readable_evidence(access: Access, pk: int) -> Evidence:
    """The evidence file if this person may read it: the office and leaders always; a unit's
    people when it belongs to an adjustment or objection of their unit. 404 / 403 otherwise."""
    evidence = Evidence.objects.filter(pk=pk).first() if 0 < pk < 2**63 else None
    if evidence is None:
        raise Http404(_("There is no such evidence file."))
    if access.sees_everything:
        return evidence
    units = set(Adjustment.objects.filter(evidence=evidence).values_list("unit_id", flat=True))
    units |= set(Objection.objects.filter(evidence=evidence).values_list("unit_id", flat=True))
    if units & access.own_units:
        return evidence
    raise PermissionDenied(_("You may not read this evidence file."))


def evidence_response(evidence: Evidence) -> HttpResponse:
    """The evidence file as a download."""
    return file_response(
        data=bytes(evidence.data),
        name=evidence.name or f"evidence-{evidence.pk}",
        content_type=evidence.content_type,
    )
