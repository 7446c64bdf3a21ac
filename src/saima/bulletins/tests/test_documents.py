"""The files: the DOCX opened again (page, margins, fonts, masthead, a table per group equal to
the standings), the PDF's text holding the snapshot's figures and its fonts embedded, the XLSX's
tables; all three opened by LibreOffice where it is installed; PDF pages as PNG for a person to
look at; names that would break XML or Word still give valid files."""

from __future__ import annotations

import copy
import dataclasses
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.shared import Mm

from saima.bulletins import selectors
from saima.bulletins.documents import pdf, sheets, word
from saima.bulletins.tests.numbers import numbers_in
from saima.testing import artefact

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

# Every test reads the kept draft, some only through the files drawn from it once per module.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def issued_document(kept_draft, django_db_blocker):
    """The kept draft's document as issued, read once for the module's tests."""
    with django_db_blocker.unblock():
        return dataclasses.replace(selectors.document(kept_draft), draft=False)


@pytest.fixture
def document(issued_document, draft):
    """The document, a copy of its own for the test (which may change it)."""
    return copy.deepcopy(issued_document)


# Each file is drawn once for the module's tests, which each read it.


@pytest.fixture(scope="module")
def docx_file(issued_document) -> bytes:
    return word.render(issued_document)


@pytest.fixture(scope="module")
def pdf_file(issued_document) -> bytes:
    return pdf.render(issued_document)


@pytest.fixture(scope="module")
def xlsx_file(issued_document) -> bytes:
    return sheets.render(issued_document)


def _mm(length) -> float:
    return round(length / Mm(1), 1)


def test_docx_is_laid_out_to_the_standard(document, docx_file, published) -> None:
    opened = docx.Document(io.BytesIO(docx_file))
    section = opened.sections[0]
    assert (_mm(section.page_width), _mm(section.page_height)) == (210.0, 297.0)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [_mm(m) for m in margins] == [37.0, 35.0, 28.0, 26.0]
    normal = opened.styles["Normal"]
    assert normal.font.size.pt == 16
    fonts = normal.element.rPr.rFonts
    assert fonts.get(docx.oxml.ns.qn("w:eastAsia")) == "仿宋_GB2312"
    paragraphs = [p for p in opened.paragraphs if p.text.strip()]
    masthead = paragraphs[0]
    assert masthead.text == "青河市重点工作推进办公室"
    assert str(masthead.runs[0].font.color.rgb) == "E00000"
    assert paragraphs[1].text == "青重办发〔2026〕12号"
    assert "w:pBdr" in paragraphs[1]._p.xml and 'w:color="E00000"' in paragraphs[1]._p.xml
    title = paragraphs[2]
    assert title.text == document.title
    assert title.runs[0].font.size.pt == 22
    title_fonts = title.runs[0]._r.rPr.rFonts
    assert title_fonts.get(docx.oxml.ns.qn("w:eastAsia")) == "方正小标宋简体"
    assert paragraphs[3].text == "各区、县人民政府："
    # the page number "— 1 —" on odd pages at the right, even pages at the left
    assert opened.settings.odd_and_even_pages_header_footer
    footer = section.footer.paragraphs[0]
    assert "PAGE" in footer._p.xml and footer.text.startswith("— ") and footer.text.endswith(" —")
    assert footer.runs[0].font.size.pt == 14
    # one table per group, rows equal to the standings; then the annex tables
    groups = document.facts["groups"]
    for table, group in zip(opened.tables, groups, strict=False):
        rows = [[cell.text for cell in row.cells] for row in table.rows[1:]]
        assert [(r[0], r[1], r[2]) for r in rows] == [
            (str(row["rank"]), row["name"], f"{row['total']:.2f}") for row in group["rows"]
        ]
    by_unit = {row["unit"]: row for row in published.standings}
    ranked = [row for g in groups for row in g["rows"]]
    assert [by_unit[r["unit"]]["total"] for r in ranked] == [r["total"] for r in ranked]
    annex = opened.tables[-1]
    assert len(annex.rows) == 1 + len(published.standings)
    assert opened.sections[-1].page_width > opened.sections[-1].page_height  # landscape annex


def test_docx_font_table_names_the_customary_fonts_with_fallbacks(docx_file) -> None:
    with zipfile.ZipFile(io.BytesIO(docx_file)) as archive:
        table = archive.read("word/fontTable.xml").decode("utf-8")
    for name, alternative in (
        ("仿宋_GB2312", "仿宋"),
        ("方正小标宋简体", "宋体"),
        ("黑体", "SimHei"),
    ):
        assert f'w:name="{name}"' in table
        assert f'w:altName w:val="{alternative}"' in table
    assert 'w:charset w:val="86"' in table


def _fonts(pages) -> set[tuple[str, bool]]:
    """Each font the text of the PDF is drawn in: its name (no subset tag, no hyphens) and
    whether the file embeds it."""
    import ctypes

    import pypdfium2.raw as raw

    fonts = set()
    for page in pages:
        for text in page.get_objects(filter=(raw.FPDF_PAGEOBJ_TEXT,)):
            font = raw.FPDFTextObj_GetFont(text.raw)
            size = raw.FPDFFont_GetBaseFontName(font, None, 0)
            name = ctypes.create_string_buffer(size)
            raw.FPDFFont_GetBaseFontName(font, name, size)
            plain = name.value.decode("ascii").split("+")[-1].replace("-", "")
            fonts.add((plain, bool(raw.FPDFFont_GetIsEmbedded(font))))
    assert fonts, "no text in the PDF"
    return fonts


def test_pdf_text_holds_the_snapshot_figures_and_embeds_cjk_fonts(pdf_file, published) -> None:
    import pypdfium2

    pages = pypdfium2.PdfDocument(pdf_file)
    fonts = _fonts(pages)
    assert all(embedded for _name, embedded in fonts), fonts  # embedded, not referenced
    assert any("NotoSerifCJK" in name or "NotoSansCJK" in name for name, _e in fonts), fonts
    text = "\n".join(pages[i].get_textpage().get_text_range() for i in range(len(pages)))
    compact = "".join(text.split())
    assert "青重办发〔2026〕12号" in compact
    for row in published.standings:
        assert f"{row['total']:.2f}" in text
    assert "—1—" in compact and "—2—" in compact
    found = set(numbers_in(text))
    for row in published.standings:
        assert f"{row['total']:.2f}" in found
    for index in range(len(pages)):
        image = pages[index].render(scale=1.5).to_pil()
        image.save(artefact(f"bulletin-page-{index + 1}.png"))
        assert image.size[0] < image.size[1] or index >= 3  # portrait body, landscape annex


def test_pdf_draws_every_chart_and_fetches_nothing_else(issued_document, pdf_file) -> None:
    import pypdfium2
    import pypdfium2.raw as raw

    from saima.bulletins.documents import layout

    charts = layout.chart_images(issued_document)
    pages = pypdfium2.PdfDocument(pdf_file)
    images = [
        image
        for page in pages
        for image in page.get_objects(filter=(raw.FPDF_PAGEOBJ_IMAGE,), max_depth=2)
    ]
    assert len(images) == len(charts) > 1  # each group's standings, and the lights
    fetcher = pdf._fetcher(issued_document)
    name = next(iter(charts))
    assert fetcher.fetch(f"{pdf.CHART_SCHEME}:{name}").read() == charts[name].jpeg
    for address in ("file:///etc/hostname", "http://127.0.0.1/", f"{pdf.CHART_SCHEME}:nothing"):
        with pytest.raises(ValueError, match="not a chart of this bulletin"):
            fetcher.fetch(address)


def test_xlsx_holds_the_tables_set_up_for_printing(document, xlsx_file, published) -> None:
    book = openpyxl.load_workbook(io.BytesIO(xlsx_file))
    standings = book[document.labels["standings_sheet"]]
    rows = list(standings.iter_rows(min_row=4, values_only=True))
    assert len(rows) == len(published.standings)
    totals = sorted(round(r[3], 2) for r in rows)
    assert totals == sorted(round(r["total"], 2) for r in published.standings)
    assert standings.print_title_rows == "$3:$3"
    assert standings.page_setup.orientation == "landscape"
    annex = book[document.labels["annex_sheet"]]
    assert annex.max_row == 3 + len(published.standings)


def test_hostile_names_still_give_valid_files(document) -> None:
    """Control characters that XML cannot hold and very long names, in every format."""
    bad = "东城区\x00\x01\x0b\x1f\ufffe" + "很长的名字" * 60 + "=1+1"
    facts = document.facts
    facts["groups"][0]["rows"][0]["name"] = bad
    facts["annex"]["rows"][0]["name"] = bad
    facts["lights"]["indicators"][0]["name"] = bad
    facts["lights"]["units"][0]["name"] = bad
    hostile = dataclasses.replace(
        document,
        facts=facts,
        office="办公室\x07",
        recipients="各单位\x1b",
        paragraphs=[{**p, "text": p["text"] + "\x0c" + bad} for p in document.paragraphs],
    )
    opened = docx.Document(io.BytesIO(word.render(hostile)))
    assert "\x00" not in "".join(p.text for p in opened.paragraphs)
    book = openpyxl.load_workbook(io.BytesIO(sheets.render(hostile)))
    assert book.worksheets
    assert pdf.render(hostile).startswith(b"%PDF")


@pytest.fixture(scope="module")
def libreoffice(docx_file, xlsx_file, pdf_file, tmp_path_factory) -> tuple[Path, str]:
    """The three files converted to PDF by one LibreOffice run (its start-up is most of the
    time): Writer opens the DOCX, Calc the XLSX, Draw the PDF; the folder of what it wrote, and
    its output."""
    folder = tmp_path_factory.mktemp("libreoffice")
    sources = []
    for name, data in (
        ("word.docx", docx_file),
        ("sheet.xlsx", xlsx_file),
        ("drawn.pdf", pdf_file),
    ):
        (folder / name).write_bytes(data)
        sources.append(str(folder / name))
    completed = subprocess.run(
        [
            SOFFICE,
            "--headless",
            f"-env:UserInstallation=file://{folder}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder / "out"),
            *sources,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    return folder / "out", completed.stdout


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")
@pytest.mark.parametrize(
    ("fmt", "name", "export"),
    [
        ("docx", "word.pdf", "writer_pdf_Export"),
        ("xlsx", "sheet.pdf", "calc_pdf_Export"),
        ("pdf", "drawn.pdf", "draw_pdf_Export"),
    ],
)
def test_libreoffice_opens_the_files(libreoffice, issued_document, fmt, name, export) -> None:
    out, said = libreoffice
    produced = out / name
    # LibreOffice opens a PDF with Draw; converting it to anything proves it read it.
    assert produced.exists() and produced.stat().st_size > 1000, said
    assert f"-> {produced} using filter : {export}" in said
    import pypdfium2

    pages = pypdfium2.PdfDocument(str(produced))
    text = "".join(pages[0].get_textpage().get_text_range().split())
    if fmt == "docx":
        pages[0].render(scale=1.2).to_pil().save(artefact("bulletin-docx-libreoffice-page-1.png"))
        assert "青河市重点工作推进办公室" in text
    elif fmt == "xlsx":
        assert "".join(issued_document.title.split()) in text
    else:
        assert "青重办发〔2026〕12号" in text  # Draw read the text, not only the page


def test_monthly_comment_in_english_in_every_format(published, race, office) -> None:
    from saima.bulletins import services

    comment = services.bulletin_draft(
        office, race=race, kind="monthly", period="2026-05", language="en"
    )
    document = selectors.document(comment)
    opened = docx.Document(io.BytesIO(word.render(document)))
    texts = [p.text for p in opened.paragraphs if p.text.strip()]
    assert texts[0] == "Draft — not issued"
    assert any(t.startswith("1. Lights") for t in texts)
    assert document.monthly
    assert len(opened.sections) == 1  # no annex in a monthly comment
    import pypdfium2

    pages = pypdfium2.PdfDocument(pdf.render(document))
    text = " ".join(pages[0].get_textpage().get_text_range().split())
    assert "Monthly comment on the progress of key work" in text
    book = openpyxl.load_workbook(io.BytesIO(sheets.render(document)))
    assert "Scores" not in book.sheetnames and "Lights" in book.sheetnames
