"""Writes of indicators and targets: the only place they change, each checked and recorded.

(Figures are written by the reporting app's `figures_save`, which uses the checks here.)

Every change goes through `simple_history`, so who changed which figure, when and from what is
kept; the acting user is passed explicitly (not only taken from the request) so scripts and
imports are recorded too.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from saima.engine import Period
from saima.metrics.models import Indicator, Target
from saima.org.access import Access
from saima.org.models import Unit

LIMIT = Decimal("1e14")
#: Significant digits every supported database keeps exactly (SQLite stores decimals as doubles).
SIGNIFICANT_DIGITS = 15


def to_decimal(value: object, *, field: str) -> Decimal | None:
    """A finite decimal within range, or None for blank; ValidationError naming the field."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {field: _("%(value)s is not a number.") % {"value": repr(value)}}
        ) from None
    # copy_abs, not abs(): abs() rounds to the context and overflows on 1e999999999.
    if not number.is_finite() or number.copy_abs() >= LIMIT:
        raise ValidationError({field: _("%(value)s is out of range.") % {"value": value}})
    # SQLite stores a DecimalField as an 8-byte float: more digits would come back altered, and
    # a figure that rounds up to 1e14 could not be read back at all.
    if len(number.normalize().as_tuple().digits) > SIGNIFICANT_DIGITS:
        raise ValidationError(
            {
                field: _("%(value)s has more than %(digits)s significant digits.")
                % {"value": value, "digits": SIGNIFICANT_DIGITS}
            }
        )
    return number


def check_period_open(period: Period, *, today=None) -> None:
    """Figures can be entered for periods up to the current month, not for the future."""
    today = today or timezone.localdate()
    if (period.year, period.month) > (today.year, today.month):
        raise ValidationError(
            {"period": _("%(period)s is in the future.") % {"period": period.label}}
        )


@transaction.atomic
def target_set(
    *,
    access: Access,
    user,
    unit: Unit,
    indicator: Indicator,
    year: int,
    value: object,
    not_applicable: bool = False,
    last_year_total: object = None,
) -> Target:
    """Set one unit's annual target on one indicator (the office only)."""
    if not access.is_office:
        raise PermissionDenied(_("Only the office sets targets."))
    number = to_decimal(value, field="value")
    if not not_applicable and number is None:
        raise ValidationError({"value": _("Give a target, or mark the indicator as not applying.")})
    if number is not None and number <= 0 and indicator.kind != Indicator.Kind.GROWTH:
        raise ValidationError({"value": _("This kind of indicator needs a positive target.")})
    # One save, so one history record saying who (get_or_create would write two).
    target = Target.objects.select_for_update().filter(
        unit=unit, indicator=indicator, year=year
    ).first() or Target(unit=unit, indicator=indicator, year=year)
    target.value = None if not_applicable else number
    target.not_applicable = not_applicable
    target.last_year_total = to_decimal(last_year_total, field="last_year_total")
    target._history_user = user
    target.full_clean()
    target.save()
    return target


#: The fields of an indicator the office sets.
INDICATOR_FIELDS = (
    "code",
    "name_zh",
    "name_en",
    "kind",
    "direction",
    "measure_zh",
    "measure_en",
    "decimals",
    "frequency",
    "combined_jan_feb",
    "profile",
    "yellow_pp",
    "check_settings",
    "source",
    "order",
)


@transaction.atomic
def indicator_save(
    *, access: Access, user, indicator: Indicator | None = None, **fields: object
) -> Indicator:
    """Create or change an indicator (the office). Its kind cannot change once it has targets
    or figures: they would be read as another kind of number."""
    if not access.is_office:
        raise PermissionDenied(_("Only the office defines indicators."))
    unknown = sorted(set(fields) - set(INDICATOR_FIELDS))
    if unknown:
        raise TypeError(f"indicator_save() got unexpected fields {unknown}")
    if indicator is None:
        indicator = Indicator()
    else:
        indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
        kind = fields.get("kind", indicator.kind)
        used = indicator.targets.exists() or indicator.observations.exists()
        if kind != indicator.kind and used:
            raise ValidationError(
                {"kind": _("The indicator has targets or figures; its kind cannot change.")}
            )
    for name, value in fields.items():
        setattr(indicator, name, value)
    indicator._history_user = user
    indicator.full_clean()
    indicator.save()
    return indicator


class TargetsRefused(ValidationError):
    """A batch of targets refused as a whole, nothing written: `problems` lists each refusal as
    (index of the row, field, message); the field is `unit`, `indicator`, `value`,
    `last_year_total` or None for the row as a whole, so a page can point at a cell."""

    def __init__(self, problems: list[tuple[int, str | None, str]]):
        self.problems = problems
        super().__init__([message for _index, _field, message in problems])


@transaction.atomic
def targets_set(*, access: Access, user, year: int, rows: list[dict]) -> list[Target]:
    """Set many targets at once, all or none: each row (`unit` and `indicator` codes, `value`,
    optional `not_applicable` and `last_year_total`) is checked exactly as `target_set` checks
    one; any refusal rolls every row back. The targets page and its XLSX import come here."""
    if not access.is_office:
        raise PermissionDenied(_("Only the office sets targets."))
    units = {u.code: u for u in Unit.objects.all()}
    indicators = {i.code: i for i in Indicator.objects.all()}
    problems: list[tuple[int, str | None, str]] = []
    saved = []
    for index, row in enumerate(rows):
        unit, indicator = units.get(row.get("unit")), indicators.get(row.get("indicator"))
        if unit is None:
            message = _("There is no unit with the code %(code)s.") % {"code": row.get("unit")}
            problems.append((index, "unit", message))
        if indicator is None:
            message = _("There is no indicator with the code %(code)s.") % {
                "code": row.get("indicator")
            }
            problems.append((index, "indicator", message))
        if unit is None or indicator is None:
            continue
        try:
            with transaction.atomic():
                saved.append(
                    target_set(
                        access=access,
                        user=user,
                        unit=unit,
                        indicator=indicator,
                        year=year,
                        value=row.get("value"),
                        not_applicable=bool(row.get("not_applicable")),
                        last_year_total=row.get("last_year_total"),
                    )
                )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, messages in exc.message_dict.items():
                    name = field if field in ("value", "last_year_total") else None
                    problems += [(index, name, message) for message in messages]
            else:
                problems += [(index, None, message) for message in exc.messages]
    if problems:
        raise TargetsRefused(problems)
    return saved
