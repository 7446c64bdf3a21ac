"""Web benchmark: the pages and the progress API served by gunicorn, under concurrent load.

    python bench/web.py [--quick] [--clients 16] [--requests 800] [--keep-database]

For each data set (the demo city, then the province-scale set of 150 units × 40 indicators) it
creates a fresh PostgreSQL database (`saima_bench` on 127.0.0.1:5432, user postgres; override
with SAIMA_BENCH_POSTGRES_URL), migrates it, loads the data as of today, starts gunicorn on a free
loopback port (2 sync workers) with `bench/` on the Python path and `bench_settings` (the product's
settings plus a `/bench/minimal/` view behind the same middleware), signs in as `office` through
the login form, and measures, with N concurrent keep-alive clients and a fixed number of requests
after a warm-up:

- `/bench/minimal/`: the baseline (sessions, auth, locale, CSRF middleware; no page work);
- the overview `/`, a unit page `/units/<code>/`, and `/api/progress?period=<latest>`;
- on the city, the latest published race result and one unit's explanation.

It prints p50, p99, throughput and the ratio of p99 to the minimal view's p99, writes the figures
to `bench/results/web.json`, and says whether the issue's target is met. It only talks to
127.0.0.1, stops by itself, always stops gunicorn and drops the database at the end. Times are
reported, never asserted; the exit code is non-zero only if a request failed.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import math
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results" / "web.json"
HOST = "127.0.0.1"
DATABASE = "saima_bench"
ADMIN_URL = os.environ.get("SAIMA_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/")
SCALES = ("city", "province")
TARGET_P99_MS = 150.0
TARGET_RATIO = 4.0
TARGET = (
    f"overview p99 under {TARGET_P99_MS:.0f} ms at 16 concurrent clients for the "
    f"province-scale set, within {TARGET_RATIO:.0f}x of the minimal view"
)
START_TIMEOUT_S = 60.0
REQUEST_TIMEOUT_S = 60.0


# --- Database and data (the data is loaded in a child process: this one never imports Django) ---


def database_url(name: str = DATABASE) -> str:
    return urlsplit(ADMIN_URL)._replace(path=f"/{name}").geturl()


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')


def drop_database() -> None:
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def server_env(data_dir: str) -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(BENCH), os.environ.get("PYTHONPATH", "")) if p)
    return {
        **os.environ,
        "PYTHONPATH": path,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "DATABASE_URL": database_url(),
        "SAIMA_MODE": "demo",
        "SAIMA_DATA_DIR": data_dir,
        "DEBUG": "false",
        "SAIMA_LOG_LEVEL": "WARNING",
    }


def prepare(scale: str) -> None:
    """In the child process: migrate, load the data set, print what the benchmark needs."""
    import django

    django.setup()
    from django.core.management import call_command

    from saima.demo import REPORTER_UNIT, load_demo
    from saima.org.models import Unit

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    summary = load_demo(as_of=datetime.date.today(), scale=scale)
    from saima.races.models import Publication

    codes = set(Unit.objects.filter(race_group__isnull=False).values_list("code", flat=True))
    unit = REPORTER_UNIT if REPORTER_UNIT in codes else sorted(codes)[0]
    race = Publication.objects.select_related("race").order_by("-period", "-version").first()
    print(
        json.dumps(
            {
                "scale": scale,
                "units": summary.units,
                "indicators": summary.indicators,
                "targets": summary.targets,
                "observations": summary.observations,
                "latest_period": summary.latest_period,
                "unit": unit,
                "race": [race.race.code, race.period] if race else None,
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
    )


def load(scale: str, env: dict[str, str]) -> dict:
    recreate_database()
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--prepare", scale],
        env=env,
        cwd=str(BENCH),
        capture_output=True,
        text=True,
        timeout=900,
    )
    if done.returncode != 0:
        sys.exit(f"loading the {scale} data set failed:\n{done.stderr}")
    import psycopg

    # Fresh statistics now, so that autovacuum does not compete with the measurement.
    with psycopg.connect(database_url(), autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- gunicorn ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_gunicorn(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "saima.wsgi",
        "--workers",
        "2",
        "--threads",
        "1",
        "--bind",
        f"{HOST}:{port}",
        "--backlog",
        "256",
        "--timeout",
        "120",
    ]
    with log.open("wb") as out:
        server = subprocess.Popen(
            command, env=env, cwd=str(BENCH), stdout=out, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}:\n{log.read_text()}")
        try:
            status, _headers, _body = request(port, "GET", "/login/")
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    stop_gunicorn(server)
    raise RuntimeError(f"gunicorn did not answer in {START_TIMEOUT_S:.0f} s:\n{log.read_text()}")


def stop_gunicorn(server: subprocess.Popen) -> None:
    """Stop the arbiter (it stops its workers); kill it if it will not go."""
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


# --- HTTP ----------------------------------------------------------------------------------------


def request(
    port: int, method: str, path: str, headers: dict | None = None, body: bytes | None = None
) -> tuple[int, http.client.HTTPMessage, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def _cookies(headers: http.client.HTTPMessage) -> dict[str, str]:
    found = {}
    for line in headers.get_all("Set-Cookie") or []:
        name, _, rest = line.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


def sign_in(port: int, username: str, password: str) -> str:
    """The Cookie header of a session signed in through the login form."""
    status, headers, body = request(port, "GET", "/login/")
    cookies = _cookies(headers)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or "csrftoken" not in cookies or token is None:
        raise RuntimeError(f"the login page gave no CSRF token (status {status})")
    form = urlencode(
        {
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": token.group(1).decode(),
        }
    ).encode()
    status, headers, _ = request(
        port,
        "POST",
        "/login/",
        headers={
            "Cookie": f"csrftoken={cookies['csrftoken']}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://{HOST}:{port}/login/",
        },
        body=form,
    )
    cookies |= _cookies(headers)
    if status != 302 or "sessionid" not in cookies:
        raise RuntimeError(f"signing in as {username} failed (status {status})")
    return f"csrftoken={cookies['csrftoken']}; sessionid={cookies['sessionid']}"


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0


class Client(threading.Thread):
    """One client: a keep-alive connection (reopened when the server closes it)."""

    def __init__(self, port: int, path: str, cookie: str, budget: Budget, run: Run):
        super().__init__(daemon=True)
        self.port, self.path, self.cookie, self.budget, self.run_ = port, path, cookie, budget, run
        self.connection: http.client.HTTPConnection | None = None

    def run(self) -> None:
        headers = {"Cookie": self.cookie, "Accept-Language": "en"}
        try:
            while self.budget.take():
                if self.connection is None:
                    self.connection = http.client.HTTPConnection(
                        HOST, self.port, timeout=REQUEST_TIMEOUT_S
                    )
                started = time.perf_counter()
                try:
                    self.connection.request("GET", self.path, headers=headers)
                    response = self.connection.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException) as exc:
                    self.run_.failures.append(f"{type(exc).__name__}: {exc}")
                    self.connection.close()
                    self.connection = None
                    continue
                elapsed = time.perf_counter() - started
                if response.status != 200:
                    self.run_.failures.append(f"status {response.status}")
                else:
                    self.run_.latencies.append(elapsed)
                if response.will_close:
                    self.connection.close()
                    self.connection = None
        finally:
            if self.connection is not None:
                self.connection.close()


class Budget:
    """A fixed number of requests shared by the clients."""

    def __init__(self, total: int):
        self.left = total
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.left <= 0:
                return False
            self.left -= 1
            return True


def hammer(port: int, path: str, cookie: str, clients: int, total: int) -> Run:
    run = Run()
    budget = Budget(total)
    threads = [Client(port, path, cookie, budget, run) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=REQUEST_TIMEOUT_S * total)
    run.seconds = time.perf_counter() - started
    return run


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(share * len(ordered) - 1e-9)))
    return ordered[rank - 1]


def measure(port: int, name: str, path: str, cookie: str, args: argparse.Namespace) -> dict:
    hammer(port, path, cookie, args.clients, args.warmup)
    run = hammer(port, path, cookie, args.clients, args.requests)
    result = {"page": name, "path": path, "requests": args.requests, "failures": run.failures[:5]}
    result["failed"] = len(run.failures)
    if run.latencies:
        result |= {
            "p50_ms": round(percentile(run.latencies, 0.50) * 1000, 2),
            "p99_ms": round(percentile(run.latencies, 0.99) * 1000, 2),
            "mean_ms": round(statistics.fmean(run.latencies) * 1000, 2),
            "max_ms": round(max(run.latencies) * 1000, 2),
            "req_per_s": round(len(run.latencies) / run.seconds, 1),
        }
    return result


# --- The run -------------------------------------------------------------------------------------


def bench_scale(scale: str, args: argparse.Namespace) -> dict:
    with tempfile.TemporaryDirectory(prefix="saima-bench-") as data_dir:
        (Path(data_dir) / "static").mkdir()
        env = server_env(data_dir)
        print(f"\n== {scale}: loading into {DATABASE} ...", flush=True)
        data = load(scale, env)
        print(
            f"   {data['units']} units × {data['indicators']} indicators, "
            f"{data['observations']} figures, latest {data['latest_period']} "
            f"(loaded in {data['seconds']} s)",
            flush=True,
        )
        port = free_port()
        server = start_gunicorn(env, port, Path(data_dir) / "gunicorn.log")
        try:
            from saima.demo import DEMO_PASSWORD

            cookie = sign_in(port, "office", DEMO_PASSWORD)
            period = data["latest_period"]
            pages = [
                ("minimal", "/bench/minimal/"),
                ("overview", f"/?period={period}"),
                ("unit", f"/units/{data['unit']}/?period={period}"),
                ("api progress", f"/api/progress?period={period}"),
            ]
            if data.get("race"):  # the demo city publishes its race; the province has none
                code, race_period = data["race"]
                pages += [
                    ("race result", f"/races/{code}/{race_period}/"),
                    ("explanation", f"/races/{code}/{race_period}/units/{data['unit']}/"),
                ]
            results = []
            for name, path in pages:
                print(f"   {name:<13} {path} ...", end=" ", flush=True)
                result = measure(port, name, path, cookie, args)
                results.append(result)
                print(
                    f"p50 {result.get('p50_ms', '-')} ms, p99 {result.get('p99_ms', '-')} ms, "
                    f"{result.get('req_per_s', '-')} req/s, {result['failed']} failed",
                    flush=True,
                )
        finally:
            stop_gunicorn(server)
    baseline = results[0].get("p99_ms")
    for result in results:
        if baseline and "p99_ms" in result:
            result["p99_ratio"] = round(result["p99_ms"] / baseline, 2)
    return {"data": data, "results": results}


def _table(report: dict) -> None:
    print(f"\n{report['clients']} concurrent clients, {report['requests']} requests per page")
    header = f"{'data set':<9} {'page':<13} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8} {'p99/min':>8}"
    print(header)
    print("-" * len(header))
    for scale, found in report["scales"].items():
        for r in found["results"]:
            print(
                f"{scale:<9} {r['page']:<13} {r.get('p50_ms', 0):>8.1f} {r.get('p99_ms', 0):>8.1f} "
                f"{r.get('req_per_s', 0):>8.1f} {r.get('p99_ratio', 0):>7.2f}x"
                + (f"  ({r['failed']} failed)" if r["failed"] else "")
            )


def _verdict(report: dict) -> dict:
    found = report["scales"].get("province")
    if not found:
        return {"target": TARGET, "measured": False}
    overview = next(r for r in found["results"] if r["page"] == "overview")
    p99, ratio = overview.get("p99_ms"), overview.get("p99_ratio")
    time_met = p99 is not None and p99 < TARGET_P99_MS
    ratio_met = ratio is not None and ratio <= TARGET_RATIO
    return {
        "target": TARGET,
        "measured": report["clients"] == 16,
        "overview_p99_ms": p99,
        "overview_p99_ratio": ratio,
        "p99_met": time_met,
        "ratio_met": ratio_met,
        "met": time_met and ratio_met,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 requests per page, not 800")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=None)
    parser.add_argument("--scale", choices=SCALES, action="append", help="default: both")
    parser.add_argument("--keep-database", action="store_true", help="do not drop it at the end")
    parser.add_argument("--prepare", choices=SCALES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prepare:
        prepare(args.prepare)
        return 0
    args.requests = args.requests or (200 if args.quick else 800)
    args.warmup = max(args.clients * 2, args.requests // 10)
    sys.path.insert(0, str(ROOT / "src"))
    report = {
        "when": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "server": "gunicorn, 2 sync workers, 1 thread each, PostgreSQL on 127.0.0.1",
        "clients": args.clients,
        "requests": args.requests,
        "warmup": args.warmup,
        "scales": {},
    }
    try:
        for scale in args.scale or SCALES:
            report["scales"][scale] = bench_scale(scale, args)
    finally:
        if not args.keep_database:
            drop_database()
    report["verdict"] = _verdict(report)
    _table(report)
    verdict = report["verdict"]
    print(f"\nTarget: {TARGET}")
    if verdict.get("overview_p99_ms") is not None:
        print(
            f"  province overview p99 {verdict['overview_p99_ms']:.1f} ms "
            f"({'met' if verdict['p99_met'] else 'NOT met'}), "
            f"{verdict['overview_p99_ratio']:.2f}x the minimal view "
            f"({'met' if verdict['ratio_met'] else 'NOT met'})"
            + ("" if verdict["measured"] else f" (at {args.clients} clients, not 16)")
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"figures written to {RESULTS}")
    failed = sum(r["failed"] for s in report["scales"].values() for r in s["results"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
