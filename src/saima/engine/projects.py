"""Key projects (重点项目): milestones, reverse scheduling, stages, investment, unit figures.

Everything here is computed from dates and amounts alone, as of a date or a period passed in:
the same inputs give the same battle map whoever looks and whenever it is recomputed.

Frames the functions read (extra columns are ignored):

- projects: `project`, `unit` (the responsible unit), `annual_plan` (this year's planned
  investment; null or 0 when none is planned this year);
- plans: `project`, `month` (1–12), `amount` (the investment planned for that month alone);
- investment: `project`, `year`, `month`, `value` (completed investment, cumulative from January);
- stage_changes: `project`, `stage`, `date`; changes of one day apply in the frame's order;
- milestones: `project`, `milestone`, `planned`, `actual` (dates; `actual` may be null). The
  milestones of the stages carry the stage's code (`started`...), the formalities theirs
  (`approval`...).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from types import MappingProxyType
from typing import Literal, get_args

import polars as pl

from saima.engine.calendar import period_end
from saima.engine.errors import DataError
from saima.engine.periods import Period

# The one place the projects use the indicators' progress: a project's investment is judged
# exactly like an amount indicator whose schedule is the project's own monthly plan.
from saima.engine.progress import IndicatorSpec, compute_progress
from saima.engine.rates import as_actuals, rate_expr
from saima.engine.text import Text, _

# --- names ---------------------------------------------------------------------------------------

#: The pre-construction formalities (前期手续), in the order a project usually passes them.
FORMALITIES: tuple[str, ...] = (
    "approval",
    "land",
    "planning",
    "environment",
    "construction_permit",
)

Stage = Literal[
    "planned", "signed", "landed", "started", "completed", "in_production", "at_capacity"
]
#: The pipeline, in order: 谋划/储备 → 签约 → 落地 → 开工 → 竣工 → 投产 → 达产.
STAGES: tuple[str, ...] = get_args(Stage)
STAGE_RANK: Mapping[str, int] = MappingProxyType({s: n for n, s in enumerate(STAGES)})

#: The milestones reverse scheduling runs through, earliest first.
SCHEDULE_CHAIN: tuple[str, ...] = (
    *FORMALITIES,
    "started",
    "completed",
    "in_production",
    "at_capacity",
)

#: Days from each milestone to the next one of `SCHEDULE_CHAIN`: typical values, not a regulation.
#: The formalities leave room for the approving offices' usual processing times (an environmental
#: impact report table is decided within about a month, a construction permit within days of a
#: complete file); construction, commissioning and ramp-up vary so much between projects that
#: their defaults are placeholders to overwrite. Every office sets its own, and any project may
#: change any of them.
DEFAULT_LEAD_DAYS: Mapping[str, int] = MappingProxyType(
    {
        "approval": 30,  # 立项/备案 → 用地
        "land": 60,  # 用地 → 规划许可
        "planning": 30,  # 规划许可 → 环评
        "environment": 30,  # 环评 → 施工许可
        "construction_permit": 15,  # 施工许可 → 开工
        "started": 365,  # 开工 → 竣工
        "completed": 60,  # 竣工 → 投产
        "in_production": 180,  # 投产 → 达产
    }
)

STAGE_NAMES: Mapping[str, Text] = MappingProxyType(
    {
        "planned": _("planned"),
        "signed": _("signed"),
        "landed": _("landed"),
        "started": _("started"),
        "completed": _("completed"),
        "in_production": _("in production"),
        "at_capacity": _("at capacity"),
    }
)
FORMALITY_NAMES: Mapping[str, Text] = MappingProxyType(
    {
        "approval": _("approval or filing"),
        "land": _("land"),
        "planning": _("planning permit"),
        "environment": _("environmental assessment"),
        "construction_permit": _("construction permit"),
    }
)

MilestoneStatus = Literal["done", "done_late", "overdue", "due_soon", "on_track", "unscheduled"]
MILESTONE_STATUSES: tuple[str, ...] = get_args(MilestoneStatus)
STATUS_NAMES: Mapping[str, Text] = MappingProxyType(
    {
        "done": _("done"),
        "done_late": _("done late"),
        "overdue": _("overdue"),
        "due_soon": _("due soon"),
        "on_track": _("on track"),
        "unscheduled": _("unscheduled"),
    }
)

#: Days ahead in which an undone milestone is "due soon".
SOON_DAYS = 14


# --- milestones ----------------------------------------------------------------------------------


def milestone_status(
    planned: date | None, actual: date | None, today: date, *, soon_days: int = SOON_DAYS
) -> MilestoneStatus:
    """A milestone's status at `today`, from its dates alone.

    An actual date after `today` has not happened yet at `today`, so the status can be computed
    as of any past date. Done: actual ≤ planned (or no planned date); done late: actual >
    planned; overdue: planned < today; due soon: today ≤ planned ≤ today + `soon_days`; on track:
    later; unscheduled: not done and no planned date.
    """
    if actual is not None and actual <= today:
        return "done_late" if planned is not None and actual > planned else "done"
    if planned is None:
        return "unscheduled"
    if planned < today:
        return "overdue"
    if planned <= today + timedelta(days=soon_days):
        return "due_soon"
    return "on_track"


def milestone_statuses(
    milestones: pl.DataFrame, today: date, *, soon_days: int = SOON_DAYS
) -> pl.DataFrame:
    """`milestones` with `status` (as `milestone_status`) and `days_late` added.

    `days_late`: actual − planned for a milestone done late, today − planned for an overdue
    one, null otherwise.
    """
    planned, actual = pl.col("planned").cast(pl.Date), pl.col("actual").cast(pl.Date)
    done = actual.is_not_null() & (actual <= today)
    late = done & planned.is_not_null() & (actual > planned)
    status = (
        pl.when(late)
        .then(pl.lit("done_late"))
        .when(done)
        .then(pl.lit("done"))
        .when(planned.is_null())
        .then(pl.lit("unscheduled"))
        .when(planned < today)
        .then(pl.lit("overdue"))
        .when(planned <= today + timedelta(days=soon_days))
        .then(pl.lit("due_soon"))
        .otherwise(pl.lit("on_track"))
    )
    days_late = (
        pl.when(late)
        .then((actual - planned).dt.total_days())
        .when(~done & (planned < today))
        .then((pl.lit(today) - planned).dt.total_days())
    )
    return milestones.with_columns(status=status, days_late=days_late.cast(pl.Int64))


# --- reverse scheduling (倒排工期) ----------------------------------------------------------------


def reverse_schedule(
    target: str,
    on: date,
    *,
    lead_days: Mapping[str, int] = DEFAULT_LEAD_DAYS,
    chain: Sequence[str] = SCHEDULE_CHAIN,
) -> dict[str, date]:
    """Planned dates from a target: `target` on `on`, each earlier milestone of `chain` its
    successor's date less its own lead time (`lead_days[m]`: days from `m` to the next one).

    Started by 30 June with the default leads: construction permit 15 June, environmental
    assessment 16 May, and so on back to approval. Returns the dates earliest first, `target`
    last.
    """
    chain = list(chain)
    if len(set(chain)) != len(chain):
        raise DataError(_("a milestone appears twice in the scheduling chain"))
    if target not in chain:
        raise DataError(
            _(
                "%(target)s is not a milestone of the scheduling chain (%(chain)s)",
                target=repr(target),
                chain=", ".join(chain),
            )
        )
    earlier = chain[: chain.index(target)]
    problems = [
        _("%(milestone)s: no lead time", milestone=m) for m in earlier if m not in lead_days
    ] + [
        _(
            "%(milestone)s: the lead time %(days)s must be a whole number of days, 0 or more",
            milestone=m,
            days=lead_days[m],
        )
        for m in earlier
        if m in lead_days and not (isinstance(lead_days[m], int) and lead_days[m] >= 0)
    ]
    if problems:
        raise DataError(_("the lead times cannot be used"), details=problems)
    dates = {target: on}
    current = on
    for milestone in reversed(earlier):
        current -= timedelta(days=lead_days[milestone])
        dates[milestone] = current
    return dict(reversed(dates.items()))


# --- stages --------------------------------------------------------------------------------------


def check_stage_change(
    current: str,
    new: str,
    *,
    reason: str | None = None,
    current_since: date | None = None,
    on: date | None = None,
) -> None:
    """Refuse a stage change the office would not accept; return quietly otherwise.

    Forward moves may skip stages (signed straight to started). A move backwards needs a
    reason; a change to the stage a project is already at, an unknown stage or a change dated
    before the current stage's date is refused.
    """
    for stage in (current, new):
        _check_stage_name(stage)
    if new == current:
        raise DataError(_("the project is already at the stage %(stage)s", stage=STAGE_NAMES[new]))
    if STAGE_RANK[new] < STAGE_RANK[current] and not (reason or "").strip():
        raise DataError(
            _(
                "moving a project back from %(current)s to %(new)s needs a reason",
                current=STAGE_NAMES[current],
                new=STAGE_NAMES[new],
            )
        )
    if on is not None and current_since is not None and on < current_since:
        raise DataError(
            _(
                "the change is dated %(on)s, before the current stage's date %(since)s",
                on=on.isoformat(),
                since=current_since.isoformat(),
            )
        )


def _check_stage_name(stage: str) -> None:
    if stage not in STAGE_RANK:
        raise DataError(
            _(
                "%(stage)s is not a stage; use one of %(stages)s",
                stage=repr(stage),
                stages=", ".join(STAGES),
            )
        )


def stage_at(changes: Iterable[tuple[date, str]], day: date) -> str:
    """The stage of one project on `day`: its last change on or before `day` (changes of one
    day in the order given), `planned` before any."""
    current = "planned"
    for changed, _n, stage in sorted((d, n, s) for n, (d, s) in enumerate(changes)):
        _check_stage_name(stage)
        if changed <= day:
            current = stage
    return current


def stages_at(stage_changes: pl.DataFrame, day: date) -> pl.DataFrame:
    """The stage of every project with a change on or before `day`: `project`, `stage`, and
    `since` (the date of that change)."""
    changes = _ordered_changes(stage_changes, day)
    return changes.group_by("project", maintain_order=True).agg(
        pl.col("stage").last(), pl.col("date").last().alias("since")
    )


def _ordered_changes(stage_changes: pl.DataFrame, day: date) -> pl.DataFrame:
    """The changes on or before `day` with the stage's rank, in order within each project."""
    changes = stage_changes.select(
        pl.col("project").cast(pl.String),
        pl.col("stage").cast(pl.String),
        pl.col("date").cast(pl.Date),
    ).with_row_index("_order")
    unknown = changes.filter(~pl.col("stage").is_in(list(STAGES)) | pl.col("date").is_null())
    if unknown.height:
        raise DataError(
            _("some stage changes cannot be read"),
            details=[
                _(
                    "project %(project)s: stage %(stage)s on %(date)s (stages are %(stages)s; "
                    "the date is required)",
                    project=row["project"],
                    stage=repr(row["stage"]),
                    date=str(row["date"]),
                    stages=", ".join(STAGES),
                )
                for row in unknown.iter_rows(named=True)
            ],
        )
    return (
        changes.filter(pl.col("date") <= day)
        .sort("project", "date", "_order")
        .with_columns(rank=pl.col("stage").replace_strict(dict(STAGE_RANK), return_dtype=pl.Int64))
    )


def _stage_dates(stage_changes: pl.DataFrame, day: date, stages: Sequence[str]) -> pl.DataFrame:
    """Per project with changes: its stage rank on `day` and, for each of `stages`, the date it
    last reached that stage or a later one (`reached_<stage>`; null if it is below on `day`).

    A project moved back below a stage (a correction) no longer counts as having reached it.
    """
    changes = _ordered_changes(stage_changes, day)
    aggregations = [pl.col("rank").last().alias("rank")]
    runs = []
    for stage in stages:
        at_or_past = pl.col("rank") >= STAGE_RANK[stage]
        run = f"_run_{stage}"
        runs.append((~at_or_past).cast(pl.Int64).cum_sum().over("project").alias(run))
        aggregations.append(
            pl.col("date")
            .filter(at_or_past & (pl.col(run) == pl.col(run).max()))
            .min()
            .alias(f"reached_{stage}")
        )
    return changes.with_columns(runs).group_by("project").agg(aggregations)


# --- investment ----------------------------------------------------------------------------------

#: Decimals of summed amounts: amounts carry at most four, and a float sum is a few units of
#: the fifteenth digit off.
AMOUNT_DIGITS = 6


def investment_plan(projects: pl.DataFrame, plans: pl.DataFrame) -> pl.DataFrame:
    """Each project's cumulative plan by month: `project`, `month` (1–12), `planned` (the
    month's amount), `cumulative`, `share` (cumulative in % of the annual plan).

    Only projects with an annual plan (> 0) appear. A project without monthly rows is
    planned linearly (a twelfth a month). The monthly amounts must not be negative and must
    sum to the annual plan; a DataError names the project and the month where they go wrong.
    """
    wide = _plan_wide(_annual_plans(projects).sort("project"), plans)
    return wide.select(
        "project",
        month=pl.lit(list(range(1, 13)), dtype=pl.List(pl.Int64)),
        planned=_months(MONTHS_PLANNED),
        cumulative=_months(MONTHS_CUMULATIVE),
        share=_months(MONTHS_SHARE),
    ).explode("month", "planned", "cumulative", "share")


def _months(columns: Sequence[str | pl.Expr]) -> pl.Expr:
    """Twelve monthly columns as one list per row (through an array: `concat_list` is many
    times slower)."""
    return pl.concat_arr(columns).arr.to_list()


MONTHS_PLANNED = [f"planned_{m}" for m in range(1, 13)]
MONTHS_CUMULATIVE = [f"cumulative_{m}" for m in range(1, 13)]
MONTHS_SHARE = [f"share_{m}" for m in range(1, 13)]


def _plan_wide(annual: pl.DataFrame, plans: pl.DataFrame) -> pl.DataFrame:
    """The plans of the projects, one row each in the order of `annual`: `project`,
    `annual_plan`, `split` (planned by month, not linearly) and, for each month m, `planned_m`,
    `cumulative_m` and `share_m` (all null for a project without an annual plan).

    The monthly amounts land on their project's row by position (a scatter, not a join), and
    the cumulative plan is added up month by month across whole columns.
    """
    n = annual.height
    placed = _placed_plans(plans, annual)
    amounts = pl.repeat(0.0, n * 12, dtype=pl.Float64, eager=True)
    split = pl.repeat(False, n, dtype=pl.Boolean, eager=True)
    if placed.height:
        amounts = amounts.scatter(placed["_pos"], placed["amount"])
        split = split.scatter((placed["_pos"] // 12).unique(), True)
    wide = annual.select("project", "annual_plan").with_columns(split=split)
    by_month = [amounts.gather_every(12, offset=m).alias(MONTHS_PLANNED[m]) for m in range(12)]
    wide = wide.with_columns(by_month)
    total = pl.lit(0.0)
    cumulative = []
    for m in range(12):
        total = total + pl.col(MONTHS_PLANNED[m])
        cumulative.append(
            pl.when("split")
            .then(total)
            .otherwise(pl.col("annual_plan") * (m + 1) / 12)
            .round(AMOUNT_DIGITS)
            .alias(MONTHS_CUMULATIVE[m])
        )
    wide = wide.with_columns(cumulative).with_columns(
        pl.when("split")
        .then(pl.col(MONTHS_PLANNED[m]))
        .otherwise(pl.col("annual_plan") / 12)
        .alias(MONTHS_PLANNED[m])
        for m in range(12)
    )
    _check_plan_sums(wide)
    return wide.with_columns(
        # December of a split plan is the annual plan itself (checked above): exactly 100; the
        # linear schedule is the indicators' own.
        pl.when(pl.col("annual_plan").is_null())
        .then(None)
        .when(~pl.col("split"))
        .then(pl.lit(_LINEAR_SHARES[m]))
        .otherwise(100.0 if m == 11 else pl.col(MONTHS_CUMULATIVE[m]) * 100 / pl.col("annual_plan"))
        .alias(MONTHS_SHARE[m])
        for m in range(12)
    )


#: The linear schedule, each month's share computed as the indicators compute it (m·100/12) and
#: outside Polars, which divides a column by a constant as a multiplication by its inverse.
_LINEAR_SHARES = [m * 100 / 12 for m in range(1, 13)]


def _listed(projects: pl.DataFrame) -> pl.DataFrame:
    """Every listed project: `project`, `unit`, `annual_plan` (null when none is planned this
    year); a negative plan is refused."""
    _check_projects(projects)
    plan = (
        pl.col("annual_plan").cast(pl.Float64)
        if "annual_plan" in projects.columns
        else pl.lit(None, dtype=pl.Float64).alias("annual_plan")
    )
    frame = projects.select(pl.col("project").cast(pl.String), pl.col("unit").cast(pl.String), plan)
    negative = frame.filter(pl.col("annual_plan") < 0)
    if negative.height:
        raise DataError(
            _("some annual investment plans are negative"),
            details=[
                _("project %(project)s: annual plan %(plan)s", project=p, plan=f"{v:g}")
                for p, v in negative.select("project", "annual_plan").iter_rows()
            ],
        )
    return frame.with_columns(
        pl.when(pl.col("annual_plan") > 0).then("annual_plan").alias("annual_plan")
    )


def _annual_plans(projects: pl.DataFrame) -> pl.DataFrame:
    """Projects with a positive annual plan: `project`, `unit`, `annual_plan`."""
    return _listed(projects).filter(pl.col("annual_plan").is_not_null())


def _check_projects(projects: pl.DataFrame) -> None:
    twice = projects.group_by("project").len().filter(pl.col("len") > 1)
    no_unit = projects.filter(pl.col("unit").is_null() | pl.col("project").is_null())
    details = [
        _("project %(project)s is listed %(count)s times", project=p, count=n)
        for p, n in twice.sort("project").iter_rows()
    ] + [
        _("project %(project)s: the responsible unit is blank", project=str(p))
        for p in no_unit["project"].to_list()
    ]
    if details:
        raise DataError(_("the project list cannot be used"), details=details)


def _placed_plans(plans: pl.DataFrame, annual: pl.DataFrame) -> pl.DataFrame:
    """The monthly amounts with their position among `annual`'s projects (number × 12 + month
    − 1); a DataError names every amount that cannot be placed."""
    plans = plans.select(
        pl.col("project").cast(pl.String),
        pl.col("month").cast(pl.Int64),
        pl.col("amount").cast(pl.Float64),
    )
    numbers = annual.select("project").with_row_index("_key")
    placed = plans.join(numbers, on="project", how="inner").select(
        "amount", _pos=pl.col("_key").cast(pl.Int64) * 12 + pl.col("month") - 1
    )
    # A cheap look first: a position outside the grid or twice, a project without an annual
    # plan, an unusable amount, or a project lost in the join.
    last = max(annual.height * 12 - 1, 0)
    no_plan = pl.lit(annual["annual_plan"].is_null())
    wrong = (
        placed.height != plans.height
        or placed.select(
            (~pl.col("_pos").is_between(0, last)).any()
            | (pl.col("_pos").n_unique() != pl.len())
            | no_plan.gather(pl.col("_pos").clip(0, last) // 12).any()
            | (pl.col("amount") < 0).any()
            | pl.col("amount").is_null().any()
            | (~plans["month"].is_between(1, 12)).any()
        ).item()
    )
    if wrong:
        _name_plan_problems(plans, annual.filter(pl.col("annual_plan").is_not_null()))
    return placed


def _name_plan_problems(plans: pl.DataFrame, annual: pl.DataFrame) -> None:
    details: list[Text] = []
    outside = plans.filter(~pl.col("month").is_between(1, 12))
    for project, month in outside.select("project", "month").iter_rows():
        details.append(
            _(
                "project %(project)s: month %(month)s does not exist (months run from 1 to 12)",
                project=project,
                month=month,
            )
        )
    for project, month, n in (
        plans.group_by("project", "month").len().filter(pl.col("len") > 1).sort("project", "month")
    ).iter_rows():
        details.append(
            _(
                "project %(project)s, month %(month)s: planned %(count)s times",
                project=project,
                month=month,
                count=n,
            )
        )
    bad = plans.filter((pl.col("amount") < 0) | pl.col("amount").is_null())
    for project, month, amount in bad.iter_rows():
        details.append(
            _(
                "project %(project)s, month %(month)s: the planned amount %(amount)s must be "
                "0 or more",
                project=project,
                month=month,
                amount="blank" if amount is None else f"{amount:g}",
            )
        )
    for project in plans.join(annual, on="project", how="anti")["project"].unique().sort():
        details.append(
            _(
                "project %(project)s has a monthly plan but no annual plan (or is not listed)",
                project=project,
            )
        )
    raise DataError(_("the monthly investment plans cannot be used"), details=details)


def _check_plan_sums(wide: pl.DataFrame) -> None:
    """The cumulative plan never passes the annual plan and ends exactly at it: the amounts are
    not negative, so it is enough to look at December, and to name the month only if wrong."""
    december = (pl.col(MONTHS_CUMULATIVE[-1]) - pl.col("annual_plan")).round(AMOUNT_DIGITS)
    if not wide.select((pl.col("split") & (december != 0)).any()).item():
        return
    rows = (
        wide.filter("split")
        .select(
            "project",
            "annual_plan",
            month=pl.lit(list(range(1, 13)), dtype=pl.List(pl.Int64)),
            cumulative=_months(MONTHS_CUMULATIVE),
        )
        .explode("month", "cumulative")
    )
    difference = (pl.col("cumulative") - pl.col("annual_plan")).round(AMOUNT_DIGITS)
    over = rows.filter(difference > 0).group_by("project").agg(pl.all().first())
    short = rows.filter((pl.col("month") == 12) & (difference < 0))
    details = [
        _(
            "project %(project)s, month %(month)s: the cumulative plan %(cumulative)s passes "
            "the annual plan %(annual)s",
            project=r["project"],
            month=r["month"],
            cumulative=f"{r['cumulative']:g}",
            annual=f"{r['annual_plan']:g}",
        )
        for r in over.sort("project").iter_rows(named=True)
    ] + [
        _(
            "project %(project)s, month 12: the monthly plans sum to %(cumulative)s, "
            "%(short)s short of the annual plan %(annual)s",
            project=r["project"],
            cumulative=f"{r['cumulative']:g}",
            short=f"{round(r['annual_plan'] - r['cumulative'], AMOUNT_DIGITS):g}",
            annual=f"{r['annual_plan']:g}",
        )
        for r in short.sort("project").iter_rows(named=True)
    ]
    raise DataError(_("the monthly investment plans must sum to the annual plan"), details=details)


INVESTMENT_COLUMNS = [
    "period",
    "annual_plan",
    "planned_to_date",
    "value",
    "completion",
    "plan_progress",
    "gap_pp",
    "linear_progress",
    "gap_linear_pp",
    "light",
    "run_rate_needed",
    "run_rate_ratio",
    "projection",
]


def investment_progress(
    period: Period,
    *,
    projects: pl.DataFrame,
    plans: pl.DataFrame,
    investment: pl.DataFrame,
    by: Literal["project", "unit"] = "project",
    yellow_pp: float = 5.0,
) -> pl.DataFrame:
    """Investment against plan at `period`, per project or summed by unit, as for an indicator.

    Completion = actual ÷ annual plan; `plan_progress` = cumulative plan ÷ annual plan (the
    plan's own schedule) and `gap_pp` against it; `linear_progress` = months ÷ 12 and
    `gap_linear_pp` against it; the light on `gap_pp` (green ≥ 0, yellow ≥ −`yellow_pp`, red
    below); the monthly run rate the remaining months need, and its ratio to the average so far;
    the year-end projection under the plan. Figures in % and percentage points; projects
    without an annual plan are not applicable (`n/a`), a project that did not report this month
    is `missing`.

    By unit: the unit's plans, cumulative plans and reported actuals summed over its projects
    (`with_plan`: how many have a plan; `reported`: how many reported); the same measures on the
    sums.
    """
    listed = _listed(projects)
    plan = _plan_wide(listed, plans)  # in the order of the projects, those without plan too
    actual = _period_investment(investment, listed, period)
    month = period.month - 1
    rows = listed.with_columns(
        plan.select(
            profile=_months(MONTHS_SHARE),
            planned_to_date=pl.col(MONTHS_CUMULATIVE[month]).round(AMOUNT_DIGITS),
        )
    ).join(actual, on="project", how="left", maintain_order="left")
    if by == "unit":
        with_plan = pl.col("annual_plan").is_not_null()
        december = pl.col(MONTHS_CUMULATIVE[-1])
        rows = (
            rows.select("unit", "annual_plan", "value")
            .with_columns(plan.select(MONTHS_CUMULATIVE))
            .group_by("unit")
            .agg(
                pl.col(MONTHS_CUMULATIVE).sum(),
                with_plan=with_plan.sum().cast(pl.Int64),
                reported=pl.col("value").is_not_null().sum().cast(pl.Int64),
                annual_plan=pl.when(with_plan.any()).then(
                    pl.col("annual_plan").sum().round(AMOUNT_DIGITS)
                ),
                value=pl.when(pl.col("value").is_not_null().any()).then(
                    pl.col("value").sum().round(AMOUNT_DIGITS)
                ),
            )
            .with_columns(
                planned_to_date=pl.when(pl.col("with_plan") > 0).then(
                    pl.col(MONTHS_CUMULATIVE[month]).round(AMOUNT_DIGITS)
                ),
                profile=pl.when(pl.col("with_plan") > 0).then(
                    _months(
                        [
                            *(pl.col(MONTHS_CUMULATIVE[m]) * 100 / december for m in range(11)),
                            pl.lit(100.0, dtype=pl.Float64),
                        ]
                    )
                ),
            )
        )
        key, names = "unit", ["unit", "with_plan", "reported"]
    elif by == "project":
        key, names = "project", ["project", "unit"]
    else:
        raise DataError(_("investment is summed by project or by unit, not %(by)s", by=repr(by)))
    progress = _plan_progress(rows, key, period, yellow_pp)
    return (
        rows.select(*names, "annual_plan", "planned_to_date")
        .join(progress, left_on=key, right_on="unit", how="left")
        .with_columns(
            linear_progress=pl.when(pl.col("annual_plan").is_not_null()).then(
                pl.lit(period.month * 100 / 12)
            ),
        )
        .with_columns(
            # Without a plan nothing is scheduled: no measure but the figure itself.
            pl.when(pl.col("annual_plan").is_not_null()).then(pl.col(c)).alias(c)
            for c in ("plan_progress", "run_rate_ratio", "projection")
        )
        .with_columns(gap_linear_pp=pl.col("completion") - pl.col("linear_progress"))
        .select(*names, *INVESTMENT_COLUMNS)
        .sort(key)
    )


def _period_investment(
    investment: pl.DataFrame, projects: pl.DataFrame, period: Period
) -> pl.DataFrame:
    """Each project's cumulative completed investment reported for the period's month."""
    frame = investment.select(
        pl.col("project").cast(pl.String),
        pl.col("year").cast(pl.Int64),
        pl.col("month").cast(pl.Int64),
        pl.col("value").cast(pl.Float64),
    ).filter((pl.col("year") == period.year) & (pl.col("month") == period.month))
    unknown = frame.join(
        projects.select(pl.col("project").cast(pl.String)), on="project", how="anti"
    )
    twice = frame.group_by("project").len().filter(pl.col("len") > 1)
    details = [
        _(
            "project %(project)s: investment is reported for %(period)s but the project is not "
            "listed",
            project=p,
            period=period.label,
        )
        for p in unknown["project"].unique().sort()
    ] + [
        _(
            "project %(project)s, %(period)s: %(count)s investment figures",
            project=p,
            period=period.label,
            count=n,
        )
        for p, n in twice.sort("project").iter_rows()
    ]
    if details:
        raise DataError(_("the completed investment cannot be used"), details=details)
    return frame.select("project", "value")


def _plan_progress(rows: pl.DataFrame, key: str, period: Period, yellow_pp: float) -> pl.DataFrame:
    """Progress of each row's actual against its plan, by the indicators' own computation."""
    indicator = "investment"
    targets = rows.select(
        pl.col(key).alias("unit"),
        indicator=pl.lit(indicator),
        target=pl.col("annual_plan"),
        not_applicable=pl.col("annual_plan").is_null(),
        profile="profile",
    )
    actuals = rows.filter(pl.col("value").is_not_null()).select(
        pl.col(key).alias("unit"),
        indicator=pl.lit(indicator),
        year=pl.lit(period.year, dtype=pl.Int64),
        month=pl.lit(period.month, dtype=pl.Int64),
        value="value",
    )
    spec = IndicatorSpec(indicator, kind="amount", direction="higher", yellow=yellow_pp)
    progress = compute_progress(targets, actuals, period, specs={indicator: spec})
    return progress.select(
        "unit",
        "period",
        "value",
        "completion",
        pl.col("time_progress").alias("plan_progress"),
        "gap_pp",
        "light",
        "run_rate_needed",
        "run_rate_ratio",
        "projection",
    )


# --- unit figures --------------------------------------------------------------------------------

RateBasis = Literal["from_stage_this_year", "signed_this_year", "annual_list", "planned_by_period"]
RateNumerator = Literal["of_basis", "reached_this_year"]

#: The conversion rates a unit is judged on: (from stage, to stage).
CONVERSIONS: tuple[tuple[str, str], ...] = (
    ("signed", "landed"),
    ("landed", "started"),
    ("started", "in_production"),
)


@dataclass(frozen=True)
class ConversionRates:
    """How an office defines its conversion rates (signed→landed, landed→started, ...).

    basis — the denominator: `from_stage_this_year` (the projects that reached the rate's
    first stage this year by the end of the period; "landed ÷ signed among those signed this
    year"), `signed_this_year` (the projects signed this year, for every rate: 开工率 = started
    ÷ signed), `annual_list` (every project on the list) or `planned_by_period` (the projects
    whose milestone for the rate's second stage is planned this year by the end of the period).
    numerator — `of_basis`: those of the denominator at the second stage at the end of the
    period; `reached_this_year`: every listed project that reached the second stage this year by
    the end of the period, in the denominator or not (the rate may pass 100%).
    later_stages — whether a project past the second stage counts as at it (a completed project
    has started).
    cap — publish at most 100%.
    decimals — rounded once, half up, from the exact ratio.

    "Reached a stage this year" means: at that stage or a later one at the end of the period,
    having got there (for the last time, if it was moved back and forth) this year.
    """

    basis: RateBasis = "from_stage_this_year"
    numerator: RateNumerator = "of_basis"
    later_stages: bool = True
    cap: bool = False
    decimals: int = 1

    def __post_init__(self) -> None:
        problems = []
        if self.basis not in get_args(RateBasis):
            problems.append(
                _(
                    "basis %(value)s: use one of %(choices)s",
                    value=repr(self.basis),
                    choices=", ".join(get_args(RateBasis)),
                )
            )
        if self.numerator not in get_args(RateNumerator):
            problems.append(
                _(
                    "numerator %(value)s: use one of %(choices)s",
                    value=repr(self.numerator),
                    choices=", ".join(get_args(RateNumerator)),
                )
            )
        if not (isinstance(self.decimals, int) and 0 <= self.decimals <= 6):
            problems.append(_("decimals %(value)s: use 0 to 6", value=repr(self.decimals)))
        if problems:
            raise DataError(_("the conversion rates are defined wrongly"), details=problems)

    def describe(self, source: str, target: str) -> Text:
        """The definition of one rate, in words, to print beside it."""
        at = (
            _("at %(stage)s or a later stage", stage=STAGE_NAMES[target])
            if self.later_stages
            else _("at %(stage)s itself, not a later stage", stage=STAGE_NAMES[target])
        )
        basis = {
            "from_stage_this_year": _(
                "the projects that reached %(stage)s this year", stage=STAGE_NAMES[source]
            ),
            "signed_this_year": _("the projects signed this year"),
            "annual_list": _("all the projects on the year's list"),
            "planned_by_period": _(
                "the projects planned to reach %(stage)s this year", stage=STAGE_NAMES[target]
            ),
        }[self.basis]
        numerator = (
            _("those of them %(at)s", at=at)
            if self.numerator == "of_basis"
            else _("every listed project %(at)s that got there this year", at=at)
        )
        return _(
            "%(target)s ÷ %(source)s: %(numerator)s at the end of the period, out of "
            "%(basis)s by the end of the period; %(cap)s; rounded once to %(decimals)s "
            "decimal(s)",
            target=STAGE_NAMES[target],
            source=STAGE_NAMES[source],
            numerator=numerator,
            basis=basis,
            cap=_("capped at 100%%") if self.cap else _("not capped at 100%%"),
            decimals=self.decimals,
        )


@dataclass(frozen=True)
class ProjectIndicatorCodes:
    """The indicator codes under which a race knows the figures from projects; None leaves a
    figure out (a race refuses figures of indicators it has no target for)."""

    investment: str | None = "project_investment"
    started: str | None = "projects_started"
    signed_to_landed: str | None = "signed_to_landed"
    landed_to_started: str | None = "landed_to_started"
    started_to_in_production: str | None = "started_to_in_production"
    milestones_on_time: str | None = "milestones_on_time"

    def mapping(self) -> dict[str, str]:
        """Figure column → indicator code, for the figures asked for, in the order listed."""
        return {
            f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None
        }


@dataclass(frozen=True)
class ProjectRules:
    """An office's settings for the unit figures from projects."""

    rates: ConversionRates = ConversionRates()
    #: Which milestones the on-time share looks at: those planned this year up to the end of the
    #: period (`year`) or all those planned up to it (`all`).
    milestones_from: Literal["year", "all"] = "year"
    codes: ProjectIndicatorCodes = ProjectIndicatorCodes()

    def describe(self) -> dict[str, Text]:
        """Indicator code → the definition in words, for every figure asked for."""
        by_figure = self._definitions()
        return {code: by_figure[figure] for figure, code in self.codes.mapping().items()}

    def _definitions(self) -> dict[str, Text]:
        out = {
            "investment": _(
                "completed investment: the sum of the cumulative figures the unit's projects "
                "report for the period"
            ),
            "started": _(
                "projects started: projects at the stage started or later at the end of the "
                "period that got there this year"
            ),
        }
        for source, target in CONVERSIONS:
            out[f"{source}_to_{target}"] = self.rates.describe(source, target)
        out["milestones_on_time"] = (
            _(
                "milestones on time: milestones done on or before their planned date, out of "
                "the milestones planned this year by the end of the period"
            )
            if self.milestones_from == "year"
            else _(
                "milestones on time: milestones done on or before their planned date, out of "
                "all the milestones planned by the end of the period"
            )
        )
        return out


_RATE_STAGES = ("signed", "landed", "started", "in_production")


def project_unit_figures(
    period: Period,
    *,
    projects: pl.DataFrame,
    stage_changes: pl.DataFrame,
    milestones: pl.DataFrame,
    investment: pl.DataFrame,
    rules: ProjectRules = ProjectRules(),
) -> pl.DataFrame:
    """Each unit's figures from its projects at the end of `period`, with the counts behind
    every rate.

    One row per unit of `projects`: `investment` (sum of the cumulative figures reported for
    the period; null if none of its projects reported), `reported`, `started` (projects that
    reached the stage started this year by the end of the period), for each conversion
    `<from>_to_<to>` with its `_num` and `_den` counts, and `milestones_on_time` with
    `milestones_due` and `milestones_done_on_time`. A rate with no denominator is null.
    """
    end, year_start = period_end(period), date(period.year, 1, 1)
    _check_projects(projects)
    listed = projects.select(pl.col("project").cast(pl.String), pl.col("unit").cast(pl.String))
    _check_listed(listed, stage_changes, _("stage changes"))
    _check_listed(listed, milestones, _("milestones"))
    reached = _stage_dates(stage_changes, end, _RATE_STAGES)
    frame = listed.join(reached, on="project", how="left").with_columns(
        pl.col("rank").fill_null(STAGE_RANK["planned"])
    )
    this_year = {s: pl.col(f"reached_{s}").is_between(year_start, end) for s in _RATE_STAGES}
    counts = [this_year["started"].alias("_started")]
    rates = rules.rates
    planned = _planned_stage_dates(milestones, [t for _s, t in CONVERSIONS])
    frame = frame.join(planned, on="project", how="left")
    for source, target in CONVERSIONS:
        name = f"{source}_to_{target}"
        rank = pl.col("rank")
        at = rank >= STAGE_RANK[target] if rates.later_stages else rank == STAGE_RANK[target]
        basis = {
            "from_stage_this_year": this_year[source],
            "signed_this_year": this_year["signed"],
            "annual_list": pl.lit(True),
            "planned_by_period": pl.col(f"planned_{target}").is_between(year_start, end),
        }[rates.basis].fill_null(False)
        numerator = basis & at if rates.numerator == "of_basis" else this_year[target] & at
        counts += [numerator.fill_null(False).alias(f"{name}_num"), basis.alias(f"{name}_den")]
    per_unit = (
        frame.with_columns(counts)
        .group_by("unit")
        .agg(pl.col(c.meta.output_name()).sum() for c in counts)
    )
    figures = (
        listed.select("unit")
        .unique()
        .join(per_unit, on="unit", how="left")
        .join(_unit_investment(investment, listed, period), on="unit", how="left")
        .join(_milestone_counts(milestones, listed, year_start, end, rules), on="unit", how="left")
        .with_columns(
            pl.col("reported").fill_null(0),
            pl.col("milestones_due").fill_null(0),
            pl.col("milestones_done_on_time").fill_null(0),
        )
        .rename({"_started": "started"})
    )
    conversions = [
        rate_expr(
            pl.col(f"{s}_to_{t}_num"), pl.col(f"{s}_to_{t}_den"), rates.decimals, cap=rates.cap
        ).alias(f"{s}_to_{t}")
        for s, t in CONVERSIONS
    ]
    on_time = rate_expr(
        pl.col("milestones_done_on_time"), pl.col("milestones_due"), rates.decimals
    ).alias("milestones_on_time")
    return (
        figures.with_columns(*conversions, on_time)
        .with_columns(pl.col(pl.UInt32, pl.UInt64, pl.Int32).cast(pl.Int64))
        .sort("unit")
        .select(
            "unit",
            "investment",
            "reported",
            "started",
            *(
                c
                for s, t in CONVERSIONS
                for c in (f"{s}_to_{t}", f"{s}_to_{t}_num", f"{s}_to_{t}_den")
            ),
            "milestones_on_time",
            "milestones_done_on_time",
            "milestones_due",
        )
    )


def project_indicators(
    period: Period,
    *,
    projects: pl.DataFrame,
    stage_changes: pl.DataFrame,
    milestones: pl.DataFrame,
    investment: pl.DataFrame,
    rules: ProjectRules = ProjectRules(),
) -> pl.DataFrame:
    """The unit figures of `project_unit_figures` in the layout of actuals (unit, indicator,
    year, month, value), under `rules.codes`, ready for a race."""
    figures = project_unit_figures(
        period,
        projects=projects,
        stage_changes=stage_changes,
        milestones=milestones,
        investment=investment,
        rules=rules,
    )
    return as_actuals(figures, period, rules.codes.mapping())


def _check_listed(listed: pl.DataFrame, frame: pl.DataFrame, what: Text) -> None:
    unknown = frame.select(pl.col("project").cast(pl.String)).join(listed, on="project", how="anti")
    if unknown.height:
        raise DataError(
            _("%(what)s name projects that are not listed", what=what),
            details=[
                _("project %(project)s", project=str(p)) for p in unknown["project"].unique().sort()
            ],
        )


def _planned_stage_dates(milestones: pl.DataFrame, stages: Sequence[str]) -> pl.DataFrame:
    """`project` and `planned_<stage>` for the stage milestones (the earliest if given twice)."""
    frame = (
        milestones.select(
            pl.col("project").cast(pl.String),
            pl.col("milestone").cast(pl.String),
            pl.col("planned").cast(pl.Date),
        )
        .filter(pl.col("milestone").is_in(list(stages)))
        .group_by("project", "milestone")
        .agg(pl.col("planned").min())
    )
    wide = frame.pivot(on="milestone", index="project", values="planned")
    return wide.select(
        "project",
        *(
            (pl.col(s) if s in wide.columns else pl.lit(None, dtype=pl.Date)).alias(f"planned_{s}")
            for s in stages
        ),
    )


def _unit_investment(
    investment: pl.DataFrame, listed: pl.DataFrame, period: Period
) -> pl.DataFrame:
    reported = _period_investment(investment, listed, period).filter(pl.col("value").is_not_null())
    return (
        reported.join(listed, on="project", how="inner")
        .group_by("unit")
        .agg(
            investment=pl.col("value").sum().round(AMOUNT_DIGITS),
            reported=pl.len().cast(pl.Int64),
        )
    )


def _milestone_counts(
    milestones: pl.DataFrame, listed: pl.DataFrame, year_start: date, end: date, rules: ProjectRules
) -> pl.DataFrame:
    planned, actual = pl.col("planned").cast(pl.Date), pl.col("actual").cast(pl.Date)
    first = year_start if rules.milestones_from == "year" else date.min
    due = planned.is_between(first, end)
    return (
        milestones.select(pl.col("project").cast(pl.String), planned, actual)
        .join(listed, on="project", how="inner")
        .filter(due)
        .group_by("unit")
        .agg(
            milestones_due=pl.len().cast(pl.Int64),
            milestones_done_on_time=(actual.is_not_null() & (actual <= planned))
            .sum()
            .cast(pl.Int64),
        )
    )
