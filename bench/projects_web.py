"""Province-scale benchmark of the projects app: the battle map page and the project indicators
for a period, against the minimal view and against a plain pandas computation.

    python bench/projects_web.py [--quick] [--runs N] [--units N] [--projects N] [--postgres]

Builds the province of `bench/projects.py` (150 units, 3,000 key projects with 20 milestones each
— the eleven of the pipeline and nine nodes of their own —, dated stage changes, monthly plans and
a year of reported investment), writes it into a fresh database (a temporary SQLite file, or the
PostgreSQL database `saima_bench_projects` on 127.0.0.1 with `--postgres`; override the server
with SAIMA_BENCH_POSTGRES_URL), and, with the office signed in and today fixed at the period's
last day, times in this process (Django's test client, the product's middleware):

- `/bench/minimal/`: the baseline (sessions, authentication, locale, CSRF; no page work);
- the battle map `/projects/map/` (every unit's counts, the first page of groups drawn), the same
  map of late projects only, one unit's wall, and the unit indicators page for the period;
- the project indicators for the period (`saima.projects.figures`: the records read, then the
  engine) against the same records read into pandas and the same figures computed by the pandas
  baseline of `bench/projects.py`, which must agree with them.

It prints medians and ratios and writes them to `bench/results/projects_web.json`. Times are
reported, never asserted; the exit code is non-zero only if a page failed or the figures differ.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results" / "projects_web.json"
DATABASE = "saima_bench_projects"
ADMIN_URL = os.environ.get("SAIMA_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/")


def _database(postgres: bool, folder: str) -> str:
    if not postgres:
        return f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
    import psycopg

    admin = urlsplit(ADMIN_URL)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')
    return urlsplit(ADMIN_URL)._replace(path=f"/{DATABASE}").geturl()


def _drop(postgres: bool) -> None:
    if postgres:
        import psycopg

        admin = urlsplit(ADMIN_URL)._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def _setup(url: str, folder: str) -> None:
    sys.path[:0] = [str(BENCH), str(ROOT / "src")]
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench_settings",
            "DATABASE_URL": url,
            "SAIMA_DATA_DIR": folder,
            "SAIMA_MODE": "demo",
            "DEBUG": "false",
            "SAIMA_LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)


# --- the province in the database ----------------------------------------------------------------


def load(data) -> dict[str, Any]:
    """Write the synthetic province (frames of `bench/projects.py`) through bulk inserts."""
    import polars as pl
    from django.contrib.auth import get_user_model

    from saima.engine.projects import stages_at
    from saima.org.models import Membership, RaceGroup, Role, Unit
    from saima.projects.models import (
        AnnualPlan,
        InvestmentActual,
        Milestone,
        Project,
        StageChange,
    )

    started = time.perf_counter()
    group = RaceGroup.objects.create(code="all", name_zh="全部", name_en="All")
    codes = data.projects["unit"].unique().sort().to_list()
    Unit.objects.bulk_create(
        Unit(
            code=code,
            name_zh=f"单位{code}",
            name_en=f"Unit {code}",
            kind="county",
            race_group=group,
            order=n,
        )
        for n, code in enumerate(codes)
    )
    units = {u.code: u for u in Unit.objects.all()}
    office = get_user_model().objects.create_user("office", password="bench-office")
    Membership.objects.create(user=office, role=Role.OFFICE)
    today = data.today
    reached = stages_at(data.stage_changes, today).iter_rows(named=True)
    current = {r["project"]: (r["stage"], r["since"]) for r in reached}
    Project.objects.bulk_create(
        (
            Project(
                code=row["project"],
                name=f"项目{row['project']}",
                category="industry",
                level="city",
                unit=units[row["unit"]],
                leader_name=f"领导{int(row['project'][1:]) % 40:02d}",
                total_investment=round((row["annual_plan"] or 100.0) * 3, 2),
                start_year=2025,
                end_year=2027,
                stage=current.get(row["project"], ("planned", None))[0],
                stage_since=current.get(row["project"], ("planned", None))[1],
            )
            for row in data.projects.iter_rows(named=True)
        ),
        batch_size=2000,
    )
    pk = dict(Project.objects.values_list("code", "pk"))
    StageChange.objects.bulk_create(
        (
            StageChange(project_id=pk[p], stage=s, previous="planned", date=d)
            for p, s, d in data.stage_changes.iter_rows()
        ),
        batch_size=5000,
    )
    Milestone.objects.bulk_create(
        (
            Milestone(
                project_id=pk[p],
                code=m,
                name=m if m.startswith("node_") else "",
                planned=planned,
                actual=actual,
            )
            for p, m, planned, actual in data.milestones.select(
                "project", "milestone", "planned", "actual"
            ).iter_rows()
        ),
        batch_size=5000,
    )
    monthly = data.plans.group_by("project", maintain_order=True).agg(pl.col("amount"))
    split = {p: [f"{a:.2f}" for a in amounts] for p, amounts in monthly.iter_rows()}
    AnnualPlan.objects.bulk_create(
        (
            AnnualPlan(project_id=pk[p], year=2026, amount=round(plan, 2), monthly=split.get(p, []))
            for p, _unit, plan in data.projects.iter_rows()
            if plan is not None
        ),
        batch_size=2000,
    )
    InvestmentActual.objects.bulk_create(
        (
            InvestmentActual(project_id=pk[p], year=y, month=m, value=round(v, 2))
            for p, y, m, v in data.investment.iter_rows()
        ),
        batch_size=5000,
    )
    return {
        "units": len(units),
        "projects": Project.objects.count(),
        "milestones": Milestone.objects.count(),
        "stage_changes": StageChange.objects.count(),
        "investment_figures": InvestmentActual.objects.count(),
        "seconds": round(time.perf_counter() - started, 1),
    }


# --- timing --------------------------------------------------------------------------------------


def timed(call, runs: int) -> dict[str, float]:
    call()  # warm: imports, caches of the templates and the URL resolver
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return {"median": statistics.median(seconds), "min": min(seconds)}


def pages(client, period: str, unit: str, runs: int) -> tuple[dict, list[str]]:
    from django.core.cache import cache

    failures = []

    def get(path: str):
        def call():
            cache.clear()  # no page answers from a cached computation
            response = client.get(path)
            if response.status_code != 200:
                failures.append(f"{path}: {response.status_code}")
            return response

        return call

    paths = {
        "minimal": "/bench/minimal/",
        "battle map": "/projects/map/",
        "battle map, late only": "/projects/map/?late=1",
        "a unit's wall": f"/projects/map/wall/{unit}/",
        "unit indicators page": f"/projects/indicators/?period={period}",
    }
    found = {}
    for name, path in paths.items():
        found[name] = {"path": path, **timed(get(path), runs)}
        print(f"  {name:<24} {found[name]['median'] * 1000:8.1f} ms", flush=True)
    size = len(client.get("/projects/map/").content)
    found["battle map"]["bytes"] = size
    return found, failures


def indicators(period, runs: int) -> tuple[dict, list[str]]:
    """The figures of every unit for the period: the platform's read and the engine, against the
    same records read into pandas and the pandas baseline's figures."""
    import pandas as pd
    from django.core.cache import cache
    from projects import PandasProvince, _compare, pandas_figures, to_pandas

    from saima.engine.calendar import period_end
    from saima.org.models import Unit
    from saima.projects import figures, frames
    from saima.projects.models import Project

    codes = list(Unit.objects.order_by("code").values_list("code", flat=True))

    def engine():
        cache.clear()
        return figures.unit_figures(codes, [(period.year, period.month)])

    def reads():
        """The same rows the platform reads (milestones planned by the period's end, the
        period's month of investment)."""
        projects = Project.objects.filter(active=True, unit__code__in=codes).order_by("code")
        return (
            frames.project_frame(projects, period.year),
            frames.stage_frame(projects),
            frames.milestone_frame(projects, planned_by=period_end(period)),
            frames.investment_frame(projects, [period.year], [(period.year, period.month)]),
        )

    def baseline():
        listed, changes, milestones, investment = reads()
        data = PandasProvince(
            projects=to_pandas(listed),
            plans=pd.DataFrame(),
            investment=to_pandas(investment),
            stage_changes=to_pandas(changes),
            milestones=to_pandas(milestones.drop("pk", "name")),
            period=period,
            today=pd.Timestamp(datetime.date(period.year, period.month, 1)),
        )
        return pandas_figures(data)

    ours, theirs = engine(), baseline()
    problems = _compare(
        "unit figures",
        to_pandas(ours.drop("year", "month")),
        theirs,
        "unit",
        exact=["started", "reported", "milestones_due", "milestones_done_on_time"],
        numbers=["investment", "signed_to_landed", "landed_to_started", "milestones_on_time"],
    )
    found = {
        "engine (read + compute)": timed(engine, runs),
        "pandas (read + compute)": timed(baseline, runs),
        "the reads alone": timed(reads, runs),
    }
    for name, value in found.items():
        print(f"  {name:<24} {value['median'] * 1000:8.1f} ms", flush=True)
    return found, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 timed runs instead of 9")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--units", type=int, default=150)
    parser.add_argument("--projects", type=int, default=3000)
    parser.add_argument("--month", type=int, default=6)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL, not a SQLite file")
    args = parser.parse_args(argv)
    runs = args.runs or (3 if args.quick else 9)
    with tempfile.TemporaryDirectory(prefix="saima-bench-projects-") as folder:
        try:
            _setup(_database(args.postgres, folder), folder)
            return _run(args, runs)
        finally:
            from django.db import connections

            connections.close_all()
            _drop(args.postgres)


def _run(args: argparse.Namespace, runs: int) -> int:
    from django.test import Client
    from django.utils import timezone
    from projects import make_province

    data = make_province(args.units, args.projects, args.month)
    timezone.localdate = lambda *a, **k: data.today  # the map against the period's last day
    print(f"loading {args.units} units, {args.projects:,} projects ...", flush=True)
    sizes = load(data)
    print(
        f"  {sizes['projects']:,} projects, {sizes['milestones']:,} milestones, "
        f"{sizes['stage_changes']:,} stage changes, {sizes['investment_figures']:,} figures "
        f"(loaded in {sizes['seconds']} s)"
    )
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username="office"))
    unit = data.projects["unit"][0]
    print(f"pages (median of {runs}):")
    page_times, failures = pages(client, data.period.label, unit, runs)
    print(f"project indicators for {data.period.label} (median of {runs}):")
    figure_times, problems = indicators(data.period, runs)
    minimal = page_times["minimal"]["median"]
    engine = figure_times["engine (read + compute)"]["median"]
    pandas_side = figure_times["pandas (read + compute)"]["median"]
    reads = figure_times["the reads alone"]["median"]
    report = {
        "when": datetime.datetime.now().isoformat(timespec="seconds"),
        "database": "postgresql" if args.postgres else "sqlite",
        "runs": runs,
        "sizes": sizes,
        "period": data.period.label,
        "pages": page_times,
        "page_over_minimal": {
            name: round(value["median"] / minimal, 1) for name, value in page_times.items()
        },
        "indicators": figure_times,
        "pandas_over_engine": round(pandas_side / engine, 2),
        "pandas_over_engine_compute_only": round(
            (pandas_side - reads) / max(engine - reads, 1e-9), 2
        ),
        "indicators_page_over_minimal": round(
            page_times["unit indicators page"]["median"] / minimal, 1
        ),
        "failures": failures,
        "disagreements": problems,
    }
    print("\nratios to the minimal view (median):")
    for name, ratio in report["page_over_minimal"].items():
        print(f"  {name:<24} {ratio:7.1f}x")
    print(
        f"\nproject indicators: pandas / engine {report['pandas_over_engine']:.2f}x with the "
        f"reads, {report['pandas_over_engine_compute_only']:.2f}x on the computation alone"
    )
    print(f"figures agree: {'yes' if not problems else 'NO: ' + '; '.join(problems)}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"figures written to {RESULTS}")
    return 1 if failures or problems else 0


if __name__ == "__main__":
    sys.exit(main())
