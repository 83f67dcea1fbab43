"""The security-collection tests' target: a registered nomasx1 schema over a tiny JDE source.

:class:`SecurityTarget` is what the ``security_target`` fixture (tests/integration/conftest.py)
yields: application 10 registered and the curated reference data imported (SoD objects), on the
tiny synthetic JDE source generated as of :data:`AS_OF`. :meth:`SecurityTarget.run` runs one step
callable the way the operator does (lock + collect_audit) and returns its row counts.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.applications import Registry
from airflow_provider_nomasx1.collectors.preload import import_reference_bundle
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.hooks.jde import JdeHook
from airflow_provider_nomasx1.operators.step import run_step
from airflow_provider_nomasx1.schema import bootstrap

AS_OF = dt.date(2026, 11, 28)
APPS_ID = 10
LOG = logging.getLogger("nomasx1.tests.security")


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
