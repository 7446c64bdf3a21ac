"""The office's pages for targets and schedules: every unit's annual target on every indicator
(edited on the page or through an XLSX file, both through `services.targets_set`), and each
indicator's time-sequence profile, drawn as a curve and edited (`services.indicator_save`).
Leaders read them; only the office changes them."""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from saima.common import workbooks
from saima.common.engine_text import say_problem, say_problems
from saima.common.pages import BadRequest, page
from saima.common.requests import whole_number
from saima.metrics import services
from saima.metrics.models import Indicator, Target
from saima.org.access import Access, access_of
from saima.org.models import Unit
from saima.tabular import Column, InputError, Problem, read_table, write_table
from saima.tabular._schema import ROW

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: What a person writes in a cell for "this indicator does not apply to this unit".
NOT_APPLICABLE = ("n/a", "na", "-", "不适用")
#: The columns of the targets file (the export writes them, the import reads them).
COLUMNS = [
    Column("unit", "text", aliases=("单位代码", "unit code")),
    Column("unit_name", "text", required=False, allow_blank=True, aliases=("单位",)),
    Column("indicator", "text", aliases=("指标代码", "indicator code")),
    Column("indicator_name", "text", required=False, allow_blank=True, aliases=("指标",)),
    Column("value", "text", allow_blank=True, aliases=("目标", "target")),
    Column("last_year_total", "number", required=False, allow_blank=True, aliases=("上年全年",)),
]


def _read_access(request) -> Access:
    access = access_of(request)
    if not access.sees_everything:
        raise PermissionDenied(_("Targets and schedules are the office's pages."))
    return access


def _year(request) -> int:
    raw = request.GET.get("year", "").strip()
    if not raw:
        return timezone.localdate().year
    year = whole_number(raw)
    if year is None or not 1990 <= year <= 2100:
        raise BadRequest(_("%(year)s is not a year.") % {"year": raw})
    return year


def _cell_text(target: Target | None) -> str:
    if target is None:
        return ""
    if target.not_applicable:
        return "n/a"
    return "" if target.value is None else format(target.value.normalize(), "f")


def _grid(year: int):
    units = list(
        Unit.objects.filter(active=True).select_related("race_group").order_by("order", "code")
    )
    indicators = list(Indicator.objects.filter(source="").order_by("order", "code"))
    targets = {(t.unit_id, t.indicator_id): t for t in Target.objects.filter(year=year)}
    return units, indicators, targets


def _row(unit_code: str, indicator_code: str, text: str, last_year_total=None) -> dict:
    text = (text or "").strip()
    row = {"unit": unit_code, "indicator": indicator_code, "last_year_total": last_year_total}
    if text.lower() in NOT_APPLICABLE:
        return {**row, "value": None, "not_applicable": True}
    return {**row, "value": text, "not_applicable": False}


@page
@require_http_methods(["GET", "HEAD", "POST"])
def targets(request):
    """Every unit × indicator target of a year, as a grid of inputs (read-only for leaders)."""
    access = _read_access(request)
    year = _year(request)
    units, indicators, stored = _grid(year)
    posted: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        if not access.is_office:
            raise PermissionDenied(_("Only the office sets targets."))
        rows, names = [], []
        for unit in units:
            for indicator in indicators:
                name = f"t-{unit.code}-{indicator.code}"
                if name not in request.POST:
                    continue
                text = request.POST[name].strip()
                posted[name] = text
                target = stored.get((unit.pk, indicator.pk))
                if text == _cell_text(target) or (not text and target is None):
                    continue
                rows.append(_row(unit.code, indicator.code, text))
                names.append((name, unit, indicator))
        try:
            saved = services.targets_set(access=access, user=request.user, year=year, rows=rows)
        except services.TargetsRefused as exc:
            for index, _field, message in exc.problems:
                name, unit, indicator = names[index]
                errors.setdefault(name, []).append(f"{unit.name} · {indicator.name}: {message}")
            status = 400
        else:
            messages.success(
                request,
                ngettext("%(count)d target saved.", "%(count)d targets saved.", len(saved))
                % {"count": len(saved)},
            )
            return HttpResponseRedirect(f"{reverse('metrics:targets')}?year={year}")
    grid = []
    for unit in units:
        cells = []
        for indicator in indicators:
            name = f"t-{unit.code}-{indicator.code}"
            text = posted.get(name, _cell_text(stored.get((unit.pk, indicator.pk))))
            cells.append({"name": name, "text": text, "errors": errors.get(name, [])})
        grid.append({"unit": unit, "cells": cells})
    context = {
        "year": year,
        "years": [year - 1, year, year + 1],
        "indicators": indicators,
        "grid": grid,
        "errors": [m for found in errors.values() for m in found],
        "editable": access.is_office,
    }
    return render(request, "metrics/targets.html", context, status=status)


@page
@require_safe
def targets_download(request):
    """The year's targets as an XLSX file: the same columns the import reads."""
    _read_access(request)
    year = _year(request)
    units, indicators, stored = _grid(year)
    lines = []
    for unit in units:
        for indicator in indicators:
            target = stored.get((unit.pk, indicator.pk))
            total = (
                None
                if target is None or target.last_year_total is None
                else float(target.last_year_total)
            )
            lines.append(
                (
                    unit.code,
                    str(unit.name),
                    indicator.code,
                    str(indicator.name),
                    _cell_text(target),
                    total,
                )
            )
    frame = pl.DataFrame(
        lines,
        schema={
            "unit": pl.String,
            "unit_name": pl.String,
            "indicator": pl.String,
            "indicator_name": pl.String,
            "value": pl.String,
            "last_year_total": pl.Float64,
        },
        orient="row",
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "targets.xlsx"
        write_table(frame, path, sheet_name=f"targets {year}")
        body = path.read_bytes()
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="saima-targets-{year}.xlsx"'
    return response


def import_problems(data: bytes, name: str, access: Access, user, year: int) -> list[str]:
    """Read a targets file and set every target in it, all or none: the problems found (file,
    sheet, row and column named), or [] when every row was saved."""
    try:
        workbooks.check_workbook_bytes(data, file=name)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "targets.xlsx"
            path.write_bytes(data)
            table = workbooks.guarded(name, lambda: read_table(path, COLUMNS, label=name))
    except InputError as exc:
        return say_problems(exc.problems, limit=50)
    # A row without a target sets none (the download lists every unit × indicator).
    lines = [line for line in table.frame.iter_rows(named=True) if (line["value"] or "").strip()]
    rows = [
        _row(line["unit"], line["indicator"], line["value"] or "", line.get("last_year_total"))
        for line in lines
    ]
    if not rows:
        return [say_problem(Problem(name, _("has no targets in it")))]
    try:
        services.targets_set(access=access, user=user, year=year, rows=rows)
    except services.TargetsRefused as exc:
        return [
            say_problem(table.problem(lines[index][ROW], field, message))
            for index, field, message in exc.problems
        ]
    return []


@page(max_upload=workbooks.MAX_UPLOAD_BYTES)
@require_POST
def targets_import(request):
    """An XLSX of targets (as the download writes it): every row set, or none and every problem
    named by sheet, row and column."""
    access = access_of(request)
    if not access.is_office:
        raise PermissionDenied(_("Only the office sets targets."))
    year = _year(request)
    upload = request.FILES.get("file")
    if upload is None:
        raise BadRequest(_("Choose a file to import."))
    if upload.size > workbooks.MAX_UPLOAD_BYTES:
        raise BadRequest(workbooks.too_large_message())
    problems = import_problems(upload.read(), upload.name, access, request.user, year)
    if problems:
        units, indicators, stored = _grid(year)
        context = {
            "year": year,
            "years": [year - 1, year, year + 1],
            "indicators": indicators,
            "grid": [
                {
                    "unit": unit,
                    "cells": [
                        {
                            "name": f"t-{unit.code}-{i.code}",
                            "text": _cell_text(stored.get((unit.pk, i.pk))),
                            "errors": [],
                        }
                        for i in indicators
                    ],
                }
                for unit in units
            ],
            "import_errors": problems,
            "errors": [],
            "editable": True,
        }
        return render(request, "metrics/targets.html", context, status=400)
    messages.success(request, _("The targets of the file are saved."))
    return HttpResponseRedirect(f"{reverse('metrics:targets')}?year={year}")


# --- Profiles ----------------------------------------------------------------------------------


def _labels(indicator: Indicator) -> list[str]:
    months = [capfirst(str(MONTHS_3[m])) for m in range(1, 13)]
    if indicator.combined_jan_feb:
        return [f"{months[0]}–{months[1]}", *months[2:]]
    return months


def _linear(indicator: Indicator) -> list[float]:
    steps = range(2, 13) if indicator.combined_jan_feb else range(1, 13)
    return [round(m * 100 / 12, 1) for m in steps]


@page
@require_safe
def profiles(request):
    """Every scheduled indicator's profile as a curve, each linking to its editor."""
    _read_access(request)
    scheduled = Indicator.objects.filter(kind__in=(Indicator.Kind.AMOUNT, Indicator.Kind.COUNT))
    items = [(indicator, _chart(indicator)) for indicator in scheduled.order_by("order", "code")]
    context = {"items": items, "charts": [chart for _indicator, chart in items]}
    return render(request, "metrics/profiles.html", context)


def _chart(indicator: Indicator, shown: list | None = None) -> dict:
    profile = shown if shown is not None else (indicator.profile or _linear(indicator))
    return {
        "id": f"profile-{indicator.code}",
        "title": str(indicator.name),
        "measure": "%",
        "decimals": 1,
        "months": _labels(indicator),
        "linear": not indicator.profile,
        "series": [
            {
                "name": str(_("Profile")),
                "data": [None if v in ("", None) else float(v) for v in profile],
            },
            {"name": str(_("Linear")), "data": _linear(indicator)},
        ],
    }


@page
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request, code: str):
    """One indicator's profile: the curve and, for the office, its twelve (or eleven) points."""
    access = _read_access(request)
    indicator = get_object_or_404(Indicator, code=code)
    if indicator.kind not in (Indicator.Kind.AMOUNT, Indicator.Kind.COUNT):
        raise BadRequest(_("Only amounts and counts follow a schedule."))
    points = indicator.profile or _linear(indicator)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        if not access.is_office:
            raise PermissionDenied(_("Only the office changes a schedule."))
        if request.POST.get("action") == "linear":
            chosen = None
        else:
            texts = [request.POST.get(f"p{i}", "").strip() for i in range(len(_labels(indicator)))]
            points = texts
            try:
                chosen = [float(services.to_decimal(t, field="profile") or "nan") for t in texts]
                if any(v != v for v in chosen):
                    raise ValidationError(
                        {"profile": _("Give every month a cumulative percentage.")}
                    )
            except ValidationError as exc:
                errors, chosen = exc.messages, False
        if chosen is not False:
            try:
                services.indicator_save(
                    access=access, user=request.user, indicator=indicator, profile=chosen
                )
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, _("The schedule is saved."))
                return HttpResponseRedirect(reverse("metrics:profile", args=[indicator.code]))
        status = 400
    chart = _chart(indicator, points)
    context = {
        "indicator": indicator,
        "charts": [chart],
        "points": list(zip(_labels(indicator), points, strict=True)),
        "errors": errors,
        "editable": access.is_office,
    }
    return render(request, "metrics/profile.html", context, status=status)
