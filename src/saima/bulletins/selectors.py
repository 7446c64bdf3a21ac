"""Reads of bulletins: who may read which, what a bulletin is drawn from (a published snapshot,
read through the races' selectors only, or the month as it stands), and a bulletin as a document.
"""

from __future__ import annotations

import calendar
import datetime
from typing import Any

from django.db.models import Max, QuerySet
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from saima.bulletins.documents import Document
from saima.bulletins.facts import NAME_LIMIT, RACE, Indicator, Names, Source, safe_text
from saima.bulletins.models import Bulletin, BulletinFile, Delivery
from saima.bulletins.sources import make_source, result_source
from saima.common.requests import whole_number
from saima.engine import Period, rules_from_mapping
from saima.metrics.models import Indicator as IndicatorModel
from saima.org.access import Access
from saima.org.models import RaceGroup, Unit
from saima.races.definitions.selectors import adjustment_window, race_units, visible_races
from saima.races.models import Publication, RaceDefinition
from saima.races.results.selectors import compute_preview, current_publication
from saima.supervision import selectors as supervision
from saima.supervision.models import ACTION_LABELS

#: The fields a list of bulletins shows: not the facts nor the text.
LIST_FIELDS = ("facts", "paragraphs")


def visible_bulletins(access: Access) -> QuerySet[Bulletin]:
    """Bulletins this person may read: every one for the office; issued ones of the races they
    may read for everyone else (drafts are the office's work)."""
    found = Bulletin.objects.select_related("race", "issued_by", "created_by").defer(*LIST_FIELDS)
    if access.is_office:
        return found
    if access.user_id is None:
        return found.none()
    races = visible_races(access).values_list("pk", flat=True)
    return found.filter(status=Bulletin.Status.ISSUED, race_id__in=list(races))


def readable_bulletin(access: Access, pk: int | str) -> Bulletin:
    """The bulletin `pk` if this person may read it (404 otherwise: nobody learns of a draft
    they may not see)."""
    number = whole_number(pk, max_digits=10) if not isinstance(pk, int) else pk
    found = visible_bulletins(access).defer(None).filter(pk=number).first() if number else None
    if found is None:
        raise Http404(_("There is no such bulletin."))
    return found


def bulletin_versions(bulletin: Bulletin, access: Access) -> list[Bulletin]:
    """Every version of the same race, kind and period this person may read, latest first."""
    return list(
        visible_bulletins(access)
        .filter(race=bulletin.race, kind=bulletin.kind, period=bulletin.period)
        .order_by("-version")
    )


def latest_version(race: RaceDefinition, kind: str, period: str) -> int:
    found = Bulletin.objects.filter(race=race, kind=kind, period=period).aggregate(Max("version"))[
        "version__max"
    ]
    return found or 0


def open_draft(race: RaceDefinition, kind: str, period: str) -> Bulletin | None:
    return (
        Bulletin.objects.filter(race=race, kind=kind, period=period, status=Bulletin.Status.DRAFT)
        .defer(*LIST_FIELDS)
        .first()
    )


def number_taken(prefix: str, year: int, number: int, *, other_than: int | None) -> Bulletin | None:
    """The bulletin already using a document number this year, if any."""
    found = Bulletin.objects.filter(prefix=prefix, year=year, number=number).defer(*LIST_FIELDS)
    if other_than is not None:
        found = found.exclude(pk=other_than)
    return found.first()


def next_number(prefix: str, year: int) -> int:
    found = Bulletin.objects.filter(prefix=prefix, year=year).aggregate(Max("number"))
    return (found["number__max"] or 0) + 1


def last_fields() -> dict[str, Any]:
    """The document fields of the office's latest bulletin, to start a new draft from."""
    latest = Bulletin.objects.order_by("-created_at", "-pk").defer(*LIST_FIELDS).first()
    if latest is None:
        return {}
    return {"office": latest.office, "prefix": latest.prefix, "recipients": latest.recipients}


def names(language: str) -> Names:
    """Names of units, groups and indicators in `language`."""
    with translation.override(language):
        indicators = {
            i.code: Indicator(name=i.name, measure=i.measure, decimals=i.decimals)
            for i in IndicatorModel.objects.all()
        }
        return Names(
            units={u.code: u.name for u in Unit.objects.all()},
            groups={g.code: g.name for g in RaceGroup.objects.order_by("order", "code")},
            items={},
            indicators=indicators,
        )


def _with_items(found: Names, rules) -> Names:
    """Item names: the rules' own, else the data indicator's (with the item's code when the
    item is one of several reading it)."""
    items = {}
    for item in rules.items:
        indicator = found.indicators.get(item.source)
        if item.name:
            items[item.code] = item.name
        elif indicator is not None:
            items[item.code] = (
                indicator.name if item.code == item.source else f"{indicator.name} ({item.code})"
            )
    return Names(units=found.units, groups=found.groups, items=items, indicators=found.indicators)


def publication_source(race: RaceDefinition, publication: Publication, language: str) -> Source:
    """What a race bulletin is drawn from: the snapshot exactly as published."""
    rules = rules_from_mapping(publication.rules, source=f"{race.code} {publication.period}")
    inputs = publication.frozen_inputs()
    period = _period(race, publication.period)
    with translation.override(language):
        race_name = race.name
    return make_source(
        kind=RACE,
        race=race_name,
        rules=rules,
        period=period,
        standings=publication.standings,
        explanation=publication.explanation,
        targets=inputs.targets,
        actuals=inputs.actuals,
        names=_with_items(names(language), rules),
    )


def month_source(race: RaceDefinition, period: Period, language: str) -> Source:
    """What a monthly comment is drawn from: the race computed on the month's figures as they
    stand (never published)."""
    preview = compute_preview(race, period)
    with translation.override(language):
        race_name = race.name
    return result_source(
        kind="monthly",
        race=race_name,
        rules=preview.rules,
        period=period,
        result=preview.result,
        targets=preview.inputs.targets,
        actuals=preview.inputs.actuals,
        names=_with_items(names(language), preview.rules),
    )


def _period(race: RaceDefinition, label: str) -> Period:
    from saima.races.definitions.selectors import read_race_period

    return read_race_period(race, label)


def current_result(race: RaceDefinition, period: str) -> Publication | None:
    """The current published version of a period (None if nothing is published)."""
    found = current_publication(race, period)
    if found is None:
        return None
    return Publication.objects.get(pk=found.pk)


def listed_window(
    race: RaceDefinition, kind: str, period: Period
) -> tuple[datetime.date, datetime.date]:
    """The days whose 通报 steps a bulletin names: the race period's months (April to June for
    a Q2 race, the year for an annual one), or the month of a monthly comment."""
    if kind == Bulletin.Kind.MONTHLY:
        last = calendar.monthrange(period.year, period.month)[1]
        return (
            datetime.date(period.year, period.month, 1),
            datetime.date(period.year, period.month, last),
        )
    return adjustment_window(race, period)


def listed_facts(
    race: RaceDefinition, kind: str, period: Period, language: str, day: datetime.date
) -> dict[str, Any]:
    """The supervision items listed in the bulletin (their 通报 step taken in the bulletin's
    window), as the bulletin freezes them in its facts: reference, title, lead unit, effective
    deadline, days overdue and the latest step, as of the window's end or `day` (the drafting
    day) if earlier. Plain JSON; the documents and the text read only this."""
    start, end = listed_window(race, kind, period)
    as_of = min(end, day)
    listed: dict[int, Any] = {}
    for step in supervision.listed_items(start, end):  # the first, should a ladder list twice
        listed.setdefault(step.item_id, step)
    items = [step.item for step in listed.values()]
    out = []
    with translation.override(language):
        for row in supervision.rows_of(items, as_of):
            steps = [s for s in row.steps if s.taken_on <= as_of] or [listed[row.item.pk]]
            step = steps[-1]
            out.append(
                {
                    "reference": safe_text(row.item.reference, NAME_LIMIT),
                    "title": safe_text(row.item.title, NAME_LIMIT),
                    "lead_unit": safe_text(row.item.lead_unit.name, NAME_LIMIT),
                    "deadline": row.deadline_due.isoformat() if row.deadline_due else None,
                    "days_overdue": row.days_overdue,
                    "listed_on": listed[row.item.pk].taken_on.isoformat(),
                    "step": str(ACTION_LABELS.get(step.action, step.action)),
                    "step_on": step.taken_on.isoformat(),
                }
            )
    out.sort(key=lambda r: (-r["days_overdue"], r["listed_on"], r["reference"]))
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "as_of": as_of.isoformat(),
        "items": out,
    }


def document(bulletin: Bulletin) -> Document:
    """The bulletin as a document, with its fields as they stand."""
    return Document(
        language=bulletin.language,
        facts=bulletin.facts,
        paragraphs=list(bulletin.paragraphs),
        title=bulletin.title,
        office=bulletin.office,
        prefix=bulletin.prefix,
        year=bulletin.year,
        number=bulletin.number,
        recipients=bulletin.recipients,
        date=bulletin.date,
        draft=not bulletin.issued,
    )


def stored_file(bulletin: Bulletin, fmt: str) -> BulletinFile | None:
    return BulletinFile.objects.filter(bulletin=bulletin, format=fmt).first()


def deliveries_of(bulletin: Bulletin, access: Access) -> list[Delivery]:
    """Where an issued bulletin went: every unit for the office and leaders, the reader's own
    units for a unit's people."""
    found = Delivery.objects.filter(bulletin=bulletin).select_related("unit", "read_by")
    if not access.sees_everything:
        found = found.filter(unit_id__in=access.own_units)
    return list(found)


def unread(access: Access) -> QuerySet[Delivery]:
    """Issued bulletins the reader's units have not marked as read."""
    if not access.own_units:
        return Delivery.objects.none()
    return (
        Delivery.objects.filter(unit_id__in=access.own_units, read_at__isnull=True)
        .filter(bulletin__status=Bulletin.Status.ISSUED)
        .select_related("bulletin", "unit")
        .defer(*(f"bulletin__{f}" for f in LIST_FIELDS))
    )


def receiving_units(race: RaceDefinition, bulletin: Bulletin) -> list[Unit]:
    """The units a bulletin goes to: those in its result (or the race's, for a comment)."""
    codes = {row["unit"] for row in bulletin.facts["annex"]["rows"]}
    codes |= {u["unit"] for u in bulletin.facts["lights"]["units"]}
    units = [u for u in race_units(race) if u.code in codes]
    return units
