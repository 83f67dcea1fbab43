"""Shared fixtures of the security-collection tests: a tiny synthetic JDE source and a target.

``jde_tiny`` is generated once per session (profile ``tiny``: the named fixtures only, as of
:data:`AS_OF`); ``security_target`` is a fresh nomasx1 schema with application 10 registered and
the curated reference data imported (SoD objects). :func:`run` runs one step callable the way the
operator does (lock + collect_audit) and returns its row counts.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.collectors.preload import import_reference_bundle
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.demo.jde_generator import generate
from airflow_provider_nomasx1.hooks.jde import JdeHook
from airflow_provider_nomasx1.operators.step import run_step
from airflow_provider_nomasx1.registry import Registry
from airflow_provider_nomasx1.schema import bootstrap

AS_OF = dt.date(2026, 11, 28)
APPS_ID = 10
LOG = logging.getLogger("nomasx1.tests.security")


@pytest.fixture(scope="session")
def jde_tiny(pg_server: URL) -> Iterator[URL]:
    """A database holding the tiny synthetic JDE source (read-only for the tests)."""
    url = testing.create_database(pg_server, prefix="nomasx1_sec_src")
    generate(url.render_as_string(hide_password=False), profile="tiny", seed=1, as_of=AS_OF)
    yield url
    testing.drop_database(url)


@dataclass
class SecurityTarget:
    engine: sa.Engine
    source_url: URL
    schema: str = "nomasx1"

    def rows(self, sql: str, **params: Any) -> list[tuple]:
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql), params)]

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(sa.text(sql), params).scalar()

    def run(self, function: Callable[[StepContext], Any], step: str | None = None, **params: Any) -> dict[str, int]:
        """Run one security step callable on application 10 (lock and audit like the operator)."""
        source = JdeHook("jdedwards")
        target = self

        class Target:
            engine = target.engine

        def factory(role: str, conn_id: str) -> object:
            return source if role == "jde" else Target()

        run_id = str(params.pop("run_id", "manual__test"))
        values = {
            "apps_id": APPS_ID,
            "source_connector": "jdedwards",
            "target_connector": "nomasx1",
            "target_schema": self.schema,
            "as_of_date": AS_OF.isoformat(),
            **params,
        }
        ctx = StepContext(
            dag_id="nomasx1-security-1",
            step=step or function.__name__.upper(),
            run_id=run_id,
            params=values,
            log=LOG,
            hook_factory=factory,
        )
        try:
            run_step(function, ctx, job_id="nomasx1-security-1")
        finally:
            source.dispose()
        return dict(ctx.result.rows)


def make_target(engine: sa.Engine, source_url: URL, monkeypatch: pytest.MonkeyPatch, **app: Any) -> SecurityTarget:
    """Schema, application 10 (settings ``app``), curated reference data, `jdedwards` connection."""
    for key, value in testing.connection_env(
        "jdedwards", source_url, conn_type="jdedwards", db_type="postgres"
    ).items():
        monkeypatch.setenv(key, value)
    bootstrap.init_schema(engine, "nomasx1")
    Registry(engine, "nomasx1").add(APPS_ID, "JDE test", source_conn_id="jdedwards", **app)
    import_reference_bundle(engine, "nomasx1", target_apps_ids=(APPS_ID,))
    return SecurityTarget(engine=engine, source_url=source_url)


@pytest.fixture
def security_target(pg_engine: sa.Engine, jde_tiny: URL, monkeypatch: pytest.MonkeyPatch) -> SecurityTarget:
    return make_target(pg_engine, jde_tiny, monkeypatch)
