"""The bulletin as PDF: the page's HTML document printed by WeasyPrint with `document.css`
(GB/T 9704 page, margins and fonts), the fonts embedded (subset) in the file.

WeasyPrint needs Pango, which Debian (and the project's set-up) installs; it is imported only
when a PDF is drawn, so everything else works on a machine without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from saima.bulletins.documents import Document, layout
from saima.common.collection import collection_paused

STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "bulletins" / "document.css"
#: How the printed HTML names a chart (`saima-chart:lights`): WeasyPrint asks `ChartFetcher` for
#: it. Writing the images into the HTML as data URIs instead costs the HTML parser a pass over
#: every byte of them (a tenth of a province bulletin's time).
CHART_SCHEME = "saima-chart"


def context(document: Document, *, screen: bool = False) -> dict[str, Any]:
    """What `bulletins/_document.html` draws: the blocks, each chart as an image in print."""
    images: dict[str, dict[str, Any]] = {}
    if not screen:
        for name, chart in layout.chart_images(document).items():
            images[name] = {
                "uri": f"{CHART_SCHEME}:{name}",
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


def _fetcher(document: Document):
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    charts = layout.chart_images(document)

    class ChartFetcher(URLFetcher):
        """Gives WeasyPrint this bulletin's charts by name, and nothing else: no file or network
        address that a name or a paragraph might smuggle into the document is ever read."""

        def fetch(self, url, headers=None):
            scheme, _, name = url.partition(":")
            if scheme != CHART_SCHEME or name not in charts:
                raise ValueError(f"not a chart of this bulletin: {url[:80]}")
            return URLFetcherResponse(url, charts[name].jpeg, {"Content-Type": "image/jpeg"})

    return ChartFetcher()


@collection_paused()
def render(document: Document, *, compress: bool = True) -> bytes:
    """The PDF file's bytes (uncompressed on request, to read its objects in a test)."""
    from weasyprint import CSS, HTML

    return HTML(string=html(document), url_fetcher=_fetcher(document)).write_pdf(
        stylesheets=[CSS(filename=str(STYLESHEET))],
        pdf_identifier=b"saima-bulletin",
        uncompressed_pdf=not compress,
    )
