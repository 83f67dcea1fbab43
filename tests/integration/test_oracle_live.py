"""Live Oracle check of JdeHook, run only when NOMASX1_TEST_ORACLE_DSN names a database.

NOMASX1_TEST_ORACLE_DSN=user/password@host:port/service_name (python-oracledb thin mode).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from airflow_provider_nomasx1.hooks.jde import JdeHook
from airflow_provider_nomasx1.jde.dictionary import audit_columns_sql

DSN = os.environ.get("NOMASX1_TEST_ORACLE_DSN")
pytestmark = [pytest.mark.oracle, pytest.mark.skipif(not DSN, reason="NOMASX1_TEST_ORACLE_DSN is not set")]


@pytest.fixture
def oracle(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[JdeHook, str]]:
    """A JdeHook on the live database, and its login."""
    match = re.fullmatch(r"(?P<user>[^/]+)/(?P<password>.*)@(?P<host>[^:/]+)(:(?P<port>\d+))?/(?P<service>.+)", DSN)
    assert match, "NOMASX1_TEST_ORACLE_DSN must look like user/password@host:port/service_name"
    monkeypatch.setenv(
        "AIRFLOW_CONN_JDE_ORACLE",
        json.dumps(
            {
                "conn_type": "jdedwards",
                "host": match["host"],
                "port": int(match["port"] or 1521),
                "login": match["user"],
                "password": match["password"],
                "extra": json.dumps({"db_type": "oracle", "service_name": match["service"]}),
            }
        ),
    )
    hook = JdeHook("jde_oracle")
    yield hook, match["user"]
    hook.dispose()


def test_jde_hook_reaches_oracle(oracle: tuple[JdeHook, str]) -> None:
    hook, user = oracle
    with hook.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT 1 FROM dual")).scalar() == 1
        assert conn.execute(sa.text("SELECT USER FROM dual")).scalar() == user.upper()


def test_the_audit_column_catalogue_query_runs_on_the_dictionary(oracle: tuple[JdeHook, str]) -> None:
    """The login's own schema: a scratch table with JDE audit columns, listed with exactly those."""
    hook, user = oracle
    with hook.engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE NX1F55001 (ZZKEY NUMBER, ZZUSER NCHAR(10), ZZUPMJ NUMBER, ZZDSC NCHAR(30))"))
    try:
        with hook.engine.connect() as conn:
            rows = conn.execute(sa.text(audit_columns_sql("oracle", {"own": user.upper()}))).all()
        assert sorted(tuple(r) for r in rows if r[1] == "NX1F55001") == [
            ("own", "NX1F55001", "ZZUPMJ"),
            ("own", "NX1F55001", "ZZUSER"),
        ]
    finally:
        with hook.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE NX1F55001 PURGE"))
