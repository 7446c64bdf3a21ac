"""Rows for the results pages: published standings and explanations with names in the reader's
language, arrows and flags as words. Reads only the frozen snapshot (and names)."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from saima.common.engine_text import say
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
    return f"{value:,.{decimals}f}"


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


def explanation_rows(
    rows: list[dict[str, Any]], names: Names, decimals: int, order: list[str] | None = None
) -> list[dict]:
    """The explanation rows of one unit, in the rules' order of items when given."""
    if order:
        place = {code: index for index, code in enumerate(order)}
        rows = sorted(rows, key=lambda row: place.get(row["item"], len(place)))
    out = []
    for row in rows:
        out.append(
            {
                **row,
                "name": names.item(row["item"], row.get("indicator")),
                "note_text": say(row.get("note")),
                "metric_text": METRIC_NAMES.get(row.get("metric"), row.get("metric")),
                "method_text": METHOD_NAMES.get(row.get("method"), row.get("method")),
                "value_text": number(row.get("metric_value"), 2),
                "normalised_text": number(row.get("normalised"), 4),
                "points_text": number(row.get("points"), decimals),
                "weight_text": number(row.get("weight"), 2),
                "gain_text": number(at_least(row.get("gain_one_place"), decimals), decimals),
            }
        )
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
