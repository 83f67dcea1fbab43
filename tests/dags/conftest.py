"""Fixtures of the Airflow tests: the migrated metadata database and the `airflow` CLI environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


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
