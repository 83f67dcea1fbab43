"""Hooks on real PostgreSQL: a hostile password really connects, the JDE schema map and the source's
read-only session."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL
from support.connections import HOSTILE

from airflow_provider_nomasx1.hooks.jde import JdeHook
from airflow_provider_nomasx1.hooks.nomasx1 import Nomasx1Hook
from airflow_provider_nomasx1.jde.schema_map import JdeSchemaMap


def test_hostile_password_really_connects(
    monkeypatch: pytest.MonkeyPatch, pg_url: URL, set_conn: Callable[..., None]
) -> None:
    admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    role = f"hostile_{pg_url.database[-10:]}"
    with admin.connect() as conn:
        literal = HOSTILE.replace("'", "''").replace("%", "%%")
        conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN PASSWORD '{literal}'")
    try:
        set_conn(
            monkeypatch,
            "t2",
            conn_type="postgres",
            host=pg_url.host,
            port=pg_url.port,
            login=role,
            password=HOSTILE,
            schema=pg_url.database,
        )
        hook = Nomasx1Hook("t2")
        ok, message = hook.test_connection()
        assert ok, message
        with hook.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT current_user")).scalar() == role
        hook.dispose()
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP ROLE {role}")
        admin.dispose()


def test_jde_hook_schema_map_and_read_only(
    monkeypatch: pytest.MonkeyPatch, pg_url: URL, set_conn: Callable[..., None]
) -> None:
    set_conn(
        monkeypatch,
        "jde1",
        conn_type="jdedwards",
        host=pg_url.host,
        port=pg_url.port,
        login=pg_url.username,
        schema=pg_url.database,
        extra={
            "db_type": "postgres",
            "schemas": {"control": "PRODCTL"},
            "extra__jdedwards__schema_data": "PRODDTA",
            "catalogue": {"F95921.include_in_all": "RLCUSTOM"},
        },
    )
    hook = JdeHook("jde1")
    assert hook.db_type == "postgres"
    assert hook.schemas == JdeSchemaMap(control="PRODCTL", data="PRODDTA").lower()
    assert hook.schemas.system == "sy920" and hook.schemas.security_schema == "sy920"
    assert hook.catalogue_overrides == {"F95921.include_in_all": "RLCUSTOM"}
    with hook.engine.connect() as conn, pytest.raises(sa.exc.InternalError, match="read-only transaction"):
        conn.execute(sa.text("CREATE TABLE should_fail (x int)"))
    hook.dispose()
