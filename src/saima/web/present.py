"""What the pages show, built from the engine's progress rows: no formula here, only arrangement.

Every figure comes from `selectors.progress` (the engine); this module pairs rows with their unit
and indicator, formats them at the indicator's decimals, groups units by race group, orders them
for a ranking and shapes chart data.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

import polars as pl
from django.utils.dates import MONTHS_3
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from saima.common import formatting as fmt
from saima.common.lights import COUNTED, LIGHTS, Light
from saima.engine.frames import COMPARE_DIGITS, MISSING, SCHEDULED_KINDS
from saima.metrics.models import Indicator
from saima.org.models import RaceGroup, Unit


@dataclass
class Figure:
    """One unit's progress on one indicator: the engine's row, formatted for a page."""

    unit: Unit
    indicator: Indicator
    row: dict

    def _get(self, name: str) -> float | None:
        return self.row.get(name)

    @property
    def light(self) -> Light:
        return LIGHTS.get(self.row.get("light"), LIGHTS[None])

    @property
    def scheduled(self) -> bool:
        return self.indicator.kind in SCHEDULED_KINDS

    @property
    def reported(self) -> bool:
        return self._get("value") is not None

    def _amount(self, name: str) -> str:
        return fmt.with_measure(self._get(name), self.indicator.decimals, self.indicator.measure)

    @property
    def value_text(self) -> str:
        return self._amount("value")

    @property
    def target_text(self) -> str:
        return self._amount("target")

    @property
    def completion_text(self) -> str:
        return fmt.percent(self._get("completion"))

    @property
    def time_progress_text(self) -> str:
        return fmt.percent(self._get("time_progress"))

    @property
    def level(self) -> bool:
        return self.indicator.kind == Indicator.Kind.LEVEL

    @property
    def lower(self) -> bool:
        return self.indicator.direction == Indicator.Direction.LOWER

    @property
    def gap_text(self) -> str:
        """The gap: for amounts and counts completion − time progress, for growth actual − target
        (pp); for a level value − target in its own unit, read with its direction ("+6.1 pp",
        "5.0 µg/m³ over"), never a completion rate."""
        if self.level:
            return fmt.level_gap(
                self._get("level_gap"),
                self.indicator.decimals,
                self.indicator.measure,
                lower=self.lower,
            )
        return fmt.points(self._get("gap_pp"))

    @property
    def deviation_text(self) -> str:
        """A level's relative deviation from its target (%), what its light reads: labelled so."""
        value = self._get("gap_pp") if self.level else None
        if value is None:
            return fmt.DASH
        text = fmt.number(value, fmt.PERCENT_DECIMALS)
        return f"{text if value < 0 or text.strip('0.,') == '' else '+' + text}%"

    @property
    def over_half(self) -> bool | None:
        return self.row.get("double_over_half")

    @property
    def run_rate_text(self) -> str:
        return self._amount("run_rate_needed")

    @property
    def run_rate_ratio_text(self) -> str:
        return fmt.ratio(self._get("run_rate_ratio"))

    @property
    def required_growth_text(self) -> str:
        return fmt.percent(self._get("required_growth"))

    @property
    def projection_text(self) -> str:
        return self._amount("projection")

    @property
    def growth_text(self) -> str:
        return fmt.percent(self._get("growth"))

    @property
    def data(self) -> dict[str, str]:
        """Plain figures for data attributes: what a test or a script can read back."""
        decimals = self.indicator.decimals
        amounts = ("value", "target", "run_rate_needed", "projection")
        percents = ("completion", "time_progress", "gap_pp", "required_growth", "growth")
        if self.level:
            amounts += ("level_gap",)
        data = {name: fmt.fixed(self._get(name), decimals) for name in amounts}
        data |= {name: fmt.fixed(self._get(name), fmt.PERCENT_DECIMALS) for name in percents}
        data["run_rate_ratio"] = fmt.fixed(self._get("run_rate_ratio"), fmt.RATIO_DECIMALS)
        return {name.replace("_", "-"): text for name, text in data.items()}

    @property
    def tooltip(self) -> str:
        """The figure in words, for a cell's title and its hover box."""
        value, target, gap, light = _("Value"), _("Target"), _("Gap"), _("Light")
        lines = [
            f"{self.unit.name} · {self.indicator.name}",
            f"{value}: {self.value_text}",
            f"{target}: {self.target_text}",
        ]
        if self._get("completion") is not None:
            completion = _("Completion")
            lines.append(f"{completion}: {self.completion_text}")
        if self._get("time_progress") is not None:
            time_progress = _("Time progress")
            lines.append(f"{time_progress}: {self.time_progress_text}")
        lines.append(f"{gap}: {self.gap_text}")
        lines.append(f"{light}: {self.light.label} ({self.light.meaning})")
        return "\n".join(str(line) for line in lines)

    @property
    def key(self) -> str:
        """The cell's key in the page's tooltip data (`tips`): unit id and indicator id."""
        return f"{self.unit.pk}.{self.indicator.pk}"

    @property
    def tip(self) -> list[str | None]:
        """The tooltip's figures, formatted here: value and target as bare numbers (None when there
        is none; the indicator's unit of measure is sent once, in `tips`' `measures`), completion,
        time progress (None when there is none), gap, light."""
        decimals = self.indicator.decimals
        value, target = self._get("value"), self._get("target")
        completion = self.completion_text if self._get("completion") is not None else None
        due = self.time_progress_text if self._get("time_progress") is not None else None
        return [
            None if value is None else fmt.number(value, decimals),
            None if target is None else fmt.number(target, decimals),
            completion,
            due,
            self.gap_text,
            self.light.key,
        ]

    @cached_property
    def bar(self) -> dict[str, float] | None:
        """Widths (% of the bar) of completion and the time-progress marker, if on a schedule."""
        done, due = self._get("completion"), self._get("time_progress")
        if not self.scheduled or done is None or due is None:
            return None
        scale = max(100.0, done, due)
        return {"done": max(done, 0.0) * 100 / scale, "due": due * 100 / scale}


def figures(
    frame: pl.DataFrame, units: dict[str, Unit], indicators: dict[str, Indicator]
) -> list[Figure]:
    """The engine's rows paired with their unit and indicator, in unit then indicator order."""
    found = [
        Figure(units[row["unit"]], indicators[row["indicator"]], row)
        for row in frame.iter_rows(named=True)
        if row["unit"] in units and row["indicator"] in indicators
    ]
    return sorted(found, key=lambda f: (_unit_key(f.unit), f.indicator.order, f.indicator.code))


def measure_suffix(measure: str) -> str:
    """What follows a number of this unit of measure, as `fmt.with_measure` writes it."""
    if not measure:
        return ""
    return measure if measure == "%" else f" {measure}"


def tips(found: Iterable[Figure], unit_url=None) -> dict:
    """What the page's script needs to show a cell's figures on hover or focus, in one blob.

    Every figure is text formatted here at the indicator's decimals, every label translated here:
    the script only arranges them. `cells` is keyed by `Figure.key` (a cell's `data-k`); the
    names of units and indicators, each indicator's unit of measure (`measures`: the text that
    follows a value or a target, `dash` standing for a missing one) and code (`codes`), and each
    unit's page (`links`, from `unit_url(unit)`) are sent once, not per cell. A cell of the grid
    links to `links[unit] + "#ind-" + codes[indicator]`.
    """
    units: dict[str, str] = {}
    links: dict[str, str] = {}
    indicators: dict[str, str] = {}
    measures: dict[str, str] = {}
    codes: dict[str, str] = {}
    cells: dict[str, list] = {}
    for figure in found:
        unit, indicator = figure.unit, figure.indicator
        unit_id, indicator_id = str(unit.pk), str(indicator.pk)
        if unit_id not in units:
            units[unit_id] = str(unit.name)
            if unit_url is not None:
                links[unit_id] = unit_url(unit)
        if indicator_id not in indicators:
            indicators[indicator_id] = str(indicator.name)
            measures[indicator_id] = measure_suffix(indicator.measure)
            codes[indicator_id] = indicator.code
        cells[figure.key] = figure.tip
    return {
        "labels": {
            "value": str(_("Value")),
            "target": str(_("Target")),
            "completion": str(_("Completion")),
            "time_progress": str(_("Time progress")),
            "gap": str(_("Gap")),
            "light": str(_("Light")),
        },
        "lights": {light.key: f"{light.label} ({light.meaning})" for light in LIGHTS.values()},
        "dash": fmt.DASH,
        "units": units,
        "links": links,
        "indicators": indicators,
        "measures": measures,
        "codes": codes,
        "cells": cells,
    }


def _group_key(group: RaceGroup | None) -> tuple:
    return (1, 0, "") if group is None else (0, group.order, group.code)


def _unit_key(unit: Unit) -> tuple:
    return (*_group_key(unit.race_group), unit.order, unit.code)


@dataclass
class Group:
    """Units of one race group (or of none), each with what the page shows for it."""

    group: RaceGroup | None
    rows: list = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.group.name if self.group else str(_("Not in a race group"))


def by_group(items: Iterable, unit_of=lambda item: item) -> list[Group]:
    """Items grouped by their unit's race group, groups in their order."""
    groups: dict[int | None, Group] = {}
    for item in sorted(items, key=lambda i: _unit_key(unit_of(i))):
        unit = unit_of(item)
        groups.setdefault(unit.race_group_id, Group(unit.race_group)).rows.append(item)
    return list(groups.values())


def light_counts(items: Iterable[Figure]) -> dict[str, int]:
    counts = Counter(f.row.get("light") for f in items)
    return {key: counts.get(key, 0) for key in COUNTED}


def light_counts_by(items: Iterable[Figure], key) -> dict:
    """Light counts per `key(figure)` (a unit, an indicator), in one pass."""
    parts: dict = defaultdict(list)
    for figure in items:
        parts[key(figure)].append(figure)
    return defaultdict(lambda: light_counts([]), {k: light_counts(v) for k, v in parts.items()})


@dataclass
class UnitRow:
    unit: Unit
    cells: list[Figure | None]


@dataclass
class Board:
    """The overview: the grid of lights, its counts, the not-reported list, double over half."""

    indicators: list[Indicator]
    groups: list[Group]
    counts: dict[str, int]
    not_reported: list[tuple[Unit, list[Indicator]]]
    half_year: Board | None = None

    @classmethod
    def build(cls, found: list[Figure], *, half_year: bool) -> Board:
        board = cls._grid(found)
        if half_year:
            # Double over half is for amounts and counts where more is better (half the task).
            board.half_year = cls._grid([f for f in found if f.scheduled and not f.lower])
        return board

    @classmethod
    def _grid(cls, found: list[Figure]) -> Board:
        indicators = sorted({f.indicator for f in found}, key=lambda i: (i.order, i.code))
        cells: dict[Unit, dict[Indicator, Figure]] = defaultdict(dict)
        for figure in found:
            cells[figure.unit][figure.indicator] = figure
        rows = [UnitRow(unit, [by.get(i) for i in indicators]) for unit, by in cells.items()]
        missing = [
            (row.unit, [c.indicator for c in row.cells if c and c.row.get("light") == MISSING])
            for row in rows
        ]
        return cls(
            indicators=indicators,
            groups=by_group(rows, lambda row: row.unit),
            counts=light_counts(found),
            not_reported=[(unit, names) for unit, names in missing if names],
        )

    @property
    def over_half(self) -> int:
        """How many unit × indicator pairs are double over half."""
        return sum(
            1
            for group in self.groups
            for row in group.rows
            for cell in row.cells
            if cell and cell.row.get("double_over_half")
        )

    @property
    def pairs(self) -> int:
        return sum(1 for group in self.groups for row in group.rows for cell in row.cells if cell)


def _rank_value(figure: Figure) -> float | None:
    """What a unit is ranked by: completion for amounts and counts, the value otherwise."""
    name = "completion" if figure.scheduled else "value"
    value = figure.row.get(name)
    if value is None or not figure.row.get("applicable", True):
        return None
    value = round(value, COMPARE_DIGITS)
    return -value if figure.indicator.direction == Indicator.Direction.LOWER else value


def ranked(found: list[Figure]) -> list[Group]:
    """Units ranked within their race group on one indicator (ties share the better place)."""
    groups = by_group(found, lambda f: f.unit)
    for group in groups:
        scores = [_rank_value(f) for f in group.rows]
        order = sorted(
            range(len(group.rows)),
            key=lambda i: (scores[i] is None, -(scores[i] or 0), _unit_key(group.rows[i].unit)),
        )
        known = [s for s in scores if s is not None]
        group.rows = [
            (None if scores[i] is None else 1 + sum(s > scores[i] for s in known), group.rows[i])
            for i in order
        ]
    return groups


def trend_charts(found: list[Figure], series: pl.DataFrame, year: int) -> list[dict]:
    """Per indicator, this year's and last year's cumulative figures month by month."""
    months = list(range(1, 13))
    charts = []
    for figure in found:
        indicator = figure.indicator
        rows = series.filter(pl.col("indicator") == indicator.code)
        by_year: dict[int, dict[int, float | None]] = defaultdict(dict)
        for row in rows.iter_rows(named=True):
            by_year[row["year"]][row["month"]] = row["value"]
        charts.append(
            {
                "id": f"trend-{indicator.code}",
                "title": indicator.name,
                "measure": indicator.measure,
                "decimals": indicator.decimals,
                "months": [capfirst(str(MONTHS_3[m])) for m in months],
                "series": [
                    {"name": str(y), "data": [by_year[y].get(m) for m in months]}
                    for y in (year, year - 1)
                ],
            }
        )
    return charts
