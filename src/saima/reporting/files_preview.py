"""What an upload would change, computed before anything is written; and keeping parsed rows
between the preview and the confirmation (in the session, size-bounded, never in a temp file).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from saima.common.engine_text import say
from saima.engine import Period
from saima.metrics.models import Indicator, Observation
from saima.metrics.services import check_period_open, to_decimal
from saima.org.access import Access
from saima.org.models import Unit
from saima.reporting import calendar, checking
from saima.reporting.files_rows import FigureRow, figure_row
from saima.reporting.models import Submission
from saima.reporting.services import REPORTER_EDITABLE

NEW = "new"
CHANGED = "changed"
UNCHANGED = "unchanged"
REFUSED = "refused"

_FIELDS = ("value", "last_year_value", "growth", "note")
FIELD_LABELS = {
    "value": gettext_lazy("cumulative value"),
    "last_year_value": gettext_lazy("last year's same period"),
    "growth": gettext_lazy("growth (%)"),
    "note": gettext_lazy("note"),
}


@dataclass(frozen=True)
class Change:
    """One row of an upload against what is stored."""

    row: FigureRow
    status: str
    unit: Unit | None = None
    indicator: Indicator | None = None
    old_value: Decimal | None = None
    fields: tuple[str, ...] = ()
    reason: str = ""
    warnings: tuple[str, ...] = ()
    """Check findings someone will have to explain (with a comment) before submitting."""
    version: int = 0
    """The stored figure's version the preview compared with (0: none stored)."""

    @property
    def new_value(self) -> Decimal | None:
        return self.row.value

    @property
    def old_text(self) -> str:
        return _figure_text(self.old_value)

    @property
    def new_text(self) -> str:
        return _figure_text(self.row.value)

    @property
    def field_labels(self) -> list[str]:
        return [str(FIELD_LABELS[name]) for name in self.fields]

    @property
    def refused(self) -> bool:
        return self.status == REFUSED


def preview_changes(rows: Sequence[FigureRow], *, access: Access) -> list[Change]:
    """Compare `rows` with the stored figures; mark the rows the uploader may not write."""
    units = Unit.objects.in_bulk({r.unit_code for r in rows}, field_name="code")
    indicators = Indicator.objects.in_bulk({r.indicator_code for r in rows}, field_name="code")
    stored = _stored(rows)
    months = {(r.year, r.month) for r in rows if 1 <= r.month <= 12 and 1990 <= r.year <= 2100}
    locked = {m for m in months if calendar.schedule(*m).locked}
    states = _submission_states(rows)
    context = _Context(access, units, indicators, stored, locked, states)
    return _with_findings([_change(row, context) for row in rows])


def _with_findings(changes: list[Change]) -> list[Change]:
    """Run the engine's checks on the rows that would be written, as figures_save will."""
    writing = [c for c in changes if c.status in (NEW, CHANGED)]
    candidates = [
        checking.CandidateFigure(
            c.unit,
            c.indicator,
            c.row.year,
            c.row.month,
            c.row.value,
            c.row.last_year_value,
            c.row.growth,
            c.row.note,
        )
        for c in writing
    ]
    by_key: dict[tuple, list] = {}
    for finding in checking.findings_for_rows(candidates, {}):
        by_key.setdefault(finding.key, []).append(finding)
    result = []
    for change in changes:
        found = by_key.get(change.row.key, []) if change.status in (NEW, CHANGED) else []
        blocking = [say(f.message) for f in found if f.blocking]
        if blocking:
            change = replace(change, status=REFUSED, reason=" ".join(blocking))
        else:
            notes = tuple(say(f.message) for f in found if f.needs_acknowledgement)
            change = replace(change, warnings=notes)
        result.append(change)
    return result


@dataclass(frozen=True)
class _Context:
    access: Access
    units: dict
    indicators: dict
    stored: dict
    locked: set
    states: dict


def _submission_states(rows: Sequence[FigureRow]) -> dict[tuple, Submission]:
    if not rows:
        return {}
    found = Submission.objects.filter(
        unit__code__in={r.unit_code for r in rows},
        year__in={r.year for r in rows},
        month__in={r.month for r in rows},
    ).select_related("unit")
    return {(s.unit.code, s.year, s.month): s for s in found}


def _stored(rows: Sequence[FigureRow]) -> dict[tuple, dict[str, Any]]:
    if not rows:
        return {}
    found = Observation.objects.filter(
        year__in={r.year for r in rows},
        month__in={r.month for r in rows},
        unit__code__in={r.unit_code for r in rows},
        indicator__code__in={r.indicator_code for r in rows},
    ).values_list("unit__code", "indicator__code", "year", "month", "version", *_FIELDS)
    return {tuple(f[:4]): dict(zip(("version", *_FIELDS), f[4:], strict=True)) for f in found}


def _change(row: FigureRow, context: _Context) -> Change:
    unit = context.units.get(row.unit_code)
    indicator = context.indicators.get(row.indicator_code)
    reason = _refusal(row, context, unit, indicator)
    old = context.stored.get((row.unit_code, row.indicator_code, row.year, row.month))
    common = {"row": row, "unit": unit, "indicator": indicator}
    if old is not None:
        common["old_value"] = old["value"]
        common["version"] = old["version"]
    if reason:
        return Change(status=REFUSED, reason=reason, **common)
    if old is None:
        return Change(status=NEW, **common)
    fields = tuple(name for name in _FIELDS if not _same(getattr(row, name), old[name]))
    return Change(status=CHANGED if fields else UNCHANGED, fields=fields, **common)


def _same(new: object, old: object) -> bool:
    if isinstance(new, str) or isinstance(old, str):
        return (new or "").strip() == (old or "").strip()
    if new is None or old is None:
        return new is None and old is None
    return Decimal(new) == Decimal(old)


def _refusal(row: FigureRow, context: _Context, unit, indicator) -> str:
    access = context.access
    if unit is None:
        return _("There is no unit with the code %(code)s.") % {"code": row.unit_code}
    if indicator is None:
        return _("There is no indicator with the code %(code)s.") % {"code": row.indicator_code}
    if not unit.active:
        return _("%(unit)s is no longer active.") % {"unit": unit}
    if not access.can_edit_figures(unit.pk):
        return _("You may not enter figures for %(unit)s.") % {"unit": unit}
    try:
        check_period_open(Period(row.year, row.month))
        for name in ("value", "last_year_value", "growth"):
            to_decimal(getattr(row, name), field=name)
    except ValidationError as exc:
        return " ".join(exc.messages)
    if (row.year, row.month) in context.locked:
        return _("%(period)s is locked by the office.") % {"period": _label(row)}
    submission = context.states.get((row.unit_code, row.year, row.month))
    if (
        submission is not None
        and submission.status not in REPORTER_EDITABLE
        and not access.is_office
    ):
        return _(
            "The figures of %(unit)s for %(period)s are %(status)s; ask for them to be returned "
            "before changing them."
        ) % {"unit": unit, "period": _label(row), "status": submission.get_status_display()}
    negative = row.value is not None and row.value < 0
    if negative and indicator.kind != Indicator.Kind.GROWTH:
        return _("A cumulative figure cannot be negative.")
    return ""


def _figure_text(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return "0" if value == 0 else format(Decimal(value).normalize(), "f")


def _label(row: FigureRow) -> str:
    return f"{row.year}-{row.month:02d}"


def expected_versions(changes: Sequence[Change]) -> dict[tuple, int]:
    """The versions the preview showed, for figures_save's optimistic-concurrency check."""
    return {
        (c.row.unit_code, c.row.indicator_code, c.row.year, c.row.month): c.version for c in changes
    }


def summary(changes: Sequence[Change]) -> dict[str, int]:
    counts = dict.fromkeys((NEW, CHANGED, UNCHANGED, REFUSED), 0)
    for change in changes:
        counts[change.status] += 1
    return counts


# --- keeping rows between preview and confirmation --------------------------------------------

SESSION_KEY = "saima_reporting_pending"
#: Upper bound on what one pending upload may put in the session (JSON characters).
MAX_PENDING_CHARS = 8_000_000


class PendingTooLarge(Exception):
    """The parsed rows are too many to keep between preview and confirmation."""


def _encode(row: FigureRow) -> list:
    return [
        row.unit_code,
        row.indicator_code,
        row.year,
        row.month,
        *(None if getattr(row, n) is None else str(getattr(row, n)) for n in _FIELDS[:3]),
        row.note,
    ]


def _decode(item: list) -> FigureRow:
    unit, indicator, year, month, value, last_year, growth, note = item
    number = {
        n: None if v is None else Decimal(v)
        for n, v in zip(_FIELDS, (value, last_year, growth), strict=False)
    }
    return figure_row(
        unit_code=unit,
        indicator_code=indicator,
        year=int(year),
        month=int(month),
        value=number["value"],
        last_year_value=number["last_year_value"],
        growth=number["growth"],
        note=note,
    )


def pending_store(session, *, scope: str, changes: Sequence[Change], filename: str) -> str:
    """Keep `rows` for confirmation (one pending upload per session); return its token."""
    token = secrets.token_urlsafe(16)
    payload = json.dumps([[*_encode(c.row), c.version] for c in changes], separators=(",", ":"))
    if len(payload) > MAX_PENDING_CHARS:
        raise PendingTooLarge
    session[SESSION_KEY] = {
        "token": token,
        "scope": scope,
        "rows": payload,
        "filename": filename[:200],
    }
    return token


@dataclass(frozen=True)
class Pending:
    rows: list[FigureRow]
    versions: dict[tuple, int]
    filename: str


def rows_encode(rows: Sequence[FigureRow], versions: dict[tuple, int]) -> list[list]:
    """Rows and the versions they were read at, as JSON can keep them (a background import)."""
    return [[*_encode(row), versions.get(row.key, 0)] for row in rows]


def rows_decode(items: list[list]) -> tuple[list[FigureRow], dict[tuple, int]]:
    rows = [_decode(item[:-1]) for item in items]
    return rows, {r.key: int(item[-1]) for r, item in zip(rows, items, strict=True)}


def pending_take(session, *, scope: str, token: str) -> Pending | None:
    """The rows kept under `token` for `scope`, removed from the session; None if gone."""
    kept = session.get(SESSION_KEY)
    if (
        not isinstance(kept, dict)
        or not secrets.compare_digest(str(kept.get("token", "")), token or "")
        or kept.get("scope") != scope
    ):
        return None
    del session[SESSION_KEY]
    items = json.loads(kept["rows"])
    rows = [_decode(item[:-1]) for item in items]
    versions = {r.key: int(item[-1]) for r, item in zip(rows, items, strict=True)}
    return Pending(rows=rows, versions=versions, filename=kept["filename"])
