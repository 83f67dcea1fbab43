"""Live Oracle check of JdeHook, run only when NOMASX1_TEST_ORACLE_DSN names a database.

NOMASX1_TEST_ORACLE_DSN=user/password@host:port/service_name (python-oracledb thin mode).
"""

from __future__ import annotations

import json
import os
import re

import pytest
import sqlalchemy as sa

from airflow_provider_nomasx1.hooks.jde import JdeHook

DSN = os.environ.get("NOMASX1_TEST_ORACLE_DSN")
pytestmark = [pytest.mark.oracle, pytest.mark.skipif(not DSN, reason="NOMASX1_TEST_ORACLE_DSN is not set")]


def test_jde_hook_reaches_oracle(monkeypatch: pytest.MonkeyPatch) -> None:
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
    with hook.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT 1 FROM dual")).scalar() == 1
        assert conn.execute(sa.text("SELECT USER FROM dual")).scalar() == match["user"].upper()
    hook.dispose()
