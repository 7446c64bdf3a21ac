"""Every write of supervision items and rectification lists.

Each function checks who is asking (PermissionDenied), locks what it changes, validates everything
before it changes anything (ValidationError naming the field) and records the act in the item's
timeline (`Event`, never changed). A closed item's history is final: no feedback, extension,
return or second closure.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from saima.common.evidence import CheckedFile
from saima.common.text import clean_text
from saima.engine.errors import DataError
from saima.engine.supervision import EscalationStep, check_ladder, escalations
from saima.org.access import Access, require_office
from saima.org.models import Membership, Role, Unit
from saima.reporting.selectors import unit_emails
from saima.supervision import frames
from saima.supervision.access import is_co, is_lead
from saima.supervision.models import (
    OPEN_STATUSES,
    TRIGGER_LABELS,
    Escalation,
    Event,
    EventFile,
    Extension,
    Item,
    Level,
    Rectification,
    RectificationFile,
    RectificationList,
    Rhythm,
    Source,
    Status,
    SupervisionSettings,
)
from saima.supervision.rules import ladder, rules, today, work_calendar

TEXT_MAX = 4000
TITLE_MAX = 200
#: How far ahead a deadline may be set.
HORIZON = datetime.timedelta(days=3 * 366)
#: Most evidence files one entry may carry.
MAX_FILES = 10

Kind = Event.Kind


def _text(errors: dict, name: str, value, *, limit: int = TEXT_MAX, required: bool = True) -> str:
    text, problem = clean_text(
        value, limit=limit, required=_("This field is required.") if required else None
    )
    if problem:
        errors.setdefault(name, []).append(problem)
    return text


def _refuse(name: str, message: str) -> ValidationError:
    return ValidationError({name: [message]})


def _locked(item: Item) -> Item:
    return Item.objects.select_for_update().select_related("lead_unit").get(pk=item.pk)


def _open(item: Item, name: str = "status") -> None:
    if item.status == Status.CLOSED:
        raise _refuse(
            name, _("Item %(ref)s is closed: its history is final.") % {"ref": item.reference}
        )


def _event(item: Item, kind: str, user, *, day=None, unit=None, text: str = "") -> Event:
    return Event.objects.create(
        item=item, kind=kind, day=day or today(), unit=unit, text=text, by=user
    )


def _attach(event: Event, files: Sequence[CheckedFile]) -> None:
    EventFile.objects.bulk_create(
        EventFile(
            event=event,
            name=f.name,
            content_type=f.content_type,
            size=len(f.data),
            sha256=f.sha256,
            data=f.data,
        )
        for f in files
    )


def _check_files(files: Sequence[CheckedFile] | None, name: str = "evidence") -> list[CheckedFile]:
    files = list(files or ())
    if len(files) > MAX_FILES:
        raise _refuse(name, _("Attach at most %(count)s files.") % {"count": MAX_FILES})
    if any(not isinstance(f, CheckedFile) for f in files):
        raise _refuse(name, _("The files were not checked."))
    return files


def _date(errors: dict, name: str, value) -> datetime.date | None:
    if not isinstance(value, datetime.date):
        errors.setdefault(name, []).append(_("Give a date (YYYY-MM-DD)."))
        return None
    return value


# --- Items -------------------------------------------------------------------------------------


@dataclass
class ItemData:
    """What the office says when it assigns an item."""

    title: str
    task: str
    source: str
    lead_unit: Unit | None
    deadline: datetime.date | None
    co_units: list[Unit] = field(default_factory=list)
    leader: object | None = None
    level: str = Level.ORDINARY
    rhythm: str = Rhythm.MONTHLY
    ack_days: int | None = None
    origin: str = ""
    origin_url: str = ""


def _next_reference(day: datetime.date) -> str:
    prefix = f"DB{day.year}-"
    taken = Item.objects.filter(reference__startswith=prefix).values_list("reference", flat=True)
    numbers = [int(r.removeprefix(prefix)) for r in taken if r.removeprefix(prefix).isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def _is_leader(user) -> bool:
    return (
        user.is_active
        and Membership.objects.filter(user=user, role__in=[Role.LEADER, Role.OFFICE]).exists()
    )


@transaction.atomic
def item_create(*, access: Access, user, data: ItemData, day: datetime.date | None = None) -> Item:
    """Assign an item (the office). Refused: no lead unit, a deadline before today, a co-unit
    that is the lead unit, an unknown source, level or rhythm, an origin already followed."""
    require_office(access)
    day = day or today()
    errors: dict[str, list[str]] = {}
    title = _text(errors, "title", data.title, limit=TITLE_MAX)
    task = _text(errors, "task", data.task)
    if data.source not in Source.values:
        errors["source"] = [_("Choose the source of the item.")]
    if data.level not in Level.values:
        errors["level"] = [_("Choose the level: ordinary, key or listed.")]
    if data.rhythm not in Rhythm.values:
        errors["rhythm"] = [
            _("Choose how often the lead unit reports: weekly, every ten days or monthly.")
        ]
    if not isinstance(data.lead_unit, Unit):
        errors["lead_unit"] = [_("Choose the lead unit (牵头单位).")]
    elif not data.lead_unit.active:
        errors["lead_unit"] = [_("%(unit)s is no longer active.") % {"unit": data.lead_unit}]
    co_units = list(dict.fromkeys(data.co_units or []))
    if isinstance(data.lead_unit, Unit) and data.lead_unit in co_units:
        errors["co_units"] = [_("The lead unit cannot also be a co-unit.")]
    deadline = _date(errors, "deadline", data.deadline)
    if deadline is not None:
        if deadline < day:
            errors["deadline"] = [
                _("The deadline %(deadline)s is before today (%(today)s).")
                % {"deadline": deadline.isoformat(), "today": day.isoformat()}
            ]
        elif deadline > day + HORIZON:
            errors["deadline"] = [_("The deadline is more than three years away.")]
    if data.leader is not None and not _is_leader(data.leader):
        errors["leader"] = [_("The leader in charge must be a leader or the office.")]
    if data.ack_days is not None and not (
        isinstance(data.ack_days, int)
        and not isinstance(data.ack_days, bool)
        and 0 <= data.ack_days <= 30
    ):
        errors["ack_days"] = [_("Give the working days to acknowledge, 0 to 30.")]
    origin = (data.origin or "").strip()[:100]
    url = (data.origin_url or "").strip()[:200]
    if url and (not url.startswith("/") or url.startswith("//")):
        errors["origin_url"] = [_("Give the origin's address on this site, starting with /.")]
    if origin:
        existing = Item.objects.filter(origin=origin).first()
        if existing is not None:
            errors["origin"] = [
                _("This is already supervision item %(ref)s.") % {"ref": existing.reference}
            ]
    if errors:
        raise ValidationError(errors)
    item = Item.objects.create(
        reference=_next_reference(day),
        title=title,
        task=task,
        source=data.source,
        origin=origin,
        origin_url=url,
        lead_unit=data.lead_unit,
        leader=data.leader,
        level=data.level,
        rhythm=data.rhythm,
        assigned_on=day,
        deadline=deadline,
        ack_days=data.ack_days,
        created_by=user,
    )
    item.co_units.set(co_units)
    _event(item, Kind.ASSIGNED, user, day=day, unit=data.lead_unit, text=task)
    return item


@transaction.atomic
def item_acknowledge(*, access: Access, user, item: Item, day: datetime.date | None = None) -> Item:
    """The lead unit signs for the item (签收)."""
    if not is_lead(access, item):
        raise PermissionDenied(_("Only the lead unit acknowledges an item."))
    item = _locked(item)
    _open(item)
    if item.status != Status.ASSIGNED:
        raise _refuse("status", _("The item is already acknowledged."))
    item.status, item.acknowledged_on = Status.ACKNOWLEDGED, day or today()
    item.save(update_fields=["status", "acknowledged_on"])
    _event(item, Kind.ACKNOWLEDGED, user, day=day, unit=item.lead_unit)
    return item


def _reporting_unit(access: Access, item: Item, unit: Unit | None) -> tuple[Unit, bool]:
    """The unit a report speaks for, and whether it is the lead unit."""
    if unit is None:
        if is_lead(access, item):
            return item.lead_unit, True
        mine = item.co_units.filter(pk__in=access.own_units).first()
        if mine is None:
            raise PermissionDenied(_("Only the lead unit and the co-units report on an item."))
        return mine, False
    if unit.pk == item.lead_unit_id and is_lead(access, item):
        return unit, True
    if unit.pk in access.own_units and item.co_units.filter(pk=unit.pk).exists():
        return unit, False
    raise PermissionDenied(_("Only the lead unit and the co-units report on an item."))


@transaction.atomic
def item_feedback(
    *,
    access: Access,
    user,
    item: Item,
    text: str,
    files: Sequence[CheckedFile] = (),
    unit: Unit | None = None,
    day: datetime.date | None = None,
) -> Event:
    """A dated progress report (办理进展) of the lead unit, or a co-unit's part, with evidence."""
    if not (is_lead(access, item) or is_co(access, item)):
        raise PermissionDenied(_("Only the lead unit and the co-units report on an item."))
    unit, lead = _reporting_unit(access, item, unit)
    item = _locked(item)
    _open(item, "item")
    errors: dict[str, list[str]] = {}
    text = _text(errors, "text", text)
    if lead and item.status == Status.ASSIGNED:
        errors["status"] = [_("Acknowledge the item before reporting on it.")]
    if errors:
        raise ValidationError(errors)
    files = _check_files(files)
    event = _event(
        item, Kind.FEEDBACK if lead else Kind.CO_FEEDBACK, user, day=day, unit=unit, text=text
    )
    _attach(event, files)
    if lead and item.status == Status.ACKNOWLEDGED:
        item.status = Status.IN_PROGRESS
        item.save(update_fields=["status"])
    return event


@transaction.atomic
def item_request_closure(
    *,
    access: Access,
    user,
    item: Item,
    text: str,
    files: Sequence[CheckedFile] = (),
    day: datetime.date | None = None,
) -> Event:
    """The lead unit says the task is done and asks the office to close the item."""
    if not is_lead(access, item):
        raise PermissionDenied(_("Only the lead unit asks for an item's closure."))
    item = _locked(item)
    _open(item)
    errors: dict[str, list[str]] = {}
    text = _text(errors, "text", text)
    if item.status == Status.CLOSURE_REQUESTED:
        errors["status"] = [_("The closure is already requested.")]
    elif item.status == Status.ASSIGNED:
        errors["status"] = [_("Acknowledge the item before reporting on it.")]
    elif not item.events.filter(kind=Kind.FEEDBACK).exists():
        errors["feedback"] = [_("Report the progress at least once before asking for closure.")]
    if errors:
        raise ValidationError(errors)
    files = _check_files(files)
    event = _event(item, Kind.CLOSURE_REQUESTED, user, day=day, unit=item.lead_unit, text=text)
    _attach(event, files)
    item.status = Status.CLOSURE_REQUESTED
    item.save(update_fields=["status"])
    return event


@transaction.atomic
def item_close(
    *, access: Access, user, item: Item, note: str = "", day: datetime.date | None = None
) -> Item:
    """The office closes the item (办结) on the lead unit's request."""
    require_office(access)
    item = _locked(item)
    _open(item)
    errors: dict[str, list[str]] = {}
    note = _text(errors, "note", note, required=False)
    if not item.events.filter(kind=Kind.FEEDBACK).exists():
        errors["feedback"] = [
            _("The lead unit has reported nothing: an item is not closed without feedback.")
        ]
    elif item.status != Status.CLOSURE_REQUESTED:
        errors["status"] = [_("The lead unit has not asked for closure.")]
    if errors:
        raise ValidationError(errors)
    item.status, item.closed_on = Status.CLOSED, day or today()
    item.save(update_fields=["status", "closed_on"])
    _event(item, Kind.CLOSED, user, day=day, text=note)
    return item


@transaction.atomic
def item_return(
    *, access: Access, user, item: Item, reason: str, day: datetime.date | None = None
) -> Item:
    """The office returns a closure request (退回), saying why; the item is in progress again."""
    require_office(access)
    item = _locked(item)
    _open(item)
    errors: dict[str, list[str]] = {}
    reason = _text(errors, "reason", reason)
    if item.status != Status.CLOSURE_REQUESTED:
        errors["status"] = [_("Only a requested closure can be returned.")]
    if errors:
        raise ValidationError(errors)
    item.status = Status.IN_PROGRESS
    item.save(update_fields=["status"])
    _event(item, Kind.RETURNED, user, day=day, text=reason)
    return item


@transaction.atomic
def extension_request(
    *,
    access: Access,
    user,
    item: Item,
    new_deadline: datetime.date | None,
    reason: str,
    day: datetime.date | None = None,
) -> Extension:
    """Ask to move the deadline (the lead unit, or the office itself), with a reason."""
    if not (access.is_office or is_lead(access, item)):
        raise PermissionDenied(_("Only the lead unit or the office asks for an extension."))
    item = _locked(item)
    _open(item)
    errors: dict[str, list[str]] = {}
    reason = _text(errors, "reason", reason)
    new_deadline = _date(errors, "new_deadline", new_deadline)
    if new_deadline is not None:
        if new_deadline <= item.current_deadline:
            errors["new_deadline"] = [
                _("The new deadline must be after %(deadline)s.")
                % {"deadline": item.current_deadline.isoformat()}
            ]
        elif new_deadline > item.assigned_on + HORIZON:
            errors["new_deadline"] = [_("The deadline is more than three years away.")]
    if item.extensions.filter(decision=Extension.Decision.PENDING).exists():
        errors["status"] = [_("An extension is already waiting for the office.")]
    if errors:
        raise ValidationError(errors)
    extension = Extension.objects.create(
        item=item,
        new_deadline=new_deadline,
        reason=reason,
        requested_on=day or today(),
        requested_by=user,
    )
    _event(
        item,
        Kind.EXTENSION_REQUESTED,
        user,
        day=day,
        unit=item.lead_unit,
        text=_("to %(date)s: %(reason)s") % {"date": new_deadline.isoformat(), "reason": reason},
    )
    return extension


@transaction.atomic
def extension_decide(
    *,
    access: Access,
    user,
    extension: Extension,
    approve: bool,
    note: str = "",
    day: datetime.date | None = None,
) -> Extension:
    """The office approves or refuses an extension. The original deadline stays on the item;
    an approved extension counts for the on-time rates only if granted by that deadline."""
    require_office(access)
    extension = Extension.objects.select_for_update().get(pk=extension.pk)
    item = _locked(extension.item)
    _open(item)
    errors: dict[str, list[str]] = {}
    note = _text(errors, "note", note, required=not approve)
    if extension.decision != Extension.Decision.PENDING:
        errors["decision"] = [_("This extension is already decided.")]
    if errors:
        raise ValidationError(errors)
    day = day or today()
    extension.decision = Extension.Decision.APPROVED if approve else Extension.Decision.REFUSED
    extension.decided_on, extension.decided_by, extension.note = day, user, note
    extension.save(update_fields=["decision", "decided_on", "decided_by", "note"])
    if approve:
        item.extended_to, item.extension_granted = extension.new_deadline, day
        item.save(update_fields=["extended_to", "extension_granted"])
        text = _("to %(date)s") % {"date": extension.new_deadline.isoformat()}
        _event(item, Kind.EXTENSION_APPROVED, user, day=day, text=f"{text} {note}".strip())
    else:
        _event(item, Kind.EXTENSION_REFUSED, user, day=day, text=note)
    return extension


@transaction.atomic
def item_extend(
    *,
    access: Access,
    user,
    item: Item,
    new_deadline: datetime.date | None,
    reason: str,
    day: datetime.date | None = None,
) -> Extension:
    """The office extends an item itself: a request and its approval in one act."""
    require_office(access)
    extension = extension_request(
        access=access, user=user, item=item, new_deadline=new_deadline, reason=reason, day=day
    )
    return extension_decide(access=access, user=user, extension=extension, approve=True, day=day)


# --- Escalation --------------------------------------------------------------------------------


@dataclass(frozen=True)
class EscalationRun:
    day: datetime.date
    taken: list[Escalation]
    emails: int


def escalation_run(*, today: datetime.date | None = None, notify: bool = True) -> EscalationRun:
    """Take every step of the ladder that falls due by `today` for the open items: record it
    (once per item and step, with its date) in the item's timeline, and email the lead unit's
    people for a reminder. Running again for the same day takes nothing twice and sends no second
    email (the step's row is the proof; a unique constraint guards two runs at once).
    `notify=False` records the steps without emailing (the demo's history)."""
    from saima.supervision.rules import today as office_today

    day = today or office_today()
    items = Item.objects.filter(status__in=OPEN_STATUSES, assigned_on__lte=day)
    frame = frames.items_frame(items)
    taken = frames.taken_frame()
    due = escalations(
        frame,
        day,
        ladder=ladder(),
        taken=taken,
        calendar=work_calendar(),
        rules=rules(),
    )
    by_pk = {str(i.pk): i for i in items.select_related("lead_unit")}
    done: list[Escalation] = []
    emails = 0
    connection = get_connection()
    for row in due.iter_rows(named=True):
        if row["resolved_on"] is not None:  # the late act has come since: nothing to chase
            continue
        step = _take(by_pk[row["item"]], row, day, connection if notify else None)
        if step is not None:
            done.append(step)
            emails += bool(step.recipients)
    return EscalationRun(day=day, taken=done, emails=emails)


def _take(item: Item, row: dict, day: datetime.date, connection) -> Escalation | None:
    reminds = connection is not None and row["action"] == "reminder"
    recipients = unit_emails(item.lead_unit) if reminds else []
    try:
        with transaction.atomic():
            step = Escalation.objects.create(
                item=item,
                step=row["step"],
                action=row["action"],
                trigger=row["trigger"],
                due=row["due"],
                since=row["since"],
                taken_on=day,
                recipients=recipients,
            )
            _event(
                item,
                Kind.ESCALATED,
                None,
                day=day,
                unit=item.lead_unit,
                text=f"{row['step']}:{row['action']}",
            )
            if recipients:
                subject, body = reminder_text(item, step)
                EmailMessage(subject, body, to=recipients, connection=connection).send()
    except IntegrityError:  # another run took it first
        return None
    return step


def reminder_text(item: Item, step: Escalation) -> tuple[str, str]:
    values = {
        "ref": item.reference,
        "title": item.title,
        "unit": item.lead_unit,
        "due": step.due.isoformat(),
        "what": str(TRIGGER_LABELS.get(step.trigger, step.trigger)),
    }
    subject = _("[Saima] Reminder: supervision item %(ref)s, %(what)s due on %(due)s") % values
    body = (
        _(
            "Supervision item %(ref)s “%(title)s”, led by %(unit)s: the %(what)s was due on "
            "%(due)s and has not come. Please see to it as soon as possible."
        )
        % values
    )
    return subject, body


# --- Settings ----------------------------------------------------------------------------------


@transaction.atomic
def settings_save(
    *,
    access: Access,
    user,
    ack_working_days: int,
    closure: str,
    continuing: str,
    decimals: int,
    ladder_steps: list[dict],
) -> SupervisionSettings:
    """The office's supervision settings, the ladder checked by the engine."""
    require_office(access)
    settings = SupervisionSettings.objects.select_for_update().order_by("pk").first()
    settings = settings or SupervisionSettings()
    errors: dict[str, list[str]] = {}
    if not (isinstance(ack_working_days, int) and 0 <= ack_working_days <= 30):
        errors["ack_working_days"] = [_("Give the working days to acknowledge, 0 to 30.")]
    if closure not in SupervisionSettings.Closure.values:
        errors["closure"] = [_("Choose what closes an item in time.")]
    if continuing not in SupervisionSettings.Continuing.values:
        errors["continuing"] = [_("Choose how continuing rectification counts.")]
    if not (isinstance(decimals, int) and 0 <= decimals <= 3):
        errors["decimals"] = [_("Give the decimals, 0 to 3.")]
    try:
        steps = [
            EscalationStep(
                code=str(s["code"]),
                trigger=s["trigger"],
                delay=s["delay"],
                action=str(s.get("action", "reminder")),
                working_days=bool(s.get("working_days", False)),
            )
            for s in ladder_steps
        ]
        check_ladder(steps)
    except (KeyError, TypeError):
        errors["ladder"] = [_("Each step needs a code, a trigger and a delay.")]
    except DataError as exc:
        errors["ladder"] = [str(d) for d in exc.details] or [str(exc)]
    if errors:
        raise ValidationError(errors)
    settings.ack_working_days, settings.closure = ack_working_days, closure
    settings.continuing, settings.decimals = continuing, decimals
    settings.ladder = [dict(s) for s in ladder_steps]
    settings.updated_by = user
    settings._history_user = user
    settings.save()
    return settings


# --- Rectification -----------------------------------------------------------------------------


@transaction.atomic
def rectification_list_create(
    *,
    access: Access,
    user,
    title: str,
    source: str,
    reference: str = "",
    day: datetime.date | None = None,
) -> RectificationList:
    require_office(access)
    errors: dict[str, list[str]] = {}
    title = _text(errors, "title", title, limit=TITLE_MAX)
    reference = _text(errors, "reference", reference, limit=100, required=False)
    if source not in RectificationList.Source.values:
        errors["source"] = [_("Choose the source: an inspection, an audit, a race or other.")]
    if errors:
        raise ValidationError(errors)
    return RectificationList.objects.create(
        title=title, source=source, reference=reference, created_on=day or today(), created_by=user
    )


@transaction.atomic
def rectification_add(
    *,
    access: Access,
    user,
    rectification_list: RectificationList,
    problem: str,
    measure: str,
    unit: Unit | None,
    deadline: datetime.date | None,
) -> Rectification:
    """A problem of the list with its measure, responsible unit and deadline (the office)."""
    require_office(access)
    errors: dict[str, list[str]] = {}
    problem = _text(errors, "problem", problem)
    measure = _text(errors, "measure", measure)
    if not isinstance(unit, Unit):
        errors["unit"] = [_("Choose the responsible unit.")]
    deadline = _date(errors, "deadline", deadline)
    if errors:
        raise ValidationError(errors)
    entry = Rectification(
        rectification_list=rectification_list,
        problem=problem,
        measure=measure,
        unit=unit,
        deadline=deadline,
    )
    entry._history_user = user
    entry.save()
    return entry


@transaction.atomic
def rectification_report(
    *,
    access: Access,
    user,
    rectification: Rectification,
    status: str,
    progress: str,
    files: Sequence[CheckedFile] = (),
    day: datetime.date | None = None,
) -> Rectification:
    """The responsible unit says where the rectification stands, with evidence. A unit's
    "rectified" counts once the office has verified it."""
    if not (access.is_office or rectification.unit_id in access.own_units):
        raise PermissionDenied(_("Only the responsible unit reports on a rectification."))
    entry = Rectification.objects.select_for_update().get(pk=rectification.pk)
    errors: dict[str, list[str]] = {}
    progress = _text(errors, "progress", progress)
    if status not in Rectification.Status.values:
        errors["status"] = [
            _("Choose the status: rectifying, rectified, continuing or basically done.")
        ]
    if entry.verified_on is not None:
        errors["status"] = [_("The office has verified this rectification: it is final.")]
    if errors:
        raise ValidationError(errors)
    files = _check_files(files)
    entry.status, entry.progress, entry.reported_on = status, progress, day or today()
    entry._history_user = user
    entry.save()
    RectificationFile.objects.bulk_create(
        RectificationFile(
            rectification=entry,
            name=f.name,
            content_type=f.content_type,
            size=len(f.data),
            sha256=f.sha256,
            data=f.data,
            uploaded_by=user,
        )
        for f in files
    )
    return entry


@transaction.atomic
def rectification_verify(
    *,
    access: Access,
    user,
    rectification: Rectification,
    accept: bool,
    note: str = "",
    day: datetime.date | None = None,
) -> Rectification:
    """The office verifies a rectification the unit reports as rectified, or sends it back to
    rectifying with a reason."""
    require_office(access)
    entry = Rectification.objects.select_for_update().get(pk=rectification.pk)
    errors: dict[str, list[str]] = {}
    note = _text(errors, "verification", note, required=not accept)
    if entry.verified_on is not None:
        errors["status"] = [_("The office has verified this rectification: it is final.")]
    elif accept and entry.status != Rectification.Status.RECTIFIED:
        errors["status"] = [
            _("Only a rectification the unit reports as rectified can be verified.")
        ]
    if errors:
        raise ValidationError(errors)
    if accept:
        entry.verified_on, entry.verified_by = day or today(), user
    else:
        entry.status = Rectification.Status.RECTIFYING
    entry.verification = note
    entry._history_user = user
    entry.save()
    return entry
