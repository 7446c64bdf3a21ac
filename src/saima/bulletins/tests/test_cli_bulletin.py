"""`saima bulletin`: the race bulletin from the files `saima race` reads, by suffix; bad input
exits with 2, names the option or file, and writes nothing."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import docx
import openpyxl
import pytest

from saima.cli import main

CITY = Path(__file__).resolve().parents[4] / "examples" / "city"


@pytest.fixture
def city(tmp_path: Path) -> Path:
    folder = tmp_path / "city"
    shutil.copytree(CITY, folder)
    return folder


def args(folder: Path, out: Path, *extra: str) -> list[str]:
    return [
        "bulletin",
        "--rules",
        str(folder / "rules.toml"),
        "--targets",
        str(folder / "targets.xlsx"),
        "--actuals",
        str(folder / "actuals.csv"),
        "--units",
        str(folder / "units.csv"),
        "--adjustments",
        str(folder / "adjustments.csv"),
        "--previous",
        str(folder / "previous-2026-Q1.csv"),
        "--scores",
        str(folder / "scores.csv"),
        "--period",
        "2026-H1",
        "--out",
        str(out),
        *extra,
    ]


def test_docx_with_the_document_fields(city: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "bulletin.docx"
    code = main(
        args(
            city,
            out,
            "--office",
            "青河市重点工作推进办公室",
            "--number",
            "青重办发〔2026〕12号",
            "--date",
            "2026-07-10",
            "--recipients",
            "各区、县人民政府",
        )
    )
    assert code == 0, capsys.readouterr().err
    opened = docx.Document(io.BytesIO(out.read_bytes()))
    texts = [p.text for p in opened.paragraphs if p.text.strip()]
    assert texts[:2] == ["青河市重点工作推进办公室", "青重办发〔2026〕12号"]
    assert "2026年7月10日" in texts
    # the tables hold the units of the units file, by group
    names = {cell.text for table in opened.tables[:3] for row in table.rows for cell in row.cells}
    assert {"Nanhu District", "Lishan County", "Binhai Development Zone"} <= names
    assert "written to" in capsys.readouterr().out


@pytest.mark.parametrize("suffix", [".pdf", ".xlsx"])
def test_pdf_and_xlsx_in_english(city: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"bulletin{suffix}"
    assert main(args(city, out, "--language", "en", "--number", "7")) == 0
    data = out.read_bytes()
    if suffix == ".pdf":
        import pypdfium2

        pages = pypdfium2.PdfDocument(data)
        text = pages[0].get_textpage().get_text_range()
        assert "Bulletin on the results of the" in " ".join(text.split())
    else:
        book = openpyxl.load_workbook(io.BytesIO(data))
        assert book.sheetnames[:2] == ["Standings", "Scores"]


@pytest.mark.parametrize(
    ("extra", "out_name", "message"),
    [
        ((), "bulletin.txt", "must be a .docx, .pdf or .xlsx"),
        (("--number", "twelve"), "bulletin.docx", "--number"),
        (("--date", "10/07/2026"), "bulletin.docx", "--date"),
        (("--period", "2025-Q1"), "bulletin.docx", "outside the rules' year"),
    ],
)
def test_bad_input_writes_nothing(city, tmp_path, capsys, extra, out_name, message) -> None:
    out = tmp_path / out_name
    assert main(args(city, out, *extra)) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".saima-")]
