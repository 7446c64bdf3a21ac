"""Values read from forms, files and the API: whatever was typed is a value or a
ValidationError naming its field, never an exception that would become a server error."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from saima.common.requests import whole_number
from saima.engine import PeriodError
from saima.engine.calendar import Week, parse_week
from saima.projects.models import AMOUNT

#: The largest amount kept (万元): the field's digits, less the decimals.
MAX_AMOUNT = Decimal(10) ** (AMOUNT["max_digits"] - AMOUNT["decimal_places"])


def amount(value: object, field: str) -> Decimal:
    """An amount in 万元 from a form, a file or the API: a number, 0 or more, at most four
    decimals; ValidationError naming the field otherwise."""
    if isinstance(value, bool):
        raise ValidationError({field: _("Give a number, not yes or no.")})
    try:
        number = Decimal(str(value).strip().replace(",", "")) if value is not None else None
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite():
        shown = str(value)[:40] if value is not None else ""
        raise ValidationError(
            {field: _("“%(value)s” is not an amount; give a number.") % {"value": shown}}
        )
    if number < 0:
        raise ValidationError({field: _("An amount cannot be negative.")})
    if number >= MAX_AMOUNT:
        raise ValidationError({field: _("This amount is too large to be right.")})
    if number != number.quantize(Decimal("0.0001")):
        raise ValidationError({field: _("Give an amount to at most four decimals.")})
    return number


def form_date(post, field: str, *, required: bool = False) -> date | None:
    """A date typed as 2026-06-30 (what a date input sends)."""
    text = (post.get(field) or "").strip()
    if not text:
        if required:
            raise ValidationError({field: _("Give a date.")})
        return None
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            {field: _("“%(value)s” is not a date; write it as 2026-06-30.") % {"value": text[:20]}}
        ) from None


def form_amount(post, field: str, *, required: bool = True) -> Decimal | None:
    text = (post.get(field) or "").strip()
    if not text:
        if required:
            raise ValidationError({field: _("Give an amount.")})
        return None
    return amount(text, field)


def form_int(post, field: str, low: int, high: int) -> int:
    number = whole_number(post.get(field))
    if number is None or not low <= number <= high:
        raise ValidationError(
            {field: _("Give a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}}
        )
    return number


def form_month(post, field: str = "month") -> tuple[int, int]:
    """A month typed as 2026-10 (what a month input sends)."""
    text = (post.get(field) or "").strip()
    parts = text.split("-")
    if len(parts) == 2 and all(whole_number(p) is not None for p in parts):
        year, month = int(parts[0]), int(parts[1])
        if 1990 <= year <= 2100 and 1 <= month <= 12:
            return year, month
    raise ValidationError(
        {field: _("“%(value)s” is not a month; write it as 2026-10.") % {"value": text[:20]}}
    )


def read_week(text: str | None) -> Week | None:
    """An ISO week from a query or form (`2026-W14`); None when it is not one."""
    text = (text or "").strip()
    if not text or len(text) > 10:
        return None
    try:
        return parse_week(text)
    except PeriodError:
        return None


def field_errors(exc: ValidationError) -> dict[str, list[str]]:
    """A ValidationError's messages by field (`__all__` for the rest)."""
    if hasattr(exc, "error_dict"):
        return {name: [str(m) for m in messages] for name, messages in exc.message_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}
