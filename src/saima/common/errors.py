"""The error responses: a page for a person, JSON for the API (`/api/...`), whatever went wrong
and wherever Django decided it (an unknown address, a body too large to read, a server error).

`docs/api.md` promises `{"detail": ..., "errors": {...}}` for every refused API request; the
API's own handlers (`saima.api`) cover what reaches a route, these what is refused before one.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _json(status: int, detail: str) -> JsonResponse:
    return JsonResponse(
        {"detail": detail}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400: a request Django refused before any view (a body over the size limit, a bad Host)."""
    if _is_api(request):
        return _json(400, _("The request cannot be read: it is malformed or too large."))
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _json(403, str(exception) or _("You may not do this."))
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _json(404, _("There is no such address in the API: see /api/docs."))
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return _json(500, _("Something went wrong on the server; it has been logged."))
    return defaults.server_error(request)
