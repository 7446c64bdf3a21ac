"""Who may do what with supervision: every page and API operation of the app, tried as every
persona, with the status each must get; a refused request changes nothing.

Items are led by East (its reporter acts for it), with West as co-unit; the leader reads
everything and changes nothing; the stranger reads no item; anonymous callers are sent to sign in
(pages) or refused (API, 401).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable

import pytest
from django.db import transaction

from saima.common.evidence import check_evidence
from saima.races.register.tests.test_evidence import png_bytes
from saima.supervision import services
from saima.supervision.models import (
    Escalation,
    Event,
    EventFile,
    Extension,
    Item,
    Rectification,
    RectificationFile,
    RectificationList,
)
from saima.supervision.tests.conftest import TODAY, access, make_item
from saima.testing import PERSONAS


def fingerprint() -> tuple:
    models = (
        Item,
        Event,
        EventFile,
        Extension,
        Escalation,
        RectificationList,
        Rectification,
        RectificationFile,
    )
    items = tuple(Item.objects.values_list("pk", "status", "extended_to").order_by("pk"))
    entries = tuple(Rectification.objects.values_list("pk", "status", "verified_on").order_by("pk"))
    return tuple(m.objects.count() for m in models), items, entries


@pytest.fixture
def state(world, today) -> dict:
    office, user = access(world), world.user("office")
    east, reporter = access(world, "east_reporter"), world.user("east_reporter")
    fresh = make_item(world)  # assigned
    working = make_item(world, title="在办事项")
    services.item_acknowledge(access=east, user=reporter, item=working)
    event = services.item_feedback(
        access=east,
        user=reporter,
        item=working,
        text="进展",
        files=[check_evidence("site.png", png_bytes())],
    )
    asking = make_item(world, title="申请办结")
    services.item_acknowledge(access=east, user=reporter, item=asking)
    services.item_feedback(access=east, user=reporter, item=asking, text="进展")
    services.item_request_closure(access=east, user=reporter, item=asking, text="完成")
    extension = services.extension_request(
        access=east,
        user=reporter,
        item=working,
        new_deadline=TODAY + datetime.timedelta(days=60),
        reason="用地未批",
    )
    rlist = services.rectification_list_create(
        access=office, user=user, title="巡察反馈问题整改", source="inspection"
    )
    entry = services.rectification_add(
        access=office,
        user=user,
        rectification_list=rlist,
        problem="台账不全",
        measure="补齐台账",
        unit=world.units["east"],
        deadline=TODAY,
    )
    done = services.rectification_add(
        access=office,
        user=user,
        rectification_list=rlist,
        problem="制度缺失",
        measure="建立制度",
        unit=world.units["east"],
        deadline=TODAY,
    )
    services.rectification_report(
        access=east,
        user=reporter,
        rectification=done,
        status="rectified",
        progress="已建立",
        files=[check_evidence("rule.png", png_bytes())],
    )
    return {
        "fresh": fresh.pk,
        "working": working.pk,
        "asking": asking.pk,
        "file": event.files.get().pk,
        "extension": extension.pk,
        "list": rlist.pk,
        "entry": entry.pk,
        "done": done.pk,
        "rfile": done.files.get().pk,
    }


# Status per persona, in the order of PERSONAS:
#        office, leader, east_reporter, west_approver, stranger, anonymous
PAGE_ALL = (200, 200, 200, 200, 200, 302)
PAGE_OFFICE = (200, 403, 403, 403, 403, 302)
PAGE_ITEM = (200, 200, 200, 200, 403, 302)
PAGE_EAST = (200, 200, 200, 403, 403, 302)
OFFICE_POSTS = (302, 403, 403, 403, 403, 302)
API_ALL = (200, 200, 200, 200, 200, 401)
API_ITEM = (200, 200, 200, 200, 403, 401)
API_EAST = (200, 200, 200, 403, 403, 401)
OFFICE_DOES = (200, 403, 403, 403, 403, 401)

ITEM = {
    "title": "新建督办事项",
    "task": "落实会议议定事项",
    "source": "meeting",
    "lead_unit": "east",
    "deadline": "2026-07-31",
    "level": "listed",
    "rhythm": "dekad",
}

Case = tuple[str, str, Callable[[dict], dict | None], tuple[int, ...]]

PAGES: list[Case] = [
    ("get", "/supervision/", lambda s: None, PAGE_ALL),
    ("get", "/supervision/?status=open&overdue=1&source=meeting", lambda s: None, PAGE_ALL),
    ("get", "/supervision/?format=xlsx", lambda s: None, PAGE_ALL),
    ("get", "/supervision/new/", lambda s: None, PAGE_OFFICE),
    ("post", "/supervision/new/", lambda s: ITEM, OFFICE_POSTS),
    ("get", "/supervision/origins/", lambda s: None, (200, 200, 403, 403, 403, 302)),
    ("get", "/supervision/from-problem/{fresh}/", lambda s: None, (302, 403, 403, 403, 403, 302)),
    ("get", "/supervision/{fresh}/", lambda s: None, PAGE_ITEM),
    (
        "post",
        "/supervision/{fresh}/",
        lambda s: {"action": "acknowledge"},
        (403, 403, 302, 403, 403, 302),
    ),
    (
        "post",
        "/supervision/{working}/",
        lambda s: {"action": "feedback", "text": "配合进展"},
        (403, 403, 302, 302, 403, 302),
    ),
    (
        "post",
        "/supervision/{asking}/",
        lambda s: {"action": "close"},
        OFFICE_POSTS,
    ),
    (
        "post",
        "/supervision/{working}/",
        lambda s: {"action": "decide", "extension": s["extension"], "decision": "approve"},
        OFFICE_POSTS,
    ),
    ("get", "/supervision/files/{file}/", lambda s: None, (200, 200, 200, 200, 404, 302)),
    ("get", "/supervision/rectification/", lambda s: None, PAGE_ALL),
    (
        "post",
        "/supervision/rectification/",
        lambda s: {"title": "审计整改", "source": "audit"},
        OFFICE_POSTS,
    ),
    ("get", "/supervision/rectification/{list}/", lambda s: None, PAGE_EAST),
    (
        "post",
        "/supervision/rectification/{list}/",
        lambda s: {
            "action": "report",
            "entry": s["entry"],
            "status": "rectifying",
            "progress": "推进中",
        },
        (302, 403, 302, 403, 403, 302),
    ),
    (
        "post",
        "/supervision/rectification/{list}/",
        lambda s: {"action": "verify", "entry": s["done"], "decision": "accept"},
        (302, 403, 403, 403, 403, 302),
    ),
    (
        "get",
        "/supervision/rectification/files/{rfile}/",
        lambda s: None,
        (200, 200, 200, 404, 404, 302),
    ),
]

API = "/api/supervision"
API_CASES: list[Case] = [
    ("get", f"{API}/items", lambda s: None, API_ALL),
    ("post", f"{API}/items", lambda s: ITEM, (201, 403, 403, 403, 403, 401)),
    ("get", f"{API}/items/{{fresh}}", lambda s: None, API_ITEM),
    ("post", f"{API}/items/{{fresh}}/acknowledge", lambda s: {}, (403, 403, 200, 403, 403, 401)),
    (
        "post",
        f"{API}/items/{{working}}/feedback",
        lambda s: {"text": "进展"},
        (403, 403, 201, 201, 403, 401),
    ),
    (
        "post",
        f"{API}/items/{{working}}/closure-request",
        lambda s: {"text": "完成"},
        (403, 403, 201, 403, 403, 401),
    ),
    ("post", f"{API}/items/{{asking}}/close", lambda s: {"note": ""}, OFFICE_DOES),
    ("post", f"{API}/items/{{asking}}/return", lambda s: {"reason": "材料不全"}, OFFICE_DOES),
    (
        "post",
        f"{API}/items/{{fresh}}/extensions",
        lambda s: {"new_deadline": "2026-09-30", "reason": "需延期"},
        (201, 403, 201, 403, 403, 401),
    ),
    (
        "post",
        f"{API}/extensions/{{extension}}/decision",
        lambda s: {"approve": True},
        OFFICE_DOES,
    ),
    ("get", f"{API}/rates", lambda s: None, API_ALL),
    ("get", f"{API}/rectification", lambda s: None, API_ALL),
    (
        "post",
        f"{API}/rectification",
        lambda s: {"title": "审计整改", "source": "audit"},
        (201, 403, 403, 403, 403, 401),
    ),
    ("get", f"{API}/rectification/{{list}}", lambda s: None, API_EAST),
    (
        "post",
        f"{API}/rectification/{{list}}/entries",
        lambda s: {"problem": "问题", "measure": "措施", "unit": "west", "deadline": "2026-08-01"},
        (201, 403, 403, 403, 403, 401),
    ),
    (
        "post",
        f"{API}/rectification/entries/{{entry}}/report",
        lambda s: {"status": "rectified", "progress": "已完成"},
        (200, 403, 200, 403, 403, 401),
    ),
    (
        "post",
        f"{API}/rectification/entries/{{done}}/verify",
        lambda s: {"accept": True},
        OFFICE_DOES,
    ),
]


def _send(client, method: str, url: str, body: dict | None, api: bool):
    if method in ("get", "delete"):
        return getattr(client, method)(url)
    if api:
        return client.post(url, json.dumps(body or {}), content_type="application/json")
    return getattr(client, method)(url, body or {})


def _run(world, state, client, case: Case, api: bool) -> None:
    method, url, body, expected = case
    url = url.format(**state)
    for persona, status in zip(PERSONAS, expected, strict=True):
        client.logout()
        if persona != "anonymous":
            client.force_login(world.user(persona))
        with transaction.atomic():
            before = fingerprint()
            response = _send(client, method, url, body(state), api)
            assert response.status_code == status, (persona, method, url, response.content[:600])
            if status >= 400 or (status == 302 and persona == "anonymous"):
                assert fingerprint() == before, f"{persona} {method} {url} changed something"
            if api and status >= 400:
                assert response.json()["detail"]
            transaction.set_rollback(True)


@pytest.mark.parametrize("case", PAGES, ids=[f"{m} {u}" for m, u, _b, _e in PAGES])
def test_pages(world, state, client, case) -> None:
    _run(world, state, client, case, api=False)


@pytest.mark.parametrize("case", API_CASES, ids=[f"{m} {u}" for m, u, _b, _e in API_CASES])
def test_api(world, state, client, case) -> None:
    _run(world, state, client, case, api=True)


def test_what_each_persona_sees_in_the_ledger(world, state, client) -> None:
    seen = {}
    for persona in ("office", "leader", "east_reporter", "west_approver", "stranger"):
        client.force_login(world.user(persona))
        page = client.get("/supervision/").content.decode()
        seen[persona] = page.count("data-item=")
        assert len(client.get(f"{API}/items").json()) == seen[persona]
    assert seen == {
        "office": 3,
        "leader": 3,
        "east_reporter": 3,
        "west_approver": 3,
        "stranger": 0,
    }


def test_every_supervision_route_was_tried_as_every_persona(world) -> None:
    """What `tests/test_route_coverage.py` checks for the whole suite, for this app alone (the
    matrix tests above run first in this module)."""
    import re

    from django.urls import get_resolver

    from saima.api import api
    from saima.testing import REQUESTED

    def path(route: str) -> str:
        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)

    tried: dict[tuple[str, str], set[str]] = {}
    for route, method, persona in REQUESTED:
        tried.setdefault((path(route), method), set()).add(persona)
    app = next(p for p in get_resolver().url_patterns if str(p.pattern) == "supervision/")
    pages = {path("supervision/" + str(p.pattern)) for p in app.url_patterns}
    assert len(pages) == 9
    for page in pages:
        seen = set().union(*(p for (r, _m), p in tried.items() if r == page))
        assert seen == set(PERSONAS), page
    operations = {
        (path, method.upper())
        for path, found in api.get_openapi_schema()["paths"].items()
        if path.startswith("/api/supervision")
        for method in found
    }
    assert len(operations) == 17
    for operation in operations:
        assert tried.get(operation, set()) == set(PERSONAS), operation
