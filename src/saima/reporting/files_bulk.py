"""The office's bulk import: one sheet with every unit × indicator for a period.

The statistics bureau's sheet arrives as CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) or XLSX, with
English or Chinese headers. Reading, encodings and cell typing are saima.tabular's `read_table`
(fed through a temporary file that lives only for the call); this module checks the workbook
bytes first (size, zip bomb), then resolves units and indicators and builds FigureRows.
"""

from __future__ import annotations

import tempfile
import unicodedata
from pathlib import Path

from django.utils.translation import gettext as _

from saima.common.workbooks import check_size, check_workbook_bytes, refuse
from saima.engine import Period, PeriodError, parse_period
from saima.metrics.models import Indicator
from saima.org.models import Unit
from saima.reporting.files_rows import CellError, FigureRow, decimal_of_float, figure_row
from saima.tabular import Column, InputError, Problem, Table, read_table

MAX_ROWS = 100_000

BULK_COLUMNS = (
    Column("unit", aliases=("单位", "单位代码", "单位名称", "unit code", "unit name")),
    Column("indicator", aliases=("指标", "指标代码", "指标名称", "indicator code")),
    Column(
        "value",
        kind="number",
        allow_blank=True,
        aliases=("本期累计", "累计值", "累计", "cumulative value", "本期"),
    ),
    Column(
        "last_year_value",
        kind="number",
        required=False,
        allow_blank=True,
        aliases=("去年同期", "last year", "same period last year"),
    ),
    Column(
        "growth",
        kind="number",
        required=False,
        allow_blank=True,
        aliases=("增速", "增速(%)", "增速（%）", "growth (%)", "growth %"),
    ),
    Column("note", required=False, allow_blank=True, aliases=("情况说明", "说明", "备注", "notes")),
    Column("period", required=False, allow_blank=True, aliases=("期间", "报告期", "时间")),
)
_CSV = frozenset({".csv", ".txt"})
_XLSX = frozenset({".xlsx", ".xlsm"})


def parse_bulk(data: bytes, *, filename: str, period: Period) -> list[FigureRow]:
    """Every figure in the office's sheet for `period`, or InputError naming each problem."""
    check_size(data, file=filename)
    suffix = Path(filename).suffix.lower()
    if suffix in _XLSX:
        check_workbook_bytes(data, file=filename)
    elif suffix not in _CSV:
        raise refuse(
            filename,
            _("is not a CSV or XLSX file (the name ends in “%(suffix)s”)")
            % {"suffix": suffix or "?"},
        )
    table = _read(data, filename=filename, suffix=suffix)
    if table.frame.height > MAX_ROWS:
        raise refuse(filename, _("has more than %(max)d rows") % {"max": MAX_ROWS})
    return _Resolver(table, period).rows()


def _read(data: bytes, *, filename: str, suffix: str) -> Table:
    with tempfile.TemporaryDirectory(prefix="saima-import-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        return read_table(path, BULK_COLUMNS, label=filename)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


def _lookup(objects) -> dict[str, object]:
    """Find by code, Chinese name or English name (case and full-width forms ignored)."""
    found: dict[str, object] = {}
    for obj in objects:
        for key in (obj.name_en, obj.name_zh, obj.code):  # codes win over names
            found[_fold(key)] = obj
    return found


class _Resolver:
    def __init__(self, table: Table, period: Period) -> None:
        self.table = table
        self.period = period
        self.units = _lookup(Unit.objects.all())
        self.indicators = _lookup(Indicator.objects.all())
        self.problems: list[Problem] = []

    def add(self, row: int, column: str, message: str) -> None:
        self.problems.append(self.table.problem(row, column, message))

    def rows(self) -> list[FigureRow]:
        rows: list[FigureRow] = []
        seen: dict[tuple[str, str], int] = {}
        for record in self.table.frame.iter_rows(named=True):
            row = self._row(record, seen)
            if row is not None:
                rows.append(row)
        if self.problems:
            raise InputError(self.problems)
        return rows

    def _row(self, record: dict, seen: dict[tuple[str, str], int]) -> FigureRow | None:
        number = record["_row"]
        unit = self._unit(record["unit"], number)
        indicator = self.indicators.get(_fold(record["indicator"]))
        if indicator is None:
            self.add(
                number,
                "indicator",
                _("unknown indicator “%(name)s”") % {"name": record["indicator"]},
            )
        self._check_period(record.get("period"), number)
        values = self._values(record, number, indicator)
        if unit is None or indicator is None or values is None:
            return None
        key = (unit.code, indicator.code)
        if key in seen:
            self.add(
                number,
                "indicator",
                _("%(unit)s · %(indicator)s appears twice (also in row %(row)d); keep one row")
                % {"unit": unit.code, "indicator": indicator.code, "row": seen[key]},
            )
            return None
        seen[key] = number
        value, last_year, growth, note = values
        if value is None and growth is None and not note:
            return None
        return figure_row(
            unit_code=unit.code,
            indicator_code=indicator.code,
            year=self.period.year,
            month=self.period.month,
            value=value,
            last_year_value=last_year,
            growth=growth,
            note=note,
        )

    def _unit(self, name: str, number: int) -> Unit | None:
        unit = self.units.get(_fold(name))
        if unit is None:
            self.add(number, "unit", _("unknown unit “%(name)s”") % {"name": name})
        elif not unit.active:
            self.add(number, "unit", _("unit %(name)s is no longer active") % {"name": name})
            return None
        return unit

    def _check_period(self, text: str | None, number: int) -> None:
        if not text:
            return
        try:
            found = parse_period(text)
        except PeriodError:
            self.add(number, "period", _("“%(text)s” is not a period") % {"text": text})
            return
        if not found.same_span(self.period):
            self.add(
                number,
                "period",
                _("the row is for %(found)s, but the import is for %(period)s")
                % {"found": found.label, "period": self.period.label},
            )

    def _values(self, record: dict, number: int, indicator) -> tuple | None:
        decimals = {}
        for name in ("value", "last_year_value", "growth"):
            raw = record.get(name)
            try:
                decimals[name] = None if raw is None else decimal_of_float(raw)
            except CellError as exc:
                self.add(number, name, str(exc))
                return None
        value = decimals["value"]
        if (
            value is not None
            and value < 0
            and indicator is not None
            and indicator.kind != Indicator.Kind.GROWTH
        ):
            self.add(number, "value", _("only a growth rate can be negative"))
            return None
        return value, decimals["last_year_value"], decimals["growth"], record.get("note") or ""
