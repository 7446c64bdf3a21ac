"""`saima backup` / `saima restore`: a round trip of the demo city gives identical data, on the
database the suite runs on (SQLite, or PostgreSQL with DATABASE_URL); bad archives are refused and
leave the database as it was."""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import tarfile
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from saima.common import backup as backups
from saima.common.backup import BackupError, backup, restore


def _plain(value):
    return bytes(value) if isinstance(value, memoryview) else value


def _tables() -> list[str]:
    return sorted(connection.introspection.table_names())


def _rows(cursor, table: str, quote: str = '"') -> list[tuple]:
    cursor.execute(f"SELECT * FROM {quote}{table}{quote}")
    return sorted((tuple(_plain(v) for v in row) for row in cursor.fetchall()), key=repr)


def _files(tables: dict[str, list[tuple]]) -> dict[tuple[str, int], str]:
    """Every stored file's checksum (evidence, site photos, bulletin files are kept in binary
    columns), by table and row."""
    return {
        (table, index): hashlib.sha256(value).hexdigest()
        for table, rows in tables.items()
        for index, row in enumerate(rows)
        for value in row
        if isinstance(value, bytes)
    }


def _source_tables() -> dict[str, list[tuple]]:
    if connection.vendor == "sqlite":
        # A plain connection of its own, without the types Django's converts values to.
        name = connection.settings_dict["NAME"]
        con = sqlite3.connect(name, uri=str(name).startswith("file:"))
        try:
            return {table: _rows(con.cursor(), table) for table in _tables()}
        finally:
            con.close()
    return _target_tables({**connection.settings_dict, "params": _params()})


def _params() -> dict:
    settings = connection.settings_dict
    return {
        "host": settings.get("HOST") or None,
        "port": settings.get("PORT") or None,
        "user": settings.get("USER") or None,
        "password": settings.get("PASSWORD") or None,
    }


@pytest.fixture
def scratch_target():
    """Where a restore drill writes: a SQLite file, or a scratch PostgreSQL database."""
    if connection.vendor == "sqlite":
        yield None  # the test gives a file
        return
    import psycopg

    settings = dict(connection.settings_dict)
    name = f"saima_restore_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    params = _params()
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {**settings, "NAME": name, "params": params}
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _target_tables(target: dict) -> dict[str, list[tuple]]:
    if connection.vendor == "sqlite":
        con = sqlite3.connect(target["NAME"])
        try:
            names = [
                r[0]
                for r in con.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            cursor = con.cursor()
            return {table: _rows(cursor, table) for table in sorted(names)}
        finally:
            con.close()
    import psycopg

    with psycopg.connect(dbname=target["NAME"], **target["params"]) as con, con.cursor() as cur:
        cur.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
        names = [r[0] for r in cur.fetchall()]
        return {table: _rows(cur, table) for table in names}


def _target(scratch_target, tmp_path: Path) -> dict:
    if scratch_target is None:
        return {"NAME": str(tmp_path / "restored" / "saima.sqlite3")}
    return scratch_target


def test_a_round_trip_of_the_demo_city_gives_identical_data(
    demo_city, scratch_target, tmp_path, settings
):
    media = tmp_path / "media"
    (media / "evidence" / "2026").mkdir(parents=True)
    (media / "evidence" / "2026" / "east.pdf").write_bytes(b"%PDF-1.7 east" * 1000)
    (media / "note.txt").write_text("纪要", encoding="utf-8")
    settings.MEDIA_ROOT = str(media)
    before = _source_tables()
    media_before = {
        p.relative_to(media).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in media.rglob("*")
        if p.is_file()
    }
    assert sum(len(rows) for rows in before.values()) > 1000
    assert _files(before), "the demo city stores files (evidence, bulletins)"

    archive = tmp_path / "saima-backup.tar.gz"
    call_command("backup", "--out", str(archive), stdout=io.StringIO())
    with tarfile.open(archive) as tar:
        assert tar.getnames()[0] == "manifest.json"
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["format"] == "saima-backup"
    assert manifest["schema"]["org"].startswith("0")
    assert manifest["vendor"] == connection.vendor
    assert set(manifest["members"]) == {
        manifest["database"],
        "media/evidence/2026/east.pdf",
        "media/note.txt",
    }

    restored_media = tmp_path / "restored-media"
    settings.MEDIA_ROOT = str(restored_media)
    target = _target(scratch_target, tmp_path)
    restore(archive, target={k: v for k, v in target.items() if k != "params"})

    after = _target_tables(target)
    assert sorted(after) == sorted(before)
    for table in before:
        assert after[table] == before[table], table
    assert _files(after) == _files(before)
    media_after = {
        p.relative_to(restored_media).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in restored_media.rglob("*")
        if p.is_file()
    }
    assert media_after == media_before


# --- bad archives -----------------------------------------------------------------------------


@pytest.fixture
def good_archive(transactional_db, tmp_path) -> Path:
    """An archive of the test database, taken outside any transaction as `saima backup` is (on
    SQLite, a connection that holds the write lock cannot be copied: see `backup`)."""
    archive = tmp_path / "good.tar.gz"
    backup(archive)
    return archive


def _members(archive: Path) -> list[tuple[str, bytes]]:
    with tarfile.open(archive) as tar:
        return [(m.name, tar.extractfile(m).read()) for m in tar.getmembers()]


def _write(path: Path, members: list[tuple[str, bytes]]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _with_manifest(archive: Path, out: Path, change) -> Path:
    members = _members(archive)
    manifest = json.loads(members[0][1])
    change(manifest)
    return _write(out, [("manifest.json", json.dumps(manifest).encode()), *members[1:]])


def _refused(archive: Path, target: dict, message: str) -> None:
    with pytest.raises(BackupError, match=message):
        restore(archive, target=target)


@pytest.fixture
def live_file(tmp_path) -> dict:
    """A SQLite 'live' database that a refused restore must leave as it was."""
    path = tmp_path / "live.sqlite3"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE kept (value TEXT)")
    con.execute("INSERT INTO kept VALUES ('before')")
    con.commit()
    con.close()
    return {"NAME": str(path)}


def _digest(target: dict) -> str:
    return hashlib.sha256(Path(target["NAME"]).read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda a, d: d.joinpath("x.tar.gz").write_bytes(b"not an archive") and d / "x.tar.gz",
            "not a tar archive",
        ),
        (lambda a, d: _write(d / "x.tar.gz", [("readme.txt", b"hello")]), "has no manifest"),
        (
            lambda a, d: _write(d / "x.tar.gz", [("manifest.json", b'{"format": "other"}')]),
            "not a Saima backup",
        ),
        (
            lambda a, d: (
                d.joinpath("x.tar.gz").write_bytes(a.read_bytes()[:-2000]) and d / "x.tar.gz"
            ),
            "truncated",
        ),
        (
            lambda a, d: _write(
                d / "x.tar.gz",
                [
                    m if m[0] == "manifest.json" else (m[0], m[1][:-10] + b"0123456789")
                    for m in _members(a)
                ],
            ),
            "does not match its checksum",
        ),
        (lambda a, d: _write(d / "x.tar.gz", _members(a)[:1]), "truncated: database"),
        (
            lambda a, d: _with_manifest(
                a,
                d / "x.tar.gz",
                lambda m: m["migrations"].append(["org", "9999_from_the_future"]),
            ),
            "newer schema",
        ),
        (
            lambda a, d: _with_manifest(a, d / "x.tar.gz", lambda m: m.update(format_version=99)),
            "format version 99",
        ),
    ],
    ids=[
        "not-tar",
        "no-manifest",
        "foreign",
        "truncated",
        "damaged",
        "member-missing",
        "newer-schema",
        "newer-format",
    ],
)
def test_a_bad_archive_is_refused_and_nothing_changes(
    good_archive, tmp_path, live_file, make, message
):
    bad = make(good_archive, tmp_path)
    if connection.vendor != "sqlite":
        target = {**connection.settings_dict, "NAME": "never_touched_database"}
        _refused(bad, target, message)
        return
    before = _digest(live_file)
    _refused(bad, live_file, message)
    assert _digest(live_file) == before
    assert not [p for p in Path(live_file["NAME"]).parent.iterdir() if ".restore-" in p.name]


def test_an_archive_of_another_database_kind_is_refused(good_archive, tmp_path):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    bad = _with_manifest(good_archive, tmp_path / "x.tar.gz", lambda m: m.update(vendor=other))
    _refused(bad, {"NAME": str(tmp_path / "never.sqlite3")}, f"holds a {other} database")


def test_the_command_says_why_and_exits_with_2(tmp_path, db):
    from saima.cli import main

    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(b"\x1f\x8b garbage")
    with pytest.raises(CommandError, match=r"not a Saima backup.*nothing was changed"):
        call_command("restore", str(bad))
    assert main(["restore", str(tmp_path / "absent.tar.gz")]) == 2


def test_a_restore_that_fails_midway_leaves_the_old_database(
    transactional_db, scratch_target, tmp_path, monkeypatch
):
    """The database is replaced whole or not at all: a failure after the old data was dropped
    (SQLite: before the rename; PostgreSQL: the restore's last statement) changes nothing."""
    archive = tmp_path / "good.tar.gz"
    backup(archive)
    if connection.vendor == "sqlite":
        target = {"NAME": str(tmp_path / "live.sqlite3")}
        restore(archive, target=target)
        before = _digest(target)

        def broken_replace(src, dst):
            raise OSError("disk full")

        monkeypatch.setattr(backups.os, "replace", broken_replace)
        with pytest.raises(OSError, match="disk full"):
            restore(archive, target=target)
        assert _digest(target) == before
        assert not [p for p in Path(target["NAME"]).parent.iterdir() if ".restore-" in p.name]
        return
    import psycopg

    target = {k: v for k, v in scratch_target.items() if k != "params"}
    restore(archive, target=target)
    with psycopg.connect(dbname=target["NAME"], **scratch_target["params"]) as con:
        con.execute("CREATE TABLE kept_marker (value text)")
        con.execute("INSERT INTO kept_marker VALUES ('before')")
    real_run = backups._run

    def failing_last_statement(command, env, what):
        if command[0].endswith("psql"):
            script = Path(command[command.index("--file", command.index("--file") + 1) + 1])
            script.write_text(script.read_text() + "\nSELECT 1/0;\n")
        return real_run(command, env, what)

    monkeypatch.setattr(backups, "_run", failing_last_statement)
    with pytest.raises(BackupError, match="nothing was changed"):
        restore(archive, target=target)
    with psycopg.connect(dbname=target["NAME"], **scratch_target["params"]) as con:
        assert con.execute("SELECT value FROM kept_marker").fetchall() == [("before",)]
        assert con.execute("SELECT count(*) FROM django_migrations").fetchone()[0] > 0


def test_an_archive_of_an_older_schema_is_restored_and_says_to_migrate(good_archive, tmp_path):
    """An archive whose last migration of an app this version has a successor of is restored as
    it is; the command says to run `migrate`."""
    older = _with_manifest(good_archive, tmp_path / "older.tar.gz", lambda m: m["migrations"].pop())
    target = (
        {"NAME": str(tmp_path / "older.sqlite3")}
        if connection.vendor == "sqlite"
        else {**connection.settings_dict, "NAME": "never_touched_database"}
    )
    if connection.vendor != "sqlite":
        pytest.skip("the PostgreSQL restore itself is tested by the round trip")
    restored = restore(older, target=target)
    assert restored.older_schema
    assert not restore(good_archive, target=target).older_schema


def test_a_backup_inside_a_transaction_is_refused_not_left_waiting(db, tmp_path):
    """On SQLite a connection holding the write lock cannot be copied by the online backup (it
    would wait for itself for ever): the backup says so instead."""
    if connection.vendor != "sqlite":
        pytest.skip("the online backup API is SQLite's")
    with pytest.raises(BackupError, match="inside a transaction"):
        backup(tmp_path / "never.tar.gz")
    assert not (tmp_path / "never.tar.gz").exists()
