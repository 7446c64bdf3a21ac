"""Reading numbers back out of a bulletin's text, and the numbers a snapshot holds.

`snapshot_numbers` works from the result itself (standings, explanation, the progress the engine
computes from the result's own inputs, and the engine's digests of it), never from the bulletin's
facts, so that a template printing a wrong or unrounded figure fails the test.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

import polars as pl

from saima.engine import Period, Rules, digest

NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")


def numbers_in(text: str, names: Iterable[str] = ()) -> list[str]:
    """Every number written in `text`, after taking out the names (which may hold digits, as
    PM2.5 does)."""
    for name in sorted({n for n in names if n}, key=len, reverse=True):
        text = text.replace(name, " ")
    return [found.replace(",", "") for found in NUMBER.findall(text)]


def _add(out: set[str], value: Any, *decimals: int) -> None:
    if value is None or isinstance(value, bool):
        return
    number = float(value)
    if not math.isfinite(number):
        return
    for places in decimals:
        text = f"{abs(number):.{places}f}"
        out.add(text)


def snapshot_numbers(
    *,
    rules: Rules,
    period: Period,
    standings: list[dict[str, Any]],
    progress: pl.DataFrame,
    decimals_of: dict[str, int] | None = None,
) -> set[str]:
    """The numbers a bulletin of this result may print, each as it is published: totals at the
    rules' decimals, ranks and counts whole, percentages and points at one decimal, amounts at
    the indicator's decimals, ratios at two."""
    out: set[str] = set()
    decimals_of = decimals_of or {}
    _add(out, period.year, 0)
    _add(out, period.month, 0)
    out.add("1")  # "January to month N" and the first place of a group
    groups: dict[str, int] = {}
    for row in standings:
        _add(out, row.get("total"), rules.decimals)
        _add(out, row.get("rank"), 0)
        _add(out, row.get("rank_change"), 0)
        groups[row["group"]] = groups.get(row["group"], 0) + 1
    for count in (len(standings), len(groups), *groups.values()):
        _add(out, count, 0)
    for row in progress.iter_rows(named=True):
        for column in ("completion", "time_progress", "gap_pp", "projection"):
            _add(out, row[column], 1)
        _add(out, row["run_rate_needed"], decimals_of.get(row["indicator"], 2))
        _add(out, row["run_rate_ratio"], 2)
    for row in digest.area_progress(progress).iter_rows(named=True):
        for column in ("completion", "time_progress", "gap_pp", "projected_completion"):
            _add(out, row[column], 1)
    area = digest.area_progress(progress)
    _add(out, area.height, 0)
    _add(out, area["on_schedule"].sum() if area.height else 0, 0)
    for row in digest.behind(progress).iter_rows(named=True):
        _add(out, row["judged"], 0)
        _add(out, row["behind"], 0)
        _add(out, row["shortfall"], 1)
        _add(out, row["worst_gap"], 1)
    for row in digest.double_over_half(progress).iter_rows(named=True):
        _add(out, row["judged"], 0)
        _add(out, row["reached"], 0)
        _add(out, len(row["not_reached"]), 0)
    lights = digest.light_counts(progress)
    for light in digest.LIGHT_ORDER:
        _add(out, lights[light].sum() if lights.height else 0, 0)
    _add(out, lights.height, 0)
    return out
