"""The demo city: a fictional prefecture-level city (青河市 Qinghe City), made deterministically.

`load_demo(as_of=...)` fills an empty database with race groups, units, indicators, targets, a
year and a half of monthly figures and four logins (`DEMO_LOGINS`, password `DEMO_PASSWORD`).
`scale="province"` builds the same kind of data at 150 units × 40 indicators for benchmarks
(`units=` 3 to 3,000; above 300, the national shape: six race groups of uneven sizes).

This package is imported while Django loads its apps, so nothing here touches the models at
import time; the loader is imported when `load_demo` is called.
"""

from __future__ import annotations

import datetime

from saima.demo.catalogue import MISSING_UNIT, RED_UNIT, REPORTER_UNIT
from saima.demo.generate import reported_months
from saima.demo.summary import CHANGE_REASON, DEMO_LOGINS, DEMO_PASSWORD, DemoSummary

__all__ = [
    "CHANGE_REASON",
    "DEMO_LOGINS",
    "DEMO_PASSWORD",
    "MISSING_UNIT",
    "RED_UNIT",
    "REPORTER_UNIT",
    "DemoSummary",
    "load_demo",
    "reported_months",
]


def load_demo(
    *,
    as_of: datetime.date,
    scale: str = "city",
    reset: bool = False,
    units: int | None = None,
) -> DemoSummary:
    """Load the demo data in one transaction; see `saima.demo.loader.load_demo`."""
    from saima.demo.loader import load_demo as _load

    return _load(as_of=as_of, scale=scale, reset=reset, units=units)
