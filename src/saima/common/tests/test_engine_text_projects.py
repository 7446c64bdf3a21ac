"""The projects' and supervision's English is said in Chinese: a rate's definition, whose parts
are messages of their own, and an error naming an item."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils.translation import override

from saima.common.engine_text import say, say_error_text
from saima.engine import DataError
from saima.engine.calendar import WorkCalendar
from saima.engine.projects import STAGE_NAMES, ConversionRates, ProjectRules, check_stage_change
from saima.engine.supervision import SupervisionItem, item_dates, items_frame


def test_a_rate_definition_is_said_in_chinese_part_by_part():
    text = ConversionRates().describe("landed", "started")
    with override("zh-hans"):
        assert say(text) == (
            "开工 ÷ 落地：期末其中处于“开工”或其后阶段的项目，占截至期末本年进入“落地”阶段的项目"
            "的比例；不设 100% 上限；一次四舍五入保留 1 位小数"
        )
        assert say(STAGE_NAMES["in_production"]) == "投产"
        definitions = ProjectRules().describe()
        assert say(definitions["projects_started"]).startswith("开工项目数")


def test_a_refused_stage_change_and_a_wrong_item_are_said_in_chinese():
    with pytest.raises(DataError) as refused:
        check_stage_change("started", "landed")
    with override("zh-hans"):
        assert say_error_text(refused.value) == "项目从“开工”退回“落地”须说明原因"
    bad = items_frame([SupervisionItem("x", "East", date(2026, 3, 2), date(2026, 3, 1))])
    with pytest.raises(DataError) as refused:
        item_dates(bad, calendar=WorkCalendar())
    with override("zh-hans"):
        assert say_error_text(refused.value).splitlines() == [
            "部分督办事项无法使用",
            "  - 事项 x：办结时限早于交办日期",
        ]
