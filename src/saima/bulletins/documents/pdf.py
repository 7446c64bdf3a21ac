"""The bulletin as PDF: the page's HTML document printed by WeasyPrint with `document.css`
(GB/T 9704 page, margins and fonts), the fonts embedded (subset) in the file.

WeasyPrint needs Pango, which Debian (and the project's set-up) installs; it is imported only
when a PDF is drawn, so everything else works on a machine without it.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from saima.bulletins.documents import Document, layout

STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "bulletins" / "document.css"


def context(document: Document, *, screen: bool = False) -> dict[str, Any]:
    """What `bulletins/_document.html` draws: the blocks, each chart as an image in print."""
    images: dict[str, dict[str, Any]] = {}
    if not screen:
        for name, chart in layout.chart_images(document).items():
            images[name] = {
                "uri": "data:image/jpeg;base64," + base64.b64encode(chart.jpeg).decode("ascii"),
                "width_mm": round(min(150.0, chart.width_in * 25.4), 1),
            }
    blocks = [(block, images.get(block.chart)) for block in layout.body(document)]
    return {
        "doc": document,
        "blocks": blocks,
        "annex": layout.annex_tables(document),
        "office_pt": layout.office_size(document.office),
        "screen": screen,
    }


def html(document: Document) -> str:
    with translation.override(document.language):
        return render_to_string("bulletins/document_print.html", context(document))


def render(document: Document, *, compress: bool = True) -> bytes:
    """The PDF file's bytes (uncompressed on request, to read its objects in a test)."""
    from weasyprint import CSS, HTML

    return HTML(string=html(document)).write_pdf(
        stylesheets=[CSS(filename=str(STYLESHEET))],
        pdf_identifier=b"saima-bulletin",
        uncompressed_pdf=not compress,
    )
