"""The office's dense table: units as rows, indicators as columns, one compact cell each
(completion, or the value where there is no completion, and the light's icon), a total row for
the whole area, filtered by race group and sorted by any column; and the same rows as a file.

No formula here: the cells are the engine's progress rows (`present.Figure`), the total row is
`engine.digest.area_progress`; this module arranges and formats them at each indicator's decimals.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from saima.common import formatting as fmt
from saima.common.lights import LIGHTS, Light
from saima.engine import digest
from saima.engine.frames import SCHEDULED_KINDS
from saima.metrics.models import Indicator
from saima.org.models import RaceGroup, Unit
from saima.web import present


def cell_text(figure: present.Figure) -> str:
    """What a cell shows: completion for amounts and counts, the growth rate for growth, the
    value in its own unit for levels."""
    indicator = figure.indicator
    if indicator.kind in SCHEDULED_KINDS:
        return fmt.percent(figure.row.get("completion"))
    if figure.row.get("value") is None:
        return fmt.DASH
    if indicator.kind == Indicator.Kind.GROWTH:
        return fmt.percent(figure.row.get("value"))
    return fmt.number(figure.row.get("value"), indicator.decimals)


@dataclass
class Total:
    text: str = fmt.DASH
    light: Light | None = None
    title: str = ""


@dataclass
class Table:
    indicators: list[Indicator]
    groups: list[present.Group]
    totals: list[Total]
    time_progress: list[str]
    race_groups: list[RaceGroup]
    group: RaceGroup | None = None
    sort: str = ""
    descending: bool = False
    rows: list[present.UnitRow] = field(default_factory=list)


def _sort_value(figure: present.Figure | None) -> float | None:
    return None if figure is None else present._rank_value(figure)


def build(
    found: list[present.Figure],
    progress: pl.DataFrame,
    *,
    group_code: str = "",
    sort: str = "",
    descending: bool = False,
) -> Table:
    race_groups = list(RaceGroup.objects.order_by("order", "code"))
    chosen = next((g for g in race_groups if g.code == group_code), None)
    if chosen is not None:
        found = [f for f in found if f.unit.race_group_id == chosen.pk]
    indicators = sorted({f.indicator for f in found}, key=lambda i: (i.order, i.code))
    by_unit: dict[Unit, dict[Indicator, present.Figure]] = {}
    for figure in found:
        figure.dense = cell_text(figure)
        by_unit.setdefault(figure.unit, {})[figure.indicator] = figure
    rows = [present.UnitRow(u, [cells.get(i) for i in indicators]) for u, cells in by_unit.items()]
    codes = [i.code for i in indicators]
    if sort in codes:
        column = codes.index(sort)

        def key(row: present.UnitRow):
            value = _sort_value(row.cells[column])
            # Best first by default (the ranking's order); missing figures always last.
            return (value is None, -(value or 0) if not descending else (value or 0))

        rows.sort(key=lambda row: (*key(row), present._unit_key(row.unit)))
        groups = [present.Group(None, rows)]
    elif sort == "unit":
        rows.sort(key=lambda row: str(row.unit.name), reverse=descending)
        groups = [present.Group(None, rows)]
    else:
        groups = present.by_group(rows, lambda row: row.unit)
    if chosen is not None:
        units = {f.unit.code for f in found}
        progress = progress.filter(pl.col("unit").is_in(list(units)))
    area = {row["indicator"]: row for row in digest.area_progress(progress).iter_rows(named=True)}
    totals, taus = [], []
    for indicator in indicators:
        row = area.get(indicator.code)
        if row is None:
            totals.append(Total(title=_("No total: growth rates and levels do not add up.")))
            taus.append(fmt.DASH)
            continue
        light = LIGHTS["green"] if row["on_schedule"] else LIGHTS["red"]
        totals.append(
            Total(
                text=fmt.percent(row["completion"]),
                light=light,
                title=_("%(value)s of %(target)s (%(units)s units); gap %(gap)s")
                % {
                    "value": fmt.with_measure(row["value"], indicator.decimals, indicator.measure),
                    "target": fmt.with_measure(
                        row["target"], indicator.decimals, indicator.measure
                    ),
                    "units": row["units"],
                    "gap": fmt.points(row["gap_pp"]),
                },
            )
        )
        taus.append(fmt.percent(row["time_progress"]))
    return Table(
        indicators=indicators,
        groups=groups,
        totals=totals,
        time_progress=taus,
        race_groups=race_groups,
        group=chosen,
        sort=sort if sort in (*codes, "unit") else "",
        descending=descending,
        rows=[row for g in groups for row in g.rows],
    )


def frame(table: Table) -> pl.DataFrame:
    """The rows shown, in the order shown, one line per unit and indicator, every figure rounded
    as the page writes it (the indicator's decimals; percentages to one decimal)."""
    lines = []
    for row in table.rows:
        lines += [figure_line(figure) for figure in row.cells if figure is not None]
    return pl.DataFrame(lines, schema=FIGURE_SCHEMA, orient="row")


def figure_line(figure: present.Figure, rank: int | None = None) -> tuple:
    decimals = figure.indicator.decimals
    group = figure.unit.race_group

    def rounded(name: str, places: int) -> float | None:
        value = figure.row.get(name)
        return None if value is None else round(value, places)

    return (
        group.name if group else "",
        rank,
        str(figure.unit.name),
        str(figure.indicator.name),
        figure.indicator.measure,
        rounded("value", decimals),
        rounded("target", decimals),
        rounded("completion", fmt.PERCENT_DECIMALS),
        rounded("time_progress", fmt.PERCENT_DECIMALS),
        rounded("gap_pp", fmt.PERCENT_DECIMALS),
        str(figure.light.label),
    )


FIGURE_SCHEMA = {
    "group": pl.String,
    "rank": pl.Int64,
    "unit": pl.String,
    "indicator": pl.String,
    "measure": pl.String,
    "value": pl.Float64,
    "target": pl.Float64,
    "completion_percent": pl.Float64,
    "time_progress_percent": pl.Float64,
    "gap": pl.Float64,
    "light": pl.String,
}


def ranking_frame(groups: list[present.Group]) -> pl.DataFrame:
    """An indicator's ranking as shown: group, rank, unit and the figures, rounded."""
    lines = [figure_line(figure, rank) for group in groups for rank, figure in group.rows]
    return pl.DataFrame(lines, schema=FIGURE_SCHEMA, orient="row")


#: The file's column headings, in the reader's language.
HEADINGS = {
    "group": gettext_lazy("Race group"),
    "rank": gettext_lazy("Rank"),
    "unit": gettext_lazy("Unit"),
    "indicator": gettext_lazy("Indicator"),
    "measure": gettext_lazy("Unit of measure"),
    "value": gettext_lazy("Value"),
    "target": gettext_lazy("Target"),
    "completion_percent": gettext_lazy("Completion (%)"),
    "time_progress_percent": gettext_lazy("Time progress (%)"),
    "gap": gettext_lazy("Gap"),
    "light": gettext_lazy("Light"),
}


def for_people(found: pl.DataFrame) -> pl.DataFrame:
    """The frame with headings in the reader's language."""
    return found.rename({name: str(HEADINGS[name]) for name in found.columns})
