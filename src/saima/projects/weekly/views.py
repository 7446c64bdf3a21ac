"""Pages of the weekly schedule (周调度): who has reported the week, a unit's report form for
all its projects, the week's problems for the office to follow up, and site photos.

A unit's form saves every project it fills in, or none (one transaction); photos are checked
like evidence (by content, size limit) and must be PNG or JPEG.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from saima.common.evidence import file_response, max_bytes, read_upload
from saima.common.pages import BadRequest, page
from saima.common.requests import whole_number
from saima.engine.calendar import Week
from saima.org.access import access_of, readable_unit
from saima.projects import present
from saima.projects.access import can_report
from saima.projects.models import WeeklyProblem
from saima.projects.pipeline.services import today
from saima.projects.rules import current_settings
from saima.projects.values import field_errors, read_week
from saima.projects.weekly import selectors, services

#: Most photos one upload of the form may carry, over all its projects.
MAX_UPLOAD_PHOTOS = 30


def chosen_week(request) -> Week:
    """The week in `?week=` (or the form), this week when none; the future is refused."""
    raw = request.GET.get("week") or request.POST.get("week") or ""
    current = Week.of(today())
    if not raw.strip():
        return current
    week = read_week(raw)
    if week is None:
        raise BadRequest(
            _("“%(value)s” is not a week; write it as 2026-W14.") % {"value": raw[:20]}
        )
    if week > current:
        raise BadRequest(_("%(week)s has not begun yet.") % {"week": week.label})
    return week


def _neighbours(week: Week) -> tuple[Week, Week | None]:
    before = Week.of(week.monday - timedelta(days=7))
    after = Week.of(week.monday + timedelta(days=7))
    return before, (after if after <= Week.of(today()) else None)


@page
@require_safe
def board(request):
    access = access_of(request)
    week = chosen_week(request)
    before, after = _neighbours(week)
    settings = current_settings()
    rows = selectors.board(access, week)
    return render(
        request,
        "projects/weekly.html",
        {
            "week": week,
            "week_label": present.week_label(week),
            "before": before,
            "after": after,
            "rows": rows,
            "due": selectors.due_date(week, settings.weekly_due_weekday),
            "today": today(),
            "total": sum(r["projects"] for r in rows),
            "reported": sum(r["reported"] for r in rows),
            "problems": selectors.problems(access, week=week).count(),
        },
    )


# --- a unit's reports ----------------------------------------------------------------------------


def _unit_context(access, unit, week, *, posted=None, errors=None) -> dict:
    projects = selectors.unit_projects(access, unit)
    reports = selectors.unit_reports(projects, week)
    previous = selectors.previous_reports(projects, week)
    before, after = _neighbours(week)
    items = []
    for project in projects:
        report = reports.get(project.pk)
        prefix = f"p{project.pk}-"
        values = {
            name: (
                posted.get(prefix + name, "")
                if posted is not None
                else (getattr(report, name) if report else "")
            )
            for name in ("progress", "next_plan", "problems")
        }
        found = [m for key, ms in (errors or {}).items() if key.startswith(prefix) for m in ms]
        items.append(
            {
                "project": project,
                "report": report,
                "previous": previous.get(project.pk),
                "values": values,
                "errors": found,
            }
        )
    return {
        "unit": unit,
        "week": week,
        "week_label": present.week_label(week),
        "before": before,
        "after": after,
        "items": items,
        "can_report": access.can_edit_figures(unit.pk),
        "accept": ".png,.jpg,.jpeg",
        "max_mb": f"{max_bytes() / (1024 * 1024):g}",
        "due": selectors.due_date(week, current_settings().weekly_due_weekday),
        "errors": errors or {},
    }


def _max_upload() -> int:
    return max_bytes() * 6


@page(max_upload=_max_upload)
@require_http_methods(["GET", "HEAD", "POST"])
def unit_form(request, unit: str):
    access = access_of(request)
    found = readable_unit(access, unit)
    week = chosen_week(request)
    if request.method != "POST":
        return render(request, "projects/weekly_unit.html", _unit_context(access, found, week))
    if not access.can_edit_figures(found.pk):
        raise PermissionDenied(_("You may not report for %(unit)s.") % {"unit": found})
    context = _unit_context(access, found, week)
    errors: dict[str, list[str]] = {}
    saved = 0
    photos_sent = sum(
        len(request.FILES.getlist(f"p{i['project'].pk}-photos")) for i in context["items"]
    )
    if photos_sent > MAX_UPLOAD_PHOTOS:
        raise BadRequest(_("Send at most %(n)s photos at once.") % {"n": MAX_UPLOAD_PHOTOS})
    try:
        with transaction.atomic():
            for item in context["items"]:
                saved += _save_one(request, access, item, week, errors)
            if errors:
                raise ValidationError(errors)
    except ValidationError:
        posted = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        context = _unit_context(access, found, week, posted=posted, errors=errors)
        return render(request, "projects/weekly_unit.html", context, status=400)
    if saved:
        messages.success(
            request,
            ngettext(
                "%(count)s report saved for %(week)s.",
                "%(count)s reports saved for %(week)s.",
                saved,
            )
            % {"count": saved, "week": week.label},
        )
    else:
        messages.info(request, _("Nothing was filled in; nothing was saved."))
    url = reverse("projects:weekly_unit", args=[found.code])
    return HttpResponseRedirect(f"{url}?{urlencode({'week': week.label})}")


def _save_one(request, access, item, week: Week, errors: dict) -> int:
    project, report = item["project"], item["report"]
    prefix = f"p{project.pk}-"
    post = request.POST
    progress = (post.get(prefix + "progress") or "").strip()
    next_plan = post.get(prefix + "next_plan") or ""
    problems = post.get(prefix + "problems") or ""
    uploads = request.FILES.getlist(prefix + "photos")
    untouched = not progress and not next_plan.strip() and not problems.strip() and not uploads
    if untouched and report is None:
        return 0
    unchanged = (
        report is not None
        and not uploads
        and (
            (progress, next_plan.strip(), problems.strip())
            == (report.progress, report.next_plan, report.problems)
        )
    )
    if unchanged or not can_report(access, project):
        return 0
    try:
        photos = [read_upload(upload, field="photos") for upload in uploads]
        services.weekly_report_save(
            access=access,
            user=request.user,
            project=project,
            week=week,
            progress=progress,
            next_plan=next_plan,
            problems=problems,
            photos=photos,
        )
    except ValidationError as exc:
        for field, found in field_errors(exc).items():
            errors[prefix + field] = found
        return 0
    return 1


@page
@require_safe
def photo(request, pk: int):
    access = access_of(request)
    found = selectors.readable_photo(access, pk) if 0 < pk < 2**63 else None
    if found is None:
        raise Http404(_("There is no such photo."))
    return file_response(data=bytes(found.data), name=found.name, content_type=found.content_type)


# --- the week's problems -------------------------------------------------------------------------


def supervision_link(problem: WeeklyProblem) -> str | None:
    """Where the office turns a problem into a supervision item, once the supervision app
    offers it (its URL `supervision:from_project_problem`, taking the problem's id)."""
    try:
        return reverse("supervision:from_project_problem", args=[problem.pk])
    except NoReverseMatch:
        return None


@page
@require_http_methods(["GET", "HEAD", "POST"])
def problems_page(request):
    access = access_of(request)
    raw_week = request.GET.get("week", "")
    week = chosen_week(request) if raw_week else None
    status = request.GET.get("status", "")
    if request.method == "POST":
        return _follow_up(request, access)
    found = list(selectors.problems(access, week=week, status=status)[:500])
    return render(
        request,
        "projects/problems.html",
        {
            "items": [{"problem": p, "supervise": supervision_link(p)} for p in found],
            "week": week,
            "this_week": Week.of(today()),
            "status": status if status in WeeklyProblem.Status.values else "",
            "statuses": WeeklyProblem.Status.choices,
            "settable": [
                (value, label)
                for value, label in WeeklyProblem.Status.choices
                if value != WeeklyProblem.Status.SUPERVISED
            ],
            "can_manage": access.is_office,
            "errors": {},
        },
    )


def _follow_up(request, access):
    number = whole_number(request.POST.get("problem"))
    problem = selectors.problems(access).filter(pk=number).first() if number else None
    if problem is None:
        raise BadRequest(_("Which problem?"))
    try:
        services.problem_status_set(
            access=access,
            user=request.user,
            problem=problem,
            status=request.POST.get("status", ""),
            response=request.POST.get("response", ""),
        )
    except ValidationError as exc:
        messages.error(
            request,
            _("%(project)s, %(week)s: %(problem)s")
            % {
                "project": problem.project.code,
                "week": problem.week_label,
                "problem": " ".join(m for ms in field_errors(exc).values() for m in ms),
            },
        )
        return HttpResponseRedirect(request.get_full_path())
    messages.success(
        request,
        _("%(project)s, %(week)s: the problem is now %(status)s.")
        % {
            "project": problem.project.code,
            "week": problem.week_label,
            "status": problem.get_status_display(),
        },
    )
    return HttpResponseRedirect(request.get_full_path())
