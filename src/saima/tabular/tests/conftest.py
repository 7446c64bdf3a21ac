"""Fixtures that write real input files into tmp_path for the tabular tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def csv_file(tmp_path: Path) -> Callable[..., Path]:
    """Write text (or raw bytes) to a CSV file in the given encoding and return its path."""

    def make(content: str | bytes, name: str = "targets.csv", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        data = content if isinstance(content, bytes) else content.encode(encoding)
        path.write_bytes(data)
        return path

    return make


@pytest.fixture
def xlsx_file(tmp_path: Path) -> Callable[..., Path]:
    """Build a workbook with openpyxl from rows (lists of values) and return its path.

    `formats` maps a cell coordinate to a number format; `extra` is called with the workbook
    before saving for anything else (merges, more sheets).
    """
    import openpyxl

    def make(
        rows: list[list[Any]],
        name: str = "targets.xlsx",
        title: str = "Sheet1",
        formats: dict[str, str] | None = None,
        extra: Callable[[Any], None] | None = None,
    ) -> Path:
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = title
        for row in rows:
            sheet.append(row)
        for coordinate, number_format in (formats or {}).items():
            sheet[coordinate].number_format = number_format
        if extra is not None:
            extra(book)
        path = tmp_path / name
        book.save(path)
        return path

    return make
