"""The pre-filled XLSX a unit downloads, fills in and uploads again.

Layout of the data sheet (填报表): row 1 a title, row 2 the Chinese headers, row 3 the English
headers, one row per indicator from row 4. Only 本期累计 (this period's cumulative value), 情况说明
(note) and, for amounts and counts, 增速(%) are unlocked; the sheet is protected without a password
(protection prevents slips, not attacks: every value is checked again on upload). A hidden,
protected sheet holds the unit, the period, the template version, the indicator codes and an HMAC
signature over them (django.core.signing with SECRET_KEY), so a template for another unit or
period, or one whose identity was edited, is recognised.

The workbook's own text (headers, input and error messages) is fixed bilingual content, not
translated: the headers are what an upload is matched against, whatever the reader's language.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import openpyxl
from django.core import signing
from django.utils.translation import gettext as _
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from saima.common.text import NOTE_LENGTH
from saima.common.workbooks import (
    MAX_TEMPLATE_UNCOMPRESSED_BYTES,
    check_workbook_bytes,
    guarded,
    refuse,
)
from saima.engine import Period
from saima.engine.frames import SCHEDULED_KINDS
from saima.metrics.models import Indicator
from saima.org.models import Unit
from saima.reporting.files_rows import CellError, FigureRow, cell_decimal, figure_row
from saima.tabular import InputError, Problem
from saima.tabular._xlsx import is_percent_format

TEMPLATE_VERSION = "1"
DATA_SHEET = "填报表"
META_SHEET = "saima"
SALT = "saima.reporting.template"
TITLE_ROW = 1
HEADER_ROW = 2
ENGLISH_ROW = 3
FIRST_ROW = 4
MAX_NOTE = NOTE_LENGTH
#: Largest magnitude the number cells accept (the database keeps figures below 1e14).
LIMIT = "99999999999999"


@dataclass(frozen=True)
class _Col:
    key: str
    zh: str
    en: str
    width: float


COLUMNS = (
    _Col("code", "指标代码", "Indicator code", 12),
    _Col("name", "指标", "Indicator", 28),
    _Col("measure", "计量单位", "Unit of measure", 12),
    _Col("previous", "上期累计", "Last period (cumulative)", 14),
    _Col("last_year", "去年同期", "Same period last year", 14),
    _Col("value", "本期累计", "This period (cumulative)", 16),
    _Col("growth", "增速(%)", "Growth (%)", 12),
    _Col("note", "情况说明", "Note", 40),
)
INDEX = {column.key: index for index, column in enumerate(COLUMNS)}
LETTER = {column.key: get_column_letter(index + 1) for index, column in enumerate(COLUMNS)}
_EDITABLE_FILL = PatternFill("solid", fgColor="FFF9E0")
_META_KEYS = ("version", "unit", "period", "indicators", "signature")


@dataclass(frozen=True)
class Current:
    """What is already stored for one indicator, pre-filled so a unit can correct it."""

    value: Decimal | None = None
    growth: Decimal | None = None
    note: str = ""


def period_key(period: Period) -> str:
    """The identity of a period in a template: `2026-Q2` and `2026-06` are the same span."""
    return f"{period.year}-{period.month:02d}"


def sign(*, unit_code: str, period: str, codes: Sequence[str]) -> str:
    """HMAC (SECRET_KEY) over the template's identity."""
    payload = "|".join([TEMPLATE_VERSION, unit_code, period, ",".join(codes)])
    return signing.Signer(salt=SALT).signature(payload)


# --- building ---------------------------------------------------------------------------------


def build_template(
    unit: Unit,
    period: Period,
    *,
    indicators: Iterable[Indicator],
    previous: Mapping[str, Decimal | None],
    last_year: Mapping[str, Decimal | None],
    current: Mapping[str, Current] | None = None,
    due: dt.date | None = None,
) -> bytes:
    """The template for `unit` and `period` as XLSX bytes; mappings are keyed by indicator code."""
    indicators = list(indicators)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = DATA_SHEET
    _title(sheet, unit, period, due)
    _headers(sheet)
    nonnegative = _validation(nonnegative=True)
    any_number = _validation(nonnegative=False)
    sheet.add_data_validation(nonnegative)
    sheet.add_data_validation(any_number)
    for offset, indicator in enumerate(indicators):
        row = FIRST_ROW + offset
        stored = (current or {}).get(indicator.code, Current())
        _indicator_row(sheet, row, indicator, previous, last_year, stored)
        signed = indicator.kind == Indicator.Kind.GROWTH
        (any_number if signed else nonnegative).add(f"{LETTER['value']}{row}")
        if indicator.kind in SCHEDULED_KINDS:  # reported with its growth, as in the web form
            any_number.add(f"{LETTER['growth']}{row}")
    _protect(sheet)
    _meta(book, unit, period, [i.code for i in indicators])
    book.properties.creator = "Saima"
    book.properties.title = f"{unit.code} {period_key(period)}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _title(sheet: Any, unit: Unit, period: Period, due: dt.date | None) -> None:
    text = f"{unit.name_zh} {period.label} 重点指标填报表 / {unit.name_en}, {period.label}"
    if due is not None:
        text += f"    报送截止 Due: {due.isoformat()}"
    _text(sheet.cell(TITLE_ROW, 1), text)
    sheet.cell(TITLE_ROW, 1).font = Font(bold=True, size=14)
    sheet.merge_cells(
        start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=len(COLUMNS)
    )
    sheet.row_dimensions[TITLE_ROW].height = 24


def _headers(sheet: Any) -> None:
    for index, column in enumerate(COLUMNS, start=1):
        zh = sheet.cell(HEADER_ROW, index, column.zh)
        zh.font = Font(bold=True)
        zh.comment = Comment(column.en, "Saima")
        en = sheet.cell(ENGLISH_ROW, index, column.en)
        en.font = Font(italic=True, color="666666")
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = f"A{FIRST_ROW}"


def _indicator_row(
    sheet: Any,
    row: int,
    indicator: Indicator,
    previous: Mapping[str, Decimal | None],
    last_year: Mapping[str, Decimal | None],
    stored: Current,
) -> None:
    number_format = "0" if indicator.decimals == 0 else "0." + "0" * indicator.decimals
    cells = {
        "code": indicator.code,
        "name": indicator.name_zh,
        "measure": indicator.measure_zh,
        "previous": previous.get(indicator.code),
        "last_year": last_year.get(indicator.code),
        "value": stored.value,
        "growth": stored.growth,
        "note": stored.note,
    }
    editable = {"value", "note"} | ({"growth"} if indicator.kind in SCHEDULED_KINDS else set())
    for key, value in cells.items():
        cell = sheet.cell(row, INDEX[key] + 1)
        if isinstance(value, str):
            _text(cell, value)
        else:
            cell.value = None if value is None else float(value)
        if key in ("previous", "last_year", "value"):
            cell.number_format = number_format
        elif key == "growth":
            cell.number_format = "0.0#"
        if key in editable:
            cell.protection = Protection(locked=False)
            cell.fill = _EDITABLE_FILL
        if key == "note":
            cell.alignment = Alignment(wrap_text=True)
    sheet.cell(row, INDEX["name"] + 1).comment = Comment(indicator.name_en, "Saima")


def _text(cell: Any, text: str) -> None:
    """A text cell that can never become a formula (formula-injection escaping)."""
    cell.value = text
    if cell.data_type != "s":
        cell.data_type = "s"
    if text.startswith(("=", "+", "-", "@")):
        cell.quotePrefix = True


def _validation(*, nonnegative: bool) -> DataValidation:
    rule = DataValidation(
        type="decimal",
        operator="between",
        formula1="0" if nonnegative else f"-{LIMIT}",
        formula2=LIMIT,
        allow_blank=True,
        showInputMessage=True,
        showErrorMessage=True,
        errorStyle="stop",
    )
    rule.promptTitle = "本期累计"
    rule.prompt = "请填写1月至本期的累计数（数字，不要填文字、日期或公式）。"
    rule.errorTitle = "输入有误"
    rule.error = (
        "请输入非负数字，不能填写文字、日期或公式。"
        if nonnegative
        else "请输入数字，不能填写文字、日期或公式。"
    )
    return rule


def _protect(sheet: Any) -> None:
    sheet.protection.sheet = True  # no password: see the module docstring
    sheet.protection.formatColumns = False  # allowed: widening a column is harmless
    sheet.protection.formatRows = False


def _meta(book: Any, unit: Unit, period: Period, codes: list[str]) -> None:
    meta = book.create_sheet(META_SHEET)
    values = {
        "version": TEMPLATE_VERSION,
        "unit": unit.code,
        "period": period_key(period),
        "indicators": ",".join(codes),
        "signature": sign(unit_code=unit.code, period=period_key(period), codes=codes),
    }
    for row, key in enumerate(_META_KEYS, start=1):
        meta.cell(row, 1, key)
        _text(meta.cell(row, 2), values[key])
    meta.sheet_state = "hidden"
    meta.protection.sheet = True


# --- parsing ----------------------------------------------------------------------------------


def parse_template(data: bytes, *, filename: str, unit: Unit, period: Period) -> list[FigureRow]:
    """The figures of a filled template, or InputError naming every problem's sheet/row/column.

    Nothing is written. Rows with no value, growth or note are skipped (not reported).
    """
    check_workbook_bytes(data, file=filename, max_uncompressed=MAX_TEMPLATE_UNCOMPRESSED_BYTES)
    # One full load with formulas kept: merged cells need a full load, formulas must be seen.
    book = guarded(filename, lambda: openpyxl.load_workbook(io.BytesIO(data), data_only=False))
    codes = _check_identity(book, filename=filename, unit=unit, period=period)
    return guarded(filename, lambda: _Reader(book, filename, unit, period, codes).rows())


def _check_identity(book: Any, *, filename: str, unit: Unit, period: Period) -> list[str]:
    """The signed indicator codes, after checking the template is this unit's and period's."""
    if META_SHEET not in book.sheetnames:
        raise refuse(
            filename,
            _(
                "is not a Saima template (its hidden signature sheet is missing); download the "
                "template for %(unit)s, %(period)s and fill that in"
            )
            % {"unit": unit.name, "period": period.label},
        )
    meta = book[META_SHEET]
    found = {str(meta.cell(r, 1).value or ""): meta.cell(r, 2).value for r in range(1, 10)}
    fields = {key: "" if found.get(key) is None else str(found[key]) for key in _META_KEYS}
    codes = [c for c in fields["indicators"].split(",") if c]
    expected = sign(unit_code=fields["unit"], period=fields["period"], codes=codes)
    if fields["version"] != TEMPLATE_VERSION or not signing.constant_time_compare(
        fields["signature"], expected
    ):
        raise refuse(
            filename,
            _(
                "has a missing or wrong signature: it was altered or is not a template from "
                "this Saima; download a fresh template"
            ),
            sheet=META_SHEET,
        )
    if fields["unit"] != unit.code:
        raise refuse(
            filename,
            _("is the template of unit %(found)s, not of %(unit)s")
            % {"found": fields["unit"], "unit": unit.code},
        )
    if fields["period"] != period_key(period):
        raise refuse(
            filename,
            _("is the template for %(found)s, not for %(period)s")
            % {"found": fields["period"], "period": period_key(period)},
        )
    return codes


class _Reader:
    """Reads the data sheet of a template whose identity has been checked."""

    def __init__(self, book: Any, file: str, unit: Unit, period: Period, codes: list[str]):
        self.file = file
        self.unit = unit
        self.period = period
        self.codes = codes
        self.indicators = Indicator.objects.in_bulk(codes, field_name="code")
        self.problems: list[Problem] = []
        self.sheet = book[DATA_SHEET] if DATA_SHEET in book.sheetnames else None

    def problem(self, message: str, row: int | None = None, key: str | None = None) -> None:
        column = None if key is None else f"{LETTER[key]} ({COLUMNS[INDEX[key]].zh})"
        sheet = None if self.sheet is None else self.sheet.title
        self.problems.append(Problem(self.file, message, sheet, row, column))

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(self.problems)

    def rows(self) -> list[FigureRow]:
        if self.sheet is None:
            self.problem(_("has no sheet named %(sheet)s") % {"sheet": DATA_SHEET})
            self.raise_if_any()
        self._check_headers()
        self.raise_if_any()
        self._check_merged()
        self.raise_if_any()
        rows = self._read_rows()
        self.raise_if_any()
        return rows

    def _check_headers(self) -> None:
        for index, column in enumerate(COLUMNS, start=1):
            found = self.sheet.cell(HEADER_ROW, index).value
            if _clean(found) != column.zh:
                self.problem(
                    _(
                        "the header should be “%(expected)s” but is “%(found)s”: a column was "
                        "renamed, moved or deleted; download a fresh template"
                    )
                    % {"expected": column.zh, "found": _clean(found)},
                    HEADER_ROW,
                    column.key,
                )
        extra = self.sheet.cell(HEADER_ROW, len(COLUMNS) + 1).value
        if _clean(extra):
            self.problems.append(
                Problem(
                    self.file,
                    _("a column “%(found)s” was added; remove it") % {"found": _clean(extra)},
                    self.sheet.title,
                    HEADER_ROW,
                    get_column_letter(len(COLUMNS) + 1),
                )
            )

    def _check_merged(self) -> None:
        for merged in self.sheet.merged_cells.ranges:
            if merged.max_row >= FIRST_ROW:
                self.problems.append(
                    Problem(
                        self.file,
                        _("cells %(range)s are merged; unmerge them, one figure per cell")
                        % {"range": merged.coord},
                        self.sheet.title,
                        merged.min_row,
                        get_column_letter(merged.min_col),
                    )
                )

    def _read_rows(self) -> list[FigureRow]:
        rows: list[FigureRow] = []
        seen: dict[str, int] = {}
        last = FIRST_ROW + len(self.codes) - 1
        for number, cells in enumerate(
            self.sheet.iter_rows(min_row=FIRST_ROW, max_row=max(self.sheet.max_row, FIRST_ROW)),
            start=FIRST_ROW,
        ):
            if all(_blank(cell.value) for cell in cells):
                continue
            if number > last:
                self.problem(
                    _(
                        "rows added below the table are not read; delete them (an indicator "
                        "that is not listed needs a new template from the office)"
                    ),
                    number,
                )
                continue
            row = self._read_row(number, cells, seen)
            if row is not None:
                rows.append(row)
        return rows

    def _read_row(self, number: int, cells: tuple, seen: dict[str, int]) -> FigureRow | None:
        by_key = {c.key: cells[i] if i < len(cells) else None for i, c in enumerate(COLUMNS)}
        code = _clean(by_key["code"].value if by_key["code"] is not None else None)
        indicator = self.indicators.get(code) if code in self.codes else None
        if indicator is None:
            self.problem(_("unknown indicator “%(code)s”") % {"code": code or "?"}, number, "code")
            return None
        if code in seen:
            self.problem(
                _("indicator %(code)s appears twice (also in row %(row)d); keep one row")
                % {"code": code, "row": seen[code]},
                number,
                "code",
            )
            return None
        seen[code] = number
        value = self._number(by_key["value"], number, "value")
        growth = self._number(by_key["growth"], number, "growth")
        last_year = self._number(by_key["last_year"], number, "last_year")
        note = self._note(by_key["note"], number)
        if value is not None and value < 0 and indicator.kind != Indicator.Kind.GROWTH:
            self.problem(_("only a growth rate can be negative"), number, "value")
        if value is None and growth is None and not note:
            return None
        return figure_row(
            unit_code=self.unit.code,
            indicator_code=code,
            year=self.period.year,
            month=self.period.month,
            value=value,
            last_year_value=last_year,
            growth=growth,
            note=note,
        )

    def _number(self, cell: Any, row: int, key: str) -> Decimal | None:
        if cell is None:
            return None
        if _is_formula(cell):
            self.problem(
                _("“%(formula)s” is a formula; type the figure") % {"formula": _formula_text(cell)},
                row,
                key,
            )
            return None
        try:
            return cell_decimal(
                cell.value, percent=is_percent_format(getattr(cell, "number_format", None))
            )
        except CellError as exc:
            self.problem(str(exc), row, key)
            return None

    def _note(self, cell: Any, row: int) -> str:
        if cell is None or cell.value is None:
            return ""
        if _is_formula(cell):
            self.problem(
                _("“%(formula)s” is a formula; type the text") % {"formula": _formula_text(cell)},
                row,
                "note",
            )
            return ""
        value = cell.value
        if isinstance(value, dt.datetime | dt.date | dt.time):
            text = value.isoformat()
        elif isinstance(value, float) and value.is_integer():
            text = str(int(value))
        else:
            text = str(value)
        text = text.strip()
        if len(text) > MAX_NOTE:
            self.problem(
                _("the note is longer than %(max)d characters") % {"max": MAX_NOTE}, row, "note"
            )
        return text


def _is_formula(cell: Any) -> bool:
    return getattr(cell, "data_type", None) == "f" or isinstance(
        cell.value, ArrayFormula | DataTableFormula
    )


def _formula_text(cell: Any) -> str:
    value = cell.value
    text = getattr(value, "text", None) or str(value)
    return text[:60]


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean(value: object) -> str:
    return "" if value is None else str(value).strip()
