"""Every page and every API operation is tried by the permission matrices as every persona.

`saima.testing.RouteRecorder` (test settings) notes the route each test request reached, with its
method and persona. This module runs after the tests of `src/` (the suite's paths are `src`, then
`tests`) and compares that record with the URL configuration and the OpenAPI document, so that a
route added without a row in a permission matrix fails here. When only part of the suite runs
(other paths, `-k`, a marker other than the legs' own), there is no whole record, and it skips.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import URLResolver, get_resolver

from saima.api import api
from saima.testing import PERSONAS, REQUESTED

ROOT = Path(__file__).resolve().parents[1]
#: Routes no matrix needs: Django's admin (its own tests check the office role at its door) and
#: the API's documentation.
NOT_MATRIXED = ("admin/", "api/", "static/")


def _page_routes(patterns=None, prefix: str = "") -> set[str]:
    """Every page route as a request's `resolver_match.route` writes it (no leading `^`)."""
    found: set[str] = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern).removeprefix("^")
        if isinstance(pattern, URLResolver):
            found |= _page_routes(pattern.url_patterns, route)
        elif not route.startswith(NOT_MATRIXED):
            found.add(route)
    return found


def _api_operations() -> set[tuple[str, str]]:
    """Every API operation: (path as the OpenAPI document writes it, method)."""
    return {
        (path, method.upper())
        for path, operations in api.get_openapi_schema()["paths"].items()
        for method in operations
    }


def _openapi_path(route: str) -> str:
    """`api/races/<code>/publications` -> `/api/races/{code}/publications`."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def _lacking(required, tried: dict) -> dict[str, list[str]]:
    return {
        " ".join(key) if isinstance(key, tuple) else key: sorted(
            set(PERSONAS) - tried.get(key, set())
        )
        for key in sorted(required)
        if set(PERSONAS) - tried.get(key, set())
    }


@pytest.fixture
def record(request) -> set[tuple[str, str, str]]:
    config = request.config
    ran = {Path(config.rootpath, arg.split("::")[0]).resolve() for arg in config.args}
    sources = ran & {ROOT / "src", ROOT / "src" / "saima"}
    whole = bool(sources) and ROOT / "tests" in ran
    # What the test command's legs leave out: the browser tests (the matrices try every route
    # without them) and the tests whose servers are processes of their own (postgresql_leg,
    # which the record never holds).
    legs = ("", "not browser", "not postgresql_leg")
    if not whole or config.option.keyword or config.option.markexpr not in legs:
        pytest.skip("only part of the suite ran: the record of routes is not whole")
    return REQUESTED


def test_every_page_is_tried_as_every_persona(record) -> None:
    tried: dict[str, set[str]] = {}
    for route, _method, persona in record:
        tried.setdefault(route, set()).add(persona)
    pages = _page_routes()
    assert len(pages) > 30
    lacking = _lacking(pages, tried)
    assert not lacking, f"pages not tried as every persona: {lacking}"


def test_every_api_operation_is_tried_as_every_persona(record) -> None:
    tried: dict[tuple[str, str], set[str]] = {}
    for route, method, persona in record:
        if route.startswith("api/"):
            tried.setdefault((_openapi_path(route), method), set()).add(persona)
    operations = _api_operations()
    assert len(operations) > 40
    lacking = _lacking(operations, tried)
    assert not lacking, f"API operations not tried as every persona: {lacking}"
