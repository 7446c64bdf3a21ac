"""The test oracle of `saima.engine.gains`: the same answers, found the slow and plain way.

For one unit and one item at a time, the unit's metric is improved by candidate amounts, the item
is re-scored for the whole group with `score` as the race scores it, the totals are ranked again
with the race's own ranking, and the smallest amount that lifts the unit a place wins. No group
statistic is worked out by hand, so nothing here can drift from the race: the fast `gains`, which
works them out, is checked against this on random races.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import polars as pl

from saima.engine.frames import COMPARE_DIGITS
from saima.engine.race import GROUP, RaceResult, rank_totals, unit_totals
from saima.engine.rules import Item, Rules
from saima.engine.scoring import better, score

_GRID = 64
_CHUNK = 64


def gains_oracle(result: RaceResult, units: Sequence[str] | None = None) -> pl.DataFrame:
    """For each unit and item: the smallest improvement of the metric that gains one place.

    The improvement is in the metric's own terms (percentage points of gap, points of a manual
    score...), in the better direction, rounded up to the rules' decimals; "gaining a place"
    means a better rank, which may be shared with the unit drawn level with. Null where no
    improvement on that item alone is enough (full points already, or the unit is first).
    Other units' figures are held as they are; their points on the item may still move (a new
    group maximum lowers everyone else's efficacy score), so each scenario re-scores that item
    for the whole group, and only that item: the others cannot change.
    """
    rules = result.rules
    standings = result.standings.filter(pl.col("rank") > 1)
    if units is not None:
        standings = standings.filter(pl.col("unit").is_in(list(units)))
    totals = unit_totals(rules, result.scored, result.adjustments, GROUP)
    rows = []
    for unit, group, rank in standings.select("unit", "group", "rank").iter_rows():
        members = result.scored.filter(pl.col("group") == group)
        group_totals = totals.filter(pl.col("group") == group)
        for item in rules.items:
            case = _Case(rules, members, group_totals, unit, item, rank)
            rows.append({"unit": unit, "item": item.code, "gain_one_place": case.smallest()})
    schema = {"unit": pl.String, "item": pl.String, "gain_one_place": pl.Float64}
    return pl.DataFrame(rows, schema=schema)


class _Case:
    """One unit, one item: which improvement of the item's metric lifts the unit a place."""

    def __init__(
        self,
        rules: Rules,
        members: pl.DataFrame,
        totals: pl.DataFrame,
        unit: str,
        item: Item,
        rank: int,
    ) -> None:
        self.rules, self.unit, self.item, self.rank = rules, unit, item, rank
        self.rows = members.filter(pl.col("item") == item.code)
        self.totals = totals.select("group", "unit", "total", "tie", "veto", "excluded")
        mine = self.rows.filter(pl.col("unit") == unit)
        self.usable = mine.height == 1 and bool(mine["participant"][0])
        self.x = mine["x"][0] if self.usable else None
        self.taking_part = self.usable and bool(mine["taking_part"][0])
        self.sign = -1.0 if item.lower_is_better else 1.0

    def smallest(self) -> float | None:
        if not self.usable:
            return None
        others = self.rows.filter(pl.col("participant") & (pl.col("unit") != self.unit))["x"]
        scale = 10.0**self.rules.decimals
        candidates = _exact_candidates(self.item, self.x, others, 1 / scale)
        if candidates is not None:
            return self._first_winning(candidates)
        tie_break = self.rules.tie_break == self.item.code
        bounds = _upper_bounds(self.item, self.x, others, tie_break, self.taking_part)
        high = self._first_winning(bounds)
        if high is None:
            return None
        low = max([b for b in bounds if b < high], default=0.0)
        while (high - low) * scale > _GRID:
            step = (high - low) / _GRID
            found = self._first_winning([low + step * k for k in range(1, _GRID + 1)])
            if found is None:  # cannot happen: high itself wins
                break
            low, high = max(low, found - step), found
        # The answer at the published precision: the smallest multiple of 1/scale that wins.
        first, last = math.floor(low * scale), math.ceil(round(high * scale, 6))
        exact = self._first_winning([k / scale for k in range(max(first, 1), last + 1)])
        return high if exact is None else exact

    def _first_winning(self, deltas: Sequence[float]) -> float | None:
        """The smallest of `deltas` that lifts the unit above its rank, in chunks."""
        for start in range(0, len(deltas), _CHUNK):
            chunk = list(deltas[start : start + _CHUNK])
            found = self._winning(chunk)
            if found is not None:
                return found
        return None

    def _winning(self, deltas: list[float]) -> float | None:
        item = self.item
        scenarios = pl.DataFrame({"scenario": list(range(len(deltas))), "delta": deltas})
        mine = pl.col("unit") == self.unit
        frame = self.rows.join(scenarios, how="cross").with_columns(
            x=pl.when(mine).then(pl.lit(self.x) + self.sign * pl.col("delta")).otherwise("x")
        )
        keys = ["scenario"]
        factor = pl.col("weight") / item.weight
        stale = ("taking_part", "place", "normalised", "raw_points")
        rescored = score(frame.drop(stale), [item], keys)
        new_points = pl.when(pl.col("applicable") & ~pl.col("excluded")).then(
            (pl.col("raw_points") * factor).round(COMPARE_DIGITS)
        )
        change = rescored.select(
            "scenario",
            "unit",
            (new_points.fill_null(0.0) - pl.col("points").fill_null(0.0)).alias("change"),
            better(item, pl.col("x")).round(COMPARE_DIGITS).alias("new_tie"),
        )
        totals = self.totals.join(scenarios.select("scenario"), how="cross").join(
            change, on=["scenario", "unit"], how="left"
        )
        tie = pl.col("tie")
        if self.rules.tie_break == item.code:
            tie = pl.when(mine).then(pl.col("new_tie")).otherwise(tie)
        totals = totals.with_columns(
            total=(pl.col("total") + pl.col("change").fill_null(0.0)).round(COMPARE_DIGITS),
            tie=tie,
        )
        ranked = rank_totals(self.rules, totals, keys).filter(mine & (pl.col("rank") < self.rank))
        if ranked.height == 0:
            return None
        return float(ranked.join(scenarios, on="scenario")["delta"].min())


def _upper_bounds(
    item: Item, x: float, others: pl.Series, tie_break: bool, taking_part: bool
) -> list[float]:
    """Growing deltas to bracket the answer; the last is large enough that more cannot help.
    Also where the standing may jump (the qualify threshold) or draw level on the tie-break."""
    if item.method == "manual":
        room = item.weight - x
        return [room] if room > 0 else []
    known = [v for v in others.to_list() if v is not None]
    values = [*known, x]
    spread = max(max(values) - min(values), abs(x), 1.0)
    found = [spread, spread * 10, spread * 100, spread * 1000]
    sign = -1.0 if item.lower_is_better else 1.0
    if item.qualify is not None:
        crossing = sign * (item.qualify - x)
        found.append(crossing)
        if tie_break and not taking_part:  # only the tie-break moves before the crossing
            found += [sign * (v - x) for v in known if sign * (v - x) < crossing]
    return sorted({round(v, COMPARE_DIGITS) for v in found if round(v, COMPARE_DIGITS) > 0})


def _exact_candidates(
    item: Item, x: float, others: pl.Series, epsilon: float
) -> list[float] | None:
    """Where the points of rank and bands change; continuous methods return None.

    Under `rank`, drawing level with a unit shares its place, and passing it (by `epsilon`, one
    unit of the last displayed decimal) also pushes it down a place: both are candidates.
    """
    sign = -1.0 if item.lower_is_better else 1.0
    if item.method == "rank":
        ties = [sign * (v - x) for v in others.to_list() if v is not None]
        values = ties + [t + epsilon for t in ties]
    elif item.method == "bands":
        # the thresholds, and drawing level with another (the item may be the tie-break)
        values = [sign * (t - x) for t, _ in item.bands or []]
        values += [sign * (v - x) for v in others.to_list() if v is not None]
    else:
        return None
    if item.qualify is not None:  # crossing the threshold makes the unit take part
        values.append(sign * (item.qualify - x))
    return sorted({round(v, COMPARE_DIGITS) for v in values if round(v, COMPARE_DIGITS) > 0})
