"""Every page and API operation of the races is tried by the permission matrices as every persona.

`saima.testing.RouteRecorder` notes the route each test request reached, with its method and
persona. This module runs after the races' other tests (pytest runs a folder's modules in name
order) and checks that record against the URL configuration and the OpenAPI document, so a route
added without a row in a matrix fails here. Run without the matrices, it skips.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLResolver, get_resolver

from saima.api import api
from saima.testing import PERSONAS, REQUESTED

MATRICES = (
    "test_definitions_matrix.py",
    "test_register_matrix.py",
    "test_register_api.py",
    "test_followup_matrix.py",
    "test_followup_api.py",
    "test_results.py",
)


def _page_routes(patterns=None, prefix: str = "") -> set[str]:
    """The routes of the races' pages as the URL configuration writes them."""
    found: set[str] = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        # as a request's `resolver_match.route` writes it: a regular expression loses its `^`
        route = prefix + str(pattern.pattern).removeprefix("^")
        if isinstance(pattern, URLResolver):
            found |= _page_routes(pattern.url_patterns, route)
        elif route.startswith("races/"):
            found.add(route)
    return found


def _api_operations() -> set[tuple[str, str]]:
    """The races' API operations: (path as the OpenAPI document writes it, method)."""
    return {
        (path, method.upper())
        for path, operations in api.get_openapi_schema()["paths"].items()
        if path.startswith("/api/races/")
        for method in operations
    }


def _openapi_path(route: str) -> str:
    """`api/races/<code>/publications` -> `/api/races/{code}/publications`."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def _missing(required, tried: dict) -> dict[str, list[str]]:
    return {
        " ".join(key) if isinstance(key, tuple) else key: sorted(
            set(PERSONAS) - tried.get(key, set())
        )
        for key in sorted(required)
        if set(PERSONAS) - tried.get(key, set())
    }


@pytest.fixture
def record(request) -> set[tuple[str, str, str]]:
    ran = {item.path.name for item in request.session.items}
    absent = [name for name in MATRICES if name not in ran]
    if absent:
        pytest.skip(f"the matrices did not run in this session: {', '.join(absent)}")
    return REQUESTED


def test_every_page_is_tried_as_every_persona(record) -> None:
    tried: dict[str, set[str]] = {}
    for route, _method, persona in record:
        tried.setdefault(route, set()).add(persona)
    pages = _page_routes()
    assert len(pages) > 20
    lacking = _missing(pages, tried)
    assert not lacking, f"pages not tried as every persona: {lacking}"


def test_every_api_operation_is_tried_as_every_persona(record) -> None:
    tried: dict[tuple[str, str], set[str]] = {}
    for route, method, persona in record:
        if route.startswith("api/races/"):
            tried.setdefault((_openapi_path(route), method), set()).add(persona)
    operations = _api_operations()
    assert len(operations) > 20
    lacking = _missing(operations, tried)
    assert not lacking, f"API operations not tried as every persona: {lacking}"
