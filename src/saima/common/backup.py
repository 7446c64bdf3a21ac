"""`saima backup` and `saima restore`: the database and every uploaded file in one archive.

An archive is a gzipped tar whose first member is `manifest.json`:

    {"format": "saima-backup", "format_version": 1, "saima_version": "0.1.0",
     "created": "2026-11-25T10:00:00+00:00", "vendor": "sqlite" | "postgresql",
     "database": "database.sqlite3" | "database.pgdump",
     "schema": {"org": "0007_...", ...},          # the latest applied migration of each app
     "migrations": [["org", "0001_initial"], ...],  # every applied migration
     "members": {"database.sqlite3": {"sha256": "...", "size": 123}, "media/a.pdf": {...}}}

followed by the database (SQLite: a copy made with SQLite's online backup API, consistent while
the platform keeps running; PostgreSQL: `pg_dump --format=custom`, one snapshot) and the files
under `MEDIA_ROOT` as `media/...`. Evidence, site photos and bulletin files are kept in the
database itself, so the database member carries them.

Restore reads the whole archive and checks it before it touches anything: a file that is not one
of ours, a truncated or damaged one (a member missing, or whose checksum differs from the
manifest's), one from another database kind, and one whose schema is newer than this version of
Saima (a migration this code does not know) are refused with a message saying why. Then:

- SQLite: the database is written to a temporary file beside the live one, checked with
  `PRAGMA integrity_check`, and renamed over it (`os.replace`, atomic on one file system) after
  the live database's write-ahead log was checkpointed; the stale `-wal`/`-shm` files are removed.
  A reader sees either the old database or the new one, never half of one.
- PostgreSQL: `pg_restore` turns the dump into SQL, and `psql --single-transaction` runs
  "drop the schema, create it empty, restore" as ONE transaction: any error rolls all of it back,
  and the old data stays as it was. (Restoring into a fresh database and renaming it needs
  CREATEDB, no session on either database and a reconnection of every app server; one
  transaction needs none of that and is just as all-or-nothing.)
- Media files are extracted to a temporary folder beside `MEDIA_ROOT` and swapped in by renames.

Stop the app servers and workers before restoring (see docs/deploy.md); an archive of an older
schema is restored as it is, and `saima manage migrate` brings it up to date.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

FORMAT = "saima-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.pgdump"
MEDIA_PREFIX = "media/"
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass
class Manifest:
    vendor: str
    database: str
    schema: dict[str, str]
    migrations: list[tuple[str, str]]
    saima_version: str
    created: str
    members: dict[str, dict] = field(default_factory=dict)

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "saima_version": self.saima_version,
                "created": self.created,
                "vendor": self.vendor,
                "database": self.database,
                "schema": self.schema,
                "migrations": [list(m) for m in self.migrations],
                "members": self.members,
            },
            indent=2,
            sort_keys=True,
        ).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise BackupError("the archive's manifest is damaged (not JSON)") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise BackupError("this is not a Saima backup (its manifest is not Saima's)")
        if data.get("format_version") != FORMAT_VERSION:
            raise BackupError(
                f"this backup's format version {data.get('format_version')!r} is not "
                f"{FORMAT_VERSION}; restore it with the Saima version that made it "
                f"({data.get('saima_version', 'unknown')})"
            )
        try:
            return cls(
                vendor=str(data["vendor"]),
                database=str(data["database"]),
                schema={str(k): str(v) for k, v in data["schema"].items()},
                migrations=[(str(a), str(n)) for a, n in data["migrations"]],
                saima_version=str(data["saima_version"]),
                created=str(data["created"]),
                members={str(k): dict(v) for k, v in data["members"].items()},
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            raise BackupError("the archive's manifest is damaged (a field is missing)") from None


# --- what the database is ---------------------------------------------------------------------


def _vendor(alias: str = "default") -> str:
    from django.db import connections

    vendor = connections[alias].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"backing up a {vendor} database is not supported")
    return vendor


def applied_migrations(alias: str = "default") -> list[tuple[str, str]]:
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(connections[alias])
    return sorted(recorder.applied_migrations())


def latest_per_app(migrations: list[tuple[str, str]]) -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in sorted(migrations):
        latest[app] = name
    return latest


def _known_migrations() -> set[tuple[str, str]]:
    from django.db.migrations.loader import MigrationLoader

    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _media_root() -> Path | None:
    from django.conf import settings

    root = getattr(settings, "MEDIA_ROOT", "") or ""
    return Path(root) if root else None


# --- PostgreSQL tools -------------------------------------------------------------------------


def pg_tool(name: str) -> str:
    """The path of pg_dump, pg_restore or psql (`SAIMA_PG_BIN`: their folder, if not on PATH)."""
    folder = os.environ.get("SAIMA_PG_BIN")
    found = shutil.which(name, path=folder) if folder else shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found: install the PostgreSQL client (of the server's major version "
            "or newer) or set SAIMA_PG_BIN to its folder"
        )
    return found


def _pg_connection(settings_dict: dict) -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment for the PostgreSQL tools."""
    args = []
    env = dict(os.environ)
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{what} failed: {' '.join(detail[-3:]) or result.returncode}")


# --- backup -----------------------------------------------------------------------------------


def backup(out: Path, *, alias: str = "default") -> Manifest:
    """Write the database and the media files to `out` (written whole, then renamed into place)."""
    from django.db import connections

    from saima import __version__

    out = Path(out)
    vendor = _vendor(alias)
    connection = connections[alias]
    migrations = applied_migrations(alias)
    with tempfile.TemporaryDirectory(prefix="saima-backup-", dir=out.parent or None) as scratch:
        scratch_dir = Path(scratch)
        if vendor == "sqlite":
            if connection.in_atomic_block:
                # The online backup waits, without end, for a write lock this very connection
                # holds (transactions begin IMMEDIATE): refuse rather than hang.
                raise BackupError("a backup cannot be taken inside a transaction")
            member = SQLITE_MEMBER
            database = scratch_dir / member
            connection.ensure_connection()
            target = sqlite3.connect(database)
            try:
                with target:
                    connection.connection.backup(target)
            finally:
                target.close()
        else:
            member = POSTGRES_MEMBER
            database = scratch_dir / member
            args, env = _pg_connection(connection.settings_dict)
            _run(
                [
                    pg_tool("pg_dump"),
                    *args,
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    "--file",
                    str(database),
                    str(connection.settings_dict["NAME"]),
                ],
                env,
                "pg_dump",
            )
        files: list[tuple[str, Path]] = [(member, database)]
        media = _media_root()
        if media is not None and media.is_dir():
            for path in sorted(p for p in media.rglob("*") if p.is_file()):
                files.append((MEDIA_PREFIX + path.relative_to(media).as_posix(), path))
        manifest = Manifest(
            vendor=vendor,
            database=member,
            schema=latest_per_app(migrations),
            migrations=migrations,
            saima_version=__version__,
            created=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            members={
                name: {"sha256": _sha256(path), "size": path.stat().st_size} for name, path in files
            },
        )
        partial = scratch_dir / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as archive:
            raw = manifest.to_json()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(raw)
            info.mtime = int(datetime.datetime.now().timestamp())
            archive.addfile(info, io.BytesIO(raw))
            for name, path in files:
                archive.add(path, arcname=name, recursive=False)
        os.replace(partial, out)
    return manifest


# --- restore ----------------------------------------------------------------------------------


@dataclass
class Restored:
    manifest: Manifest
    older_schema: bool


def read_archive(archive: Path, into: Path) -> Manifest:
    """Extract and check every member of `archive` into the folder `into`; BackupError if the
    archive is not ours, damaged, truncated or has a member the manifest does not list."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"{archive} is not a file")
    try:
        tar = tarfile.open(archive, "r:*")  # noqa: SIM115 (closed by the `with` below)
    except (tarfile.TarError, OSError, EOFError, zlib.error):
        raise BackupError("this is not a Saima backup (not a tar archive)") from None
    try:
        with tar:
            first = tar.next()
            if first is None or first.name != MANIFEST or not first.isfile():
                raise BackupError("this is not a Saima backup (it has no manifest)")
            handle = tar.extractfile(first)
            manifest = Manifest.from_json(handle.read() if handle else b"")
            seen: set[str] = set()
            for info in tar:
                if info is first:
                    continue
                name = info.name
                if name not in manifest.members or not info.isfile():
                    raise BackupError(
                        f"the archive holds {name!r}, which its manifest does not list"
                    )
                if name in seen:
                    raise BackupError(f"the archive holds {name!r} twice")
                if PurePosixPath(name).is_absolute() or ".." in PurePosixPath(name).parts:
                    raise BackupError(f"the archive holds an unsafe name {name!r}")
                seen.add(name)
                target = into / name
                target.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(info)
                digest = hashlib.sha256()
                with target.open("wb") as out:
                    while chunk := source.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                expected = manifest.members[name]
                if digest.hexdigest() != expected.get("sha256"):
                    raise BackupError(f"the archive is damaged: {name} does not match its checksum")
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise BackupError(
            f"the archive is damaged or truncated, or not a Saima backup ({exc})"
        ) from None
    missing = sorted(set(manifest.members) - seen)
    if missing:
        raise BackupError(f"the archive is truncated: {', '.join(missing[:3])} missing")
    if manifest.database not in manifest.members:
        raise BackupError("the archive's manifest names no database")
    return manifest


def restore(archive: Path, *, alias: str = "default", target: dict | None = None) -> Restored:
    """Restore `archive` into the database (`target`: settings of another database to restore
    into, for a restore drill) and MEDIA_ROOT. Everything is checked before anything changes."""
    from django.db import connections

    vendor = _vendor(alias)
    settings_dict = dict(target or connections[alias].settings_dict)
    with tempfile.TemporaryDirectory(prefix="saima-restore-") as scratch:
        scratch_dir = Path(scratch)
        manifest = read_archive(archive, scratch_dir)
        if manifest.vendor != vendor:
            raise BackupError(
                f"this backup holds a {manifest.vendor} database and this Saima uses "
                f"{vendor}: restore it into a {manifest.vendor} database"
            )
        known = _known_migrations()
        unknown = sorted(set(manifest.migrations) - known)
        if unknown:
            app, name = unknown[0]
            raise BackupError(
                f"this backup is from a newer schema (Saima {manifest.saima_version}; "
                f"migration {app}.{name} is unknown here): upgrade Saima first, then restore"
            )
        dump = scratch_dir / manifest.database
        if vendor == "sqlite":
            _restore_sqlite(dump, Path(settings_dict["NAME"]), alias, own=target is None)
        else:
            _restore_postgres(dump, settings_dict, scratch_dir, alias, own=target is None)
        _restore_media(scratch_dir / "media", manifest)
        return Restored(manifest=manifest, older_schema=bool(_pending(manifest, known)))


def _pending(manifest: Manifest, known: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """This code's migrations of the archive's apps that the archive has not applied."""
    apps = set(manifest.schema)
    return sorted(m for m in known - set(manifest.migrations) if m[0] in apps)


def _restore_sqlite(dump: Path, live: Path, alias: str, *, own: bool) -> None:
    from django.db import connections

    check = sqlite3.connect(dump)
    try:
        result = check.execute("PRAGMA integrity_check").fetchone()
        tables = check.execute("SELECT count(*) FROM sqlite_master WHERE name='django_migrations'")
        if result is None or result[0] != "ok" or tables.fetchone()[0] != 1:
            raise BackupError("the archive's database is damaged (integrity check failed)")
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"the archive's database is damaged ({exc})") from None
    finally:
        check.close()
    if str(live) in ("", ":memory:") or str(live).startswith("file:"):
        raise BackupError("an in-memory SQLite database cannot be restored into")
    live.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{live.name}.restore-", dir=live.parent)
    os.close(fd)
    try:
        shutil.copyfile(dump, temporary)
        if live.exists():
            shutil.copymode(live, temporary)
        if own:
            connections[alias].close()
        if live.exists():
            # Fold the write-ahead log into the old file, so that nothing of it is left to apply
            # to the new one.
            old = sqlite3.connect(live)
            try:
                old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                old.close()
        os.replace(temporary, live)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    for suffix in ("-wal", "-shm"):
        Path(f"{live}{suffix}").unlink(missing_ok=True)


def _restore_postgres(
    dump: Path, settings_dict: dict, scratch: Path, alias: str, *, own: bool
) -> None:
    from django.db import connections

    args, env = _pg_connection(settings_dict)
    script = scratch / "restore.sql"
    _run(
        [
            pg_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--file",
            str(script),
            str(dump),
        ],
        env,
        "pg_restore (reading the archive's dump)",
    )
    preamble = scratch / "empty.sql"
    preamble.write_text("DROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n")
    if own:
        connections[alias].close()
    _run(
        [
            pg_tool("psql"),
            *args,
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "--set",
            "ON_ERROR_STOP=1",
            "--file",
            str(preamble),
            "--file",
            str(script),
            "--dbname",
            str(settings_dict["NAME"]),
        ],
        env,
        "restoring the database (nothing was changed)",
    )


def _restore_media(extracted: Path, manifest: Manifest) -> None:
    media = _media_root()
    has_media = any(name.startswith(MEDIA_PREFIX) for name in manifest.members)
    if media is None:
        if has_media:
            raise BackupError("the backup has media files but MEDIA_ROOT is not set")
        return
    if not has_media and not media.exists():
        return
    media.parent.mkdir(parents=True, exist_ok=True)
    incoming = Path(tempfile.mkdtemp(prefix=f".{media.name}.restore-", dir=media.parent))
    if extracted.is_dir():
        shutil.copytree(extracted, incoming, dirs_exist_ok=True)
    retired = media.parent / f".{media.name}.old-{os.getpid()}"
    if media.exists():
        os.replace(media, retired)
    os.replace(incoming, media)
    shutil.rmtree(retired, ignore_errors=True)
