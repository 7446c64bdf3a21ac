"""Handlers of the reporting app's background jobs."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from saima.common.jobs import Outcome
from saima.jobs.services import job_finish, job_start
from saima.org.access import Access
from saima.reporting import services
from saima.reporting.files_preview import rows_decode, rows_encode
from saima.reporting.services import reminders_send

#: The kind of job that saves a large import.
IMPORT_JOB = "reporting.import"


def run_reminders(job, progress) -> Outcome:
    """The day's reminders (`saima remind` as a job); each goes once a day per unit, month and
    kind, so a second run the same day sends nothing again."""
    today = job.arguments.get("today")
    progress(10, _("Sending reminders"))
    sent = reminders_send(today=datetime.date.fromisoformat(today) if today else None)
    return Outcome(_("%(count)s reminders sent.") % {"count": len(sent)}, data={"sent": len(sent)})


def import_job_start(*, user, rows, versions, source: str, filename: str, reason: str, key: str):
    """Save a confirmed import in the background (a file of many rows): the rows as previewed,
    with the versions they were read at, so a figure changed meanwhile is refused as it would be
    in the request."""
    return job_start(
        kind=IMPORT_JOB,
        arguments={
            "rows": rows_encode(rows, versions),
            "source": source,
            "filename": filename,
            "reason": reason,
        },
        user=user,
        key=key[:200],
    )


def run_import(job, progress) -> Outcome:
    """Every row or none (`figures_save` is one transaction, and the job is marked done in it)."""
    access = Access.for_user(job.started_by)
    rows, versions = rows_decode(job.arguments["rows"])
    progress(10, _("Saving %(count)s figures") % {"count": len(rows)})
    try:
        with transaction.atomic():
            result = services.figures_save(
                access=access,
                user=job.started_by,
                rows=rows,
                source=job.arguments["source"],
                expected_versions=versions,
                change_reason=job.arguments.get("reason", ""),
            )
            outcome = Outcome(
                _("%(file)s: %(stored)s figures saved, %(unchanged)s unchanged.")
                % {
                    "file": job.arguments.get("filename", ""),
                    "stored": len(result.stored),
                    "unchanged": len(result.unchanged),
                },
                data={"stored": len(result.stored), "unchanged": len(result.unchanged)},
            )
            job_finish(job, outcome)
    except services.FiguresRefused as exc:
        lines = []
        for index, messages in exc.row_errors.items():
            row = rows[index] if 0 <= index < len(rows) else None
            where = f"{row.unit_code} · {row.indicator_code}" if row else "—"
            lines.extend(f"{where}: {message}" for message in messages)
        raise ValidationError(lines) from None
    return outcome
