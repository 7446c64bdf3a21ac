"""The body of a bulletin as a list of blocks — headings, paragraphs, tables, charts — in the
order they are printed, so that the DOCX, the PDF and the page show the same things in the same
order, with the same figures formatted the same way.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from saima.bulletins.documents import Document
from saima.bulletins.facts import safe_text
from saima.bulletins.narrative import amount, listed_items, percent, points, total


@dataclass(frozen=True)
class Block:
    """One printed block. `kind` is heading, text, table or chart."""

    kind: str
    text: str = ""
    caption: str = ""
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    #: Relative column widths, in millimetres of a portrait page.
    widths: tuple[float, ...] = ()
    #: For a chart: which one (`standings-<group index>-<part>` or `lights`).
    chart: str = ""
    #: For a standings table: each row's flag, to colour it.
    flags: list[str] = field(default_factory=list)
    #: A table too large for the PDF's table layout (a province's annex): the PDF prints it as
    #: aligned lines of a monospaced face, its columns numbered and named in `legend`.
    compact: bool = False
    legend: list[str] = field(default_factory=list)

    @property
    def text_lines(self) -> list[str]:
        """The compact table: header and rows padded to their columns' display width (a CJK
        character is two columns wide)."""
        header = self.header[:4] + [str(n) for n in range(1, len(self.header) - 3)]
        cells = [header, *self.rows]
        widths = [max(display_width(row[i]) for row in cells) for i in range(len(header))]
        return [
            "  ".join(
                pad(text, widths[i], right=i not in (1, 2)) for i, text in enumerate(row)
            ).rstrip()
            for row in cells
        ]

    @property
    def lines(self) -> list[tuple[str, list[str]]]:
        """The rows with the flag each carries (empty when none), for the HTML table."""
        flags = self.flags or [""] * len(self.rows)
        return list(zip(flags, self.rows, strict=True))


#: Score cells beyond which the PDF prints a table in its compact form.
COMPACT_CELLS = 1200


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int, *, right: bool) -> str:
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def office_size(office: str) -> float:
    """The masthead's size in points: as large as fits one line of the text area, at most
    36 pt, at least 18 pt (a longer name wraps)."""
    return round(max(18.0, min(36.0, 420 / max(len(office), 1))), 1)


def change_text(change: int | None) -> str:
    if change is None:
        return "—"
    if change > 0:
        return f"↑{change}"
    if change < 0:
        return f"↓{-change}"
    return "="


def signed(value: float | None) -> str:
    """A gap in points with its sign: `+1.2`, `-3.0`, `0.0`."""
    if value is None:
        return "—"
    text = points(value)
    if text.strip("0.") == "":
        return text
    return ("-" if value < 0 else "+") + text


def _notes(row: dict[str, Any], labels: dict[str, str], chinese: bool) -> str:
    notes = []
    if not row["ranked"]:
        notes.append(labels["not_ranked"])
    if row["veto"]:
        notes.append(labels["veto"])
    if row["award"]:
        notes.append(labels["award"])
    return ("、" if chinese else ", ").join(notes)


def standings_tables(document: Document) -> list[tuple[Block, list[Block]]]:
    """Each group's table with its charts."""
    labels, decimals = document.labels, document.facts["decimals"]
    out = []
    for index, group in enumerate(document.facts["groups"], start=1):
        table = Block(
            kind="table",
            caption=f"{labels['table'] % {'n': index}}  "
            f"{labels['standings_caption'] % {'group': group['name']}}",
            header=[labels[k] for k in ("rank", "unit", "total", "change", "flag", "notes")],
            rows=[
                [
                    "" if row["rank"] is None else str(row["rank"]),
                    row["name"],
                    total(row["total"], decimals),
                    change_text(row["change"]),
                    labels[row["flag"]] if row["flag"] in ("red", "yellow") else "",
                    _notes(row, labels, document.chinese),
                ]
                for row in group["rows"]
            ],
            widths=(14, 52, 22, 16, 20, 32),
            flags=[row["flag"] for row in group["rows"]],
        )
        parts = max(1, -(-sum(1 for r in group["rows"] if r["total"] is not None) // 50))
        charts = [
            Block(
                kind="chart",
                chart=f"standings-{index - 1}-{part}",
                caption=labels["standings_chart"] % {"group": group["name"]},
            )
            for part in range(parts)
        ]
        out.append((table, charts))
    return out


def area_table(document: Document) -> Block:
    labels = document.labels
    behind = {row["indicator"]: row for row in document.facts["behind"]}
    return Block(
        kind="table",
        caption=labels["behind_caption"],
        header=[
            labels[k]
            for k in ("indicator", "completion", "schedule", "gap", "behind_units", "projection")
        ],
        rows=[
            [
                row["name"],
                percent(row["completion"]),
                percent(row["time_progress"]),
                signed(row["gap"]),
                str(behind[row["indicator"]]["behind"]) if row["indicator"] in behind else "0",
                percent(row["projected_completion"]),
            ]
            for row in document.facts["area"]
        ],
        widths=(46, 20, 20, 20, 20, 30),
    )


def gaps_table(document: Document) -> Block:
    labels = document.labels
    return Block(
        kind="table",
        caption=labels["gaps_caption"],
        header=[labels[k] for k in ("unit", "indicator", "completion", "schedule", "gap")],
        rows=[
            [
                row["unit"],
                row["name"],
                percent(row["completion"]),
                percent(row["time_progress"]),
                signed(row["gap"]),
            ]
            for row in document.facts["gaps"]
        ],
        widths=(40, 50, 22, 22, 22),
    )


def listed_table(document: Document) -> Block:
    """The supervision items listed for 通报, as the bulletin froze them."""
    labels = document.labels
    return Block(
        kind="table",
        caption=labels["listed_caption"],
        header=[
            labels[k]
            for k in ("reference", "item_title", "lead_unit", "deadline", "days_overdue", "step")
        ],
        rows=[
            [
                row["reference"],
                row["title"],
                row["lead_unit"],
                row["deadline"] or "—",
                str(row["days_overdue"]),
                f"{row['step']} {row['step_on']}",
            ]
            for row in listed_items(document.facts)
        ],
        widths=(24, 44, 28, 20, 14, 26),
    )


def body(document: Document) -> list[Block]:
    """The body, section by section, with each section's tables and charts after its text."""
    facts, labels = document.facts, document.labels
    blocks: list[Block] = []
    for index, paragraph in enumerate(document.paragraphs, start=1):
        blocks.append(Block(kind="heading", text=document.heading(index, paragraph["heading"])))
        for line in safe_text(paragraph["text"]).splitlines():
            if line.strip():
                blocks.append(Block(kind="text", text=line.strip()))
        key = paragraph["key"]
        if key == "standings":
            for table, charts in standings_tables(document):
                blocks.append(table)
                blocks.extend(charts)
        elif key in ("behind", "lights") and facts["area"]:
            blocks.append(area_table(document))
            if facts["lights"]["indicators"]:
                blocks.append(Block(kind="chart", chart="lights", caption=labels["lights_caption"]))
        elif key == "gaps" and facts["gaps"]:
            blocks.append(gaps_table(document))
        elif key == "listed" and listed_items(facts):
            blocks.append(listed_table(document))
    return blocks


def annex_tables(document: Document, per_table: int = 10) -> list[Block]:
    """Every item's score for every unit, `per_table` items a table (a landscape page holds
    about ten), with the rank, unit, group and total repeated on each."""
    annex = document.facts["annex"]
    if document.monthly or not annex["rows"]:
        return []
    labels, decimals = document.labels, document.facts["decimals"]
    items = annex["items"]
    tables = []
    for start in range(0, len(items), per_table):
        chunk = items[start : start + per_table]
        tables.append(
            Block(
                kind="table",
                header=[labels["rank"], labels["unit"], labels["group"], labels["total"]]
                + [
                    f"{item['name']} ({labels['weight']} {amount(item['weight'], 0)})"
                    for item in chunk
                ],
                rows=[
                    [
                        "" if row["rank"] is None else str(row["rank"]),
                        row["name"],
                        row["group"],
                        total(row["total"], decimals),
                        *(total(s, decimals) for s in row["scores"][start : start + per_table]),
                    ]
                    for row in annex["rows"]
                ],
                widths=(10, 34, 22, 16) + (16,) * len(chunk),
                compact=len(annex["rows"]) * len(chunk) > COMPACT_CELLS,
                legend=[
                    f"{n}. {item['name']} ({labels['weight']} {amount(item['weight'], 0)})"
                    for n, item in enumerate(chunk, start=1)
                ],
            )
        )
    return tables


def chart_images(document: Document) -> dict[str, Any]:
    """The drawn charts by the names the blocks use."""
    drawn = document.charts()
    out = {}
    for index, charts in enumerate(drawn["standings"]):
        for part, chart in enumerate(charts):
            out[f"standings-{index}-{part}"] = chart
    if drawn["lights"] is not None:
        out["lights"] = drawn["lights"]
    return out
