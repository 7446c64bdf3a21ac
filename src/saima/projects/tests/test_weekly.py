"""The weekly schedule: a unit's reports and photos, who has not reported, the problems the
office follows up and the hook the supervision app calls, and the to-do entries."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from saima.common import todo
from saima.engine.calendar import Week
from saima.org.access import Access
from saima.projects.models import WeeklyPhoto, WeeklyProblem, WeeklyReport
from saima.projects.tests.conftest import TODAY, office
from saima.projects.weekly import selectors, services
from saima.races.register.tests.test_evidence import EXE, pdf_bytes, png_bytes

WEEK = Week.of(TODAY)  # 2026-W24


def access(world, name: str) -> Access:
    return Access.for_user(world.user(name))


def test_who_has_not_reported_this_week(world, projects):
    rows = {r["unit"].code: r for r in selectors.board(office(world), WEEK)}
    assert (rows["east"]["projects"], rows["east"]["reported"]) == (2, 0)
    assert [p.code for p in rows["east"]["missing"]] == ["E1", "E2"]
    assert (rows["west"]["reported"], rows["west"]["missing"]) == (1, [])
    assert [r["unit"].code for r in selectors.board(access(world, "east_reporter"), WEEK)] == [
        "east"
    ]


def test_a_reporter_files_the_units_reports_on_one_page(world, projects, as_user):
    client = as_user("east_reporter")
    e1, e2 = projects["E1"], projects["E2"]
    response = client.post(
        f"/projects/weekly/east/?week={WEEK.label}",
        {
            "week": WEEK.label,
            f"p{e1.pk}-progress": "主体结构施工至第5层",
            f"p{e1.pk}-next_plan": "施工至第7层",
            f"p{e1.pk}-problems": "混凝土供应不足",
            f"p{e1.pk}-photos": [
                SimpleUploadedFile("site.png", png_bytes()),
                SimpleUploadedFile("site2.png", png_bytes()),
            ],
            f"p{e2.pk}-progress": "",
        },
    )
    assert response.status_code == 302
    report = WeeklyReport.objects.get(project=e1, year=2026, week=24)
    assert (report.progress, report.reported_by.username) == (
        "主体结构施工至第5层",
        "east_reporter",
    )
    assert report.photos.count() == 2
    assert not WeeklyReport.objects.filter(project=e2, year=2026, week=24).exists()  # left blank
    problem = WeeklyProblem.objects.get(report=report)
    assert (problem.text, problem.status, problem.week_label) == (
        "混凝土供应不足",
        "open",
        "2026-W24",
    )
    rows = {r["unit"].code: r for r in selectors.board(office(world), WEEK)}
    assert (rows["east"]["reported"], [p.code for p in rows["east"]["missing"]]) == (1, ["E2"])
    # The photo downloads for those who read the project, not for others.
    photo = report.photos.first()
    assert client.get(f"/projects/photos/{photo.pk}/").content == png_bytes()
    assert as_user("west_approver").get(f"/projects/photos/{photo.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("report.pdf", pdf_bytes(), "is not a photo"),
        ("setup.png", EXE, "its content is not one of"),
    ],
)
def test_a_photo_is_checked_like_evidence_and_nothing_is_saved(
    world, projects, as_user, name, data, words
):
    e1 = projects["E1"]
    response = as_user("east_reporter").post(
        "/projects/weekly/east/",
        {
            "week": WEEK.label,
            f"p{e1.pk}-progress": "进展",
            f"p{e1.pk}-photos": SimpleUploadedFile(name, data),
        },
    )
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not WeeklyReport.objects.filter(project=e1).exists()
    assert not WeeklyPhoto.objects.exists()


def test_a_report_without_progress_or_for_a_week_to_come_is_refused(world, projects):
    for week, progress, field in (
        (Week(2026, 25), "进展", "week"),
        (WEEK, "  ", "progress"),
    ):
        with pytest.raises(ValidationError) as refused:
            services.weekly_report_save(
                access=access(world, "east_reporter"),
                user=world.user("east_reporter"),
                project=projects["E1"],
                week=week,
                progress=progress,
            )
        assert field in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        services.weekly_report_save(
            access=access(world, "west_approver"),
            user=world.user("west_approver"),
            project=projects["W1"],
            week=WEEK,
            progress="进展",
        )
    assert not WeeklyReport.objects.filter(project=projects["E1"]).exists()


def test_the_problem_follows_its_report_until_the_office_takes_it_up(world, projects):
    w1 = projects["W1"]
    problem = WeeklyProblem.objects.get(project=w1)

    def save(problems: str):
        services.weekly_report_save(
            access=office(world),
            user=world.user("office"),
            project=w1,
            week=WEEK,
            progress="场地平整完成",
            problems=problems,
        )

    save("用地指标尚未落实")
    assert WeeklyProblem.objects.get(pk=problem.pk).text == "用地指标尚未落实"
    with pytest.raises(ValidationError) as refused:  # resolving says how
        services.problem_status_set(
            access=office(world), user=world.user("office"), problem=problem, status="resolved"
        )
    assert "Say how" in refused.value.message_dict["response"][0]
    services.problem_status_set(
        access=office(world),
        user=world.user("office"),
        problem=problem,
        status="coordinating",
        response="已函告自然资源局",
    )
    save("用地指标已落实一半")
    kept = WeeklyProblem.objects.get(pk=problem.pk)
    assert (kept.text, kept.status) == (
        "用地指标尚未落实",
        "coordinating",
    )  # what the office acted on
    services.problem_status_set(
        access=office(world),
        user=world.user("office"),
        problem=kept,
        status="resolved",
        response="指标已调剂",
    )
    assert WeeklyProblem.objects.get(pk=problem.pk).status == "resolved"
    with pytest.raises(PermissionDenied):
        services.problem_status_set(
            access=access(world, "leader"), user=world.user("leader"), problem=kept, status="open"
        )


def test_the_supervision_app_takes_a_problem_over(world, projects, as_user):
    problem = WeeklyProblem.objects.get(project=projects["W1"])
    assert list(selectors.open_problems(office(world))) == [problem]
    services.problem_link_supervision(
        access=office(world),
        user=world.user("office"),
        problem=problem,
        item_id=17,
        reference="督办〔2026〕17号",
        url="/supervision/17/",
    )
    problem.refresh_from_db()
    assert (problem.status, problem.supervision_item_id, problem.supervision_reference) == (
        "supervised",
        17,
        "督办〔2026〕17号",
    )
    assert problem.history.first().history_change_reason == "handed to supervision"
    assert list(selectors.open_problems(office(world))) == []
    # Linking the same item again changes nothing; another item is refused, as is a status here.
    services.problem_link_supervision(
        access=office(world), user=world.user("office"), problem=problem, item_id=17
    )
    with pytest.raises(ValidationError):
        services.problem_link_supervision(
            access=office(world), user=world.user("office"), problem=problem, item_id=18
        )
    with pytest.raises(ValidationError):
        services.problem_status_set(
            access=office(world), user=world.user("office"), problem=problem, status="open"
        )
    with pytest.raises(ValidationError):
        services.problem_link_supervision(
            access=office(world),
            user=world.user("office"),
            problem=problem,
            item_id=17,
            url="https://elsewhere.example/",
        )
    page = as_user("office").get("/projects/problems/").content.decode()
    assert '<a href="/supervision/17/">督办〔2026〕17号</a>' in page
    api = as_user("office").post(
        f"/api/projects/problems/{problem.pk}/supervision",
        {"item_id": 18},
        content_type="application/json",
    )
    assert api.status_code == 400 and "already supervision item" in api.json()["detail"]


def test_the_to_do_list_asks_for_the_weeks_reports(world, projects):
    tasks = todo.tasks_for(access(world, "east_reporter"), TODAY)
    weekly = [t for t in tasks if str(t.kind) == "Weekly project report"]
    assert [t.title for t in weekly] == ["East District: 2 of 2 projects not reported for 2026-W24"]
    assert weekly[0].due == datetime.date(2026, 6, 12) and not weekly[0].overdue  # Friday
    assert weekly[0].url == "/projects/weekly/east/?week=2026-W24"
    late = todo.tasks_for(access(world, "east_reporter"), datetime.date(2026, 6, 13))
    assert [t.overdue for t in late if str(t.kind) == "Weekly project report"] == [True]
    assert not [
        t
        for t in todo.tasks_for(access(world, "west_approver"), TODAY)
        if str(t.kind) == "Weekly project report"
    ]
    office_tasks = [t.title for t in todo.tasks_for(office(world), TODAY)]
    assert "1 problem raised in 2026-W24 is still open" in office_tasks


def test_the_approver_is_asked_to_confirm_proposals(world, projects):
    from saima.projects.models import Milestone
    from saima.projects.pipeline.services import milestone_propose

    milestone_propose(
        access=office(world),
        user=world.user("office"),
        milestone=Milestone.objects.get(project=projects["W1"], code="land"),
        planned=datetime.date(2026, 7, 1),
        actual=None,
    )
    titles = [t.title for t in todo.tasks_for(access(world, "west_approver"), TODAY)]
    assert "1 proposed milestone date waits for confirmation" in titles
    assert not [
        t
        for t in todo.tasks_for(access(world, "east_reporter"), TODAY)
        if "confirmation" in t.title
    ]
