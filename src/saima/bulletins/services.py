"""Writes of bulletins: draft from a published result (or a month), edit, issue, delete a draft,
mark as read. Each checks who asks and everything it is given before it changes anything, and
changes nothing when something is wrong.

Issuing draws the files (DOCX, PDF, XLSX), which takes seconds for a province: `issue_files`
draws them from ids alone, outside any transaction, so a background job can call it (see
`bulletin_issue_job`); the short transaction after it only stores them.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from saima.bulletins import narrative, selectors
from saima.bulletins.documents import FORMATS, pdf, sheets, word
from saima.bulletins.facts import build_facts
from saima.bulletins.models import Bulletin, BulletinFile, Delivery
from saima.common.jobs import Outcome
from saima.common.text import clean_text
from saima.engine import Period
from saima.jobs.services import job_finish, job_start
from saima.org.access import Access, require_office
from saima.races.definitions.selectors import is_race_period, race_periods, read_race_period
from saima.races.models import RaceDefinition
from saima.reporting.selectors import unit_emails

LIMITS = {
    "office": 100,
    "prefix": 30,
    "title": 300,
    "recipients": 1000,
    "reason": 4000,
    "paragraph": 6000,
}
MAX_NUMBER = 99999
#: What an issued bulletin is drawn as, in the order they are drawn.
ISSUED_FORMATS = ("docx", "pdf", "xlsx")
#: The kind of job that issues a bulletin (declared in the app's `ready`).
ISSUE_JOB = "bulletins.issue"


def _clean(field: str, value: object, *, required: str | None = None) -> str:
    text, problem = clean_text(value, limit=LIMITS[field], required=required)
    if problem:
        raise ValidationError({field: [problem]})
    return text


def _read_period(race: RaceDefinition, kind: str, text: str) -> Period:
    period = read_race_period(race, (text or "").strip()[:16])
    if kind == Bulletin.Kind.RACE:
        # 2026-H1 of a quarterly race is its 2026-Q2: the same months, the race's own name.
        same = [p for p in race_periods(race) if p.month == period.month]
        period = same[0] if same else period
    if kind == Bulletin.Kind.RACE and not is_race_period(race, period):
        allowed = ", ".join(p.label for p in race_periods(race))
        raise ValidationError(
            {
                "period": [
                    _("This race is run for %(periods)s, not for %(period)s.")
                    % {"periods": allowed, "period": period.label}
                ]
            }
        )
    if kind == Bulletin.Kind.MONTHLY and period.kind != "month":
        raise ValidationError(
            {
                "period": [
                    _("A monthly comment is for a month: write it as %(example)s.")
                    % {"example": f"{race.year}-05"}
                ]
            }
        )
    return period


def _default_fields(race: RaceDefinition, language: str) -> dict[str, str]:
    fields = selectors.last_fields()
    with translation.override(language):
        if not fields.get("office"):
            fields["office"] = _("Key Work Office")
        if not fields.get("recipients"):
            groups = "、" if language.startswith("zh") else ", "
            fields["recipients"] = _("The units of %(groups)s") % {
                "groups": groups.join(g.name for g in race.groups.all())
            }
        fields.setdefault("prefix", "")
    return fields


@transaction.atomic
def bulletin_draft(
    access: Access,
    *,
    race: RaceDefinition,
    kind: str,
    period: str,
    language: str = Bulletin.Language.CHINESE,
    reason: str = "",
) -> Bulletin:
    """A new draft of a race bulletin (from the period's current published result) or of a
    monthly comment (from the month's figures as they stand), its text written from the facts.

    Refused (ValidationError, nothing saved) for a period with no published result, a kind or
    language Saima does not know, while a draft of the same bulletin is open, and for a new
    version without a reason.
    """
    require_office(access)
    if kind not in Bulletin.Kind.values:
        raise ValidationError({"kind": [_("Choose a race bulletin or a monthly comment.")]})
    if language not in Bulletin.Language.values:
        raise ValidationError({"language": [_("Choose Chinese or English.")]})
    reason = _clean("reason", reason)
    when = _read_period(race, kind, period)
    RaceDefinition.objects.select_for_update().filter(pk=race.pk).first()
    if selectors.open_draft(race, kind, when.label) is not None:
        raise ValidationError(
            {"period": [_("A draft of this bulletin is open already: edit it or delete it.")]}
        )
    latest = selectors.latest_version(race, kind, when.label)
    if latest and not reason:
        raise ValidationError(
            {
                "reason": [
                    _("Version %(version)s was issued; a new version needs a reason.")
                    % {"version": latest}
                ]
            }
        )
    publication = None
    if kind == Bulletin.Kind.RACE:
        publication = selectors.current_result(race, when.label)
        if publication is None:
            raise ValidationError(
                {
                    "period": [
                        _("%(race)s has no published result for %(period)s: publish it first.")
                        % {"race": race.name, "period": when.label}
                    ]
                }
            )
        source = selectors.publication_source(race, publication, language)
    else:
        source = selectors.month_source(race, when, language)
    facts = build_facts(source)
    today = timezone.localdate()
    # The supervision items listed for 通报 in the bulletin's period, frozen with the figures.
    facts["listed"] = selectors.listed_facts(race, kind, when, language, today)
    fields = _default_fields(race, language)
    return Bulletin.objects.create(
        race=race,
        kind=kind,
        period=when.label,
        publication=publication,
        version=latest + 1,
        reason=reason,
        language=language,
        office=fields["office"][: LIMITS["office"]],
        prefix=fields["prefix"][: LIMITS["prefix"]],
        year=today.year,
        number=selectors.next_number(fields["prefix"], today.year) if fields["prefix"] else None,
        title=narrative.document_title(facts, language)[: LIMITS["title"]],
        recipients=fields["recipients"][: LIMITS["recipients"]],
        date=today,
        facts=facts,
        paragraphs=[p.to_json() for p in narrative.write(facts, language)],
        created_by_id=access.user_id,
        updated_by_id=access.user_id,
    )


def _refuse_issued(bulletin: Bulletin) -> None:
    if bulletin.issued:
        raise ValidationError(
            {
                "__all__": [
                    _(
                        "This bulletin was issued on %(date)s and can no longer be changed; "
                        "draft a new version instead."
                    )
                    % {"date": timezone.localtime(bulletin.issued_at).date().isoformat()}
                ]
            }
        )


def _paragraphs(bulletin: Bulletin, texts: Mapping[str, object]) -> list[dict[str, str]]:
    keys = [p["key"] for p in bulletin.paragraphs]
    unknown = sorted(set(texts) - set(keys))
    if unknown:
        raise ValidationError(
            {"paragraphs": [_("No such paragraph: %(keys)s.") % {"keys": ", ".join(unknown)}]}
        )
    out, errors = [], {}
    for paragraph in bulletin.paragraphs:
        key = paragraph["key"]
        if key not in texts:
            out.append(dict(paragraph))
            continue
        text, problem = clean_text(
            texts[key],
            limit=LIMITS["paragraph"],
            required=_(
                "The paragraph “%(heading)s” is empty: write it, or keep the generated text."
            )
            % {"heading": paragraph["heading"]},
        )
        if problem:
            errors[f"paragraphs.{key}"] = [problem]
        out.append({**paragraph, "text": text})
    if errors:
        raise ValidationError(errors)
    return out


def _number(value: object) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_NUMBER:
        raise ValidationError(
            {
                "number": [
                    _("Give the number as a whole number from 1 to %(max)s.") % {"max": MAX_NUMBER}
                ]
            }
        )
    return int(text)


def _year(value: object) -> int:
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or not 1990 <= int(text) <= 2100:
        raise ValidationError({"year": [_("Give the year of the number, such as 2026.")]})
    return int(text)


def _date(value: object) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise ValidationError({"date": [_("Give the date as YYYY-MM-DD.")]}) from None


def _check_number_free(bulletin: Bulletin) -> None:
    if bulletin.number is None:
        return
    taken = selectors.number_taken(
        bulletin.prefix, bulletin.year, bulletin.number, other_than=bulletin.pk
    )
    if taken is not None:
        raise ValidationError(
            {
                "number": [
                    _("%(reference)s is already used by “%(title)s”; choose another number.")
                    % {"reference": bulletin.reference, "title": taken.title}
                ]
            }
        )


_UNSET = object()


@transaction.atomic
def bulletin_edit(
    access: Access,
    bulletin: Bulletin,
    *,
    office: object = _UNSET,
    prefix: object = _UNSET,
    year: object = _UNSET,
    number: object = _UNSET,
    title: object = _UNSET,
    recipients: object = _UNSET,
    date: object = _UNSET,
    paragraphs: Mapping[str, object] | None = None,
) -> Bulletin:
    """Change a draft's document fields and paragraphs (those given; the others stay).

    Refused, with nothing changed: an issued bulletin, an emptied paragraph or title, a number
    another bulletin uses this year, text too long or that cannot be stored.
    """
    require_office(access)
    bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    _refuse_issued(bulletin)
    given = {
        "office": office,
        "prefix": prefix,
        "year": year,
        "number": number,
        "title": title,
        "recipients": recipients,
        "date": date,
    }
    converters = {
        "office": lambda v: _clean("office", v),
        "prefix": lambda v: _clean("prefix", v),
        "year": _year,
        "number": _number,
        "title": lambda v: _clean("title", v, required=_("A bulletin needs a title.")),
        "recipients": lambda v: _clean("recipients", v),
        "date": _date,
    }
    errors: dict[str, list[str]] = {}
    changed: list[str] = []
    for field, value in given.items():
        if value is _UNSET:
            continue
        try:
            setattr(bulletin, field, converters[field](value))
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
            continue
        changed.append(field)
    if paragraphs is not None:
        try:
            bulletin.paragraphs = _paragraphs(bulletin, paragraphs)
            changed.append("paragraphs")
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if not errors:
        try:
            _check_number_free(bulletin)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    bulletin.updated_by_id = access.user_id
    try:
        with transaction.atomic():
            bulletin.save(update_fields=[*changed, "updated_by", "updated_at"])
    except IntegrityError:  # another draft took the number meanwhile
        raise ValidationError(
            {"number": [_("%(reference)s is already used.") % {"reference": bulletin.reference}]}
        ) from None
    return bulletin


def _check_issuable(bulletin: Bulletin) -> None:
    _refuse_issued(bulletin)
    missing = {
        "office": _("Give the issuing office."),
        "prefix": _("Give the office's code of the document number (such as 青重办发)."),
        "number": _("Give the document number."),
        "recipients": _("Give the recipients."),
        "date": _("Give the date of the document."),
    }
    errors = {
        field: [message]
        for field, message in missing.items()
        if getattr(bulletin, field) in (None, "")
    }
    if errors:
        raise ValidationError(errors)
    _check_number_free(bulletin)


def issue_files(bulletin_id: int) -> dict[str, bytes]:
    """Draw an issued bulletin's files (DOCX, PDF, XLSX) from the bulletin as stored.

    Takes an id so that a background job can call it; reads only, draws for seconds at a
    province's scale, and holds no transaction meanwhile.
    """
    bulletin = Bulletin.objects.get(pk=bulletin_id)
    document = dataclasses.replace(selectors.document(bulletin), draft=False)
    drawers = {"docx": word.render, "pdf": pdf.render, "xlsx": sheets.render}
    return {fmt: drawers[fmt](document) for fmt in ISSUED_FORMATS}


def bulletin_issue(access: Access, bulletin: Bulletin) -> Bulletin:
    """Issue a draft: draw its files, store them, freeze it and deliver it to the units.

    Refused while a document field is missing or the number is used, for an issued bulletin,
    and if the draft changed while its files were drawn (then nothing is stored).
    """
    require_office(access)
    bulletin = Bulletin.objects.get(pk=bulletin.pk)  # as stored, not as the caller last saw it
    _check_issuable(bulletin)
    drawn_from = bulletin.updated_at
    files = issue_files(bulletin.pk)
    return _store_issue(access, bulletin.pk, drawn_from, files)


@transaction.atomic
def _store_issue(
    access: Access, pk: int, drawn_from: datetime.datetime, files: Mapping[str, bytes]
) -> Bulletin:
    bulletin = Bulletin.objects.select_for_update().get(pk=pk)
    _check_issuable(bulletin)
    if bulletin.updated_at != drawn_from:
        raise ValidationError(
            {"__all__": [_("The draft changed while its files were drawn; issue it again.")]}
        )
    for fmt, data in files.items():
        BulletinFile.objects.create(
            bulletin=bulletin,
            format=fmt,
            content_type=FORMATS[fmt],
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            data=data,
        )
    bulletin.status = Bulletin.Status.ISSUED
    bulletin.issued_by_id = access.user_id
    bulletin.issued_at = timezone.now()
    bulletin.updated_by_id = access.user_id
    bulletin.save(update_fields=["status", "issued_by", "issued_at", "updated_by", "updated_at"])
    deliveries = [
        Delivery(bulletin=bulletin, unit=unit, emailed_to=unit_emails(unit))
        for unit in selectors.receiving_units(bulletin.race, bulletin)
    ]
    Delivery.objects.bulk_create(deliveries)
    pdf_bytes = files.get("pdf")
    transaction.on_commit(lambda: _email(bulletin, deliveries, pdf_bytes))
    return bulletin


def _email(bulletin: Bulletin, deliveries: list[Delivery], pdf_bytes: bytes | None) -> None:
    """Send the issued bulletin to each unit's people, with the PDF attached."""
    connection = get_connection()
    url = reverse("bulletins:detail", args=[bulletin.pk])
    with translation.override(bulletin.language):
        subject = _("[Saima] %(reference)s: %(title)s") % {
            "reference": bulletin.reference,
            "title": bulletin.title,
        }
        for delivery in deliveries:
            if not delivery.emailed_to:
                continue
            body = _(
                "%(office)s has issued %(reference)s, “%(title)s”, to %(unit)s. The PDF is "
                "attached; the bulletin and its Word and Excel files are in Saima at %(url)s."
            ) % {
                "office": bulletin.office,
                "reference": bulletin.reference,
                "title": bulletin.title,
                "unit": delivery.unit.name,
                "url": url,
            }
            message = EmailMessage(subject, body, to=delivery.emailed_to, connection=connection)
            if pdf_bytes:
                message.attach(f"{bulletin.reference or 'bulletin'}.pdf", pdf_bytes, FORMATS["pdf"])
            message.send()


def issue_job_start(access: Access, bulletin: Bulletin, *, user):
    """Issue in the background (drawing the files takes seconds at a province's scale): what
    can be refused at once is; the same draft asked twice is one job (its key holds the
    draft's last change)."""
    require_office(access)
    bulletin = Bulletin.objects.get(pk=bulletin.pk)
    _check_issuable(bulletin)
    return job_start(
        kind=ISSUE_JOB,
        arguments={"bulletin": bulletin.pk},
        user=user,
        key=f"{ISSUE_JOB}:{bulletin.pk}:{bulletin.updated_at.isoformat()}",
    )


def run_issue_job(job, progress) -> Outcome:
    """The handler of an issuing job: the files drawn outside the transaction, then stored, the
    bulletin frozen and the job marked done in one transaction."""
    access = Access.for_user(job.started_by)
    require_office(access)
    bulletin = Bulletin.objects.get(pk=job.arguments["bulletin"])
    _check_issuable(bulletin)
    drawn_from = bulletin.updated_at
    progress(10, _("Drawing the bulletin's files"))
    files = issue_files(bulletin.pk)
    progress(90, _("Storing and delivering"))
    with transaction.atomic():
        issued = _store_issue(access, bulletin.pk, drawn_from, files)
        outcome = Outcome(
            _("Issued %(reference)s; the units have it in their to-do lists.")
            % {"reference": issued.reference},
            url=reverse("bulletins:detail", args=[issued.pk]),
        )
        job_finish(job, outcome)
    return outcome


def bulletin_issue_job(*, bulletin_id: int, user_id: int) -> None:
    """Issue a bulletin from ids alone: what a background job runs."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(pk=user_id)
    bulletin_issue(Access.for_user(user), Bulletin.objects.get(pk=bulletin_id))


@transaction.atomic
def bulletin_delete(access: Access, bulletin: Bulletin) -> None:
    """Delete a draft (its number becomes free again); an issued bulletin is refused."""
    require_office(access)
    bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    _refuse_issued(bulletin)
    bulletin.delete()


@transaction.atomic
def delivery_read(access: Access, bulletin: Bulletin) -> int:
    """Mark an issued bulletin as read by the reader's units; how many deliveries changed."""
    if not bulletin.issued:
        raise ValidationError({"__all__": [_("Only an issued bulletin is read by the units.")]})
    found = list(
        Delivery.objects.select_for_update().filter(
            bulletin=bulletin, unit_id__in=access.own_units, read_at__isnull=True
        )
    )
    now = timezone.now()
    for delivery in found:
        delivery.read_at, delivery.read_by_id = now, access.user_id
        delivery.save(update_fields=["read_at", "read_by"])
    return len(found)
