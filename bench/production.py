"""Production benchmark: simultaneous writes, and the pages while a race is published as a job.

    python bench/production.py writes  [--writes 200]
    python bench/production.py publish [--units 150] [--clients 16] [--requests 400]
                                       [--keep] [--reuse] [--worker-nice N]

`writes`: the demo city on the embedded SQLite behind `saima serve` (gunicorn, 4 workers), then on
PostgreSQL; N figure writes through the API all at once (one thread each, released together).
Reports the statuses, says whether any was a server error, and checks that every accepted write
is in the figure's history exactly once.

`publish`: the province-scale set (150 units × 40 indicators; `--units 2850` for the national
scale) on PostgreSQL, with the demo's quarterly race over all its groups, served by gunicorn (2
workers) with one `saima worker`. Measures p99 at N clients of the minimal view (the baseline),
the overview (as the office opens it: every unit, or at the national scale the first race
group), the overview of the largest race group, a unit page, an indicator page and the progress
API (ratios to the minimal view); then publishes the race's last finished quarter as a
background job (with what would gain each unit one place) and measures the largest group's
overview while the job runs: its p99 against its idle p99.

`--worker-nice N` runs the worker with `SAIMA_WORKER_NICE=N` (0: at the pages' priority), to
compare the overview's busy/idle ratio with and without the worker's lower CPU priority.

The national scale takes minutes to load; `--keep` leaves the bench database in place at the end
(and writes what the load prepared to `bench/results/production-data.json`), and `--reuse` skips
the load when that database and that file are there for the same `--units` (the earlier runs'
publications and jobs are deleted first, so that each run publishes the same first version).
`load_seconds` is the demo load with its migration, `analyze_seconds` the VACUUM ANALYZE after it
(so that autovacuum does not compete with the measurement); a reused database reports the figures
of the load that made it.

Everything talks to 127.0.0.1 only, stops by itself, stops its processes and, unless `--keep`,
drops its database.
Times are reported, never asserted; the exit code is non-zero only on a server error or a lost or
doubled write. The machine is shared: read the ratios, not the milliseconds.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(BENCH))

import web  # noqa: E402  (the web benchmark's gunicorn, sign-in and load generator)

from saima.jobs.tests import servers  # noqa: E402

RESULTS = BENCH / "results" / "production.json"
PREPARED = BENCH / "results" / "production-data.json"
DATABASE = "saima_bench_production"


def _database_url() -> str:
    return web.database_url(DATABASE)


def _recreate() -> None:
    import psycopg

    with psycopg.connect(web.database_url("postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')


def _exists() -> bool:
    import psycopg

    with psycopg.connect(web.database_url("postgres"), autocommit=True) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)
        ).fetchone()
    return found is not None


def _vacuum_analyze() -> None:
    import psycopg

    with psycopg.connect(_database_url(), autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def _drop() -> None:
    import psycopg

    with psycopg.connect(web.database_url("postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


# --- simultaneous writes ------------------------------------------------------------------------

CELLS = [
    (unit, indicator)
    for unit in ("dongcheng", "xicheng", "nanhu", "hexi", "songyang", "linshui", "yunxi")
    for indicator in ("fai", "retail", "revenue", "trade")
]


def _all_at_once(port: int, token: str, period: str, count: int) -> tuple[list, float]:
    results: list[tuple[int, tuple, str]] = []
    lock = threading.Lock()
    gate = threading.Barrier(count)

    def one(number: int) -> None:
        unit, indicator = CELLS[number % len(CELLS)]
        value = f"{5000 + number / 100:.2f}"
        gate.wait()
        try:
            status, _, _ = servers.write_figure(
                port, token, unit, indicator, period, value, timeout=600
            )
        except OSError:
            status = 0  # no answer (the client gave up): not a server error
        with lock:
            results.append((status, (unit, indicator), value))

    threads = [threading.Thread(target=one, args=(n,)) for n in range(count)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    return results, time.perf_counter() - started


def _exactly_once(port: int, token: str, period: str, results) -> list[str]:
    problems = []
    accepted = [(cell, value) for status, cell, value in results if status == 200]
    for cell in sorted({cell for cell, _ in accepted}):
        history = [Decimal(v) for v in servers.history_values(port, token, *cell, period)]
        for value in (Decimal(v) for c, v in accepted if c == cell):
            if history.count(value) != 1:
                problems.append(f"{cell} {value}: {history.count(value)} times in the history")
    return problems


def bench_writes(args: argparse.Namespace) -> dict:
    report = {}
    for backend in ("sqlite", "postgresql"):
        with tempfile.TemporaryDirectory(prefix="saima-writes-") as folder:
            extra = {}
            if backend == "postgresql":
                _recreate()
                extra["DATABASE_URL"] = _database_url()
            env = servers.base_env(Path(folder), **extra)
            print(f"== {backend}: loading the demo city ...", flush=True)
            token = servers.load_demo(env)
            processes = servers.Processes()
            try:
                port = processes.serve(env, Path(folder) / "serve.log", workers=4)
                period = servers.figures_period()
                results, seconds = _all_at_once(port, token, period, args.writes)
                statuses: dict[str, int] = {}
                for status, _, _ in results:
                    statuses[str(status)] = statuses.get(str(status), 0) + 1
                problems = _exactly_once(port, token, period, results)
            finally:
                processes.stop()
                if backend == "postgresql":
                    _drop()
        found = {
            "writes": args.writes,
            "statuses": statuses,
            "server_errors": sum(n for s, n in statuses.items() if int(s) >= 500),
            "no_answer": statuses.get("0", 0),
            "accepted": statuses.get("200", 0),
            "history_problems": problems[:10],
            "seconds": round(seconds, 2),
        }
        print(f"   {json.dumps(found)}", flush=True)
        report[backend] = found
    return report


# --- publishing as a job under load --------------------------------------------------------------

PREPARE = """
import datetime, json
from django.contrib.auth import get_user_model
from saima.demo import load_demo
from saima.demo.race import DEMO_RACE_CODE, DEMO_RACE_TOML
from saima.org.access import Access
from saima.org.models import RaceGroup, Unit
from saima.races.definitions.rules import parse_toml
from saima.races.definitions.services import definition_save
from saima.races.definitions.selectors import race_periods
from saima.org.services import api_token_create
summary = load_demo(as_of=datetime.date.today(), scale="province", units={units})
# The city's race without its key-project and supervision items (the province has neither).
RULES = DEMO_RACE_TOML.format(year=summary.year).replace(
    'code = "kp-investment"', 'code = "trade"').replace(
    'code = "kp-on-time"', 'code = "projects-signed"').replace(
    'code = "sv-closure"', 'code = "good-air-days"')
office = get_user_model().objects.get(username="office")
race = definition_save(Access.for_user(office), code=DEMO_RACE_CODE, name_zh="重点工作赛马",
    name_en="Key-work race", groups=list(RaceGroup.objects.all()), rhythm="quarter",
    rules=parse_toml(RULES))
finished = [p.label for p in race_periods(race)
            if p.month <= max(summary.months)]
unit = sorted(Unit.objects.filter(race_group__isnull=False).values_list("code", flat=True))[0]
print(json.dumps({{"units": summary.units, "indicators": summary.indicators,
    "observations": summary.observations, "period": summary.latest_period, "unit": unit,
    "race": race.code, "quarter": finished[-1] if finished else None}}))
"""

#: The race group with the most units: its overview is the heaviest a national office opens.
LARGEST_GROUP = """
from django.db.models import Count
from saima.org.models import RaceGroup
print(RaceGroup.objects.annotate(n=Count("units")).order_by("-n", "code").first().code)
"""

START = """
from django.contrib.auth import get_user_model
from saima.engine import parse_period
from saima.org.access import Access
from saima.races.models import RaceDefinition
from saima.races.results.services import publish_job_start
office = get_user_model().objects.get(username="office")
race = RaceDefinition.objects.get(code="{race}")
job = publish_job_start(Access.for_user(office), race, parse_period("{quarter}"), user=office)
print(job.pk)
"""

#: A reused database: forget the earlier runs' publications and jobs (a demo database only).
FORGET = """
from saima.jobs.models import Job
from saima.races import models as races
for model in (races.LaggardStatement, races.Objection, races.Publication):
    model._base_manager.all().delete()
Job.objects.all().delete()
print("forgotten")
"""

JOB = """
from saima.jobs.models import Job
job = Job.objects.get(pk={job})
print(job.status, (job.finished_at - job.started_at).total_seconds() if job.finished_at else "",
      job.attempts, repr(job.message[:200]))
"""


def _job_state(job: int) -> tuple[str, str]:
    import psycopg

    with psycopg.connect(_database_url()) as connection:
        row = connection.execute(
            "SELECT status, message FROM jobs_job WHERE id = %s", (job,)
        ).fetchone()
    return row[0], row[1]


def _kept(args: argparse.Namespace) -> dict | None:
    """What the kept database was loaded with, if `--reuse` can use it for `--units`."""
    if not (args.reuse and PREPARED.exists() and _exists()):
        return None
    data = json.loads(PREPARED.read_text())
    return data if data.get("units") == args.units else None


def _load(plain: dict, args: argparse.Namespace) -> dict:
    _recreate()
    print(f"== loading the province ({args.units} units) ...", flush=True)
    started = time.perf_counter()
    servers.saima(plain, "manage", "migrate", "--verbosity", "0", timeout=600)
    data = json.loads(
        servers.shell(plain, PREPARE.format(units=args.units), timeout=7200)
        .strip()
        .splitlines()[-1]
    )
    data["load_seconds"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    _vacuum_analyze()
    data["analyze_seconds"] = round(time.perf_counter() - started, 1)
    return data


def bench_publish(args: argparse.Namespace) -> dict:
    keep = args.keep
    try:
        with tempfile.TemporaryDirectory(prefix="saima-publish-") as folder:
            (Path(folder) / "static").mkdir()
            env = web.server_env(folder) | {
                "DATABASE_URL": _database_url(),
                # This checkout's code, whatever the environment has installed.
                "PYTHONPATH": os.pathsep.join([str(BENCH), str(ROOT / "src")]),
            }
            plain = servers.base_env(Path(folder), DATABASE_URL=_database_url())
            data = _kept(args)
            if data is not None:
                keep = True  # never drop what a later run may reuse again
                print(f"== reusing {DATABASE} ({args.units} units) ...", flush=True)
                servers.saima(plain, "manage", "migrate", "--verbosity", "0", timeout=600)
                servers.shell(plain, FORGET, timeout=600)
                data["reused"] = True
            else:
                data = _load(plain, args)
                if keep:
                    PREPARED.parent.mkdir(parents=True, exist_ok=True)
                    PREPARED.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
            print(f"   {json.dumps(data)}", flush=True)
            port = web.free_port()
            server = web.start_gunicorn(env, port, Path(folder) / "gunicorn.log")
            processes = servers.Processes()
            try:
                nice = (
                    {} if args.worker_nice is None else {"SAIMA_WORKER_NICE": str(args.worker_nice)}
                )
                processes.worker(plain | nice, Path(folder) / "worker.log", "bench")
                from saima.demo import DEMO_PASSWORD

                cookie = web.sign_in(port, "office", DEMO_PASSWORD)
                period = data["period"]
                data["largest_group"] = servers.shell(plain, LARGEST_GROUP).strip().splitlines()[-1]
                pages = [
                    ("minimal", "/bench/minimal/"),
                    ("overview", f"/?period={period}"),
                    ("overview of the largest group", _largest(data)),
                    ("unit", f"/units/{data['unit']}/?period={period}"),
                    ("indicator", f"/indicators/fai/?period={period}"),
                    ("api progress", f"/api/progress?period={period}"),
                    ("units", f"/units/?period={period}"),
                    ("indicators", f"/indicators/?period={period}"),
                ]
                results = []
                for name, path in pages:
                    result = web.measure(port, name, path, cookie, args)
                    results.append(result)
                    print(f"   {name:<30} p99 {result.get('p99_ms')} ms", flush=True)
                baseline = results[0].get("p99_ms")
                for result in results:
                    if baseline and "p99_ms" in result:
                        result["p99_ratio"] = round(result["p99_ms"] / baseline, 2)
                publishing = _publish_under_load(port, cookie, plain, data, args)
            finally:
                processes.stop()
                web.stop_gunicorn(server)
    finally:
        if not keep:
            _drop()
    worker_nice = args.worker_nice if args.worker_nice is not None else "default"
    return {"data": data, "pages": results, "publish": publishing, "worker_nice": worker_nice}


def _largest(data: dict) -> str:
    return f"/?period={data['period']}&group={data['largest_group']}"


def _publish_under_load(port: int, cookie: str, env, data: dict, args) -> dict:
    if not data.get("quarter"):
        return {"skipped": "no finished quarter to publish"}
    overview = _largest(data)
    # Warm first: the pages measured since the overview may have outlived its cached board.
    web.hammer(port, overview, cookie, args.clients, args.warmup)
    idle = web.hammer(port, overview, cookie, args.clients, args.requests)
    job = int(servers.shell(env, START.format(**data)).strip().splitlines()[-1])
    started = time.perf_counter()
    busy = web.Run()
    state = "queued"
    while state in ("queued", "running") and time.perf_counter() - started < 3600:
        run = web.hammer(port, overview, cookie, args.clients, args.clients * 4)
        busy.latencies += run.latencies
        busy.failures += run.failures
        state, message = _job_state(job)
    seconds = time.perf_counter() - started
    detail = servers.shell(env, JOB.format(job=job)).strip().splitlines()[-1]
    if not idle.latencies:
        return {"failed": idle.failures[:5]}
    idle_p99 = web.percentile(idle.latencies, 0.99) * 1000
    busy_p99 = web.percentile(busy.latencies, 0.99) * 1000 if busy.latencies else None
    found = {
        "job": detail,
        "state": state,
        "message": message,
        "seconds_until_done": round(seconds, 1),
        "overview_idle_p99_ms": round(idle_p99, 1),
        "overview_busy_p99_ms": None if busy_p99 is None else round(busy_p99, 1),
        "busy_requests": len(busy.latencies),
        "busy_failures": len(busy.failures),
        "busy_over_idle": None if busy_p99 is None else round(busy_p99 / idle_p99, 2),
        # The overview's board is cached 120 s per server process: a phase the expiry falls in
        # has a few answers that waited for the board to be made again (seconds, nationally).
        "idle_max_ms": round(max(idle.latencies) * 1000, 1),
        "busy_max_ms": round(max(busy.latencies) * 1000, 1) if busy.latencies else None,
        "idle_over_2s": sum(1 for t in idle.latencies if t > 2),
        "busy_over_2s": sum(1 for t in busy.latencies if t > 2),
    }
    print(f"   publish: {json.dumps(found, ensure_ascii=False)}", flush=True)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=("writes", "publish", "all"))
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--units", type=int, default=150)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument(
        "--keep", action="store_true", help="publish: keep the database (and its data file)"
    )
    parser.add_argument(
        "--worker-nice",
        type=int,
        default=None,
        help="publish: the worker's SAIMA_WORKER_NICE (default: the product's default)",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="publish: use the kept database if it fits --units"
    )
    args = parser.parse_args(argv)
    args.warmup = max(args.clients * 2, args.requests // 10)
    report: dict = {
        "when": datetime.datetime.now().isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "note": "shared machine: compare ratios measured in the same run",
    }
    if args.what in ("writes", "all"):
        report["writes"] = bench_writes(args)
    if args.what in ("publish", "all"):
        report["publish"] = bench_publish(args)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    RESULTS.write_text(json.dumps(previous | report, indent=2, ensure_ascii=False) + "\n")
    print(f"figures written to {RESULTS}")
    bad = any(
        found["server_errors"] or found["history_problems"]
        for found in report.get("writes", {}).values()
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
