"""The CeleryExecutor shape as real processes on this machine (tests/dags/test_celery_distributed.py).

:class:`CeleryCluster` starts ``airflow scheduler``, ``airflow dag-processor``, ``airflow api-server``
and two ``airflow celery worker`` processes, each in its own process group, on one PostgreSQL
metadata database (also the Celery result backend) and a Redis broker database, serving a bundle
folder through :class:`airflow_provider_nomasx1.dagspec.bundle.Nomasx1DagBundle`. Its methods call the
REST API v2 (the simple auth manager, every visitor admin) and the ``airflow`` CLI on the same
metadata database; :meth:`CeleryCluster.stop` stops every group (TERM, then KILL) and returns the
processes still alive (none, when all went well).

Each worker reports its own host name (``worker1@<host>``, ``worker2@<host>``) as the task
instances' ``hostname``: Airflow records ``[core] hostname_callable``, not the Celery node name, so
each worker runs with :func:`worker_hostname` as that callable, the way two machines would differ.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import psutil

#: the worker's host name, read by :func:`worker_hostname` (``[core] hostname_callable`` of the workers)
HOSTNAME_ENV = "NOMASX1_TEST_WORKER_HOSTNAME"
WORKERS = ("worker1", "worker2")
TESTS_DIR = Path(__file__).resolve().parents[1]
BUNDLE_CLASS = "airflow_provider_nomasx1.dagspec.bundle.Nomasx1DagBundle"

T = TypeVar("T")


def worker_hostname() -> str:
    """``[core] hostname_callable`` of a test worker: the name its environment gives it."""
    return os.environ.get(HOSTNAME_ENV) or socket.getfqdn()


def redis_ping(host: str = "127.0.0.1", port: int = 6379, timeout: float = 2.0) -> bool:
    """Whether a Redis server answers PING there."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def flush_redis_db(url: str) -> None:
    """Empty one Redis database (the broker's queues of an earlier, killed run)."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(probe: Callable[[], T | None], seconds: float, what: str, interval: float = 1.0) -> T:
    """The first non-None value of ``probe``; TimeoutError naming ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        found = probe()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not within {seconds:.0f}s")
        time.sleep(interval)


def airflow_env(
    home: Path,
    metadata_url: str,
    broker_url: str,
    bundle: Path,
    port: int,
    connections: dict[str, str],
    parallelism: int,
) -> dict[str, str]:
    """The environment every process of the cluster shares (secrets shared as on several hosts)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW__", "AIRFLOW_CONN_"))}
    bin_dir = str(Path(sys.executable).parent)
    env |= {
        "PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__CORE__PARALLELISM": str(parallelism),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url,
        "AIRFLOW__CELERY__BROKER_URL": broker_url,
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{metadata_url}",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__SECRET_KEY": "nomasx1-celery-test-secret",
        "AIRFLOW__API_AUTH__JWT_SECRET": "nomasx1-celery-test-jwt-secret",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
        "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.5",
        "AIRFLOW__SCHEDULER__JOB_HEARTBEAT_SEC": "2",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "5",
        "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST": json.dumps(
            [{"name": "nomasx1", "classpath": BUNDLE_CLASS, "kwargs": {"path": str(bundle)}}]
        ),
    }
    return env | connections


@dataclass
class CeleryCluster:
    """The processes of one Airflow deployment with the CeleryExecutor (see the module doc)."""

    env: dict[str, str]
    log_dir: Path
    concurrency: int = 2
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.env['AIRFLOW__API__PORT']}"

    @property
    def worker_hosts(self) -> dict[str, str]:
        """Worker name -> the host name it records on its task instances."""
        host = socket.gethostname()
        return {name: f"{name}@{host}" for name in WORKERS}

    # --- the processes ---------------------------------------------------------------------------

    def airflow(self, *args: str, timeout: float = 300, check: bool = True) -> subprocess.CompletedProcess[str]:
        """``airflow ARGS`` on the cluster's metadata database, as a subprocess."""
        done = subprocess.run(
            ["airflow", *args], env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )
        if check and done.returncode:
            raise RuntimeError(f"airflow {' '.join(args)} exited {done.returncode}:\n{done.stderr[-4000:]}")
        return done

    def _start(self, name: str, args: list[str], env: dict[str, str] | None = None) -> None:
        with (self.log_dir / f"{name}.log").open("ab") as out:
            self.procs[name] = subprocess.Popen(
                ["airflow", *args],
                env=env or self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped with everything it forks
            )

    def start(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._start("api-server", ["api-server", "--port", self.env["AIRFLOW__API__PORT"], "--workers", "1"])
        self._start("scheduler", ["scheduler", "--skip-serve-logs"])
        self._start("dag-processor", ["dag-processor"])
        for name, host in self.worker_hosts.items():
            worker_env = self.env | {
                HOSTNAME_ENV: host,
                "AIRFLOW__CORE__HOSTNAME_CALLABLE": "support.celery_cluster.worker_hostname",
                "PYTHONPATH": os.pathsep.join(filter(None, [str(TESTS_DIR), self.env.get("PYTHONPATH")])),
            }
            args = ["celery", "worker", "--celery-hostname", f"{name}@%h", "--concurrency", str(self.concurrency)]
            self._start(name, [*args, "--skip-serve-logs", "--without-gossip", "--without-mingle"], worker_env)

    def check_alive(self) -> None:
        """RuntimeError with the log's tail when one of the processes has exited."""
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited {proc.returncode}:\n{self.log_tail(name)}")

    def log_tail(self, name: str, chars: int = 3000) -> str:
        path = self.log_dir / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else "(no log)"

    def members(self) -> list[psutil.Process]:
        """Every live process of the cluster's process groups."""
        groups = {proc.pid for proc in self.procs.values()}
        found = []
        for proc in psutil.process_iter():
            try:
                if os.getpgid(proc.pid) in groups and proc.status() != psutil.STATUS_ZOMBIE:
                    found.append(proc)
            except (ProcessLookupError, psutil.Error):
                continue
        return found

    def stop(self, grace_s: float = 20) -> list[str]:
        """TERM every process group, KILL what is left after ``grace_s``; the command lines still alive."""
        for proc in self.procs.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        while self.members() and time.monotonic() < deadline:
            time.sleep(0.5)
        for proc in self.procs.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        for proc in self.procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
        _, alive = psutil.wait_procs(self.members(), timeout=5)
        return [" ".join(p.cmdline()) for p in alive]

    # --- the REST API v2 -------------------------------------------------------------------------

    def api(self, method: str, path: str, body: Any = None, timeout: float = 30) -> Any:
        """JSON of ``METHOD /api/v2/PATH``; RuntimeError with the answer on an HTTP error."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.base}/api/v2/{path.lstrip('/')}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                text = response.read()
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"{method} {path}: HTTP {exc.code} {exc.read()[:2000]!r}") from exc
        return json.loads(text) if text else None

    def healthy(self) -> dict | None:
        try:
            return self.api("GET", "monitor/health", timeout=5)
        except (OSError, RuntimeError):
            return None

    def workers_ready(self) -> list[str] | None:
        """The workers whose log says they are ready to take tasks (None until both do)."""
        ready = [name for name in WORKERS if " ready." in self.log_tail(name, chars=200_000)]
        return ready if len(ready) == len(WORKERS) else None

    def dag(self, dag_id: str) -> dict | None:
        try:
            return self.api("GET", f"dags/{dag_id}", timeout=10)
        except (OSError, RuntimeError):
            return None

    def unpause(self, dag_id: str) -> dict:
        return self.api("PATCH", f"dags/{dag_id}", {"is_paused": False})

    def trigger(self, dag_id: str, conf: dict[str, Any], run_id: str) -> dict:
        body: dict[str, Any] = {"dag_run_id": run_id, "logical_date": None, "conf": conf}
        return self.api("POST", f"dags/{dag_id}/dagRuns", body)

    def run(self, dag_id: str, run_id: str) -> dict:
        return self.api("GET", f"dags/{dag_id}/dagRuns/{run_id}")

    def wait_finished(self, dag_id: str, run_ids: list[str], seconds: float) -> dict[str, dict]:
        """Each run once it is success or failed (TimeoutError after ``seconds``)."""

        def probe() -> dict[str, dict] | None:
            self.check_alive()
            runs = {run_id: self.run(dag_id, run_id) for run_id in run_ids}
            return runs if all(r["state"] in ("success", "failed") for r in runs.values()) else None

        return wait_for(probe, seconds, f"runs {run_ids} of {dag_id}", interval=2)

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        return self.api("GET", f"dags/{dag_id}/dagRuns/{run_id}/taskInstances?limit=100")["task_instances"]

    def task_log(self, dag_id: str, run_id: str, task_id: str, try_number: int = 1) -> str:
        """The task's log as text (the structured lines' events and messages)."""
        found = self.api("GET", f"dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/logs/{try_number}")
        content = found.get("content") if isinstance(found, dict) else found
        if isinstance(content, list):
            return "\n".join(json.dumps(line) if isinstance(line, dict) else str(line) for line in content)
        return str(content)
