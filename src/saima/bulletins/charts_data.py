"""The bulletin's charts as data for the pages (ECharts draws them in the browser), from the same
facts and with the same names as the charts drawn into the DOCX and the PDF."""

from __future__ import annotations

from typing import Any

from saima.bulletins.documents import Document
from saima.bulletins.documents.charts import COLOURS, MAX_BARS


def for_page(document: Document) -> dict[str, Any]:
    """Chart name → what to draw: `bars` (a group's totals) or `lights` (stacked counts)."""
    labels, facts = document.labels, document.facts
    out: dict[str, Any] = {}
    for index, group in enumerate(facts["groups"]):
        rows = [row for row in group["rows"] if row["total"] is not None]
        for part, start in enumerate(range(0, max(len(rows), 1), MAX_BARS)):
            chunk = rows[start : start + MAX_BARS]
            out[f"standings-{index}-{part}"] = {
                "kind": "bars",
                "names": [f"{row['rank'] or '—'}. {row['name']}" for row in chunk],
                "values": [row["total"] for row in chunk],
                "colours": [COLOURS.get(row["flag"], COLOURS["bar"]) for row in chunk],
                "decimals": facts["decimals"],
                "measure": labels["points"],
            }
    lights = facts["lights"]
    if lights["indicators"]:
        out["lights"] = {
            "kind": "lights",
            "names": [row["name"] for row in lights["indicators"]],
            "series": [
                {
                    "name": labels[key],
                    "colour": COLOURS[light],
                    "values": [row[light] for row in lights["counts"]],
                }
                for light, key in (
                    ("green", "green"),
                    ("yellow", "yellow_light"),
                    ("red", "red_light"),
                    ("missing", "missing"),
                )
            ],
            "measure": labels["units"],
        }
    return out
