"""`make airflow` after `make demo`: the demo's connections and databases served, and a clean stop.

The standalone run is real (scripts/airflow-standalone.sh on a free port, a throwaway home seeded
with the suite's migrated metadata database); the demo's state is what ``run_demo`` leaves behind,
written by :func:`runner.save_state` for the test server instead of running every job again.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from airflow_provider_nomasx1.demo import runner
from airflow_provider_nomasx1.demo.embedded_pg import EmbeddedPostgres

pytestmark = pytest.mark.airflow
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "airflow-standalone.sh"
DEMO_CONNECTIONS = {"default", "jdedwards", "nomasx1", "nomajde"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> dict | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.load(response)
    except OSError:
        return None


def _wait_for(probe, seconds: float, what: str, log: Path):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if (found := probe()) is not None:
            return found
        time.sleep(1)
    pytest.fail(f"{what} not within {seconds:.0f}s; script output:\n{log.read_text(errors='replace')[-4000:]}")


def _group_members(pgids: set[int]) -> list[psutil.Process]:
    members = []
    for proc in psutil.process_iter():
        try:
            if os.getpgid(proc.pid) in pgids:
                members.append(proc)
        except (ProcessLookupError, psutil.Error):
            continue
    return members


def _kill_groups(pgids: set[int]) -> None:
    for pgid in pgids:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)


@pytest.fixture
def demo_dir(tmp_path: Path, pg_server: URL) -> Path:
    """The demo's work folder as `make demo --pg-url` leaves it, for the test server."""
    folder = tmp_path / "demo"
    folder.mkdir()
    runner.save_state(folder, pg_server, None)
    return folder


@pytest.fixture
def standalone(tmp_path: Path, demo_dir: Path, airflow_db: str, bundle_copy) -> Iterator[dict]:
    """scripts/airflow-standalone.sh on a free port, pointed at a bundle copy; its process groups killed at the end."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(Path(airflow_db) / "airflow.db", home / "airflow.db")  # migrated already: seconds, not a minute
    bundle = bundle_copy(tmp_path)
    (bundle / "jobs" / "nomasx1-export-reference.yaml").unlink()  # proves BUNDLE is served
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW__", "AIRFLOW_CONN_"))}
    env |= {"AIRFLOW_HOME": str(home), "AIRFLOW_PORT": str(port), "DEMO_DIR": str(demo_dir), "BUNDLE": str(bundle)}
    log = tmp_path / "standalone.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            ["bash", str(SCRIPT)], env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    pgids = {proc.pid}
    try:
        yield {"proc": proc, "base": f"http://127.0.0.1:{port}", "log": log, "pgids": pgids}
    finally:
        _kill_groups(pgids | {os.getpgid(p.pid) for p in _descendants(proc.pid)})
        proc.wait(timeout=30)


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _bundle_dag_ids(base: str) -> set[str] | None:
    """The DAGs of the ``nomasx1`` bundle (the copied metadata may hold other tests' DAGs)."""
    found = _get(f"{base}/api/v2/dags?limit=100")
    return {d["dag_id"] for d in found["dags"] if d["bundle_name"] == "nomasx1"} or None if found else None


def test_make_airflow_serves_the_demo_and_stops_every_process(standalone: dict) -> None:
    base, log, proc = standalone["base"], standalone["log"], standalone["proc"]
    _wait_for(lambda: _get(f"{base}/api/v2/monitor/health"), 80, "the api-server's health", log)
    connections = _get(f"{base}/api/v2/connections?limit=100")
    assert connections is not None
    assert DEMO_CONNECTIONS <= {c["connection_id"] for c in connections["connections"]}
    dags = _wait_for(lambda: _bundle_dag_ids(base), 40, "the bundle's DAGs", log)
    assert "nomasx1-refresh-views" in dags
    assert "nomasx1-export-reference" not in dags  # the BUNDLE copy, not the installed bundle
    text = log.read_text()
    assert f"UI: {base}" in text
    assert "Login: none needed" in text

    members = _descendants(proc.pid)
    pgids = {os.getpgid(p.pid) for p in members} | {proc.pid}
    standalone["pgids"] |= pgids
    workers = [p for p in members if "LocalExecutor" in " ".join(p.cmdline())]
    assert 0 < len(workers) <= max(2, os.cpu_count() or 2)  # parallelism from nproc, not 32
    os.kill(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)
    _, alive = psutil.wait_procs(_group_members(pgids), timeout=5)
    assert not alive, [p.cmdline() for p in alive]


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A work folder the embedded server's user can traverse when the tests run as root (tmp_path is 0700)."""
    folder = Path(tempfile.mkdtemp(prefix="nomasx1-demo-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_resume_starts_the_demos_embedded_server_again(open_dir: Path) -> None:
    tmp_path, data_dir = open_dir, open_dir / "pg" / "data"
    server = EmbeddedPostgres.in_folder(data_dir)
    runner.save_state(tmp_path, sa.engine.make_url(server.url()), data_dir)
    server.stop()
    try:
        connections, started = runner.resume(tmp_path)
        assert started
        port = EmbeddedPostgres.running_port(data_dir)
        fields = json.loads(connections.read_text())
        assert set(fields) == DEMO_CONNECTIONS
        assert {f["port"] for f in fields.values()} == {port}
        engine = sa.create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres")
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT 1")).scalar() == 1
        engine.dispose()
        assert runner.resume(tmp_path)[1] is False  # already running: left alone
    finally:
        runner.stop(tmp_path)
    assert EmbeddedPostgres.running_port(data_dir) is None
