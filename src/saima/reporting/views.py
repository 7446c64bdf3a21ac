"""Pages of the reporting cycle: the status board, a unit's form, and the form's live light."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from saima.common.lights import LIGHTS
from saima.common.pages import page
from saima.common.periods import requested_period
from saima.common.requests import whole_number
from saima.engine import Period
from saima.metrics.models import Indicator
from saima.metrics.services import to_decimal
from saima.org.access import access_of, readable_unit, require_office
from saima.reporting import calendar, checking, progress, selectors, services
from saima.reporting.checking import CandidateFigure


def month_of(request) -> Period:
    """The month named by `?period=` (a quarter or half names its last month), or by default
    the month whose figures are being reported now (last month)."""
    if not request.GET.get("period", "").strip() and len(request.GET.getlist("period")) <= 1:
        today = calendar.today()
        return Period(*calendar.previous_month(today.year, today.month))
    period = requested_period(request.GET)
    return Period(period.year, period.month)


def _months_context(period: Period) -> dict:
    today = calendar.today()
    year, month = calendar.previous_month(today.year, today.month)
    choices = []
    for _step in range(12):
        choices.append(Period(year, month))
        year, month = calendar.previous_month(year, month)
    if all(choice.label != period.label for choice in choices):
        choices.insert(0, period)
    return {"period": period, "choices": choices}


def _here(name: str, period: Period, *args) -> str:
    return f"{reverse(name, args=args)}?period={period.label}"


# --- Board -------------------------------------------------------------------------------------


@page
@require_http_methods(["GET", "HEAD"])
def board(request):
    access = access_of(request)
    period = month_of(request)
    if not access.sees_everything:
        own = access.units().order_by("order", "code").first()
        if own is None:
            raise PermissionDenied(_("The status board is for the office and leaders."))
        return HttpResponseRedirect(_here("reporting:unit", period, own.code))
    status = selectors.status_board(period.year, period.month)
    context = {
        "board": status,
        "reminders": selectors.recent_reminders() if access.is_office else [],
        **_months_context(period),
    }
    return render(request, "reporting/board.html", context)


@page
@require_http_methods(["GET", "HEAD", "POST"])
def lock(request):
    """Lock or unlock a month (the office). Locking asks first: GET (or a POST without
    `confirm`) shows what the lock freezes and which units have not reported; POST
    action=lock with confirm=yes locks. Unlocking needs a reason and no confirmation."""
    access = access_of(request)
    require_office(access)
    period = month_of(request)
    action, reason = request.POST.get("action", "lock"), request.POST.get("reason", "")
    service = {"lock": services.period_lock, "unlock": services.period_unlock}.get(action)
    if service is None:
        return render(request, "400.html", {"message": _("Lock or unlock?")}, status=400)
    if action == "lock" and (request.method != "POST" or request.POST.get("confirm") != "yes"):
        rows = selectors.status_rows(period.year, period.month)
        context = {
            "schedule": calendar.schedule(period.year, period.month),
            "missing": [r for r in rows if r.base_status in services.OWING],
            "unaccepted": [r for r in rows if r.base_status in ("submitted", "approved")],
            "reason": reason,
            **_months_context(period),
        }
        return render(request, "reporting/lock_confirm.html", context)
    try:
        service(
            access=access, user=request.user, year=period.year, month=period.month, reason=reason
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        done = _("%(period)s is locked.") if action == "lock" else _("%(period)s is unlocked.")
        messages.success(request, done % {"period": period.label})
    return HttpResponseRedirect(_here("reporting:board", period))


@page
@require_POST
def remind(request):
    """Send the reminders due today to every unit that owes figures (the office): the same
    service as `saima remind`, so a unit is never reminded twice a day for the same month."""
    access = access_of(request)
    period = month_of(request)
    sent = services.reminders_send(access=access)
    if sent:
        names = sorted({str(reminder.unit.name) for reminder in sent})
        messages.success(
            request,
            ngettext(
                "%(count)d reminder sent, to %(units)s.",
                "%(count)d reminders sent, to %(units)s.",
                len(sent),
            )
            % {"count": len(sent), "units": _(", ").join(names)},
        )
    else:
        messages.info(
            request,
            _(
                "No reminder was due: every unit that owes figures was reminded today already, "
                "has no one with an email address, or its month is not yet near its due date."
            ),
        )
    return HttpResponseRedirect(_here("reporting:board", period))


# --- A unit's form -----------------------------------------------------------------------------


def _rows_from_post(post, unit, period: Period, rows) -> tuple[list, dict, dict]:
    figures, versions, acknowledgements = [], {}, {}
    for row in rows:
        code = row.indicator.code
        figures.append(
            services.FigureRow(
                unit_code=unit.code,
                indicator_code=code,
                year=period.year,
                month=period.month,
                value=post.get(f"value-{code}", ""),
                last_year_value=post.get(f"last_year_value-{code}", ""),
                growth=post.get(f"growth-{code}", ""),
                note=post.get(f"note-{code}", ""),
            )
        )
        version = whole_number(post.get(f"version-{code}", ""))
        if version is not None:
            versions[(unit.code, code, period.year, period.month)] = version
        prefix = f"ack-{code}-"
        for name, comment in post.items():
            if name.startswith(prefix) and comment.strip():
                key = (unit.code, code, period.year, period.month, name[len(prefix) :])
                acknowledgements[key] = comment
    return figures, versions, acknowledgements


def _text(value) -> str:
    if value is None:
        return ""
    return "0" if value == 0 else format(value.normalize(), "f")


def _line(row: selectors.FormRow, posted: dict, row_errors: dict, findings: dict) -> dict:
    """What one indicator's line of the form shows: posted input wins over the stored figure."""
    code, stored = row.indicator.code, row.observation

    def shown(name: str) -> str:
        key = f"{name}-{code}"
        if key in posted:
            return posted[key]
        if stored is None:
            return ""
        return stored.note if name == "note" else _text(getattr(stored, name))

    return {
        "row": row,
        "code": code,
        "value": shown("value"),
        "last_year_value": shown("last_year_value"),
        "growth": shown("growth"),
        "note": shown("note"),
        "version": posted.get(f"version-{code}", row.version),
        "errors": row_errors.get(code, []),
        "findings": findings.get(code, []),
        "previous": _text(row.previous.value) if row.previous else "",
        "last_year": _text(row.last_year.value) if row.last_year else "",
    }


def _stored_lights(unit, period: Period, rows) -> dict:
    """The light of each stored figure, from the engine (one pass for the unit)."""
    candidates = [
        CandidateFigure(
            unit,
            r.indicator,
            period.year,
            period.month,
            r.observation.value,
            r.observation.last_year_value,
        )
        for r in rows
        if r.observation is not None
    ]
    frame = progress.candidate_progress(candidates) if candidates else None
    if frame is None or frame.height == 0:
        return {}
    return {
        row["indicator"]: LIGHTS.get(row["light"], LIGHTS[None])
        for row in frame.iter_rows(named=True)
    }


def _form_context(request, unit, period: Period, **extra) -> dict:
    access = access_of(request)
    rows = selectors.form_rows(unit, period.year, period.month)
    submission = selectors.submission_of(unit, period.year, period.month)
    sched = calendar.schedule(period.year, period.month)
    status = submission.status if submission else None
    editable = not sched.locked and (
        access.is_office
        or (access.can_edit_figures(unit.pk) and status in (None, *services.REPORTER_EDITABLE))
    )
    status_rows = {r.unit.pk: r for r in selectors.status_rows(period.year, period.month)}
    lights = _stored_lights(unit, period, rows)
    lines = [
        _line(row, extra.get("posted", {}), extra.get("row_errors", {}), extra.get("findings", {}))
        | {"light": lights.get(row.indicator.code, LIGHTS[None])}
        for row in rows
    ]
    # A month that is done (submitted, accepted, locked) points the unit's people to the next one,
    # up to this month, so the form is one click from what there is still to enter.
    year, month = (period.year + 1, 1) if period.month == 12 else (period.year, period.month + 1)
    today = calendar.today()
    following = Period(year, month) if (year, month) <= (today.year, today.month) else None
    context = {
        "unit": unit,
        "lines": lines,
        "submission": submission,
        "next_period": following if not editable and access.can_edit_figures(unit.pk) else None,
        "status_row": status_rows.get(unit.pk),
        "schedule": sched,
        "editable": editable,
        "can_submit": editable and access.can_edit_figures(unit.pk),
        "can_approve": access.can_approve_figures(unit.pk) and status == "submitted",
        "can_accept": access.is_office and status == "approved",
        "can_return": (access.is_office and status in ("submitted", "approved", "accepted"))
        or (access.can_approve_figures(unit.pk) and status == "submitted"),
        "needs_reason": status == "accepted",
        "posted": {},
        "row_errors": {},
        "findings": {},
        "errors": [],
        **_months_context(period),
    }
    context.update(extra)
    return context


@page
@require_http_methods(["GET", "HEAD", "POST"])
def unit_form(request, code: str):
    access = access_of(request)
    unit = readable_unit(access, code)
    period = month_of(request)
    if request.method == "POST":
        return _post_form(request, access, unit, period)
    return render(request, "reporting/unit_form.html", _form_context(request, unit, period))


def _post_form(request, access, unit, period: Period):
    action = request.POST.get("action", "")
    if action in ("approve", "accept", "return"):
        return _transition(request, access, unit, period, action)
    if action == "submit_saved":
        return _submit_saved(request, access, unit, period)
    if action not in ("check", "save", "submit"):
        return render(request, "400.html", {"message": _("Unknown action.")}, status=400)
    if not access.can_edit_figures(unit.pk):
        raise PermissionDenied(_("You may not enter figures for %(unit)s.") % {"unit": unit})
    rows = selectors.form_rows(unit, period.year, period.month)
    figures, versions, acks = _rows_from_post(request.POST, unit, period, rows)
    arguments = {
        "access": access,
        "user": request.user,
        "rows": figures,
        "source": "web",
        "expected_versions": versions,
        "acknowledgements": acks,
        "change_reason": request.POST.get("change_reason", ""),
    }
    posted = {key: value for key, value in request.POST.items() if key != "csrfmiddlewaretoken"}
    try:
        if action == "check":
            with transaction.atomic():
                result = services.figures_save(**arguments)
                transaction.set_rollback(True)
        else:
            result = services.figures_save(**arguments)
    except services.FiguresRefused as exc:
        row_errors = {
            figures[i].indicator_code: messages_ for i, messages_ in exc.row_errors.items()
        }
        # Every problem at once: the errors and the warnings still to explain, together.
        context = _form_context(
            request,
            unit,
            period,
            posted=posted,
            row_errors=row_errors,
            findings=_findings_by_indicator(
                exc.findings or _other_findings(arguments, figures, set(exc.row_errors))
            ),
            errors=[_("Nothing was saved: correct the figures marked below.")],
        )
        return render(request, "reporting/unit_form.html", context, status=400)
    findings = _findings_by_indicator(result.findings)
    if action == "check":
        note = _("Checked; nothing was saved.")
        context = _form_context(
            request, unit, period, posted=posted, findings=findings, notice=note
        )
        return render(request, "reporting/unit_form.html", context)
    saved = ngettext("%(count)d figure saved.", "%(count)d figures saved.", len(result.stored)) % {
        "count": len(result.stored)
    }
    if action == "submit":
        try:
            services.submission_submit(
                access=access, user=request.user, unit=unit, year=period.year, month=period.month
            )
        except (ValidationError, PermissionDenied) as exc:
            problems = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            context = _form_context(
                request,
                unit,
                period,
                findings=findings,
                notice=saved,
                errors=[_("Not submitted:"), *problems],
            )
            return render(request, "reporting/unit_form.html", context, status=400)
        messages.success(request, saved + " " + _("The figures are submitted."))
        return HttpResponseRedirect(_here("reporting:unit", period, unit.code))
    if result.unacknowledged or any(f.blocking for f in result.findings):
        context = _form_context(request, unit, period, findings=findings, notice=saved)
        return render(request, "reporting/unit_form.html", context)
    messages.success(request, saved)
    return HttpResponseRedirect(_here("reporting:unit", period, unit.code))


def _other_findings(arguments: dict, figures: list, refused: set[int]) -> list:
    """The checks' findings on the figures that were not refused: a figure that is not a number
    stops the save before the checks run, yet the other figures' warnings belong in the same
    round. Rehearsed in a rolled-back transaction: nothing is written."""
    rest = [figure for index, figure in enumerate(figures) if index not in refused]
    if not rest:
        return []
    try:
        with transaction.atomic():
            result = services.figures_save(**{**arguments, "rows": rest})
            transaction.set_rollback(True)
    except services.FiguresRefused as exc:
        return exc.findings
    except (ValidationError, PermissionDenied):
        return []
    return result.findings


def _submit_saved(request, access, unit, period: Period):
    """Submit the figures as stored (after an upload), without posting them again."""
    try:
        services.submission_submit(
            access=access, user=request.user, unit=unit, year=period.year, month=period.month
        )
    except (ValidationError, PermissionDenied) as exc:
        problems = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        context = _form_context(request, unit, period, errors=[_("Not submitted:"), *problems])
        return render(request, "reporting/unit_form.html", context, status=400)
    messages.success(request, _("The figures are submitted."))
    return HttpResponseRedirect(_here("reporting:unit", period, unit.code))


def _findings_by_indicator(findings) -> dict:
    grouped: dict = {}
    for finding in findings:
        grouped.setdefault(finding.indicator, []).append(finding)
    return grouped


def _transition(request, access, unit, period: Period, action: str):
    try:
        services.submission_transition(
            access=access,
            user=request.user,
            unit=unit,
            year=period.year,
            month=period.month,
            action=action,
            comment=request.POST.get("comment", ""),
        )
    except ValidationError as exc:
        context = _form_context(request, unit, period, errors=exc.messages)
        return render(request, "reporting/unit_form.html", context, status=400)
    done = {
        "approve": _("The figures are approved."),
        "accept": _("The figures are accepted."),
        "return": _("The figures are returned to the reporter."),
    }[action]
    messages.success(request, done)
    return HttpResponseRedirect(_here("reporting:unit", period, unit.code))


@page
@require_POST
def light(request, code: str):
    """The light one typed figure would get (HTMX partial), computed by the engine."""
    access = access_of(request)
    unit = readable_unit(access, code)
    period = month_of(request)
    indicator = Indicator.objects.filter(code=request.POST.get("indicator", "")).first()
    if indicator is None:
        return render(request, "reporting/_live_light.html", {"light": LIGHTS[None]})
    try:
        value = to_decimal(request.POST.get(f"value-{indicator.code}"), field="value")
        last_year = to_decimal(
            request.POST.get(f"last_year_value-{indicator.code}"), field="last_year_value"
        )
    except ValidationError as exc:
        context = {"light": LIGHTS[None], "problem": " ".join(exc.messages)}
        return render(request, "reporting/_live_light.html", context)
    candidate = CandidateFigure(unit, indicator, period.year, period.month, value, last_year)
    frame = progress.candidate_progress([candidate])
    row = (
        next((r for r in frame.iter_rows(named=True) if r["indicator"] == indicator.code), None)
        if frame.height
        else None
    )
    found = LIGHTS.get(row["light"], LIGHTS[None]) if row else LIGHTS[None]
    # The checks the final save runs (negative, falling, slips...): the light says so at once.
    checks = checking.findings_for_rows([candidate]) if value is not None else []
    context = {
        "light": found,
        "row": row,
        "blocking": [f for f in checks if f.blocking],
        "warnings": [f for f in checks if not f.blocking and f.needs_acknowledgement],
    }
    return render(request, "reporting/_live_light.html", context)


# --- The reporting calendar --------------------------------------------------------------------


@page
@require_http_methods(["GET", "HEAD", "POST"])
def calendar_page(request):
    """A year's reporting calendar: per month, when its figures open and are due, whether the
    month is locked, and which indicators are due (quarterly ones only at quarter ends). The
    office changes a month's dates here (`services.reporting_period_set`)."""
    access = access_of(request)
    if not access.sees_everything and not access.own_units:
        raise PermissionDenied(_("The reporting calendar is for the office, leaders and units."))
    year = whole_number(request.GET.get("year", "")) or calendar.today().year
    if not 1990 <= year <= 2100:
        return render(request, "400.html", {"message": _("That is not a year.")}, status=400)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        month = whole_number(request.POST.get("month", ""))
        if month is None or not 1 <= month <= 12:
            return render(request, "400.html", {"message": _("Which month?")}, status=400)
        try:
            services.reporting_period_set(
                access=access,
                user=request.user,
                year=year,
                month=month,
                opens_on=_date(request.POST.get("opens_on"), "opens_on"),
                due_on=_date(request.POST.get("due_on"), "due_on"),
            )
        except ValidationError as exc:
            errors, status = exc.messages, 400
        else:
            messages.success(
                request, _("The dates of %(period)s are saved.") % {"period": f"{year}-{month:02d}"}
            )
            return HttpResponseRedirect(f"{reverse('reporting:calendar')}?year={year}")
    context = {
        "year": year,
        "years": [year - 1, year, year + 1],
        "months": selectors.calendar_months(year),
        "errors": errors,
        "editable": access.is_office,
        "today": calendar.today(),
    }
    return render(request, "reporting/calendar.html", context, status=status)


def _date(text, field: str):
    import datetime

    try:
        return datetime.date.fromisoformat((text or "").strip())
    except ValueError:
        raise ValidationError(
            {field: _("%(value)s is not a date (write 2026-11-08).") % {"value": text or ""}}
        ) from None
