"""What a bulletin is drawn from, without a database: a race's standings and explanation with the
progress of its period, computed by the engine from the race's own inputs.

The server hands in a published snapshot (its standings, explanation and inputs, exactly as
frozen); `saima bulletin` hands in the race it has just computed from the files `saima race`
reads. Both then build the same facts.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import polars as pl

from saima.bulletins.facts import Indicator, Names, Source
from saima.engine import Period, RaceResult, Rules, compute_progress, specs_from_rules
from saima.races.results.selectors import laggards


def period_progress(
    rules: Rules, period: Period, targets: pl.DataFrame, actuals: pl.DataFrame
) -> pl.DataFrame:
    """The period's progress under the rules' schedules and thresholds, as the race saw it."""
    return compute_progress(
        targets, actuals, period, specs=specs_from_rules(rules), thresholds=rules.thresholds
    )


def make_source(
    *,
    kind: str,
    race: str,
    rules: Rules,
    period: Period,
    standings: list[dict[str, Any]],
    explanation: list[dict[str, Any]],
    targets: pl.DataFrame,
    actuals: pl.DataFrame,
    names: Names,
) -> Source:
    """A source from a result's rows and its inputs."""
    called = laggards(SimpleNamespace(standings=standings, explanation=explanation))
    return Source(
        kind=kind,
        race=race,
        rules=rules,
        period=period,
        standings=standings,
        explanation=explanation,
        progress=period_progress(rules, period, targets, actuals),
        laggards=called,
        names=names,
    )


def result_source(
    *,
    kind: str,
    race: str,
    rules: Rules,
    period: Period,
    result: RaceResult,
    targets: pl.DataFrame,
    actuals: pl.DataFrame,
    names: Names,
) -> Source:
    """A source from a race just computed (the CLI, a monthly comment)."""
    return make_source(
        kind=kind,
        race=race,
        rules=rules,
        period=period,
        standings=result.wide().to_dicts(),
        explanation=result.explanation().to_dicts(),
        targets=targets,
        actuals=actuals,
        names=names,
    )


def names_from_rules(rules: Rules, units: pl.DataFrame) -> Names:
    """Names for a race read from files: the files name units and groups by themselves, the
    rules name the items (or their codes do)."""
    items = {item.code: item.name or item.code for item in rules.items}
    indicators = {
        code: Indicator(name=item.name or code) for code, item in rules.indicators.items()
    }
    groups = dict.fromkeys(units["group"].fill_null("all").to_list())
    return Names(
        units={u: u for u in units["unit"].to_list()},
        groups={g: g for g in groups},
        items=items,
        indicators=indicators,
    )
