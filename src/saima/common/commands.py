"""What the management commands that act on a day share: the `--today YYYY-MM-DD` option (the
daily jobs for cron, `remind` and `escalate`, run as if on another day for a catch-up or a test)."""

from __future__ import annotations

from datetime import date

from django.core.management.base import CommandError


def day(text: str) -> date:
    """`--today`'s value as a date; anything but `YYYY-MM-DD` ends the command with a message."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--today {text!r}: write the date as YYYY-MM-DD") from None


def add_today(parser) -> None:
    """Add `--today` (default: the office's today, as the services take `None`)."""
    parser.add_argument("--today", type=day, help="the day to act as today (YYYY-MM-DD)")
