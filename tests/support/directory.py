"""The directory tests' target: a nomasx1 schema with a directory application (50, LDAP) and a JDE
application (10) whose users are written directly, and the `ldap` connection on a test slapd.

:meth:`DirectoryTarget.run` runs one step callable the way the operator does (lock and
collect_audit) with the real LdapHook on the `ldap` connection.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from airflow_provider_nomasx1.applications import Registry
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.demo import ldap_server
from airflow_provider_nomasx1.demo.ldap_server import DirectoryServer
from airflow_provider_nomasx1.hooks.ldap import LdapHook
from airflow_provider_nomasx1.operators.step import run_step
from airflow_provider_nomasx1.schema import bootstrap

LDAP_APPS_ID = 50
JDE_APPS_ID = 10
LOG = logging.getLogger("nomasx1.tests.directory")


def require_slapd() -> None:
    """Skip the test when slapd is not installed, or fail it when the run requires LDAP (CI sets
    NOMASX1_REQUIRE_LDAP=1: the directory tests must never be skipped there)."""
    if ldap_server.slapd_path() is not None:
        return
    message = f"slapd is not installed: {ldap_server.INSTALL_HINT}"
    if os.environ.get("NOMASX1_REQUIRE_LDAP", "").strip().lower() in {"1", "true", "yes"}:
        pytest.fail(f"{message} (NOMASX1_REQUIRE_LDAP is set)")
    pytest.skip(message)


def ldap_connection_env(server: DirectoryServer, conn_id: str = "ldap", tls: str = "ldaps", **extra: Any) -> dict:
    """``AIRFLOW_CONN_<ID>`` of a directory connection on the test server (TLS trusting its CA)."""
    return server.connection_env(conn_id, tls, **extra)  # type: ignore[arg-type]


@dataclass
class DirectoryTarget:
    engine: sa.Engine
    schema: str = "nomasx1"

    def rows(self, sql: str, **params: Any) -> list[tuple]:
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql), params)]

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(sa.text(sql), params).scalar()

    def run(self, function: Callable[[StepContext], Any], **params: Any) -> StepContext:
        """Run one directory step on application 50 with the `ldap` connection; returns its context."""
        target = self

        class Target:
            engine = target.engine

        def factory(role: str, conn_id: str) -> object:
            return LdapHook(conn_id) if role == "ldap" else Target()

        values = {
            "apps_id": LDAP_APPS_ID,
            "source_connector": "ldap",
            "target_connector": "nomasx1",
            "target_schema": self.schema,
            **params,
        }
        run_id = str(values.pop("run_id", "manual__test"))
        ctx = StepContext(
            dag_id="nomasx1-ldap-1",
            step=function.__name__.upper(),
            run_id=run_id,
            params=values,
            log=LOG,
            hook_factory=factory,
        )
        run_step(function, ctx, job_id="nomasx1-ldap-1")
        return ctx

    def add_jde_users(self, users: Iterable[tuple[str, int, bool, str | None]]) -> None:
        """security_users / security_users_data rows of application 10: (user id, address number,
        enabled, e-mail)."""
        with self.engine.begin() as conn:
            for user_id, an8, enabled, mail in users:
                conn.execute(
                    sa.text(
                        "INSERT INTO nomasx1.security_users (apps_id, user_id, user_name, address_number, enabled) "
                        "VALUES (:a, :u, :n, :an8, :e)"
                    ),
                    {"a": JDE_APPS_ID, "u": user_id, "n": f"Name of {user_id}", "an8": an8, "e": enabled},
                )
                conn.execute(
                    sa.text(
                        "INSERT INTO nomasx1.security_users_data (apps_id, user_id, address_number, email) "
                        "VALUES (:a, :u, :an8, :m)"
                    ),
                    {"a": JDE_APPS_ID, "u": user_id, "an8": an8, "m": mail},
                )


def make_directory_target(engine: sa.Engine, server: DirectoryServer, monkeypatch: pytest.MonkeyPatch, **extra: Any):
    """Schema, applications 10 (JDE) and 50 (LDAP), and the `ldap` connection on ``server``."""
    for key, value in ldap_connection_env(server, **extra).items():
        monkeypatch.setenv(key, value)
    bootstrap.init_schema(engine, "nomasx1")
    registry = Registry(engine, "nomasx1")
    registry.add(JDE_APPS_ID, "JDE test")
    registry.add(LDAP_APPS_ID, "Directory", apps_type="LDAP", source_conn_id="ldap")
    return DirectoryTarget(engine=engine)
