"""Unit indicators computed from supervision (no one reports them): each unit's on-time closure
rate and rectification completion rate, year to date at each month's end, from the dates alone
(`saima.engine.supervision.supervision_indicators`)."""

from __future__ import annotations

import functools
from collections.abc import Sequence

import polars as pl
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from saima.engine import Period
from saima.engine.supervision import SupervisionIndicatorCodes, supervision_indicators
from saima.metrics import sources
from saima.metrics.selectors import read_fingerprint, remembered_by_month
from saima.supervision import frames
from saima.supervision.models import Escalation, Event, Item, Rectification, SupervisionSettings
from saima.supervision.rules import rules, work_calendar

CLOSURE = "supervision.closure_on_time"
RECTIFICATION = "supervision.rectification"
CODES = SupervisionIndicatorCodes(closure_on_time=CLOSURE, rectification=RECTIFICATION)


@functools.cache
def fingerprint() -> list[str]:
    """What changes whenever a record the figures come from does (SQL on indexed columns)."""
    quote = connection.ops.quote_name
    return [
        f"(SELECT MAX({quote('id')}) FROM {quote(Event._meta.db_table)})",
        f"(SELECT MAX({quote('id')}) FROM {quote(Escalation._meta.db_table)})",
        f"(SELECT MAX({quote('history_id')}) FROM "
        f"{quote(Rectification.history.model._meta.db_table)})",
        f"(SELECT MAX({quote('history_id')}) FROM "
        f"{quote(SupervisionSettings.history.model._meta.db_table)})",
        f"(SELECT COUNT(*) FROM {quote(Item._meta.db_table)})",
    ]


def version() -> str:
    return "s" + read_fingerprint(fingerprint())


def unit_figures(unit_codes: Sequence[str], months: Sequence[tuple[int, int]]) -> pl.DataFrame:
    units, wanted = sorted(set(unit_codes)), sorted(set(months))
    return remembered_by_month("supervision-figures", version(), units, wanted, _compute)


def _compute(units: list[str], months: list[tuple[int, int]]) -> pl.DataFrame:
    items = frames.items_frame(Item.objects.filter(lead_unit__code__in=units))
    entries = frames.rectification_frame(Rectification.objects.filter(unit__code__in=units))
    found = [
        supervision_indicators(
            Period(year, month),
            items=items,
            rectifications=entries,
            calendar=work_calendar(),
            rules=rules(),
            codes=CODES,
        )
        for year, month in months
    ]
    if not found:
        return pl.DataFrame(schema={**sources.FIGURE_SCHEMA, "indicator": pl.String})
    return pl.concat(found).select("unit", "indicator", "year", "month", "value")


def _figures(code: str):
    def compute(unit_codes: Sequence[str], months: Sequence[tuple[int, int]]) -> pl.DataFrame:
        found = unit_figures(unit_codes, months)
        return found.filter((pl.col("indicator") == code) & pl.col("value").is_not_null()).select(
            "unit",
            pl.col("year").cast(pl.Int64),
            pl.col("month").cast(pl.Int64),
            pl.col("value").cast(pl.Float64),
        )

    return compute


def describe_closure() -> str:
    return _(
        "Items closed on or before their deadline ÷ items whose deadline fell from 1 January to "
        "the period's end, by lead unit (an extension counts only if granted by the original "
        "deadline)."
    )


def describe_rectification() -> str:
    return _(
        "Rectifications verified as rectified ÷ rectifications due by the period's end, by "
        "responsible unit (basically done is not done)."
    )


def register() -> None:
    sources.add(
        sources.Source(
            CLOSURE,
            gettext_lazy("On-time closure rate of supervision items (%), from supervision"),
            kinds=("level",),
            figures=_figures(CLOSURE),
            describe=describe_closure,
            fingerprint=fingerprint,
        )
    )
    sources.add(
        sources.Source(
            RECTIFICATION,
            gettext_lazy("Rectification completion rate (%), from supervision"),
            kinds=("level",),
            figures=_figures(RECTIFICATION),
            describe=describe_rectification,
        )
    )
