"""The bulletin's charts drawn on the server (Matplotlib, no display), as PNG for the DOCX and
the PDF: the standings of each race group as bars, and the lights of each indicator as stacked
bars — the figures the pages draw with ECharts, from the same facts.

Text needs a CJK font: the first installed of `CJK_FONTS` (the project installs Noto CJK). Without
any, the chart draws in DejaVu Sans, with boxes for the Chinese.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from PIL import Image, ImageDraw, ImageFont

from saima.bulletins.facts import safe_text

#: CJK fonts for chart text, best first: the free ones the project installs, then the ones an
#: office's Windows or macOS machine has.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
)
#: Colours of the pages' lights and flags (saima.css).
COLOURS = {
    "green": "#2e7d32",
    "yellow": "#f2b705",
    "red": "#c62828",
    "missing": "#9e9e9e",
    "bar": "#4a6fa5",
}
#: The most bars whose totals are written on them.
LABELLED_BARS = 30
#: The lights a lights chart stacks, in order.
COUNTED = ("green", "yellow", "red", "missing")
#: Width of the text area of an A4 page (GB/T 9704: 156 mm), in inches.
WIDTH_IN = 156 / 25.4
DPI = 120
#: The most bars one chart holds; a larger group is drawn in several charts.
MAX_BARS = 50


@functools.cache
def chart_fonts() -> tuple[str, ...]:
    """The font family chart text uses: an installed CJK font (they all have Latin letters and
    digits too, so no fallback is looked up glyph by glyph), else DejaVu Sans."""
    installed = {font.name for font in font_manager.fontManager.ttflist}
    found = tuple(name for name in CJK_FONTS if name in installed)[:1]
    return found or ("DejaVu Sans",)


@dataclass(frozen=True, eq=False)
class Chart:
    """A drawn chart: its pixels (RGB), its size in inches, and a caption; encoded as PNG for
    Word and as JPEG for the PDF (which WeasyPrint embeds as it is, where a PNG is decoded and
    compressed again)."""

    image: Image.Image
    width_in: float
    height_in: float
    caption: str

    @functools.cached_property
    def png(self) -> bytes:
        out = io.BytesIO()
        self.image.save(out, format="PNG", compress_level=1)
        return out.getvalue()

    @functools.cached_property
    def jpeg(self) -> bytes:
        out = io.BytesIO()
        self.image.save(out, format="JPEG", quality=92, subsampling=0)
        return out.getvalue()


def _figure(height_in: float) -> Figure:
    figure = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI)
    figure.patch.set_facecolor("white")
    return figure


def _in_chart_fonts(draw):
    """Draw with every text of the chart in `chart_fonts()` (a text takes its font when it is
    made, so the whole chart is made inside the setting)."""

    @functools.wraps(draw)
    def drawing(*args, **kwargs):
        with matplotlib.rc_context({"font.family": list(chart_fonts())}):
            return draw(*args, **kwargs)

    return drawing


@dataclass(frozen=True)
class _Label:
    """A text written on a drawn chart: at data `y`, and at data `x` or (None) left of the axis,
    moved `shift` points to the right; `anchor` as Pillow's ("rm": its right middle there)."""

    x: float | None
    y: float
    text: str
    anchor: str
    points: float
    shift: float = 0.0
    colour: str = "black"


@functools.cache
def _label_font(points: float) -> ImageFont.FreeTypeFont:
    """The chart font at `points`, for Pillow: the face of that name in its file (a CJK font
    file holds several)."""
    family = chart_fonts()[0]
    path = font_manager.findfont(font_manager.FontProperties(family=family))
    size = round(points * DPI / 72)
    for index in range(16):
        try:
            font = ImageFont.truetype(path, size, index=index)
        except OSError:
            break
        if font.getname()[0] == family:
            return font
    return ImageFont.truetype(path, size)


def _pixels(figure: Figure, axes=None, labels: Sequence[_Label] = ()) -> Image.Image:
    """The chart drawn by Matplotlib, then its many labels (bar names, totals, counts) written
    on it with Pillow at the places the axes give them: a Matplotlib text costs about two
    milliseconds to lay out and draw, a tenth of that written by Pillow in the same font, and a
    province's charts have some five hundred."""
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba()).convert("RGB")
    if labels:
        pen = ImageDraw.Draw(image)
        left = axes.transAxes.transform((0, 0))[0]
        for label in labels:
            x, y = axes.transData.transform((0 if label.x is None else label.x, label.y))
            x = (left if label.x is None else x) + label.shift * DPI / 72
            pen.text(
                (x, image.height - y),
                label.text,
                font=_label_font(label.points),
                fill=label.colour,
                anchor=label.anchor,
            )
    return image


def _names(axes, positions: Sequence[int], names: Sequence[str]) -> list[_Label]:
    """The bars' names left of the axis (no tick marks: a tick is two lines and two texts to
    make and draw, for each of up to fifty bars)."""
    axes.set_yticks([])
    axes.set_ylim(-0.6, len(names) - 0.4)
    return [
        _Label(None, y, name, "rm", 8, shift=-4) for y, name in zip(positions, names, strict=True)
    ]


def _style(axes) -> None:
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=8)


def standings_charts(group: dict[str, Any], decimals: int, labels: dict[str, str]) -> list[Chart]:
    """One race group's totals as horizontal bars, first place at the top; red and yellow flags
    in their colours. A group of more than MAX_BARS units is drawn in several charts."""
    rows = [row for row in group["rows"] if row["total"] is not None]
    charts = []
    for start in range(0, len(rows), MAX_BARS):
        part = rows[start : start + MAX_BARS]
        caption = group["name"]
        if len(rows) > MAX_BARS:
            caption = f"{group['name']} ({start + 1}–{start + len(part)})"
        charts.append(_bars(part, decimals, caption, labels))
    return charts


#: The tallest chart, in inches: it must fit the text area of a page (225 mm) with its caption.
MAX_HEIGHT_IN = 7.5


def _row_height(count: int, preferred: float) -> float:
    """Inches per bar: `preferred`, less when many bars must share the page."""
    return min(preferred, (MAX_HEIGHT_IN - 0.9) / max(count, 1))


@_in_chart_fonts
def _bars(rows: list[dict[str, Any]], decimals: int, caption: str, labels) -> Chart:
    height = 0.6 + _row_height(len(rows), 0.24) * len(rows)
    figure = _figure(height)
    axes = figure.add_axes((0.30, 0.45 / height, 0.62, 1 - 0.75 / height))
    totals = [row["total"] for row in rows]
    colours = [COLOURS.get(row["flag"], COLOURS["bar"]) for row in rows]
    positions = list(range(len(rows)))[::-1]
    axes.barh(positions, totals, color=colours, height=0.7)
    written = _names(
        axes, positions, [f"{row['rank'] or '—'}. {safe_text(row['name'], 24)}" for row in rows]
    )
    axes.set_xlim(0, max([*totals, 1]) * 1.12)
    # Each bar's total written at its end, while the bars are tall enough to read it (the table
    # under the chart gives every total anyway).
    if len(rows) <= LABELLED_BARS:
        written += [
            _Label(value, y, f"{value:.{decimals}f}", "lm", 7, shift=2)
            for y, value in zip(positions, totals, strict=True)
        ]
    axes.set_xlabel(labels["points"], fontsize=8)
    _style(axes)
    return Chart(_pixels(figure, axes, written), WIDTH_IN, height, caption)


@_in_chart_fonts
def lights_chart(lights: dict[str, Any], labels: dict[str, str]) -> Chart | None:
    """Per indicator, how many units have each light, as stacked bars, the legend above."""
    indicators = lights["indicators"]
    if not indicators:
        return None
    height = 0.9 + _row_height(len(indicators), 0.26) * len(indicators)
    figure = _figure(height)
    axes = figure.add_axes((0.30, 0.5 / height, 0.66, 1 - 0.9 / height))
    positions = list(range(len(indicators)))[::-1]
    left = [0] * len(indicators)
    # A count is written on its segment when the segment is wide enough to hold it.
    widest = max((sum(row[k] for k in COUNTED) for row in lights["counts"]), default=0)
    legible = max(1, widest // 25)
    written: list[_Label] = []
    for light in COUNTED:
        counts = [row[light] for row in lights["counts"]]
        axes.barh(
            positions, counts, left=left, color=COLOURS[light], height=0.7, label=labels[light]
        )
        colour = "black" if light == "yellow" else "white"
        written += [
            _Label(start + count / 2, y, str(count), "mm", 7, colour=colour)
            for y, start, count in zip(positions, left, counts, strict=True)
            if count >= legible
        ]
        left = [a + b for a, b in zip(left, counts, strict=True)]
    written += _names(axes, positions, [safe_text(row["name"], 20) for row in indicators])
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # units are counted whole
    axes.set_xlabel(labels["units"], fontsize=8)
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=4, fontsize=7, frameon=False)
    _style(axes)
    return Chart(_pixels(figure, axes, written), WIDTH_IN, height, labels["lights_caption"])
