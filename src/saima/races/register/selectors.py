"""Reads of the adjustments register and manual scores: the entries a person may see, each
unit's capped totals for a period, the manual items of a race and their scores.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

import polars as pl
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from saima.engine import EngineError, Period
from saima.engine.race import adjustment_totals
from saima.org.access import Access
from saima.org.models import Unit
from saima.races.definitions.selectors import adjustment_window, race_periods, race_units
from saima.races.models import Adjustment, ManualScore, RaceDefinition


def register_entries(
    access: Access,
    race: RaceDefinition,
    *,
    unit: str | None = None,
    category: str | None = None,
) -> QuerySet[Adjustment]:
    """The race's entries this person may read: all for the office and leaders, their own units'
    for a unit's people; newest first, withdrawn ones included."""
    entries = Adjustment.objects.filter(race=race).select_related(
        "unit", "evidence", "entered_by", "withdrawn_by"
    )
    entries = entries.defer("evidence__data")
    if not access.sees_everything:
        entries = entries.filter(unit_id__in=access.own_units)
    if unit:
        entries = entries.filter(unit__code=unit)
    if category:
        entries = entries.filter(category=category)
    return entries.order_by("-date", "-pk")


def register_units(access: Access, race: RaceDefinition) -> list[Unit]:
    """The race's units this person may see in the register."""
    return [u for u in race_units(race) if access.can_read_unit(u.pk)]


def adjustment_entry(access: Access, race: RaceDefinition, pk: int) -> Adjustment:
    """One entry of the race, if this person may read it (404 otherwise)."""
    from django.http import Http404

    entry = register_entries(access, race).filter(pk=pk).first() if 0 < pk < 2**63 else None
    if entry is None:
        raise Http404(_("There is no such entry in this race's register."))
    return entry


def counting_period(race: RaceDefinition, date: datetime.date) -> Period | None:
    """The race period whose window (`adjustment_window`) holds the date, if any."""
    for period in race_periods(race):
        start, end = adjustment_window(race, period)
        if start <= date <= end:
            return period
    return None


@dataclass(frozen=True)
class UnitTotal:
    """One unit's register in one race period: raw sums, and what counts after the caps."""

    unit: Unit
    period: Period
    entries: int
    bonus: Decimal
    deduction: Decimal
    veto: bool
    counted_bonus: float | None
    counted_deduction: float | None

    @property
    def net(self) -> Decimal:
        return self.bonus - self.deduction

    @property
    def counted_net(self) -> float | None:
        if self.counted_bonus is None or self.counted_deduction is None:
            return None
        return round(self.counted_bonus - self.counted_deduction, POINT_DECIMALS)


def register_totals(
    race: RaceDefinition, units: Iterable[Unit], entries: Iterable[Adjustment]
) -> list[UnitTotal]:
    """Totals per unit and race period of the entries that count (not withdrawn), with the
    rules' category and overall caps applied as the race applies them."""
    units = list(units)
    live = [e for e in entries if e.withdrawn_at is None]
    rules = _rules_or_none(race)
    out: list[UnitTotal] = []
    for period in race_periods(race):
        start, end = adjustment_window(race, period)
        counted = [e for e in live if start <= e.date <= end]
        capped = _capped(rules, counted, units)
        for unit in units:
            mine = [e for e in counted if e.unit_id == unit.pk]
            bonus = sum((e.points for e in mine if e.points > 0), Decimal(0))
            deduction = sum((-e.points for e in mine if e.points < 0), Decimal(0))
            after = capped.get(unit.code)
            out.append(
                UnitTotal(
                    unit=unit,
                    period=period,
                    entries=len(mine),
                    bonus=bonus,
                    deduction=deduction,
                    veto=any(e.veto for e in mine),
                    counted_bonus=(after or {}).get("bonus", 0.0) if rules else None,
                    counted_deduction=(after or {}).get("deduction", 0.0) if rules else None,
                )
            )
    return out


def _rules_or_none(race: RaceDefinition):
    from saima.races.definitions.selectors import race_rules

    try:
        return race_rules(race)
    except EngineError:
        return None


def _capped(rules, entries: list[Adjustment], units: list[Unit]) -> dict[str, dict]:
    if rules is None or not entries or not units:
        return {}
    frame = pl.DataFrame(
        [(e.unit.code, float(e.points), e.reason, e.veto, e.category) for e in entries],
        schema={
            "unit": pl.String,
            "points": pl.Float64,
            "reason": pl.String,
            "veto": pl.Boolean,
            "category": pl.String,
        },
        orient="row",
    )
    known = pl.DataFrame({"unit": [u.code for u in units]}, schema={"unit": pl.String})
    try:
        totals = adjustment_totals(rules, frame, known)
    except EngineError:
        return {}
    return {row["unit"]: row for row in totals.iter_rows(named=True)}


@dataclass(frozen=True)
class ManualItem:
    code: str
    name: str
    weight: float


def manual_items(race: RaceDefinition) -> list[ManualItem]:
    """The race's `manual` items, in the rules' order."""
    items = race.rules.get("indicator") if isinstance(race.rules, Mapping) else None
    out = []
    for item in items or []:
        if isinstance(item, Mapping) and item.get("method") == "manual":
            code = str(item.get("code", ""))
            out.append(
                ManualItem(
                    code=code, name=str(item.get("name") or code), weight=float(item["weight"])
                )
            )
    return out


def period_scores(race: RaceDefinition, period: Period) -> list[ManualScore]:
    return list(
        ManualScore.objects.filter(race=race, period=period.label)
        .select_related("unit", "entered_by")
        .order_by("unit__order", "unit__code", "item")
    )


def can_read_scores(access: Access) -> bool:
    return access.sees_everything


def require_scores_reader(access: Access) -> None:
    if not can_read_scores(access):
        raise PermissionDenied(_("Manual scores are for the office and leaders."))


#: Digits kept after the decimal point (the model's `decimal_places`).
POINT_DECIMALS = 3


def plain(number: Decimal) -> str:
    """A decimal as people write it: 20, 2.5, -0.125 (never 2E+1)."""
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "0") else text
