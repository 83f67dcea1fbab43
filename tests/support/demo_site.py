"""The demo site the end-to-end Airflow tests share (the ``demo_site`` fixture of tests/dags/conftest.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import URL


@dataclass
class DemoSite:
    """The demo profile collected through Airflow: nomasx1-security-1 then the three licence jobs
    (each ending with LICENSE_POSITION) on application 10, as of AS_OF, with three entitlement lines."""

    source: URL
    target: URL
    engine: sa.Engine
    #: the connections (jdedwards, nomasx1) as environment variables for run_bundled_dag
    env: dict[str, str]


DEMO_AS_OF = dt.date(2026, 11, 28)
DEMO_LICENCE_JOBS = ("nomasx1-employees-1", "nomasx1-license-1", "nomasx1-out-1")
