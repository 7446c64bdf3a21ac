"""The ledger (督办事项台账) as the XLSX offices print: a title row, the date, one row per item
with the columns of the usual paper ledger, landscape A4 fitted to the page width, the header
repeated on every printed page. Text cells can never become formulas (`quotePrefix`)."""

from __future__ import annotations

import datetime
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from saima.supervision.models import ACTION_LABELS

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _columns() -> list[tuple[str, int]]:
    return [
        (_("No."), 6),
        (_("Reference"), 14),
        (_("Supervision item"), 28),
        (_("Task"), 40),
        (_("Source"), 12),
        (_("Lead unit"), 14),
        (_("Co-units"), 16),
        (_("Leader in charge"), 10),
        (_("Level"), 8),
        (_("Assigned"), 11),
        (_("Deadline"), 11),
        (_("Extended to"), 11),
        (_("Status"), 10),
        (_("Latest progress"), 40),
        (_("Overdue (days)"), 8),
        (_("Escalation"), 14),
    ]


def _cell(sheet, row: int, column: int, value) -> None:
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True
    if isinstance(value, datetime.date):
        cell.number_format = "yyyy-mm-dd"
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    cell.border = _BORDER


_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def ledger_xlsx(rows, day: datetime.date) -> bytes:
    """The ledger's rows as XLSX bytes."""
    from saima.supervision.selectors import latest_feedback

    book = Workbook()
    sheet = book.active
    sheet.title = _("Supervision ledger")[:31]
    columns = _columns()
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    title = sheet.cell(row=1, column=1, value=_("Supervision items ledger"))
    title.font = Font(size=16, bold=True)
    title.alignment = Alignment(horizontal="center")
    sheet.cell(row=2, column=1, value=_("As of %(date)s") % {"date": day.isoformat()})
    for n, (name, width) in enumerate(columns, start=1):
        _cell(sheet, 3, n, name)
        sheet.cell(row=3, column=n).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(n)].width = width
    progress = latest_feedback([r.item for r in rows])
    for n, r in enumerate(rows, start=1):
        item = r.item
        values = [
            n,
            item.reference,
            item.title,
            item.task,
            item.get_source_display(),
            item.lead_unit.name,
            "、".join(u.name for u in r.co_units),
            item.leader_name,
            item.get_level_display(),
            item.assigned_on,
            item.deadline,
            item.extended_to,
            item.get_status_display(),
            progress.get(item.pk, ""),
            r.days_overdue or None,
            str(ACTION_LABELS.get(r.top_step.action, r.top_step.action)) if r.top_step else "",
        ]
        for column, value in enumerate(values, start=1):
            _cell(sheet, n + 3, column, value)
    sheet.freeze_panes = "A4"
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
