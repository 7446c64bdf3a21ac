"""The engine's and the file reader's English, said in the reader's language (`engine_text`).

A `Text` is said by its template; a plain string (a note, a reason or a finding stored in a
snapshot or the database) by recognising the declared template it was made from. Every template
is in the catalogue, and no two declared templates can be mistaken for each other.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
from django.utils.translation import override

from saima.common import engine_text
from saima.common.engine_text import recognise, say, say_error_text, say_problem, say_problems
from saima.common.tests import test_translations as catalogue
from saima.engine import CheckConfig, run_checks
from saima.engine.race import NOTE_MISSING, NOTE_NOT_APPLICABLE, REASON_NO_FIGURE
from saima.engine.text import TEMPLATES, Text, _, format_expr
from saima.tabular import InputError, Problem

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def test_a_nested_text_is_said_part_by_part():
    problem = _("Input should be greater than %(bound)s", bound="0")
    detail = _("%(key)s: %(problem)s", key="indicator[2].weight", problem=problem)
    with override("zh-hans"):
        assert say(detail) == "indicator[2].weight：应大于 0"
    with override("en"):
        assert say(detail) == "indicator[2].weight: Input should be greater than 0"


def test_an_explanation_note_stored_as_a_plain_string_is_said_in_chinese():
    with override("zh-hans"):
        assert say(str(NOTE_MISSING["zero"])) == "无数据（缺报按零分计）"
        assert say(NOTE_NOT_APPLICABLE) == "不适用；权重分摊至其他评分项"


def test_a_not_ranked_reason_from_a_frame_is_said_in_chinese():
    reason = pl.select(format_expr(REASON_NO_FIGURE, items=pl.lit("fai, ivag"))).item()
    assert reason == "no figure for fai, ivag"
    with override("zh-hans"):
        assert say(reason) == "fai, ivag 无数据"


def _findings(value: float) -> list[str]:
    history = pl.DataFrame(
        {"unit": ["east"], "indicator": ["fai"], "year": [2026], "month": [2], "value": [100.0]}
    )
    figures = pl.DataFrame(
        {
            "unit": ["east"],
            "indicator": ["fai"],
            "year": [2026],
            "month": [3],
            "value": [value],
            "last_year_value": [None],
            "growth": [None],
            "note": [None],
        }
    )
    found = run_checks(figures, history, kinds={"fai": "amount"}, config={"fai": CheckConfig()})
    return found["message"].to_list()


def test_a_stored_check_finding_is_said_in_chinese():
    (decrease,) = _findings(90.0)
    assert decrease == (
        "cumulative value 90 for 2026-03 is lower than 100 for 2026-02; a cumulative figure "
        "cannot fall"
    )
    (slip,) = _findings(1_000_000.0)
    assert "about 10000 times the figure for 2026-02 (100)" in slip
    with override("zh-hans"):
        assert say(decrease) == "2026-03 累计值 90 低于 2026-02 的 100；累计数不应下降"
        assert say(slip) == (
            "2026-03 数值 1000000 约为 2026-02 数值（100）的 10000 倍：是否计量单位填错"
            "（把亿元填成万元，或相反）？"
        )


def test_text_nobody_declared_is_shown_as_it_is():
    with override("zh-hans"):
        assert say("Dongcheng District") == "Dongcheng District"
        assert say(None) == ""


def test_an_engine_error_is_said_head_and_details():
    from saima.engine import DataError

    error = DataError(
        _("some targets are given twice"),
        details=[
            _(
                "unit %(unit)s, indicator %(indicator)s: %(count)s targets",
                unit=u,
                indicator="fai",
                count=2,
            )
            for u in ("east", "west")
        ],
    )
    with override("zh-hans"):
        assert say_error_text(error).splitlines() == [
            "部分目标重复下达",
            "  - 单位 east，指标 fai：共 2 个目标",
            "  - 单位 west，指标 fai：共 2 个目标",
        ]
    assert say_error_text(error) == str(error)


def test_a_file_problem_is_said_with_its_place():
    problem = Problem(
        "east.xlsx", _("%(cell)s is not a number", cell="'abc'"), "填报表", 4, "F (本期累计)"
    )
    assert (
        str(problem) == "east.xlsx, sheet 填报表, row 4, column F (本期累计): 'abc' is not a number"
    )
    with override("zh-hans"):
        assert (
            say_problem(problem)
            == "east.xlsx, 工作表 填报表, 第 4 行, F (本期累计) 列：'abc' 不是数字"
        )
        lines = say_problems(InputError([problem] * 3).problems, limit=1)
        assert lines[-1] == "……另有 2 个问题"


# --- every declared template ---------------------------------------------------------------------


def _samples(template: str) -> list[dict[str, str]]:
    names = list(dict.fromkeys(PLACEHOLDER.findall(template)))
    tokens = {name: f"<{name}>" for name in names}
    realistic = {}
    for position, name in enumerate(names):
        if "period" in name:
            realistic[name] = f"2026-0{position % 9 + 1}"
        elif name in ("group", "items"):
            realistic[name] = "districts, counties"
        else:
            realistic[name] = f"-{position + 1}.25"
    return [tokens, realistic]


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_declared_template_is_recognised_as_itself(template):
    for values in _samples(template):
        written = str(_(template, **values))
        assert recognise(written) == (template, values), written


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_declared_template_is_written_by_polars_as_by_python(template):
    values = _samples(template)[1]
    exprs = {name: pl.lit(value) for name, value in values.items()}
    assert pl.select(format_expr(template, **exprs)).item() == str(_(template, **values))


def test_every_declared_template_is_in_the_catalogue_and_says_something_else_in_chinese():
    in_po = {entry.key: entry for entry in catalogue.messages()}
    missing = [t for t in TEMPLATES if t not in in_po]
    assert not missing, "run makemessages and translate:\n" + "\n".join(missing)
    with override("zh-hans"):
        for template in TEMPLATES:
            values = _samples(template)[0]
            assert say(str(_(template, **values))) != str(_(template, **values)), template


ENGINE_SOURCES = [
    path
    for folder in ("engine", "tabular")
    for path in sorted((catalogue.PACKAGE_DIR / folder).glob("*.py"))
]


def test_the_engine_and_the_reader_mark_every_message_with_a_literal():
    """xgettext (and the catalogue test) see only literal templates: `_(name, ...)` would escape
    the catalogue."""
    found, complex_cases = catalogue.python_messages()
    ours = [c for c in complex_cases if c.startswith(("engine/", "tabular/"))]
    assert not ours, ours
    assert any(f.where.startswith("engine/checks.py") for f in found)
    assert any(f.where.startswith("tabular/_read.py") for f in found)


#: What carries a message to a user: the engine's errors, the reader's problems, and the ValueError
#: of a rules validator or of the number parser (elsewhere a ValueError is a programming error).
USER_FACING = re.compile(
    r"(?:DataError|RulesError|PeriodError|EngineError|CellProblem|CsvProblem|EncodingProblem|"
    r"WorkbookProblem|InputError|Problem|problems\.add|problems\.append)\(\s*f?\""
)
VALIDATORS = re.compile(r"ValueError\(\s*f?\"")


@pytest.mark.parametrize("path", ENGINE_SOURCES, ids=lambda p: str(Path(*p.parts[-2:])))
def test_no_message_of_the_engine_is_a_bare_english_string(path):
    """The engine and the reader raise and report Text: no f-string or plain literal reaches an
    error or a problem."""
    source = path.read_text(encoding="utf-8")
    bare = USER_FACING.findall(source)
    if path.name in ("rules.py", "_parse.py"):
        bare += VALIDATORS.findall(source)
    assert not bare, bare


def test_say_keeps_the_english_of_a_text_in_english():
    text = _("no figure for %(items)s", items="fai")
    assert isinstance(text, Text)
    with override("en"):
        assert say(text) == "no figure for fai"
    assert engine_text.say_all([text, "x"]) == ["no figure for fai", "x"]
