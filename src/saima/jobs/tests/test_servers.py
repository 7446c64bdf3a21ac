"""The platform as it runs in production, with real processes: simultaneous writes on the embedded
SQLite behind `saima serve`, a worker killed in the middle of a publication, and two app servers
with two workers on one PostgreSQL and one Redis.

These start subprocesses (gunicorn, workers) on loopback ports and load the demo city into a
database of their own; they use no test database, so the PostgreSQL leg of the test command
(database tests only) does not run them twice. The last one skips when PostgreSQL or Redis is not
reachable on this machine.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import sqlite3
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

import pytest

from saima.jobs.tests import servers

POSTGRES = os.environ.get("SAIMA_TEST_POSTGRES_ADMIN", "postgresql://postgres@127.0.0.1:5432/")
REDIS = ("127.0.0.1", 6379)
#: A Redis database number of its own, away from the default one.
REDIS_DB = 11


def _reachable(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
        return True
    return False


@pytest.fixture(scope="module")
def sqlite_demo(tmp_path_factory):
    data = tmp_path_factory.mktemp("sqlite-demo")
    env = servers.base_env(data, SAIMA_JOB_STALE_SECONDS="3")
    token = servers.load_demo(env)
    return data, env, token


@pytest.fixture
def processes():
    running = servers.Processes()
    yield running
    running.stop()


def _writes(port: int, token: str, period: str, count: int, clients: int, cells):
    """`count` figure writes from `clients` threads at once, each a value of its own."""
    results: list[tuple[int, tuple, str]] = []
    lock = threading.Lock()
    start = threading.Barrier(clients)

    def client(index: int) -> None:
        start.wait()
        for number in range(index, count, clients):
            unit, indicator = cells[number % len(cells)]
            value = f"{5000 + number / 100:.2f}"  # above last month's, not a unit slip
            try:
                status, _, _ = servers.write_figure(port, token, unit, indicator, period, value)
            except OSError:
                status = 599
            with lock:
                results.append((status, (unit, indicator), value))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results


def _check_history(port: int, token: str, period: str, results) -> int:
    accepted = [(cell, value) for status, cell, value in results if status == 200]
    for cell in {cell for cell, _ in accepted}:
        history = [Decimal(v) for v in servers.history_values(port, token, *cell, period)]
        for value in (Decimal(v) for c, v in accepted if c == cell):
            assert history.count(value) == 1, (cell, value, history)
    return len(accepted)


CELLS = [
    (unit, indicator)
    for unit in ("dongcheng", "xicheng", "nanhu", "hexi", "songyang")
    for indicator in ("fai", "retail", "revenue")
]


def test_simultaneous_figure_writes_on_sqlite_give_no_server_error(
    sqlite_demo, processes, tmp_path
) -> None:
    _data, env, token = sqlite_demo
    port = processes.serve(env, tmp_path / "serve.log", workers=4)
    period = servers.figures_period()
    results = _writes(port, token, period, count=120, clients=40, cells=CELLS)
    assert len(results) == 120
    errors = [r for r in results if r[0] >= 500]
    assert not errors, (errors[:5], (tmp_path / "serve.log").read_text()[-3000:])
    accepted = _check_history(port, token, period, results)
    assert accepted == 120, sorted({r[0] for r in results})


def _job(database: Path, job_id: int) -> tuple[str, int]:
    with contextlib.closing(sqlite3.connect(database, timeout=30)) as connection:
        return connection.execute(
            "SELECT status, progress FROM jobs_job WHERE id = ?", (job_id,)
        ).fetchone()


def _versions(database: Path, race: int, period: str) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(database, timeout=30)) as connection:
        return connection.execute(
            "SELECT version, length(standings), length(explanation) FROM races_publication "
            "WHERE race_id = ? AND period = ? ORDER BY version",
            (race, period),
        ).fetchall()


START_PUBLICATION = """
from django.contrib.auth import get_user_model
from saima.org.access import Access
from saima.engine import parse_period
from saima.races.models import Publication
from saima.races.results.services import publish_job_start
office = get_user_model().objects.get(username="office")
latest = Publication.objects.order_by("-period", "-version").first()
job = publish_job_start(Access.for_user(office), latest.race, parse_period(latest.period),
                        user=office, reason="a worker is killed meanwhile")
print(job.pk, latest.race_id, latest.period)
"""


def test_a_worker_killed_in_a_publication_leaves_it_absent_and_another_completes_it(
    sqlite_demo, processes, tmp_path
) -> None:
    data, env, _token = sqlite_demo
    database = data / "saima.sqlite3"
    job_id, race, period = servers.shell(env, START_PUBLICATION).split()
    job_id, race = int(job_id), int(race)
    before = _versions(database, race, period)
    worker = processes.worker(env, tmp_path / "worker1.log", "first")
    deadline = time.monotonic() + 60
    while _job(database, job_id)[0] != "running":
        assert time.monotonic() < deadline, (tmp_path / "worker1.log").read_text()
        time.sleep(0.02)
    processes.kill(worker)
    status, _ = _job(database, job_id)
    after = _versions(database, race, period)
    # Complete (the new version with all its parts, the job done) or absent: never half.
    if status == "done":
        assert len(after) == len(before) + 1 and all(after[-1])
    else:
        assert after == before
    # Another worker finds the silent job and finishes it: one new version in all. It looks for
    # silent jobs every second (30 s by default): the job falls silent 3 s after the kill.
    processes.worker(env, tmp_path / "worker2.log", "second", "--housekeeping", "1")
    deadline = time.monotonic() + 120
    while _job(database, job_id)[0] != "done":
        assert time.monotonic() < deadline, (tmp_path / "worker2.log").read_text()[-3000:]
        time.sleep(0.2)
    final = _versions(database, race, period)
    assert len(final) == len(before) + 1 and all(final[-1])


def _postgres_ready() -> str | None:
    if not _reachable("127.0.0.1", 5432):
        return "PostgreSQL is not reachable on 127.0.0.1:5432"
    if not _reachable(*REDIS):
        return "Redis is not reachable on 127.0.0.1:6379"
    return None


@pytest.fixture
def postgres_database():
    reason = _postgres_ready()
    if reason:
        pytest.skip(reason)
    import psycopg

    name = f"saima_servers_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield POSTGRES.rstrip("/") + "/" + name
    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _cookies(headers: dict[str, str], found: dict[str, str]) -> dict[str, str]:
    for name, value in headers.items():
        if name.lower() == "set-cookie":
            for part in value.split(", "):
                key, _, rest = part.partition("=")
                if key.strip() in ("csrftoken", "sessionid"):
                    found[key.strip()] = rest.split(";", 1)[0]
    return found


def _sign_in(port: int) -> dict[str, str]:
    status, headers, body = servers.request(port, "GET", "/login/")
    cookies = _cookies(headers, {})
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    status, headers, _ = _form(
        port,
        "/login/",
        {"username": "office", "password": "saima-demo-2026", "csrfmiddlewaretoken": token},
        cookies,
    )
    assert status == 302, status
    return _cookies(headers, cookies)


def _form(port: int, path: str, fields: dict, cookies: dict[str, str]):
    import http.client

    connection = http.client.HTTPConnection(servers.HOST, port, timeout=60)
    try:
        connection.request(
            "POST",
            path,
            body=urlencode(fields).encode(),
            headers={
                "Host": "localhost",
                "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def _get(port: int, path: str, cookies: dict[str, str]) -> tuple[int, str]:
    import http.client

    connection = http.client.HTTPConnection(servers.HOST, port, timeout=60)
    try:
        connection.request(
            "GET",
            path,
            headers={
                "Host": "localhost",
                "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            },
        )
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def _progress_value(port: int, cookies, period: str, unit: str, indicator: str):
    status, body = _get(port, f"/api/progress?period={period}&unit={unit}", cookies)
    assert status == 200, body[:500]
    rows = [r for r in json.loads(body) if r["indicator"] == indicator]
    return rows[0]["value"] if rows else None


@pytest.mark.postgresql_leg
def test_two_servers_and_two_workers_share_one_database_and_one_cache(
    postgres_database, processes, tmp_path
) -> None:
    import redis

    prefix = f"saima-test-{uuid.uuid4().hex[:8]}"
    env = servers.base_env(
        tmp_path / "data",
        DATABASE_URL=postgres_database,
        REDIS_URL=f"redis://{REDIS[0]}:{REDIS[1]}/{REDIS_DB}",
        SAIMA_CACHE_PREFIX=prefix,
    )
    token = servers.load_demo(env)
    first = processes.serve(env, tmp_path / "a.log", workers=1)
    second = processes.serve(env, tmp_path / "b.log", workers=1)
    for name in ("one", "two"):
        processes.worker(env, tmp_path / f"worker-{name}.log", name)
    cache = redis.Redis(host=REDIS[0], port=REDIS[1], db=REDIS_DB)
    try:
        # A session opened on one server is good on the other (sessions are in the database).
        cookies = _sign_in(first)
        assert _get(second, "/", cookies)[0] == 200
        period = servers.figures_period()
        before = _progress_value(second, cookies, period, "dongcheng", "fai")
        assert cache.keys(f"{prefix}:*"), "the second server cached nothing in Redis"
        status, _, body = servers.write_figure(first, token, "dongcheng", "fai", period, "7777.5")
        assert status == 200, body
        # Seen through the other server, its cached progress included.
        assert servers.history_values(second, token, "dongcheng", "fai", period)[-1] == ("7777.5")
        after = _progress_value(second, cookies, period, "dongcheng", "fai")
        assert after != before and float(after) == 7777.5
        status, page = _get(second, f"/units/dongcheng/?period={period}", cookies)
        assert status == 200 and "7,777.5" in page.replace("\u202f", ",")
        # A job started on one server is done by one of the workers and shown by the other.
        race, race_period = _published(second, cookies)
        status, preview = _get(first, f"/races/{race}/preview/?period={race_period}", cookies)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', preview).group(1)
        status, headers, _ = _form(
            first,
            f"/races/{race}/publish/",
            {"period": race_period, "reason": "two servers", "csrfmiddlewaretoken": csrf},
            cookies,
        )
        assert status == 302, status
        location = {k.lower(): v for k, v in headers.items()}["location"]
        job = int(re.search(r"job=(\d+)", location).group(1))
        deadline = time.monotonic() + 120
        while True:
            status, fragment = _get(second, f"/jobs/{job}/status/", cookies)
            assert status == 200
            if "job--done" in fragment:
                break
            assert "job--failed" not in fragment, fragment
            assert time.monotonic() < deadline, fragment
            time.sleep(0.5)
        assert "version" in fragment
    finally:
        for key in cache.scan_iter(f"{prefix}:*"):
            cache.delete(key)
        cache.close()


def _published(port: int, cookies) -> tuple[str, str]:
    status, body = _get(port, "/api/races/definitions", cookies)
    assert status == 200, body[:300]
    for race in json.loads(body):
        code = race["code"]
        status, found = _get(port, f"/api/races/{code}/publications", cookies)
        versions = json.loads(found) if status == 200 else []
        if versions:
            return code, versions[0]["period"]
    raise AssertionError("the demo has no published race")
