"""Pages for spreadsheets: a unit's template download and upload, the office's bulk import.

Imports go in stages: upload → parse and preview every change (nothing written) → confirm →
`figures_save` with every row in one transaction. Between preview and confirm the parsed rows sit
in the session (size-bounded), keyed by a one-time token, with the versions the preview showed so a
figure changed by someone else in between is refused by `figures_save`. Nothing a parser raises
reaches the user as a 500: bad input becomes a list of problems naming sheet, row and column.
"""

from __future__ import annotations

import logging
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from saima.common.engine_text import say_problems
from saima.common.requests import declared_length
from saima.common.workbooks import MAX_UPLOAD_BYTES, too_large_message
from saima.engine import Period, PeriodError, parse_period
from saima.org.access import Access, access_of, readable_unit, require_office
from saima.org.models import Unit
from saima.reporting import calendar, selectors, services
from saima.reporting.files import build_template, parse_bulk, parse_template, preview_changes
from saima.reporting.files_preview import (
    PendingTooLarge,
    pending_store,
    pending_take,
    summary,
)
from saima.reporting.files_template import Current, period_key
from saima.reporting.jobs import import_job_start
from saima.tabular import InputError, Problem

logger = logging.getLogger(__name__)

#: Longer than any period name; anything longer is refused unread.
_PERIOD_LENGTH = 16


class _BadRequest(Exception):
    """A request the page cannot serve (bad period, future month); the message is for the user."""


def _page(view):
    """Signed in; a bad period is a 400 page rather than a traceback; an oversized body is
    refused from its Content-Length before anything reads it (the CSRF check would otherwise
    parse, and spool to disk, the whole upload first)."""
    protected = csrf_protect(view)

    @csrf_exempt
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            if declared_length(request) > MAX_UPLOAD_BYTES + _FORM_OVERHEAD:
                raise _BadRequest(too_large_message())
            return protected(request, *args, **kwargs)
        except _BadRequest as exc:
            return render(request, "400.html", {"message": str(exc)}, status=400)

    return wrapper


#: Room for the form fields and multipart boundaries around the file itself.
_FORM_OVERHEAD = 64 * 1024


def _period(raw: str | None) -> Period:
    raw = (raw or "").strip()
    if not raw or len(raw) > _PERIOD_LENGTH:
        raise _BadRequest(_("Give a period, such as 2026-06."))
    try:
        period = parse_period(raw)
    except PeriodError:
        raise _BadRequest(
            _("“%(value)s” is not a period: write it as 2026-06, 2026-Q2, 2026-H1 or 2026.")
            % {"value": raw[:_PERIOD_LENGTH]}
        ) from None
    today = calendar.today()
    if (period.year, period.month) > (today.year, today.month):
        raise _BadRequest(_("%(period)s is in the future.") % {"period": period.label})
    return Period(period.year, period.month)


# --- a unit's template -------------------------------------------------------------------------


def _template_unit(access: Access, code: str) -> Unit:
    unit = readable_unit(access, code)
    if not (access.can_edit_figures(unit.pk) or access.can_approve_figures(unit.pk)):
        raise PermissionDenied(_("You may not fill in the figures of %(unit)s.") % {"unit": unit})
    return unit


@_page
@require_safe
def template_download(request, unit: str, period: str):
    """The pre-filled template of one unit and period (reporter, approver, office)."""
    access = access_of(request)
    found = _template_unit(access, unit)
    when = _period(period)
    rows = selectors.form_rows(found, when.year, when.month)
    data = build_template(
        found,
        when,
        indicators=[r.indicator for r in rows],
        previous={r.indicator.code: r.previous.value for r in rows if r.previous},
        last_year={r.indicator.code: _last_year(r) for r in rows},
        current={
            r.indicator.code: Current(r.observation.value, r.observation.growth, r.observation.note)
            for r in rows
            if r.observation
        },
        due=calendar.schedule(when.year, when.month).due_on,
    )
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"saima-{found.code}-{period_key(when)}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _last_year(row):
    """去年同期 comes back as the figure's last_year_value: the stored one when the figure exists
    (so re-uploading an unchanged template changes nothing), else last year's figure."""
    if row.observation is not None:
        return row.observation.last_year_value
    return row.last_year.value if row.last_year else None


@_page
@require_http_methods(["GET", "POST"])
def upload(request, unit: str, period: str):
    """Upload a filled template: preview every change, then confirm to save."""
    access = access_of(request)
    found = readable_unit(access, unit)
    if not access.can_edit_figures(found.pk):
        raise PermissionDenied(_("You may not enter figures for %(unit)s.") % {"unit": found})
    when = _period(period)
    flow = _Flow(
        request,
        scope=f"template:{found.code}:{period_key(when)}",
        source="xlsx",
        page="reporting/upload.html",
        context={"unit": found, "period": when},
        parse=lambda data, name: parse_template(data, filename=name, unit=found, period=when),
    )
    return flow.handle()


# --- the office's bulk import ------------------------------------------------------------------


@_page
@require_http_methods(["GET", "POST"])
def bulk_import(request):
    """The office imports every unit × indicator of a period from one CSV or XLSX."""
    access = access_of(request)
    require_office(access)
    raw = request.POST.get("period") if request.method == "POST" else request.GET.get("period")
    if request.method == "GET" and not raw:
        return render(request, "reporting/import.html", {"period": None})
    when = _period(raw)
    flow = _Flow(
        request,
        scope=f"import:{period_key(when)}",
        source="import",
        page="reporting/import.html",
        context={"period": when},
        parse=lambda data, name: parse_bulk(data, filename=name, period=when),
    )
    return flow.handle()


# --- the stages shared by both ----------------------------------------------------------------


class _Flow:
    def __init__(self, request, *, scope, source, page, context, parse) -> None:
        self.request = request
        self.access = access_of(request)
        self.scope = scope
        self.source = source
        self.page = page
        self.context = context
        self.parse = parse

    def render(self, template: str, status: int = 200, **extra):
        return render(self.request, template, {**self.context, **extra}, status=status)

    def handle(self):
        if self.request.method == "GET":
            return self.render(self.page)
        if "confirm" in self.request.POST:
            return self.confirm()
        return self.preview()

    def preview(self):
        upload = self.request.FILES.get("file")
        if upload is None:
            return self.render(self.page, 400, problems=[_("Choose a file to upload.")])
        name = (upload.name or "upload")[:200]
        if upload.size > MAX_UPLOAD_BYTES:
            return self.render(self.page, 400, problems=[f"{name}: {too_large_message()}"])
        try:
            rows = self.parse(upload.read(), name)
        except InputError as exc:
            return self.render(self.page, 400, problems=_problem_lines(exc.problems))
        except Exception:  # a parser bug must still not become a 500; nothing was written
            logger.exception("Unexpected failure reading an upload")
            return self.render(
                self.page, 400, problems=[_("%(file)s could not be read.") % {"file": name}]
            )
        if not rows:
            return self.render(self.page, 400, problems=[_("The file holds no figures.")])
        return self.show(rows, name)

    def show(self, rows, name: str, notice: str = ""):
        try:
            changes = preview_changes(rows, access=self.access)
        except Exception:  # the checks failing must not become a 500 either; nothing was written
            logger.exception("Unexpected failure previewing an upload")
            return self.render(
                self.page, 400, problems=[_("%(file)s could not be checked.") % {"file": name}]
            )
        try:
            token = pending_store(
                self.request.session, scope=self.scope, changes=changes, filename=name
            )
        except PendingTooLarge:
            return self.render(
                self.page, 400, problems=[_("The file is too large to preview; split it.")]
            )
        return self.render(
            "reporting/upload_preview.html",
            changes=changes,
            counts=summary(changes),
            refused=any(c.refused for c in changes),
            token=token,
            filename=name,
            notice=notice,
            page=self.page,
        )

    def confirm(self):
        pending = pending_take(
            self.request.session, scope=self.scope, token=self.request.POST.get("token", "")
        )
        if pending is None:
            return self.render(
                self.page,
                400,
                problems=[
                    _("This preview has expired or was already saved; upload the file again.")
                ],
            )
        changes = preview_changes(pending.rows, access=self.access)
        if any(c.refused for c in changes):
            return self.show(pending.rows, pending.filename, _("Some rows cannot be saved."))
        if len(pending.rows) >= settings.SAIMA_IMPORT_JOB_ROWS:
            # A large file is saved by a worker; this page follows its progress.
            job = import_job_start(
                user=self.request.user,
                rows=pending.rows,
                versions=pending.versions,
                source=self.source,
                filename=pending.filename,
                reason=self.request.POST.get("reason", "")[:200],
                key=f"reporting.import:{self.scope}:{self.request.POST.get('token', '')}",
            )
            query = self.request.GET.copy()
            if "period" in self.context and self.context["period"] is not None:
                query["period"] = self.context["period"].label
            query["job"] = str(job.pk)
            return HttpResponseRedirect(f"{self.request.path}?{query.urlencode()}")
        try:
            result = services.figures_save(
                access=self.access,
                user=self.request.user,
                rows=pending.rows,
                source=self.source,
                expected_versions=pending.versions,
                change_reason=self.request.POST.get("reason", "")[:200],
            )
        except services.FiguresRefused as exc:
            return self.render(self.page, 400, problems=_row_errors(pending.rows, exc.row_errors))
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            return self.render(self.page, 400, problems=messages)
        return self.render(
            "reporting/upload_done.html",
            result=result,
            stored=len(result.stored),
            unchanged=len(result.unchanged),
            filename=pending.filename,
        )


def _problem_lines(problems: list[Problem]) -> list[str]:
    """The problems of a file, each with its place, in the reader's language."""
    return say_problems(problems)


def _row_errors(rows, row_errors: dict[int, list[str]]) -> list[str]:
    lines = []
    for index, messages in row_errors.items():
        row = rows[index] if 0 <= index < len(rows) else None
        where = f"{row.unit_code} · {row.indicator_code}" if row else "—"
        lines.extend(f"{where}: {message}" for message in messages)
    return lines
