"""The demo's horse race: the city's key-work race, its register, and its published quarters.

The rules are TOML as `docs/rules.md` describes, so the demo also shows the format an office
imports. Quarters that have ended by the demo's today and have figures are published, so the
results pages, the standings over time and the laggard statements have something to show.
"""

from __future__ import annotations

import datetime

from saima.engine import Period

DEMO_RACE_CODE = "keywork"

DEMO_RACE_TOML = """\
name = "青河市重点工作赛马 Qinghe key-work horse race"
year = {year}
tie_break = "fai"
decimals = 2

[thresholds]
yellow_pp = 5.0
growth_yellow_pp = 1.0

[missing]
policy = "zero"

[flags]
red = 1
yellow = 1
yellow_when = "behind"
progress_award = 1

[adjustments]
bonus_cap = 3.0
deduction_cap = 5.0

[[indicator]]
code = "gdp-growth"
metric = "growth_vs_target"
weight = 15
method = "bands"
bands = [[1.0, 15], [0.0, 13], [-1.0, 10], [-2.0, 7]]

[[indicator]]
code = "fai"
metric = "gap"
weight = 10
method = "efficacy"

[[indicator]]
code = "industry-va"
metric = "growth"
weight = 10
method = "linear"
base_points = 7
slope = 0.1
per = 0.1
reference = "mean"
min_points = 4
max_points = 10

[[indicator]]
code = "retail"
metric = "gap"
weight = 10
method = "efficacy"

[[indicator]]
code = "revenue"
metric = "completion"
weight = 10
method = "attainment"
cap = 1.0

[[indicator]]
code = "investment-attracted"
metric = "gap"
weight = 5
method = "rank"
step_pct = 10

[[indicator]]
code = "projects-started"
metric = "completion"
weight = 5
method = "efficacy"

[[indicator]]
code = "kp-investment"
metric = "gap"
weight = 10
method = "efficacy"

[[indicator]]
code = "kp-on-time"
metric = "value"
weight = 5
method = "efficacy"

[[indicator]]
code = "pm25"
metric = "value"
weight = 10
method = "efficacy"

[[indicator]]
code = "unemployment"
metric = "value"
weight = 5
method = "rank"
step = 1.0

[[indicator]]
code = "sv-closure"
metric = "value"
weight = 5
method = "efficacy"
"""

#: A few register entries: (unit, category, month, day, points, reason).
DEMO_ADJUSTMENTS = (
    (
        "baishi",
        "safety",
        2,
        17,
        -2.0,
        "一般生产安全事故一起 (a production-safety accident)",
    ),
    ("dongcheng", "honours", 3, 28, 1.0, "省级营商环境表彰 (provincial business-climate honour)"),
    (
        "linshui",
        "petitions",
        5,
        9,
        -1.0,
        "重复信访未按期化解 (repeated petitions unresolved)",
    ),
    ("fengqiao", "inspection", 8, 20, 1.5, "督查整改按期销号 (inspection findings closed on time)"),
)


def load_demo_race(*, year: int, as_of: datetime.date, last_month: int) -> tuple[str, ...]:
    """Create the race, its register and publish each finished quarter; return their labels."""
    from django.contrib.auth import get_user_model

    from saima.demo.generate import reporting_deadline
    from saima.org.access import Access
    from saima.org.models import RaceGroup, Unit
    from saima.races.definitions.rules import parse_toml
    from saima.races.definitions.services import definition_save
    from saima.races.models import Adjustment
    from saima.races.results.services import race_publish

    office = Access.for_user(get_user_model().objects.get(username="office"))
    race = definition_save(
        office,
        code=DEMO_RACE_CODE,
        name_zh="重点工作赛马",
        name_en="Key-work horse race",
        groups=list(RaceGroup.objects.all()),
        rhythm="quarter",
        rules=parse_toml(DEMO_RACE_TOML.format(year=year)),
    )
    units = {u.code: u for u in Unit.objects.all()}
    for unit, category, month, day, points, reason in DEMO_ADJUSTMENTS:
        if unit in units and datetime.date(year, month, day) <= as_of:
            Adjustment.objects.create(
                race=race,
                unit=units[unit],
                category=category,
                date=datetime.date(year, month, day),
                points=points,
                reason=reason,
                entered_by_id=office.user_id,
            )
    published = []
    for quarter in (1, 2, 3, 4):
        period = Period(year, quarter * 3, "quarter")
        if period.month <= last_month and reporting_deadline(year, period.month) < as_of:
            race_publish(office, race, period)
            published.append(period.label)
    return tuple(published)
