"""Handlers of the periodic jobs declared by name (their app may be installed later)."""

from __future__ import annotations

import datetime

from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from saima.common.jobs import Outcome


def _today(job) -> datetime.date:
    return datetime.date.fromisoformat(job.arguments["today"])


def run_escalation(job, progress) -> Outcome:
    """The supervision app's escalation run for the job's day (`escalation_run(today=...)`, which
    returns the steps `taken` and the `emails` sent); the service records each step as taken, so
    a second run on the same day escalates nothing twice."""
    escalation_run = import_string("saima.supervision.services.escalation_run")
    progress(10, _("Escalating overdue supervision items"))
    run = escalation_run(today=_today(job))
    count = len(getattr(run, "taken", ()))
    return Outcome(
        _("Escalation run done: %(count)s steps taken.") % {"count": count},
        data={"taken": count, "emails": getattr(run, "emails", 0)},
    )
