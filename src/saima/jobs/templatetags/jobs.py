"""`{% job_panel %}`: on the page that started a job (`?job=<id>`), its progress and outcome."""

from __future__ import annotations

from django import template

from saima.jobs.selectors import job_of_request
from saima.org.access import access_of

register = template.Library()


@register.inclusion_tag("jobs/_status.html", takes_context=True)
def job_panel(context) -> dict:
    request = context.get("request")
    job = None
    if request is not None and request.user.is_authenticated:
        job = job_of_request(access_of(request), request.GET.get("job"))
    return {"job": job}
