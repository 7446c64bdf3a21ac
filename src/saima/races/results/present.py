"""Rows for the results pages: published standings and explanations with names in the reader's
language, arrows and flags as words. Reads only the frozen snapshot (and names)."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from saima.common import formatting as fmt
from saima.common.engine_text import say
from saima.engine.frames import COMPARE_DIGITS
from saima.metrics.models import Indicator
from saima.org.models import RaceGroup, Unit
from saima.races.definitions.rules import METHOD_NAMES, METRIC_NAMES

FLAGS = {"red": gettext_lazy("red flag"), "yellow": gettext_lazy("yellow flag")}
REASONS = {
    "yellow_flag": gettext_lazy("yellow flag"),
    "last_place": gettext_lazy("last place of the group"),
    "red_light": gettext_lazy("red light"),
}


def at_least(value: float | None, decimals: int) -> float | None:
    """`value` rounded up at `decimals`: an improvement shown as 7.31 when 7.3003 is needed, so
    that doing what the page says is always enough."""
    if value is None or not math.isfinite(value):
        return value
    scale = 10**decimals
    return math.ceil(round(value * scale, 6)) / scale


def number(value: Any, decimals: int = 2) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return fmt.number(float(value), decimals)


@dataclass
class Names:
    """Display names for the codes a snapshot holds."""

    units: dict[str, Unit] = field(default_factory=dict)
    groups: dict[str, RaceGroup] = field(default_factory=dict)
    indicators: dict[str, Indicator] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Names:
        return cls(
            units={u.code: u for u in Unit.objects.all()},
            groups={g.code: g for g in RaceGroup.objects.all()},
            indicators={i.code: i for i in Indicator.objects.all()},
        )

    def unit(self, code: str) -> str:
        found = self.units.get(code)
        return found.name if found else code

    def group(self, code: str) -> str:
        found = self.groups.get(code)
        return found.name if found else code

    def item(self, code: str, indicator: str | None = None) -> str:
        found = self.indicators.get(indicator or code)
        if found is None:
            return code
        return found.name if code == found.code else f"{found.name} ({code})"


def arrow(change: int | None) -> tuple[str, str]:
    """The rank change as an arrow and words for screen readers."""
    if change is None:
        return "", ""
    if change > 0:
        return f"↑{change}", _("up %(n)s") % {"n": change}
    if change < 0:
        return f"↓{-change}", _("down %(n)s") % {"n": -change}
    return "=", _("unchanged")


def standings_groups(
    standings: list[dict[str, Any]],
    names: Names,
    decimals: int,
    missing: list[dict[str, Any]] = (),
) -> list[dict[str, Any]]:
    """The standings grouped by race group, each row ready for the table; `missing` (the
    missing figures, one row per unit and item) adds how many each ranked unit lacks."""
    lacking = Counter(row["unit"] for row in missing)
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in standings:
        change_text, change_words = arrow(row.get("rank_change"))
        notes = []
        if row.get("status") and row["status"] != "ranked":
            notes.append(_("not ranked: %(reason)s") % {"reason": say(row["status"])})
        elif lacking[row["unit"]]:
            count = lacking[row["unit"]]
            notes.append(
                ngettext(
                    "%(count)s figure missing, scored zero",
                    "%(count)s figures missing, scored zero",
                    count,
                )
                % {"count": count}
            )
        if row.get("veto"):
            notes.append(_("veto"))
        if row.get("progress_award"):
            notes.append(_("progress award"))
        if (row.get("last_places") or 0) > 1:
            notes.append(_("last %(n)s times running") % {"n": row["last_places"]})
        groups.setdefault(row["group"], []).append(
            {
                **row,
                "name": names.unit(row["unit"]),
                "total_text": number(row.get("total"), decimals),
                "bonus_text": number(row.get("bonus"), decimals),
                "deduction_text": number(row.get("deduction"), decimals),
                "change_text": change_text,
                "change_words": change_words,
                "change_class": ""
                if not row.get("rank_change")
                else ("up" if row["rank_change"] > 0 else "down"),
                "flag_text": FLAGS.get(row.get("flag") or "", ""),
                "notes": notes,
            }
        )
    order = {code: index for index, code in enumerate(names.groups)}
    return [
        {"code": code, "name": names.group(code), "rows": rows}
        for code, rows in sorted(groups.items(), key=lambda pair: order.get(pair[0], len(order)))
    ]


#: Metrics that are percentages or percentage points: shown at one decimal, as pages do.
_PERCENT_METRICS = {"completion": "%", "growth": "%", "gap": "pp", "growth_vs_target": "pp"}


@dataclass(frozen=True)
class ItemReading:
    """How a person reads an item's metric: its decimals, what follows a number of it, and which
    way is better (from the rules as published and the item's indicator)."""

    decimals: int
    measure: str
    lower: bool
    kind: str = "amount"

    def text(self, value: float | None) -> str:
        return _with_measure(number(value, self.decimals), self.measure, value is None)


def _with_measure(text: str, measure: str, empty: bool) -> str:
    if empty or not measure:
        return text
    if measure == "pp":
        return _("%(points)s pp") % {"points": text}
    return f"{text}{measure}" if measure == "%" else f"{text} {measure}"


def item_readings(rules: dict[str, Any], names: Names, decimals: int) -> dict[str, ItemReading]:
    """Per item of the published rules: the metric's decimals (the indicator's for a value, one
    for a percentage, the result's for manual points), its measure and its direction."""
    out = {}
    for item in rules.get("indicator") or []:
        if not isinstance(item, dict) or "code" not in item:
            continue
        code = str(item["code"])
        indicator = names.indicators.get(str(item.get("data") or code))
        lower = item.get("direction") == "lower"
        metric = item.get("metric")
        kind = str(item.get("kind") or "amount")
        if item.get("method") == "manual":
            out[code] = ItemReading(decimals, "", False, "manual")
        elif metric in _PERCENT_METRICS:
            measure = "%" if kind == "level" else _PERCENT_METRICS[metric]
            out[code] = ItemReading(fmt.PERCENT_DECIMALS, measure, lower, kind)
        elif indicator is not None:
            out[code] = ItemReading(indicator.decimals, indicator.measure, lower, kind)
        else:
            out[code] = ItemReading(2, "", lower, kind)
    return out


def _spreads(explanation: list[dict[str, Any]]) -> dict[tuple[str, str], float]:
    """Per (group, item): the spread of the metric over the units scored (max − min)."""
    found: dict[tuple[str, str], list[float]] = {}
    for row in explanation:
        value = row.get("metric_value")
        if isinstance(value, int | float) and math.isfinite(value):
            found.setdefault((row.get("group"), row.get("item")), []).append(float(value))
    return {key: max(values) - min(values) for key, values in found.items()}


def gain_text(row: dict[str, Any], reading: ItemReading, spread: float | None) -> str:
    """What would gain one place, in the item's direction: `35.0 → 29.5 (−5.5)` for a reduction
    where lower is better; said to be beyond reach when larger than the group's whole spread (or
    when it would take a level, a share or a count below zero)."""
    gain, now = row.get("gain_one_place"), row.get("metric_value")
    if gain is None or not math.isfinite(gain):
        return "—"
    step = at_least(gain, reading.decimals)
    sign = "−" if reading.lower else "+"
    change = f"{sign}{reading.text(step)}"
    if now is None or not math.isfinite(now):
        text = change
        after = None
    else:
        after = now - step if reading.lower else now + step
        text = f"{reading.text(now)} → {reading.text(after)} ({change})"
    beyond = spread is not None and spread > 0 and gain > spread + 10**-COMPARE_DIGITS
    below_zero = after is not None and reading.lower and now >= 0 and after < 0
    if below_zero:
        return _("%(change)s: beyond reach, it would go below zero") % {"change": text}
    if beyond:
        return _(
            "%(change)s: beyond plausible reach, more than the group's whole spread of %(spread)s"
        ) % {"change": text, "spread": reading.text(spread)}
    return text


#: What a level's metrics are, honestly: a level is never a completion rate.
LEVEL_METRIC_NAMES = {
    "completion": gettext_lazy("value relative to the target (%)"),
    "gap": gettext_lazy("relative deviation from the target (%)"),
}


def metric_name(metric: str | None, reading: ItemReading) -> str:
    if reading.kind == "level" and metric in LEVEL_METRIC_NAMES:
        return str(LEVEL_METRIC_NAMES[metric])
    return str(METRIC_NAMES.get(metric, metric or ""))


#: The intermediate each method scores from, named for what it is.
INTERMEDIATES = {
    "rank": gettext_lazy("place %(value)s"),
    "efficacy": gettext_lazy("%(value)s of the way from the group's worst to its best"),
    "attainment": gettext_lazy("%(value)s of the reference"),
    "linear": gettext_lazy("reference %(value)s"),
    "bands": gettext_lazy("band of %(value)s"),
}


def intermediate_text(row: dict[str, Any], reading: ItemReading) -> str:
    """The method's own intermediate: the place of a rank, the share of an efficacy, the ratio of
    an attainment, the reference of a linear item (in the metric's unit), the value a band reads."""
    method = row.get("method")
    template = INTERMEDIATES.get(method)
    if template is None:
        return "—"
    if method == "rank":
        value = row.get("place")
        text = None if value is None else str(value)
    elif method in ("efficacy", "attainment"):
        value = row.get("normalised")
        text = None if value is None else fmt.percent(value * 100)
    elif method == "linear":
        value = row.get("normalised")
        text = None if value is None else reading.text(value)
    else:
        value = row.get("metric_value")
        text = None if value is None else reading.text(value)
    return "—" if text is None else str(template) % {"value": text}


def explanation_rows(
    rows: list[dict[str, Any]],
    names: Names,
    decimals: int,
    order: list[str] | None = None,
    *,
    rules: dict[str, Any] | None = None,
    explanation: list[dict[str, Any]] | None = None,
) -> list[dict]:
    """The explanation rows of one unit, in the rules' order of items when given; each metric at
    its own decimals, the method's intermediate named, and what would gain one place read in the
    item's direction (`explanation`, every unit's rows, gives the group's spread)."""
    if order:
        place = {code: index for index, code in enumerate(order)}
        rows = sorted(rows, key=lambda row: place.get(row["item"], len(place)))
    readings = item_readings(rules or {}, names, decimals)
    spreads = _spreads(explanation if explanation is not None else rows)
    out = []
    for row in rows:
        reading = readings.get(row["item"]) or ItemReading(2, "", False)
        out.append(
            {
                **row,
                "name": names.item(row["item"], row.get("indicator")),
                "note_text": say(row.get("note")),
                "metric_text": metric_name(row.get("metric"), reading),
                "method_text": METHOD_NAMES.get(row.get("method"), row.get("method")),
                "value_text": reading.text(row.get("metric_value")),
                "intermediate_text": intermediate_text(row, reading),
                "points_text": number(row.get("points"), decimals),
                "weight_text": number(row.get("weight"), 2),
                "gain_text": gain_text(
                    row, reading, spreads.get((row.get("group"), row.get("item")))
                ),
                "lower": reading.lower,
                # What a reader (and the rounding test) takes the figures' decimals from: the
                # indicator's for a value, else the metric's own (percentages, points).
                "figure_attr": (
                    ("data-indicator", row.get("indicator"))
                    if row.get("metric") == "value" and row.get("indicator") in names.indicators
                    else ("data-decimals", reading.decimals)
                ),
            }
        )
    return out


#: Columns of the downloads rounded at the result's decimals (points), or at the item's.
_POINT_COLUMNS = ("total", "bonus", "deduction", "item_points", "points", "raw_points", "weight")


def rounded_for_people(
    rows: list[dict[str, Any]], readings: dict[str, ItemReading], decimals: int
) -> list[dict[str, Any]]:
    """Rows of a download meant for people: points at the result's decimals, each item's metric
    at its own (no `-0.5999999999999996`); what is not a figure is left as it is."""
    out = []
    for row in rows:
        row = dict(row)
        item = readings.get(str(row.get("item", "")))
        for key, value in row.items():
            if not isinstance(value, float) or not math.isfinite(value):
                continue
            if key in _POINT_COLUMNS or key.startswith("score_"):
                row[key] = round(value, decimals)
            elif key.startswith("metric_") and key[len("metric_") :] in readings:
                row[key] = round(value, readings[key[len("metric_") :]].decimals)
            elif key in ("metric_value", "x", "x_target", "gain_one_place") and item:
                row[key] = round(value, item.decimals)
            elif key == "normalised":
                row[key] = round(value, 4)
        out.append(row)
    return out


def rank_charts(publications, names: Names) -> list[dict[str, Any]]:
    """Standings over time, one chart per race group: each unit's rank at each published period
    (current versions). Ranks are within a group, so groups are not mixed in one chart."""
    if not publications:
        return []
    periods = [p.period for p in publications]
    ranks: dict[str, dict[str, list[int | None]]] = {}
    for index, publication in enumerate(publications):
        for row in publication.standings:
            series = ranks.setdefault(row["group"], {}).setdefault(
                row["unit"], [None] * len(periods)
            )
            series[index] = row.get("rank")
    order = {code: index for index, code in enumerate(names.groups)}
    return [
        {
            "id": f"rank-chart-{group}",
            "kind": "ranks",
            "title": names.group(group),
            "months": periods,
            "measure": _("rank"),
            "decimals": 0,
            "series": [{"name": names.unit(unit), "data": data} for unit, data in units.items()],
        }
        for group, units in sorted(ranks.items(), key=lambda pair: order.get(pair[0], len(order)))
    ]


def laggard_rows(rows: list[dict[str, Any]], names: Names) -> list[dict[str, Any]]:
    return [
        {
            **row,
            "name": names.unit(row["unit"]),
            "group_name": names.group(row["group"]),
            "reason_texts": [str(REASONS[r]) for r in row["reasons"]],
            "red_item_names": [names.item(code) for code in row["red_items"]],
        }
        for row in rows
    ]
