"""Numbers as pages show them: the engine's figures at the indicator's decimals, never re-computed.

`fixed` is the plain form (data attributes, charts); `number` adds thousands separators for the
eye. Percentages and percentage points always show one decimal, ratios two.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

DASH = "—"
PERCENT_DECIMALS = 1
RATIO_DECIMALS = 2


def _signless_zero(text: str) -> str:
    """`-0.0` reads as a fault on a screen: a figure that rounds to zero has no sign."""
    if text.startswith("-") and not any(c in "123456789" for c in text):
        return text[1:]
    return text


def fixed(value: float | None, decimals: int) -> str:
    """`79.20`: the figure rounded for display, no separators; empty when there is none."""
    if value is None:
        return ""
    return _signless_zero(f"{value:.{decimals}f}")


def number(value: float | None, decimals: int) -> str:
    """`1,234.50`: the figure for the eye; a dash when there is none."""
    if value is None:
        return DASH
    return _signless_zero(f"{value:,.{decimals}f}")


def with_measure(value: float | None, decimals: int, measure: str) -> str:
    text = number(value, decimals)
    if value is None or not measure:
        return text
    return f"{text}{measure}" if measure == "%" else f"{text} {measure}"


def percent(value: float | None) -> str:
    return DASH if value is None else f"{number(value, PERCENT_DECIMALS)}%"


def points(value: float | None) -> str:
    """`+5.0 pp`: a difference in percentage points, always signed."""
    if value is None:
        return DASH
    text = number(value, PERCENT_DECIMALS)
    if not text.startswith("-") and text.strip("0.,") != "":
        text = "+" + text
    return _("%(points)s pp") % {"points": text}


def ratio(value: float | None) -> str:
    return DASH if value is None else f"{number(value, RATIO_DECIMALS)}×"
