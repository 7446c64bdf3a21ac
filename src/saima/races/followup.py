"""After publication: laggard statements (表态发言) and objections.

Statements: each laggard unit of a published result (`selectors.laggards`) is asked for a
statement — cause, measures, a commitment with a date — which the office accepts or returns; once
accepted it is followed until the commitment date and closed as fulfilled or missed.

Objections: for `race.objection_days` after publication a unit may object to its result, with a
reason and evidence; the office upholds or dismisses each, and after correcting the inputs
republishes citing the upheld objection.

Reads take an `Access` and return only what that person may see; writes check who is asking,
validate everything before they change anything, and keep every change in the model's history.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from saima.engine import parse_period
from saima.org.access import Access, require_office
from saima.org.models import Unit
from saima.org.text import clean_text
from saima.races.models import LaggardStatement, Objection, Publication, RaceDefinition
from saima.races.selectors import current_publication, laggards, visible_races

#: The longest text accepted in a statement, an objection or an answer.
TEXT_MAX = 4000
#: How far after publication a commitment may be dated.
COMMITMENT_HORIZON = datetime.timedelta(days=366)

#: Why a unit was called to account, as `selectors.laggards` names it.
REASONS = {
    "yellow_flag": gettext_lazy("yellow flag"),
    "last_place": gettext_lazy("last place of its group"),
    "red_light": gettext_lazy("red light"),
}

Status = LaggardStatement.Status

#: The change reason each write records in the history, as people read it.
ACTIONS = {
    "submitted": gettext_lazy("statement filed"),
    "accepted": gettext_lazy("accepted by the office"),
    "returned": gettext_lazy("returned by the office"),
    "follow-up": gettext_lazy("follow-up noted"),
    "follow-up fulfilled": gettext_lazy("follow-up: fulfilled"),
    "follow-up missed": gettext_lazy("follow-up: commitment missed"),
    "filed": gettext_lazy("objection filed"),
    "evidence": gettext_lazy("evidence attached"),
    "upheld": gettext_lazy("upheld by the office"),
    "dismissed": gettext_lazy("dismissed by the office"),
    "withdrawn": gettext_lazy("withdrawn: no longer a laggard in the republished result"),
    "asked again": gettext_lazy("asked again: a laggard again in the republished result"),
    "reasons": gettext_lazy("reasons updated by the republished result"),
}


def request_statements(access: Access, publication: Publication) -> list[LaggardStatement]:
    """Ask each laggard unit of a newly published result for a statement.

    A unit that already has a statement on an earlier version of the same result keeps it (the
    statement moves on with the result, its reasons brought up to date); the others get a new
    request. A statement not yet accepted whose unit is no laggard in the new version is
    withdrawn, and asked for again should a later version make the unit a laggard again. An
    accepted commitment stands: it was made, and is followed, whatever the new version says.
    """
    reasons = {row["unit"]: row["reasons"] for row in laggards(publication)}
    earlier = statements_of(publication.race, publication.period).select_for_update(of=("self",))
    for statement in earlier:
        _bring_up_to_date(access, statement, reasons.get(statement.unit.code))
    have = {statement.unit.code for statement in earlier}
    units = Unit.objects.filter(code__in=[code for code in reasons if code not in have])
    return LaggardStatement.objects.bulk_create(
        [LaggardStatement(publication=publication, unit=u, why=reasons[u.code]) for u in units]
    )


def _bring_up_to_date(access: Access, statement: LaggardStatement, why: list[str] | None) -> None:
    """A statement of an earlier version, after a republication that gives `why` (None: the unit
    is no laggard any more)."""
    if why is None:
        if statement.status in (Status.REQUESTED, Status.RETURNED, Status.SUBMITTED):
            statement.status = Status.WITHDRAWN
            _save(statement, access, "withdrawn", ["status"])
    elif statement.status == Status.WITHDRAWN:
        statement.status, statement.why = Status.REQUESTED, why
        _save(statement, access, "asked again", ["status", "why"])
    elif statement.why != why:
        statement.why = why
        _save(statement, access, "reasons", ["why"])


# --- Reads -------------------------------------------------------------------------------------


def published_on(publication: Publication) -> datetime.date:
    """The day a result was published, in the office's time zone."""
    return timezone.localtime(publication.published_at).date()


def reasons_of(statement: LaggardStatement) -> list[str]:
    """Why the unit was called to account, in the reader's language."""
    return [str(REASONS.get(code, code)) for code in statement.why]


def history_of(instance) -> list[dict]:
    """Every recorded change of a statement or objection, the latest first."""
    records = instance.history.select_related("history_user").order_by(
        "-history_date", "-history_id"
    )
    return [
        {
            "when": r.history_date,
            "who": r.history_user.get_username() if r.history_user else "—",
            "status": r.get_status_display(),
            "action": str(ACTIONS.get(r.history_change_reason or "", "")),
        }
        for r in records
    ]


#: The largest primary key a database stores: a larger number in a URL is simply not found.
_MAX_PK = 2**63 - 1


def _pk(pk: int) -> int:
    return pk if 0 < pk <= _MAX_PK else 0


def _race_visible(access: Access, race_id: int) -> bool:
    return visible_races(access).filter(pk=race_id).exists()


def statements_of(race: RaceDefinition, period: str) -> QuerySet[LaggardStatement]:
    """Every statement of a race's period, whichever version of the result asked for it."""
    return (
        LaggardStatement.objects.filter(publication__race=race, publication__period=period)
        .select_related("unit", "publication", "submitted_by", "reviewed_by")
        .order_by("unit__order", "unit__code")
    )


def readable_statements(
    access: Access, race: RaceDefinition, period: str
) -> QuerySet[LaggardStatement]:
    """The statements of a period this person may read: all for the office and leaders, a unit's
    own for its people."""
    found = statements_of(race, period)
    return found if access.sees_everything else found.filter(unit_id__in=access.own_units)


def readable_statement(access: Access, pk: int, code: str | None = None) -> LaggardStatement:
    """One statement, if this person may read it: 404 when it (or its race, for this person)
    does not exist, 403 when it is another unit's."""
    statement = (
        LaggardStatement.objects.select_related(
            "unit", "publication__race", "submitted_by", "reviewed_by"
        )
        .filter(pk=_pk(pk))
        .first()
    )
    if (
        statement is None
        or (code is not None and statement.publication.race.code != code)
        or not _race_visible(access, statement.publication.race_id)
    ):
        raise Http404(_("There is no statement %(pk)s.") % {"pk": pk})
    if not access.can_read_unit(statement.unit_id):
        raise PermissionDenied(_("You may not see the statement of another unit."))
    return statement


def may_file_statement(access: Access, statement: LaggardStatement) -> bool:
    return statement.status in (Status.REQUESTED, Status.RETURNED) and (
        access.is_office or statement.unit_id in access.own_units
    )


@dataclass(frozen=True)
class Commitment:
    """An accepted statement being followed, with the days to (or since) its commitment date."""

    statement: LaggardStatement
    days_left: int

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)


def open_commitments(access: Access) -> list[Commitment]:
    """Accepted statements not yet closed, across races, the most urgent first."""
    today = timezone.localdate()
    found = (
        LaggardStatement.objects.filter(status=Status.ACCEPTED)
        .select_related("unit", "publication__race")
        .order_by("commitment_date", "unit__order", "unit__code")
    )
    if not access.sees_everything:
        found = found.filter(unit_id__in=access.own_units)
    return [
        Commitment(statement=s, days_left=(s.commitment_date - today).days)
        for s in found
        if s.commitment_date is not None
    ]


def readable_objections(access: Access, race: RaceDefinition, period: str) -> QuerySet[Objection]:
    """Objections to any version of a race's period that this person may read."""
    found = Objection.objects.filter(
        publication__race=race, publication__period=period
    ).select_related("unit", "publication", "evidence", "filed_by", "answered_by")
    return found if access.sees_everything else found.filter(unit_id__in=access.own_units)


def readable_objection(access: Access, pk: int) -> Objection:
    """One objection, if this person may read it (404 / 403 as for statements)."""
    objection = (
        Objection.objects.select_related(
            "unit", "publication__race", "evidence", "filed_by", "answered_by"
        )
        .filter(pk=_pk(pk))
        .first()
    )
    if objection is None or not _race_visible(access, objection.publication.race_id):
        raise Http404(_("There is no objection %(pk)s.") % {"pk": pk})
    if not access.can_read_unit(objection.unit_id):
        raise PermissionDenied(_("You may not see the objection of another unit."))
    return objection


def objection_window_open(publication: Publication) -> bool:
    return timezone.localdate() <= publication.objections_until


def objecting_units(access: Access, publication: Publication) -> list[Unit]:
    """The units this person may object for on this result now (empty when they may not)."""
    if access.is_office or not objection_window_open(publication):
        return []
    current = current_publication(publication.race, publication.period)
    if current is None or current.pk != publication.pk:
        return []
    ranked = {row["unit"] for row in publication.standings}
    units = Unit.objects.filter(pk__in=access.own_units, code__in=ranked)
    return list(units.order_by("order", "code"))


# --- Writes: statements ------------------------------------------------------------------------


def _user(access: Access):
    return get_user_model().objects.filter(pk=access.user_id).first()


def _save(instance, access: Access, reason: str, fields: list[str]) -> None:
    """Save the changed fields, recording who changed them and why in the history."""
    instance._history_user = _user(access)
    instance._change_reason = reason[:100]
    instance.save(update_fields=fields)


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
        _save(
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
        _save(
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
        user = _user(access)
        line = f"{today.isoformat()} · {user.get_username() if user else '—'}: {note}"
        statement.follow_up = f"{statement.follow_up}\n{line}".strip()
        fields = ["follow_up"]
        if outcome:
            statement.status = outcome
            fields.append("status")
        _save(statement, access, f"follow-up {outcome}".strip(), fields)
    return statement


# --- Writes: objections ------------------------------------------------------------------------


def _evidence(access: Access, uploaded_file):
    """The uploaded file as stored evidence (the evidence module checks type and size)."""
    from saima.races.evidence import evidence_from_upload

    try:
        return evidence_from_upload(access, uploaded_file)
    except ValidationError as exc:
        raise ValidationError({"evidence": exc.messages}) from None


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
        evidence = _evidence(access, evidence_file) if evidence_file is not None else None
        objection = Objection(
            publication=publication,
            unit=unit,
            reason=reason,
            evidence=evidence,
            filed_by_id=access.user_id,
        )
        objection._history_user = _user(access)
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
        objection.evidence = _evidence(access, uploaded_file)
        _save(objection, access, "evidence", ["evidence"])
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
        _save(objection, access, status, ["status", "answer", "answered_by", "answered_at"])
    return objection


def objection_republish(access: Access, objection: Objection, *, reason: str) -> Publication:
    """Republish the objection's race and period, citing the upheld objection (the office).

    The office corrects the inputs (figures, adjustments) first: the new version is computed
    from the inputs as they are now.
    """
    from saima.races.services import race_publish

    require_office(access)
    with transaction.atomic():
        # Locked, so that a second click does not publish a second version citing it.
        objection = _locked_objection(objection)
        errors: dict[str, list[str]] = {}
        reason = _text(errors, "reason", reason)
        if errors:
            raise ValidationError(errors)
        publication = objection.publication
        return race_publish(
            access,
            publication.race,
            parse_period(publication.period),
            reason=reason,
            objection=objection,
        )
