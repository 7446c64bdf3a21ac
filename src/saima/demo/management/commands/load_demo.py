"""`python -m django load_demo [--as-of 2026-11-25] [--scale city|province] [--reset]`."""

from __future__ import annotations

import argparse
import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from saima.demo import load_demo
from saima.demo.generate import SCALES
from saima.demo.loader import DemoError


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: write the date as 2026-11-25") from None


class Command(BaseCommand):
    help = (
        "Load the demo city (or the province-scale data set) into an empty database: race "
        "groups, units, indicators, targets, figures to the as-of date and four demo logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of",
            type=_date,
            default=None,
            help="the day the demo is seen from (default: today); months whose reporting "
            "deadline (the 8th of the next month) has passed are filled",
        )
        parser.add_argument("--scale", choices=SCALES, default="city")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete all units, indicators, targets, figures and the demo logins first",
        )
        parser.add_argument(
            "--units",
            type=int,
            default=None,
            help="province scale only: how many units (3 to 3000; above 300, six race groups of "
            "uneven sizes, as a nation's provinces)",
        )

    def handle(self, *args, **options) -> None:
        as_of = options["as_of"] or timezone.localdate()
        try:
            summary = load_demo(
                as_of=as_of,
                scale=options["scale"],
                reset=options["reset"],
                units=options["units"],
            )
        except (DemoError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        style = self.style.SUCCESS if summary.loaded else self.style.WARNING
        lines = summary.lines()
        self.stdout.write(style(lines[0]))
        for line in lines[1:]:
            self.stdout.write(line)
