"""The `saima` command.

`saima race` and `saima progress` compute straight from spreadsheets, without a database. Bad
input ends the command with exit code 2, a message naming the file, sheet, row and column, and no
output file written.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from saima import __version__
from saima.engine import (
    DataError,
    EngineError,
    compute_progress,
    gains,
    indicator_specs_from_table,
    load_rules,
    specs_from_rules,
)
from saima.engine.frames import PROGRESS_COLUMNS
from saima.engine.pipeline import check_race_period, compute_race
from saima.inputs import (
    load_race_files,
    read_actuals,
    read_period,
    read_targets,
    scored_indicators,
)
from saima.tabular import InputError, Problem, write_table

EXIT_BAD_INPUT = 2

PROGRESS_OUTPUT = [
    "unit",
    "indicator",
    "period",
    "value",
    "target",
    "time_progress",
    "completion",
    "gap_pp",
    "light",
    "double_over_half",
    "run_rate_needed",
    "required_growth",
    "projection",
]


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        args.handler(args)
    except (InputError, EngineError) as exc:
        print(f"saima {args.command}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="saima", description="Saima (赛马): the horse race.")
    parser.add_argument("--version", action="version", version=f"saima {__version__}")
    commands = parser.add_subparsers(dest="command")

    race = commands.add_parser("race", help="score a horse race from spreadsheets")
    _race_inputs(race)
    race.add_argument("--out", type=Path, required=True, help="output file (.csv or .xlsx)")
    race.add_argument("--explain", type=Path, help="also write each score's explanation here")
    race.set_defaults(handler=run_race)

    bulletin = commands.add_parser(
        "bulletin", help="write the race bulletin (DOCX, PDF or XLSX) from the race's spreadsheets"
    )
    _race_inputs(bulletin)
    bulletin.add_argument("--out", type=Path, required=True, help="bulletin.docx, .pdf or .xlsx")
    bulletin.add_argument("--office", default="", help="the issuing office, printed in red")
    bulletin.add_argument(
        "--number", default="", help="the document number: 12, or 青重办发〔2026〕12号"
    )
    bulletin.add_argument("--date", help="the document's date, YYYY-MM-DD (default: today)")
    bulletin.add_argument("--recipients", default="", help="who the bulletin is addressed to")
    bulletin.add_argument(
        "--language", choices=["zh-hans", "en"], default="zh-hans", help="the document's language"
    )
    bulletin.set_defaults(handler=run_bulletin)

    progress = commands.add_parser("progress", help="progress against the time schedule")
    progress.add_argument("--targets", type=Path, required=True)
    progress.add_argument("--actuals", type=Path, required=True)
    progress.add_argument("--period", required=True)
    progress.add_argument("--rules", type=Path, help="rules giving kinds, directions, profiles")
    progress.add_argument("--out", type=Path, required=True, help="output file (.csv or .xlsx)")
    progress.set_defaults(handler=run_progress)

    demo = commands.add_parser("demo", help="load the demo city and serve it on localhost")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--as-of", help="the demo's today, YYYY-MM-DD (default: today)")
    demo.add_argument("--reset", action="store_true", help="replace existing demo data")
    demo.add_argument("--no-serve", action="store_true", help="load only, do not serve")
    demo.set_defaults(handler=run_demo)

    serve = commands.add_parser("serve", help="serve the platform with gunicorn")
    serve.add_argument("--bind", default="127.0.0.1:8000")
    serve.add_argument("--workers", type=int, default=2)
    serve.set_defaults(handler=run_serve)

    worker = commands.add_parser(
        "worker", help="run background jobs (publishing, imports, reminders) until stopped"
    )
    worker.add_argument("--batch", action="store_true", help="run the waiting jobs, then exit")
    worker.add_argument("--worker-id", help="a name unique among the workers (default: random)")
    worker.add_argument(
        "--housekeeping",
        type=float,
        default=None,
        help="seconds between looks for dead workers' jobs and the day's periodic jobs",
    )
    worker.add_argument(
        "--nice",
        type=int,
        default=None,
        help="lower the worker's CPU priority by this much (default: $SAIMA_WORKER_NICE or "
        f"{WORKER_NICE}; 0 keeps it), so that pages stay quick while a job computes",
    )
    worker.set_defaults(handler=run_worker)

    remind = commands.add_parser(
        "remind", help="email units whose figures are missing or returned (for cron)"
    )
    remind.add_argument("--today", help="the day to act as today, YYYY-MM-DD")
    remind.set_defaults(handler=run_remind)

    escalate = commands.add_parser(
        "escalate",
        help="take the supervision escalation steps due: reminders, bulletin, interview (for cron)",
    )
    escalate.add_argument("--today", help="the day to act as today, YYYY-MM-DD")
    escalate.set_defaults(handler=run_escalate)
    backup = commands.add_parser(
        "backup", help="write the database and every uploaded file to one archive"
    )
    backup.add_argument("--out", type=Path, required=True, help="the archive (.tar.gz)")
    backup.set_defaults(handler=run_backup)

    restore = commands.add_parser(
        "restore", help="replace the database and uploaded files with a backup's (servers stopped)"
    )
    restore.add_argument("archive", type=Path, help="an archive made by `saima backup`")
    restore.set_defaults(handler=run_restore)

    manage = commands.add_parser("manage", help="run a Django management command")
    manage.add_argument("arguments", nargs=argparse.REMAINDER)
    manage.set_defaults(handler=run_manage)
    return parser


def _race_inputs(command: argparse.ArgumentParser) -> None:
    """The input files of a race: `saima race` and `saima bulletin` read the same."""
    command.add_argument("--rules", type=Path, required=True, help="rules file (TOML)")
    command.add_argument("--targets", type=Path, required=True, help="unit, indicator, target")
    command.add_argument(
        "--actuals", type=Path, required=True, help="unit, indicator, period, value"
    )
    command.add_argument("--period", required=True, help="2026-03, 2026-Q1, 2026-H1 or 2026")
    command.add_argument("--units", type=Path, help="unit, group (absent: one group)")
    command.add_argument("--adjustments", type=Path, help="unit, points, reason, veto[, category]")
    command.add_argument("--scores", type=Path, help="unit, item, points for manual items")
    command.add_argument("--previous", type=Path, help="an earlier race output")


def _check_output(*paths: Path | None) -> None:
    for path in paths:
        if path is not None and path.suffix.lower() not in (".csv", ".xlsx"):
            raise _input_error(path, "the output must be a .csv or .xlsx file")


def _input_error(path: Path, message: str) -> InputError:
    return InputError(Problem(file=path.name, message=message))


def _compute_race(args: argparse.Namespace):
    """The race of the input files: (rules, period, files, result)."""
    rules = load_rules(args.rules)
    period = read_period(args.period)
    try:
        check_race_period(rules, period)
    except DataError as exc:
        raise _input_error(args.rules, str(exc)) from None
    inputs = load_race_files(
        rules=rules,
        targets=args.targets,
        actuals=args.actuals,
        units=args.units,
        adjustments=args.adjustments,
        scores=args.scores,
        previous=args.previous,
    )
    result = compute_race(rules, period, inputs)
    return rules, period, inputs, result


def run_race(args: argparse.Namespace) -> None:
    _check_output(args.out, args.explain)
    rules, period, _inputs, result = _compute_race(args)
    explanation = None
    if args.explain is not None:
        explanation = result.explanation(gains(result))
    write_table(result.wide(), args.out)
    if explanation is not None:
        write_table(explanation, args.explain)
    print(render_standings(result.standings, rules.name, period.label, rules.decimals))
    if result.missing.height:
        print(f"\nMissing figures ({rules.missing.policy}):")
        for group, unit, item, _ in result.missing.iter_rows():
            print(f"  {group} / {unit}: {item}")


BULLETIN_SUFFIXES = (".docx", ".pdf", ".xlsx")


def run_bulletin(args: argparse.Namespace) -> None:
    """The race bulletin from the race's files, as `saima race` computes the race."""
    if args.out.suffix.lower() not in BULLETIN_SUFFIXES:
        raise _input_error(args.out, "the bulletin must be a .docx, .pdf or .xlsx file")
    _django()
    from saima.bulletins import offline

    fields = offline.read_fields(
        office=args.office,
        number=args.number,
        date=args.date,
        recipients=args.recipients,
        language=args.language,
    )
    rules, period, files, result = _compute_race(args)
    data = offline.bulletin_bytes(
        rules=rules,
        period=period,
        files=files,
        result=result,
        fields=fields,
        suffix=args.out.suffix.lower(),
    )
    offline.write_atomically(args.out, data)
    print(f"{offline.describe(rules, period, fields)} written to {args.out}")


def run_progress(args: argparse.Namespace) -> None:
    _check_output(args.out)
    period = read_period(args.period)
    rules = load_rules(args.rules) if args.rules is not None else None
    if rules is not None and period.year != rules.year:
        raise _input_error(
            args.rules, f"the period {period.label} is outside the rules' year {rules.year}"
        )
    indicators = None if rules is None else scored_indicators(rules)
    targeted = None if rules is None else rules.targeted_indicators
    targets = read_targets(args.targets, indicators=indicators, targeted=targeted).frame
    actuals = read_actuals(args.actuals, year=period.year, indicators=indicators).frame
    if rules is not None:
        specs, thresholds = specs_from_rules(rules), rules.thresholds
    else:
        specs, thresholds = indicator_specs_from_table(targets.iter_rows(named=True)), None
    progress = compute_progress(targets, actuals, period, specs=specs, thresholds=thresholds)
    extra = [c for c in PROGRESS_COLUMNS if c not in PROGRESS_OUTPUT]
    write_table(progress.select(*PROGRESS_OUTPUT, *extra).sort("unit", "indicator"), args.out)
    lights = progress["light"].fill_null("no target").value_counts(sort=True)
    summary = ", ".join(f"{light} {count}" for light, count in lights.iter_rows())
    print(f"{progress.height} rows for {period.label} written to {args.out}: {summary}")


def _django() -> None:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saima.settings")
    django.setup()


def run_demo(args: argparse.Namespace) -> None:
    import datetime

    from django.conf import settings
    from django.core.management import call_command

    _django()
    try:
        as_of = datetime.date.fromisoformat(args.as_of) if args.as_of else None
    except ValueError:
        raise InputError(Problem(file="--as-of", message=f"{args.as_of!r} is not a date")) from None
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    call_command("migrate", verbosity=0, interactive=False)
    from django.utils import timezone

    from saima.demo import DEMO_LOGINS, DEMO_PASSWORD, load_demo

    summary = load_demo(as_of=as_of or timezone.localdate(), reset=args.reset)
    print("\n".join(summary.lines()))
    if not summary.loaded:
        print(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role in DEMO_LOGINS:
            print(f"  {username:<10} {role}")
    if args.no_serve:
        return
    from saima.jobs.worker import start_in_thread

    start_in_thread()  # the demo runs its own background jobs: nothing else to start
    print(f"Serving on http://127.0.0.1:{args.port}/ — press Ctrl+C to stop.", flush=True)
    call_command("runserver", f"127.0.0.1:{args.port}", use_reloader=False, verbosity=1)


def run_serve(args: argparse.Namespace) -> None:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saima.settings")
    os.execvp(
        sys.executable,
        [
            sys.executable,
            "-m",
            "gunicorn",
            "saima.wsgi",
            "--bind",
            args.bind,
            "--workers",
            str(args.workers),
            "--access-logfile",
            "-",
        ],
    )


#: How much `saima worker` lowers its CPU priority unless told (`--nice`, `SAIMA_WORKER_NICE`).
WORKER_NICE = 10


def worker_nice(option: int | None, environ=None) -> int:
    """The niceness increment the worker takes: the option, else `SAIMA_WORKER_NICE`, else
    `WORKER_NICE`; 0 to 19."""
    import os

    environ = os.environ if environ is None else environ
    if option is None:
        text = environ.get("SAIMA_WORKER_NICE", "").strip()
        try:
            option = int(text) if text else WORKER_NICE
        except ValueError:
            raise SystemExit(f"SAIMA_WORKER_NICE must be a whole number, not {text!r}") from None
    if not 0 <= option <= 19:
        raise SystemExit(f"the worker's niceness must be between 0 and 19, not {option}")
    return option


def lower_priority(increment: int) -> None:
    """Lower this process's CPU priority by `increment`, every thread of it: on Linux niceness is
    a thread's, and threads started before (Polars' and its allocator's, at import) keep theirs,
    while the threads started later inherit their creator's.

    Linux also shares the CPU between sessions before threads (the scheduler's autogroups): a
    worker started in a session of its own (by systemd, a supervisor, `setsid`) would otherwise
    take as much CPU as the whole session of the app servers, however nice its threads. When
    this process leads its session, the session's group is lowered as well.
    """
    import contextlib
    import os

    niceness = os.nice(increment)
    tasks = Path("/proc/self/task")
    if not tasks.is_dir():
        return
    for task in tasks.iterdir():
        # A thread may be gone meanwhile.
        with contextlib.suppress(OSError, ValueError):
            os.setpriority(os.PRIO_PROCESS, int(task.name), niceness)
    group = Path("/proc/self/autogroup")
    if os.getsid(0) == os.getpid() and group.exists():
        # Absent without CONFIG_SCHED_AUTOGROUP; refused where /proc is read-only.
        with contextlib.suppress(OSError):
            group.write_text(str(niceness))


def run_worker(args: argparse.Namespace) -> None:
    from django.core.management import call_command

    increment = worker_nice(args.nice)
    if increment:
        lower_priority(increment)
    _django()
    options = {"batch": args.batch}
    if args.worker_id:
        options["worker_id"] = args.worker_id
    if args.housekeeping is not None:
        options["housekeeping"] = args.housekeeping
    call_command("jobs_worker", **options)


def run_remind(args: argparse.Namespace) -> None:
    _management("remind", *_today(args), file="--today")


def run_escalate(args: argparse.Namespace) -> None:
    _management("escalate", *_today(args), file="--today")


def run_backup(args: argparse.Namespace) -> None:
    _management("backup", "--out", str(args.out), file=args.out.name)


def run_restore(args: argparse.Namespace) -> None:
    _management("restore", str(args.archive), file=args.archive.name)


def _today(args: argparse.Namespace) -> list[str]:
    return ["--today", args.today] if args.today else []


def _management(*arguments: str, file: str) -> None:
    """A management command whose refusal ends `saima` with exit code 2 and its message, naming
    `file` (the file or option at fault)."""
    from django.core.management import call_command
    from django.core.management.base import CommandError

    _django()
    try:
        call_command(*arguments)
    except CommandError as exc:
        raise InputError(Problem(file=file, message=str(exc))) from None


def run_manage(args: argparse.Namespace) -> None:
    import os

    from django.core.management import execute_from_command_line

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saima.settings")
    execute_from_command_line(["saima manage", *args.arguments])


def render_standings(standings: pl.DataFrame, title: str, period: str, decimals: int) -> str:
    """The standings as a plain-text table that lines up with Chinese names too."""
    header = ["group", "rank", "unit", "total", "flag", "change", "notes"]
    rows = [header] + [_standing_cells(row, decimals) for row in standings.iter_rows(named=True)]
    widths = [max(_width(r[i]) for r in rows) for i in range(len(header))]
    right = {1, 3}
    lines = [f"{title} — {period}"]
    for index, row in enumerate(rows):
        cells = [_pad(cell, widths[i], i in right) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _standing_cells(row: dict, decimals: int) -> list[str]:
    change = row["rank_change"]
    arrow = "" if change is None else ("↑" if change > 0 else "↓" if change < 0 else "=")
    notes = []
    if row["status"] != "ranked":
        notes.append(f"not ranked: {row['status']}")
    if row["veto"]:
        notes.append("veto")
    if row["progress_award"]:
        notes.append("progress award")
    if row["last_places"] and row["last_places"] > 1:
        notes.append(f"last {row['last_places']} times running")
    return [
        row["group"],
        "" if row["rank"] is None else str(row["rank"]),
        row["unit"],
        "" if row["total"] is None else f"{row['total']:.{decimals}f}",
        row["flag"],
        "" if change is None else f"{arrow}{abs(change) if change else ''}",
        "; ".join(notes),
    ]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * (width - _width(text))
    return fill + text if right else text + fill


if __name__ == "__main__":
    sys.exit(main())
