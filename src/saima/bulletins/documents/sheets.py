"""The bulletin's tables as XLSX, set up for printing: the standings, every item's score (the
annex), the area's progress and the lights, each on its own sheet, A4 landscape, fitted to the
page width, header row repeated on every page, page numbers in the footer.

Figures are numbers with the published decimals as their format (an office sorts and sums
them); text never becomes a formula.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from saima.bulletins.documents import Document
from saima.bulletins.documents.layout import change_text
from saima.bulletins.facts import safe_text
from saima.bulletins.narrative import listed_items
from saima.common.collection import collection_paused
from saima.tabular._csv import needs_escape

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="E8E8E8")
FLAG_FILLS = {
    "red": PatternFill("solid", fgColor="F8D0D0"),
    "yellow": PatternFill("solid", fgColor="FFF2B3"),
}
LIGHT_FILLS = {
    "green": PatternFill("solid", fgColor="C8E6C9"),
    "yellow": PatternFill("solid", fgColor="FFF2B3"),
    "red": PatternFill("solid", fgColor="F8D0D0"),
    "missing": PatternFill("solid", fgColor="E0E0E0"),
}
#: Excel's limit on a sheet's name.
SHEET_NAME = 31


@collection_paused()
def render(document: Document) -> bytes:
    """The XLSX file's bytes."""
    book = Workbook()
    book.remove(book.active)
    labels = document.labels
    _standings(book.create_sheet(labels["standings_sheet"][:SHEET_NAME]), document)
    if not document.monthly and document.facts["annex"]["rows"]:
        _annex(book.create_sheet(labels["annex_sheet"][:SHEET_NAME]), document)
    if document.facts["area"]:
        _area(book.create_sheet(labels["area_sheet"][:SHEET_NAME]), document)
    if document.facts["lights"]["indicators"]:
        _lights(book.create_sheet(labels["lights_sheet"][:SHEET_NAME]), document)
    if listed_items(document.facts):
        _listed(book.create_sheet(labels["listed_sheet"][:SHEET_NAME]), document)
    book.properties.title = safe_text(document.title, 200)
    book.properties.creator = safe_text(document.office, 100) or "Saima"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text(sheet: Worksheet, value: str) -> Cell:
    cell = Cell(sheet, value=safe_text(value, 32000))
    cell.data_type = "s"
    if needs_escape(cell.value):
        cell.quotePrefix = True
    return cell


def _figure(sheet: Worksheet, value: float | int | None, decimals: int) -> Cell:
    cell = Cell(sheet, value=value)
    if isinstance(value, float):
        cell.number_format = "0" if decimals == 0 else "0." + "0" * decimals
    return cell


def _set_up(sheet: Worksheet, document: Document, header: Sequence[str], widths) -> None:
    """Title rows, header row, print settings."""
    sheet.append([_text(sheet, document.title)])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_text(sheet, f"{document.reference}  {document.office}  {document.date_text}")])
    sheet.append([_text(sheet, h) for h in header])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "C4"
    sheet.print_title_rows = "3:3"
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = "landscape"
    setup.fitToWidth, setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.oddFooter.center.text = document.labels["page"]
    sheet.oddHeader.center.text = safe_text(document.title, 200).replace("&", "&&")


def _rows(sheet: Worksheet, rows: Sequence[Sequence[Any]], fills: Sequence[Any] = ()) -> None:
    for index, row in enumerate(rows):
        sheet.append(row)
        fill = fills[index] if index < len(fills) else None
        for cell in sheet[sheet.max_row]:
            cell.border = BORDER
            if fill is not None:
                cell.fill = fill


def _standings(sheet: Worksheet, document: Document) -> None:
    labels, decimals = document.labels, document.facts["decimals"]
    header = [labels[k] for k in ("group", "rank", "unit", "total", "change", "flag", "notes")]
    _set_up(sheet, document, header, (16, 7, 30, 10, 8, 10, 24))
    rows, fills = [], []
    for group in document.facts["groups"]:
        for row in group["rows"]:
            notes = [labels[k] for k in ("veto", "award") if row[k]]
            if not row["ranked"]:
                notes.insert(0, labels["not_ranked"])
            rows.append(
                [
                    _text(sheet, group["name"]),
                    row["rank"],
                    _text(sheet, row["name"]),
                    _figure(sheet, row["total"], decimals),
                    _text(sheet, change_text(row["change"])),
                    _text(sheet, labels[row["flag"]] if row["flag"] in FLAG_FILLS else ""),
                    _text(sheet, ", ".join(notes)),
                ]
            )
            fills.append(FLAG_FILLS.get(row["flag"]))
    _rows(sheet, rows, fills)


def _annex(sheet: Worksheet, document: Document) -> None:
    labels, decimals = document.labels, document.facts["decimals"]
    annex = document.facts["annex"]
    header = [labels["group"], labels["rank"], labels["unit"], labels["total"]] + [
        f"{item['name']} ({labels['weight']} {item['weight']:g})" for item in annex["items"]
    ]
    _set_up(sheet, document, header, (14, 7, 26, 10, *([12] * len(annex["items"]))))
    sheet.freeze_panes = "D4"
    _rows(
        sheet,
        [
            [
                _text(sheet, row["group"]),
                row["rank"],
                _text(sheet, row["name"]),
                _figure(sheet, row["total"], decimals),
                *(_figure(sheet, score, decimals) for score in row["scores"]),
            ]
            for row in annex["rows"]
        ],
    )


def _area(sheet: Worksheet, document: Document) -> None:
    labels = document.labels
    behind = {row["indicator"]: row["behind"] for row in document.facts["behind"]}
    header = [
        labels[k]
        for k in ("indicator", "completion", "schedule", "gap", "behind_units", "projection")
    ]
    _set_up(sheet, document, header, (36, 14, 14, 12, 12, 18))
    sheet.freeze_panes = "B4"
    _rows(
        sheet,
        [
            [
                _text(sheet, row["name"]),
                _figure(sheet, row["completion"], 1),
                _figure(sheet, row["time_progress"], 1),
                _figure(sheet, row["gap"], 1),
                behind.get(row["indicator"], 0),
                _figure(sheet, row["projected_completion"], 1),
            ]
            for row in document.facts["area"]
        ],
    )


def _lights(sheet: Worksheet, document: Document) -> None:
    labels = document.labels
    lights = document.facts["lights"]
    words = {
        "green": labels["green"],
        "yellow": labels["yellow_light"],
        "red": labels["red_light"],
        "missing": labels["missing"],
        "n/a": labels["na"],
    }
    header = [labels["group"], labels["unit"]] + [i["name"] for i in lights["indicators"]]
    _set_up(sheet, document, header, (14, 26, *([11] * len(lights["indicators"]))))
    for row in lights["units"]:
        sheet.append(
            [_text(sheet, row["group"]), _text(sheet, row["name"])]
            + [_text(sheet, words.get(light, "")) for light in row["lights"]]
        )
        for cell, light in zip(sheet[sheet.max_row][2:], row["lights"], strict=False):
            cell.border = BORDER
            if light in LIGHT_FILLS:
                cell.fill = LIGHT_FILLS[light]


def _listed(sheet: Worksheet, document: Document) -> None:
    """The supervision items listed for 通报, as frozen in the facts (dates as ISO text)."""
    labels = document.labels
    header = [
        labels[k]
        for k in ("reference", "item_title", "lead_unit", "deadline", "days_overdue", "step")
    ]
    _set_up(sheet, document, header, (16, 40, 24, 12, 10, 28))
    _rows(
        sheet,
        [
            [
                _text(sheet, row["reference"]),
                _text(sheet, row["title"]),
                _text(sheet, row["lead_unit"]),
                _text(sheet, row["deadline"] or ""),
                row["days_overdue"],
                _text(sheet, f"{row['step']} {row['step_on']}"),
            ]
            for row in listed_items(document.facts)
        ],
    )
