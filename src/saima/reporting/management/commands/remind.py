"""`saima manage remind [--today YYYY-MM-DD]`: email units that owe figures (run daily by cron)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from saima.common.commands import add_today
from saima.reporting.services import reminders_send


class Command(BaseCommand):
    help = (
        "Email the reporters and approvers of every unit whose figures are due soon or overdue "
        "and not yet submitted; at most one reminder per unit, month and kind a day."
    )

    def add_arguments(self, parser):
        add_today(parser)

    def handle(self, *args, **options):
        with translation.override(settings.LANGUAGE_CODE):
            sent = reminders_send(today=options["today"])
        for reminder in sent:
            self.stdout.write(
                f"{reminder.unit.code} {reminder.year}-{reminder.month:02d} {reminder.kind}: "
                f"{', '.join(reminder.recipients)}"
            )
        self.stdout.write(f"{len(sent)} reminder(s) sent.")
