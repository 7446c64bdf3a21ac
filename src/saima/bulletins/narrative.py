"""The text of a bulletin, written from its facts by fixed templates, in Chinese or English.

No language model and no judgement: each paragraph is a template filled with figures of the
facts, formatted as published (totals at the rules' decimals, percentages and points at one
decimal, amounts at the indicator's decimals). The same facts always give the same text, and a
test reads every number back out of it and finds it in the snapshot.

The templates are gettext messages (English source, Chinese in the catalogue), written under
the bulletin's language whatever the reader's.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from saima.bulletins.facts import MONTHLY
from saima.common.formatting import fixed, number
from saima.races.results.present import REASONS

HEADINGS = {
    "overview": gettext_lazy("Overall picture"),
    "standings": gettext_lazy("Standings of each race group"),
    "distinctions": gettext_lazy("Red flags, yellow flags and progress awards"),
    "behind": gettext_lazy("Indicators behind schedule"),
    "half": gettext_lazy("Double over half"),
    "statements": gettext_lazy("Statements at the meeting"),
    "lights": gettext_lazy("Lights"),
    "gaps": gettext_lazy("Largest gaps to the schedule"),
    "run_rates": gettext_lazy("Run rates needed"),
    "listed": gettext_lazy("Supervision items listed in the bulletin"),
    "next": gettext_lazy("Next steps"),
}

#: The most units a sentence names (movers each way, units not yet over half); beyond that it
#: gives their number, and the tables name them all.
NAMED = 8

RACE_SECTIONS = (
    "overview",
    "standings",
    "distinctions",
    "behind",
    "half",
    "statements",
    "listed",
    "next",
)
MONTHLY_SECTIONS = ("lights", "gaps", "run_rates", "listed", "next")


@dataclass(frozen=True)
class Paragraph:
    """One section of the body: a fixed heading and the text the office may edit."""

    key: str
    heading: str
    text: str

    def to_json(self) -> dict[str, str]:
        return {"key": self.key, "heading": self.heading, "text": self.text}


# --- numbers, as published -------------------------------------------------------------------


def total(value: float | None, decimals: int) -> str:
    return fixed(value, decimals) if value is not None else "—"


def percent(value: float | None) -> str:
    return fixed(value, 1) if value is not None else "—"


def points(value: float | None) -> str:
    """A distance in points, without its sign (the words say which way)."""
    return fixed(abs(value), 1) if value is not None else "—"


def amount(value: float | None, decimals: int) -> str:
    return number(value, decimals)


def ratio(value: float | None) -> str:
    return fixed(value, 2) if value is not None else "—"


# --- words ------------------------------------------------------------------------------------


def chinese(language: str | None = None) -> bool:
    return (language or translation.get_language() or "").lower().startswith("zh")


def join(names: Sequence[str]) -> str:
    """`A、B和C` or `A, B and C`."""
    names = [str(n) for n in names]
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    if chinese():
        return "、".join(names[:-1]) + "和" + names[-1]
    return ", ".join(names[:-1]) + " and " + names[-1]


def series(parts: Sequence[str]) -> str:
    """Clauses one after the other: `甲；乙` or `a; b`."""
    return ("；" if chinese() else "; ").join(parts)


def sentence_end() -> str:
    return "。" if chinese() else "."


_QUARTERS = {
    1: gettext_lazy("the first quarter of %(year)s"),
    2: gettext_lazy("the second quarter of %(year)s"),
    3: gettext_lazy("the third quarter of %(year)s"),
    4: gettext_lazy("the fourth quarter of %(year)s"),
}


def period_text(facts: dict[str, Any]) -> str:
    """The period in words: `2026年第一季度`, `January–May 2026`."""
    year, month, kind = facts["year"], facts["month"], facts["period_kind"]
    if kind == "quarter":
        return str(_QUARTERS[month // 3]) % {"year": year}
    if kind == "half":
        if month == 6:
            return _("the first half of %(year)s") % {"year": year}
        return _("the whole of %(year)s") % {"year": year}
    if kind == "year":
        return _("the whole of %(year)s") % {"year": year}
    if month == 1:
        return _("January %(year)s") % {"year": year}
    return _("January to month %(month)s of %(year)s") % {"year": year, "month": month}


def title(facts: dict[str, Any]) -> str:
    values = {"race": facts["race"], "period": period_text(facts)}
    if facts["kind"] == MONTHLY:
        return _("Monthly comment on the progress of key work in %(period)s") % values
    return _("Bulletin on the results of the %(race)s for %(period)s") % values


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:] if text and not chinese() else text


def _unit_in_group(ref: dict[str, Any]) -> str:
    return _("%(unit)s (%(group)s)") % {"unit": ref["name"], "group": ref["group"]}


# --- the race bulletin -------------------------------------------------------------------------


def _overview(facts: dict[str, Any]) -> str:
    decimals = facts["decimals"]
    parts = [
        _capital(
            _(
                "in %(period)s, %(count)s units took part in the %(race)s, ranked in "
                "%(groups)s race groups"
            )
            % {
                "period": period_text(facts),
                "count": facts["units"],
                "race": facts["race"],
                "groups": len(facts["groups"]),
            }
        )
    ]
    for group in facts["groups"]:
        ranked = [row for row in group["rows"] if row["ranked"] and row["rank"] is not None]
        if not ranked:
            continue
        first = [row for row in ranked if row["rank"] == ranked[0]["rank"]]
        last = ranked[-1]
        values = {
            "group": group["name"],
            "first": join([row["name"] for row in first]),
            "total": total(first[0]["total"], decimals),
        }
        if len(ranked) == 1 or last["rank"] == first[0]["rank"]:
            parts.append(_("in %(group)s, %(first)s came first with %(total)s points") % values)
        else:
            parts.append(
                _(
                    "in %(group)s, %(first)s came first with %(total)s points and %(last)s "
                    "came last, in place %(rank)s, with %(last_total)s points"
                )
                % {
                    **values,
                    "last": last["name"],
                    "rank": last["rank"],
                    "last_total": total(last["total"], decimals),
                }
            )
    text = series(parts) + sentence_end()
    area = facts["area"]
    if area:
        on = sum(1 for row in area if row["on_schedule"])
        text += " " if not chinese() else ""
        text += _(
            "Across the area, %(on)s of the %(count)s amount and count indicators are at or "
            "ahead of the time schedule."
        ) % {"on": on, "count": len(area)}
    return text


def _standings(facts: dict[str, Any]) -> str:
    parts = []
    for index, group in enumerate(facts["groups"], start=1):
        parts.append(
            ngettext(
                "%(group)s: %(count)s unit, ranked in table %(table)s",
                "%(group)s: %(count)s units, ranked in table %(table)s",
                len(group["rows"]),
            )
            % {"group": group["name"], "count": len(group["rows"]), "table": index}
        )
    text = series(parts) + sentence_end()
    rose, fell = facts["movers"]["rose"], facts["movers"]["fell"]
    had_previous = any(row["change"] is not None for g in facts["groups"] for row in g["rows"])
    if not had_previous:
        return text + _(" This is the first race of the year: no change of rank to report.")
    if not rose and not fell:
        return text + _(" No unit changed its rank against the previous race.")
    moves = [
        ngettext("%(unit)s rose %(n)s place", "%(unit)s rose %(n)s places", row["change"])
        % {"unit": row["name"], "n": row["change"]}
        for row in rose[:NAMED]
    ] + [
        ngettext("%(unit)s fell %(n)s place", "%(unit)s fell %(n)s places", -row["change"])
        % {"unit": row["name"], "n": -row["change"]}
        for row in fell[:NAMED]
    ]
    text += _(" Against the previous race, %(moves)s.") % {"moves": join(moves)}
    if len(rose) > NAMED or len(fell) > NAMED:
        text += _(" The tables give every change of rank.")
    return text


def _distinctions(facts: dict[str, Any]) -> str:
    found = facts["distinctions"]
    parts = []
    if found["red"]:
        parts.append(
            _("red flags go to %(units)s")
            % {"units": join([_unit_in_group(r) for r in found["red"]])}
        )
    if found["yellow"]:
        parts.append(
            _("yellow flags go to %(units)s")
            % {"units": join([_unit_in_group(r) for r in found["yellow"]])}
        )
    if found["award"]:
        parts.append(
            _("the progress award goes to %(units)s")
            % {"units": join([_unit_in_group(r) for r in found["award"]])}
        )
    if found["veto"]:
        parts.append(
            _("%(units)s had a veto event and take no distinction")
            % {"units": join([_unit_in_group(r) for r in found["veto"]])}
        )
    if not parts:
        return _("No flag or award was given in this race.")
    return _capital(series(parts)) + sentence_end()


def _area_behind(facts: dict[str, Any]) -> str:
    late = [row for row in facts["area"] if not row["on_schedule"]]
    if not late:
        return _("Across the area, every amount and count indicator is at or ahead of schedule.")
    return _("Across the area, %(items)s are behind the time schedule.") % {
        "items": join(
            [
                _("%(indicator)s (%(completion)s%% done against a schedule of %(schedule)s%%)")
                % {
                    "indicator": row["name"],
                    "completion": percent(row["completion"]),
                    "schedule": percent(row["time_progress"]),
                }
                for row in late
            ]
        )
    }


def _behind_item(row: dict[str, Any], area: dict[str, Any] | None) -> str:
    values = {
        "indicator": row["name"],
        "behind": row["behind"],
        "judged": row["judged"],
        "shortfall": points(row["shortfall"]),
        "worst": row["worst"],
        "gap": points(row["worst_gap"]),
    }
    if row["kind"] == "growth":
        text = (
            _(
                "%(indicator)s: %(behind)s of %(judged)s units grow slower than their target, "
                "by %(shortfall)s points on average; %(worst)s is furthest below (%(gap)s "
                "points)"
            )
            % values
        )
    else:
        text = (
            _(
                "%(indicator)s: %(behind)s of %(judged)s units are behind the schedule, by "
                "%(shortfall)s percentage points on average; %(worst)s is furthest behind "
                "(%(gap)s points)"
            )
            % values
        )
    if area is not None and area["projected_completion"] is not None:
        text += _(
            "; at the present pace the area would end the year at %(projected)s%% of its target"
        ) % {"projected": percent(area["projected_completion"])}
    return text


def _behind(facts: dict[str, Any], top: int = 5) -> str:
    text = _area_behind(facts)
    rows = facts["behind"][:top]
    if not rows:
        return text + _(" No unit is behind on any indicator.")
    area = {row["indicator"]: row for row in facts["area"]}
    items = [_behind_item(row, area.get(row["indicator"])) for row in rows]
    lead = _(" The indicators most units are behind on: ")
    return text + lead + series(items) + sentence_end()


def _half(facts: dict[str, Any]) -> str:
    parts = []
    for row in facts["half"] or []:
        values = {"indicator": row["name"], "reached": row["reached"], "judged": row["judged"]}
        if len(row["not_reached"]) > NAMED:
            parts.append(
                _(
                    "%(indicator)s: %(reached)s of %(judged)s units have done half of the "
                    "annual target, %(missing)s not yet"
                )
                % {**values, "missing": len(row["not_reached"])}
            )
        elif row["not_reached"]:
            parts.append(
                _(
                    "%(indicator)s: %(reached)s of %(judged)s units have done half of the "
                    "annual target; not yet: %(units)s"
                )
                % {**values, "units": join(row["not_reached"])}
            )
        else:
            parts.append(
                _("%(indicator)s: all %(judged)s units have done half of the annual target")
                % values
            )
    lead = _(
        "Double over half means half of the annual target done by the end of June, whatever "
        "the schedule. "
    )
    return lead + series(parts) + sentence_end()


def _statements(facts: dict[str, Any]) -> str:
    rows = facts["laggards"]
    if not rows:
        return _("No unit is called to make a statement at the meeting.")
    units = []
    for row in rows:
        reasons = [str(REASONS[r]) for r in row["reasons"] if r in REASONS]
        units.append(
            pgettext("laggard and why", "%(unit)s (%(reasons)s)")
            % {"unit": row["name"], "reasons": join(reasons)}
        )
    return _(
        "%(units)s must make statements at the meeting: the causes, the measures and a "
        "dated commitment."
    ) % {"units": join(units)}


def _next_steps(facts: dict[str, Any]) -> str:
    return _(
        "Every unit should measure itself against the standings, find its gaps and catch up; "
        "the units behind schedule should take targeted measures so that the year's targets "
        "are met. The office follows up the commitments made at the meeting."
    )


# --- the monthly comment -----------------------------------------------------------------------


def _lights(facts: dict[str, Any]) -> str:
    counts = facts["lights"]["total"]
    text = _(
        "By %(period)s, the figures of %(count)s units on %(indicators)s indicators show "
        "%(green)s green, %(yellow)s yellow and %(red)s red lights, with %(missing)s figures "
        "missing."
    ) % {
        "period": period_text(facts),
        "count": facts["units"],
        "indicators": len(facts["lights"]["indicators"]),
        "green": counts["green"],
        "yellow": counts["yellow"],
        "red": counts["red"],
        "missing": counts["missing"],
    }
    return _capital(text) + (" " if not chinese() else "") + _area_behind(facts)


def _gaps(facts: dict[str, Any]) -> str:
    rows = facts["gaps"]
    if not rows:
        return _("No unit is behind the schedule on an amount or count indicator.")
    items = [
        _(
            "%(unit)s on %(indicator)s (%(completion)s%% done against a schedule of "
            "%(schedule)s%%, %(gap)s points behind)"
        )
        % {
            "unit": row["unit"],
            "indicator": row["name"],
            "completion": percent(row["completion"]),
            "schedule": percent(row["time_progress"]),
            "gap": points(row["gap"]),
        }
        for row in rows
    ]
    return _("The largest gaps to the schedule: %(items)s.") % {"items": series(items)}


def _run_rates(facts: dict[str, Any]) -> str:
    rows = facts["run_rates"]
    if not rows:
        return _("No unit behind the schedule needs to speed up to meet its annual target.")
    items = [
        _(
            "%(unit)s needs %(needed)s%(measure)s a month on %(indicator)s, %(ratio)s times "
            "its monthly average so far"
        )
        % {
            "unit": row["unit"],
            "indicator": row["name"],
            "needed": amount(row["needed"], row["decimals"]),
            "measure": (row["measure"] if chinese() else f" {row['measure']}")
            if row["measure"]
            else "",
            "ratio": ratio(row["ratio"]),
        }
        for row in rows
    ]
    return _("To meet the annual targets, %(items)s.") % {"items": series(items)}


# --- supervision items listed in the bulletin (通报) ----------------------------------------------


def day_text(iso: str | None) -> str:
    """A stored date in words: `2026年4月1日`, `1 April 2026` (— when there is none)."""
    if not iso:
        return "—"
    day = datetime.date.fromisoformat(iso)
    if chinese():
        return f"{day.year}年{day.month}月{day.day}日"
    return date_format(day, "j F Y")


def listed_items(facts: dict[str, Any]) -> list[dict[str, Any]]:
    """The supervision items the bulletin froze as listed for 通报 (none for bulletins drawn
    before the section existed, or offline)."""
    return list((facts.get("listed") or {}).get("items") or [])


def _listed(facts: dict[str, Any]) -> str:
    listed, items = facts["listed"], listed_items(facts)
    named = [
        ngettext(
            "%(title)s (%(reference)s, led by %(unit)s, %(days)s day overdue)",
            "%(title)s (%(reference)s, led by %(unit)s, %(days)s days overdue)",
            row["days_overdue"],
        )
        % {
            "title": row["title"],
            "reference": row["reference"],
            "unit": row["lead_unit"],
            "days": row["days_overdue"],
        }
        if row["days_overdue"]
        else _("%(title)s (%(reference)s, led by %(unit)s)")
        % {"title": row["title"], "reference": row["reference"], "unit": row["lead_unit"]}
        for row in items[:NAMED]
    ]
    values = {
        "start": day_text(listed["start"]),
        "end": day_text(listed["end"]),
        "count": len(items),
        "items": join(named),
    }
    if len(items) > NAMED:
        text = _(
            "From %(start)s to %(end)s, %(count)s supervision items were listed in the bulletin "
            "for being overdue; the most overdue are %(items)s. The table lists them all."
        )
    else:
        text = ngettext(
            "From %(start)s to %(end)s, %(count)s supervision item was listed in the bulletin "
            "for being overdue: %(items)s.",
            "From %(start)s to %(end)s, %(count)s supervision items were listed in the bulletin "
            "for being overdue: %(items)s.",
            len(items),
        )
    follow = _(
        "The lead units should finish them without delay and report to the office; an item "
        "still unfinished goes on to an interview of the unit's head."
    )
    return text % values + (" " if not chinese() else "") + follow


WRITERS = {
    "listed": _listed,
    "overview": _overview,
    "standings": _standings,
    "distinctions": _distinctions,
    "behind": _behind,
    "half": _half,
    "statements": _statements,
    "lights": _lights,
    "gaps": _gaps,
    "run_rates": _run_rates,
    "next": _next_steps,
}


def sections(facts: dict[str, Any]) -> list[str]:
    """The sections of the body, in the order of the domain notes (double over half only at
    the half year)."""
    keys = MONTHLY_SECTIONS if facts["kind"] == MONTHLY else RACE_SECTIONS
    return [
        key
        for key in keys
        if (key != "half" or facts.get("half")) and (key != "listed" or listed_items(facts))
    ]


def write(facts: dict[str, Any], language: str) -> list[Paragraph]:
    """The body of a bulletin in `language`, section by section."""
    with translation.override(language):
        return [
            Paragraph(key=key, heading=str(HEADINGS[key]), text=WRITERS[key](facts).strip())
            for key in sections(facts)
        ]


def document_title(facts: dict[str, Any], language: str) -> str:
    with translation.override(language):
        return title(facts)
