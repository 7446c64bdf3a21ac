"""Pages of the project list (项目库) and of one project: the list, a project's page with the
forms for its stage, milestones, plan and reported investment, adding and editing a project,
and the office's settings.

Every form posts to its page; a refusal renders the page again with the message beside the form
(400) and nothing stored; a success redirects back with a note of what was saved.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from saima.common.pages import BadRequest, page
from saima.common.requests import whole_number
from saima.engine.calendar import Week
from saima.engine.projects import DEFAULT_LEAD_DAYS, SCHEDULE_CHAIN
from saima.org.access import Access, access_of, require_office
from saima.org.models import Unit
from saima.projects import present
from saima.projects.access import can_confirm, can_report, readable_project
from saima.projects.catalogue import selectors
from saima.projects.catalogue.services import ProjectData, project_create, project_update
from saima.projects.investment import services as investment
from saima.projects.models import Milestone, MilestoneCode, Project, ProjectSettings, Stage
from saima.projects.pipeline import services as pipeline
from saima.projects.rules import current_settings, lead_days
from saima.projects.values import field_errors, form_amount, form_date, form_int, form_month

# --- the list ------------------------------------------------------------------------------------


@page
@require_safe
def index(request):
    access = access_of(request)
    units = selectors.readable_units(access)
    filters = selectors.read_filters(request.GET, units)
    projects = selectors.filtered(access, filters)
    ordered = selectors.mine_first(projects, access)
    paginator = Paginator(ordered, selectors.PAGE_SIZE)
    number = whole_number(request.GET.get("page")) or 1
    if number > paginator.num_pages:
        number = paginator.num_pages
    shown = paginator.page(number)
    today = pipeline.today()
    query = filters.query()
    context = {
        "rows": selectors.list_rows(list(shown.object_list), today=today, year=today.year),
        "page_obj": shown,
        "paginator": paginator,
        "filters": filters,
        "filter_query": urlencode(query),
        "units": units,
        "categories": Project.Category.choices,
        "levels": Project.Level.choices,
        "stages": selectors.stage_counts(projects),
        "stage_choices": Stage.choices,
        "leaders": selectors.leader_names(access),
        "watches": access.user_id is not None
        and Project.objects.filter(leader_id=access.user_id).exists(),
        "year": today.year,
        "can_manage": access.is_office,
    }
    return render(request, "projects/index.html", context)


# --- one project ---------------------------------------------------------------------------------


def _detail_context(request, access: Access, project: Project, **extra) -> dict:
    today = pipeline.today()
    settings = current_settings()
    month = today.month
    milestones = selectors.milestone_rows(project, today=today)
    context = {
        "project": project,
        "milestones": milestones,
        "stages": selectors.stage_history(project),
        "stage_choices": Stage.choices,
        "next_stage": _next_stage(project.stage),
        "investment": selectors.investment(project, year=today.year, month=month),
        "reports": selectors.recent_reports(project),
        "year": today.year,
        "today": today,
        "this_month": f"{today.year}-{today.month:02d}",
        "this_week": Week.of(today),
        "can_manage": access.is_office,
        "can_report": can_report(access, project),
        "can_confirm": can_confirm(access, project),
        "milestone_choices": [
            (row["milestone"].code, row["milestone"].label) for row in milestones
        ],
        "chain": [
            (code, MilestoneCode(code).label, lead_days(settings, project).get(code))
            for code in SCHEDULE_CHAIN[:-1]
        ],
        "soon_days": settings.soon_days,
        "errors": {},
        "posted": {},
        "action": "",
    }
    context.update(extra)
    return context


def _next_stage(stage: str) -> str:
    values = Stage.values
    return values[min(values.index(stage) + 1, len(values) - 1)]


@page
@require_http_methods(["GET", "HEAD", "POST"])
def project_page(request, code: str):
    access = access_of(request)
    project = readable_project(access, code)
    if request.method != "POST":
        return render(request, "projects/project.html", _detail_context(request, access, project))
    action = request.POST.get("action", "")
    handler = ACTIONS.get(action)
    if handler is None:
        raise BadRequest(_("Unknown action."))
    try:
        note = handler(request, access, project)
    except ValidationError as exc:
        posted = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        context = _detail_context(
            request, access, project, errors=field_errors(exc), posted=posted, action=action
        )
        return render(request, "projects/project.html", context, status=400)
    messages.success(request, note)
    return HttpResponseRedirect(reverse("projects:project", args=[project.code]) + f"#{action}")


def _milestone(project: Project, post) -> Milestone:
    code = post.get("milestone", "")
    milestone = (
        Milestone.objects.filter(project=project, code=code).select_related("project").first()
    )
    if milestone is None:
        raise ValidationError({"milestone": _("Choose one of the project's milestones.")})
    return milestone


def _stage(request, access, project) -> str:
    require_office(access)
    post = request.POST
    stage = post.get("stage", "")
    if stage not in Stage.values:
        raise ValidationError({"stage": _("Choose a stage.")})
    on = form_date(post, "date", required=True)
    pipeline.project_stage_change(
        access=access,
        user=request.user,
        project=project,
        stage=stage,
        on=on,
        reason=post.get("reason", ""),
    )
    return _("The project is now at the stage %(stage)s.") % {"stage": Stage(stage).label}


def _schedule(request, access, project) -> str:
    require_office(access)
    post = request.POST
    start = form_date(post, "target_start", required=True)
    office = lead_days(current_settings())
    own = {}
    for code in SCHEDULE_CHAIN[:-1]:
        text = (post.get(f"lead_{code}") or "").strip()
        if not text:
            continue
        days = whole_number(text)
        if days is None:
            raise ValidationError({f"lead_{code}": _("Give a whole number of days.")})
        if days != office.get(code):
            own[code] = days
    changed = pipeline.milestones_schedule(
        access=access, user=request.user, project=project, target_start=start, own_lead_days=own
    )
    return ngettext(
        "Reverse-scheduled from %(date)s: %(count)s planned date changed.",
        "Reverse-scheduled from %(date)s: %(count)s planned dates changed.",
        len(changed),
    ) % {
        "date": start.isoformat(),
        "count": len(changed),
    }


def _dates(post) -> dict:
    return {"planned": form_date(post, "planned"), "actual": form_date(post, "actual")}


def _milestone_set(request, access, project) -> str:
    require_office(access)
    milestone = _milestone(project, request.POST)
    pipeline.milestone_set(
        access=access,
        user=request.user,
        milestone=milestone,
        note=request.POST.get("note", ""),
        **_dates(request.POST),
    )
    return _("%(milestone)s: dates saved.") % {"milestone": milestone.label}


def _propose(request, access, project) -> str:
    milestone = _milestone(project, request.POST)
    pipeline.milestone_propose(
        access=access,
        user=request.user,
        milestone=milestone,
        note=request.POST.get("note", ""),
        **_dates(request.POST),
    )
    return _("%(milestone)s: the dates are proposed; the unit's approver confirms them.") % {
        "milestone": milestone.label
    }


def _confirm(request, access, project) -> str:
    milestone = _milestone(project, request.POST)
    pipeline.milestone_confirm(access=access, user=request.user, milestone=milestone)
    return _("%(milestone)s: the proposed dates are confirmed.") % {"milestone": milestone.label}


def _reject(request, access, project) -> str:
    milestone = _milestone(project, request.POST)
    pipeline.milestone_reject(
        access=access, user=request.user, milestone=milestone, reason=request.POST.get("reason", "")
    )
    return _("%(milestone)s: the proposed dates are rejected.") % {"milestone": milestone.label}


def _plan(request, access, project) -> str:
    require_office(access)
    post = request.POST
    year = form_int(post, "year", 1990, 2100)
    total = form_amount(post, "total")
    monthly = [form_amount(post, f"m{m}", required=False) for m in range(1, 13)]
    given = [m for m in monthly if m is not None]
    if given and len(given) < 12:
        raise ValidationError({"monthly": _("Give all twelve months, or none (spread evenly).")})
    investment.plan_save(
        access=access,
        user=request.user,
        project=project,
        year=year,
        total=total,
        monthly=given or None,
    )
    return _("The investment plan for %(year)s is saved.") % {"year": year}


def _actual(request, access, project) -> str:
    post = request.POST
    year, month = form_month(post)
    value = form_amount(post, "value")
    investment.actual_save(
        access=access,
        user=request.user,
        project=project,
        year=year,
        month=month,
        value=value,
        note=post.get("note", ""),
    )
    return _("Completed investment for %(year)s-%(month)02d is saved.") % {
        "year": year,
        "month": month,
    }


def _node(request, access, project) -> str:
    node = pipeline.milestone_add(
        access=access,
        user=request.user,
        project=project,
        name=request.POST.get("name", ""),
        planned=form_date(request.POST, "planned"),
    )
    return _("%(milestone)s: the node is added.") % {"milestone": node.label}


def _remove_node(request, access, project) -> str:
    milestone = _milestone(project, request.POST)
    pipeline.milestone_remove(access=access, user=request.user, milestone=milestone)
    return _("%(milestone)s: the node is taken off.") % {"milestone": milestone.label}


ACTIONS = {
    "node": _node,
    "remove_node": _remove_node,
    "stage": _stage,
    "schedule": _schedule,
    "milestone": _milestone_set,
    "propose": _propose,
    "confirm": _confirm,
    "reject": _reject,
    "plan": _plan,
    "actual": _actual,
}


# --- adding and editing --------------------------------------------------------------------------

_TEXT_FIELDS = ("code", "name", "name_en", "category", "level", "leader_name", "owner", "location")


def _project_data(post, units: dict[str, Unit], project: Project | None) -> ProjectData:
    errors: dict[str, list[str]] = {}

    def attempt(field, read):
        try:
            return read()
        except ValidationError as exc:
            for name, found in field_errors(exc).items():
                errors.setdefault(name if name != "__all__" else field, []).extend(found)
            return None

    unit = units.get(post.get("unit", ""))
    if unit is None:
        errors["unit"] = [_("Choose the responsible unit.")]
    total = attempt("total_investment", lambda: form_amount(post, "total_investment"))
    start = attempt("start_year", lambda: form_int(post, "start_year", 1990, 2100))
    end = attempt("end_year", lambda: form_int(post, "end_year", 1990, 2100))
    target = attempt("target_start", lambda: form_date(post, "target_start"))
    if errors:
        raise ValidationError(errors)
    return ProjectData(
        **{name: (post.get(name) or "").strip() for name in _TEXT_FIELDS},
        unit=unit,
        total_investment=total,
        start_year=start,
        end_year=end,
        target_start=target,
        active=post.get("active", "on" if project is None else "") == "on",
        lead_days=project.lead_days if project is not None else {},
    )


def _form_context(project: Project | None, posted: dict, errors: dict) -> dict:
    return {
        "project": project,
        "units": list(Unit.objects.filter(active=True).order_by("order", "code")),
        "categories": Project.Category.choices,
        "levels": Project.Level.choices,
        "posted": posted,
        "errors": errors,
    }


def _initial(project: Project) -> dict:
    return {
        **{name: getattr(project, name) for name in _TEXT_FIELDS},
        "unit": project.unit.code,
        "total_investment": present.plain(project.total_investment),
        "start_year": project.start_year,
        "end_year": project.end_year,
        "target_start": project.target_start.isoformat() if project.target_start else "",
        "active": "on" if project.active else "",
    }


@page
@require_http_methods(["GET", "HEAD", "POST"])
def project_new(request):
    access = access_of(request)
    require_office(access)
    return _edit(request, access, None)


@page
@require_http_methods(["GET", "HEAD", "POST"])
def project_edit(request, code: str):
    access = access_of(request)
    project = readable_project(access, code)
    require_office(access)
    return _edit(request, access, project)


def _edit(request, access, project: Project | None):
    if request.method != "POST":
        initial = _initial(project) if project else {"active": "on"}
        return render(request, "projects/edit.html", _form_context(project, initial, {}))
    units = {u.code: u for u in Unit.objects.all()}
    posted = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    try:
        data = _project_data(request.POST, units, project)
        if project is None:
            project = project_create(access=access, user=request.user, data=data)
            note = _("Project %(code)s is on the list.")
        else:
            project = project_update(access=access, user=request.user, project=project, data=data)
            note = _("Project %(code)s is saved.")
    except ValidationError as exc:
        context = _form_context(project, posted, field_errors(exc))
        return render(request, "projects/edit.html", context, status=400)
    messages.success(request, note % {"code": project.code})
    return HttpResponseRedirect(reverse("projects:project", args=[project.code]))


# --- the office's settings -----------------------------------------------------------------------


def _settings_context(settings: ProjectSettings, posted: dict | None = None, errors=None) -> dict:
    leads = lead_days(settings)
    return {
        "settings": settings,
        "chain": [
            (
                code,
                MilestoneCode(code).label,
                (posted or {}).get(f"lead_{code}", leads[code]),
                DEFAULT_LEAD_DAYS[code],
            )
            for code in SCHEDULE_CHAIN[:-1]
        ],
        "bases": ProjectSettings.Basis.choices,
        "numerators": ProjectSettings.Numerator.choices,
        "milestones_from": ProjectSettings.MilestonesFrom.choices,
        "weekdays": [(n, label) for n, label in enumerate(_weekday_names(), start=1)],
        "posted": posted or {},
        "errors": errors or {},
    }


def _weekday_names() -> list[str]:
    return [
        _("Monday"),
        _("Tuesday"),
        _("Wednesday"),
        _("Thursday"),
        _("Friday"),
        _("Saturday"),
        _("Sunday"),
    ]


@page
@require_http_methods(["GET", "HEAD", "POST"])
def settings_page(request):
    access = access_of(request)
    if not access.sees_everything:
        raise PermissionDenied(_("Only the office and leaders read the project settings."))
    settings = current_settings()
    if request.method != "POST":
        return render(
            request,
            "projects/settings.html",
            {**_settings_context(settings), "can_manage": access.is_office},
        )
    require_office(access)
    post = request.POST
    posted = {k: v for k, v in post.items() if k != "csrfmiddlewaretoken"}
    try:
        leads = {}
        for code in SCHEDULE_CHAIN[:-1]:
            days = whole_number(post.get(f"lead_{code}"))
            if days is None:
                raise ValidationError({f"lead_{code}": _("Give a whole number of days.")})
            if days != DEFAULT_LEAD_DAYS[code]:
                leads[code] = days
        pipeline.project_settings_save(
            access=access,
            user=request.user,
            lead_days=leads,
            soon_days=form_int(post, "soon_days", 0, 90),
            weekly_due_weekday=form_int(post, "weekly_due_weekday", 1, 7),
            rate_basis=post.get("rate_basis", ""),
            rate_numerator=post.get("rate_numerator", ""),
            later_stages=post.get("later_stages") == "on",
            cap=post.get("cap") == "on",
            decimals=form_int(post, "decimals", 0, 6),
            milestones_from=post.get("milestones_from", ""),
        )
    except ValidationError as exc:
        context = {**_settings_context(settings, posted, field_errors(exc)), "can_manage": True}
        return render(request, "projects/settings.html", context, status=400)
    messages.success(request, _("The project settings are saved."))
    return HttpResponseRedirect(reverse("projects:settings"))


# --- proposals waiting for confirmation ----------------------------------------------------------


@page
@require_http_methods(["GET", "HEAD", "POST"])
def proposals(request):
    """The milestone dates units have proposed, for their approvers (and the office) to confirm
    or reject."""
    access = access_of(request)
    waiting = selectors.proposals(access)
    if request.method == "POST":
        number = whole_number(request.POST.get("pk"))
        milestone = waiting.filter(pk=number).first() if number else None
        if milestone is None:
            raise BadRequest(_("Which proposal?"))
        try:
            if request.POST.get("action") == "confirm":
                pipeline.milestone_confirm(access=access, user=request.user, milestone=milestone)
                note = _("%(project)s, %(milestone)s: confirmed.")
            elif request.POST.get("action") == "reject":
                pipeline.milestone_reject(
                    access=access,
                    user=request.user,
                    milestone=milestone,
                    reason=request.POST.get("reason", ""),
                )
                note = _("%(project)s, %(milestone)s: rejected.")
            else:
                raise BadRequest(_("Unknown action."))
        except ValidationError as exc:
            context = {
                "items": _proposal_items(access, waiting),
                "errors": {milestone.pk: [m for ms in field_errors(exc).values() for m in ms]},
            }
            return render(request, "projects/proposals.html", context, status=400)
        messages.success(
            request,
            note % {"project": milestone.project.code, "milestone": milestone.label},
        )
        return HttpResponseRedirect(reverse("projects:proposals"))
    return render(
        request,
        "projects/proposals.html",
        {"items": _proposal_items(access, waiting), "errors": {}},
    )


def _proposal_items(access, waiting) -> list[dict]:
    return [
        {"milestone": m, "can_confirm": can_confirm(access, m.project)}
        for m in waiting.select_related("project__unit", "proposed_by")
    ]
