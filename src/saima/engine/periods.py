"""Reporting periods: cumulative from January, named `2026-03`, `2026-Q1`, `2026-H1`, `2026`.

Every period Saima computes on is cumulative: the March figure covers January to March. A period is
therefore identified by its year and the last month it covers; `2026-Q1` and `2026-03` name the
same span. Weekly periods (`2026-W14`) belong to projects and supervision items, not to cumulative
statistics, and are refused here with a message that says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from saima.engine.errors import EngineError
from saima.engine.text import _

PeriodKind = Literal["month", "quarter", "half", "year"]

_QUARTER_END = {1: 3, 2: 6, 3: 9, 4: 12}
_HALF_END = {1: 6, 2: 12}
_PATTERNS: tuple[tuple[re.Pattern[str], PeriodKind], ...] = (
    (re.compile(r"^(\d{4})-(\d{1,2})$"), "month"),
    (re.compile(r"^(\d{4})[-]?Q([1-4])$", re.IGNORECASE), "quarter"),
    (re.compile(r"^(\d{4})[-]?H([12])$", re.IGNORECASE), "half"),
    (re.compile(r"^(\d{4})$"), "year"),
)
_FIRST_YEAR, _LAST_YEAR = 1990, 2100


class PeriodError(EngineError):
    """A period name that Saima cannot read, or a period that does not exist."""


@dataclass(frozen=True, order=True)
class Period:
    """A cumulative span from January to `month` of `year`."""

    year: int
    month: int
    kind: PeriodKind = "month"

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise PeriodError(
                _("month %(month)s does not exist (months run from 1 to 12)", month=self.month)
            )
        if not _FIRST_YEAR <= self.year <= _LAST_YEAR:
            raise PeriodError(
                _(
                    "year %(year)s is outside %(first)s–%(last)s",
                    year=self.year,
                    first=_FIRST_YEAR,
                    last=_LAST_YEAR,
                )
            )

    @property
    def label(self) -> str:
        """The canonical name: `2026-03`, `2026-Q1`, `2026-H1` or `2026`."""
        if self.kind == "quarter":
            return f"{self.year}-Q{self.month // 3}"
        if self.kind == "half":
            return f"{self.year}-H{self.month // 6}"
        if self.kind == "year":
            return str(self.year)
        return f"{self.year}-{self.month:02d}"

    @property
    def is_half_year(self) -> bool:
        return self.month == 6

    def same_span(self, other: Period) -> bool:
        """True when both periods cover the same months (`2026-Q1` and `2026-03`)."""
        return (self.year, self.month) == (other.year, other.month)

    def __str__(self) -> str:
        return self.label


def parse_period(text: object) -> Period:
    """Read a period name; raise PeriodError naming what is wrong for anything else."""
    raw = str(text).strip() if text is not None else ""
    if not raw:
        raise PeriodError(_("the period is blank; write it as 2026-03, 2026-Q1, 2026-H1 or 2026"))
    cleaned = raw.upper().replace("/", "-").replace(".", "-")
    if re.match(r"^\d{4}-?W\d{1,2}$", cleaned):
        raise PeriodError(
            _(
                "%(period)s is a week; cumulative statistics are reported by month, quarter, "
                "half or year",
                period=repr(raw),
            )
        )
    for pattern, kind in _PATTERNS:
        match = pattern.match(cleaned)
        if match:
            return _build(raw, kind, match.groups())
    raise PeriodError(
        _(
            "%(period)s is not a period; write it as 2026-03 (a month), 2026-Q1, 2026-H1 or 2026",
            period=repr(raw),
        )
    )


def _build(raw: str, kind: PeriodKind, groups: tuple[str, ...]) -> Period:
    year = int(groups[0])
    if kind == "year":
        return Period(year, 12, "year")
    number = int(groups[1])
    if kind == "quarter":
        return Period(year, _QUARTER_END[number], "quarter")
    if kind == "half":
        return Period(year, _HALF_END[number], "half")
    if not 1 <= number <= 12:
        raise PeriodError(
            _(
                "%(period)s: month %(month)s does not exist (months run from 01 to 12)",
                period=repr(raw),
                month=number,
            )
        )
    return Period(year, number, "month")
