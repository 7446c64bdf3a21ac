"""What the meeting screen shows: the slides of one published race result, drawn from its frozen
snapshot (the same facts a bulletin is drawn from), cut to what a room can read from the back:
at most `ROWS` units on a standings slide, `GRID_UNITS` × `GRID_ITEMS` on a lights slide.

Other apps' slides (the projects' battle map, the overdue supervision items) come through
`add_panel`: `panels.py` draws those of the apps below this one and `BulletinsConfig.ready`
registers them, so this module imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from saima.bulletins.documents.layout import change_text
from saima.bulletins.facts import build_facts
from saima.bulletins.narrative import percent, period_text, total
from saima.bulletins.selectors import publication_source
from saima.org.access import Access
from saima.races.definitions.selectors import visible_races
from saima.races.models import Publication, RaceDefinition
from saima.races.results.present import REASONS
from saima.races.results.selectors import current_publications

#: Units on one standings slide (legible at 1920×1080 from the back of a room).
ROWS = 12
#: Units and indicators on one lights slide.
GRID_UNITS = 16
GRID_ITEMS = 10


@dataclass
class Slide:
    """One screen: a kind (the template to draw it with), a title and its content."""

    kind: str
    title: str
    content: dict[str, Any] = field(default_factory=dict)


#: Slides other apps add: key → function(access, race, period label) returning slides.
Panel = Callable[[Access, RaceDefinition, str], Iterable[Slide]]
_PANELS: dict[str, Panel] = {}


def add_panel(key: str, panel: Panel) -> None:
    """Add (or replace, by key) slides an app shows in meeting mode."""
    _PANELS[key] = panel


def meeting_choices(access: Access) -> list[dict[str, Any]]:
    """Each race the reader may see with its published periods (latest first)."""
    out = []
    for race in visible_races(access):
        published = current_publications(race)
        if published:
            out.append({"race": race, "periods": [p.period for p in reversed(published)]})
    return out


def pick(
    access: Access, race_code: str | None, period: str | None
) -> tuple[RaceDefinition, Publication] | None:
    """The race and published result to show: those asked for if the reader may see them, else
    the latest result of the first race with one."""
    choices = meeting_choices(access)
    chosen = next((c for c in choices if c["race"].code == race_code), None) or (
        choices[0] if choices else None
    )
    if chosen is None:
        return None
    race = chosen["race"]
    label = period if period in chosen["periods"] else chosen["periods"][0]
    publication = next(p for p in current_publications(race) if p.period == label)
    return race, publication


def _standings_slides(facts: dict[str, Any]) -> list[Slide]:
    slides = []
    decimals = facts["decimals"]
    for group in facts["groups"]:
        rows = group["rows"]
        top = max([row["total"] or 0 for row in rows] + [1])
        pages = max(1, -(-len(rows) // ROWS))
        for page in range(pages):
            part = rows[page * ROWS : (page + 1) * ROWS]
            title = group["name"]
            if pages > 1:
                title = _("%(group)s (%(page)s of %(pages)s)") % {
                    "group": group["name"],
                    "page": page + 1,
                    "pages": pages,
                }
            slides.append(
                Slide(
                    "standings",
                    title,
                    {
                        "rows": [
                            {
                                **row,
                                "total_text": total(row["total"], decimals),
                                "change_text": change_text(row["change"]),
                                "change_class": ""
                                if not row["change"]
                                else ("up" if row["change"] > 0 else "down"),
                                "width": round(100 * (row["total"] or 0) / top, 1),
                            }
                            for row in part
                        ]
                    },
                )
            )
    return slides


def _distinctions_slide(facts: dict[str, Any]) -> Slide:
    found = facts["distinctions"]
    return Slide(
        "distinctions",
        _("Flags and awards"),
        {
            "lists": [
                ("red", _("Red flags"), found["red"]),
                ("yellow", _("Yellow flags"), found["yellow"]),
                ("award", _("Progress awards"), found["award"]),
                ("veto", _("Vetoes"), found["veto"]),
            ]
        },
    )


def _lights_slides(facts: dict[str, Any]) -> list[Slide]:
    lights = facts["lights"]
    indicators, units = lights["indicators"], lights["units"]
    slides = []
    for i in range(0, len(indicators), GRID_ITEMS):
        for u in range(0, len(units), GRID_UNITS):
            chunk = units[u : u + GRID_UNITS]
            slides.append(
                Slide(
                    "lights",
                    _("Lights"),
                    {
                        "indicators": indicators[i : i + GRID_ITEMS],
                        "units": [
                            {**row, "cells": row["lights"][i : i + GRID_ITEMS]} for row in chunk
                        ],
                    },
                )
            )
    return slides


def _progress_slide(facts: dict[str, Any]) -> Slide | None:
    if not facts["area"]:
        return None
    rows = [
        {
            **row,
            "completion_text": percent(row["completion"]),
            "schedule_text": percent(row["time_progress"]),
            "completion_width": min(100.0, max(0.0, row["completion"] or 0)),
            "schedule_width": min(100.0, max(0.0, row["time_progress"] or 0)),
        }
        for row in facts["area"]
    ]
    return Slide("progress", _("Progress against the schedule"), {"rows": rows})


def _half_slide(facts: dict[str, Any]) -> Slide | None:
    if not facts["half"]:
        return None
    rows = [
        {**row, "width": round(100 * row["reached"] / row["judged"], 1) if row["judged"] else 0}
        for row in facts["half"]
    ]
    return Slide("half", _("Double over half"), {"rows": rows})


def _statements_slide(facts: dict[str, Any]) -> Slide:
    rows = [
        {**row, "reason_texts": [str(REASONS[r]) for r in row["reasons"] if r in REASONS]}
        for row in facts["laggards"]
    ]
    return Slide("statements", _("Statements at the meeting"), {"rows": rows})


def slides(access: Access, race: RaceDefinition, publication: Publication) -> list[Slide]:
    """Every slide of one result, in the order of the meeting (the bulletin's order)."""
    language = translation.get_language() or "zh-hans"
    facts = build_facts(publication_source(race, publication, language))
    out = [
        Slide(
            "title",
            race.name,
            {"period": period_text(facts), "version": publication.version, "facts": facts},
        )
    ]
    out += _standings_slides(facts)
    out.append(_distinctions_slide(facts))
    out += [s for s in (_progress_slide(facts), _half_slide(facts)) if s is not None]
    out += _lights_slides(facts)
    out.append(_statements_slide(facts))
    for panel in _PANELS.values():
        out += list(panel(access, race, publication.period))
    return out
