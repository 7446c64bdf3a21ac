"""Writes of the weekly schedule (周调度): a unit's report on a project for a week, its site
photos, and the follow-up of the problems reports raise.

A report that names problems has one `WeeklyProblem` row, which the office moves through open →
in coordination → resolved, or which the supervision app takes over
(`problem_link_supervision`, the hook it calls when it turns the problem into a supervision
item).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from saima.common.evidence import CheckedFile
from saima.engine.calendar import Week
from saima.org.access import Access, require_office
from saima.projects.access import require_reporter
from saima.projects.models import Project, WeeklyPhoto, WeeklyProblem, WeeklyReport
from saima.projects.pipeline.services import today

#: Longest text of one field of a report.
TEXT_LENGTH = 2000
#: Most photos one report keeps.
MAX_PHOTOS = 6
#: The kinds of file a site photo may be.
PHOTO_KINDS = ("png", "jpeg")
Status = WeeklyProblem.Status


def _text(value: str, field: str, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > TEXT_LENGTH:
        raise ValidationError({field: _("Keep it to %(n)s characters.") % {"n": TEXT_LENGTH}})
    return text


def check_photos(photos: Sequence[CheckedFile], already: int = 0) -> None:
    """Site photos are PNG or JPEG images (checked like evidence), at most `MAX_PHOTOS` a
    report."""
    for photo in photos:
        if photo.kind not in PHOTO_KINDS:
            raise ValidationError(
                {
                    "photos": _("%(name)s is not a photo: give a PNG or JPEG image.")
                    % {"name": photo.name}
                }
            )
    if already + len(photos) > MAX_PHOTOS:
        raise ValidationError(
            {"photos": _("A report keeps at most %(n)s photos.") % {"n": MAX_PHOTOS}}
        )


@transaction.atomic
def weekly_report_save(
    *,
    access: Access,
    user,
    project: Project,
    week: Week,
    progress: str,
    next_plan: str = "",
    problems: str = "",
    photos: Sequence[CheckedFile] = (),
) -> WeeklyReport:
    """File or correct a project's report for a week (its unit's reporter or the office)."""
    require_reporter(access, project)
    if not project.active:
        raise ValidationError({"project": _("This project is no longer on the list.")})
    if week.monday > today():
        raise ValidationError(
            {"week": _("%(week)s has not begun; report it once it has.") % {"week": week.label}}
        )
    progress = _text(progress, "progress", required=True)
    next_plan, problems = _text(next_plan, "next_plan"), _text(problems, "problems")
    report = (
        WeeklyReport.objects.select_for_update()
        .filter(project=project, year=week.year, week=week.week)
        .first()
    ) or WeeklyReport(project=project, year=week.year, week=week.week)
    check_photos(photos, report.photos.count() if report.pk else 0)
    report.progress, report.next_plan, report.problems = progress, next_plan, problems
    report.reported_by = user
    report._history_user = user
    report.full_clean(validate_unique=False, validate_constraints=False)
    report.save()
    for photo in photos:
        WeeklyPhoto.objects.create(
            report=report,
            name=photo.name,
            content_type=photo.content_type,
            size=len(photo.data),
            sha256=photo.sha256,
            data=photo.data,
            uploaded_by=user,
        )
    _follow_problem(report, user)
    return report


def _follow_problem(report: WeeklyReport, user) -> None:
    """Keep the report's problem row in step with its text while the office has not taken it
    up; once it has, the row keeps the text it acted on."""
    problem = WeeklyProblem.objects.select_for_update().filter(report=report).first()
    untouched = problem is not None and problem.status == Status.OPEN and not problem.response
    if not report.problems:
        if untouched:
            problem.delete()
        return
    if problem is None:
        problem = WeeklyProblem(
            report=report, project=report.project, year=report.year, week=report.week
        )
    elif not untouched or problem.text == report.problems:
        return
    problem.text, problem.updated_by = report.problems, user
    problem._history_user = user
    problem.save()


@transaction.atomic
def problem_status_set(
    *, access: Access, user, problem: WeeklyProblem, status: str, response: str = ""
) -> WeeklyProblem:
    """The office follows a problem up: in coordination, resolved, or open again."""
    require_office(access)
    problem = WeeklyProblem.objects.select_for_update().get(pk=problem.pk)
    if problem.status == Status.SUPERVISED:
        raise ValidationError(
            {"status": _("This problem is a supervision item now; follow it up there.")}
        )
    if status not in (Status.OPEN, Status.COORDINATING, Status.RESOLVED):
        raise ValidationError(
            {
                "status": _("%(status)s is not a status a problem can be given here.")
                % {"status": status}
            }
        )
    response = _text(response, "response")
    if status == Status.RESOLVED and not (response or problem.response):
        raise ValidationError({"response": _("Say how the problem was resolved.")})
    problem.status, problem.updated_by = status, user
    if response:
        problem.response = response
    problem._history_user = user
    problem.save()
    return problem


@transaction.atomic
def problem_link_supervision(
    *,
    access: Access,
    user,
    problem: WeeklyProblem,
    item_id: int,
    reference: str = "",
    url: str = "",
) -> WeeklyProblem:
    """The hook of the supervision app: the problem has become supervision item `item_id`
    (`reference` as people name it, `url` its page). The office's act; linking the same item
    again changes nothing, another item is refused."""
    require_office(access)
    problem = WeeklyProblem.objects.select_for_update().get(pk=problem.pk)
    if not isinstance(item_id, int) or isinstance(item_id, bool) or item_id <= 0:
        raise ValidationError({"item_id": _("Give the supervision item's number.")})
    if problem.supervision_item_id not in (None, item_id):
        raise ValidationError(
            {
                "item_id": _("This problem is already supervision item %(item)s.")
                % {"item": problem.supervision_reference or problem.supervision_item_id}
            }
        )
    reference, url = (reference or "").strip()[:100], (url or "").strip()
    if problem.supervision_item_id == item_id:  # the same item again: keep what it said
        reference = reference or problem.supervision_reference
        url = url or problem.supervision_url
    if url and (not url.startswith("/") or url.startswith("//")):
        raise ValidationError({"url": _("Give the item's address on this site, starting with /.")})
    problem.status, problem.supervision_item_id = Status.SUPERVISED, item_id
    problem.supervision_reference, problem.supervision_url = reference, url[:200]
    problem.updated_by = user
    problem._history_user = user
    problem._change_reason = _("handed to supervision")
    problem.save()
    return problem
