"""Writes of the adjustments register and manual scores.

The register keeps the bonus and deduction events of each unit in a race, entered by the office
with a date, points, a reason, an optional evidence file and a veto flag. An entry is never
deleted: it is withdrawn with a reason, and `race_inputs` ignores withdrawn entries. The race
period an event counts in is decided by `definitions.selectors.adjustment_window`.
"""

from __future__ import annotations

import datetime
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from saima.common.engine_text import say_problems
from saima.common.evidence import clean_name, max_bytes, read_upload, too_large_message
from saima.common.text import clean_text, storable_problem
from saima.inputs import SCORE_COLUMNS
from saima.org.access import Access, require_office
from saima.org.models import Unit
from saima.races.definitions.selectors import race_period, race_units
from saima.races.models import Adjustment, ManualScore, RaceDefinition
from saima.races.register import evidence
from saima.races.register.selectors import POINT_DECIMALS, manual_items, period_scores, plain
from saima.tabular import InputError, read_table

#: Largest number of points one register entry may carry, either way.
MAX_POINTS = Decimal(100)
MAX_REASON = 2000
#: A manual-scores file with more rows than this is not a race's scores.
MAX_SCORE_ROWS = 5000
_FILE_ENDINGS = (".csv", ".txt", ".xlsx", ".xlsm")


# --- Reading values ----------------------------------------------------------------------------


def _points(value: Any, field: str = "points") -> Decimal:
    """A finite number with at most POINT_DECIMALS decimals; ValidationError naming the field."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError({field: [_("Give the points.")]})
    if isinstance(value, bool):
        raise ValidationError({field: [_("Give the points as a number.")]})
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {field: [_("%(value)s is not a number.") % {"value": repr(value)}]}
        ) from None
    if not number.is_finite():
        raise ValidationError({field: [_("The points must be a finite number.")]})
    if number.copy_abs() > 10**6:  # abs() would overflow on 1e999999999
        raise ValidationError({field: [_("%(value)s is out of range.") % {"value": value}]})
    if number != number.quantize(Decimal(1).scaleb(-POINT_DECIMALS)):
        raise ValidationError(
            {
                field: [
                    _("Give the points with at most %(digits)s decimals.")
                    % {"digits": POINT_DECIMALS}
                ]
            }
        )
    return number.quantize(Decimal(1).scaleb(-POINT_DECIMALS))


def _date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value or "").strip()
    if not text:
        raise ValidationError({"date": [_("Give the date of the event.")]})
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            {"date": [_("%(value)s is not a date: write it as 2026-03-15.") % {"value": text}]}
        ) from None


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip().casefold()


def _race_unit_lookup(race: RaceDefinition) -> dict[str, Unit]:
    """The race's units by code, Chinese name and English name (case and width ignored)."""
    found: dict[str, Unit] = {}
    for unit in race_units(race):
        for key in (unit.name_en, unit.name_zh, unit.code):  # codes win over names
            if key:
                found[_fold(key)] = unit
    return found


def _race_unit(race: RaceDefinition, unit: Unit | str | None) -> Unit:
    """The unit if it is an active unit of one of the race's groups; ValidationError otherwise."""
    if unit is None or (isinstance(unit, str) and not unit.strip()):
        raise ValidationError({"unit": [_("Choose a unit.")]})
    if isinstance(unit, Unit):
        allowed = {u.pk for u in race_units(race)}
        if unit.pk in allowed:
            return unit
        raise ValidationError(
            {"unit": [_("%(unit)s is not in the race's groups.") % {"unit": unit.name}]}
        )
    found = _race_unit_lookup(race).get(_fold(unit))
    if found is None:
        code = str(unit).strip()
        known = None if storable_problem(code) else Unit.objects.filter(code=code).first()
        shown = known.name if known else str(unit).strip()
        raise ValidationError(
            {"unit": [_("%(unit)s is not in the race's groups.") % {"unit": shown}]}
        )
    return found


# --- The register: services --------------------------------------------------------------------


def _check_adjustment(
    race: RaceDefinition,
    *,
    unit: Unit | str | None,
    category: str,
    date: Any,
    points: Any,
    reason: str,
    veto: bool,
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The cleaned fields and every problem found, by field."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}

    def attempt(field: str, check) -> None:
        try:
            clean[field] = check()
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(name, []).extend(messages)

    attempt("unit", lambda: _race_unit(race, unit))
    if category not in Adjustment.Category.values:
        choices = ", ".join(Adjustment.Category.values)
        errors.setdefault("category", []).append(
            _("Choose a category: %(choices)s.") % {"choices": choices}
        )
    else:
        clean["category"] = category
    attempt("date", lambda: _date(date))
    if "date" in clean and clean["date"].year != race.year:
        errors.setdefault("date", []).append(
            _("%(date)s is outside the race's year %(year)s.")
            % {"date": clean["date"].isoformat(), "year": race.year}
        )
    attempt("points", lambda: _points(points))
    if "points" in clean:
        value = clean["points"]
        if value == 0 and not veto:
            errors.setdefault("points", []).append(
                _("Give non-zero points: positive for a bonus, negative for a deduction.")
            )
        elif abs(value) > MAX_POINTS:
            errors.setdefault("points", []).append(
                _("An entry may carry at most %(max)s points either way.") % {"max": MAX_POINTS}
            )
    reason, problem = clean_text(
        reason, limit=MAX_REASON, required=_("Give the reason for the entry.")
    )
    if problem:
        errors.setdefault("reason", []).append(problem)
    clean["reason"] = reason
    clean["veto"] = bool(veto)
    return clean, errors


def adjustment_add(
    access: Access,
    race: RaceDefinition,
    *,
    unit: Unit | str | None,
    category: str,
    date: datetime.date | str | None,
    points: Decimal | float | int | str | None,
    reason: str,
    veto: bool = False,
    evidence_file=None,
) -> Adjustment:
    """Enter a bonus or deduction event in the register (the office).

    Every field and the evidence file are checked before anything is stored; ValidationError
    lists every problem by field, and nothing changes.
    """
    require_office(access)
    clean, errors = _check_adjustment(
        race, unit=unit, category=category, date=date, points=points, reason=reason, veto=veto
    )
    checked = None
    if evidence_file is not None:
        try:
            checked = read_upload(evidence_file)
        except ValidationError as exc:
            errors.setdefault("evidence", []).extend(exc.message_dict["evidence"])
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        stored = evidence.evidence_store(access, checked) if checked else None
        return Adjustment.objects.create(
            race=race, evidence=stored, entered_by_id=access.user_id, **clean
        )


def adjustment_attach_evidence(access: Access, adjustment: Adjustment, evidence_file) -> Adjustment:
    """Attach an evidence file to an entry that has none yet (the office)."""
    require_office(access)
    checked = read_upload(evidence_file)
    with transaction.atomic():
        entry = Adjustment.objects.select_for_update().get(pk=adjustment.pk)
        if entry.withdrawn_at is not None:
            raise ValidationError(
                {"evidence": [_("This entry is withdrawn; it cannot take a file any more.")]}
            )
        if entry.evidence_id is not None:
            raise ValidationError(
                {
                    "evidence": [
                        _(
                            "This entry already has an evidence file; withdraw it and enter it "
                            "again to change the file."
                        )
                    ]
                }
            )
        entry.evidence = evidence.evidence_store(access, checked)
        entry.save(update_fields=["evidence"])
    return entry


def adjustment_withdraw(access: Access, adjustment: Adjustment, reason: str) -> Adjustment:
    """Withdraw an entry with a reason (the office). The entry stays in the register."""
    require_office(access)
    reason, problem = clean_text(
        reason, limit=MAX_REASON, required=_("Give the reason for withdrawing the entry.")
    )
    if problem:
        raise ValidationError({"reason": [problem]})
    with transaction.atomic():
        entry = Adjustment.objects.select_for_update().get(pk=adjustment.pk)
        if entry.withdrawn_at is not None:
            raise ValidationError(
                {
                    "reason": [
                        _("This entry was already withdrawn on %(date)s.")
                        % {"date": timezone.localtime(entry.withdrawn_at).date().isoformat()}
                    ]
                }
            )
        entry.withdrawn_at = timezone.now()
        entry.withdrawn_by_id = access.user_id
        entry.withdraw_reason = reason
        entry.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason"])
    return entry


# --- The register: selectors -------------------------------------------------------------------


# --- Manual scores -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreRow:
    """One manual score as given: a unit (code or name), an item code, points; `row` is the
    file's row number when it came from a file."""

    unit: str
    item: str
    points: Any
    row: int | None = None


def _row_place(row: ScoreRow, position: int) -> str:
    if row.row is not None:
        return _("Row %(row)s") % {"row": row.row}
    return _("Score %(number)s") % {"number": position}


def _check_scores(
    race: RaceDefinition, rows: Iterable[ScoreRow]
) -> tuple[list[tuple[Unit, str, Decimal]], list[str]]:
    units = _race_unit_lookup(race)
    items = {i.code: i for i in manual_items(race)}
    clean: list[tuple[Unit, str, Decimal]] = []
    problems: list[str] = []
    seen: dict[tuple[int, str], str] = {}
    for position, row in enumerate(rows, start=1):
        place = _row_place(row, position)
        unit = units.get(_fold(row.unit or ""))
        item = items.get(str(row.item or "").strip())
        here: list[str] = []
        if unit is None:
            here.append(_("%(unit)s is not in the race's groups.") % {"unit": row.unit or "—"})
        if item is None:
            known = ", ".join(items) or "—"
            here.append(
                _("%(item)s is not a manual item of this race (manual items: %(items)s).")
                % {"item": row.item or "—", "items": known}
            )
        try:
            points = _points(row.points)
        except ValidationError as exc:
            here.extend(exc.message_dict["points"])
            points = None
        if points is not None and item is not None and not 0 <= points <= Decimal(str(item.weight)):
            here.append(
                _("%(points)s points is outside 0–%(weight)s, the weight of %(item)s.")
                % {"points": plain(points), "weight": f"{item.weight:g}", "item": item.code}
            )
        if unit is not None and item is not None:
            key = (unit.pk, item.code)
            if key in seen:
                here.append(
                    _("%(unit)s already has a score for %(item)s (%(first)s).")
                    % {"unit": unit.code, "item": item.code, "first": seen[key]}
                )
            else:
                seen[key] = place
        if here:
            problems.extend(f"{place}: {message}" for message in here)
        elif unit is not None and item is not None and points is not None:
            clean.append((unit, item.code, points))
    return clean, problems


def manual_scores_save(
    access: Access, race: RaceDefinition, period_label: str, rows: Iterable[ScoreRow]
) -> list[ManualScore]:
    """Replace the manual scores of one race period with `rows` (the office).

    Every row is checked first (unit in the race's groups, a manual item, points between 0 and
    the item's weight, no duplicates); ValidationError lists every problem by row and nothing
    changes. Rows absent from `rows` are removed.
    """
    require_office(access)
    period = race_period(race, period_label)
    if not manual_items(race):
        raise ValidationError({"rows": [_("This race has no manual items.")]})
    clean, problems = _check_scores(race, list(rows))
    if problems:
        raise ValidationError({"rows": problems})
    with transaction.atomic():
        existing = {
            (s.unit_id, s.item): s
            for s in ManualScore.objects.select_for_update().filter(race=race, period=period.label)
        }
        for unit, item, points in clean:
            score = existing.pop((unit.pk, item), None)
            if score is None:
                ManualScore.objects.create(
                    race=race,
                    period=period.label,
                    unit=unit,
                    item=item,
                    points=points,
                    entered_by_id=access.user_id,
                )
            elif score.points != points:
                score.points = points
                score.entered_by_id = access.user_id
                score.save(update_fields=["points", "entered_by", "entered_at"])
        for score in existing.values():
            score.delete()
    return period_scores(race, period)


def scores_from_file(uploaded_file) -> list[ScoreRow]:
    """The rows of a CSV or XLSX file with the columns unit, item, points.

    ValidationError lists every problem with its row and column (from `read_table`).
    """
    if uploaded_file is None:
        raise ValidationError({"file": [_("Choose a file.")]})
    name = clean_name(getattr(uploaded_file, "name", "") or "") or "scores"
    ending = Path(name.lower()).suffix
    if ending not in _FILE_ENDINGS:
        raise ValidationError({"file": [_("%(name)s is not a CSV or XLSX file.") % {"name": name}]})
    limit = max_bytes()
    if (getattr(uploaded_file, "size", 0) or 0) > limit:
        raise ValidationError({"file": [too_large_message(name, limit)]})
    data = uploaded_file.read(limit + 1)
    if len(data) > limit:
        raise ValidationError({"file": [too_large_message(name, limit)]})
    if not data:
        raise ValidationError({"file": [_("%(name)s is empty.") % {"name": name}]})
    if ending in (".xlsx", ".xlsm"):
        from saima.common.workbooks import check_workbook_bytes

        try:
            check_workbook_bytes(data, file=name)
        except InputError as exc:
            raise ValidationError({"file": say_problems(exc.problems)}) from None
    with tempfile.TemporaryDirectory(prefix="saima-scores-") as folder:
        path = Path(folder) / f"scores{ending}"
        path.write_bytes(data)
        try:
            table = read_table(path, SCORE_COLUMNS, label=name)
        except InputError as exc:
            raise ValidationError({"file": say_problems(exc.problems)}) from None
        except Exception:  # a damaged workbook may raise nearly anything inside openpyxl
            raise ValidationError(
                {"file": [_("%(name)s cannot be read; save it again and retry.") % {"name": name}]}
            ) from None
    if table.frame.height > MAX_SCORE_ROWS:
        raise ValidationError(
            {
                "file": [
                    _("%(name)s has more than %(max)s rows.")
                    % {"name": name, "max": MAX_SCORE_ROWS}
                ]
            }
        )
    return [
        ScoreRow(unit=r["unit"], item=r["item"], points=r["points"], row=r["_row"])
        for r in table.frame.iter_rows(named=True)
    ]
