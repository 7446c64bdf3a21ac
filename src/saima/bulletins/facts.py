"""The facts of a bulletin: every figure its text, tables and charts may use, drawn once from a
race's result (a published snapshot, or the CLI's computed race) and the period's progress.

The facts are plain JSON, stored with the bulletin: a draft's text is written from them, an
issued bulletin keeps them, and a document drawn from them again gives the same figures. Nothing
here touches the database, so the server and `saima bulletin` build them the same way; what the
figures mean is computed by the engine (`saima.engine.digest`), not here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from saima.engine import Period, Rules, digest

#: Characters XML 1.0 (and so DOCX and XLSX) cannot hold: C0 controls but tab and newline,
#: lone surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: The longest name a document prints; longer names are cut with an ellipsis.
NAME_LIMIT = 120
#: How many indicators the text names where many are behind, gaps, run rates.
TOP = 5

RACE = "race"
MONTHLY = "monthly"


def xml_text(value: object) -> str:
    """`value` without the characters XML cannot hold, spaces kept."""
    return _NOT_XML.sub("", "" if value is None else str(value))


def safe_text(value: object, limit: int | None = None) -> str:
    """Text every document format can hold: no control characters, at most `limit` long."""
    text = _NOT_XML.sub("", "" if value is None else str(value)).strip()
    text = " ".join(text.split()) if "\n" not in text else text
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


@dataclass(frozen=True)
class Indicator:
    """A data indicator as a document names and measures it."""

    name: str
    measure: str = ""
    decimals: int = 2


@dataclass(frozen=True)
class Names:
    """Display names, in the document's language, for the codes of a result."""

    units: Mapping[str, str] = field(default_factory=dict)
    #: Race groups in display order.
    groups: Mapping[str, str] = field(default_factory=dict)
    #: Scored items (the rules' codes).
    items: Mapping[str, str] = field(default_factory=dict)
    #: Data indicators (an item's `source`).
    indicators: Mapping[str, Indicator] = field(default_factory=dict)

    def unit(self, code: str) -> str:
        return safe_text(self.units.get(code, code), NAME_LIMIT)

    def group(self, code: str) -> str:
        return safe_text(self.groups.get(code, code), NAME_LIMIT)

    def item(self, code: str) -> str:
        return safe_text(self.items.get(code, code), NAME_LIMIT)

    def indicator(self, code: str) -> Indicator:
        found = self.indicators.get(code) or Indicator(name=code)
        return Indicator(
            name=safe_text(found.name, NAME_LIMIT),
            measure=safe_text(found.measure, 32),
            decimals=found.decimals,
        )


@dataclass(frozen=True)
class Source:
    """What a bulletin is drawn from: one race's result for one period, and its progress."""

    kind: str
    race: str
    rules: Rules
    period: Period
    #: The standings as published (`RaceResult.wide()`): rank, total, flag, scores per item.
    standings: list[dict[str, Any]]
    #: The explanation rows: unit × item, with the light.
    explanation: list[dict[str, Any]]
    #: The period's progress (`compute_progress` on the result's own inputs).
    progress: pl.DataFrame
    #: The units that must make statements (`races.results.selectors.laggards`).
    laggards: list[dict[str, Any]]
    names: Names


def _number(value: Any) -> float | None:
    """A finite float, or None: the facts hold no NaN nor infinity (JSON has neither)."""
    if value is None or isinstance(value, bool):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _group_order(source: Source) -> list[str]:
    present = []
    for row in source.standings:
        if row["group"] not in present:
            present.append(row["group"])
    order = {code: index for index, code in enumerate(source.names.groups)}
    return sorted(present, key=lambda code: (order.get(code, len(order)), present.index(code)))


def _unit_ref(source: Source, row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "unit": row["unit"],
        "name": source.names.unit(row["unit"]),
        "group": source.names.group(row["group"]),
        "rank": row.get("rank"),
    }


def _standings(source: Source) -> list[dict[str, Any]]:
    groups = []
    for code in _group_order(source):
        rows = [row for row in source.standings if row["group"] == code]
        rows.sort(key=lambda r: (r.get("rank") is None, r.get("rank") or 0, r["unit"]))
        groups.append(
            {
                "code": code,
                "name": source.names.group(code),
                "rows": [
                    {
                        "unit": row["unit"],
                        "name": source.names.unit(row["unit"]),
                        "rank": row.get("rank"),
                        "total": _number(row.get("total")),
                        "bonus": _number(row.get("bonus")),
                        "deduction": _number(row.get("deduction")),
                        "change": row.get("rank_change"),
                        "flag": row.get("flag") or "",
                        "veto": bool(row.get("veto")),
                        "award": bool(row.get("progress_award")),
                        "ranked": (row.get("status") or "ranked") == "ranked",
                        "last_places": row.get("last_places"),
                    }
                    for row in rows
                ],
            }
        )
    return groups


def _distinctions(source: Source) -> dict[str, list[dict[str, Any]]]:
    rows = sorted(
        source.standings,
        key=lambda r: (_group_order(source).index(r["group"]), r.get("rank") or 0, r["unit"]),
    )
    return {
        "red": [_unit_ref(source, r) for r in rows if r.get("flag") == "red"],
        "yellow": [_unit_ref(source, r) for r in rows if r.get("flag") == "yellow"],
        "award": [_unit_ref(source, r) for r in rows if r.get("progress_award")],
        "veto": [_unit_ref(source, r) for r in rows if r.get("veto")],
    }


def _movers(source: Source) -> dict[str, list[dict[str, Any]]]:
    rose, fell = digest.movers(source.standings)
    return {
        "rose": [{**_unit_ref(source, r), "change": r["rank_change"]} for r in rose],
        "fell": [{**_unit_ref(source, r), "change": r["rank_change"]} for r in fell],
    }


def _indicator_ref(source: Source, code: str) -> dict[str, Any]:
    found = source.names.indicator(code)
    return {
        "indicator": code,
        "name": found.name,
        "measure": found.measure,
        "decimals": found.decimals,
    }


def _area(source: Source) -> list[dict[str, Any]]:
    rows = digest.area_progress(source.progress).to_dicts()
    return [
        {
            **_indicator_ref(source, row["indicator"]),
            "direction": row["direction"],
            "units": row["units"],
            "value": _number(row["value"]),
            "target": _number(row["target"]),
            "completion": _number(row["completion"]),
            "time_progress": _number(row["time_progress"]),
            "gap": _number(row["gap_pp"]),
            "projection": _number(row["projection"]),
            "projected_completion": _number(row["projected_completion"]),
            "on_schedule": bool(row["on_schedule"]),
        }
        for row in _in_rules_order(source, rows)
    ]


def _in_rules_order(source: Source, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    order = {code: index for index, code in enumerate(source.rules.indicators)}
    return sorted(rows, key=lambda row: (order.get(row["indicator"], len(order)), row["indicator"]))


def _behind(source: Source) -> list[dict[str, Any]]:
    return [
        {
            **_indicator_ref(source, row["indicator"]),
            "kind": row["kind"],
            "judged": row["judged"],
            "behind": row["behind"],
            "red": row["red"],
            "shortfall": _number(row["shortfall"]),
            "worst": source.names.unit(row["worst_unit"]),
            "worst_gap": _number(row["worst_gap"]),
        }
        for row in digest.behind(source.progress).to_dicts()
    ]


def _half(source: Source) -> list[dict[str, Any]] | None:
    found = digest.double_over_half(source.progress).to_dicts()
    if not found:
        return None
    return [
        {
            **_indicator_ref(source, row["indicator"]),
            "judged": row["judged"],
            "reached": row["reached"],
            "not_reached": [source.names.unit(u) for u in row["not_reached"]],
        }
        for row in _in_rules_order(source, found)
    ]


def _lights(source: Source) -> dict[str, Any]:
    """The lights grid (unit × data indicator) and its counts per indicator."""
    codes = [code for code in source.rules.indicators if code in set(source.progress["indicator"])]
    by_pair = {
        (unit, indicator): light
        for unit, indicator, light in source.progress.select(
            "unit", "indicator", "light"
        ).iter_rows()
    }
    units = []
    for group in _standings(source):
        for row in group["rows"]:
            units.append(
                {
                    "unit": row["unit"],
                    "name": row["name"],
                    "group": group["name"],
                    "lights": [by_pair.get((row["unit"], code)) for code in codes],
                }
            )
    counts = {row["indicator"]: row for row in digest.light_counts(source.progress).to_dicts()}
    return {
        "indicators": [_indicator_ref(source, code) for code in codes],
        "units": units,
        "counts": [
            {light: counts.get(code, {}).get(light, 0) for light in digest.LIGHT_ORDER}
            for code in codes
        ],
        "total": {
            light: sum(counts.get(code, {}).get(light, 0) for code in codes)
            for light in digest.LIGHT_ORDER
        },
    }


def _gaps(source: Source) -> list[dict[str, Any]]:
    return [
        {
            **_indicator_ref(source, row["indicator"]),
            "unit": source.names.unit(row["unit"]),
            "completion": _number(row["completion"]),
            "time_progress": _number(row["time_progress"]),
            "gap": _number(row["gap_pp"]),
        }
        for row in digest.largest_gaps(source.progress, TOP).to_dicts()
    ]


def _run_rates(source: Source) -> list[dict[str, Any]]:
    return [
        {
            **_indicator_ref(source, row["indicator"]),
            "unit": source.names.unit(row["unit"]),
            "value": _number(row["value"]),
            "target": _number(row["target"]),
            "needed": _number(row["run_rate_needed"]),
            "ratio": _number(row["run_rate_ratio"]),
        }
        for row in digest.run_rates(source.progress, TOP).to_dicts()
    ]


def _annex(source: Source) -> dict[str, Any]:
    """Every item's score for every unit, in the standings' order."""
    items = [item.code for item in source.rules.items]
    rows = []
    for group in _standings(source):
        by_unit = {row["unit"]: row for row in source.standings if row["group"] == group["code"]}
        for row in group["rows"]:
            published = by_unit[row["unit"]]
            rows.append(
                {
                    "unit": row["unit"],
                    "name": row["name"],
                    "group": group["name"],
                    "rank": row["rank"],
                    "total": row["total"],
                    "scores": [_number(published.get(f"score_{code}")) for code in items],
                }
            )
    return {
        "items": [
            {"code": item.code, "name": source.names.item(item.code), "weight": item.weight}
            for item in source.rules.items
        ],
        "rows": rows,
    }


def _laggards(source: Source) -> list[dict[str, Any]]:
    return [
        {
            **_unit_ref(source, row),
            "reasons": list(row["reasons"]),
            "red_items": [source.names.item(code) for code in row.get("red_items", [])],
        }
        for row in source.laggards
    ]


def build_facts(source: Source) -> dict[str, Any]:
    """The facts of a bulletin drawn from `source`, as JSON-ready data."""
    period = source.period
    return {
        "kind": source.kind,
        "race": safe_text(source.race, NAME_LIMIT),
        "period": period.label,
        "period_kind": period.kind,
        "year": period.year,
        "month": period.month,
        "decimals": source.rules.decimals,
        "units": len(source.standings),
        "groups": _standings(source),
        "distinctions": _distinctions(source),
        "movers": _movers(source),
        "area": _area(source),
        "behind": _behind(source),
        "half": _half(source),
        "lights": _lights(source),
        "gaps": _gaps(source),
        "run_rates": _run_rates(source),
        "laggards": _laggards(source),
        "annex": _annex(source),
    }
