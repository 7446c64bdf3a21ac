"""The one decorator of every signed-in page, and the request it refuses with a message.

Each view states its methods with Django's own decorators (`require_safe`, `require_POST`,
`require_http_methods`) under `@page`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from saima.common.engine_text import say_error
from saima.common.evidence import too_large_message
from saima.common.requests import declared_length
from saima.engine import EngineError


class BadRequest(Exception):
    """A request the page cannot serve (a bad period, a body too large); the message is for the
    reader, on a 400 page."""


#: Room for the form fields and multipart boundaries around an uploaded file.
FORM_OVERHEAD = 64 * 1024


def page(view: Callable | None = None, *, max_upload: int | Callable[[], int] | None = None):
    """A signed-in page. A request it cannot serve (`BadRequest`) is a 400 page; figures or rules
    the engine refuses, a notice on the page rather than a server error.

    With `max_upload` (bytes, or a function giving them), a body declared larger than that plus
    the form's overhead is refused before anything reads it: the CSRF check runs inside, after
    this test, since it would otherwise parse (and spool to disk) the whole body first.
    """

    def decorate(view: Callable) -> Callable:
        inner = view if max_upload is None else csrf_protect(view)

        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                if max_upload is not None:
                    limit = max_upload() if callable(max_upload) else max_upload
                    if declared_length(request) > limit + FORM_OVERHEAD:
                        raise BadRequest(too_large_message(_("The upload"), limit))
                return inner(request, *args, **kwargs)
            except BadRequest as exc:
                return render(request, "400.html", {"message": str(exc)}, status=400)
            except EngineError as exc:
                return render(request, "data_problem.html", {"error": exc})

        return wrapper if max_upload is None else csrf_exempt(wrapper)

    return decorate if view is None else decorate(view)


def error_messages(exc: Exception) -> list[str]:
    """The lines to show for a refused write: a ValidationError's messages, or an engine error's
    message and details."""
    if isinstance(exc, EngineError):
        return say_error(exc)
    messages = getattr(exc, "messages", None)
    return [str(m) for m in messages] if messages else [str(exc)]
