"""Supervision items and rectification lists: on-time rates, escalation, unit figures."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saima.engine import DataError, parse_period
from saima.engine.calendar import WorkCalendar, cycle_of, cycles_between
from saima.engine.supervision import (
    DEFAULT_LADDER,
    EscalationStep,
    SupervisionIndicatorCodes,
    SupervisionItem,
    SupervisionRules,
    check_ladder,
    effective_deadline,
    escalations,
    item_dates,
    items_frame,
    on_time_rates,
    rectification_rates,
    required_feedback,
    supervision_indicators,
)
from saima.testing import examples

D = date
PLAIN = WorkCalendar()
# A holiday shaped like Qingming: Saturday to Monday off.
QINGMING = WorkCalendar.of(holidays=[D(2026, 4, 4), D(2026, 4, 5), D(2026, 4, 6)])
MONDAY = D(2026, 3, 2)


def item(name: str, unit: str = "East", **dates) -> SupervisionItem:
    dates.setdefault("assigned", MONDAY)
    dates.setdefault("deadline", D(2026, 3, 31))
    return SupervisionItem(name, unit, **dates)


WORLD = [
    # Closed on its deadline day, every weekly report in.
    item(
        "a",
        acknowledged=D(2026, 3, 3),
        rhythm="weekly",
        feedback=(D(2026, 3, 13), D(2026, 3, 20), D(2026, 3, 27)),
        closed=D(2026, 3, 31),
    ),
    # Extended in time: due in April, closed then.
    item(
        "b",
        acknowledged=D(2026, 3, 4),
        rhythm="monthly",
        extended_to=D(2026, 4, 30),
        extension_granted=D(2026, 3, 30),
        closed=D(2026, 4, 20),
    ),
    # Extended too late: judged against the original deadline.
    item(
        "c",
        acknowledged=D(2026, 3, 5),
        rhythm="dekad",
        feedback=(D(2026, 3, 15), D(2026, 3, 25)),
        extended_to=D(2026, 4, 30),
        extension_granted=D(2026, 4, 1),
        closed=D(2026, 4, 20),
    ),
    # Never acknowledged, no feedback but a closure request, returned, closed late.
    item(
        "d",
        "West",
        rhythm="weekly",
        closure_requests=(D(2026, 3, 25), D(2026, 4, 3)),
        returns=(D(2026, 3, 28),),
        closed=D(2026, 4, 5),
    ),
    # Asked for closure before the deadline; the office closed it after.
    item(
        "e",
        "West",
        acknowledged=D(2026, 3, 4),
        closure_requests=(D(2026, 3, 30),),
        closed=D(2026, 4, 2),
    ),
    # Open past its deadline.
    item("f", deadline=D(2026, 3, 20), acknowledged=MONDAY),
    # Assigned at the end of March: acknowledged in April.
    item("g", assigned=D(2026, 3, 30), deadline=D(2026, 5, 29), acknowledged=D(2026, 4, 1)),
]
ITEMS = items_frame(WORLD)


def rates(start, end, rules=None, calendar=PLAIN, items=ITEMS) -> dict[str, dict]:
    rules = rules or SupervisionRules()
    frame = on_time_rates(items, start, end, calendar=calendar, rules=rules)
    return {r.pop("unit"): r for r in frame.iter_rows(named=True)}


def test_acknowledgement_is_due_working_days_after_assignment():
    thursday = items_frame([item("q", assigned=D(2026, 4, 2), deadline=D(2026, 4, 30))])
    assert item_dates(thursday, calendar=PLAIN)["ack_due"].item() == D(2026, 4, 6)
    # Friday, then the weekend and a Monday off: the second working day is the Tuesday.
    assert item_dates(thursday, calendar=QINGMING)["ack_due"].item() == D(2026, 4, 7)
    one_day = thursday.with_columns(ack_days=pl.lit(1))
    assert item_dates(one_day, calendar=QINGMING)["ack_due"].item() == D(2026, 4, 3)
    three = item_dates(thursday, calendar=QINGMING, rules=SupervisionRules(ack_working_days=3))
    assert three["ack_due"].item() == D(2026, 4, 8)


def test_an_extension_counts_only_if_granted_by_the_original_deadline():
    dates = item_dates(ITEMS, calendar=PLAIN)
    found = dict(dates.select("item", "deadline_due").iter_rows())
    assert found["b"] == D(2026, 4, 30)
    assert found["c"] == D(2026, 3, 31)
    on_the_day = item(
        "x", extended_to=D(2026, 4, 30), extension_granted=D(2026, 3, 31)
    )  # granted on the deadline day itself: in time
    assert effective_deadline(on_the_day) == D(2026, 4, 30)
    framed = item_dates(items_frame([on_the_day]), calendar=PLAIN)
    assert framed.select("deadline_due", "extension_counts").row(0) == (D(2026, 4, 30), True)
    assert [effective_deadline(i) for i in WORLD[1:3]] == [D(2026, 4, 30), D(2026, 3, 31)]
    assert dict(dates.select("item", "extension_counts").iter_rows())["b"] is True


def test_the_feedback_each_item_owed():
    owed = required_feedback(ITEMS, D(2026, 4, 30)).sort("item", "due")
    assert owed.select("item", "due", "delivered").rows() == [
        # a: the weeks beginning after 2 March; the week it was closed in is not owed.
        ("a", D(2026, 3, 15), True),
        ("a", D(2026, 3, 22), True),
        ("a", D(2026, 3, 29), True),
        # b: the first whole month after assignment is April, and b was closed on 20 April.
        # c: ten-day periods; the one holding its closing day is not owed.
        ("c", D(2026, 3, 20), True),
        ("c", D(2026, 3, 31), True),
        ("c", D(2026, 4, 10), False),
        # d: a closure request is a report too.
        ("d", D(2026, 3, 15), False),
        ("d", D(2026, 3, 22), False),
        ("d", D(2026, 3, 29), True),
    ]


def test_no_feedback_is_owed_while_a_closure_request_awaits_the_office():
    waiting = items_frame(
        [
            item(
                "w",
                rhythm="weekly",
                deadline=D(2026, 4, 30),
                closure_requests=(D(2026, 3, 12), D(2026, 3, 27)),
                returns=(D(2026, 3, 19),),
            )
        ]
    )
    owed = required_feedback(waiting, D(2026, 4, 12))
    # Pending from 12 March (week to 15th: the request itself reported), returned on the 19th
    # (week to the 22nd owed, not delivered), asked again on the 27th: nothing owed after.
    assert owed.select("due", "delivered").rows() == [(D(2026, 3, 22), False)]


def test_on_time_rates_in_march():
    march = rates(D(2026, 3, 1), D(2026, 3, 31))
    assert march["East"] == {
        "ack_due": 4,  # a b c f (g is due on 1 April)
        "ack_on_time": 3,  # c acknowledged a day late
        "ack_rate": 75.0,
        "feedback_due": 5,
        "feedback_on_time": 5,
        "feedback_rate": 100.0,
        "closure_due": 3,  # a (on its deadline day), c (extended too late), f (open)
        "closure_on_time": 1,
        "closure_rate": 33.3,
    }
    assert march["West"] == {
        "ack_due": 2,
        "ack_on_time": 1,
        "ack_rate": 50.0,
        "feedback_due": 3,
        "feedback_on_time": 1,
        "feedback_rate": 33.3,
        "closure_due": 2,  # d returned and closed late; e closed after its deadline
        "closure_on_time": 0,
        "closure_rate": 0.0,
    }


def test_on_time_rates_in_april_see_the_item_extended_in_time():
    april = rates(D(2026, 4, 1), D(2026, 4, 30))
    east = april["East"]
    assert (east["ack_due"], east["ack_on_time"]) == (1, 1)  # g
    assert (east["feedback_due"], east["feedback_on_time"], east["feedback_rate"]) == (1, 0, 0.0)
    assert (east["closure_due"], east["closure_on_time"], east["closure_rate"]) == (1, 1, 100.0)
    west = april["West"]
    assert (west["closure_due"], west["closure_rate"]) == (0, None)  # nothing due: no rate


def test_closure_by_the_accepted_request():
    march = rates(D(2026, 3, 1), D(2026, 3, 31), rules=SupervisionRules(closure="request"))
    # e asked on 30 March and the office agreed: in time. d's accepted request came on 3 April.
    assert (march["West"]["closure_on_time"], march["West"]["closure_rate"]) == (1, 50.0)
    assert march["East"]["closure_on_time"] == 1


def test_a_period_that_ends_before_it_starts_is_refused():
    with pytest.raises(DataError, match="ends on 2026-03-01, before it starts on 2026-03-31"):
        on_time_rates(ITEMS, D(2026, 3, 31), D(2026, 3, 1), calendar=PLAIN)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        (
            {"extended_to": D(2026, 4, 30)},
            "an extension needs both the new deadline and the date it was granted",
        ),
        (
            {"extended_to": D(2026, 3, 31), "extension_granted": D(2026, 3, 10)},
            "the extended deadline must be after the original deadline",
        ),
        ({"rhythm": "daily"}, "the feedback rhythm must be one of weekly, dekad, monthly"),
        ({"deadline": D(2026, 3, 1)}, "the deadline is before the assigned date"),
        ({"feedback": (D(2026, 3, 1),)}, "a date of the item is before its assigned date"),
        ({"ack_days": -1}, "the working days to acknowledge cannot be negative"),
    ],
)
def test_an_item_that_cannot_be_right_is_refused_by_name(changes, problem):
    bad = items_frame([item("z", **changes)])
    with pytest.raises(DataError) as refused:
        item_dates(bad, calendar=PLAIN)
    assert [str(d) for d in refused.value.details] == [f"item z: {problem}"]


def test_an_item_given_twice_is_refused():
    with pytest.raises(DataError, match="given twice"):
        item_dates(items_frame([item("z"), item("z")]), calendar=PLAIN)


def test_a_frame_with_only_the_required_columns():
    frame = pl.DataFrame(
        {"item": ["m"], "unit": ["East"], "assigned": [MONDAY], "deadline": [D(2026, 3, 6)]}
    )
    found = rates(D(2026, 3, 1), D(2026, 3, 31), items=frame)["East"]
    assert (found["ack_due"], found["closure_due"], found["feedback_due"]) == (1, 1, 0)
    with pytest.raises(DataError, match="no column unit"):
        item_dates(frame.drop("unit"), calendar=PLAIN)


# --- escalation ----------------------------------------------------------------------------------


def due_steps(day, items=ITEMS, **options) -> list[tuple]:
    options.setdefault("calendar", PLAIN)
    found = escalations(items, day, **options)
    return found.select("item", "step", "since", "resolved_on").rows()


def test_the_ladder_climbs_as_an_open_item_stays_late():
    f = ITEMS.filter(pl.col("item") == "f")  # deadline 20 March, never closed
    assert due_steps(D(2026, 3, 20), f) == []
    assert due_steps(D(2026, 3, 21), f) == [("f", "reminder", D(2026, 3, 21), None)]
    assert due_steps(D(2026, 3, 27), f) == [
        ("f", "reminder", D(2026, 3, 21), None),
        ("f", "bulletin", D(2026, 3, 27), None),
    ]
    assert [s for _i, s, _d, _r in due_steps(D(2026, 4, 4), f)] == [
        "reminder",
        "bulletin",
        "interview",
    ]


def test_steps_already_taken_are_not_due_again():
    f = ITEMS.filter(pl.col("item") == "f")
    taken = pl.DataFrame({"item": ["f"], "step": ["reminder"]})
    assert due_steps(D(2026, 3, 27), f, taken=taken) == [("f", "bulletin", D(2026, 3, 27), None)]


def test_late_acknowledgement_feedback_and_deadline():
    assert due_steps(D(2026, 4, 9), ITEMS.filter(pl.col("item") == "c")) == [
        # Acknowledged a day late: the reminder fell due, and says when the act came.
        ("c", "acknowledgement_reminder", D(2026, 3, 5), D(2026, 3, 5)),
        # The late extension does not move the deadline.
        ("c", "reminder", D(2026, 4, 1), None),
        ("c", "bulletin", D(2026, 4, 7), None),
    ]
    assert due_steps(D(2026, 3, 30), ITEMS.filter(pl.col("item") == "d")) == [
        ("d", "acknowledgement_reminder", D(2026, 3, 5), None),
        # The week to 15 March went without a report; the first came (a closure request) on 25th.
        ("d", "feedback_reminder", D(2026, 3, 16), D(2026, 3, 25)),
    ]


def test_a_pending_closure_request_holds_the_deadline_steps():
    e = ITEMS.filter(pl.col("item") == "e")  # asked on 30 March, closed on 2 April
    assert due_steps(D(2026, 4, 1), e) == []
    assert due_steps(D(2026, 4, 2), e) == []  # closed: nothing more
    late_request = items_frame(
        [
            item(
                "r",
                acknowledged=MONDAY,
                closure_requests=(D(2026, 4, 3),),
                returns=(D(2026, 4, 6),),
            )
        ]
    )
    assert due_steps(D(2026, 4, 5), late_request) == [
        ("r", "reminder", D(2026, 4, 1), D(2026, 4, 3))
    ]
    # Returned on the 6th: the item is late again and stays on the ladder.
    assert [s for _i, s, _d, _r in due_steps(D(2026, 4, 7), late_request)] == [
        "reminder",
        "bulletin",
    ]


def test_a_step_counted_in_working_days():
    ladder = [EscalationStep("nudge", "acknowledgement", 1, working_days=True)]
    friday = items_frame([item("q", assigned=D(2026, 4, 1), deadline=D(2026, 4, 30))])
    # Acknowledgement due Friday 3 April; one working day later is Tuesday 7 April.
    assert due_steps(D(2026, 4, 6), friday, ladder=ladder, calendar=QINGMING) == []
    assert due_steps(D(2026, 4, 7), friday, ladder=ladder, calendar=QINGMING) == [
        ("q", "nudge", D(2026, 4, 7), None)
    ]


def test_a_wrong_ladder_is_refused():
    with pytest.raises(DataError) as refused:
        check_ladder(
            [
                EscalationStep("a", "deadline", 1),
                EscalationStep("a", "late", -1),  # type: ignore[arg-type]
            ]
        )
    assert [str(d) for d in refused.value.details] == [
        "step 'a': each step needs a code of its own",
        "step a: the trigger 'late' is not one of acknowledgement, feedback, deadline",
        "step a: the delay -1 must be a whole number of days, 0 or more",
    ]
    check_ladder(DEFAULT_LADDER)


day = st.dates(min_value=D(2026, 3, 1), max_value=D(2026, 6, 30))


@st.composite
def open_items(draw):
    """An item whose dates often fall on the same days (a return on the request's day, an
    extension granted on the deadline day, a report on a cycle's last day)."""
    assigned = draw(st.dates(min_value=D(2026, 3, 1), max_value=D(2026, 3, 20)))
    deadline = assigned + timedelta(days=draw(st.integers(0, 60)))
    # Days near the deadline, near the ends of months and ten-day periods, or anywhere after.
    landmarks = sorted(
        {deadline + timedelta(days=k) for k in (-1, 0, 1)}
        | {D(2026, m, d) for m in (3, 4, 5) for d in (10, 11, 20, 21)}
        | {D(2026, 3, 31), D(2026, 4, 1), D(2026, 4, 30), D(2026, 5, 1)}
    )
    after = st.one_of(
        st.sampled_from([d for d in landmarks if d >= assigned]),
        st.dates(min_value=assigned, max_value=D(2026, 6, 30)),
    )
    extension = draw(st.booleans())
    extended_to = deadline + timedelta(days=draw(st.integers(1, 40))) if extension else None
    requests = draw(st.lists(after, max_size=3))
    returns = draw(st.lists(st.one_of(st.sampled_from(requests or [assigned]), after), max_size=3))
    return SupervisionItem(
        "x",
        "East",
        assigned=assigned,
        deadline=deadline,
        ack_days=draw(st.integers(0, 3)),
        acknowledged=draw(st.one_of(st.none(), after)),
        rhythm=draw(st.sampled_from([None, "weekly", "dekad", "monthly"])),
        extended_to=extended_to,
        extension_granted=draw(after) if extension else None,
        feedback=tuple(draw(st.lists(after, max_size=6))),
        closure_requests=tuple(requests),
        returns=tuple(returns),
    )


LADDER = (
    *DEFAULT_LADDER,
    EscalationStep("ack_now", "acknowledgement", 0),
    EscalationStep("feedback_bulletin", "feedback", 3, "bulletin", working_days=True),
    EscalationStep("deadline_wd", "deadline", 2, working_days=True),
)


@settings(max_examples=examples(150), deadline=None)
@given(open_items(), day, st.integers(0, 60))
def test_moving_today_forward_never_un_escalates_an_open_item(open_item, today, step):
    frame = items_frame([open_item])
    later = today + timedelta(days=step)
    found = {
        when: {
            (r["step"], r["since"])
            for r in escalations(frame, when, ladder=LADDER, calendar=QINGMING).iter_rows(
                named=True
            )
        }
        for when in (today, later)
    }
    assert found[today] <= found[later]
    assert all(since <= today for _s, since in found[today])


# --- rectification -------------------------------------------------------------------------------

RECTIFICATIONS = pl.DataFrame(
    [
        ("r1", "East", "L1", D(2026, 3, 31), "rectified", D(2026, 3, 20)),
        ("r2", "East", "L1", D(2026, 3, 31), "basically_done", None),
        ("r3", "East", "L1", D(2026, 3, 31), "rectifying", None),
        ("r4", "East", "L2", D(2026, 6, 30), "rectified", D(2026, 3, 10)),  # early, not yet due
        ("r5", "East", "L2", D(2026, 3, 31), "continuing", None),
        ("r6", "East", "L2", D(2026, 3, 31), "rectified", D(2026, 4, 5)),  # after the period
        ("r7", "West", "L2", None, "continuing", None),
    ],
    schema={
        "item": pl.String,
        "unit": pl.String,
        "list": pl.String,
        "deadline": pl.Date,
        "status": pl.String,
        "rectified_on": pl.Date,
    },
    orient="row",
)


def rectification(end, by=("unit",), **rules) -> dict:
    frame = rectification_rates(RECTIFICATIONS, end, by=by, rules=SupervisionRules(**rules))
    return {r[by[0]]: (r["rate"], r["rectified"], r["due"]) for r in frame.iter_rows(named=True)}


def test_rectification_completion_counts_basically_done_as_not_done():
    assert rectification(D(2026, 3, 31)) == {
        "East": (25.0, 1, 4),  # r1 of r1 r2 r3 r6; r5 continuing left out
        "West": (None, 0, 0),
    }
    assert rectification(D(2026, 4, 30))["East"] == (50.0, 2, 4)  # r6 done by then
    assert rectification(D(2026, 6, 30))["East"] == (60.0, 3, 5)  # r4 due


def test_continuing_items_follow_the_offices_choice():
    assert rectification(D(2026, 3, 31), continuing="done")["East"] == (40.0, 2, 5)
    assert rectification(D(2026, 3, 31), continuing="not_done")["East"] == (20.0, 1, 5)
    # No deadline: never due, whatever the choice.
    assert rectification(D(2026, 3, 31), continuing="done")["West"] == (None, 0, 0)


def test_rectification_by_list():
    assert rectification(D(2026, 3, 31), by=("list",)) == {
        "L1": (33.3, 1, 3),
        "L2": (0.0, 0, 1),
    }


def test_an_unknown_rectification_status_is_named():
    bad = RECTIFICATIONS.with_columns(status=pl.lit("done"))
    with pytest.raises(DataError) as refused:
        rectification_rates(bad.head(1), D(2026, 3, 31))
    assert str(refused.value.details[0]) == (
        "item r1: status 'done' (use rectifying, rectified, continuing, basically_done)"
    )


# --- unit figures --------------------------------------------------------------------------------


def test_supervision_figures_in_the_layout_of_actuals():
    rows = supervision_indicators(
        parse_period("2026-Q1"), items=ITEMS, rectifications=RECTIFICATIONS, calendar=PLAIN
    )
    assert rows.rows() == [
        ("East", "closure_on_time", 2026, 3, 33.3, None),
        ("East", "rectification_completion", 2026, 3, 25.0, None),
        ("West", "closure_on_time", 2026, 3, 0.0, None),
        ("West", "rectification_completion", 2026, 3, None, None),
    ]
    every = SupervisionIndicatorCodes(ack_on_time="ack", feedback_on_time="feedback")
    rows = supervision_indicators(
        parse_period("2026-03"),
        items=ITEMS,
        rectifications=RECTIFICATIONS,
        calendar=PLAIN,
        codes=every,
    )
    assert rows.filter(pl.col("unit") == "West").select("indicator", "value").rows() == [
        ("closure_on_time", 0.0),
        ("rectification_completion", None),
        ("ack", 50.0),
        ("feedback", 33.3),
    ]


# --- the frame computations against a plain reading of the definitions ---------------------------


def _pending(it: SupervisionItem, day: date) -> bool:
    requests = [r for r in it.closure_requests if r <= day]
    answers = [r for r in it.returns if r <= day]
    return bool(requests) and (not answers or max(requests) > max(answers))


def _owed(it: SupervisionItem, until: date) -> list[tuple[date, date, bool]]:
    if it.rhythm is None:
        return []
    first = cycle_of(it.rhythm, it.assigned)[1] + timedelta(days=1)
    horizon = min(until, it.closed - timedelta(days=1)) if it.closed else until
    reports = (*it.feedback, *it.closure_requests)
    return [
        (start, end, any(start <= r <= end for r in reports))
        for start, end in cycles_between(it.rhythm, first, horizon)
        if not _pending(it, end)
    ]


def _counts(items: list[SupervisionItem], start: date, end: date) -> dict[str, tuple]:
    found: dict[str, list[int]] = {}
    for it in items:
        c = found.setdefault(it.unit, [0] * 6)
        ack_due = PLAIN.add_working_days(it.assigned, 2 if it.ack_days is None else it.ack_days)
        if start <= ack_due <= end:
            c[0] += 1
            c[1] += it.acknowledged is not None and it.acknowledged <= ack_due
        for _s, due, delivered in _owed(it, end):
            if due >= start:
                c[2] += 1
                c[3] += delivered
        deadline = effective_deadline(it)
        if start <= deadline <= end:
            c[4] += 1
            c[5] += it.closed is not None and it.closed <= deadline
    return {unit: tuple(c) for unit, c in found.items()}


@st.composite
def ledgers(draw):
    items = []
    for n in range(draw(st.integers(1, 6))):
        base = draw(open_items())
        closed = draw(
            st.one_of(st.none(), st.dates(min_value=base.assigned, max_value=D(2026, 7, 31)))
        )
        unit = draw(st.sampled_from(["East", "West"]))
        items.append(
            SupervisionItem(
                f"i{n}",
                unit,
                **{
                    f.name: getattr(base, f.name)
                    for f in fields(SupervisionItem)
                    if f.name not in ("item", "unit", "closed")
                },
                closed=closed,
            )
        )
    return items


@settings(max_examples=examples(80), deadline=None)
@given(ledgers(), day, st.integers(0, 90))
def test_the_frames_count_what_the_definitions_say(ledger, start, length):
    end = start + timedelta(days=length)
    frame = items_frame(ledger)
    for it in ledger:
        owed = required_feedback(frame.filter(pl.col("item") == it.item), end)
        assert owed.select("cycle_start", "due", "delivered").rows() == _owed(it, end)
    found = on_time_rates(frame, start, end, calendar=PLAIN)
    columns = ["ack_due", "ack_on_time", "feedback_due", "feedback_on_time", "closure_due"]
    counts = {r[0]: tuple(r[1:]) for r in found.select("unit", *columns, "closure_on_time").rows()}
    assert counts == _counts(ledger, start, end)


def test_an_item_extended_in_time_climbs_the_ladder_from_its_new_deadline():
    # b was extended on 30 March to 30 April; left open, its deadline steps count from then.
    b = items_frame([replace(WORLD[1], closed=None)])
    assert due_steps(D(2026, 4, 1), b) == []
    assert due_steps(D(2026, 4, 30), b) == []
    # April (its first whole month) went without a report: due 30 April, chased on 1 May.
    assert due_steps(D(2026, 5, 1), b) == [
        ("b", "feedback_reminder", D(2026, 5, 1), None),
        ("b", "reminder", D(2026, 5, 1), None),
    ]
    assert [s for _i, s, _d, _r in due_steps(D(2026, 5, 7), b)] == [
        "feedback_reminder",
        "reminder",
        "bulletin",
    ]
    # Granted only after the original deadline (c): the steps count from 31 March.
    c = items_frame([replace(WORLD[2], closed=None, feedback=())])
    assert ("c", "reminder", D(2026, 4, 1), None) in due_steps(D(2026, 4, 1), c)


def test_an_item_closed_on_its_deadline_day_is_never_escalated():
    a = ITEMS.filter(pl.col("item") == "a")
    for day in (D(2026, 3, 31), D(2026, 4, 1), D(2026, 5, 1)):
        assert due_steps(day, a) == []
