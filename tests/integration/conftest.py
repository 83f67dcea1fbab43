"""Fixtures of the integration tests: the security collection's tiny JDE source and its target."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL
from support.security import AS_OF, SecurityTarget, make_target

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.demo.jde_generator import generate


@pytest.fixture(scope="session")
def jde_tiny(pg_server: URL) -> Iterator[URL]:
    """A database holding the tiny synthetic JDE source (read-only for the tests)."""
    url = testing.create_database(pg_server, prefix="nomasx1_sec_src")
    generate(url.render_as_string(hide_password=False), profile="tiny", seed=1, as_of=AS_OF)
    yield url
    testing.drop_database(url)


@pytest.fixture
def security_target(pg_engine: sa.Engine, jde_tiny: URL, monkeypatch: pytest.MonkeyPatch) -> SecurityTarget:
    return make_target(pg_engine, jde_tiny, monkeypatch)
