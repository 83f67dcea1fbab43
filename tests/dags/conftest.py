"""Fixtures of the Airflow tests: the migrated metadata database, the `airflow` CLI environment and
the demo site collected once for the end-to-end tests."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL
from support.demo_site import DEMO_AS_OF, DEMO_LICENCE_JOBS, DemoSite

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.applications import Registry
from airflow_provider_nomasx1.collectors.preload import import_reference_bundle
from airflow_provider_nomasx1.demo.jde_generator import generate
from airflow_provider_nomasx1.schema import bootstrap


@pytest.fixture(scope="session")
def airflow_db() -> str:
    """A migrated Airflow metadata database (SQLite) in the throwaway AIRFLOW_HOME (tests/conftest.py)."""
    airflow = Path(sys.executable).with_name("airflow")
    subprocess.run([str(airflow), "db", "migrate"], check=True, capture_output=True, timeout=300)
    return os.environ["AIRFLOW_HOME"]


@pytest.fixture
def airflow_env(airflow_db: str) -> dict[str, str]:
    """Environment for `airflow` CLI subprocesses sharing the test metadata database."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


@pytest.fixture(scope="session")
def demo_site(pg_server: URL, airflow_db: str) -> Iterator[DemoSite]:
    """Shared by the end-to-end tests of the licence position and of the directory (both read a
    realistic site; collecting it once keeps the suite within its time budget)."""
    source = testing.create_database(pg_server, "jde_e2e_demo")
    target = testing.create_database(pg_server, "nomasx1_e2e_demo")
    engine = sa.create_engine(target)
    try:
        generate(source, profile="demo", seed=1, as_of=DEMO_AS_OF)
        bootstrap.init_schema(engine, "nomasx1")
        Registry(engine, "nomasx1").add(10, "JDE demo", source_conn_id="jdedwards")
        import_reference_bundle(engine, "nomasx1", target_apps_ids=(10,))
        env = testing.connection_env("jdedwards", source, conn_type="jdedwards", db_type="postgres")
        env |= testing.connection_env("nomasx1", target)
        conf = {"apps_id": 10, "as_of_date": DEMO_AS_OF.isoformat()}
        security = testing.run_bundled_dag("nomasx1-security-1", env=env, conf=conf)
        assert security.state == "success", security
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO nomasx1.license_entitlements (apps_id, entitlement_id, csi, component_id, "
                    "metric_id, quantity, start_date) VALUES (10, 'E1', 'CSI-1', 1504, 10, 25, '2020-01-01'), "
                    "(10, 'E2', 'CSI-1', 1501, 10, 100000, '2020-01-01'), (10, 'E3', 'CSI-1', 1702, 30, 3, "
                    "'2020-01-01')"
                )
            )
        for dag_id in DEMO_LICENCE_JOBS:
            run = testing.run_bundled_dag(
                dag_id, env=env, conf=conf | ({"window_days": 365} if "license" in dag_id else {})
            )
            assert run.state == "success", run
            assert run.tasks["LICENSE_POSITION"] == "success", run
        yield DemoSite(source=source, target=target, engine=engine, env=env)
    finally:
        engine.dispose()
        testing.drop_database(source)
        testing.drop_database(target)
