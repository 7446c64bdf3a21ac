"""The bulletin as DOCX, laid out to GB/T 9704-2012 (党政机关公文格式).

A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; a grid of 22 lines (about
28 characters each); body in 3号 (16 pt) FangSong, title in 2号 (22 pt) Xiaobiaosong; the
issuing office in red over the document number and a red rule; first-level headings in
Heiti; page numbers in 4号 (14 pt) as `— 1 —` at the outside edge (right on odd pages, left
on even ones). The annex (every item's score) is on landscape pages after the signature.

Fonts are named as offices have them (仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312), each
declared in the font table with the GB2312 character set and a free alternative, so Word on an
office's machine uses the customary fonts and a machine without them (LibreOffice with Noto CJK)
substitutes a Chinese face instead of boxes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor

from saima.bulletins.documents import Document, layout
from saima.bulletins.facts import safe_text, xml_text
from saima.common.collection import collection_paused

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
#: Each customary font with what to fall back to: (altName, family, pitch).
FONT_TABLE = {
    BODY_FONT: ("仿宋", "modern", "fixed"),
    TITLE_FONT: ("宋体", "script", "fixed"),
    HEADING_FONT: ("SimHei", "modern", "fixed"),
    SUBHEADING_FONT: ("楷体", "modern", "fixed"),
    NUMBER_FONT: ("SimSun", "auto", "variable"),
}
RED = RGBColor(0xE0, 0x00, 0x00)

BODY_PT = 16  # 3号
TITLE_PT = 22  # 2号
PAGE_NUMBER_PT = 14  # 4号
TABLE_PT = 12  # 小四
ANNEX_PT = 9
#: 22 lines in the 225 mm text height: a line every 28.95 pt (579 twips).
LINE_PT = 28.95


@collection_paused()
def render(document: Document) -> bytes:
    """The DOCX file's bytes."""
    word = docx.Document()
    _styles(word)
    _font_table(word)
    section = word.sections[0]
    _page(section)
    _page_numbers(word, section)
    _masthead(word, document)
    _body(word, document)
    _signature(word, document)
    _annex(word, document)
    out = io.BytesIO()
    word.core_properties.title = safe_text(document.title, 200)
    word.core_properties.author = safe_text(document.office, 200)
    word.save(out)
    return out.getvalue()


# --- layout -------------------------------------------------------------------------------------


def _fonts(element, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Name the fonts of a run or a style: Latin text and Chinese text separately."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for key in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(key), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")


def _styles(word) -> None:
    normal = word.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    _fonts(normal.element, BODY_FONT)
    paragraph = normal.paragraph_format
    paragraph.space_before = paragraph.space_after = Pt(0)
    paragraph.line_spacing = Pt(LINE_PT)
    grid = word.styles["Table Grid"]
    _fonts(grid.element, BODY_FONT)
    language = normal.element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    language.append(lang)


def _font_table(word) -> None:
    """Declare the customary fonts with their character set and alternative."""
    for rel in word.part.rels.values():
        if rel.reltype.endswith("/fontTable"):
            part = rel.target_part
            break
    else:  # pragma: no cover - python-docx's template has one
        return
    table = parse_xml(part.blob)
    for name, (alternative, family, pitch) in FONT_TABLE.items():
        table.append(
            parse_xml(
                f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alternative}"/>'
                f'<w:charset w:val="86"/><w:family w:val="{family}"/>'
                f'<w:pitch w:val="{pitch}"/></w:font>'
            )
        )
    from lxml import etree

    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page(section, landscape: bool = False) -> None:
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        section.top_margin, section.bottom_margin = Mm(28), Mm(26)
        section.left_margin, section.right_margin = Mm(37), Mm(35)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
    # The page number sits about 7 mm under the text area.
    section.footer_distance = Mm(21) if not landscape else Mm(14)
    section.header_distance = Mm(15)
    sect = section._sectPr
    for old in sect.findall(qn("w:docGrid")):
        sect.remove(old)
    grid = OxmlElement("w:docGrid")
    # Lines only: a character grid (linesAndChars) is drawn with wide gaps by LibreOffice, and
    # 16 pt characters give 27.6 a line in the 156 mm width, close to the standard's 28.
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(LINE_PT * 20)))
    sect.append(grid)


def _page_numbers(word, section) -> None:
    """`— 1 —` in 4号 Song, one character in from the outside edge."""
    word.settings.odd_and_even_pages_header_footer = True
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        paragraph = footer.paragraphs[0]
        paragraph.alignment = align
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            paragraph.paragraph_format.right_indent = Pt(PAGE_NUMBER_PT)
        else:
            paragraph.paragraph_format.left_indent = Pt(PAGE_NUMBER_PT)
        _run(paragraph, "— ", NUMBER_FONT, PAGE_NUMBER_PT)
        _field(paragraph, "PAGE", NUMBER_FONT, PAGE_NUMBER_PT)
        _run(paragraph, " —", NUMBER_FONT, PAGE_NUMBER_PT)


def _field(paragraph, instruction: str, font: str, size: float) -> None:
    for kind, text in (("begin", None), (None, f" {instruction} "), ("separate", None)):
        run = _run(paragraph, "", font, size)
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
    _run(paragraph, "1", font, size)
    end = _run(paragraph, "", font, size)
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), "end")
    end._r.append(char)


def _run(paragraph, text: str, font: str = BODY_FONT, size: float = BODY_PT, **style):
    run = paragraph.add_run(xml_text(text) if text else "")
    run.font.size = Pt(size)
    _fonts(run._r, font)
    if style.get("bold"):
        run.bold = True
    if style.get("color") is not None:
        run.font.color.rgb = style["color"]
    return run


def _paragraph(word, text: str = "", *, font=BODY_FONT, size=BODY_PT, align=None, indent=True):
    paragraph = word.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if indent:
        _chars_indent(paragraph, first_line=200)
    if text:
        _run(paragraph, text, font, size)
    return paragraph


def _chars_indent(paragraph, *, first_line: int = 0, right: int = 0) -> None:
    """Indent in hundredths of a character, as Word's 缩进 2 字符 does."""
    ppr = paragraph._p.get_or_add_pPr()
    ind = ppr.find(qn("w:ind"))
    if ind is None:
        ind = OxmlElement("w:ind")
        ppr.append(ind)
    # Both forms: Word reads the characters, LibreOffice the twips (a character is 16 pt).
    if first_line:
        ind.set(qn("w:firstLineChars"), str(first_line))
        ind.set(qn("w:firstLine"), str(round(first_line / 100 * BODY_PT * 20)))
    if right:
        ind.set(qn("w:rightChars"), str(right))
        ind.set(qn("w:right"), str(round(right / 100 * BODY_PT * 20)))


def _rule(paragraph) -> None:
    """A red rule the width of the text area under the paragraph."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = parse_xml(
        f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="16" w:space="4" '
        'w:color="E00000"/></w:pBdr>'
    )
    ppr.insert(0, borders)


# --- the document ------------------------------------------------------------------------------


def _masthead(word, document: Document) -> None:
    if document.draft:
        _run(_paragraph(word, indent=False), document.labels["draft"], HEADING_FONT, color=RED)
    office = safe_text(document.office, 60) or " "
    # The office's name as large as fits on one line, at most about 初号 (42 pt).
    size = layout.office_size(office)
    head = _paragraph(word, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    head.paragraph_format.line_spacing = Pt(size * 1.4)
    _run(head, office, TITLE_FONT, size, color=RED)
    _paragraph(word, indent=False)
    number = _paragraph(word, document.reference, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    _rule(number)
    _paragraph(word, indent=False)
    title = _paragraph(word, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    title.paragraph_format.line_spacing = Pt(35)
    _run(title, safe_text(document.title, 300), TITLE_FONT, TITLE_PT)
    _paragraph(word, indent=False)
    if document.recipients:
        _paragraph(word, safe_text(document.recipients, 2000) + document.colon, indent=False)


def _body(word, document: Document) -> None:
    images = layout.chart_images(document)
    last = None
    for block in layout.body(document):
        if block.kind == "heading":
            heading = _paragraph(word)
            heading.paragraph_format.keep_with_next = True
            _run(heading, block.text, HEADING_FONT)
        elif block.kind == "text":
            last = _paragraph(word, block.text)
        elif block.kind == "table":
            _caption(word, block.caption)
            _table(word, block.header, block.rows, widths_mm=block.widths, size=TABLE_PT)
        elif block.kind == "chart" and block.chart in images:
            _picture(word, images[block.chart], block.caption)
    if last is not None and document.paragraphs[-1]["key"] in ("next",):
        last.paragraph_format.keep_with_next = True  # the signature never stands alone
    if not document.monthly and document.facts["annex"]["rows"]:
        _paragraph(word).paragraph_format.keep_with_next = True
        note = _paragraph(word)
        note.paragraph_format.keep_with_next = True
        _run(note, document.labels["annex_note"])


def _caption(word, text: str, *, above: bool = True) -> None:
    caption = _paragraph(word, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    caption.paragraph_format.keep_with_next = above
    _run(caption, text, HEADING_FONT, 14)


def _picture(word, chart, caption: str) -> None:
    paragraph = _paragraph(word, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph.paragraph_format.line_spacing = None
    width = min(150.0, chart.width_in * 25.4)
    paragraph.paragraph_format.keep_with_next = True
    paragraph.add_run().add_picture(io.BytesIO(chart.png), width=Mm(width))
    _caption(word, caption, above=False)


def _signature(word, document: Document) -> None:
    for _blank in range(2):
        _paragraph(word, indent=False).paragraph_format.keep_with_next = True
    for text in (document.office, document.date_text):
        paragraph = _paragraph(word, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
        paragraph.paragraph_format.keep_with_next = text == document.office
        _chars_indent(paragraph, right=400)
        _run(paragraph, safe_text(text, 60))


def _annex(word, document: Document) -> None:
    tables = layout.annex_tables(document)
    if not tables:
        return
    labels = document.labels
    section = word.add_section(WD_SECTION.NEW_PAGE)
    _page(section, landscape=True)
    _run(_paragraph(word, indent=False), labels["annex"], HEADING_FONT)
    title = _paragraph(word, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    _run(title, labels["annex_title"], TITLE_FONT, TITLE_PT)
    for index, table in enumerate(tables):
        if index:
            word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _table(word, table.header, table.rows, widths_mm=table.widths, size=ANNEX_PT)


def _table(
    word, header: Sequence[str], rows: Sequence[Sequence[str]], *, widths_mm, size: float
) -> None:
    """A grid table with a repeated bold header row, built as XML at once: python-docx's cell
    by cell API takes seconds for a province's annex."""
    font = (
        f'<w:rFonts w:ascii="{LATIN_FONT}" w:hAnsi="{LATIN_FONT}" w:cs="{LATIN_FONT}" '
        f'w:eastAsia="{BODY_FONT}" w:hint="eastAsia"/>'
    )
    half_points = round(size * 2)
    widths = [round(mm * 56.7) for mm in widths_mm]

    def cell(text: str, width: int, bold: bool) -> str:
        weight = "<w:b/>" if bold else ""
        escaped = _xml(text)
        return (
            f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:vAlign w:val="center"/>'
            f'</w:tcPr><w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="240" '
            f'w:lineRule="auto"/><w:jc w:val="center"/></w:pPr><w:r><w:rPr>{font}{weight}'
            f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/></w:rPr>'
            f'<w:t xml:space="preserve">{escaped}</w:t></w:r></w:p></w:tc>'
        )

    def row(cells: Sequence[str], is_header: bool) -> str:
        props = (
            "<w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>"
            if is_header
            else ("<w:trPr><w:cantSplit/></w:trPr>")
        )
        body = "".join(cell(text, widths[i], is_header) for i, text in enumerate(cells))
        return f"<w:tr>{props}{body}</w:tr>"

    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    xml = (
        f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="TableGrid"/>'
        f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>'
        '<w:tblLayout w:type="fixed"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>"
        + row(header, True)
        + "".join(row(r, False) for r in rows)
        + "</w:tbl>"
    )
    table = parse_xml(xml)
    body = word.element.body
    body.insert(len(body) - 1, table)  # before the last section's properties


def _xml(text: str) -> str:
    return (
        safe_text(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
    )
