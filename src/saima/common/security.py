"""What keeps a signed-in person's pages private and an oversized body unread.

- `UploadLimitMiddleware` refuses, before anything reads it, a request body declared larger than
  the largest upload any page or API route takes (`SAIMA_MAX_REQUEST_BYTES`); each upload route
  checks its own, smaller limit the same way (`pages.page(max_upload=...)`, `api.body_limit`).
  Django reads no more of a body than its declared length, so a body that declares none is read as
  empty.
- `NoStoreMiddleware` marks every response to a signed-in person or an API token
  `Cache-Control: no-store`, so no browser or shared cache keeps a page that shows their data.
- `client_ip` is the address that login throttling (django-axes) counts failures against: the
  connection's, or, behind `SAIMA_TRUSTED_PROXIES` reverse proxies, the one the nearest proxy saw.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from saima.common.requests import declared_length

#: The default largest request body: the workbook limit (50 MB) and a form's overhead.
DEFAULT_MAX_REQUEST_BYTES = 64 * 1024 * 1024


def max_request_bytes() -> int:
    return int(getattr(settings, "SAIMA_MAX_REQUEST_BYTES", DEFAULT_MAX_REQUEST_BYTES))


def size_text(limit: int) -> str:
    if limit >= 1024 * 1024:
        return _("%(mb)s MB") % {"mb": f"{limit / (1024 * 1024):g}"}
    return _("%(kb)s KB") % {"kb": f"{limit / 1024:g}"}


def too_large(request: HttpRequest, limit: int, field: str = "body"):
    """A body over `limit` refused: the API's JSON error under /api/, a 400 page elsewhere."""
    message = _("The request body is larger than %(size)s; send less at once.") % {
        "size": size_text(limit)
    }
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "errors": {field: [message]}}, status=400)
    return render(request, "400.html", {"message": message}, status=400)


class UploadLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        limit = max_request_bytes()
        if declared_length(request) > limit:
            return too_large(request, limit)
        return self.get_response(request)


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or "HTTP_AUTHORIZATION" in request.META:
            add_never_cache_headers(response)
        return response


def client_ip(request: HttpRequest) -> str | None:
    """The client's address for login throttling. Behind N trusted proxies (each appends the
    address it received from to X-Forwarded-For), the N-th address from the right; a client
    cannot forge it, since whatever it sends comes before those the proxies add."""
    proxies = int(getattr(settings, "SAIMA_TRUSTED_PROXIES", 0))
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")
