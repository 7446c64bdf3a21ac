"""Real processes for the tests of several servers and workers: the demo city loaded into a
database of its own, `saima serve` (gunicorn) and `saima worker` as subprocesses, and a client
that talks to them on the loopback only. Everything started here is stopped by the caller's
`Processes.stop()`, and every wait is bounded."""

from __future__ import annotations

import contextlib
import datetime
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def base_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "SAIMA_JOBS_INLINE")
    }
    src = str(Path(__file__).resolve().parents[3])
    env.update(
        PYTHONPATH=os.pathsep.join([src, env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        DJANGO_SETTINGS_MODULE="saima.settings",
        SAIMA_DATA_DIR=str(data_dir),
        SAIMA_LANGUAGE="en",
    )
    env.update(extra)
    return env


def saima(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    """Run `saima ARGS` to its end; its output (fails the test on a non-zero exit)."""
    done = subprocess.run(
        [sys.executable, "-m", "saima.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"saima {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def shell(env: dict[str, str], code: str, timeout: float = 120) -> str:
    return saima(env, "manage", "shell", "--no-imports", "-c", code, timeout=timeout)


def load_demo(env: dict[str, str]) -> str:
    """The demo city and an API token of the office; returns the token."""
    saima(env, "demo", "--no-serve", timeout=600)
    return shell(
        env,
        "from django.contrib.auth import get_user_model\n"
        "from saima.org.services import api_token_create\n"
        "user = get_user_model().objects.get(username='office')\n"
        "print(api_token_create(user=user, name='servers test')[1])",
    ).strip()


def figures_period(today: datetime.date | None = None) -> str:
    """The month before this one: open for figures, with none in the demo yet."""
    today = today or datetime.date.today()
    first = today.replace(day=1) - datetime.timedelta(days=1)
    return f"{first.year}-{first.month:02d}"


@dataclass
class Processes:
    started: list[subprocess.Popen] = field(default_factory=list)

    def serve(self, env: dict[str, str], log: Path, workers: int = 2) -> int:
        port = free_port()
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "saima.cli",
                "serve",
                "--bind",
                f"{HOST}:{port}",
                "--workers",
                str(workers),
            ],
            env=env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started.append(process)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"the server stopped: {log.read_text()[-2000:]}")
            with contextlib.suppress(OSError):
                status, _, _ = request(port, "GET", "/login/")
                if status == 200:
                    return port
            time.sleep(0.3)
        raise AssertionError("the server did not answer in time")

    def worker(self, env: dict[str, str], log: Path, name: str, *args: str) -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, "-m", "saima.cli", "worker", "--worker-id", name, *args],
            env=env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL: no clean shutdown, as when a machine dies."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop(self) -> None:
        for process in self.started:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill(process)


def request(
    port: int,
    method: str,
    path: str,
    body: dict | None = None,
    token: str | None = None,
    timeout: float = 60,
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    headers = {"Host": "localhost"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def write_figure(
    port: int, token: str, unit: str, indicator: str, period: str, value: str, timeout=120
):
    return request(
        port,
        "POST",
        "/api/reporting/figures",
        {"rows": [{"unit": unit, "indicator": indicator, "period": period, "value": value}]},
        token,
        timeout=timeout,
    )


def history_values(port: int, token: str, unit: str, indicator: str, period: str) -> list[str]:
    status, _, body = request(
        port, "GET", f"/api/observations/{unit}/{indicator}/{period}/history", token=token
    )
    assert status == 200, body[:500]
    return [row["value"] for row in json.loads(body)]
