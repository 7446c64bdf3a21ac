"""Handlers of the reporting app's background jobs."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from saima.common.jobs import Outcome
from saima.reporting.services import reminders_send


def run_reminders(job, progress) -> Outcome:
    """The day's reminders (`saima remind` as a job); each goes once a day per unit, month and
    kind, so a second run the same day sends nothing again."""
    today = job.arguments.get("today")
    progress(10, _("Sending reminders"))
    sent = reminders_send(today=datetime.date.fromisoformat(today) if today else None)
    return Outcome(_("%(count)s reminders sent.") % {"count": len(sent)}, data={"sent": len(sent)})
