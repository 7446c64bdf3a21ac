"""The demo city's supervision: about forty items from every source, in every state of their life
(some closed on time, some late, some overdue at each step of the ladder), two rectification
lists, and the on-time closure rate as an indicator the race scores.

Everything goes through `saima.supervision.services` with the day each act happened, from a
fixed seed and the demo's today, so a reload gives the same items; the escalation job then runs
once for today (recording the steps without emailing).
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from saima.demo.summary import CHANGE_REASON

SEED = 20260113
#: The indicator the race scores: (code, Chinese, English, source, floor %).
CLOSURE_INDICATOR = (
    "sv-closure",
    "督办事项按期办结率",
    "Supervision items closed on time",
    "supervision.closure_on_time",
    Decimal(90),
)

#: (source, title, task) of the items, cycled over the units.
ITEMS = (
    ("meeting", "推进老旧小区改造开工", "完成年度老旧小区改造项目开工手续并全面开工"),
    ("meeting", "加快闲置土地处置", "对批而未供、供而未用土地逐宗制定处置方案"),
    ("instruction", "落实市长批示：企业用工保障", "摸排重点企业用工缺口，组织专场招聘"),
    ("instruction", "落实书记批示：安全生产隐患整治", "开展危化品企业隐患排查整治，建立台账"),
    ("higher", "省交办：营商环境评价整改", "对照省营商环境评价反馈问题逐项整改"),
    ("higher", "省交办：耕地保护专项督察", "整改违法占用耕地问题，按期复耕复绿"),
    ("race", "赛马落后表态承诺：固投追赶", "落实表态发言承诺，固定资产投资进度追上时序"),
    ("race", "赛马落后表态承诺：社零追赶", "落实促消费举措，社零增速回到目标线"),
    ("objection", "异议纠正：三月投资数据重报", "核实三月固定资产投资数据并按程序重报"),
    ("project", "重点项目问题：用地指标协调", "协调解决项目用地指标，保障按期开工"),
    ("project", "重点项目问题：电力接入", "协调供电部门完成项目电力接入"),
    ("light", "持续红灯：规上工业增加值", "分析增加值连续三个月红灯原因，制定追赶措施"),
    ("inspection", "督查发现：民生实事进度滞后", "加快民生实事项目建设进度"),
    ("complaint", "群众投诉：小区供暖不达标", "督促供热企业整改，回访投诉群众"),
    ("complaint", "12345热线：道路破损修复", "限期修复破损道路并反馈办理结果"),
)

#: The life each item is given, in order (cycled): how far it got and how it went.
LIVES = (
    "closed_on_time",
    "overdue_interview",
    "closed_late",
    "in_progress",
    "overdue_reminder",
    "closure_requested",
    "extended_in_time",
    "overdue_bulletin",
    "closed_on_time",
    "unacknowledged",
    "returned",
    "extended_late",
    "in_progress",
    "closed_on_time",
)
COUNT = 40

#: Two rectification lists: (title, source, reference, entries as (problem, measure)).
LISTS = (
    (
        "市委第二巡察组反馈问题整改清单",
        "inspection",
        "青巡反〔2026〕3号",
        (
            ("“三重一大”决策制度执行不严", "修订议事规则，逐项对照整改"),
            ("专项资金拨付滞后", "建立拨付台账，限期拨付到位"),
            ("干部作风建设抓得不实", "开展作风专项整治，建立长效机制"),
            ("招商引资项目跟踪服务不到位", "建立项目专班，周调度月通报"),
            ("安全生产责任落实不到位", "压实属地责任，开展隐患排查"),
            ("信访积案化解不力", "领导包案，限期化解"),
            ("政府采购程序不规范", "完善内控制度，组织专题培训"),
            ("巡察整改台账不完整", "补齐整改台账，建立销号制度"),
        ),
    ),
    (
        "2025年度审计发现问题整改清单",
        "audit",
        "青审〔2026〕7号",
        (
            ("部分债务资金闲置", "盘活闲置资金，调整用途"),
            ("政府投资项目超概算", "核定概算，追究责任"),
            ("国有资产出租未经评估", "补办评估手续，规范出租程序"),
            ("惠民补贴发放不及时", "清理积压，限期发放"),
            ("非税收入未及时缴库", "全额缴库，建立对账机制"),
            ("往来款项长期挂账", "逐笔清理，限期核销"),
        ),
    ),
)


def load_demo_supervision(*, as_of: datetime.date) -> int:
    """Create the items and lists as of `as_of`; return how many items."""
    from django.contrib.auth import get_user_model

    from saima.org.access import Access
    from saima.org.models import Unit
    from saima.supervision import services

    users = {u.username: u for u in get_user_model().objects.all()}
    office, office_user = Access.for_user(users["office"]), users["office"]
    units = list(Unit.objects.filter(active=True, parent__isnull=False).order_by("order", "code"))
    if not units:
        return 0
    reporter_unit = _reporter_unit(users["reporter"]) if "reporter" in users else None
    rng = random.Random(SEED)
    year_start = datetime.date(as_of.year, 1, 5)
    span = max(30, (as_of - year_start).days - 20)
    made = 0
    for n in range(COUNT):
        source, title, task = ITEMS[n % len(ITEMS)]
        life = LIVES[n % len(LIVES)]
        unit = (
            reporter_unit if (n % 5 == 0 and reporter_unit is not None) else units[n % len(units)]
        )
        co = [u for u in rng.sample(units, 2) if u.pk != unit.pk][:1]
        assigned = year_start + datetime.timedelta(days=rng.randrange(0, span))
        deadline = assigned + datetime.timedelta(days=rng.choice((20, 30, 45, 60)))
        if life.startswith("overdue") or life in ("closed_late", "extended_late", "returned"):
            # Overdue by a few days (reminder), a week or more (bulletin), over a fortnight
            # (interview); the others' deadlines passed a fortnight or so ago.
            lateness = {"overdue_reminder": 3, "overdue_bulletin": 10, "overdue_interview": 20}
            late = lateness.get(life, 12 + rng.randrange(0, 20))
            deadline = as_of - datetime.timedelta(days=late)
            assigned = deadline - datetime.timedelta(days=rng.choice((20, 30, 45)))
        elif life in ("in_progress", "unacknowledged", "closure_requested", "extended_in_time"):
            deadline = max(deadline, as_of + datetime.timedelta(days=rng.randrange(5, 40)))
            assigned = min(assigned, as_of - datetime.timedelta(days=rng.randrange(3, 25)))
        assigned = max(assigned, datetime.date(as_of.year, 1, 2))
        item = services.item_create(
            access=office,
            user=office_user,
            data=services.ItemData(
                title=f"{title}（{unit.name_zh}）",
                task=task,
                source=source,
                lead_unit=unit,
                co_units=co,
                leader=users.get("leader") if n % 3 == 0 else None,
                deadline=deadline,
                level=("ordinary", "key", "listed")[n % 3],
                rhythm=("weekly", "dekad", "monthly")[n % 3],
            ),
            day=assigned,
        )
        _live(item, life, unit, as_of, rng, office, office_user)
        made += 1
    _lists(units, as_of, office, office_user, rng)
    services.escalation_run(today=as_of, notify=False)
    return made


def _reporter_unit(user):
    from saima.org.models import Membership

    found = Membership.objects.filter(user=user, unit__isnull=False).select_related("unit").first()
    return found.unit if found else None


def _unit_access(unit):
    """Someone of the lead unit, to act for it (the demo's reporter, or a made-up access)."""
    from saima.org.access import Access

    return Access(user_id=None, reporter_units=frozenset({unit.pk}))


def _live(item, life, unit, as_of, rng, office, office_user) -> None:
    from saima.supervision import services

    if life == "unacknowledged":
        return
    lead = _unit_access(unit)
    day = item.assigned_on + datetime.timedelta(days=1 if life != "overdue_interview" else 6)
    day = min(day, as_of)
    services.item_acknowledge(access=lead, user=None, item=item, day=day)
    end = min(as_of, item.deadline + datetime.timedelta(days=8 if life == "closed_late" else 0))
    step = {"weekly": 7, "dekad": 10, "monthly": 30}[item.rhythm]
    report = day + datetime.timedelta(days=rng.randrange(2, step))
    texts = (
        "已召开专题会议部署",
        "完成前期摸排，形成工作方案",
        "推进中，完成约六成",
        "主体工作完成",
    )
    n = 0
    while report < end - datetime.timedelta(days=1) and n < 6:
        if life.startswith("overdue") and report > item.deadline - datetime.timedelta(days=10):
            break
        services.item_feedback(access=lead, user=None, item=item, text=texts[n % 4], day=report)
        report += datetime.timedelta(days=step)
        n += 1
    if n == 0 and life not in ("overdue_reminder", "overdue_bulletin", "overdue_interview"):
        services.item_feedback(access=lead, user=None, item=item, text=texts[0], day=day)
    if life in ("extended_in_time", "extended_late"):
        granted = item.deadline - datetime.timedelta(days=3)
        if life == "extended_late":
            granted = item.deadline + datetime.timedelta(days=4)
        granted = min(granted, as_of)
        services.item_extend(
            access=office,
            user=office_user,
            item=item,
            new_deadline=max(item.deadline, as_of) + datetime.timedelta(days=30),
            reason="项目审批环节较多，需延期",
            day=granted,
        )
        return
    if life in ("closed_on_time", "closed_late", "closure_requested", "returned"):
        asked = item.deadline - datetime.timedelta(days=2) if life != "closed_late" else end
        asked = max(min(asked, as_of), day)
        if life == "closure_requested":
            asked = as_of - datetime.timedelta(days=1)
        services.item_request_closure(
            access=lead, user=None, item=item, text="任务已完成，申请办结", day=asked
        )
        if life == "returned":
            services.item_return(
                access=office,
                user=office_user,
                item=item,
                reason="佐证材料不全，请补充",
                day=min(asked + datetime.timedelta(days=1), as_of),
            )
        elif life != "closure_requested":
            services.item_close(
                access=office,
                user=office_user,
                item=item,
                day=min(asked + datetime.timedelta(days=1), as_of),
            )


def _lists(units, as_of, office, office_user, rng) -> None:
    from saima.supervision import services

    for title, source, reference, entries in LISTS:
        made = services.rectification_list_create(
            access=office,
            user=office_user,
            title=title,
            source=source,
            reference=reference,
            day=datetime.date(as_of.year, 2, 20),
        )
        for n, (problem, measure) in enumerate(entries):
            unit = units[(n * 3 + len(title)) % len(units)]
            entry = services.rectification_add(
                access=office,
                user=office_user,
                rectification_list=made,
                problem=problem,
                measure=measure,
                unit=unit,
                deadline=as_of - datetime.timedelta(days=rng.randrange(-30, 60)),
            )
            status = ("rectified", "rectified", "rectifying", "basically_done", "continuing")[n % 5]
            services.rectification_report(
                access=office,
                user=office_user,
                rectification=entry,
                status=status,
                progress="已按措施推进" if status != "rectified" else "整改完成，已销号",
                day=as_of - datetime.timedelta(days=5),
            )
            if status == "rectified" and n % 4 != 1:
                services.rectification_verify(
                    access=office,
                    user=office_user,
                    rectification=entry,
                    accept=True,
                    day=as_of - datetime.timedelta(days=2),
                )


def add_closure_indicator(*, year: int) -> None:
    """The on-time closure rate as an indicator (computed from supervision), with the floor
    every unit is held to as its target."""
    from simple_history.utils import bulk_create_with_history

    from saima.metrics.models import Indicator, Target
    from saima.org.models import Unit

    code, zh, en, source, floor = CLOSURE_INDICATOR
    last = Indicator.objects.order_by("-order").values_list("order", flat=True).first() or 0
    indicator = Indicator(
        code=code,
        name_zh=zh,
        name_en=en,
        kind="level",
        measure_zh="%",
        measure_en="%",
        decimals=1,
        source=source,
        order=last + 1,
    )
    indicator.full_clean(validate_unique=False, validate_constraints=False)
    indicator.save()
    targets = []
    for unit in Unit.objects.filter(active=True, parent__isnull=False):
        target = Target(unit=unit, indicator=indicator, year=year, value=floor)
        target._history_user = None
        targets.append(target)
    bulk_create_with_history(
        targets, Target, default_user=None, default_change_reason=CHANGE_REASON
    )


def delete_demo_supervision() -> None:
    """Every item, list and setting (a demo reset only: an item's timeline is otherwise never
    deleted, so the rows go by query deletes, which skip `Event.delete`)."""
    from saima.supervision import models

    for model in (
        models.Item.co_units.through,
        models.EventFile,
        models.Escalation,
        models.Extension,
        models.Event,
        models.Item,
        models.RectificationFile,
        models.Rectification.history.model,
        models.Rectification,
        models.RectificationList,
        models.SupervisionSettings.history.model,
        models.SupervisionSettings,
    ):
        queryset = model._base_manager.all()
        queryset._raw_delete(queryset.db)
