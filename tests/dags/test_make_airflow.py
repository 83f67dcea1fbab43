"""`make airflow` after `make demo`: the demo's connections and databases served, and a clean stop.

The standalone run is real (scripts/airflow-standalone.sh on a free port, a throwaway home seeded
with the suite's migrated metadata database); the demo's state is what ``run_demo`` leaves behind,
written by :func:`runner.save_state` for the test server instead of running every job again.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL
from support.standalone import SCRIPT
from support.standalone import descendants as _descendants
from support.standalone import free_port as _free_port
from support.standalone import get_json as _get
from support.standalone import group_members as _group_members
from support.standalone import kill_groups as _kill_groups
from support.standalone import wait_for as _wait_for

from airflow_provider_nomasx1.demo import runner
from airflow_provider_nomasx1.demo.embedded_pg import EmbeddedPostgres

pytestmark = pytest.mark.airflow
DEMO_CONNECTIONS = {"default", "jdedwards", "nomasx1", "nomajde", "oracle-target"}


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
    workers = [p for p in members if _is_local_executor_worker(p)]
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


def _is_local_executor_worker(process: psutil.Process) -> bool:
    """A LocalExecutor worker; one that exited meanwhile (a zombie, gone) is none."""
    try:
        return "LocalExecutor" in " ".join(process.cmdline())
    except psutil.Error:
        return False
