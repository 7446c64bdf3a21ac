"""Writes after publication: laggard statements (表态发言) and objections.

Statements: each laggard unit of a published result is asked for a statement when the result is
published (`results.services.request_statements`) — cause, measures, a commitment with a date —
which the office accepts or returns; once accepted it is followed until the commitment date and
closed as fulfilled or missed.

Objections: for `race.objection_days` after publication a unit may object to its result, with a
reason and evidence; the office upholds or dismisses each, and after correcting the inputs
republishes citing the upheld objection.

Writes check who is asking, validate everything before they change anything, and keep every
change in the model's history.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from saima.common.evidence import read_upload
from saima.common.text import clean_text
from saima.engine import parse_period
from saima.org.access import Access, require_office
from saima.org.models import Unit
from saima.races.followup.selectors import objection_window_open, published_on
from saima.races.history import person_of, save_change
from saima.races.models import LaggardStatement, Objection, Publication
from saima.races.results.selectors import current_publication

#: The longest text accepted in a statement, an objection or an answer.
TEXT_MAX = 4000
#: How far after publication a commitment may be dated.
COMMITMENT_HORIZON = datetime.timedelta(days=366)


Status = LaggardStatement.Status


# --- Reads -------------------------------------------------------------------------------------


# --- Writes: statements ------------------------------------------------------------------------


def _text(errors: dict, field: str, value: str, *, required: bool = True) -> str:
    value, problem = clean_text(
        value, limit=TEXT_MAX, required=_("This field is required.") if required else None
    )
    if problem:
        errors.setdefault(field, []).append(problem)
    return value


def _locked_statement(statement: LaggardStatement) -> LaggardStatement:
    """The statement as stored now, locked until the transaction ends."""
    return (
        LaggardStatement.objects.select_for_update()
        .select_related("unit", "publication__race")
        .get(pk=statement.pk)
    )


def _status_error(statement: LaggardStatement, action: str) -> ValidationError:
    return ValidationError(
        {
            "status": [
                _("A statement that is %(status)s cannot be %(action)s.")
                % {"status": statement.get_status_display(), "action": action}
            ]
        }
    )


def statement_submit(
    access: Access,
    statement: LaggardStatement,
    *,
    cause: str,
    measures: str,
    commitment: str,
    commitment_date: datetime.date | None,
) -> LaggardStatement:
    """File a unit's statement (its reporter or approver, or the office on its behalf).

    Allowed while the statement is requested or returned. Every field is required; the
    commitment date falls after the publication and within a year of it.
    """
    if not (access.is_office or statement.unit_id in access.own_units):
        raise PermissionDenied(_("You may file statements only for your own unit."))
    with transaction.atomic():
        statement = _locked_statement(statement)
        if statement.status not in (Status.REQUESTED, Status.RETURNED):
            raise _status_error(statement, _("filed again"))
        errors: dict[str, list[str]] = {}
        cause = _text(errors, "cause", cause)
        measures = _text(errors, "measures", measures)
        commitment = _text(errors, "commitment", commitment)
        start = published_on(statement.publication)
        if not isinstance(commitment_date, datetime.date):
            errors["commitment_date"] = [_("Give the date of the commitment (YYYY-MM-DD).")]
        elif commitment_date <= start:
            errors["commitment_date"] = [
                _("The commitment date must come after the publication (%(date)s).")
                % {"date": start.isoformat()}
            ]
        elif commitment_date > start + COMMITMENT_HORIZON:
            errors["commitment_date"] = [
                _("The commitment date must be within a year of the publication (by %(date)s).")
                % {"date": (start + COMMITMENT_HORIZON).isoformat()}
            ]
        if errors:
            raise ValidationError(errors)
        statement.cause, statement.measures, statement.commitment = cause, measures, commitment
        statement.commitment_date = commitment_date
        statement.status = Status.SUBMITTED
        statement.submitted_by_id = access.user_id
        statement.submitted_at = timezone.now()
        save_change(
            statement,
            access,
            "submitted",
            [
                "cause",
                "measures",
                "commitment",
                "commitment_date",
                "status",
                "submitted_by",
                "submitted_at",
            ],
        )
    return statement


def _review(
    access: Access, statement: LaggardStatement, comment: str, *, accept: bool
) -> LaggardStatement:
    require_office(access)
    with transaction.atomic():
        statement = _locked_statement(statement)
        if statement.status != Status.SUBMITTED:
            raise _status_error(statement, _("accepted") if accept else _("returned"))
        errors: dict[str, list[str]] = {}
        comment = _text(errors, "comment", comment, required=not accept)
        if errors:
            raise ValidationError(errors)
        statement.status = Status.ACCEPTED if accept else Status.RETURNED
        statement.office_comment = comment
        statement.reviewed_by_id = access.user_id
        statement.reviewed_at = timezone.now()
        save_change(
            statement,
            access,
            "accepted" if accept else "returned",
            ["status", "office_comment", "reviewed_by", "reviewed_at"],
        )
    return statement


def statement_accept(
    access: Access, statement: LaggardStatement, *, comment: str = ""
) -> LaggardStatement:
    """Accept a submitted statement (the office); its commitment is followed from now on."""
    return _review(access, statement, comment, accept=True)


def statement_return(
    access: Access, statement: LaggardStatement, *, comment: str
) -> LaggardStatement:
    """Return a submitted statement to its unit (the office), saying what to change."""
    return _review(access, statement, comment, accept=False)


#: Outcomes of a follow-up: "" keeps following, the others close the commitment.
OUTCOMES = ("", Status.FULFILLED, Status.MISSED)


def statement_follow_up(
    access: Access, statement: LaggardStatement, *, note: str, outcome: str = ""
) -> LaggardStatement:
    """Note how an accepted commitment goes (the office), and close it as fulfilled or missed.

    A commitment may be found fulfilled at any time, but missed only after its date.
    """
    require_office(access)
    with transaction.atomic():
        statement = _locked_statement(statement)
        if statement.status != Status.ACCEPTED:
            raise _status_error(statement, _("followed up"))
        errors: dict[str, list[str]] = {}
        note = _text(errors, "note", note)
        today = timezone.localdate()
        if outcome not in OUTCOMES:
            errors["outcome"] = [_("Choose fulfilled, missed, or no outcome yet.")]
        elif outcome == Status.MISSED and today <= statement.commitment_date:
            errors["outcome"] = [
                _("The commitment is due on %(date)s: it cannot be missed before then.")
                % {"date": statement.commitment_date.isoformat()}
            ]
        if errors:
            raise ValidationError(errors)
        user = person_of(access)
        line = f"{today.isoformat()} · {user.get_username() if user else '—'}: {note}"
        statement.follow_up = f"{statement.follow_up}\n{line}".strip()
        fields = ["follow_up"]
        if outcome:
            statement.status = outcome
            fields.append("status")
        save_change(statement, access, f"follow-up {outcome}".strip(), fields)
    return statement


# --- Writes: objections ------------------------------------------------------------------------


def _evidence(access: Access, uploaded_file, unit: Unit, *, replacing=None):
    """The uploaded file as stored evidence (the evidence module checks type and size), within
    the unit's quota (counting the file it replaces as freed). Call it in a transaction with the
    unit's row locked."""
    from saima.races.register.evidence import check_quota, evidence_store

    if access.user_id is None:
        raise PermissionDenied(_("Sign in to upload a file."))
    try:
        checked = read_upload(uploaded_file)
    except ValidationError as exc:
        raise ValidationError({"evidence": exc.messages}) from None
    check_quota(unit, len(checked.data), freeing=replacing.size if replacing else 0)
    return evidence_store(access, checked)


def objections_per_result() -> int:
    """How many objections one unit may file to one period's result (all its versions)."""
    return int(getattr(settings, "SAIMA_OBJECTIONS_PER_RESULT", 5))


def _check_objection_count(publication: Publication, unit: Unit) -> None:
    limit = objections_per_result()
    filed = Objection.objects.filter(
        unit=unit, publication__race=publication.race, publication__period=publication.period
    ).count()
    if filed >= limit:
        raise ValidationError(
            {
                "reason": [
                    _(
                        "%(unit)s has filed %(count)s objections to this result, the most "
                        "allowed; add to an open one instead."
                    )
                    % {"unit": unit, "count": filed}
                ]
            }
        )


def _check_may_object(access: Access, publication: Publication, unit: Unit) -> None:
    """Refuse (403 / 400) an objection this person may not file now."""
    if access.is_office:
        raise PermissionDenied(_("The office answers objections; only a unit files them."))
    if unit.pk not in access.own_units:
        raise PermissionDenied(_("You may object only to the result of your own unit."))
    current = current_publication(publication.race, publication.period)
    if current is None or current.pk != publication.pk:
        raise ValidationError(
            {
                "publication": [
                    _(
                        "Version %(version)s has been superseded by version %(current)s: "
                        "object to the current result."
                    )
                    % {"version": publication.version, "current": current.version}
                ]
            }
        )
    if not objection_window_open(publication):
        raise ValidationError(
            {
                "publication": [
                    _("Objections to this result closed on %(date)s.")
                    % {"date": publication.objections_until.isoformat()}
                ]
            }
        )
    if unit.code not in {row["unit"] for row in publication.standings}:
        raise ValidationError(
            {"unit": [_("%(unit)s is not in this result's standings.") % {"unit": unit}]}
        )


def objection_file(
    access: Access,
    publication: Publication,
    unit: Unit,
    *,
    reason: str,
    evidence_file=None,
) -> Objection:
    """Object to a unit's published result (its reporter or approver), with a reason and
    optionally a file of evidence, while the objection window of the current version is open."""
    _check_may_object(access, publication, unit)
    errors: dict[str, list[str]] = {}
    reason = _text(errors, "reason", reason)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Unit.objects.select_for_update().filter(pk=unit.pk).first()
        _check_objection_count(publication, unit)
        evidence = _evidence(access, evidence_file, unit) if evidence_file is not None else None
        objection = Objection(
            publication=publication,
            unit=unit,
            reason=reason,
            evidence=evidence,
            filed_by_id=access.user_id,
        )
        objection._history_user = person_of(access)
        objection._change_reason = "filed"
        objection.save()
    return objection


def _locked_objection(objection: Objection) -> Objection:
    return (
        Objection.objects.select_for_update()
        .select_related("unit", "publication__race")
        .get(pk=objection.pk)
    )


def objection_attach_evidence(access: Access, objection: Objection, uploaded_file) -> Objection:
    """Attach (or replace) the evidence of an open objection, while its window is open."""
    with transaction.atomic():
        objection = _locked_objection(objection)
        _check_may_object(access, objection.publication, objection.unit)
        if objection.status != Objection.Status.OPEN:
            raise ValidationError(
                {"status": [_("The objection has been answered; its evidence is final.")]}
            )
        Unit.objects.select_for_update().filter(pk=objection.unit_id).first()
        replaced = objection.evidence
        objection.evidence = _evidence(access, uploaded_file, objection.unit, replacing=replaced)
        save_change(objection, access, "evidence", ["evidence"])
        if replaced is not None:
            from saima.races.register.evidence import evidence_discard

            evidence_discard(replaced.pk)
    return objection


ANSWERS = (Objection.Status.UPHELD, Objection.Status.DISMISSED)


def objection_answer(
    access: Access, objection: Objection, *, status: str, answer: str
) -> Objection:
    """Uphold or dismiss an open objection, with the office's answer."""
    require_office(access)
    with transaction.atomic():
        objection = _locked_objection(objection)
        if objection.status != Objection.Status.OPEN:
            raise ValidationError(
                {
                    "status": [
                        _("This objection was already answered (%(status)s).")
                        % {"status": objection.get_status_display()}
                    ]
                }
            )
        errors: dict[str, list[str]] = {}
        if status not in ANSWERS:
            errors["status"] = [_("Choose upheld or dismissed.")]
        answer = _text(errors, "answer", answer)
        if errors:
            raise ValidationError(errors)
        objection.status = status
        objection.answer = answer
        objection.answered_by_id = access.user_id
        objection.answered_at = timezone.now()
        save_change(objection, access, status, ["status", "answer", "answered_by", "answered_at"])
    return objection


def objection_republish_start(access: Access, objection: Objection, *, user, reason: str):
    """Start republishing the objection's race and period, citing the upheld objection, as a
    background job (the office; see `results.services.publish_job_start`): returns the job.

    What is refused before computing is refused at once (not the office, no reason, an objection
    not upheld or already cited); asked again before the job is done, the same job comes back.
    """
    from saima.races.results.services import publish_job_start

    require_office(access)
    errors: dict[str, list[str]] = {}
    reason = _text(errors, "reason", reason)
    if errors:
        raise ValidationError(errors)
    objection = Objection.objects.select_related("publication__race").get(pk=objection.pk)
    publication = objection.publication
    return publish_job_start(
        access,
        publication.race,
        parse_period(publication.period),
        user=user,
        reason=reason,
        objection=objection,
    )
