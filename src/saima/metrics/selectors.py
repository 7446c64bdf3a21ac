"""Reads that feed the engine and the pages: frames of targets and figures, scoped by access.

Pages never compute a figure themselves: they call `progress` here, which loads only the rows the
period needs (this year's period, last year's same month and December) in a few queries and hands
them to `saima.engine.compute_progress`.

`cached_progress` keeps that result in Django's cache, keyed by the period, the reader's scope and
`data_version()`: a number that changes with every saved figure or target (their history rows) and
with units, indicators or race groups added, removed or (de)activated. A rename of a unit or an
indicator, or a change of an indicator's settings, does not change it: entries live only
`CACHE_SECONDS`, so such an edit shows within two minutes. A bulk `QuerySet.update()` of figures
writes no history and, likewise, shows once the entry expires.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

import polars as pl
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q

from saima.common import periods
from saima.engine import IndicatorSpec, Period, compute_progress
from saima.metrics import sources
from saima.metrics.models import Indicator, Observation, Target
from saima.org.access import Access
from saima.org.models import RaceGroup, Unit

#: How long a cached computation lives (seconds): the bound on how stale a renamed unit can be.
CACHE_SECONDS = 120
_T = TypeVar("_T")


@dataclass(frozen=True)
class Scope:
    """Which units and indicators a read covers (None: all that the reader may see)."""

    unit_ids: frozenset[int] | None = None
    indicator_ids: frozenset[int] | None = None


def indicator_specs(indicators: Iterable[Indicator]) -> dict[str, IndicatorSpec]:
    """What the engine needs to know about each indicator."""
    specs = {}
    for indicator in indicators:
        profile = indicator.profile
        specs[indicator.code] = IndicatorSpec(
            code=indicator.code,
            kind=indicator.kind,
            direction=indicator.direction,
            profile=tuple(float(v) for v in profile) if profile else "linear",
            combined_jan_feb=indicator.combined_jan_feb,
            yellow=indicator.yellow_pp,
        )
    return specs


def _unit_filter(access: Access, scope: Scope) -> Q:
    query = Q(unit__active=True)
    if not access.sees_everything:
        query &= Q(unit_id__in=access.own_units)
    if scope.unit_ids is not None:
        query &= Q(unit_id__in=scope.unit_ids)
    if scope.indicator_ids is not None:
        query &= Q(indicator_id__in=scope.indicator_ids)
    return query


def _floats(values: list) -> list[float | None]:
    return [None if v is None else float(v) for v in values]


def target_frame(access: Access, year: int, scope: Scope = Scope()) -> pl.DataFrame:
    rows = list(
        Target.objects.filter(_unit_filter(access, scope), year=year).values_list(
            "unit__code",
            "indicator__code",
            "value",
            "not_applicable",
            "last_year_total",
            "profile",
        )
    )
    columns = list(zip(*rows, strict=True)) if rows else [[]] * 6
    return pl.DataFrame(
        {
            "unit": list(columns[0]),
            "indicator": list(columns[1]),
            "target": _floats(list(columns[2])),
            "not_applicable": list(columns[3]),
            "last_year_total": _floats(list(columns[4])),
            "profile": [[float(v) for v in p] if p else None for p in columns[5]],
        },
        schema={
            "unit": pl.String,
            "indicator": pl.String,
            "target": pl.Float64,
            "not_applicable": pl.Boolean,
            "last_year_total": pl.Float64,
            "profile": pl.List(pl.Float64),
        },
    )


def observation_frame(
    access: Access,
    period: Period,
    scope: Scope = Scope(),
    *,
    months: Iterable[int] | None = None,
    computed: list[tuple[str, str]] | None = None,
) -> pl.DataFrame:
    """Figures for the period, plus last year's same month and December (for the schedule):
    those the units reported, and those computed from other records (`sources`; `computed`, the
    (code, source) of the computed indicators in scope, when the caller has them already)."""
    if months is None:
        wanted = [(period.year, period.month), (period.year - 1, period.month)]
        wanted.append((period.year - 1, 12))
    else:
        wanted = [(year, m) for year in (period.year, period.year - 1) for m in months]
    when = Q()
    for year, month in set(wanted):
        when |= Q(year=year, month=month)
    rows = list(
        Observation.objects.filter(
            _unit_filter(access, scope) & when, indicator__source=""
        ).values_list("unit__code", "indicator__code", "year", "month", "value", "last_year_value")
    )
    columns = list(zip(*rows, strict=True)) if rows else [[]] * 6
    reported = pl.DataFrame(
        {
            "unit": list(columns[0]),
            "indicator": list(columns[1]),
            "year": list(columns[2]),
            "month": list(columns[3]),
            "value": _floats(list(columns[4])),
            "last_year_value": _floats(list(columns[5])),
        },
        schema=OBSERVATION_SCHEMA,
    )
    return pl.concat([reported, _computed(access, scope, sorted(set(wanted)), computed)])


#: The figures a page or the engine reads: reported or computed, cumulative at the month's end.
OBSERVATION_SCHEMA = {
    "unit": pl.String,
    "indicator": pl.String,
    "year": pl.Int64,
    "month": pl.Int64,
    "value": pl.Float64,
    "last_year_value": pl.Float64,
}


def _computed(
    access: Access,
    scope: Scope,
    months: list[tuple[int, int]],
    pairs: list[tuple[str, str]] | None = None,
) -> pl.DataFrame:
    """The computed indicators' figures of the units and indicators in scope, in the layout of
    `OBSERVATION_SCHEMA` (no last year's value: a source answers last year's months itself)."""
    if pairs is None:
        indicators = Indicator.objects.exclude(source="")
        if scope.indicator_ids is not None:
            indicators = indicators.filter(pk__in=scope.indicator_ids)
        pairs = list(indicators.values_list("code", "source"))
    units: list[str] = []
    if pairs:
        found = Unit.objects.filter(active=True)
        if not access.sees_everything:
            found = found.filter(pk__in=access.own_units)
        if scope.unit_ids is not None:
            found = found.filter(pk__in=scope.unit_ids)
        units = list(found.values_list("code", flat=True))
    figures = sources.computed_figures(pairs, units, months)
    return figures.select(
        "unit",
        "indicator",
        "year",
        "month",
        "value",
        pl.lit(None, dtype=pl.Float64).alias("last_year_value"),
    )


def progress(access: Access, period: Period, scope: Scope = Scope()) -> pl.DataFrame:
    """The engine's progress rows for every readable unit × indicator with a target."""
    indicators = Indicator.objects.all()
    if scope.indicator_ids is not None:
        indicators = indicators.filter(pk__in=scope.indicator_ids)
    indicators = list(indicators)
    computed = [(i.code, i.source) for i in indicators if i.source]
    targets = target_frame(access, period.year, scope)
    # A figure entered before its target exists waits for the target; it must not break a page.
    actuals = observation_frame(access, period, scope, computed=computed).join(
        targets.select("unit", "indicator"), on=["unit", "indicator"], how="semi"
    )
    return compute_progress(targets, actuals, period, specs=indicator_specs(indicators))


def data_version() -> str:
    """A cheap fingerprint of the data behind every figure, in one query on indexed columns.

    The newest history row of figures and targets (every save and delete writes one), the
    count, active count and largest id of units, indicators and race groups, and the
    fingerprints of the records computed figures come from (`sources.fingerprints`).
    """
    return read_fingerprint(_version_parts() + sources.fingerprints())


@functools.cache
def _version_parts() -> list[str]:
    """`data_version`'s own SQL, made once: the tables do not change while the process runs
    (and reading a model's `history` builds a manager class each time)."""
    quote = connection.ops.quote_name

    def table(model) -> str:
        return quote(model._meta.db_table)

    parts = [
        f"(SELECT MAX({quote('history_id')}) FROM {table(Observation.history.model)})",
        f"(SELECT MAX({quote('history_id')}) FROM {table(Target.history.model)})",
    ]
    for model in (Unit, Indicator, RaceGroup):
        pk = quote(model._meta.pk.column)
        parts.append(f"(SELECT COUNT(*) FROM {table(model)})")
        parts.append(f"(SELECT MAX({pk}) FROM {table(model)})")
    parts.append(f"(SELECT COUNT(*) FROM {table(Unit)} WHERE {quote('active')})")
    return parts


def read_fingerprint(parts: list[str]) -> str:
    """The values of `parts` (SQL expressions of one value each), read in one query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        row = cursor.fetchone()
    return "-".join("0" if value is None else str(value) for value in row)


def reader_key(access: Access) -> str:
    """Whose view of the data: `all` for the office and leaders, else the units they may read."""
    if access.sees_everything:
        return "all"
    return "u" + ",".join(str(pk) for pk in sorted(access.own_units))


def _ids(ids: frozenset[int] | None) -> str:
    return "*" if ids is None else ",".join(str(pk) for pk in sorted(ids))


def cache_key(kind: str, *parts: object) -> str:
    """A cache key of bounded length (a reader's unit list can be long)."""
    text = "|".join(str(part) for part in parts)
    return f"saima:{kind}:{hashlib.sha1(text.encode()).hexdigest()}"


def remembered(key: str, compute: Callable[[], _T]) -> _T:
    """`compute()`, kept in the cache under `key` for `CACHE_SECONDS`."""
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, CACHE_SECONDS)
    return found


def remembered_by_month(
    kind: str,
    version: str,
    units: list[str],
    months: list[tuple[int, int]],
    compute: Callable[[list[str], list[tuple[int, int]]], pl.DataFrame],
) -> pl.DataFrame:
    """`compute(units, months)` (a frame with `year` and `month` columns), kept in the cache one
    month at a time, so that asking for more months computes only those not asked before: a
    race's quarters, its bulletin and the pages ask for overlapping months of computed figures.
    A month's figures must not depend on which other months are asked with it; the rows come
    month by month, in the order of `months`."""
    if not months:
        return compute(units, [])  # no rows, the computation's columns
    keys = {month: cache_key(kind, version, ",".join(units), month) for month in months}
    found = cache.get_many(list(keys.values()))
    missing = [month for month in months if keys[month] not in found]
    if missing:
        computed = compute(units, missing)
        by_month = computed.partition_by("year", "month", as_dict=True)
        for month in missing:
            found[keys[month]] = by_month.get(month, computed.clear())
            cache.set(keys[month], found[keys[month]], CACHE_SECONDS)
    return pl.concat([found[keys[month]] for month in months], how="diagonal_relaxed")


def cached_progress(
    access: Access, period: Period, scope: Scope = Scope(), *, version: str | None = None
) -> pl.DataFrame:
    """`progress`, kept in the cache per period, reader's scope and data version."""
    version = data_version() if version is None else version
    key = cache_key(
        "progress",
        period.label,
        reader_key(access),
        _ids(scope.unit_ids),
        _ids(scope.indicator_ids),
        version,
    )
    return remembered(key, lambda: progress(access, period, scope))


def latest_period(*, version: str | None = None) -> Period | None:
    """The latest month with figures: where the overview opens (cached when given a version)."""
    if version is not None:
        found = remembered(cache_key("latest", version), lambda: latest_period() or "none")
        return None if found == "none" else found
    latest = Observation.objects.filter(value__isnull=False).order_by("-year", "-month").first()
    return None if latest is None else Period(latest.year, latest.month)


def readable_period(*, version: str | None = None) -> Period | None:
    """The latest month with enough figures to read: the latest month (not in the future) in
    which more than half of the year's reporting units (units with a target that applies that
    year) have reported at least one figure. Not the month one early unit has reported. None
    when no month has that many (cached when given a version)."""
    if version is not None:
        found = remembered(cache_key("readable", version), lambda: readable_period() or "none")
        return None if found == "none" else found
    now = periods.this_month()
    reporting = dict(
        Target.objects.filter(not_applicable=False)
        .values("year")
        .annotate(units=Count("unit", distinct=True))
        .values_list("year", "units")
    )
    reported = (
        Observation.objects.filter(value__isnull=False)
        .values("year", "month")
        .annotate(units=Count("unit", distinct=True))
        .order_by("-year", "-month")
        .values_list("year", "month", "units")
    )
    for year, month, units in reported:
        if (year, month) > (now.year, now.month):
            continue
        if units * 2 > reporting.get(year, 0):
            return Period(year, month)
    return None


def default_period(*, version: str | None = None) -> Period:
    """The period a page opens on: the latest month with enough figures to read (most of the
    reporting units have reported it: `readable_period`); else the latest month with any figure;
    never one in the future; else this month."""
    readable = readable_period(version=version)
    if readable is not None:
        return readable
    latest = latest_period(version=version)
    if latest is None or periods.is_future(latest):
        return periods.this_month()
    return latest


def periods_with_figures(
    until: Period | None = None, *, version: str | None = None
) -> list[Period]:
    """Every month with any figure, latest first, up to `until`: the choices of a period picker.

    Given a data version, the months are kept in the cache.
    """
    if version is not None:
        months = remembered(cache_key("months", version), lambda: periods_with_figures())
        if until is None:
            return list(months)
        return [p for p in months if (p.year, p.month) <= (until.year, until.month)]
    months = (
        Observation.objects.filter(value__isnull=False)
        .values_list("year", "month")
        .distinct()
        .order_by("-year", "-month")
    )
    periods = [Period(year, month) for year, month in months]
    if until is not None:
        periods = [p for p in periods if (p.year, p.month) <= (until.year, until.month)]
    return periods


def unit_monthly_series(access: Access, unit: Unit, year: int) -> pl.DataFrame:
    """This year's and last year's cumulative figures of one unit, month by month and indicator by
    indicator, for the trend charts of its page (one query, and the computed indicators')."""
    rows = Observation.objects.filter(
        _unit_filter(access, Scope(unit_ids=frozenset({unit.pk}))),
        year__in=[year, year - 1],
        indicator__source="",
    ).values_list("indicator__code", "year", "month", "value")
    schema = {"indicator": pl.String, "year": pl.Int64, "month": pl.Int64, "value": pl.Float64}
    reported = pl.DataFrame(
        [(code, y, m, None if v is None else float(v)) for code, y, m, v in rows],
        schema=schema,
        orient="row",
    )
    months = [(y, m) for y in (year - 1, year) for m in range(1, 13)]
    computed = _computed(access, Scope(unit_ids=frozenset({unit.pk})), months)
    return pl.concat([reported, computed.select(list(schema))]).sort("indicator", "year", "month")
