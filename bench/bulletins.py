"""Province-scale bulletin benchmark: the race bulletin of 150 units × 40 items as DOCX, PDF and
XLSX, against the time of computing the race itself.

    python bench/bulletins.py [--runs N] [--language zh-hans|en]

The inputs are the national benchmark's generator cut to a province (150 units in its race
groups, 40 indicators, January to June: the half year, so double over half is in the text). Each
format is drawn from a fresh document, so its time includes its charts. Times are reported (the
median of the runs), never asserted; the figures go to bench/results/bulletins.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saima.settings")
os.environ.setdefault("SAIMA_DATA_DIR", tempfile.mkdtemp(prefix="saima-bench-"))

import django

django.setup()

from national import make_dataset  # noqa: E402

from saima.bulletins import narrative  # noqa: E402
from saima.bulletins.documents import Document, pdf, sheets, word  # noqa: E402
from saima.bulletins.facts import RACE, Names, build_facts  # noqa: E402
from saima.bulletins.sources import names_from_rules, result_source  # noqa: E402
from saima.engine import parse_period  # noqa: E402
from saima.engine.frames import RaceInputs  # noqa: E402
from saima.engine.pipeline import compute_race  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "bulletins.json"
UNITS, ITEMS = 150, 40
TARGET_SECONDS = 3.0


#: CPU seconds of this process per step (the machine may be shared: wall time then counts the
#: others' work too).
CPU: dict[str, list[float]] = {}


def _timed(call, key: str | None = None):
    started, cpu = time.perf_counter(), time.process_time()
    value = call()
    if key is not None:
        CPU.setdefault(key, []).append(time.process_time() - cpu)
    return time.perf_counter() - started, value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--language", default="zh-hans", choices=["zh-hans", "en"])
    args = parser.parse_args(argv)
    data = make_dataset(UNITS, ITEMS, tuple(range(1, 7)), n_adjustments=30)
    period = parse_period("2026-06")
    plain = names_from_rules(data.rules, data.units)
    # Chinese unit names, so that the documents set CJK text as an office's would.
    names = Names(
        units={code: f"第{int(code[1:]) + 1}号区县" for code in plain.units},
        groups=plain.groups,
        items=plain.items,
        indicators=plain.indicators,
    )
    timings: dict[str, list[float]] = {
        k: [] for k in ("race", "facts", "text", "docx", "pdf", "xlsx")
    }
    sizes: dict[str, int] = {}
    for _run in range(args.runs):
        seconds, result = _timed(
            lambda: compute_race(
                data.rules,
                period,
                RaceInputs(
                    targets=data.targets,
                    actuals=data.actuals,
                    units=data.units,
                    adjustments=data.adjustments,
                ),
            ),
            "race",
        )
        timings["race"].append(seconds)
        source = result_source(
            kind=RACE,
            race="省级重点工作赛马",
            rules=data.rules,
            period=period,
            result=result,
            targets=data.targets,
            actuals=data.actuals,
            names=names,
        )
        seconds, facts = _timed(lambda source=source: build_facts(source), "facts")
        timings["facts"].append(seconds)
        seconds, paragraphs = _timed(
            lambda facts=facts: narrative.write(facts, args.language), "text"
        )
        timings["text"].append(seconds)
        for fmt, render in (("docx", word.render), ("pdf", pdf.render), ("xlsx", sheets.render)):
            document = Document(
                language=args.language,
                facts=facts,
                paragraphs=[p.to_json() for p in paragraphs],
                title=narrative.document_title(facts, args.language),
                office="省重点工作推进办公室",
                prefix="省重办发",
                year=2026,
                number=12,
                recipients="各市人民政府",
            )
            seconds, body = _timed(lambda document=document, render=render: render(document), fmt)
            timings[fmt].append(seconds)
            sizes[fmt] = len(body)
    medians = {key: statistics.median(values) for key, values in timings.items()}
    cpu = {key: statistics.median(values) for key, values in CPU.items()}
    race = medians["race"]
    report = {
        "units": UNITS,
        "items": ITEMS,
        "period": period.label,
        "runs": args.runs,
        "language": args.language,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "median_seconds": {k: round(v, 3) for k, v in medians.items()},
        "median_cpu_seconds": {k: round(v, 3) for k, v in cpu.items()},
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "times_the_race": {
            fmt: round((medians["facts"] + medians["text"] + medians[fmt]) / race, 1)
            for fmt in ("docx", "pdf", "xlsx")
        },
        "bytes": sizes,
        "target": f"each format under {TARGET_SECONDS:g} s (facts + text + drawing)",
    }
    print(
        f"Bulletin of a province: {UNITS} units × {ITEMS} items, {period.label}, {args.runs} runs"
    )
    print(f"  race computed        {race:6.3f} s")
    print(f"  facts (digests)      {medians['facts']:6.3f} s")
    print(f"  text (both kinds)    {medians['text']:6.3f} s")
    for fmt in ("docx", "pdf", "xlsx"):
        whole = medians["facts"] + medians["text"] + medians[fmt]
        mark = "ok" if whole < TARGET_SECONDS else "OVER"
        cpu_whole = cpu["facts"] + cpu["text"] + cpu[fmt]
        print(
            f"  {fmt:<5} drawn {medians[fmt]:6.3f} s; with facts and text {whole:6.3f} s "
            f"(CPU {cpu_whole:6.3f} s; {whole / race:5.1f}× the race; "
            f"{sizes[fmt] / 1024:5.0f} KiB) {mark}"
        )
    print(f"  load average during the run: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"figures written to bench/results/{RESULTS.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
