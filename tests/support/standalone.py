"""Helpers of the tests that start scripts/airflow-standalone.sh (`make airflow`) for real: a free
port, JSON from the REST API, waiting with the script's output on failure, and killing the
process groups Airflow forks (tests/dags/test_make_airflow.py, tests/ui/)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import psutil
import pytest
from sqlalchemy.engine import URL

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "airflow-standalone.sh"
T = TypeVar("T")


@dataclass(frozen=True)
class Served:
    """A running script: its UI's URL, its output, the BUNDLE copy it serves (with ``broken_spec``,
    a spec that does not validate, when there is one) and the demo's PostgreSQL server."""

    base: str
    log: Path
    bundle: Path
    server_url: URL
    broken_spec: Path | None = None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url: str) -> Any:
    """The JSON answer of a GET, or None when the server does not answer (yet)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.load(response)
    except OSError:
        return None


def send_json(method: str, url: str, body: Any) -> Any:
    """The JSON answer of a POST / PATCH with a JSON body (errors raise)."""
    request = urllib.request.Request(
        url, method=method, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def wait_for(probe: Callable[[], T | None], seconds: float, what: str, log: Path, every: float = 1) -> T:
    """The first non-None answer of ``probe``; fails naming ``what`` with the script's output tail."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if (found := probe()) is not None:
            return found
        time.sleep(every)
    pytest.fail(f"{what} not within {seconds:.0f}s; script output:\n{log.read_text(errors='replace')[-4000:]}")


def group_members(pgids: set[int]) -> list[psutil.Process]:
    members = []
    for proc in psutil.process_iter():
        try:
            if os.getpgid(proc.pid) in pgids:
                members.append(proc)
        except (ProcessLookupError, psutil.Error):
            continue
    return members


def kill_groups(pgids: set[int]) -> None:
    for pgid in pgids:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)


def descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def script_env(**settings: str) -> dict[str, str]:
    """The environment of the script: the suite's Airflow settings and connections left out, so
    that only the script's own (and ``settings``: AIRFLOW_HOME, AIRFLOW_PORT, DEMO_DIR, BUNDLE...) apply."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW__", "AIRFLOW_CONN_"))}
    return env | settings


def start_script(env: Mapping[str, str], log: Path) -> subprocess.Popen:
    """scripts/airflow-standalone.sh in a new session (its pid is its process group), output to ``log``."""
    with log.open("wb") as out:
        return subprocess.Popen(
            ["bash", str(SCRIPT)], env=dict(env), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop_script(proc: subprocess.Popen, pgids: set[int] = frozenset()) -> None:
    """Kill the script's process group, every group its descendants made, and ``pgids``."""
    groups = set(pgids) | {proc.pid}
    for child in descendants(proc.pid):
        with contextlib.suppress(ProcessLookupError, psutil.Error):
            groups.add(os.getpgid(child.pid))
    kill_groups(groups)
    proc.wait(timeout=30)
