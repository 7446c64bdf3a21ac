"""Refuse, before any view runs, query and form values no database can keep.

PostgreSQL refuses a NUL character in text, even in a lookup, so `?unit=%00` would otherwise end
as a server error wherever a value reaches a query (SQLite would answer). Multipart bodies are
left to the upload pages, which refuse an oversized body before anything parses it; their text
fields are checked by the services that store them. JSON bodies are checked by the API's parser.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from saima.common.text import storable_problem

_FORM = "application/x-www-form-urlencoded"


class StorableInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view, args, kwargs):
        values = [request.GET]
        if request.method in ("POST", "PUT", "PATCH") and request.content_type == _FORM:
            values.append(request.POST)
        for query in values:
            for key, texts in query.lists():
                problem = next(
                    (p for p in map(storable_problem, [key, *texts]) if p is not None), None
                )
                if problem:
                    return _refuse(request, key, problem)
        return None


def _refuse(request: HttpRequest, key: str, problem: str):
    field = key if storable_problem(key) is None else "?"
    message = _("%(field)s: %(problem)s") % {"field": field, "problem": problem}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "errors": {field: [problem]}}, status=400)
    return render(request, "400.html", {"message": message}, status=400)
