"""Fixtures: a real PostgreSQL server (env or embedded), fresh databases, and an Airflow home.

Airflow reads its configuration when first imported, so the throwaway AIRFLOW_HOME is set here, at
import time, before any test module imports Airflow.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
_AIRFLOW_HOME = tempfile.mkdtemp(prefix="nomasx1-airflow-")
os.environ.update(
    {
        "AIRFLOW_HOME": _AIRFLOW_HOME,
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
    }
)

import pytest  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from sqlalchemy.engine import URL  # noqa: E402

from airflow_provider_nomasx1 import testing  # noqa: E402


@pytest.fixture(scope="session")
def pg_server() -> Iterator[URL]:
    """URL of the maintenance database of the test server."""
    with testing.postgres_server() as url:
        yield url


@pytest.fixture
def pg_url(pg_server: URL) -> Iterator[URL]:
    """A fresh, empty database for one test; dropped afterwards."""
    url = testing.create_database(pg_server)
    yield url
    testing.drop_database(url)


@pytest.fixture
def pg_engine(pg_url: URL) -> Iterator[sa.Engine]:
    engine = sa.create_engine(pg_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def airflow_db() -> str:
    """A migrated Airflow metadata database (SQLite) in the throwaway AIRFLOW_HOME."""
    airflow = Path(sys.executable).with_name("airflow")
    subprocess.run([str(airflow), "db", "migrate"], check=True, capture_output=True, timeout=300)
    return _AIRFLOW_HOME


@pytest.fixture
def airflow_env(airflow_db: str) -> dict[str, str]:
    """Environment for `airflow` CLI subprocesses sharing the test metadata database."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


# fixtures of the security-collection tests (tiny JDE source, registered target)
from security_support import jde_tiny, security_target  # noqa: E402, F401
