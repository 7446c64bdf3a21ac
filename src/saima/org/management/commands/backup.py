"""`saima backup --out FILE` (or `saima manage backup --out FILE`): see `saima.common.backup`."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from saima.common.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write the database (SQLite's online backup API, or pg_dump for PostgreSQL) and every "
        "uploaded file, with a manifest of checksums and the schema version, to one archive."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, required=True, help="the archive (.tar.gz)")

    def handle(self, *args, **options):
        out: Path = options["out"]
        if out.exists() and out.is_dir():
            raise CommandError(f"--out {out}: is a folder; name the archive file")
        try:
            manifest = backup(out)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        size = out.stat().st_size
        self.stdout.write(
            f"{manifest.vendor} database and {len(manifest.members) - 1} file(s) written to "
            f"{out} ({size:,} bytes, Saima {manifest.saima_version})"
        )
