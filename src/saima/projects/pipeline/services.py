"""Writes of a project's pipeline: stage changes, milestone dates (set, proposed, confirmed,
rejected), reverse scheduling, and the office's project settings.

A stage and its milestone tell one story: recording a stage dates its milestone (if not dated
yet), and an actual date confirmed for a stage's milestone moves the project to that stage when
it is further along than the project is. Moving back needs a reason (the engine's rule) and
clears the actual dates of the stages undone. Every write records who, in the history.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from saima.common.engine_text import say_error
from saima.engine import DataError
from saima.engine.projects import (
    DEFAULT_LEAD_DAYS,
    SCHEDULE_CHAIN,
    STAGE_RANK,
    check_stage_change,
    plan_milestones,
)
from saima.org.access import Access, require_office
from saima.projects.access import require_confirmer, require_reporter
from saima.projects.models import Milestone, MilestoneCode, Project, ProjectSettings, StageChange
from saima.projects.rules import conversion_rates, current_settings, lead_days

#: Longest reason or note kept with a change.
NOTE_LENGTH = 200
#: The longest lead time accepted, in days (ten years).
MAX_LEAD_DAYS = 3650


def today() -> date:
    """Today in the office's time zone (tests fix it by patching `timezone.localdate`)."""
    return timezone.localdate()


def _saved(obj, user, reason: str = "", fields: list[str] | None = None):
    obj._history_user = user
    if reason:
        obj._change_reason = reason[:100]
    obj.full_clean(validate_unique=False, validate_constraints=False)
    obj.save(update_fields=fields)
    return obj


# --- stages --------------------------------------------------------------------------------------


def _check_date(value: date | None, field: str, *, label: str) -> None:
    if value is not None and value > today():
        raise ValidationError(
            {
                field: _("%(what)s %(date)s is in the future; enter it once it has happened.")
                % {"what": label, "date": value.isoformat()}
            }
        )


@transaction.atomic
def project_stage_change(
    *, access: Access, user, project: Project, stage: str, on: date, reason: str = ""
) -> StageChange:
    """Move a project to `stage` on `on` (the office). Moving back needs a reason."""
    require_office(access)
    return stage_record(user=user, project=project, stage=stage, on=on, reason=reason)


def stage_record(*, user, project: Project, stage: str, on: date, reason: str = "") -> StageChange:
    """Record a stage change the caller has authorised: checked, dated, with its milestones."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    reason = (reason or "").strip()
    if len(reason) > NOTE_LENGTH:
        raise ValidationError({"reason": _("Keep the reason to %(n)s characters.") % {"n": 200}})
    _check_date(on, "date", label=_("The date"))
    try:
        check_stage_change(
            project.stage, stage, reason=reason, current_since=project.stage_since, on=on
        )
    except DataError as exc:
        raise ValidationError({"stage": say_error(exc)}) from None
    change = StageChange.objects.create(
        project=project, stage=stage, previous=project.stage, date=on, reason=reason, by=user
    )
    forward = STAGE_RANK[stage] > STAGE_RANK[project.stage]
    project.stage, project.stage_since, project.updated_by = stage, on, user
    _saved(project, user, reason or _("stage changed"), ["stage", "stage_since", "updated_by"])
    if forward:
        _date_reached_stages(project, stage, on, user)
    else:
        _undo_stages_above(project, stage, user, reason)
    return change


def _date_reached_stages(project: Project, stage: str, on: date, user) -> None:
    """The milestone of the stage reached gets the change's date, if it has none yet."""
    milestone = Milestone.objects.filter(project=project, code=stage, actual__isnull=True).first()
    if milestone is not None:
        milestone.actual, milestone.updated_by = on, user
        _saved(milestone, user, _("stage reached"), ["actual", "updated_by"])


def _undo_stages_above(project: Project, stage: str, user, reason: str) -> None:
    """A move back: the stages above the new one have not been reached after all."""
    above = [s for s, rank in STAGE_RANK.items() if rank > STAGE_RANK[stage]]
    for milestone in Milestone.objects.filter(
        project=project, code__in=above, actual__isnull=False
    ):
        milestone.actual, milestone.updated_by = None, user
        _saved(milestone, user, reason, ["actual", "updated_by"])


# --- milestones ----------------------------------------------------------------------------------


def milestones_ensure(project: Project) -> None:
    """Give a project a row for every milestone it follows (missing ones only)."""
    have = set(project.milestones.values_list("code", flat=True))
    Milestone.objects.bulk_create(
        Milestone(project=project, code=code) for code in MilestoneCode.values if code not in have
    )


def _clean_note(note: str, field: str = "note") -> str:
    note = (note or "").strip()
    if len(note) > NOTE_LENGTH:
        raise ValidationError({field: _("Keep the note to %(n)s characters.") % {"n": NOTE_LENGTH}})
    return note


def _apply_dates(
    milestone: Milestone, *, user, planned: date | None, actual: date | None, note: str, why: str
) -> Milestone:
    """Store a milestone's dates, and move the project along if a stage was reached."""
    _check_date(actual, "actual", label=_("The actual date"))
    project = milestone.project
    stage = milestone.code if milestone.code in STAGE_RANK else None
    reached = stage is not None and STAGE_RANK[stage] <= STAGE_RANK[project.stage]
    if stage and reached and milestone.actual is not None and actual is None:
        raise ValidationError(
            {
                "actual": _(
                    "The project is at the stage %(stage)s; to take this date back, move the "
                    "project back to an earlier stage with a reason."
                )
                % {"stage": project.get_stage_display()}
            }
        )
    milestone.planned, milestone.actual, milestone.note = planned, actual, note
    milestone.updated_by = user
    _saved(milestone, user, why)
    if stage and actual is not None and not reached:
        stage_record(user=user, project=project, stage=stage, on=actual, reason="")
    return milestone


@transaction.atomic
def milestone_set(
    *,
    access: Access,
    user,
    milestone: Milestone,
    planned: date | None,
    actual: date | None,
    note: str = "",
) -> Milestone:
    """The office sets a milestone's dates directly."""
    require_office(access)
    milestone = Milestone.objects.select_for_update().select_related("project").get(pk=milestone.pk)
    note = _clean_note(note)
    return _apply_dates(
        milestone, user=user, planned=planned, actual=actual, note=note, why=_("dates set")
    )


@transaction.atomic
def milestone_propose(
    *,
    access: Access,
    user,
    milestone: Milestone,
    planned: date | None,
    actual: date | None,
    note: str = "",
) -> Milestone:
    """A unit's reporter (or the office) proposes dates for its approver to confirm."""
    milestone = Milestone.objects.select_for_update().select_related("project").get(pk=milestone.pk)
    require_reporter(access, milestone.project)
    note = _clean_note(note)
    if planned is None and actual is None:
        raise ValidationError({"planned": _("Propose a planned date, an actual date or both.")})
    if planned == milestone.planned and actual == milestone.actual:
        raise ValidationError({"planned": _("These are the dates the milestone already has.")})
    _check_date(actual, "actual", label=_("The actual date"))
    milestone.proposed_planned, milestone.proposed_actual = planned, actual
    milestone.proposal_note, milestone.rejection = note, ""
    milestone.proposed_by, milestone.proposed_at = user, timezone.now()
    return _saved(milestone, user, _("dates proposed"))


def _proposal(milestone: Milestone) -> Milestone:
    milestone = Milestone.objects.select_for_update().select_related("project").get(pk=milestone.pk)
    if not milestone.proposed:
        raise ValidationError({"milestone": _("No dates are proposed for this milestone.")})
    return milestone


def _clear_proposal(milestone: Milestone) -> None:
    milestone.proposed_planned = milestone.proposed_actual = None
    milestone.proposal_note = ""
    milestone.proposed_by = milestone.proposed_at = None


@transaction.atomic
def milestone_confirm(*, access: Access, user, milestone: Milestone) -> Milestone:
    """The unit's approver (or the office) confirms the proposed dates: they become the
    milestone's dates (a date proposed blank leaves the current one)."""
    milestone = _proposal(milestone)
    require_confirmer(access, milestone.project)
    planned = milestone.proposed_planned or milestone.planned
    actual = milestone.proposed_actual or milestone.actual
    note = milestone.proposal_note or milestone.note
    _clear_proposal(milestone)
    milestone.rejection = ""
    return _apply_dates(
        milestone, user=user, planned=planned, actual=actual, note=note, why=_("proposal confirmed")
    )


@transaction.atomic
def milestone_reject(*, access: Access, user, milestone: Milestone, reason: str) -> Milestone:
    """The unit's approver (or the office) sends the proposal back, saying why."""
    milestone = _proposal(milestone)
    require_confirmer(access, milestone.project)
    reason = _clean_note(reason, "reason")
    if not reason:
        raise ValidationError({"reason": _("Say why the proposed dates are rejected.")})
    _clear_proposal(milestone)
    milestone.rejection, milestone.updated_by = reason, user
    return _saved(milestone, user, reason)


#: Most nodes of its own a project may have.
MAX_NODES = 40


@transaction.atomic
def milestone_add(
    *, access: Access, user, project: Project, name: str, planned: date | None = None
) -> Milestone:
    """Add a node of the project's own (形象进度节点: "main structure topped out"), followed on
    the battle map like the pipeline's milestones (the office)."""
    require_office(access)
    project = Project.objects.select_for_update().get(pk=project.pk)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the node.")})
    if len(name) > 100:
        raise ValidationError({"name": _("Keep the name to %(n)s characters.") % {"n": 100}})
    nodes = [m.code for m in project.milestones.all() if m.is_node]
    if len(nodes) >= MAX_NODES:
        raise ValidationError({"name": _("A project has at most %(n)s nodes.") % {"n": MAX_NODES}})
    if project.milestones.filter(name=name).exists():
        raise ValidationError(
            {"name": _("The project already has a node %(name)s.") % {"name": name}}
        )
    number = max((int(code.split("_")[1]) for code in nodes), default=0) + 1
    node = Milestone(project=project, code=f"node_{number:02d}", name=name, planned=planned)
    node.updated_by = user
    return _saved(node, user, _("node added"))


@transaction.atomic
def milestone_remove(*, access: Access, user, milestone: Milestone) -> None:
    """Take a project's own node off (the office); the pipeline's milestones cannot be."""
    require_office(access)
    if not milestone.is_node:
        raise ValidationError(
            {"milestone": _("The pipeline's milestones stay; only a project's own nodes go.")}
        )
    milestone._history_user = user
    milestone._change_reason = _("node removed")
    milestone.delete()


# --- reverse scheduling --------------------------------------------------------------------------


def check_lead_days(value: object, field: str = "lead_days") -> dict[str, int]:
    """Lead times as the office or a project gives them: milestone → whole days, 0–3650."""
    if not isinstance(value, dict):
        raise ValidationError({field: _("Give the lead times as milestone: days.")})
    problems, clean = [], {}
    for key, days in value.items():
        if key not in DEFAULT_LEAD_DAYS:
            problems.append(
                _("%(milestone)s has no lead time (the milestones with one: %(known)s).")
                % {"milestone": key, "known": ", ".join(DEFAULT_LEAD_DAYS)}
            )
        elif isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_LEAD_DAYS:
            problems.append(
                _("%(milestone)s: %(days)s is not a number of days from 0 to %(max)s.")
                % {"milestone": key, "days": days, "max": MAX_LEAD_DAYS}
            )
        else:
            clean[key] = days
    if problems:
        raise ValidationError({field: problems})
    return clean


@transaction.atomic
def milestones_schedule(
    *,
    access: Access,
    user,
    project: Project,
    target_start: date,
    own_lead_days: dict[str, int] | None = None,
) -> list[Milestone]:
    """Plan the project backwards from its target start date (倒排工期), and its later stages
    forwards (the office). Milestones already done keep their planned dates."""
    require_office(access)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if own_lead_days is not None:
        project.lead_days = check_lead_days(own_lead_days)
    project.target_start, project.updated_by = target_start, user
    _saved(project, user, _("reverse-scheduled"), ["target_start", "lead_days", "updated_by"])
    return schedule_milestones(project, user)


def schedule_milestones(project: Project, user) -> list[Milestone]:
    """Write the planned dates `plan_milestones` gives from the project's target start."""
    if project.target_start is None:
        return []
    milestones_ensure(project)
    try:
        dates = plan_milestones(
            "started",
            project.target_start,
            lead_days=lead_days(current_settings(), project),
            chain=SCHEDULE_CHAIN,
        )
    except DataError as exc:
        raise ValidationError({"lead_days": say_error(exc)}) from None
    changed = []
    for milestone in Milestone.objects.filter(project=project, code__in=list(dates)):
        if milestone.actual is None and milestone.planned != dates[milestone.code]:
            milestone.planned, milestone.updated_by = dates[milestone.code], user
            changed.append(
                _saved(milestone, user, _("reverse-scheduled"), ["planned", "updated_by"])
            )
    return changed


# --- the office's settings -----------------------------------------------------------------------


@transaction.atomic
def project_settings_save(
    *,
    access: Access,
    user,
    lead_days: dict[str, int],
    soon_days: int,
    weekly_due_weekday: int,
    rate_basis: str,
    rate_numerator: str,
    later_stages: bool,
    cap: bool,
    decimals: int,
    milestones_from: str,
) -> ProjectSettings:
    """The office's lead times, due-soon window, weekly due day and rate definitions."""
    require_office(access)
    settings = (
        ProjectSettings.objects.select_for_update().order_by("pk").first() or ProjectSettings()
    )
    settings.lead_days = check_lead_days(lead_days)
    settings.soon_days, settings.weekly_due_weekday = soon_days, weekly_due_weekday
    settings.rate_basis, settings.rate_numerator = rate_basis, rate_numerator
    settings.later_stages, settings.cap, settings.decimals = later_stages, cap, decimals
    settings.milestones_from, settings.updated_by = milestones_from, user
    settings._history_user = user
    settings.full_clean()
    try:
        conversion_rates(settings)
    except DataError as exc:
        raise ValidationError({"rate_basis": say_error(exc)}) from None
    settings.save()
    return settings
