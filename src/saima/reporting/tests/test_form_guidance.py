"""The entry form guides: the template from the form, what happens after an upload (back to the
form, submit now), every problem of a figure at once, and the live light flagging a figure the
final check refuses."""

from __future__ import annotations

from saima.reporting.models import Submission
from saima.reporting.tests.test_files_support import fill
from saima.reporting.tests.test_upload_views import JULY, TEMPLATE, UPLOAD, upload_file


def test_the_form_links_the_template(as_user):
    html = as_user("east_reporter").get("/reporting/units/east/?period=2026-07").content.decode()
    assert 'href="/reporting/template/east/2026-07.xlsx"' in html
    assert 'href="/reporting/upload/east/2026-07/"' in html


def test_after_an_upload_the_page_says_what_comes_next_and_submits(as_user, world):
    client = as_user("east_reporter")
    preview = client.post(
        UPLOAD, {"file": upload_file("east.xlsx", fill(client.get(TEMPLATE).content, JULY))}
    )
    done = client.post(UPLOAD, {"confirm": "1", "token": preview.context["token"]})
    html = done.content.decode()
    assert "4 figures from east.xlsx were saved" in html
    assert "What happens next" in html and "Back to the form" in html
    if done.context["result"].unacknowledged:
        # A check to explain first: the page sends the person to the form to explain it.
        assert "Explain the checks on the form, then submit there." in html
        refused = client.post("/reporting/units/east/?period=2026-07", {"action": "submit_saved"})
        assert refused.status_code == 400 and "Not submitted:" in refused.content.decode()
    else:
        assert 'value="submit_saved"' in html
        submitted = client.post("/reporting/units/east/?period=2026-07", {"action": "submit_saved"})
        assert submitted.status_code == 302
        assert Submission.objects.get(unit__code="east", year=2026, month=7).status == "submitted"


def test_a_falling_figure_shows_its_error_and_the_live_light_says_so(as_user, world):
    client = as_user("east_reporter")
    # June's cumulative investment is stored; July lower than June cannot be.
    light = client.post(
        "/reporting/units/east/light/?period=2026-07", {"indicator": "fai", "value-fai": "1"}
    ).content.decode()
    assert 'data-check-blocking="true"' in light
    assert "cannot fall" in light
    negative = client.post(
        "/reporting/units/east/light/?period=2026-07", {"indicator": "fai", "value-fai": "-5"}
    ).content.decode()
    assert "negative" in negative


def test_errors_and_warnings_come_together(as_user, world):
    client = as_user("east_reporter")
    response = client.post(
        "/reporting/units/east/?period=2026-07",
        {"action": "save", "value-fai": "1", "value-projects": "900000"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "cannot fall" in html
    # The other figure's warning is shown in the same round, with its place to explain it.
    assert 'name="ack-projects-' in html or "finding--warning" in html


def test_a_word_for_a_number_does_not_hide_the_other_figures_warnings(as_user, world):
    from saima.metrics.models import Observation

    before = Observation.objects.count()
    response = as_user("east_reporter").post(
        "/reporting/units/east/?period=2026-07",
        {"action": "save", "value-fai": "abc", "value-projects": "900000"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "is not a number" in html
    assert 'data-check="' in html  # the projects figure's finding, in the same round
    assert Observation.objects.count() == before
