"""Supervision items (督办事项) and rectification lists (整改清单): on-time rates, escalation.

An item is assigned (交办) to a lead unit, acknowledged (签收) within N working days, reports
progress on a rhythm (weekly, every ten days 每旬, monthly), asks for closure, and is closed (办结)
by the office or returned (退回). Everything is computed from the item's dates as of a date
passed in: a date after it has not happened yet.

Definitions (the office's settings are in `SupervisionRules` and the ladder):

- acknowledgement due: `ack_days` working days after the assigned date (`WorkCalendar`); on time
  if acknowledged on or before that day.
- effective deadline: the extended deadline if the extension was granted on or before the
  original deadline, else the original deadline (a late extension stays on record but the
  item is judged against the original).
- feedback: one report is required for every cycle of the item's rhythm that begins after the
  assigned date and ends before the item is closed; a cycle whose last day falls while a
  closure request awaits the office's answer needs none. The report is due on the cycle's last
  day and is on time if some report (or closure request) is dated within the cycle.
- closure on time: closed on or before the effective deadline (or, under `closure="request"`,
  asked for on or before it, by the request the office accepted).
- "due in the period" [start, end], both days included: acknowledgement — its due day lies in the
  period; feedback — the cycle's last day lies in it; closure — the effective deadline lies in
  it. An item extended in time out of the period is due in the period of its new deadline.
- a closure request is pending on a day if the latest request on or before that day is later
  than every return on or before it (a return on the request's day answers it).

Frames of items have the columns of `ITEM_COLUMNS` (optional ones may be absent).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Literal, get_args

import polars as pl

from saima.engine.calendar import (
    RHYTHMS,
    Rhythm,
    WorkCalendar,
    cycle_end_expr,
    cycle_start_expr,
    next_cycle_expr,
    period_end,
)
from saima.engine.errors import DataError
from saima.engine.periods import Period
from saima.engine.rates import as_actuals, rate_expr
from saima.engine.text import Text, _

ITEM_COLUMNS: dict[str, pl.DataType] = {
    "item": pl.String(),
    "unit": pl.String(),  # the lead unit (牵头单位)
    "assigned": pl.Date(),
    "deadline": pl.Date(),
    "ack_days": pl.Int64(),  # working days to acknowledge; null: the rules' default
    "acknowledged": pl.Date(),
    "rhythm": pl.String(),  # weekly, dekad, monthly; null: no feedback required
    "extended_to": pl.Date(),
    "extension_granted": pl.Date(),
    "feedback": pl.List(pl.Date()),
    "closure_requests": pl.List(pl.Date()),
    "returns": pl.List(pl.Date()),
    "closed": pl.Date(),
}
_REQUIRED = ("item", "unit", "assigned", "deadline")


@dataclass(frozen=True)
class SupervisionItem:
    """One item's dates, for building a frame (`items_frame`) or a test."""

    item: str
    unit: str
    assigned: date
    deadline: date
    ack_days: int | None = None
    acknowledged: date | None = None
    rhythm: Rhythm | None = None
    extended_to: date | None = None
    extension_granted: date | None = None
    feedback: tuple[date, ...] = ()
    closure_requests: tuple[date, ...] = ()
    returns: tuple[date, ...] = ()
    closed: date | None = None


def items_frame(items: Iterable[SupervisionItem]) -> pl.DataFrame:
    """A frame of items with every column of `ITEM_COLUMNS`."""
    rows = [{f.name: getattr(i, f.name) for f in fields(SupervisionItem)} for i in items]
    for row in rows:
        for name in ("feedback", "closure_requests", "returns"):
            row[name] = list(row[name])
    return pl.DataFrame(rows, schema=ITEM_COLUMNS)


@dataclass(frozen=True)
class SupervisionRules:
    """An office's settings for supervision and rectification figures."""

    #: Working days to acknowledge an item, unless the item says otherwise.
    ack_working_days: int = 2
    #: What closes an item in time: the office's closing date (`closed`) or the unit's closure
    #: request that the office accepted (`request`).
    closure: Literal["closed", "request"] = "closed"
    #: Rectification items "continuing" (长期坚持): left out of the rate (`excluded`), counted as
    #: done once due (`done`) or as not done (`not_done`).
    continuing: Literal["excluded", "done", "not_done"] = "excluded"
    #: Decimals of a published rate (rounded once, half up).
    decimals: int = 1

    def __post_init__(self) -> None:
        problems = []
        if not (isinstance(self.ack_working_days, int) and self.ack_working_days >= 0):
            problems.append(
                _("ack_working_days %(value)s: use 0 or more", value=self.ack_working_days)
            )
        for name, allowed in (
            ("closure", ("closed", "request")),
            ("continuing", ("excluded", "done", "not_done")),
        ):
            if getattr(self, name) not in allowed:
                problems.append(
                    _(
                        "%(name)s %(value)s: use one of %(choices)s",
                        name=name,
                        value=repr(getattr(self, name)),
                        choices=", ".join(allowed),
                    )
                )
        if not (isinstance(self.decimals, int) and 0 <= self.decimals <= 6):
            problems.append(_("decimals %(value)s: use 0 to 6", value=repr(self.decimals)))
        if problems:
            raise DataError(_("the supervision settings are wrong"), details=problems)


# --- reading items -------------------------------------------------------------------------------


def _items(items: pl.DataFrame, rules: SupervisionRules) -> pl.DataFrame:
    """Every column of `ITEM_COLUMNS`, typed, with the checks that name an item."""
    missing = [c for c in _REQUIRED if c not in items.columns]
    if missing:
        raise DataError(
            _("the supervision items have no column %(columns)s", columns=", ".join(missing))
        )
    frame = items.select(
        (pl.col(name) if name in items.columns else pl.lit(None)).cast(dtype).alias(name)
        for name, dtype in ITEM_COLUMNS.items()
    ).with_columns(
        pl.col("ack_days").fill_null(rules.ack_working_days),
        *(pl.col(c).fill_null([]) for c in ("feedback", "closure_requests", "returns")),
    )
    _check_items(frame)
    return frame


def _check_items(frame: pl.DataFrame) -> None:
    item = pl.col("item")
    assigned = pl.col("assigned")
    problems = {
        "blank": pl.any_horizontal(pl.col(c).is_null() for c in _REQUIRED),
        "rhythm": pl.col("rhythm").is_not_null() & ~pl.col("rhythm").is_in(list(RHYTHMS)),
        "ack_days": pl.col("ack_days") < 0,
        "deadline": pl.col("deadline") < assigned,
        "extension": pl.col("extended_to").is_null() != pl.col("extension_granted").is_null(),
        "extended": pl.col("extended_to") <= pl.col("deadline"),
        "early": pl.any_horizontal(
            pl.col(c) < assigned for c in ("acknowledged", "closed", "extension_granted")
        )
        | pl.any_horizontal(
            pl.col(c).list.min() < assigned for c in ("feedback", "closure_requests", "returns")
        ),
    }
    flagged = frame.select(item, **{k: v.fill_null(False) for k, v in problems.items()})
    if not flagged.select(pl.any_horizontal(pl.exclude("item")).any()).item():
        twice = frame.group_by("item").len().filter(pl.col("len") > 1)
        if twice.height:
            raise DataError(
                _("some supervision items are given twice"),
                details=[_("item %(item)s", item=str(i)) for i in twice["item"].sort()],
            )
        return
    messages = {
        "blank": _("item, unit, assigned date and deadline are required"),
        "rhythm": _("the feedback rhythm must be one of %(rhythms)s", rhythms=", ".join(RHYTHMS)),
        "ack_days": _("the working days to acknowledge cannot be negative"),
        "deadline": _("the deadline is before the assigned date"),
        "extension": _("an extension needs both the new deadline and the date it was granted"),
        "extended": _("the extended deadline must be after the original deadline"),
        "early": _("a date of the item is before its assigned date"),
    }
    details = []
    for row in flagged.iter_rows(named=True):
        for key, message in messages.items():
            if row[key]:
                details.append(
                    _("item %(item)s: %(problem)s", item=str(row["item"]), problem=message)
                )
    raise DataError(_("some supervision items cannot be used"), details=details)


def _effective_deadline() -> pl.Expr:
    granted_in_time = pl.col("extension_granted") <= pl.col("deadline")
    return (
        pl.when(pl.col("extended_to").is_not_null() & granted_in_time)
        .then(pl.col("extended_to"))
        .otherwise(pl.col("deadline"))
    )


def effective_deadline(item: SupervisionItem) -> date:
    """The deadline an item is judged against: the extension's if granted on or before the
    original deadline, the original one otherwise."""
    if (
        item.extended_to is not None
        and item.extension_granted is not None
        and item.extension_granted <= item.deadline
    ):
        return item.extended_to
    return item.deadline


def item_dates(
    items: pl.DataFrame,
    *,
    calendar: WorkCalendar,
    rules: SupervisionRules = SupervisionRules(),
) -> pl.DataFrame:
    """Per item: `item`, `unit`, `ack_due` (the acknowledgement's last day), `deadline_due`
    (the effective deadline) and `extension_counts` (whether an extension moved it)."""
    frame = _items(items, rules)
    return _with_due_dates(frame, calendar).select(
        "item",
        "unit",
        "ack_due",
        "deadline_due",
        extension_counts=pl.col("deadline_due") != pl.col("deadline"),
    )


def _with_due_dates(frame: pl.DataFrame, calendar: WorkCalendar) -> pl.DataFrame:
    return frame.with_columns(
        ack_due=calendar.working_days_after(frame["assigned"], frame["ack_days"]),
        deadline_due=_effective_deadline(),
    )


# --- feedback cycles -----------------------------------------------------------------------------


def _for_rhythm(make) -> pl.Expr:
    """One expression choosing, per row, the expression `make(rhythm)` of its rhythm."""
    rhythm = pl.col("rhythm")
    expr = pl.when(rhythm == RHYTHMS[0]).then(make(RHYTHMS[0]))
    for name in RHYTHMS[1:]:
        expr = expr.when(rhythm == name).then(make(name))
    return expr


def _cycles(frame: pl.DataFrame, until: date) -> pl.DataFrame:
    """The required feedback cycles ending on or before `until`: `item`, `unit`,
    `cycle_start`, `due` (the cycle's last day), `delivered` (a report dated in the cycle).

    Required: the cycle begins after the assigned date, ends before the closed date and its
    last day falls while no closure request is pending.
    """
    items = frame.filter(pl.col("rhythm").is_not_null())
    horizon = pl.min_horizontal(
        pl.lit(until), pl.col("closed").fill_null(date.max) - pl.duration(days=1)
    )
    first = _for_rhythm(lambda r: next_cycle_expr(r, cycle_start_expr(r, pl.col("assigned"))))
    # Candidate starts: every first of a month (monthly), day (dekad: 1st, 11th, 21st) or
    # Monday (weekly) from the first cycle to the horizon.
    starts = items.select(
        "item",
        "unit",
        "rhythm",
        "assigned",
        "closed",
        _first=first,
        _horizon=horizon,
    ).filter(pl.col("_first") <= pl.col("_horizon"))
    weekly = starts.filter(pl.col("rhythm") == "weekly").with_columns(
        cycle_start=pl.date_ranges("_first", "_horizon", "1w")
    )
    monthly = starts.filter(pl.col("rhythm") != "weekly").with_columns(
        cycle_start=pl.date_ranges(pl.col("_first").dt.truncate("1mo"), "_horizon", "1mo")
    )
    dekads = (
        monthly.filter(pl.col("rhythm") == "dekad")
        .explode("cycle_start")
        .with_columns(
            # Through an array: `concat_list` is many times slower.
            cycle_start=pl.concat_arr(
                [pl.col("cycle_start") + pl.duration(days=d) for d in (0, 10, 20)]
            ).arr.to_list()
        )
    )
    monthly = monthly.filter(pl.col("rhythm") == "monthly")
    columns = ["item", "unit", "rhythm", "cycle_start", "_first", "_horizon"]
    cycles = (
        pl.concat([f.select(columns) for f in (weekly, monthly, dekads)], how="vertical")
        .explode("cycle_start")
        .with_columns(due=_for_rhythm(lambda r: cycle_end_expr(r, pl.col("cycle_start"))))
        .filter((pl.col("cycle_start") >= pl.col("_first")) & (pl.col("due") <= pl.col("_horizon")))
        .drop("_first", "_horizon")
    )
    pending = _pending_on(cycles, frame, "due")
    cycles = cycles.filter(~pending)
    reports = _reports(frame).with_columns(
        cycle_start=_for_rhythm(lambda r: cycle_start_expr(r, pl.col("day")))
    )
    delivered = reports.select("item", "cycle_start").unique().with_columns(delivered=pl.lit(True))
    return (
        cycles.join(delivered, on=["item", "cycle_start"], how="left")
        .with_columns(pl.col("delivered").fill_null(False))
        .select("item", "unit", "cycle_start", "due", "delivered")
    )


def _reports(frame: pl.DataFrame) -> pl.DataFrame:
    """Every report of every item with a rhythm: `item`, `rhythm`, `day` (feedback and closure
    requests alike)."""
    return (
        frame.filter(pl.col("rhythm").is_not_null())
        .select("item", "rhythm", day=pl.concat_list("feedback", "closure_requests"))
        .explode("day")
        .drop_nulls("day")
    )


def _events(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """`item`, `day`: the dates of one list column, sorted by day."""
    return (
        frame.select("item", pl.col(column).alias("day"))
        .explode("day")
        .drop_nulls("day")
        .sort("day")
    )


def _latest(rows: pl.DataFrame, on: str, events: pl.DataFrame, name: str) -> pl.Series:
    """For each row, the item's latest event on or before the row's `on` date."""
    keyed = rows.select("item", pl.col(on).alias("_on")).with_row_index("_row").sort("_on")
    found = keyed.join_asof(
        events.rename({"day": name}).with_columns(_on=pl.col(name)),
        on="_on",
        by="item",
        strategy="backward",
        check_sortedness=False,
    )
    return found.sort("_row")[name]


def _pending_on(rows: pl.DataFrame, frame: pl.DataFrame, on: str) -> pl.Series:
    """Whether a closure request of each row's item is pending on the row's `on` date."""
    if rows.is_empty():
        return pl.Series("pending", [], dtype=pl.Boolean)
    request = _latest(rows, on, _events(frame, "closure_requests"), "_request")
    answer = _latest(rows, on, _events(frame, "returns"), "_return")
    pending = pl.DataFrame({"r": request, "a": answer}).select(
        pl.col("r").is_not_null() & (pl.col("a").is_null() | (pl.col("r") > pl.col("a")))
    )
    return pending.to_series().alias("pending")


def required_feedback(
    items: pl.DataFrame,
    until: date,
    *,
    rules: SupervisionRules = SupervisionRules(),
) -> pl.DataFrame:
    """Every feedback the items owed up to `until`: `item`, `unit`, `cycle_start`, `due`,
    `delivered` (a report dated within the cycle, so on time)."""
    return _cycles(_items(items, rules), until)


# --- on-time rates -------------------------------------------------------------------------------

RATE_COLUMNS = [
    "unit",
    "ack_due",
    "ack_on_time",
    "ack_rate",
    "feedback_due",
    "feedback_on_time",
    "feedback_rate",
    "closure_due",
    "closure_on_time",
    "closure_rate",
]


def on_time_rates(
    items: pl.DataFrame,
    start: date,
    end: date,
    *,
    calendar: WorkCalendar,
    rules: SupervisionRules = SupervisionRules(),
) -> pl.DataFrame:
    """Per lead unit, the acknowledgements, feedbacks and closures due in [start, end] and how
    many were on time, with the rates (%, rounded once; null when nothing was due)."""
    if end < start:
        raise DataError(
            _(
                "the period ends on %(end)s, before it starts on %(start)s",
                end=end.isoformat(),
                start=start.isoformat(),
            )
        )
    frame = _with_due_dates(_items(items, rules), calendar)
    in_period = {"lower_bound": start, "upper_bound": end}
    ack = (
        frame.filter(pl.col("ack_due").is_between(**in_period))
        .group_by("unit")
        .agg(
            ack_due=pl.len(),
            ack_on_time=(pl.col("acknowledged") <= pl.col("ack_due")).fill_null(False).sum(),
        )
    )
    feedback = (
        _cycles(frame, end)
        .filter(pl.col("due") >= start)
        .group_by("unit")
        .agg(feedback_due=pl.len(), feedback_on_time=pl.col("delivered").sum())
    )
    closing = _closure_day(frame, rules)
    closure = (
        frame.with_columns(_closing=closing)
        .filter(pl.col("deadline_due").is_between(**in_period))
        .group_by("unit")
        .agg(
            closure_due=pl.len(),
            closure_on_time=(pl.col("_closing") <= pl.col("deadline_due")).fill_null(False).sum(),
        )
    )
    counts = (
        frame.select("unit")
        .unique()
        .join(ack, on="unit", how="left")
        .join(feedback, on="unit", how="left")
        .join(closure, on="unit", how="left")
        .with_columns(pl.exclude("unit").fill_null(0).cast(pl.Int64))
    )
    return (
        counts.with_columns(
            rate_expr(pl.col(f"{k}_on_time"), pl.col(f"{k}_due"), rules.decimals).alias(f"{k}_rate")
            for k in ("ack", "feedback", "closure")
        )
        .select(RATE_COLUMNS)
        .sort("unit")
    )


def _closure_day(frame: pl.DataFrame, rules: SupervisionRules) -> pl.Series:
    """The day that counts as the item's closure: the closed date, or the accepted request."""
    if rules.closure == "closed":
        return frame["closed"]
    closed = frame.filter(pl.col("closed").is_not_null())
    accepted = _latest(closed, "closed", _events(frame, "closure_requests"), "_request")
    by_item = closed.select("item").with_columns(_day=pl.coalesce(accepted, closed["closed"]))
    return frame.select("item").join(by_item, on="item", how="left", maintain_order="left")["_day"]


# --- escalation ----------------------------------------------------------------------------------

Trigger = Literal["acknowledgement", "feedback", "deadline"]
TRIGGERS: tuple[str, ...] = get_args(Trigger)


@dataclass(frozen=True)
class EscalationStep:
    """One rung of the office's ladder: `action` once `trigger` is `delay` days late.

    The step falls due `delay` days (working days if `working_days`) after the trigger's due
    day — the acknowledgement's last day, a feedback cycle's last day, the effective deadline —
    if by the day before it the unit had still not acknowledged, reported (for that cycle or
    after it) or asked for closure (a request the office has not returned). `delay` 0: due on
    the due day itself if not done before it.
    """

    code: str
    trigger: Trigger
    delay: int
    action: str = "reminder"  # what the office does: reminder 催办, bulletin 通报, interview 约谈
    working_days: bool = False


DEFAULT_LADDER: tuple[EscalationStep, ...] = (
    EscalationStep("acknowledgement_reminder", "acknowledgement", 1, "reminder"),
    EscalationStep("feedback_reminder", "feedback", 1, "reminder"),
    EscalationStep("reminder", "deadline", 1, "reminder"),
    EscalationStep("bulletin", "deadline", 7, "bulletin"),
    EscalationStep("interview", "deadline", 15, "interview"),
)


def check_ladder(ladder: Sequence[EscalationStep]) -> None:
    """Refuse a ladder with a step code used twice, an unknown trigger or a negative delay."""
    details: list[Text] = []
    seen: set[str] = set()
    for step in ladder:
        if not step.code or step.code in seen:
            details.append(
                _("step %(code)s: each step needs a code of its own", code=repr(step.code))
            )
        seen.add(step.code)
        if step.trigger not in TRIGGERS:
            details.append(
                _(
                    "step %(code)s: the trigger %(trigger)s is not one of %(triggers)s",
                    code=step.code,
                    trigger=repr(step.trigger),
                    triggers=", ".join(TRIGGERS),
                )
            )
        if not (isinstance(step.delay, int) and step.delay >= 0):
            details.append(
                _(
                    "step %(code)s: the delay %(delay)s must be a whole number of days, 0 or more",
                    code=step.code,
                    delay=repr(step.delay),
                )
            )
    if details:
        raise DataError(_("the escalation ladder cannot be used"), details=details)


ESCALATION_COLUMNS = ["item", "unit", "step", "action", "trigger", "due", "since", "resolved_on"]


def escalations(
    items: pl.DataFrame,
    today: date,
    *,
    ladder: Sequence[EscalationStep] = DEFAULT_LADDER,
    taken: pl.DataFrame | None = None,
    calendar: WorkCalendar,
    rules: SupervisionRules = SupervisionRules(),
) -> pl.DataFrame:
    """The steps due on `today` for the items open on it and not yet taken.

    One row per item and step: `due` (the trigger's due day; for feedback, the earliest late
    cycle's last day), `since` (the day the step fell due) and `resolved_on` (the day the late
    act came after all, if it has: a reminder for an acknowledgement that came late is still
    owed, and the office decides whether to send it). `taken`: `item`, `step` of the steps
    already recorded; each step is taken once per item. A step, once due, stays due on every
    later day the item is open, until it is taken.
    """
    check_ladder(ladder)
    frame = _with_due_dates(_items(items, rules), calendar).filter(
        (pl.col("assigned") <= today) & (pl.col("closed").is_null() | (pl.col("closed") > today))
    )
    # Nothing after today has happened yet.
    frame = frame.with_columns(
        pl.when(pl.col("acknowledged") <= today).then(pl.col("acknowledged")).alias("acknowledged"),
        *(
            pl.col(c).list.filter(pl.element() <= today)
            for c in ("feedback", "closure_requests", "returns")
        ),
    )
    late = pl.concat(
        [_ack_late(frame), _deadline_late(frame, today), _feedback_late(frame, today)],
        how="vertical",
    )
    steps = pl.DataFrame(
        [
            {
                "step": s.code,
                "action": s.action,
                "trigger": s.trigger,
                "delay": s.delay,
                "working_days": s.working_days,
                "_order": n,
            }
            for n, s in enumerate(ladder)
        ],
        schema={
            "step": pl.String,
            "action": pl.String,
            "trigger": pl.String,
            "delay": pl.Int64,
            "working_days": pl.Boolean,
            "_order": pl.Int64,
        },
    )
    rows = late.join(steps, on="trigger", how="inner")
    by_working_days = calendar.working_days_after(rows["due"], rows["delay"])
    rows = rows.with_columns(
        since=pl.when(pl.col("working_days"))
        .then(pl.lit(by_working_days))
        .otherwise(pl.col("due") + pl.duration(days=pl.col("delay")))
    ).filter(
        (pl.col("since") <= today)
        & (pl.col("resolved_on").is_null() | (pl.col("resolved_on") >= pl.col("since")))
    )
    # Feedback: the earliest late cycle makes the step due.
    rows = rows.sort("since", "due").group_by("item", "step", maintain_order=True).first()
    if taken is not None and taken.height:
        rows = rows.join(
            taken.select(pl.col("item").cast(pl.String), pl.col("step").cast(pl.String)),
            on=["item", "step"],
            how="anti",
        )
    return rows.sort("item", "_order").select(ESCALATION_COLUMNS)


def _late_rows(frame: pl.DataFrame, trigger: str, due: pl.Expr, event: pl.Expr) -> pl.DataFrame:
    return frame.select(
        "item",
        "unit",
        trigger=pl.lit(trigger),
        due=due.cast(pl.Date),
        resolved_on=event.cast(pl.Date),
    )


def _ack_late(frame: pl.DataFrame) -> pl.DataFrame:
    return _late_rows(frame, "acknowledgement", pl.col("ack_due"), pl.col("acknowledged"))


def _deadline_late(frame: pl.DataFrame, today: date) -> pl.DataFrame:
    """The deadline's event: the closure request pending today (the unit has done its part)."""
    frame = frame.with_columns(_today=pl.lit(today))
    pending = _pending_on(frame, frame, "_today")
    request = pl.col("closure_requests").list.max()
    return _late_rows(
        frame.with_columns(_pending=pending),
        "deadline",
        pl.col("deadline_due"),
        pl.when(pl.col("_pending")).then(request),
    )


def _feedback_late(frame: pl.DataFrame, today: date) -> pl.DataFrame:
    """Each required cycle, with the first report dated on or after its start as its event."""
    cycles = _cycles(frame, today)
    reports = _reports(frame).sort("day")
    first = (
        cycles.with_row_index("_row")
        .sort("cycle_start")
        .join_asof(
            reports.select("item", pl.col("day").alias("resolved_on"), cycle_start=pl.col("day")),
            on="cycle_start",
            by="item",
            strategy="forward",
            check_sortedness=False,
        )
    )
    return first.sort("_row").select(
        "item",
        "unit",
        trigger=pl.lit("feedback"),
        due=pl.col("due").cast(pl.Date),
        resolved_on=pl.col("resolved_on").cast(pl.Date),
    )


# --- rectification -------------------------------------------------------------------------------

RectificationStatus = Literal["rectifying", "rectified", "continuing", "basically_done"]
RECTIFICATION_STATUSES: tuple[str, ...] = get_args(RectificationStatus)


def rectification_rates(
    rectifications: pl.DataFrame,
    end: date,
    *,
    by: Sequence[str] = ("unit",),
    rules: SupervisionRules = SupervisionRules(),
) -> pl.DataFrame:
    """Completion of rectification items at `end`, per unit (or per list: `by=("list",)`).

    `rectifications`: `item`, `unit`, `deadline`, `status` (rectifying 整改中, rectified 已整改,
    continuing 长期坚持, basically_done 基本完成) and optionally `rectified_on`. Due: the
    deadline is on or before `end`. Rectified: status rectified (and, if `rectified_on` is given,
    on or before `end`). Basically done is not done: due, not rectified. Continuing items
    follow `rules.continuing`: left out (`excluded`, the default: a measure with no end is
    neither due nor done), done once due, or not done. Rate = rectified ÷ due, in %.
    """
    frame = _rectifications(rectifications)
    status = pl.col("status")
    due = pl.col("deadline") <= end
    rectified = (status == "rectified") & (
        pl.col("rectified_on").is_null() | (pl.col("rectified_on") <= end)
    )
    continuing = status == "continuing"
    if rules.continuing == "excluded":
        due = due & ~continuing
    elif rules.continuing == "done":
        rectified = rectified | continuing
    counts = (
        frame.with_columns(_due=due.fill_null(False), _done=(due & rectified).fill_null(False))
        .group_by(*by)
        .agg(
            due=pl.col("_due").sum().cast(pl.Int64),
            rectified=pl.col("_done").sum().cast(pl.Int64),
            basically_done=(pl.col("_due") & (status == "basically_done")).sum().cast(pl.Int64),
        )
    )
    return counts.with_columns(
        rate=rate_expr(pl.col("rectified"), pl.col("due"), rules.decimals)
    ).sort(*by)


def _rectifications(rectifications: pl.DataFrame) -> pl.DataFrame:
    frame = rectifications.with_columns(
        pl.col("item").cast(pl.String),
        pl.col("unit").cast(pl.String),
        pl.col("deadline").cast(pl.Date),
        pl.col("status").cast(pl.String),
        (
            pl.col("rectified_on")
            if "rectified_on" in rectifications.columns
            else pl.lit(None, dtype=pl.Date).alias("rectified_on")
        ).cast(pl.Date),
    )
    known = pl.col("status").is_in(list(RECTIFICATION_STATUSES)).fill_null(False)
    bad = frame.filter(~known)
    if bad.height:
        raise DataError(
            _("some rectification items have no known status"),
            details=[
                _(
                    "item %(item)s: status %(status)s (use %(statuses)s)",
                    item=str(i),
                    status=repr(s),
                    statuses=", ".join(RECTIFICATION_STATUSES),
                )
                for i, s in bad.select("item", "status").iter_rows()
            ],
        )
    return frame


# --- unit figures --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupervisionIndicatorCodes:
    """The indicator codes a race knows the supervision figures by; None leaves one out."""

    closure_on_time: str | None = "closure_on_time"
    rectification: str | None = "rectification_completion"
    ack_on_time: str | None = None
    feedback_on_time: str | None = None

    def mapping(self) -> dict[str, str]:
        """Figure column → indicator code, for the figures asked for."""
        columns = {
            "closure_on_time": "closure_rate",
            "rectification": "rectification_rate",
            "ack_on_time": "ack_rate",
            "feedback_on_time": "feedback_rate",
        }
        return {
            columns[f.name]: getattr(self, f.name)
            for f in fields(self)
            if getattr(self, f.name) is not None
        }


def supervision_indicators(
    period: Period,
    *,
    items: pl.DataFrame,
    rectifications: pl.DataFrame,
    calendar: WorkCalendar,
    rules: SupervisionRules = SupervisionRules(),
    codes: SupervisionIndicatorCodes = SupervisionIndicatorCodes(),
) -> pl.DataFrame:
    """Each unit's supervision figures for a cumulative period, in the layout of actuals.

    Rates over the period from 1 January to its last day (items due in it), rectification due
    by its last day. Units of either frame appear; a rate with nothing due is null.
    """
    start, end = date(period.year, 1, 1), period_end(period)
    rates = on_time_rates(items, start, end, calendar=calendar, rules=rules)
    rectification = rectification_rates(rectifications, end, rules=rules).select(
        "unit", rectification_rate="rate"
    )
    figures = rates.join(rectification, on="unit", how="full", coalesce=True)
    return as_actuals(figures, period, codes.mapping())
