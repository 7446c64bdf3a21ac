"""Numbers as pages show them: the engine's figures at the indicator's decimals, never re-computed.

`fixed` is the plain form (data attributes, charts); `number` adds thousands separators for the
eye. Percentages and percentage points always show one decimal, ratios two. `level_gap` writes a
level's gap in its own unit, direction-aware; `period_name`, `join_list` and `person` write a
period, a list and a person as the reader's language does.
"""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from saima.engine import PeriodError, parse_period

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


def level_gap(value: float | None, decimals: int, measure: str, *, lower: bool) -> str:
    """A level's gap `value − target` in its own unit, read with its direction.

    A share (measure `%`) differs in percentage points: 87.1% against a floor of 81% is
    "+6.1 pp" (and a share over a ceiling "0.5 pp over"). Otherwise where lower is better a
    positive gap is over the ceiling ("5.0 µg/m³ over"), a negative one under it ("2.5 µg/m³
    under"); where higher is better it is signed ("+3 units"). Zero is "on target"."""
    if value is None:
        return DASH
    size = number(abs(value), decimals)
    if size.strip("0.,") == "":
        return _("on target")
    if measure == "%":
        if lower:
            amount = _("%(points)s pp") % {"points": size}
        else:
            text = number(value, decimals)
            return _("%(points)s pp") % {"points": text if value < 0 else "+" + text}
    else:
        amount = size if not measure else f"{size} {measure}"
    if lower:
        return (_("%(amount)s over") if value > 0 else _("%(amount)s under")) % {"amount": amount}
    signed = number(value, decimals)
    signed = signed if value < 0 else "+" + signed
    return signed if not measure else f"{signed} {measure}"


# --- periods, lists and people as a reader writes them ------------------------------------------

#: Quarters and halves as Chinese writes them.
_ZH_QUARTERS = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}
_ZH_HALVES = {1: "上半年", 2: "下半年"}


def _chinese() -> bool:
    return (get_language() or "").lower().startswith("zh")


def period_name(period) -> str:
    """A period for the eye, in the reader's language: `2026年3月`, `2026年第一季度`,
    `2026年上半年`, `2026年` in Chinese; the canonical name (`2026-03`, `2026-Q1`, `2026-H1`,
    `2026`) otherwise. Accepts a `Period` or a period's name; a name that is not a period (a week,
    a blank) comes back as it is. Links and forms keep `period.label`."""
    if period is None or period == "":
        return ""
    if isinstance(period, str):
        try:
            period = parse_period(period)
        except PeriodError:
            return period
    if not _chinese():
        return period.label
    if period.kind == "quarter":
        return f"{period.year}年{_ZH_QUARTERS[period.month // 3]}"
    if period.kind == "half":
        return f"{period.year}年{_ZH_HALVES[period.month // 6]}"
    if period.kind == "year":
        return f"{period.year}年"
    return f"{period.year}年{period.month}月"


def list_separator() -> str:
    """What separates the items of a list in the reader's language: 、 in Chinese."""
    return "、" if _chinese() else ", "


def join_list(items) -> str:
    """Items as one list in the reader's language: `甲、乙、丙` in Chinese, `a, b, c` otherwise."""
    return list_separator().join(str(item) for item in items)


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= char <= "\u9fff" for char in text)


def person(user) -> str:
    """A person as pages name them: the full name (`王伟`, family name first when written in
    Chinese characters; `Wei Wang` otherwise), else the username; empty for nobody."""
    if user is None:
        return ""
    first = (getattr(user, "first_name", "") or "").strip()
    last = (getattr(user, "last_name", "") or "").strip()
    if first or last:
        if _has_cjk(first + last):
            return f"{last}{first}"
        return " ".join(part for part in (first, last) if part)
    return user.get_username()
