"""`saima restore FILE` (or `saima manage restore FILE`): see `saima.common.backup`."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from saima.common.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Replace the database and the uploaded files with those of a backup archive. The archive "
        "is checked first (ours, undamaged, not of a newer schema); the database is replaced "
        "whole or not at all. Stop the app servers and workers first."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="an archive made by `saima backup`")

    def handle(self, *args, **options):
        try:
            restored = restore(options["archive"])
        except BackupError as exc:
            raise CommandError(f"{exc}; nothing was changed") from None
        manifest = restored.manifest
        self.stdout.write(
            f"restored the {manifest.vendor} database of {manifest.created} "
            f"(Saima {manifest.saima_version}) and {len(manifest.members) - 1} file(s)"
        )
        if restored.older_schema:
            self.stdout.write("its schema is older than this Saima: run `saima manage migrate`")
