"""Fixtures: a real PostgreSQL server (env or embedded) and fresh databases on it."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from airflow_provider_nomasx1 import testing

os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")


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
