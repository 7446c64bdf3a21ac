"""Reads of the races app: a race's inputs from the database, in the shape of the CLI's files,
and published results for the pages and the API.

`race_inputs` gathers exactly what `saima race` reads from its files — targets, actuals, units with
their groups, adjustments, manual scores and the previous result — so the platform and the CLI
run the same `compute_race` on the same frames, and a snapshot's inputs can be exported as those
files and re-checked.
"""

from __future__ import annotations

import calendar
import datetime
from typing import Any

import polars as pl
from django.db.models import Max, Q

from saima.engine import Period, Rules
from saima.engine.frames import (
    ACTUALS_SCHEMA,
    ADJUSTMENTS_SCHEMA,
    PREVIOUS_SCHEMA,
    SCORES_SCHEMA,
    TARGETS_SCHEMA,
    UNITS_SCHEMA,
    RaceInputs,
)
from saima.metrics.models import Observation, Target
from saima.org.access import Access
from saima.org.models import Unit
from saima.races.models import Adjustment, ManualScore, Publication, RaceDefinition, Rhythm

#: Months per race in each rhythm.
RHYTHM_MONTHS = {Rhythm.MONTH: 1, Rhythm.QUARTER: 3, Rhythm.HALF: 6, Rhythm.YEAR: 12}
_KIND = {Rhythm.MONTH: "month", Rhythm.QUARTER: "quarter", Rhythm.HALF: "half", Rhythm.YEAR: "year"}


def race_periods(race: RaceDefinition) -> list[Period]:
    """The periods at which this race is run (published), in order."""
    step = RHYTHM_MONTHS[Rhythm(race.rhythm)]
    kind = _KIND[Rhythm(race.rhythm)]
    return [Period(race.year, month, kind) for month in range(step, 13, step)]


def is_race_period(race: RaceDefinition, period: Period) -> bool:
    return any(p.label == period.label for p in race_periods(race))


def previous_race_period(race: RaceDefinition, period: Period) -> Period | None:
    earlier = [p for p in race_periods(race) if p.month < period.month]
    return earlier[-1] if earlier else None


def adjustment_window(race: RaceDefinition, period: Period) -> tuple[datetime.date, datetime.date]:
    """Events that count in a race of `period`: from the start of its rhythm's block to its end.

    A Q2 race counts April to June; a monthly comment in May of a quarterly race counts April
    and May; an annual race counts the whole year.
    """
    step = RHYTHM_MONTHS[Rhythm(race.rhythm)]
    first_month = (period.month - 1) // step * step + 1
    last_day = calendar.monthrange(period.year, period.month)[1]
    return (
        datetime.date(period.year, first_month, 1),
        datetime.date(period.year, period.month, last_day),
    )


def race_units(race: RaceDefinition) -> list[Unit]:
    """The active units of the race's groups, in display order."""
    return list(
        Unit.objects.filter(active=True, race_group__in=race.groups.all())
        .select_related("race_group")
        .order_by("race_group__order", "race_group__code", "order", "code")
    )


def _float(value) -> float | None:
    return None if value is None else float(value)


def race_inputs(race: RaceDefinition, rules: Rules, period: Period) -> RaceInputs:
    """Everything the race of `period` reads, from the database."""
    units = race_units(race)
    unit_ids = [u.pk for u in units]
    sources = sorted({i.source for i in rules.items if i.method != "manual"})
    targets = Target.objects.filter(
        unit_id__in=unit_ids, indicator__code__in=sources, year=rules.year
    ).values_list("unit__code", "indicator__code", "value", "not_applicable", "last_year_total")
    observations = (
        Observation.objects.filter(unit_id__in=unit_ids, indicator__code__in=sources)
        .filter(Q(year=period.year, month__lte=period.month) | Q(year=period.year - 1))
        .values_list("unit__code", "indicator__code", "year", "month", "value", "last_year_value")
        .order_by("unit__code", "indicator__code", "year", "month")
    )
    start, end = adjustment_window(race, period)
    adjustments = (
        Adjustment.objects.filter(
            race=race, unit_id__in=unit_ids, date__range=(start, end), withdrawn_at__isnull=True
        )
        .order_by("date", "pk")
        .values_list("unit__code", "points", "reason", "veto", "category")
    )
    manual = [i.code for i in rules.items if i.method == "manual"]
    scores = None
    if manual:
        rows = ManualScore.objects.filter(
            race=race, period=period.label, unit_id__in=unit_ids, item__in=manual
        ).values_list("unit__code", "item", "points")
        scores = pl.DataFrame(
            [(u, i, float(p)) for u, i, p in rows], schema=SCORES_SCHEMA, orient="row"
        )
    return RaceInputs(
        targets=pl.DataFrame(
            [(u, i, _float(v), na, _float(ly)) for u, i, v, na, ly in targets],
            schema=TARGETS_SCHEMA,
            orient="row",
        ).sort("unit", "indicator"),
        actuals=pl.DataFrame(
            [(u, i, y, m, _float(v), _float(ly)) for u, i, y, m, v, ly in observations],
            schema=ACTUALS_SCHEMA,
            orient="row",
        ),
        units=pl.DataFrame(
            [(u.code, u.race_group.code) for u in units], schema=UNITS_SCHEMA, orient="row"
        ),
        adjustments=pl.DataFrame(
            [(u, float(p), r, v, c) for u, p, r, v, c in adjustments],
            schema=ADJUSTMENTS_SCHEMA,
            orient="row",
        ),
        scores=scores,
        previous=previous_standings(race, period),
    )


def previous_standings(race: RaceDefinition, period: Period) -> pl.DataFrame | None:
    """The current published result of the race's previous period, as the engine reads it."""
    before = previous_race_period(race, period)
    if before is None:
        return None
    publication = current_publication(race, before.label)
    if publication is None:
        return None
    return pl.DataFrame(
        [
            (row["unit"], row["group"], row["rank"], row.get("last_places"))
            for row in publication.standings
        ],
        schema=PREVIOUS_SCHEMA,
        orient="row",
    )


def publications_of(race: RaceDefinition, period: str | None = None):
    """The published versions, without their snapshot (loaded on access): a list of versions
    should not parse every version's inputs and results."""
    found = Publication.objects.filter(race=race).defer(*SNAPSHOT_FIELDS)
    if period is not None:
        found = found.filter(period=period)
    return found.select_related("published_by", "objection").order_by("period", "-version")


#: The large JSON fields of a publication.
SNAPSHOT_FIELDS = ("inputs", "standings", "explanation", "missing")


def current_publication(race: RaceDefinition, period: str) -> Publication | None:
    """The latest version published for the period (earlier versions stay readable)."""
    return publications_of(race, period).first()


def current_publications(race: RaceDefinition) -> list[Publication]:
    """The latest version of each published period, in period order."""
    latest = (
        Publication.objects.filter(race=race)
        .values("period")
        .annotate(version=Max("version"))
        .values_list("period", "version")
    )
    wanted = Q(pk__in=[])
    for period, version in latest:
        wanted |= Q(period=period, version=version)
    return list(Publication.objects.filter(race=race).filter(wanted).order_by("period"))


def visible_races(access: Access):
    """Races whose results this person may read: all for the office and leaders; for a unit,
    the races of its groups."""
    races = RaceDefinition.objects.prefetch_related("groups").order_by("-year", "code")
    if access.sees_everything:
        return races
    groups = Unit.objects.filter(pk__in=access.own_units).values_list("race_group", flat=True)
    return races.filter(groups__in=list(groups)).distinct()


def readable_explanation(
    access: Access, publication: Publication, unit_code: str
) -> list[dict[str, Any]]:
    """One unit's explanation rows, if this person may read that unit."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    unit = Unit.objects.filter(code=unit_code).first()
    if unit is None or not access.can_read_unit(unit.pk):
        raise PermissionDenied(_("You may not see the explanation of another unit's score."))
    return [row for row in publication.explanation if row["unit"] == unit_code]


def laggards(publication: Publication) -> list[dict[str, Any]]:
    """Units called to account: a yellow flag, the last place of their group, or a red light.

    One row per unit with the reasons, in the standings' order.
    """
    last_rank: dict[str, int] = {}
    for row in publication.standings:
        if row.get("rank") is not None:
            last_rank[row["group"]] = max(last_rank.get(row["group"], 0), row["rank"])
    red: dict[str, list[str]] = {}
    for row in publication.explanation:
        if row.get("light") == "red":
            red.setdefault(row["unit"], []).append(row["item"])
    out = []
    for row in publication.standings:
        reasons = []
        if row.get("flag") == "yellow":
            reasons.append("yellow_flag")
        if row.get("rank") is not None and row["rank"] == last_rank.get(row["group"]):
            reasons.append("last_place")
        if red.get(row["unit"]):
            reasons.append("red_light")
        if reasons:
            out.append(
                {
                    "unit": row["unit"],
                    "group": row["group"],
                    "rank": row.get("rank"),
                    "reasons": reasons,
                    "red_items": red.get(row["unit"], []),
                    "last_places": row.get("last_places"),
                }
            )
    return out
