"""What every router of the API shares: the validated types of path and query values, the error
schema, and ninja's `Status` across its versions.

A value typed here is checked before any view runs: a code with a NUL byte, a period with a
letter too many, never reaches a query (PostgreSQL would refuse the NUL with a server error).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from functools import wraps
from typing import Annotated

from ninja import Field, Schema
from pydantic import BeforeValidator

from saima.common.requests import declared_length
from saima.common.security import too_large

try:
    from ninja import Status
except ImportError:  # django-ninja < 1.5: a (status, body) tuple does the same

    def Status(status_code: int, value: object) -> tuple:
        return status_code, value


#: A unit's, indicator's or race's code, as in the URL: a slug (anything else is a 400, not a
#: lookup).
Code = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]
#: The same as a list filter, where blank means "all".
CodeFilter = Annotated[str | None, Field(max_length=32, pattern=r"^[A-Za-z0-9_-]*$")]
#: A period as `saima.engine.parse_period` reads it: a year of 1990–2100, then nothing (the year),
#: a month 1–12, a quarter Q1–Q4 or a half H1–H2.
PERIOD_PATTERN = r"^(199[0-9]|20[0-9]{2}|2100)([-/.](0?[1-9]|1[0-2])|[-/.]?([Qq][1-4]|[Hh][12]))?$"
#: A period as `saima.engine.parse_period` reads it: a year, a month, a quarter or a half.
PeriodName = Annotated[
    str,
    Field(
        min_length=4,
        max_length=16,
        pattern=PERIOD_PATTERN,
        description="2026-06 (cumulative to June), 2026-Q2, 2026-H1 or 2026",
        examples=["2026-06", "2026-Q2", "2026-H1", "2026"],
    ),
]
#: A month, as the reporting cycle takes it (a quarter or half names its last month).
MonthName = Annotated[
    str,
    Field(
        min_length=4,
        max_length=16,
        pattern=PERIOD_PATTERN,
        description="A month: 2026-10 (or 2026-Q3, its last month)",
        examples=["2026-10"],
    ),
]


#: A true/false field of a JSON body: only JSON's true and false (pydantic would take 0, 1, "yes").
Flag = Annotated[bool, Field(strict=True)]

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value: object) -> object:
    """A day only as `YYYY-MM-DD` (pydantic would read `0` or `"1700000000"` as a timestamp)."""
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str) or not _ISO_DAY.fullmatch(value):
        raise ValueError("a day is written YYYY-MM-DD")
    return value


#: A day in a query or a body: the schema's `format: date`, and nothing else accepted.
Day = Annotated[datetime.date, BeforeValidator(_iso_day)]


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


#: A database key in a URL: 1 up to the largest key a database stores (anything else is a 400).
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


#: Room for the multipart boundaries and headers around an uploaded file.
FORM_OVERHEAD = 64 * 1024


def body_limit(limit: Callable[[], int], *, field: str = "file"):
    """For `ninja.decorators.decorate_view` on an upload route: a body declared larger than
    `limit()` (bytes) and the form's overhead is refused (400, naming `field`) before ninja parses
    it, or anything reads it."""

    def decorate(run):
        @wraps(run)
        def wrapper(request, *args, **kwargs):
            allowed = limit()
            if declared_length(request) > allowed + FORM_OVERHEAD:
                return too_large(request, allowed, field)
            return run(request, *args, **kwargs)

        return wrapper

    return decorate
