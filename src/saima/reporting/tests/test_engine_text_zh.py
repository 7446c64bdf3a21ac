"""What the engine and the file reader say to reporters, in the reader's language: a check's
finding on the reporting form, and the problems of an uploaded file with their places."""

from __future__ import annotations

from django.conf import settings

from saima.metrics.models import Observation
from saima.reporting.tests.test_files_support import fill
from saima.reporting.tests.test_upload_views import IMPORT, TEMPLATE, UPLOAD, upload_file

EAST = "/reporting/units/east/?period=2026-10"


def _in_chinese(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


def test_the_form_says_a_check_finding_in_chinese(as_user, world):
    client = as_user("east_reporter")
    english = client.post(EAST, {"action": "check", "value-fai": "10"})
    assert english.status_code == 400
    assert "is lower than 79.2 for 2026-06; a cumulative figure cannot fall" in (
        english.content.decode()
    )
    chinese = _in_chinese(client).post(EAST, {"action": "check", "value-fai": "10"})
    assert chinese.status_code == 400
    page = chinese.content.decode()
    assert "2026-10 累计值 10 低于 2026-06 的 79.2；累计数不应下降" in page
    assert "cannot fall" not in page
    assert not Observation.objects.filter(year=2026, month=10).exists()


def test_an_uploaded_templates_problems_say_their_place_in_chinese(as_user, world):
    client = _in_chinese(as_user("east_reporter"))
    filled = fill(client.get(TEMPLATE).content, {"fai": "=D4*1.1"})
    response = client.post(UPLOAD, {"file": upload_file("east.xlsx", filled)})
    assert response.status_code == 400
    (problem,) = response.context["problems"]
    assert problem.startswith("east.xlsx, 工作表 填报表, 第 4 行, F (本期累计) 列：")


def test_an_imported_files_cell_problem_is_said_in_chinese(as_user, world):
    client = _in_chinese(as_user("office"))
    data = b"unit,indicator,value\r\neast,fai,abc\r\n"
    response = client.post(IMPORT, {"period": "2026-07", "file": upload_file("a.csv", data)})
    assert response.status_code == 400
    assert response.context["problems"] == ["a.csv, 第 2 行, value 列：'abc' 不是数字"]
    assert "&#x27;abc&#x27; 不是数字" in response.content.decode()


def test_the_form_lists_a_warning_in_chinese(as_user, world):
    client = as_user("east_reporter")
    check = {"action": "check", "value-fai": "100"}  # far behind: a red light, and no reason
    english = client.post(EAST, check).content.decode()
    assert "the light for 2026-10 is red and the note gives no reason" in english
    chinese = _in_chinese(client).post(EAST, check).content.decode()
    assert "2026-10 亮红灯，但备注未说明原因" in chinese
    assert "gives no reason" not in chinese
