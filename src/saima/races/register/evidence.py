"""Evidence of the races: a file supporting an adjustment of the register or an objection, checked
as `saima.common.evidence` checks every upload, stored in the database, and read only by those
allowed (the office and leaders; a unit's people for their unit's entries)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _

from saima.common.evidence import CheckedFile, file_response, read_upload
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
