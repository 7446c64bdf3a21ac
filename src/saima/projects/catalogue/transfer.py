"""The project list in and out as a file: the office's import (upload → preview of every
change → confirm, saved in one transaction) and the export in the same columns.

Between preview and confirmation the parsed list waits in the session under a one-time token;
the confirmation checks it all again inside the transaction. A file that cannot be read, or a
row that cannot be saved, is refused with every problem naming file, sheet, row and column.
"""

from __future__ import annotations

import json
import logging
import secrets
from datetime import date

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from saima.common.engine_text import say_problems
from saima.common.pages import BadRequest, page
from saima.common.workbooks import MAX_UPLOAD_BYTES, too_large_message
from saima.org.access import access_of, require_office
from saima.projects.catalogue import files
from saima.projects.catalogue.selectors import filtered, read_filters, readable_units
from saima.projects.catalogue.services import projects_import
from saima.projects.models import AnnualPlan, Milestone, Project
from saima.projects.pipeline.services import today
from saima.projects.values import form_int
from saima.tabular import InputError

logger = logging.getLogger(__name__)
SESSION_KEY = "saima_projects_pending"
#: Upper bound on a pending list kept in the session (JSON characters).
MAX_PENDING_CHARS = 8_000_000


def _context(**extra) -> dict:
    now = today()
    return {"measures": files.MEASURES, "year": now.year, "measure": "万元", **extra}


@page(max_upload=MAX_UPLOAD_BYTES)
@require_http_methods(["GET", "HEAD", "POST"])
def import_page(request):
    access = access_of(request)
    require_office(access)
    if request.method != "POST":
        return render(request, "projects/import.html", _context())
    if "confirm" in request.POST:
        return _confirm(request, access)
    return _preview(request)


def _refused(request, problems: list[str], **extra):
    return render(request, "projects/import.html", _context(problems=problems, **extra), status=400)


def _preview(request):
    post = request.POST
    measure = post.get("measure", "")
    try:
        year = form_int(post, "year", 1990, 2100)
    except ValidationError:
        return _refused(request, [_("Give the year of the plans.")])
    upload = request.FILES.get("file")
    if upload is None:
        return _refused(request, [_("Choose a file to upload.")])
    name = (upload.name or "upload")[:200]
    if upload.size > MAX_UPLOAD_BYTES:
        return _refused(request, [f"{name}: {too_large_message()}"])
    kept = {"year": year, "measure": measure}
    try:
        parsed = files.parse_projects(upload.read(), filename=name, measure=measure, year=year)
        problems = files.import_problems(parsed, today=today())
    except InputError as exc:
        return _refused(request, say_problems(exc.problems), **kept)
    except Exception:  # a reader's bug must not become a 500 either; nothing was written
        logger.exception("Unexpected failure reading a project list")
        return _refused(request, [_("%(file)s could not be read.") % {"file": name}], **kept)
    if problems:
        return _refused(request, say_problems(problems), **kept)
    if not parsed.rows:
        return _refused(request, [_("The file lists no projects.")], **kept)
    payload = json.dumps(files.encode(parsed), separators=(",", ":"))
    if len(payload) > MAX_PENDING_CHARS:
        return _refused(request, [_("The file is too large to preview; split it.")], **kept)
    token = secrets.token_urlsafe(16)
    request.session[SESSION_KEY] = {"token": token, "list": payload}
    context = _context(rows=_changes(parsed), token=token, filename=name, **kept)
    return render(request, "projects/import_preview.html", context)


def _changes(parsed: files.ParsedList) -> list[dict]:
    """What saving the list would change, project by project, in the main fields."""
    codes = [r.code for r in parsed.rows]
    stored = {p.code: p for p in Project.objects.select_related("unit").filter(code__in=codes)}
    plans = dict(
        AnnualPlan.objects.filter(project__code__in=list(stored), year=parsed.year).values_list(
            "project__code", "amount"
        )
    )
    rows = []
    for row in parsed.rows:
        project = stored.get(row.code)
        changes = [] if project is None else _differences(row, project, plans.get(row.code))
        status = "new" if project is None else ("changed" if changes else "same")
        rows.append({"row": row, "status": status, "changes": changes})
    return rows


def _differences(row: files.ImportRow, project: Project, plan) -> list[dict]:
    def money(value) -> str | None:
        return None if value is None else files.shown(value, "万元")

    unit = project.unit
    same_unit = row.unit in (unit.code, unit.name_zh, unit.name_en)
    compared = [
        (_("name"), project.name, row.name),
        (_("responsible unit"), unit.name, None if same_unit else row.unit),
        (
            _("total investment (10k yuan)"),
            money(project.total_investment),
            money(row.total_investment),
        ),
        (_("stage"), project.get_stage_display(), row.stage and files.Stage(row.stage).label),
        (_("annual plan (10k yuan)"), money(plan), money(row.annual_plan)),
        (_("leader in charge"), project.leader_name, row.leader),
    ]
    return [
        {"field": label, "old": old, "new": new}
        for label, old, new in compared
        if new is not None and str(old or "") != str(new or "")
    ]


def _confirm(request, access):
    kept = request.session.get(SESSION_KEY)
    token = request.POST.get("token", "")
    if not isinstance(kept, dict) or not secrets.compare_digest(str(kept.get("token", "")), token):
        return render(
            request,
            "projects/import.html",
            _context(
                problems=[
                    _("This preview has expired or was already saved; upload the file again.")
                ]
            ),
            status=400,
        )
    del request.session[SESSION_KEY]
    parsed = files.decode(json.loads(kept["list"]))
    try:
        result = projects_import(access=access, user=request.user, parsed=parsed)
    except InputError as exc:
        return render(
            request,
            "projects/import.html",
            _context(problems=say_problems(exc.problems)),
            status=400,
        )
    return render(request, "projects/import_done.html", {"result": result, "filename": parsed.file})


# --- export --------------------------------------------------------------------------------------

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


@page
@require_safe
def export(request):
    access = access_of(request)
    suffix = request.GET.get("format", "xlsx")
    if suffix not in FORMATS:
        raise BadRequest(_("Export as xlsx or csv."))
    filters = read_filters(request.GET, readable_units(access))
    projects = list(filtered(access, filters).select_related("unit"))
    year = today().year
    body = files.table_bytes(files.export_frame(export_rows(projects, year)), f".{suffix}")
    response = HttpResponse(body, content_type=FORMATS[suffix])
    response["Content-Disposition"] = f'attachment; filename="projects-{year}.{suffix}"'
    return response


def export_rows(projects: list[Project], year: int) -> list[dict]:
    """The list as rows of the columns `parse_projects` reads (万元; the year's plan)."""
    ids = [p.pk for p in projects]
    plans = {p.project_id: p for p in AnnualPlan.objects.filter(project_id__in=ids, year=year)}
    dates: dict[int, dict[str, tuple[date | None, date | None]]] = {}
    for project_id, code, planned, actual in Milestone.objects.filter(
        project_id__in=ids
    ).values_list("project_id", "code", "planned", "actual"):
        dates.setdefault(project_id, {})[code] = (planned, actual)
    rows = []
    for p in projects:
        plan = plans.get(p.pk)
        row = {
            "code": p.code,
            "name": p.name,
            "name_en": p.name_en,
            "category": files.CATEGORY_WORDS[p.category][0],
            "level": files.LEVEL_WORDS[p.level][0],
            "unit": p.unit.name_zh,
            "leader": p.leader_name,
            "owner": p.owner,
            "location": p.location,
            "total_investment": float(p.total_investment),
            "years": f"{p.start_year}-{p.end_year}",
            "stage": files.STAGE_WORDS[p.stage][0],
            "stage_date": p.stage_since.isoformat() if p.stage_since else None,
            "target_start": p.target_start.isoformat() if p.target_start else None,
            "annual_plan": float(plan.amount) if plan else None,
        }
        for month in range(1, 13):
            monthly = plan.monthly if plan else []
            row[f"m{month}"] = float(monthly[month - 1]) if monthly else None
        for code, (planned, actual) in dates.get(p.pk, {}).items():
            row[f"{code}_planned"] = planned.isoformat() if planned else None
            row[f"{code}_actual"] = actual.isoformat() if actual else None
        rows.append(row)
    return rows
