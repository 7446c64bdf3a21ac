"""Reads of race results: a race's inputs from the database, in the shape of the CLI's files,
and published results for the pages and the API.

`race_inputs` gathers exactly what `saima race` reads from its files — targets, actuals, units with
their groups, adjustments, manual scores and the previous result — so the platform and the CLI
run the same `compute_race` on the same frames, and a snapshot's inputs can be exported as those
files and re-checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl
from django.core.exceptions import ValidationError
from django.db.models import Max, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from saima.common.requests import whole_number
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
from saima.engine.pipeline import compute_race
from saima.engine.race import RaceResult
from saima.metrics.models import Indicator, Observation, Target
from saima.metrics.sources import computed_figures
from saima.org.access import Access, require_office
from saima.org.models import Unit
from saima.races.definitions.selectors import (
    adjustment_window,
    previous_race_period,
    race_rules,
    race_units,
)
from saima.races.models import (
    Adjustment,
    LaggardStatement,
    ManualScore,
    Objection,
    Publication,
    RaceDefinition,
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
    observations = list(
        Observation.objects.filter(unit_id__in=unit_ids, indicator__code__in=sources)
        .filter(indicator__source="")
        .filter(Q(year=period.year, month__lte=period.month) | Q(year=period.year - 1))
        .values_list("unit__code", "indicator__code", "year", "month", "value", "last_year_value")
    )
    # Indicators computed from other records (key projects...) read like reported figures.
    computed = Indicator.objects.filter(code__in=sources).exclude(source="")
    months = [(period.year - 1, m) for m in range(1, 13)]
    months += [(period.year, m) for m in range(1, period.month + 1)]
    figures = computed_figures(
        computed.values_list("code", "source"), [u.code for u in units], months
    )
    observations += [
        (u, i, y, m, v, None) for u, y, m, v, i in figures.iter_rows() if v is not None
    ]
    observations.sort(key=lambda row: row[:4])
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


def readable_publication(
    access: Access, race: RaceDefinition, period: str, version: int | None = None
) -> Publication:
    """A published result of a readable race: the latest version, or the one asked for."""
    # The inputs are the largest part of a snapshot and only the downloads read them.
    found = Publication.objects.filter(race=race, period=period).defer("inputs")
    found = found.order_by("-version")
    if version is not None:
        found = found.filter(version=version)
    publication = found.first()
    if publication is None:
        raise Http404(
            _("%(race)s has no published result for %(period)s.")
            % {"race": race.name, "period": period}
        )
    return publication


def statements_of(race: RaceDefinition, period: str) -> QuerySet[LaggardStatement]:
    """Every statement of a race's period, whichever version of the result asked for it."""
    return (
        LaggardStatement.objects.filter(publication__race=race, publication__period=period)
        .select_related("unit", "publication", "submitted_by", "reviewed_by")
        .order_by("unit__order", "unit__code")
    )


@dataclass(frozen=True)
class Preview:
    race: RaceDefinition
    period: Period
    rules: Rules
    inputs: RaceInputs
    result: RaceResult

    @property
    def missing(self) -> list[dict[str, Any]]:
        return self.result.missing.to_dicts()


def race_preview(access: Access, race: RaceDefinition, period: Period) -> Preview:
    """The race as it would be published now, with the missing figures listed (office only)."""
    require_office(access)
    return compute_preview(race, period)


def compute_preview(race: RaceDefinition, period: Period) -> Preview:
    rules = race_rules(race)
    inputs = race_inputs(race, rules, period)
    _check_inputs(race, rules, period, inputs)
    result = compute_race(rules, period, inputs)
    return Preview(race=race, period=period, rules=rules, inputs=inputs, result=result)


def _check_inputs(race: RaceDefinition, rules: Rules, period: Period, inputs: RaceInputs) -> None:
    """What the platform refuses before the engine runs, in the office's words."""
    problems: list[str] = []
    if inputs.units.height == 0:
        problems.append(_("The race's groups have no active units."))
    units = inputs.units["unit"].to_list()
    have = set(inputs.targets.select("unit", "indicator").iter_rows())
    for item in rules.items:
        if not item.needs_target:
            continue
        lacking = [u for u in units if (u, item.source) not in have and u not in item.exempt]
        if lacking:
            problems.append(
                _("Indicator %(indicator)s has no %(year)s target for: %(units)s.")
                % {"indicator": item.source, "year": rules.year, "units": ", ".join(lacking)}
            )
    this_period = inputs.actuals.filter(
        (pl.col("year") == period.year)
        & (pl.col("month") == period.month)
        & pl.col("value").is_not_null()
    )
    if this_period.height == 0:
        problems.append(
            _("There are no figures for %(period)s: nothing to race on.") % {"period": period.label}
        )
    if problems:
        raise ValidationError(problems)


def objection_to_cite(access: Access, pk: int | str) -> Objection:
    """The objection a republication names, by its id (office only); ValidationError if none."""
    require_office(access)
    number = whole_number(pk)
    found = Objection.objects.filter(pk=number).first() if number else None
    if found is None:
        raise ValidationError({"objection": [_("There is no such objection.")]})
    return found
