"""The demo city's key projects: about sixty, across its fifteen units, in every stage.

Each project has dated stage changes, its milestones reverse-scheduled from its start (some done
late, some overdue), a back-loaded monthly investment plan for the year and its completed
investment reported month by month (some units ahead, some behind), and the last weeks' weekly
reports with the problems they raise. Three indicators are computed from them
(`saima.projects.figures`); the demo's race scores two (`kp-investment`, `kp-on-time`).

Everything is generated from a fixed seed and the demo's today, so a reload gives the same city.
Rows are bulk-created with their history (one "+" record each, change reason "demo load").
"""

from __future__ import annotations

import datetime
import itertools
import random
from dataclasses import dataclass, field
from decimal import Decimal

from saima.demo.summary import CHANGE_REASON

SEED = 20260101
#: The cumulative share of a year's plan by month (investment is back-loaded).
PROJECT_PROFILE = (4.0, 9.0, 16.0, 24.0, 33.0, 43.0, 53.0, 63.0, 73.0, 83.0, 92.0, 100.0)
#: The stages the sixty projects are at, by how many.
STAGE_MIX = (
    ("planned", 6),
    ("signed", 8),
    ("landed", 10),
    ("started", 16),
    ("completed", 8),
    ("in_production", 8),
    ("at_capacity", 4),
)
#: The start date of a project at each stage, in days from today (a range to draw from).
START_DAYS = {
    0: (230, 420),
    1: (160, 330),
    2: (-30, 150),
    3: (-220, -25),
    4: (-470, -400),
    5: (-560, -470),
    6: (-800, -700),
}
#: Leaders in charge (包联领导): the first is the demo's `leader` login.
LEADERS = ("王建国", "李卫东", "张海峰", "陈雪梅", "刘志强")

#: (category, Chinese name, English name) of the kinds of project a city steers.
KINDS = (
    ("industry", "智能装备制造产业园", "intelligent equipment industrial park"),
    ("industry", "年产10万吨新能源材料项目", "100,000-tonne new-energy materials plant"),
    ("industry", "锂电池正极材料项目", "lithium battery cathode materials plant"),
    ("industry", "汽车零部件智能工厂", "smart auto-parts factory"),
    ("industry", "生物医药产业园", "biomedicine industrial park"),
    ("industry", "光伏组件生产线", "photovoltaic module line"),
    ("industry", "电子信息产业园", "electronics industrial park"),
    ("industry", "食品精深加工项目", "food processing plant"),
    ("infrastructure", "城市快速路改造工程", "urban expressway upgrade"),
    ("infrastructure", "污水处理厂提标改造工程", "sewage plant upgrade"),
    ("infrastructure", "综合管廊建设工程", "utility tunnel"),
    ("infrastructure", "220千伏输变电工程", "220 kV substation and lines"),
    ("infrastructure", "城乡供水一体化工程", "urban-rural water supply"),
    ("services", "现代物流园", "modern logistics park"),
    ("services", "冷链物流中心", "cold-chain logistics centre"),
    ("services", "数字经济产业园", "digital economy park"),
    ("services", "文旅小镇", "cultural tourism town"),
    ("livelihood", "人民医院新院区", "new campus of the People's Hospital"),
    ("livelihood", "职业教育园区", "vocational education park"),
    ("livelihood", "保障性租赁住房项目", "affordable rental housing"),
    ("livelihood", "老旧小区改造工程", "old residential estate renewal"),
    ("ecology", "河道综合治理工程", "river restoration"),
    ("ecology", "垃圾焚烧发电项目", "waste-to-energy plant"),
    ("ecology", "湿地公园建设项目", "wetland park"),
    ("agriculture", "高标准农田建设项目", "high-standard farmland"),
    ("agriculture", "现代农业产业园", "modern agricultural park"),
)
OWNERS = (
    "青河城市建设投资集团有限公司",
    "青河产业发展集团有限公司",
    "华东新材料科技有限公司",
    "青河交通投资有限公司",
    "恒远智能装备股份有限公司",
    "青河水务集团有限公司",
    "瑞丰实业有限公司",
    "青河文旅投资有限公司",
)
PROBLEMS = (
    "用地指标尚未落实，需市自然资源和规划局协调",
    "施工许可审批进度较慢，需住建局加快办理",
    "供电线路迁改未完成，影响施工进场",
    "项目资金缺口约{gap}万元，需协调金融机构支持",
    "环评批复尚未下达，需生态环境局协调",
    "征地拆迁有{n}户未签约，需属地政府推进",
)
PROGRESS = (
    "完成桩基施工{n}根，主体结构施工至第{f}层",
    "完成场地平整和临建搭设，塔吊安装完毕",
    "设备安装完成{p}%，进入单机调试阶段",
    "办理完成规划许可，正在办理施工许可",
    "完成土方开挖{n}立方米",
    "厂房钢结构吊装完成{p}%",
)
PLANS = (
    "继续推进主体结构施工",
    "完成施工许可办理，准备开工",
    "推进设备安装调试",
    "开展竣工验收准备工作",
    "推进征地拆迁扫尾",
)


@dataclass
class DemoProject:
    code: str
    unit: str
    name_zh: str
    name_en: str
    category: str
    level: str
    leader: str
    owner: str
    location: str
    total: Decimal
    start_year: int
    end_year: int
    stage: str
    stages: list[tuple[str, datetime.date]] = field(default_factory=list)
    target_start: datetime.date | None = None
    milestones: dict[str, tuple[datetime.date | None, datetime.date | None]] = field(
        default_factory=dict
    )
    plan: Decimal | None = None
    monthly: list[Decimal] = field(default_factory=list)
    actuals: dict[int, Decimal] = field(default_factory=dict)


#: Each unit's four projects: one started this spring (its formalities fall in the year's first
#: months), one before the start, one done building, and one of what remains of `STAGE_MIX`.
SLOT_B = ("landed", "landed", "signed")
SLOT_C = ("completed", "in_production", "at_capacity", "completed", "in_production")


def _stages_list(units: int) -> list[str]:
    """The stage of each project, unit by unit (four each), matching `STAGE_MIX` overall."""
    left = dict(STAGE_MIX)
    slots = []
    for n in range(units):
        chosen = ["started", SLOT_B[n % len(SLOT_B)], SLOT_C[n % len(SLOT_C)]]
        for stage in chosen:
            left[stage] -= 1
        slots.append(chosen)
    rest = [stage for stage, count in left.items() for _n in range(max(count, 0))]
    for n, chosen in enumerate(slots):
        chosen.append(rest[n % len(rest)] if rest else "planned")
    return [stage for chosen in slots for stage in chosen]


def build_projects(units: list, *, as_of: datetime.date) -> list[DemoProject]:
    """The sixty projects of the city's units (pure: no database), as of `as_of`."""
    from saima.engine.projects import DEFAULT_LEAD_DAYS, STAGE_RANK, plan_milestones

    rng = random.Random(SEED)
    stages = _stages_list(len(units))
    year = as_of.year
    spring = datetime.date(year, 1, 1)
    made = []
    for n, stage in enumerate(stages):
        unit = units[n // 4]
        category, zh, en = KINDS[(n * 7) % len(KINDS)]
        short_zh = unit.name_zh[:2]
        short_en = unit.name_en.split()[0]
        total = Decimal(rng.choice((8, 12, 15, 20, 30, 45, 60, 80, 120, 200))) * 1000
        rank = STAGE_RANK[stage]
        # Later stages started longer ago (a project at capacity two years back); a project not
        # started yet is planned to start soon, or should have started already.
        start = as_of + datetime.timedelta(days=rng.randint(*START_DAYS[rank]))
        if n % 4 == 0:  # the unit's project started this spring
            start = min(
                spring + datetime.timedelta(days=rng.randint(75, 130)),
                as_of - datetime.timedelta(days=rng.randint(10, 40)),
            )
        project = DemoProject(
            code=f"QH-{year}-{n + 1:03d}",
            unit=unit.code,
            name_zh=f"{short_zh}{zh}",
            name_en=f"{short_en} {en}",
            category=category,
            level=("provincial", "city", "city", "county")[(n * 3) % 4],
            leader=LEADERS[n % len(LEADERS)],
            owner=OWNERS[n % len(OWNERS)],
            location=f"{unit.name_zh}",
            total=total,
            start_year=min(start.year, year),
            end_year=max(start.year, year) + rng.randint(1, 2),
            stage=stage,
            target_start=start,
        )
        planned = plan_milestones("started", start, lead_days=DEFAULT_LEAD_DAYS)
        signed_on = planned["approval"] - datetime.timedelta(days=rng.randint(60, 120))
        landed_on = planned["approval"] + datetime.timedelta(days=rng.randint(10, 40))
        planned = {"signed": signed_on, "landed": landed_on, **planned}
        _date_milestones(project, planned, rng, as_of)
        made.append(project)
        _plan_investment(project, rng, as_of)
    return made


def _date_milestones(project: DemoProject, planned: dict, rng: random.Random, as_of) -> None:
    """Actual dates for what the project's stage says is done: a few days early or late; the
    formalities before the start done; a project before the start has some overdue."""
    from saima.engine.projects import FORMALITIES, STAGE_RANK

    rank = STAGE_RANK[project.stage]
    changes = []
    for code, when in planned.items():
        actual = None
        is_stage = code in STAGE_RANK
        reached = is_stage and STAGE_RANK[code] <= rank
        # Landed means approval and land in place; the other formalities are under way.
        in_place = code in ("approval", "land") or rng.random() < 0.5
        formality_done = code in FORMALITIES and (
            rank >= STAGE_RANK["started"] or (rank >= STAGE_RANK["landed"] and in_place)
        )
        if reached or formality_done:
            early_or_late = rng.choice((-15, -10, -6, -3, -1, 0, 0, 0, 2, 5, 12, 26))
            actual = when + datetime.timedelta(days=early_or_late)
            actual = min(actual, as_of - datetime.timedelta(days=1))
        if reached:
            changes.append((code, actual))
        project.milestones[code] = (when, actual)
    # Stage dates in order (a later stage never before an earlier one).
    last = None
    for code, day in sorted(changes, key=lambda c: STAGE_RANK[c[0]]):
        if last is not None and day < last:
            day = last
            planned_day = project.milestones[code][0]
            project.milestones[code] = (planned_day, day)
        project.stages.append((code, day))
        last = day


def _plan_investment(project: DemoProject, rng: random.Random, as_of: datetime.date) -> None:
    """This year's plan (a share of the total, by stage), split by the back-loaded profile, and
    the cumulative completed investment of each month before the current one."""
    from saima.engine.projects import STAGE_RANK

    rank = STAGE_RANK[project.stage]
    share = {0: 0, 1: 0.02, 2: 0.08, 3: 0.35, 4: 0.2, 5: 0.1, 6: 0.05}[rank]
    if not share:
        return
    plan = (project.total * Decimal(str(share))).quantize(Decimal("1"))
    cumulative = [(plan * Decimal(str(p)) / 100).quantize(Decimal("1")) for p in PROJECT_PROFILE]
    cumulative[-1] = plan
    project.plan = plan
    project.monthly = [cumulative[0]] + [b - a for a, b in itertools.pairwise(cumulative)]
    pace = Decimal(str(rng.choice((0.72, 0.85, 0.93, 0.98, 1.02, 1.06, 1.12))))
    value = Decimal(0)
    for month in range(1, as_of.month):
        step = project.monthly[month - 1] * pace * Decimal(str(rng.uniform(0.85, 1.15)))
        value = (value + step).quantize(Decimal("1"))
        project.actuals[month] = value


def load_demo_projects(*, as_of: datetime.date) -> int:
    """Write the projects of the demo city (already loaded) and their indicators; return how
    many projects."""
    from django.contrib.auth import get_user_model
    from simple_history.utils import bulk_create_with_history

    from saima.metrics.models import Indicator, Target
    from saima.org.models import Unit
    from saima.projects.models import (
        AnnualPlan,
        InvestmentActual,
        Milestone,
        MilestoneCode,
        Project,
        StageChange,
    )

    units = list(Unit.objects.filter(race_group__isnull=False).order_by("order", "code"))
    if not units:
        return 0
    office = get_user_model().objects.filter(username="office").first()
    leader = get_user_model().objects.filter(username="leader").first()
    if leader is not None:
        leader.last_name, leader.first_name = LEADERS[0][0], LEADERS[0][1:]
        leader.save(update_fields=["last_name", "first_name"])
    made = build_projects(units, as_of=as_of)
    by_code = {u.code: u for u in units}

    def history(objects, model):
        bulk_create_with_history(
            objects, model, default_user=None, default_change_reason=CHANGE_REASON
        )

    projects = []
    for item in made:
        last = item.stages[-1] if item.stages else None
        project = Project(
            code=item.code,
            name=item.name_zh,
            name_en=item.name_en,
            category=item.category,
            level=item.level,
            unit=by_code[item.unit],
            leader_name=item.leader,
            leader=leader if item.leader == LEADERS[0] else None,
            owner=item.owner,
            location=item.location,
            total_investment=item.total,
            start_year=item.start_year,
            end_year=item.end_year,
            stage=item.stage,
            stage_since=last[1] if last else None,
            target_start=item.target_start,
        )
        project.full_clean(validate_unique=False, validate_constraints=False)
        projects.append(project)
    history(projects, Project)
    saved = {p.code: p for p in Project.objects.filter(code__in=[m.code for m in made])}
    changes, milestones, plans, actuals = [], [], [], []
    for item in made:
        project = saved[item.code]
        previous = "planned"
        for stage, day in item.stages:
            changes.append(
                StageChange(project=project, stage=stage, previous=previous, date=day, by=office)
            )
            previous = stage
        for code in MilestoneCode.values:
            planned, actual = item.milestones.get(code, (None, None))
            milestones.append(Milestone(project=project, code=code, planned=planned, actual=actual))
        if item.plan is not None:
            plans.append(
                AnnualPlan(
                    project=project,
                    year=as_of.year,
                    amount=item.plan,
                    monthly=[str(m) for m in item.monthly],
                )
            )
        for month, value in item.actuals.items():
            actuals.append(
                InvestmentActual(project=project, year=as_of.year, month=month, value=value)
            )
    StageChange.objects.bulk_create(changes)
    history(milestones, Milestone)
    history(plans, AnnualPlan)
    history(actuals, InvestmentActual)
    _weekly(saved, made, as_of, office)
    _indicators(units, made, as_of, Indicator, Target)
    return len(made)


def _weekly(saved: dict, made: list[DemoProject], as_of: datetime.date, office) -> None:
    """The last four weeks' reports: every project that has started reports; one unit in
    three has not reported the current week yet; about one report in four raises a problem."""
    from simple_history.utils import bulk_create_with_history

    from saima.engine.calendar import Week
    from saima.engine.projects import STAGE_RANK
    from saima.projects.models import WeeklyProblem, WeeklyReport

    rng = random.Random(SEED + 1)
    current = Week.of(as_of)
    weeks = [Week.of(as_of - datetime.timedelta(days=7 * back)) for back in range(3, -1, -1)]
    late_units = {p.unit for n, p in enumerate(made) if (n // 4) % 3 == 0}
    reports = []
    for week in weeks:
        for item in made:
            if STAGE_RANK[item.stage] < STAGE_RANK["signed"]:
                continue
            if week == current and item.unit in late_units:
                continue
            text = rng.choice(PROGRESS).format(
                n=rng.randint(20, 400), f=rng.randint(2, 18), p=rng.randint(20, 95)
            )
            problem = ""
            if rng.random() < 0.25:
                problem = rng.choice(PROBLEMS).format(
                    gap=rng.randint(2, 40) * 500, n=rng.randint(2, 30)
                )
            reports.append(
                WeeklyReport(
                    project=saved[item.code],
                    year=week.year,
                    week=week.week,
                    progress=text,
                    next_plan=rng.choice(PLANS),
                    problems=problem,
                )
            )
    bulk_create_with_history(
        reports, WeeklyReport, default_user=None, default_change_reason=CHANGE_REASON
    )
    stored = WeeklyReport.objects.filter(project__in=list(saved.values())).exclude(problems="")
    problems = []
    for report in stored.select_related("project"):
        older = (report.year, report.week) < (current.year, current.week)
        status = WeeklyProblem.Status.OPEN
        response = ""
        if older and rng.random() < 0.5:
            status, response = WeeklyProblem.Status.RESOLVED, "已协调相关部门解决"
        elif older:
            status, response = WeeklyProblem.Status.COORDINATING, "已转交相关部门研究"
        problems.append(
            WeeklyProblem(
                report=report,
                project=report.project,
                year=report.year,
                week=report.week,
                text=report.problems,
                status=status,
                response=response,
                updated_by=office,
            )
        )
    bulk_create_with_history(
        problems, WeeklyProblem, default_user=None, default_change_reason=CHANGE_REASON
    )


#: The indicators the demo computes from its projects: (code, Chinese, English, kind, measure
#: zh/en, decimals, source).
PROJECT_INDICATORS = (
    (
        "kp-investment",
        "重点项目完成投资",
        "Key-project investment completed",
        "amount",
        ("亿元", "100m yuan"),
        2,
        "projects.investment_100m",
    ),
    (
        "kp-on-time",
        "重点项目节点按期完成率",
        "Key-project milestones done on time",
        "level",
        ("%", "%"),
        1,
        "projects.milestones_on_time",
    ),
    (
        "kp-landed-started",
        "重点项目落地转开工率",
        "Key projects landed → started",
        "level",
        ("%", "%"),
        1,
        "projects.landed_to_started",
    ),
)
#: The floor each unit is held to on the rates (%).
ON_TIME_FLOOR = Decimal(85)
CONVERSION_FLOOR = Decimal(60)


def _indicators(units, made: list[DemoProject], as_of: datetime.date, Indicator, Target) -> None:
    from simple_history.utils import bulk_create_with_history

    last = Indicator.objects.order_by("-order").values_list("order", flat=True).first() or 0
    created = {}
    for n, (code, zh, en, kind, measure, decimals, source) in enumerate(PROJECT_INDICATORS, 1):
        indicator = Indicator(
            code=code,
            name_zh=zh,
            name_en=en,
            kind=kind,
            measure_zh=measure[0],
            measure_en=measure[1],
            decimals=decimals,
            source=source,
            profile=list(PROJECT_PROFILE) if kind == "amount" else None,
            order=last + n,
        )
        indicator.full_clean(validate_unique=False, validate_constraints=False)
        created[code] = indicator
    Indicator.objects.bulk_create(created.values())
    plans: dict[str, Decimal] = {}
    for item in made:
        plans[item.unit] = plans.get(item.unit, Decimal(0)) + (item.plan or 0)
    targets = []
    for unit in units:
        for code, indicator in created.items():
            if code == "kp-investment":
                value = (plans.get(unit.code, Decimal(0)) / 10_000).quantize(Decimal("0.01"))
                target = Target(
                    unit=unit,
                    indicator=indicator,
                    year=as_of.year,
                    value=value if value > 0 else None,
                    not_applicable=value <= 0,
                )
            else:
                floor = ON_TIME_FLOOR if code == "kp-on-time" else CONVERSION_FLOOR
                target = Target(unit=unit, indicator=indicator, year=as_of.year, value=floor)
            target._history_user = None
            targets.append(target)
    bulk_create_with_history(
        targets, Target, default_user=None, default_change_reason=CHANGE_REASON
    )


def delete_demo_projects() -> None:
    """Every project, what hangs on it and their history (a demo reset only). Query deletes,
    children first: deleting object by object wrote a history row for each milestone, report
    and photo on the way out, a second and more of a reset."""
    from django.apps import apps

    models = apps.get_app_config("projects").get_models(include_auto_created=True)
    for model in reversed(list(models)):
        queryset = model._base_manager.all()
        queryset._raw_delete(queryset.db)
