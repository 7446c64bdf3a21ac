"""A project's pipeline: stage changes, milestone dates (set, proposed, confirmed, rejected),
reverse scheduling and the office's settings — what each refuses, and the history it leaves."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from saima.org.access import Access
from saima.projects.models import Milestone, Project, ProjectSettings, StageChange
from saima.projects.pipeline import services
from saima.projects.tests.conftest import office

D = datetime.date


def access(world, name: str) -> Access:
    return Access.for_user(world.user(name))


def milestone(project: Project, code: str) -> Milestone:
    return Milestone.objects.select_related("project").get(project=project, code=code)


# --- stages --------------------------------------------------------------------------------------


def test_a_stage_change_is_dated_recorded_and_dates_its_milestone(world, projects):
    e2 = projects["E2"]
    services.project_stage_change(
        access=office(world),
        user=world.user("office"),
        project=e2,
        stage="landed",
        on=D(2026, 4, 2),
    )
    e2.refresh_from_db()
    assert (e2.stage, e2.stage_since) == ("landed", D(2026, 4, 2))
    change = StageChange.objects.filter(project=e2).last()
    assert (change.previous, change.stage, change.by.username) == ("signed", "landed", "office")
    assert milestone(e2, "landed").actual == D(2026, 4, 2)
    last = e2.history.first()
    assert (last.stage, last.history_user.username) == ("landed", "office")


def test_moving_back_needs_a_reason_and_undoes_the_later_stages(world, projects):
    e1 = projects["E1"]
    assert milestone(e1, "started").actual == D(2026, 3, 1)
    with pytest.raises(ValidationError) as refused:
        services.project_stage_change(
            access=office(world),
            user=world.user("office"),
            project=e1,
            stage="landed",
            on=D(2026, 4, 1),
        )
    assert "needs a reason" in str(refused.value.message_dict["stage"])
    assert Project.objects.get(pk=e1.pk).stage == "started"
    services.project_stage_change(
        access=office(world),
        user=world.user("office"),
        project=e1,
        stage="landed",
        on=D(2026, 4, 1),
        reason="开工认定有误",
    )
    assert Project.objects.get(pk=e1.pk).stage == "landed"
    assert milestone(e1, "started").actual is None
    assert milestone(e1, "started").history.first().history_change_reason == "开工认定有误"


@pytest.mark.parametrize(
    ("stage", "on", "field", "words"),
    [
        ("completed", D(2026, 7, 1), "date", "in the future"),
        ("completed", D(2026, 2, 1), "stage", "before the current stage's date"),
        ("started", D(2026, 5, 1), "stage", "already at the stage"),
        ("nonsense", D(2026, 5, 1), "stage", "is not a stage"),
    ],
)
def test_stage_changes_refused(world, projects, stage, on, field, words):
    e1 = projects["E1"]
    before = StageChange.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.project_stage_change(
            access=office(world), user=world.user("office"), project=e1, stage=stage, on=on
        )
    assert words in " ".join(refused.value.message_dict[field])
    assert StageChange.objects.count() == before
    assert Project.objects.get(pk=e1.pk).stage == "started"


def test_only_the_office_changes_a_stage_directly(world, projects):
    for name in ("leader", "east_reporter", "west_approver", "stranger"):
        with pytest.raises(PermissionDenied):
            services.project_stage_change(
                access=access(world, name),
                user=world.user(name),
                project=projects["E2"],
                stage="landed",
                on=D(2026, 4, 1),
            )
    assert Project.objects.get(code="E2").stage == "signed"


# --- milestones ----------------------------------------------------------------------------------


def test_a_reporter_proposes_and_the_approver_confirms(world, projects):
    w1 = projects["W1"]
    from saima.org.models import Membership, Role

    Membership.objects.create(
        user=world.user("east_reporter"), role=Role.REPORTER, unit=world.units["west"]
    )
    reporter = access(world, "east_reporter")
    found = milestone(w1, "land")
    services.milestone_propose(
        access=reporter,
        user=world.user("east_reporter"),
        milestone=found,
        planned=D(2026, 7, 1),
        actual=D(2026, 6, 5),
        note="用地批复已下达",
    )
    found = milestone(w1, "land")
    assert (found.planned, found.actual) == (None, None)  # nothing applies before confirmation
    assert (found.proposed_planned, found.proposed_actual) == (D(2026, 7, 1), D(2026, 6, 5))
    with pytest.raises(PermissionDenied):  # a reporter does not confirm
        services.milestone_confirm(
            access=reporter, user=world.user("east_reporter"), milestone=found
        )
    services.milestone_confirm(
        access=access(world, "west_approver"), user=world.user("west_approver"), milestone=found
    )
    found = milestone(w1, "land")
    assert (found.planned, found.actual, found.note) == (
        D(2026, 7, 1),
        D(2026, 6, 5),
        "用地批复已下达",
    )
    assert not found.proposed
    assert found.history.first().history_user.username == "west_approver"


def test_confirming_a_stage_date_moves_the_project_on(world, projects):
    w1 = projects["W1"]
    found = milestone(w1, "started")
    services.milestone_propose(
        access=office(world),
        user=world.user("office"),
        milestone=found,
        planned=None,
        actual=D(2026, 6, 1),
    )
    services.milestone_confirm(
        access=access(world, "west_approver"),
        user=world.user("west_approver"),
        milestone=milestone(w1, "started"),
    )
    w1.refresh_from_db()
    assert (w1.stage, w1.stage_since) == ("started", D(2026, 6, 1))
    change = StageChange.objects.filter(project=w1).last()
    assert (change.previous, change.stage, change.by.username) == (
        "landed",
        "started",
        "west_approver",
    )


def test_a_rejection_needs_a_reason_and_keeps_the_dates(world, projects):
    found = milestone(projects["W1"], "planning")
    services.milestone_propose(
        access=office(world),
        user=world.user("office"),
        milestone=found,
        planned=D(2026, 8, 1),
        actual=None,
    )
    approver = access(world, "west_approver")
    with pytest.raises(ValidationError) as refused:
        services.milestone_reject(
            access=approver, user=world.user("west_approver"), milestone=found, reason=" "
        )
    assert "Say why" in refused.value.message_dict["reason"][0]
    services.milestone_reject(
        access=approver, user=world.user("west_approver"), milestone=found, reason="与施工计划不符"
    )
    found = milestone(projects["W1"], "planning")
    assert (found.planned, found.proposed, found.rejection) == (None, False, "与施工计划不符")


def test_an_actual_date_in_the_future_is_refused_everywhere(world, projects):
    found = milestone(projects["E1"], "planning")
    for call in (services.milestone_set, services.milestone_propose):
        with pytest.raises(ValidationError) as refused:
            call(
                access=office(world),
                user=world.user("office"),
                milestone=found,
                planned=None,
                actual=D(2026, 6, 11),
            )
        assert "2026-06-11 is in the future" in refused.value.message_dict["actual"][0]
    found = milestone(projects["E1"], "planning")
    assert (found.actual, found.proposed) == (None, False)


def test_who_may_propose_and_confirm(world, projects):
    e1 = milestone(projects["E1"], "environment")
    for name in ("leader", "west_approver", "stranger"):
        with pytest.raises(PermissionDenied):
            services.milestone_propose(
                access=access(world, name),
                user=world.user(name),
                milestone=e1,
                planned=D(2026, 7, 1),
                actual=None,
            )
    services.milestone_propose(
        access=access(world, "east_reporter"),
        user=world.user("east_reporter"),
        milestone=e1,
        planned=D(2026, 7, 1),
        actual=None,
    )
    for name in ("leader", "west_approver", "east_reporter", "stranger"):
        with pytest.raises(PermissionDenied):
            services.milestone_confirm(
                access=access(world, name), user=world.user(name), milestone=e1
            )
    assert milestone(projects["E1"], "environment").planned is None


def test_taking_back_a_reached_stage_date_goes_through_a_stage_change(world, projects):
    found = milestone(projects["E1"], "started")
    with pytest.raises(ValidationError) as refused:
        services.milestone_set(
            access=office(world),
            user=world.user("office"),
            milestone=found,
            planned=found.planned,
            actual=None,
        )
    assert "move the project back" in refused.value.message_dict["actual"][0]


# --- reverse scheduling --------------------------------------------------------------------------


def test_reverse_scheduling_from_the_target_start(world, projects):
    e2 = projects["E2"]  # created with a target start of 2026-09-30
    planned = {m.code: m.planned for m in Milestone.objects.filter(project=e2)}
    assert planned["construction_permit"] == D(2026, 9, 15)
    assert planned["environment"] == D(2026, 8, 16)
    assert planned["approval"] == D(2026, 4, 18)
    assert planned["completed"] == D(2027, 9, 30)
    assert planned["signed"] is None  # planned by hand
    services.milestones_schedule(
        access=office(world),
        user=world.user("office"),
        project=e2,
        target_start=D(2026, 10, 31),
        own_lead_days={"construction_permit": 20},
    )
    planned = {m.code: m.planned for m in Milestone.objects.filter(project=e2)}
    assert planned["construction_permit"] == D(2026, 10, 11)
    assert planned["environment"] == D(2026, 9, 11)
    e2.refresh_from_db()
    assert (e2.target_start, e2.lead_days) == (D(2026, 10, 31), {"construction_permit": 20})


def test_done_milestones_keep_their_planned_dates(world, projects):
    e1 = projects["E1"]
    services.milestones_schedule(
        access=office(world), user=world.user("office"), project=e1, target_start=D(2026, 12, 31)
    )
    assert milestone(e1, "approval").planned == D(2026, 1, 10)  # done: unchanged
    assert milestone(e1, "planning").planned == D(2026, 10, 17)  # not done: rescheduled


@pytest.mark.parametrize(
    "leads",
    [{"construction_permit": -1}, {"nowhere": 3}, {"land": "ten"}, {"land": 9999}, {"land": True}],
)
def test_bad_lead_times_are_refused(world, projects, leads):
    with pytest.raises(ValidationError) as refused:
        services.milestones_schedule(
            access=office(world),
            user=world.user("office"),
            project=projects["E2"],
            target_start=D(2026, 9, 1),
            own_lead_days=leads,
        )
    assert "lead_days" in refused.value.message_dict
    assert Project.objects.get(code="E2").target_start == D(2026, 9, 30)


def test_the_office_sets_the_defaults(world, projects):
    settings = services.project_settings_save(
        access=office(world),
        user=world.user("office"),
        lead_days={"construction_permit": 30},
        soon_days=7,
        weekly_due_weekday=4,
        rate_basis="signed_this_year",
        rate_numerator="of_basis",
        later_stages=False,
        cap=True,
        decimals=2,
        milestones_from="all",
    )
    assert ProjectSettings.objects.get().lead_days == {"construction_permit": 30}
    assert settings.history.first().history_user.username == "office"
    with pytest.raises(ValidationError):
        services.project_settings_save(
            access=office(world),
            user=world.user("office"),
            lead_days={},
            soon_days=7,
            weekly_due_weekday=4,
            rate_basis="every_third_project",
            rate_numerator="of_basis",
            later_stages=False,
            cap=True,
            decimals=2,
            milestones_from="all",
        )
    assert ProjectSettings.objects.get().rate_basis == "signed_this_year"
    with pytest.raises(PermissionDenied):
        services.project_settings_save(
            access=access(world, "leader"),
            user=world.user("leader"),
            lead_days={},
            soon_days=7,
            weekly_due_weekday=4,
            rate_basis="annual_list",
            rate_numerator="of_basis",
            later_stages=False,
            cap=True,
            decimals=2,
            milestones_from="all",
        )


# --- a project's own nodes -----------------------------------------------------------------------


def test_a_project_has_nodes_of_its_own(world, projects):
    e1 = projects["E1"]
    first = services.milestone_add(
        access=office(world),
        user=world.user("office"),
        project=e1,
        name="主体结构封顶",
        planned=D(2026, 9, 30),
    )
    second = services.milestone_add(
        access=office(world),
        user=world.user("office"),
        project=e1,
        name="设备安装完成",
        planned=D(2026, 7, 1),
    )
    assert (first.code, second.code, first.label) == ("node_01", "node_02", "主体结构封顶")
    with pytest.raises(ValidationError):
        services.milestone_add(
            access=office(world), user=world.user("office"), project=e1, name="主体结构封顶"
        )
    with pytest.raises(PermissionDenied):
        services.milestone_add(
            access=access(world, "east_reporter"),
            user=world.user("east_reporter"),
            project=e1,
            name="x",
        )
    from saima.projects.catalogue.selectors import milestone_rows

    order = [row["milestone"].code for row in milestone_rows(e1, today=D(2026, 6, 10))]
    assert order[order.index("started") + 1 : order.index("started") + 3] == ["node_02", "node_01"]
    # The unit proposes dates for a node as for any milestone, and it counts on time or not.
    services.milestone_propose(
        access=access(world, "east_reporter"),
        user=world.user("east_reporter"),
        milestone=second,
        planned=None,
        actual=D(2026, 6, 9),
    )
    services.milestone_confirm(access=office(world), user=world.user("office"), milestone=second)
    assert milestone(e1, "node_02").actual == D(2026, 6, 9)
    assert Project.objects.get(pk=e1.pk).stage == "started"  # a node is no stage
    with pytest.raises(ValidationError):
        services.milestone_remove(
            access=office(world), user=world.user("office"), milestone=milestone(e1, "land")
        )
    services.milestone_remove(access=office(world), user=world.user("office"), milestone=first)
    assert not Milestone.objects.filter(project=e1, code="node_01").exists()
    third = services.milestone_add(
        access=office(world), user=world.user("office"), project=e1, name="竣工验收"
    )
    assert third.code == "node_03"
