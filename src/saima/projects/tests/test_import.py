"""The project list in and out: the office's XLSX (Chinese headers, 亿元 declared), a GBK CSV,
every bad input of the issue refused with file, sheet, row and column named and nothing saved,
the preview-then-save pages, and the export read back unchanged."""

from __future__ import annotations

import datetime
import html
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from saima.common.engine_text import say_problems
from saima.projects.catalogue import files
from saima.projects.catalogue.services import projects_import
from saima.projects.catalogue.transfer import SESSION_KEY
from saima.projects.models import AnnualPlan, Milestone, Project, StageChange
from saima.projects.tests.conftest import TODAY, office
from saima.tabular import InputError

HEADERS = [
    "项目编号",
    "项目名称",
    "项目类别",
    "项目级别",
    "责任单位",
    "包联领导",
    "总投资(亿元)",
    "建设年限",
    "项目阶段",
    "阶段日期",
    "变更原因",
    "年度计划投资(亿元)",
    *(f"{m}月" for m in range(1, 13)),
    "用地完成",
]
#: A plan of 1.2 亿元 split over twelve months (0.1 each).
MONTHS = [0.1] * 12


def row(
    code="X1",
    *,
    unit="东城区",
    total=5,
    years="2026-2028",
    stage="签约",
    stage_date="2026-03-01",
    reason="",
    plan=1.2,
    months=MONTHS,
    land_actual=None,
    leader="leader",
    category="工业",
    level="市重点",
):
    return [
        code,
        f"项目{code}",
        category,
        level,
        unit,
        leader,
        total,
        years,
        stage,
        stage_date,
        reason,
        plan,
        *months,
        land_actual,
    ]


def xlsx(*rows, headers=HEADERS, title=("2026年重点项目清单",)) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "项目库"
    if title:
        sheet.append(list(title))
    sheet.append(headers)
    for values in rows:
        sheet.append(list(values))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def parse(data: bytes, name: str = "清单.xlsx", measure: str = "亿元"):
    return files.parse_projects(data, filename=name, measure=measure, year=2026)


def problems_of(data: bytes, name: str = "清单.xlsx", measure: str = "亿元") -> list[str]:
    try:
        parsed = parse(data, name, measure)
    except InputError as exc:
        return say_problems(exc.problems)
    return say_problems(files.import_problems(parsed, today=TODAY))


def snapshot() -> tuple:
    return (
        Project.objects.count(),
        StageChange.objects.count(),
        sorted(Project.objects.values_list("code", "stage", "total_investment")),
        sorted(AnnualPlan.objects.values_list("project__code", "amount")),
        sorted(
            Milestone.objects.exclude(actual=None).values_list("project__code", "code", "actual")
        ),
    )


def test_the_offices_list_is_read_in_its_declared_unit(world, projects):
    parsed = parse(
        xlsx(
            row("X1", land_actual=datetime.datetime(2026, 5, 20)), row("X2", unit="west", stage="")
        )
    )
    first, second = parsed.rows
    assert (first.code, first.unit, first.category, first.level) == (
        "X1",
        "东城区",
        "industry",
        "city",
    )
    assert first.total_investment == Decimal(50000)  # 5 亿元 = 50,000 万元
    assert first.annual_plan == Decimal(12000)
    assert first.monthly == tuple([Decimal(1000)] * 12)
    assert (first.stage, first.stage_date) == ("signed", datetime.date(2026, 3, 1))
    assert first.milestones == {"land": (None, datetime.date(2026, 5, 20))}
    assert (first.start_year, first.end_year) == (2026, 2028)
    assert (second.row, second.stage) == (4, None)  # the title row is row 1, the header row 2
    result = projects_import(access=office(world), user=world.user("office"), parsed=parsed)
    assert (result.created, result.updated) == (["X1", "X2"], [])
    x1 = Project.objects.get(code="X1")
    assert (x1.unit.code, x1.stage, x1.stage_since, x1.total_investment) == (
        "east",
        "signed",
        datetime.date(2026, 3, 1),
        Decimal(50000),
    )
    assert x1.leader == world.user("leader")  # the leader in charge, by user name
    assert AnnualPlan.objects.get(project=x1).monthly == ["1000"] * 12
    assert Milestone.objects.get(project=x1, code="land").actual == datetime.date(2026, 5, 20)
    assert x1.milestones.count() == 11
    assert x1.history.first().history_user.username == "office"


def test_a_gbk_csv_with_amounts_in_wan(world, projects):
    headers = [
        "项目编号",
        "项目名称",
        "项目类别",
        "项目级别",
        "责任单位",
        "包联领导",
        "总投资",
        "建设年限",
    ]
    text = ",".join(headers) + "\n" + "Y1,新厂房,基础设施,省重点,北山县,,8000,2026\n"
    parsed = parse(text.encode("gbk"), name="清单.csv", measure="万元")
    (only,) = parsed.rows
    assert (only.unit, only.category, only.level, only.total_investment) == (
        "北山县",
        "infrastructure",
        "provincial",
        Decimal(8000),
    )
    assert (only.start_year, only.end_year) == (2026, 2026)
    projects_import(access=office(world), user=world.user("office"), parsed=parsed)
    assert Project.objects.get(code="Y1").unit.code == "north"


BAD = [
    (
        "unknown unit",
        lambda: xlsx(row("X1", unit="南海区")),
        "清单.xlsx, sheet 项目库, row 3, column E (责任单位): unknown unit “南海区”",
    ),
    (
        "duplicate code",
        lambda: xlsx(row("X1"), row("X1")),
        "清单.xlsx, sheet 项目库, row 4, column A (项目编号): the code X1 is also in row 3",
    ),
    (
        "a stage moved back without a reason",
        lambda: xlsx(row("E1", stage="落地", stage_date="2026-05-01")),
        "清单.xlsx, sheet 项目库, row 3, column I (项目阶段): moves the project back from started "
        "to landed",
    ),
    (
        "an actual date in the future",
        lambda: xlsx(row("X1", land_actual="2026-06-11")),
        "清单.xlsx, sheet 项目库, row 3, column Y (用地完成): the actual date 2026-06-11 is in "
        "the future",
    ),
    (
        "months that do not sum to the annual plan",
        lambda: xlsx(row("X1", months=[0.1] * 11 + [0.15])),
        "清单.xlsx, sheet 项目库, row 3, column L (年度计划投资(亿元)): the months (M (1月) to X "
        "(12月)) add up to 1.25 亿元, not the annual plan 1.2 亿元",
    ),
    (
        "a negative amount",
        lambda: xlsx(row("X1", total=-5)),
        "清单.xlsx, sheet 项目库, row 3, column G (总投资(亿元)): an amount cannot be negative",
    ),
    (
        "a text amount",
        lambda: xlsx(row("X1", total="五亿")),
        "清单.xlsx, sheet 项目库, row 3, column G (总投资(亿元)): '五亿' is not a number",
    ),
    (
        "a 万元 figure in a 亿元 column",
        lambda: xlsx(row("E1", total=50000, stage="开工", plan=None, months=[None] * 12)),
        "清单.xlsx, sheet 项目库, row 3, column G (总投资(亿元)): 50000 亿元 is about 10,000 "
        "times the 5 亿元 stored for this project",
    ),
    (
        "a header in another measure",
        lambda: xlsx(
            row("X1"), headers=[h.replace("总投资(亿元)", "总投资(万元)") for h in HEADERS]
        ),
        "清单.xlsx, sheet 项目库, column G (总投资(万元)): the header says 万元 but the file is "
        "declared in 亿元",
    ),
]


@pytest.mark.parametrize(("case", "make", "expected"), BAD, ids=[c for c, _m, _e in BAD])
def test_bad_input_is_refused_naming_the_place_and_nothing_is_saved(
    world, projects, as_user, case, make, expected
):
    before = snapshot()
    found = problems_of(make())
    assert any(line.startswith(expected) for line in found), found
    # The page refuses the upload whole, with the same words, and saves nothing.
    response = as_user("office").post(
        "/projects/import/",
        {"measure": "亿元", "year": "2026", "file": SimpleUploadedFile("清单.xlsx", make())},
    )
    assert response.status_code == 400
    assert expected in html.unescape(response.content.decode())
    assert snapshot() == before


def test_the_service_checks_again_and_saves_nothing_of_a_bad_list(world, projects):
    parsed = parse(xlsx(row("X1"), row("X2", unit="南海区")))
    before = snapshot()
    with pytest.raises(InputError) as refused:
        projects_import(access=office(world), user=world.user("office"), parsed=parsed)
    assert [p.row for p in refused.value.problems] == [4]
    assert snapshot() == before


def test_preview_then_save(world, projects, as_user):
    client = as_user("office")
    data = xlsx(
        row("X1"),
        row("E1", total=5.5, stage="开工", stage_date="2026-03-01", plan=0.12, months=[0.01] * 12),
    )
    response = client.post(
        "/projects/import/",
        {"measure": "亿元", "year": "2026", "file": SimpleUploadedFile("清单.xlsx", data)},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-status="new"' in page and 'data-status="changed"' in page
    assert "50,000 万元 → <strong>55,000 万元</strong>" in page.replace(
        "50000 万元", "50,000 万元"
    ).replace("55000 万元", "55,000 万元")
    assert not Project.objects.filter(code="X1").exists()  # a preview saves nothing
    token = client.session[SESSION_KEY]["token"]
    done = client.post("/projects/import/", {"confirm": "1", "token": token})
    assert done.status_code == 200 and 'id="import-result"' in done.content.decode()
    assert Project.objects.get(code="E1").total_investment == Decimal(55000)
    assert Project.objects.filter(code="X1").exists()
    again = client.post("/projects/import/", {"confirm": "1", "token": token})
    assert again.status_code == 400 and "expired or was already saved" in again.content.decode()


def test_only_the_office_imports(world, projects, as_user):
    for name in ("leader", "east_reporter", "west_approver", "stranger"):
        response = as_user(name).post(
            "/projects/import/",
            {"measure": "亿元", "year": "2026", "file": SimpleUploadedFile("a.xlsx", xlsx(row()))},
        )
        assert response.status_code == 403
    assert not Project.objects.filter(code="X1").exists()


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_the_export_reads_back_unchanged(world, projects, as_user, suffix):
    response = as_user("office").get(f"/projects/export/?format={suffix}")
    assert response.status_code == 200
    body = response.content
    if suffix == "xlsx":
        sheet = load_workbook(io.BytesIO(body)).active
        header = [c.value for c in next(sheet.iter_rows(max_row=1))]
        assert header[:3] == ["项目编号", "项目名称", "英文名称"]
    parsed = parse(body, name=f"projects.{suffix}", measure="万元")
    assert [r.code for r in parsed.rows] == ["E1", "E2", "W1", "N1"]
    e1 = next(r for r in parsed.rows if r.code == "E1")
    assert (e1.stage, e1.annual_plan, e1.total_investment) == (
        "started",
        Decimal(1200),
        Decimal(50000),
    )
    assert e1.milestones["land"] == (datetime.date(2026, 2, 1), datetime.date(2026, 2, 20))
    assert files.import_problems(parsed, today=TODAY) == []
    before = snapshot()
    result = projects_import(access=office(world), user=world.user("office"), parsed=parsed)
    assert result.unchanged == ["E1", "E2", "W1", "N1"]
    assert snapshot() == before


def test_a_reporter_exports_only_their_units_projects(world, projects, as_user):
    body = as_user("east_reporter").get("/projects/export/?format=csv").content
    assert [r.code for r in parse(body, name="p.csv", measure="万元").rows] == ["E1", "E2"]
    assert as_user("office").get("/projects/export/?format=pdf").status_code == 400
