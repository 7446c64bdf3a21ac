"""The leader's dashboard: what a leader asks before a meeting, on one printable screen.

Every figure is the engine's (`engine.digest` over the progress rows, a race's published
standings); this module only pairs codes with names and formats at the indicator's decimals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from saima.common import formatting as fmt
from saima.common.lights import LIGHTS
from saima.engine import Period, digest
from saima.metrics.models import Indicator
from saima.org.access import Access
from saima.org.models import Unit
from saima.races.definitions.selectors import visible_races
from saima.races.models import Publication
from saima.races.results import present as race_present
from saima.races.results.selectors import current_publications


@dataclass
class RaceStandings:
    race: Any
    publication: Publication
    groups: list[dict[str, Any]]


@dataclass
class Dashboard:
    period: Period
    previous: Period | None
    races: list[RaceStandings] = field(default_factory=list)
    lights: list[dict[str, Any]] = field(default_factory=list)
    half: list[dict[str, Any]] = field(default_factory=list)
    behind: list[dict[str, Any]] = field(default_factory=list)
    worse: list[dict[str, Any]] = field(default_factory=list)
    better: list[dict[str, Any]] = field(default_factory=list)
    #: Changes left off the screen (the largest moves are shown, CHANGES_SHOWN each way).
    more_worse: int = 0
    more_better: int = 0


#: How many light changes each way the one screen shows.
CHANGES_SHOWN = 6


def latest_standings(access: Access) -> list[RaceStandings]:
    """Each visible race's latest published period (its current version), grouped for a table."""
    names = race_present.Names.load()
    found = []
    for race in visible_races(access).filter(active=True):
        publications = current_publications(race)
        if not publications:
            continue
        latest = max(publications, key=lambda p: (p.period[:4], _period_order(p.period)))
        groups = race_present.standings_groups(latest.standings, names, latest.decimals)
        found.append(RaceStandings(race, latest, groups))
    return found


def _period_order(label: str) -> int:
    """Months covered by a period label (2026-03 → 3, 2026-Q2 → 6, 2026-H1 → 6, 2026 → 12)."""
    tail = label[5:]
    if not tail:
        return 12
    if tail[0] in "Qq":
        return int(tail[1:]) * 3
    if tail[0] in "Hh":
        return int(tail[1:]) * 6
    return int(tail)


def _gap_text(indicator: Indicator, gap: float | None) -> str:
    if indicator.kind == Indicator.Kind.LEVEL:
        return fmt.with_measure(gap, indicator.decimals, indicator.measure)
    return fmt.points(gap)


def build(
    access: Access,
    period: Period,
    previous: Period | None,
    progress: pl.DataFrame,
    before: pl.DataFrame | None,
) -> Dashboard:
    indicators = {i.code: i for i in Indicator.objects.all()}
    units = {u.code: u for u in Unit.objects.all()}
    board = Dashboard(period=period, previous=previous, races=latest_standings(access))

    def order(code: str) -> tuple:
        indicator = indicators.get(code)
        return (indicator.order, code) if indicator else (10**6, code)

    counts = {row["indicator"]: row for row in digest.light_counts(progress).iter_rows(named=True)}
    for code in sorted(counts, key=order):
        if code not in indicators:
            continue
        row = counts[code]
        board.lights.append(
            {
                "indicator": indicators[code],
                "cells": [(LIGHTS[key], row.get(key, 0)) for key in ("green", "yellow", "red")]
                + [(LIGHTS["missing"], row.get("missing", 0))],
                "total": sum(row.get(key, 0) for key in ("green", "yellow", "red", "missing")),
            }
        )
    if period.is_half_year:
        for row in digest.double_over_half(progress).iter_rows(named=True):
            indicator = indicators.get(row["indicator"])
            if indicator is None:
                continue
            board.half.append(
                {
                    "indicator": indicator,
                    "reached": row["reached"],
                    "judged": row["judged"],
                    "not_reached": [_name(units, code) for code in row["not_reached"]],
                }
            )
        board.half.sort(key=lambda item: (item["indicator"].order, item["indicator"].code))
    for row in digest.behind(progress).iter_rows(named=True):
        indicator = indicators.get(row["indicator"])
        if indicator is None:
            continue
        board.behind.append(
            {
                "indicator": indicator,
                "behind": row["behind"],
                "judged": row["judged"],
                "red": row["red"],
                "shortfall": fmt.points(row["shortfall"]),
                "worst_unit": _name(units, row["worst_unit"]),
                "worst_code": row["worst_unit"],
                "worst_gap": _gap_text(indicator, row["worst_gap"]),
            }
        )
    if before is not None:
        for row in digest.light_changes(before, progress).iter_rows(named=True):
            indicator = indicators.get(row["indicator"])
            if indicator is None:
                continue
            item = {
                "indicator": indicator,
                "unit": _name(units, row["unit"]),
                "unit_code": row["unit"],
                "before": LIGHTS[row["light_before"]],
                "after": LIGHTS[row["light"]],
                "gap_before": _gap_text(indicator, row["gap_before"]),
                "gap": _gap_text(indicator, row["gap_pp"]),
            }
            (board.better if row["better"] else board.worse).append(item)
    board.more_worse = max(0, len(board.worse) - CHANGES_SHOWN)
    board.more_better = max(0, len(board.better) - CHANGES_SHOWN)
    board.worse, board.better = board.worse[:CHANGES_SHOWN], board.better[:CHANGES_SHOWN]
    return board


def _name(units: dict[str, Unit], code: str) -> str:
    unit = units.get(code)
    return unit.name if unit else code
