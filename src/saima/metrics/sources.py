"""Indicators computed from other records, not reported by the units.

An indicator whose `source` names a registered `Source` (say "projects.started") has its figures
computed on demand from the records of another app (key projects, supervision items): no one
types them, no one double-enters them, and every page, the race and its exported inputs read them
exactly like reported figures. The app that owns the records adds its sources in its
`AppConfig.ready`; the catalogue (this app) imports none of them.

    sources.add(sources.Source("projects.started", _("Projects started (from the projects)"),
                               kinds=("count",), figures=started_figures))

`figures(unit_codes, months)` answers, for each unit and each (year, month) asked, the cumulative
figure at the end of that month — the same meaning as a reported figure — as a frame with the
columns of `FIGURE_SCHEMA` (a unit or month it cannot say anything about is simply absent).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import polars as pl
from django.utils.functional import Promise

#: What a source answers: one row per unit and month, the cumulative figure at the month's end.
FIGURE_SCHEMA = {"unit": pl.String, "year": pl.Int64, "month": pl.Int64, "value": pl.Float64}

Figures = Callable[[Sequence[str], Sequence[tuple[int, int]]], pl.DataFrame]


@dataclass(frozen=True)
class Source:
    """A kind of figure another app computes for every unit."""

    key: str
    label: Promise | str
    #: The indicator kinds it can feed (a count of projects cannot be a growth rate).
    kinds: tuple[str, ...]
    figures: Figures
    #: How the figure is defined, for the pages to print beside it (say, a rate's denominator).
    describe: Callable[[], str] | None = None
    #: What changes whenever a record behind the figures does: SQL expressions, each one value
    #: on indexed columns (say, the newest history id), which `selectors.data_version` reads in
    #: its own query, so that cached pages show a change at once.
    fingerprint: Callable[[], list[str]] | None = None


_SOURCES: dict[str, Source] = {}


def add(source: Source) -> None:
    """Add (or replace, by key) a source of computed figures."""
    _SOURCES[source.key] = source


def get(key: str) -> Source | None:
    return _SOURCES.get(key)


def choices() -> list[tuple[str, str]]:
    """The registered sources as (key, label), for a form."""
    return [(s.key, str(s.label)) for s in sorted(_SOURCES.values(), key=lambda s: s.key)]


def fingerprints() -> list[str]:
    """The fingerprints of every source's records, as SQL expressions."""
    return [
        part
        for source in sorted(_SOURCES.values(), key=lambda s: s.key)
        if source.fingerprint
        for part in source.fingerprint()
    ]


def computed_figures(
    indicators: Iterable[tuple[str, str]],
    unit_codes: Sequence[str],
    months: Sequence[tuple[int, int]],
) -> pl.DataFrame:
    """The figures of computed indicators: for each (indicator code, source key), the source's
    figures of `unit_codes` at the end of each of `months`, with an `indicator` column.

    A source no longer registered (its app removed) gives no figures: the indicator then shows as
    not reported rather than breaking a page.
    """
    frames = []
    for code, key in indicators:
        source = _SOURCES.get(key)
        if source is None or not unit_codes or not months:
            continue
        found = source.figures(list(unit_codes), list(months))
        frames.append(
            found.select(list(FIGURE_SCHEMA))
            .cast(FIGURE_SCHEMA)
            .with_columns(indicator=pl.lit(code, dtype=pl.String))
        )
    if not frames:
        return pl.DataFrame(schema={**FIGURE_SCHEMA, "indicator": pl.String})
    return pl.concat(frames)
