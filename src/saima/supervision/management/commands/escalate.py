"""`saima manage escalate [--today YYYY-MM-DD]` (or `saima escalate`): take the escalation steps
due (reminders 催办 emailed, bulletin listing 通报, interview 约谈 recorded). Run daily by cron;
running again the same day takes nothing twice."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from saima.common.commands import add_today
from saima.supervision.services import escalation_run


class Command(BaseCommand):
    help = (
        "Take the steps of the supervision escalation ladder that are due: email the reminders, "
        "record the bulletin listings and interviews; each step once per item."
    )

    def add_arguments(self, parser):
        add_today(parser)

    def handle(self, *args, **options):
        with translation.override(settings.LANGUAGE_CODE):
            run = escalation_run(today=options["today"])
        for step in run.taken:
            to = f": {', '.join(step.recipients)}" if step.recipients else ""
            self.stdout.write(f"{step.item.reference} {step.step} ({step.action}){to}")
        self.stdout.write(
            f"{len(run.taken)} step(s) taken, {run.emails} reminder email(s) sent on "
            f"{run.day.isoformat()}."
        )
