"""Helpers shared by the test suite, the demo and the benchmarks: throwaway PostgreSQL databases.

`NOMASX1_TEST_PG_URL` names a server to use (any database on it; trust or password auth);
without it an embedded server is started. Each caller gets a fresh database and drops it after.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from airflow_provider_nomasx1.pg import admin as pg_admin
from airflow_provider_nomasx1.pg.admin import normalise_url

ENV_PG_URL = "NOMASX1_TEST_PG_URL"


@contextlib.contextmanager
def postgres_server() -> Iterator[URL]:
    """Yield the URL of a PostgreSQL server's maintenance database (env server or embedded)."""
    if os.environ.get(ENV_PG_URL):
        yield normalise_url(os.environ[ENV_PG_URL]).set(database="postgres")
        return
    from airflow_provider_nomasx1.demo.embedded_pg import EmbeddedPostgres

    server = EmbeddedPostgres.temporary()
    try:
        yield make_url(server.url())
    finally:
        server.destroy()


def create_database(server_url: URL, prefix: str = "nomasx1_test") -> URL:
    """Create a uniquely named database on the server and return its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        pg_admin.create_database(conn, name)
    engine.dispose()
    return server_url.set(database=name)


def drop_database(url: URL) -> None:
    """Drop a database created by :func:`create_database`, closing its sessions first."""
    engine = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        pg_admin.drop_database(conn, url.database)
    engine.dispose()


# --- Airflow -----------------------------------------------------------------------------------


def connection_env(conn_id: str, url: URL, conn_type: str = "postgres", **extra: Any) -> dict[str, str]:
    """``AIRFLOW_CONN_<ID>`` for a PostgreSQL URL (JSON form, so any password works)."""
    payload = {
        "conn_type": conn_type,
        "host": url.host,
        "port": url.port,
        "login": url.username,
        "password": url.password,
        "schema": url.database,
    }
    if extra:
        payload["extra"] = json.dumps(extra)
    # Airflow reads AIRFLOW_CONN_ + the id in upper case, a hyphen included (oracle-target)
    return {f"AIRFLOW_CONN_{conn_id.upper()}": json.dumps(payload)}


@dataclass
class DagRunOutcome:
    """State of a finished test run and of each of its tasks."""

    dag_id: str
    run_id: str
    state: str
    tasks: dict[str, str]
    #: Airflow try number of each task that ran (1: no retry happened)
    tries: dict[str, int] = field(default_factory=dict)


@contextlib.contextmanager
def patched_env(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def run_bundled_dag(
    dag_id: str,
    conf: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
    dag_folder: str | os.PathLike[str] | None = None,
) -> DagRunOutcome:
    """Run one bundled DAG end to end in-process with ``dag.test()`` (needs a migrated metadata DB).

    ``env`` carries the connections (see :func:`connection_env`); deadline alerts are left out
    (see :func:`airflow_provider_nomasx1.dagspec.alerts.deadlines_enabled`).
    """
    from airflow.dag_processing.dagbag import DagBag

    from airflow_provider_nomasx1.dagspec.alerts import DEADLINES_ENV
    from airflow_provider_nomasx1.resources import bundle_dir

    folder = str(dag_folder or bundle_dir())
    with patched_env({DEADLINES_ENV: "off", **(env or {})}):
        bag = DagBag(dag_folder=folder)
        if dag_id not in bag.dags:
            raise KeyError(f"{dag_id} not in the bundle {folder}; import errors: {bag.import_errors}")
        run = bag.dags[dag_id].test(run_conf=conf or {})
        instances = run.get_task_instances()
        tasks = {ti.task_id: str(ti.state) for ti in instances}
        tries = {ti.task_id: int(ti.try_number) for ti in instances if ti.try_number}
    return DagRunOutcome(dag_id, run.run_id, str(run.state), tasks, tries)
