"""The project list as an office keeps it in Excel: reading it (XLSX, or CSV in UTF-8 or GBK,
Chinese or English headers, amounts in 万元 or 亿元 as the file declares) and writing it back.

Reading has two steps, both before anything is stored: `parse_projects` types every cell and
refuses what cannot be read (a text amount, a negative one, a date that is not a date, an
unknown category), each problem naming file, sheet, row and column; `import_problems` then
checks the rows against each other and the database (an unknown unit, a code twice, a stage
moved back without a reason, an actual date in the future, months that do not sum to the annual
plan, an amount about 10 000 times what is stored: a 万元 figure in a 亿元 column). The service
runs the second step again inside its transaction.
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
from django.utils.translation import gettext as _

from saima.common.workbooks import check_size, check_workbook_bytes, refuse
from saima.engine.projects import MILESTONES, STAGE_RANK, amount_slips, plan_differences
from saima.org.models import Unit
from saima.projects.models import CODE_PATTERN, Project, Stage
from saima.tabular import Column, InputError, Problem, Table, read_table, write_table

MAX_ROWS = 20_000
#: 万元 in one 亿元.
WAN_PER_YI = Decimal(10_000)
MEASURES = ("万元", "亿元")
_CODE = re.compile(CODE_PATTERN)

#: How each milestone is written in a Chinese list's headers.
MILESTONE_ZH = {
    "signed": ("签约",),
    "landed": ("落地",),
    "approval": ("立项备案", "立项/备案", "立项"),
    "land": ("用地", "土地"),
    "planning": ("规划许可", "规划"),
    "environment": ("环评",),
    "construction_permit": ("施工许可",),
    "started": ("开工",),
    "completed": ("竣工",),
    "in_production": ("投产",),
    "at_capacity": ("达产",),
}
#: The Chinese words for each category and level an office writes (codes work too).
CATEGORY_WORDS = {
    "industry": ("工业", "产业", "产业项目", "工业项目", "制造业"),
    "infrastructure": ("基础设施", "基础设施项目", "基建"),
    "services": ("现代服务业", "服务业", "服务业项目"),
    "livelihood": ("民生", "社会民生", "民生项目", "社会事业"),
    "ecology": ("生态环保", "生态", "生态环境", "环保"),
    "agriculture": ("农业农村", "农业", "乡村振兴"),
    "other": ("其他", "其它"),
}
LEVEL_WORDS = {
    "provincial": ("省重点", "省级", "省级重点", "省重点项目"),
    "city": ("市重点", "市级", "市级重点", "市重点项目"),
    "county": ("县重点", "县级", "区重点", "县区重点", "县(区)重点", "县重点项目"),
}
STAGE_WORDS = {
    "planned": ("谋划", "储备", "谋划储备", "未签约"),
    "signed": ("签约", "已签约"),
    "landed": ("落地", "已落地"),
    "started": ("开工", "已开工", "在建"),
    "completed": ("竣工", "已竣工"),
    "in_production": ("投产", "已投产"),
    "at_capacity": ("达产", "已达产"),
}


def _money(name: str, *words: str) -> tuple[str, ...]:
    """A money column's headers, with and without the declared measure."""
    found = [name]
    for word in words:
        found.append(word)
        found.extend(f"{word}({m})" for m in MEASURES)
    return tuple(found)


def _milestone_columns() -> list[Column]:
    columns = []
    for code in MILESTONES:
        zh = MILESTONE_ZH[code]
        english = code.replace("_", " ")
        planned = (
            *(f"{z}计划" for z in zh),
            *(f"{z}计划日期" for z in zh),
            *(f"{z}计划时间" for z in zh),
            f"{english} planned",
        )
        actual = (
            *(f"{z}完成" for z in zh),
            *(f"{z}完成日期" for z in zh),
            *(f"{z}实际" for z in zh),
            *(f"{z}实际日期" for z in zh),
            f"{english} actual",
        )
        columns.append(Column(f"{code}_planned", required=False, allow_blank=True, aliases=planned))
        columns.append(Column(f"{code}_actual", required=False, allow_blank=True, aliases=actual))
    return columns


COLUMNS: tuple[Column, ...] = (
    Column("code", aliases=("项目编号", "项目代码", "编号", "project code")),
    Column("name", aliases=("项目名称", "名称", "project name")),
    Column("name_en", required=False, allow_blank=True, aliases=("英文名称", "english name")),
    Column("category", aliases=("项目类别", "类别", "行业类别", "项目类型")),
    Column("level", aliases=("项目级别", "级别", "项目层级")),
    Column("unit", aliases=("责任单位", "单位", "responsible unit")),
    Column(
        "leader",
        required=False,
        allow_blank=True,
        aliases=("包联领导", "包保领导", "联系领导", "leader in charge"),
    ),
    Column(
        "owner",
        required=False,
        allow_blank=True,
        aliases=("项目业主", "业主单位", "建设单位", "owner company"),
    ),
    Column("location", required=False, allow_blank=True, aliases=("建设地点", "地点", "项目地点")),
    Column(
        "total_investment",
        kind="number",
        aliases=_money("total investment", "总投资", "计划总投资", "项目总投资"),
    ),
    Column(
        "years",
        aliases=("建设年限", "建设起止年限", "起止年限", "建设周期", "construction years"),
    ),
    Column("stage", required=False, allow_blank=True, aliases=("项目阶段", "当前阶段", "阶段")),
    Column(
        "stage_date",
        required=False,
        allow_blank=True,
        aliases=("阶段日期", "阶段变更日期", "stage date"),
    ),
    Column(
        "stage_reason",
        required=False,
        allow_blank=True,
        aliases=("变更原因", "阶段变更原因", "回退原因", "stage reason"),
    ),
    Column(
        "target_start",
        required=False,
        allow_blank=True,
        aliases=("计划开工日期", "计划开工时间", "target start date"),
    ),
    Column(
        "annual_plan",
        kind="number",
        required=False,
        allow_blank=True,
        aliases=_money("annual plan", "年度计划投资", "年度计划", "年计划投资", "年度投资计划"),
    ),
    *(
        Column(
            f"m{m}",
            kind="number",
            required=False,
            allow_blank=True,
            aliases=(f"{m}月", f"{m}月计划", f"{m}月计划投资", f"month {m}"),
        )
        for m in range(1, 13)
    ),
    *_milestone_columns(),
)
MONEY_COLUMNS = ("total_investment", "annual_plan", *(f"m{m}" for m in range(1, 13)))
MONTH_COLUMNS = tuple(f"m{m}" for m in range(1, 13))


@dataclass(frozen=True)
class ImportRow:
    """One project of a list, typed, in 万元, with the row it came from."""

    row: int
    code: str
    name: str
    category: str
    level: str
    unit: str
    total_investment: Decimal
    start_year: int
    end_year: int
    name_en: str = ""
    leader: str = ""
    owner: str = ""
    location: str = ""
    stage: str | None = None
    stage_date: date | None = None
    stage_reason: str = ""
    target_start: date | None = None
    annual_plan: Decimal | None = None
    monthly: tuple[Decimal, ...] | None = None
    milestones: dict[str, tuple[date | None, date | None]] = field(default_factory=dict)


@dataclass(frozen=True)
class ParsedList:
    """A project list read from a file: its rows and what is needed to point back at a cell."""

    rows: list[ImportRow]
    file: str
    sheet: str | None
    labels: dict[str, str]
    """Column name → how the file names it ("J (总投资(亿元))" in a workbook)."""
    measure: str
    year: int

    def problem(self, row: int | None, column: str | None, message: str) -> Problem:
        label = None if column is None else self.labels.get(column, column)
        return Problem(file=self.file, message=message, sheet=self.sheet, row=row, column=label)


# --- reading -------------------------------------------------------------------------------------


def parse_projects(data: bytes, *, filename: str, measure: str, year: int) -> ParsedList:
    """Every project of the file, typed and in 万元; InputError naming each cell that cannot
    be read. `measure` is what the file's amounts are in (万元 or 亿元)."""
    check_size(data, file=filename)
    suffix = Path(filename).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        check_workbook_bytes(data, file=filename)
    elif suffix not in (".csv", ".txt"):
        raise refuse(
            filename,
            _("is not a CSV or XLSX file (the name ends in “%(suffix)s”)")
            % {"suffix": suffix or "?"},
        )
    if measure not in MEASURES:
        raise refuse(filename, _("say whether its amounts are in 万元 or 亿元"))
    with tempfile.TemporaryDirectory(prefix="saima-projects-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        table = read_table(path, COLUMNS, label=filename)
    if table.frame.height > MAX_ROWS:
        raise refuse(filename, _("has more than %(max)d rows") % {"max": MAX_ROWS})
    return _Reader(table, measure, year).read()


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip().casefold()


def _words(choices: dict[str, tuple[str, ...]], labels: dict[str, Any]) -> dict[str, str]:
    found = {}
    for code, words in choices.items():
        for word in (code, str(labels.get(code, code)), *words):
            found[_fold(word)] = code
    return found


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_YEARS = re.compile(r"^(\d{4})\s*年?\s*(?:[-–—~至到]\s*(\d{4})\s*年?)?$")


def read_date(text: str | None) -> date | None:
    """A date as offices write it: 2026-06-30, 2026/6/30, 2026.6.30, 2026年6月30日."""
    if not text:
        return None
    match = _DATE.match(unicodedata.normalize("NFKC", text).strip())
    if not match:
        raise ValueError(text)
    return date(int(match[1]), int(match[2]), int(match[3]))


class _Reader:
    def __init__(self, table: Table, measure: str, year: int) -> None:
        self.table, self.measure, self.year = table, measure, year
        self.problems: list[Problem] = []
        self.categories = _words(CATEGORY_WORDS, dict(Project.Category.choices))
        self.levels = _words(LEVEL_WORDS, dict(Project.Level.choices))
        self.stages = _words(STAGE_WORDS, dict(Stage.choices))

    def add(self, row: int | None, column: str, message: str) -> None:
        self.problems.append(self.table.problem(row, column, message))

    def read(self) -> ParsedList:
        self._check_headers()
        rows = []
        for record in self.table.frame.iter_rows(named=True):
            row = self._row(record)
            if row is not None:
                rows.append(row)
        if self.problems:
            raise InputError(self.problems)
        labels = {name: self.table.column_label(name) for name in self.table.headers}
        return ParsedList(
            rows=rows,
            file=self.table.file,
            sheet=self.table.sheet,
            labels=labels,
            measure=self.measure,
            year=self.year,
        )

    def _check_headers(self) -> None:
        """A header naming a measure must name the one the file is declared in."""
        for name in MONEY_COLUMNS:
            header = self.table.headers.get(name, "")
            said = [m for m in MEASURES if m in header]
            if said and said[0] != self.measure:
                self.add(
                    None,
                    name,
                    _("the header says %(header)s but the file is declared in %(declared)s")
                    % {"header": said[0], "declared": self.measure},
                )

    def _row(self, record: dict) -> ImportRow | None:
        number = record["_row"]
        before = len(self.problems)
        code = (record["code"] or "").strip()
        if not _CODE.match(code):
            self.add(
                number,
                "code",
                _(
                    "“%(code)s” is not a project code: 1 to 32 letters, digits, dots, hyphens or "
                    "underscores"
                )
                % {"code": code[:40]},
            )
        name = (record["name"] or "").strip()
        if len(name) > 200:
            self.add(number, "name", _("is longer than 200 characters"))
        category = self._choice(record, number, "category", self.categories)
        level = self._choice(record, number, "level", self.levels)
        stage = self._choice(record, number, "stage", self.stages) if record.get("stage") else None
        years = self._years(record.get("years"), number)
        amounts = {n: self._amount(record.get(n), number, n) for n in MONEY_COLUMNS}
        dates = {
            n: self._date(record.get(n), number, n)
            for n in (
                "stage_date",
                "target_start",
                *(f"{m}_{k}" for m in MILESTONES for k in ("planned", "actual")),
            )
        }
        if len(self.problems) > before:
            return None
        monthly = tuple(amounts[n] for n in MONTH_COLUMNS)
        given = [m for m in monthly if m is not None]
        if given and len(given) < 12:
            self.add(number, "m1", _("give all twelve months of the plan, or none"))
            return None
        return ImportRow(
            row=number,
            code=code,
            name=name,
            category=category,
            level=level,
            unit=(record["unit"] or "").strip(),
            total_investment=amounts["total_investment"],
            start_year=years[0],
            end_year=years[1],
            name_en=(record.get("name_en") or "").strip()[:200],
            leader=(record.get("leader") or "").strip()[:50],
            owner=(record.get("owner") or "").strip()[:200],
            location=(record.get("location") or "").strip()[:200],
            stage=stage,
            stage_date=dates["stage_date"],
            stage_reason=(record.get("stage_reason") or "").strip()[:200],
            target_start=dates["target_start"],
            annual_plan=amounts["annual_plan"],
            monthly=monthly if given else None,
            milestones={
                m: (dates[f"{m}_planned"], dates[f"{m}_actual"])
                for m in MILESTONES
                if dates[f"{m}_planned"] or dates[f"{m}_actual"]
            },
        )

    def _choice(self, record: dict, number: int, column: str, words: dict[str, str]) -> str:
        text = record.get(column) or ""
        found = words.get(_fold(text))
        if found is None:
            known = sorted({w for w, code in words.items() if not w.isascii()})
            self.add(
                number,
                column,
                _("“%(value)s” is not one of %(known)s")
                % {"value": text[:40], "known": "、".join(known)},
            )
            return ""
        return found

    def _years(self, text: str | None, number: int) -> tuple[int, int]:
        match = _YEARS.match(unicodedata.normalize("NFKC", text or "").strip())
        if match:
            first = int(match[1])
            last = int(match[2]) if match[2] else first
            if 1990 <= first <= last <= 2100:
                return first, last
        self.add(
            number,
            "years",
            _("“%(value)s” is not a span of years; write it as 2025-2027")
            % {"value": (text or "")[:40]},
        )
        return 0, 0

    def _amount(self, value: float | None, number: int, column: str) -> Decimal | None:
        if value is None:
            return None
        if value < 0:
            self.add(number, column, _("an amount cannot be negative"))
            return None
        amount = Decimal(repr(value))
        if self.measure == "亿元":
            amount *= WAN_PER_YI
        if amount != amount.quantize(Decimal("0.0001")) or amount >= Decimal(10) ** 16:
            self.add(
                number, column, _("%(value)s is not an amount to keep") % {"value": repr(value)}
            )
            return None
        return amount.normalize() if amount else Decimal(0)

    def _date(self, text: str | None, number: int, column: str) -> date | None:
        try:
            return read_date(text)
        except ValueError:
            self.add(
                number,
                column,
                _("“%(value)s” is not a date; write it as 2026-06-30")
                % {"value": (text or "")[:40]},
            )
            return None


# --- checks against each other and the database -------------------------------------------------


def _unit_lookup() -> dict[str, Unit]:
    found: dict[str, Unit] = {}
    for unit in Unit.objects.all():
        for key in (unit.name_en, unit.name_zh, unit.code):  # codes win over names
            found[_fold(key)] = unit
    return found


def resolve_unit(units: dict[str, Unit], text: str) -> Unit | None:
    return units.get(_fold(text))


def import_problems(parsed: ParsedList, *, today: date) -> list[Problem]:
    """What the rows cannot be saved for, against each other and what is stored."""
    problems: list[Problem] = []
    units = _unit_lookup()
    stored = {p.code: p for p in Project.objects.filter(code__in=[r.code for r in parsed.rows])}
    plans = _stored_plans(stored.values(), parsed.year)
    seen: dict[str, int] = {}
    for row in parsed.rows:
        if row.code in seen:
            problems.append(
                parsed.problem(
                    row.row,
                    "code",
                    _("the code %(code)s is also in row %(row)s; a project is listed once")
                    % {"code": row.code, "row": seen[row.code]},
                )
            )
        seen.setdefault(row.code, row.row)
        unit = resolve_unit(units, row.unit)
        if unit is None:
            problems.append(
                parsed.problem(row.row, "unit", _("unknown unit “%(name)s”") % {"name": row.unit})
            )
        elif not unit.active:
            problems.append(
                parsed.problem(
                    row.row, "unit", _("unit %(name)s is no longer active") % {"name": row.unit}
                )
            )
        problems += _row_problems(parsed, row, stored.get(row.code), today)
    problems += _plan_problems(parsed)
    problems += _slip_problems(parsed, stored, plans)
    return problems


def _row_problems(
    parsed: ParsedList, row: ImportRow, project: Project | None, today: date
) -> list[Problem]:
    problems = []
    for code, (_planned, actual) in row.milestones.items():
        if actual is not None and actual > today:
            problems.append(
                parsed.problem(
                    row.row,
                    f"{code}_actual",
                    _("the actual date %(date)s is in the future; enter it once it has happened")
                    % {"date": actual.isoformat()},
                )
            )
    if row.stage_date is not None and row.stage_date > today:
        problems.append(
            parsed.problem(
                row.row,
                "stage_date",
                _("the date %(date)s is in the future") % {"date": row.stage_date.isoformat()},
            )
        )
    if row.annual_plan is not None and row.annual_plan > row.total_investment:
        problems.append(
            parsed.problem(
                row.row,
                "annual_plan",
                _(
                    "the annual plan %(plan)s is more than the total investment %(total)s; are "
                    "they in the same unit of measure?"
                )
                % {
                    "plan": shown(row.annual_plan, parsed.measure),
                    "total": shown(row.total_investment, parsed.measure),
                },
            )
        )
    effective = row.stage or (project.stage if project is not None else Stage.PLANNED)
    for code, (_planned, actual) in row.milestones.items():
        if actual is not None and code in STAGE_RANK and STAGE_RANK[code] > STAGE_RANK[effective]:
            problems.append(
                parsed.problem(
                    row.row,
                    f"{code}_actual",
                    _(
                        "the project is at the stage %(stage)s, so it has not been %(reached)s "
                        "yet; change its stage too"
                    )
                    % {"stage": Stage(effective).label, "reached": Stage(code).label},
                )
            )
    if row.monthly is not None and row.annual_plan is None:
        problems.append(
            parsed.problem(
                row.row, "annual_plan", _("the months are planned but the annual plan is blank")
            )
        )
    current = project.stage if project is not None else Stage.PLANNED
    if row.stage is not None and row.stage != current:
        backwards = STAGE_RANK[row.stage] < STAGE_RANK[current]
        if backwards and not row.stage_reason:
            problems.append(
                parsed.problem(
                    row.row,
                    "stage",
                    _(
                        "moves the project back from %(current)s to %(new)s; give the reason in "
                        "the reason column"
                    )
                    % {"current": Stage(current).label, "new": Stage(row.stage).label},
                )
            )
        since = project.stage_since if project is not None else None
        on = row.stage_date or today
        if since is not None and on < since:
            problems.append(
                parsed.problem(
                    row.row,
                    "stage_date",
                    _("%(date)s is before the date of the current stage, %(since)s")
                    % {"date": on.isoformat(), "since": since.isoformat()},
                )
            )
    return problems


def _plan_problems(parsed: ParsedList) -> list[Problem]:
    """Months that do not add up to the annual plan, by the engine's sums."""
    split = [r for r in parsed.rows if r.monthly is not None and r.annual_plan is not None]
    if not split:
        return []
    plans = pl.DataFrame(
        {
            "project": [str(r.row) for r in split for _m in range(12)],
            "month": [m for _r in split for m in range(1, 13)],
            "amount": [float(a) for r in split for a in r.monthly],
        }
    )
    annual = pl.DataFrame(
        {
            "project": [str(r.row) for r in split],
            "annual_plan": [float(r.annual_plan) for r in split],
        }
    )
    problems = []
    for row, plan, planned, _difference in plan_differences(plans, annual).iter_rows():
        first, last = parsed.labels.get("m1", "m1"), parsed.labels.get("m12", "m12")
        problems.append(
            parsed.problem(
                int(row),
                "annual_plan",
                _(
                    "the months (%(first)s to %(last)s) add up to %(planned)s, not the annual "
                    "plan %(plan)s"
                )
                % {
                    "first": first,
                    "last": last,
                    "planned": shown_float(planned, parsed.measure),
                    "plan": shown_float(plan, parsed.measure),
                },
            )
        )
    return problems


def _stored_plans(projects: Iterable[Project], year: int) -> dict[str, Decimal]:
    from saima.projects.models import AnnualPlan

    return dict(
        AnnualPlan.objects.filter(project__in=list(projects), year=year).values_list(
            "project__code", "amount"
        )
    )


def _slip_problems(
    parsed: ParsedList, stored: dict[str, Project], plans: dict[str, Decimal]
) -> list[Problem]:
    """An amount about 10 000 times (or 1/10 000 of) what is stored for the same project: a 万元
    figure in a 亿元 column, or the reverse — the figures' own `unit_slip` test."""
    rows = []
    for row in parsed.rows:
        project = stored.get(row.code)
        if project is not None:
            rows.append(
                (
                    row.row,
                    "total_investment",
                    float(row.total_investment),
                    float(project.total_investment),
                )
            )
        if row.annual_plan is not None and row.code in plans:
            rows.append((row.row, "annual_plan", float(row.annual_plan), float(plans[row.code])))
    if not rows:
        return []
    frame = pl.DataFrame(
        rows,
        schema={"row": pl.Int64, "column": pl.String, "value": pl.Float64, "reference": pl.Float64},
        orient="row",
    )
    return [
        parsed.problem(
            row,
            column,
            _(
                "%(value)s is about %(ratio)s times the %(stored)s stored for this project: a "
                "万元 figure in a 亿元 column, or the reverse?"
            )
            % {
                "value": shown_float(value, parsed.measure),
                "ratio": _ratio(ratio),
                "stored": shown_float(reference, parsed.measure),
            },
        )
        for row, column, value, reference, ratio in amount_slips(frame).iter_rows()
    ]


def _ratio(ratio: float) -> str:
    return f"{ratio:,.0f}" if ratio >= 1 else f"1/{1 / ratio:,.0f}"


def shown(amount: Decimal, measure: str) -> str:
    """A 万元 amount as the file writes it, in its declared measure."""
    value = amount / WAN_PER_YI if measure == "亿元" else amount
    return f"{value.normalize():f} {measure}"


def shown_float(amount: float, measure: str) -> str:
    return shown(Decimal(repr(amount)), measure)


# --- keeping a list between preview and confirmation ---------------------------------------------


def encode(parsed: ParsedList) -> dict[str, Any]:
    """The parsed list as JSON-able data (for the session between preview and confirmation)."""

    def row(r: ImportRow) -> dict[str, Any]:
        return {
            **{k: v for k, v in r.__dict__.items() if isinstance(v, str | int) or v is None},
            "total_investment": str(r.total_investment),
            "stage_date": r.stage_date.isoformat() if r.stage_date else None,
            "target_start": r.target_start.isoformat() if r.target_start else None,
            "annual_plan": None if r.annual_plan is None else str(r.annual_plan),
            "monthly": None if r.monthly is None else [str(m) for m in r.monthly],
            "milestones": {
                m: [d.isoformat() if d else None for d in dates]
                for m, dates in r.milestones.items()
            },
        }

    return {
        "rows": [row(r) for r in parsed.rows],
        "file": parsed.file,
        "sheet": parsed.sheet,
        "labels": parsed.labels,
        "measure": parsed.measure,
        "year": parsed.year,
    }


def decode(data: dict[str, Any]) -> ParsedList:
    def day(text: str | None) -> date | None:
        return date.fromisoformat(text) if text else None

    rows = []
    for item in data["rows"]:
        rows.append(
            ImportRow(
                **{
                    **item,
                    "total_investment": Decimal(item["total_investment"]),
                    "stage_date": day(item["stage_date"]),
                    "target_start": day(item["target_start"]),
                    "annual_plan": None
                    if item["annual_plan"] is None
                    else Decimal(item["annual_plan"]),
                    "monthly": None
                    if item["monthly"] is None
                    else tuple(Decimal(m) for m in item["monthly"]),
                    "milestones": {m: (day(p), day(a)) for m, (p, a) in item["milestones"].items()},
                }
            )
        )
    return ParsedList(
        rows=rows,
        file=data["file"],
        sheet=data["sheet"],
        labels=data["labels"],
        measure=data["measure"],
        year=data["year"],
    )


# --- writing -------------------------------------------------------------------------------------

#: The headers of an exported list: the Chinese an office's list uses, amounts in 万元.
EXPORT_HEADERS = {
    "code": "项目编号",
    "name": "项目名称",
    "name_en": "英文名称",
    "category": "项目类别",
    "level": "项目级别",
    "unit": "责任单位",
    "leader": "包联领导",
    "owner": "项目业主",
    "location": "建设地点",
    "total_investment": "总投资(万元)",
    "years": "建设年限",
    "stage": "项目阶段",
    "stage_date": "阶段日期",
    "target_start": "计划开工日期",
    "annual_plan": "年度计划投资(万元)",
    **{f"m{m}": f"{m}月" for m in range(1, 13)},
    **{f"{m}_planned": f"{MILESTONE_ZH[m][0]}计划" for m in MILESTONES},
    **{f"{m}_actual": f"{MILESTONE_ZH[m][0]}完成" for m in MILESTONES},
}


def export_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """The list in the columns `parse_projects` reads back (Chinese headers, 万元)."""
    schema = {header: pl.String for header in EXPORT_HEADERS.values()}
    for name in MONEY_COLUMNS:
        schema[EXPORT_HEADERS[name]] = pl.Float64
    return (
        pl.DataFrame(
            [{EXPORT_HEADERS[k]: v for k, v in row.items() if k in EXPORT_HEADERS} for row in rows],
            schema=schema,
            orient="row",
        )
        if rows
        else pl.DataFrame(schema=schema)
    )


def table_bytes(frame: pl.DataFrame, suffix: str) -> bytes:
    """`frame` as .csv or .xlsx bytes, by `saima.tabular.write_table` (formula-safe)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"projects{suffix}"
        write_table(frame, path, sheet_name="项目库")
        return path.read_bytes()
