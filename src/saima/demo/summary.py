"""What a demo load reports, and the demo logins."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from saima.demo.catalogue import REPORTER_UNIT, UNITS

#: One password for every demo login; the login page shows it in demo mode.
DEMO_PASSWORD = "saima-demo-2026"

_REPORTER = next(u for u in UNITS if u.code == REPORTER_UNIT)


def _reporter_unit_name() -> str:
    english = (get_language() or "zh-hans").startswith("en")
    return _REPORTER.name_en if english else _REPORTER.name_zh


_reporter_unit = lazy(_reporter_unit_name, str)()

#: (username, role) for the login page and the start-up message, in the reader's language.
DEMO_LOGINS: list[tuple[str, str]] = [
    ("office", _("office administrator")),
    ("reporter", format_lazy(_("reporter of {unit}"), unit=_reporter_unit)),
    ("approver", format_lazy(_("approver of {unit}"), unit=_reporter_unit)),
    ("leader", _("leader")),
]

CHANGE_REASON = "demo load"


@dataclass(frozen=True)
class DemoSummary:
    """The outcome of `load_demo`: what is in the database and how to sign in."""

    loaded: bool
    message: str
    scale: str | None = None
    as_of: datetime.date | None = None
    year: int | None = None
    months: tuple[int, ...] = ()
    race_groups: int = 0
    units: int = 0
    indicators: int = 0
    targets: int = 0
    observations: int = 0
    notes: int = 0
    red_units: tuple[str, ...] = ()
    missing_units: tuple[str, ...] = ()
    published: tuple[str, ...] = ()
    logins: list[tuple[str, str]] = field(default_factory=list)
    password: str = DEMO_PASSWORD
    seconds: float = 0.0

    @property
    def latest_period(self) -> str | None:
        """The latest month with figures, e.g. `2026-10`."""
        return f"{self.year}-{self.months[-1]:02d}" if self.year and self.months else None

    def lines(self) -> list[str]:
        """A short human-readable account (for the management command)."""
        if not self.loaded:
            return [self.message]
        months = f"{self.months[0]:02d}–{self.months[-1]:02d}" if self.months else "none"
        out = [
            self.message,
            f"  scale {self.scale}, as of {self.as_of}, year {self.year}, months {months}",
            f"  {self.race_groups} race groups, {self.units} units, {self.indicators} indicators",
            f"  {self.targets} targets, {self.observations} figures ({self.notes} with notes)",
            f"  far behind: {', '.join(self.red_units)}; "
            f"latest month missing: {', '.join(self.missing_units)}",
            f"  race published for: {', '.join(self.published) or 'no period yet'}",
            f"  logins (password {self.password}):",
        ]
        out += [f"    {username:<10} {role}" for username, role in self.logins]
        out.append(f"  loaded in {self.seconds:.1f} s")
        return out
