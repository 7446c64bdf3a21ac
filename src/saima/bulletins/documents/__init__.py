"""A bulletin as a document: its fields (issuing office, number, title, recipients, date), its
body and its facts, drawn as DOCX (`word`), PDF (`pdf`) or XLSX (`sheets`) by the same code for
the server and for `saima bulletin`.

The document's words (table headings, captions, flags) are taken in the document's language
once, in `Document.labels`, so the renderers need no translation of their own.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from saima.bulletins.facts import MONTHLY, safe_text

#: Formats a bulletin is drawn in, with their content types.
FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: Chinese numbering of first-level headings (一、二、...), as official documents number them.
CHINESE_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Document:
    """Everything a renderer draws: the fields, the body and the facts."""

    language: str
    facts: dict[str, Any]
    paragraphs: list[dict[str, str]]
    title: str
    office: str = ""
    prefix: str = ""
    year: int | None = None
    number: int | None = None
    recipients: str = ""
    date: datetime.date | None = None
    draft: bool = False
    #: Charts drawn once and shared by the formats (see `charts`).
    _charts: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def chinese(self) -> bool:
        return self.language.lower().startswith("zh")

    @property
    def reference(self) -> str:
        """The document number: `青重办发〔2026〕12号`."""
        if self.number is None:
            return ""
        year = self.year or self.facts["year"]
        return f"{safe_text(self.prefix)}〔{year}〕{self.number}号"

    @property
    def date_text(self) -> str:
        if self.date is None:
            return ""
        if self.chinese:
            return f"{self.date.year}年{self.date.month}月{self.date.day}日"
        with translation.override(self.language):
            return date_format(self.date, "j F Y")

    def heading(self, index: int, text: str) -> str:
        """`一、总体情况` or `1. Overall picture`."""
        if self.chinese and index <= len(CHINESE_NUMERALS):
            return f"{CHINESE_NUMERALS[index - 1]}、{text}"
        return f"{index}. {text}"

    @functools.cached_property
    def labels(self) -> dict[str, str]:
        with translation.override(self.language):
            return _labels(self.facts)

    def charts(self) -> dict[str, Any]:
        """The standings charts (one list per group) and the lights chart, drawn once."""
        if not self._charts:
            from saima.bulletins.documents import charts

            labels = self.labels
            self._charts["standings"] = [
                charts.standings_charts(group, self.facts["decimals"], labels)
                for group in self.facts["groups"]
            ]
            self._charts["lights"] = charts.lights_chart(self.facts["lights"], labels)
        return self._charts

    @property
    def colon(self) -> str:
        return "：" if self.chinese else ":"

    @property
    def monthly(self) -> bool:
        return self.facts["kind"] == MONTHLY


def _labels(facts: dict[str, Any]) -> dict[str, str]:
    return {
        "rank": _("Rank"),
        "unit": _("Unit"),
        "group": _("Group"),
        "total": _("Total"),
        "change": _("Change"),
        "flag": _("Flag"),
        "notes": _("Notes"),
        "red": _("red flag"),
        "yellow": _("yellow flag"),
        "veto": _("veto"),
        "award": _("progress award"),
        "not_ranked": _("not ranked"),
        "points": _("points"),
        "units": _("units"),
        "green_light": _("green"),
        "green": _("green"),
        "yellow_light": _("yellow"),
        "red_light": _("red"),
        "missing": _("missing"),
        "na": _("n/a"),
        "indicator": _("Indicator"),
        "completion": _("Completion (%)"),
        "schedule": _("Schedule (%)"),
        "gap": _("Gap (pp)"),
        "behind_units": _("Units behind"),
        "projection": _("Year-end projection (percent of target)"),
        "table": _("Table %(n)s"),
        "standings_caption": _("Standings of %(group)s"),
        "standings_chart": _("Totals of %(group)s"),
        "lights_caption": _("Lights by indicator"),
        "behind_caption": _("Indicators across the area"),
        "gaps_caption": _("Largest gaps to the schedule"),
        "listed_caption": _("Supervision items listed in the bulletin"),
        "reference": _("Reference"),
        "item_title": _("Supervision item"),
        "lead_unit": _("Lead unit"),
        "deadline": _("Deadline"),
        "days_overdue": _("Days overdue"),
        "step": _("Step taken"),
        "listed_sheet": pgettext("sheet", "Supervision items"),
        "annex": _("Annex"),
        "annex_title": _("Every item's score for every unit"),
        "annex_note": _("Annex: every item's score for every unit"),
        "weight": _("weight"),
        "draft": _("Draft — not issued"),
        "lights_sheet": _("Lights"),
        "standings_sheet": _("Standings"),
        "annex_sheet": _("Scores"),
        "area_sheet": _("Area"),
        "page": _("Page &P of &N"),
    }
