"""The JSON API (django-ninja): one NinjaAPI, a router per app, OpenAPI at /api/openapi.json.

Every route takes a per-user token (`Authorization: Bearer saima_...`) or a signed-in session
(CSRF checked on unsafe methods); anonymous callers get 401. Errors are JSON
`{"detail": ..., "errors": {field: [messages]}}` with 400 (bad input), 401, 403 or 404: the
handlers below turn the project's exceptions into those, so a refused request never reaches 500.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from saima.common.engine_text import say, say_all, say_error_text
from saima.common.text import storable_problem
from saima.engine import EngineError, PeriodError
from saima.metrics.api import router as metrics_router
from saima.org.api import authenticators
from saima.org.api import router as org_router


class BodyRefused(ValueError):
    """A JSON body that parses but cannot be stored; the message is for the caller, `field`
    the top-level key it is about."""

    def __init__(self, message: str, field: str = "body") -> None:
        super().__init__(message)
        self.field = field


#: Deeper than any request of this API; deeper bodies would only exhaust the stack of whatever
#: walks them next (validation, storage).
MAX_BODY_DEPTH = 32


class StorableJsonParser(Parser):
    """JSON bodies of a sensible depth whose every string the database can keep (PostgreSQL
    refuses NUL)."""

    def parse_body(self, request: HttpRequest):
        data = super().parse_body(request)
        if isinstance(data, dict):
            pending = [(v, 1, str(k)) for k, v in data.items()] + [(k, 1, "body") for k in data]
        else:
            pending = [(data, 0, "body")]
        while pending:
            value, depth, field = pending.pop()
            if depth > MAX_BODY_DEPTH:
                raise BodyRefused(_("The request body is nested too deeply."), field)
            if isinstance(value, dict):
                pending.extend((part, depth + 1, field) for part in (*value, *value.values()))
            elif isinstance(value, list):
                pending.extend((part, depth + 1, field) for part in value)
            elif isinstance(value, str) and storable_problem(value):
                raise BodyRefused(storable_problem(value), field)
        return data


api = NinjaAPI(
    title="Saima API",
    version="1",
    urls_namespace="api",
    auth=authenticators(),
    parser=StorableJsonParser(),
)
api.add_router("", org_router)
api.add_router("", metrics_router)
api.add_router("", "saima.reporting.api.figures_router")
api.add_router("/reporting", "saima.reporting.api.router")
api.add_router("/races", "saima.races.api.router")
api.add_router("/projects", "saima.projects.api.router")
api.add_router("/supervision", "saima.supervision.api.router")
api.add_router("/bulletins", "saima.bulletins.api.router")
api.add_router("/jobs", "saima.jobs.api.router")

#: Parts of a ninja error location that name where a value came from, not which field it is.
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def _error(request: HttpRequest, status: int, detail: str, errors=None) -> HttpResponse:
    body = {"detail": detail} if errors is None else {"detail": detail, "errors": errors}
    return api.create_response(request, body, status=status)


def _field_of(location: tuple | list, source_params: set[str]) -> str:
    """The field a ninja error is about: ("body", "payload", "value", "str") -> "value"."""
    parts = [str(part) for part in location]
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
    if parts and parts[0] in source_params:
        parts = parts[1:]
    return parts[0] if parts else "body"


def _message_of(error: dict) -> str:
    """A pydantic error in the reader's language (pydantic's own messages are English only)."""
    kind, context = error.get("type", ""), error.get("ctx", {})
    if kind == "value_error" and "error" in context:
        return str(context["error"])
    messages = {
        "missing": _("This field is required."),
        "extra_forbidden": _("This field is not expected here."),
        "int_parsing": _("Give a whole number."),
        "int_type": _("Give a whole number."),
        "bool_parsing": _("Give true or false."),
        "bool_type": _("Give true or false."),
        "string_type": _("Give text."),
        "model_attributes_type": _("Give a JSON object."),
        "dict_type": _("Give a JSON object."),
        "string_pattern_mismatch": _("Use only letters, digits, - and _."),
    }
    if kind in messages:
        return messages[kind]
    if kind == "greater_than_equal":
        return _("Give at least %(limit)s.") % {"limit": context.get("ge")}
    if kind == "less_than_equal":
        return _("Give at most %(limit)s.") % {"limit": context.get("le")}
    if kind == "string_too_long":
        return _("Give at most %(limit)s characters.") % {"limit": context.get("max_length")}
    if kind == "string_too_short":
        return _("Give at least %(limit)s characters.") % {"limit": context.get("min_length")}
    return str(error.get("msg", _("This value is not valid.")))


@api.exception_handler(NinjaValidationError)
def on_request_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    """A request that does not fit its schema: 400 (not ninja's 422), naming each field."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        field = _field_of(error.get("loc", ()), {"payload", "filters"})
        message = _message_of(error)
        if message not in errors.setdefault(field, []):
            errors[field].append(message)
    detail = _("The request is not valid: %(fields)s.") % {"fields": ", ".join(errors)}
    return _error(request, 400, detail, errors)


@api.exception_handler(DjangoValidationError)
def on_value_invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    """A value the services refuse: 400 with their messages, by field."""
    if hasattr(exc, "error_dict"):
        errors = {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
    else:
        errors = {"__all__": [str(m) for m in exc.messages]}
    first = next(iter(errors.values()))[0]
    return _error(request, 400, first, errors)


@api.exception_handler(PeriodError)
def on_period_invalid(request: HttpRequest, exc: PeriodError) -> HttpResponse:
    message = _("The period is not valid: %(problem)s.") % {"problem": say(exc.args[0])}
    return _error(request, 400, message, {"period": [message]})


@api.exception_handler(EngineError)
def on_engine_error(request: HttpRequest, exc: EngineError) -> HttpResponse:
    """Figures the engine cannot compute on (a contradiction in the data): 400, saying why."""
    details = say_all(exc.details)
    message = _("Cannot compute: %(problem)s") % {"problem": say_error_text(exc)}
    return _error(request, 400, message, {"__all__": details} if details else None)


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, str(exc) or _("You may not do this."))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, str(exc) or _("Not found."))


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    message = exc.message if exc.message != "Unauthorized" else ""
    return _error(request, 401, message or _("Sign in, or send an API token."))


@api.exception_handler(RequestDataTooBig)
def on_body_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    """A body over Django's limit, refused before it is read."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    message = _("The request body is larger than %(size)s; send less at once.") % {
        "size": f"{limit / (1024 * 1024):g} MB"
    }
    return _error(request, 400, message, {"body": [message]})


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """Ninja's own refusals (a body that is not JSON, a failed CSRF check), in our words."""
    message = str(exc)
    if isinstance(exc.__cause__, BodyRefused):
        message = str(exc.__cause__)
        return _error(request, 400, message, {exc.__cause__.field: [message]})
    if isinstance(exc.__cause__, RecursionError):
        message = _("The request body is nested too deeply.")
    elif message.startswith("Cannot parse request body"):
        message = _("The request body is not valid JSON.")
    elif message == "CSRF check Failed":
        message = _("The CSRF check failed: send the CSRF token with a signed-in session.")
    return _error(request, exc.status_code, message)
