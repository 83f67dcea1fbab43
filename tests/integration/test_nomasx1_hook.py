"""Nomasx1Hook as a PostgresHook on real PostgreSQL: common-sql operators, Airflow's "Test connection",
libpq extras reaching the session (issue 11)."""

from __future__ import annotations

import json
from collections.abc import Callable

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL
from support.connections import EXTRAS, HOSTILE

from airflow_provider_nomasx1.hooks.jde import JdeHook
from airflow_provider_nomasx1.hooks.nomasx1 import Nomasx1Hook

SETTINGS_SQL = (
    "SELECT name, setting FROM pg_settings WHERE name IN ('application_name', 'search_path', 'statement_timeout') "
    "UNION ALL SELECT 'ssl', ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
)
EXPECTED = {"application_name": "nx-extras", "search_path": "nx_extras,public", "statement_timeout": "30000"}


def test_sql_execute_query_operator_runs_on_a_nomasx1_connection(
    monkeypatch: pytest.MonkeyPatch, pg_url: URL, set_url_conn: Callable[..., None]
) -> None:
    from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
    from airflow.sdk import BaseHook

    set_url_conn(monkeypatch, "nx_sql", pg_url)
    operator = SQLExecuteQueryOperator(task_id="select_one", conn_id="nx_sql", sql="SELECT 1")
    assert isinstance(operator.get_db_hook(), Nomasx1Hook)
    assert operator.execute(context={}) == [(1,)]

    hook = BaseHook.get_connection("nx_sql").get_hook()  # what the common-sql operators build
    assert isinstance(hook, Nomasx1Hook)
    hook.run("CREATE TABLE written (a int)")
    hook.insert_rows("written", [(1,), (2,)])
    hook.run("INSERT INTO written VALUES (%s)", autocommit=True, parameters=(3,))
    assert hook.get_records("SELECT a * %s FROM written ORDER BY a", parameters=(10,)) == [(10,), (20,), (30,)]
    assert hook.get_first("SELECT count(*) FROM written") == (3,)
    hook.dispose()


def test_airflow_test_connection_works_on_a_nomasx1_connection(monkeypatch: pytest.MonkeyPatch, pg_url: URL) -> None:
    """As the api-server's "Test" button does: a transient connection exported as a URI."""
    from airflow.models.connection import Connection

    conn = Connection(
        conn_id="nx_ui_test",
        conn_type="nomasx1",
        host=pg_url.host,
        port=pg_url.port,
        login=pg_url.username,
        password=pg_url.password,
        schema=pg_url.database,
        extra=json.dumps({"application_name": "nx-ui-test", "connect_timeout": 5}),
    )
    monkeypatch.setenv("AIRFLOW_CONN_NX_UI_TEST", conn.get_uri())
    ok, message = conn.test_connection()
    assert ok and message.startswith("Connected to PostgreSQL"), message
    monkeypatch.setenv("AIRFLOW_CONN_NX_UI_TEST", conn.get_uri().replace(f"/{pg_url.database}", "/no_such_db_nx"))
    ok, message = Connection(conn_id="nx_ui_test", conn_type="nomasx1").get_hook().test_connection()
    assert not ok and "no_such_db_nx" in message and "'nx_ui_test'" in message


def test_libpq_extras_reach_the_session(
    monkeypatch: pytest.MonkeyPatch, pg_url: URL, set_url_conn: Callable[..., None]
) -> None:
    set_url_conn(monkeypatch, "nx_extras", pg_url, extra=EXTRAS)
    hook = Nomasx1Hook("nx_extras")
    with hook.engine.connect() as conn:
        assert conn.execute(sa.text("SHOW application_name")).scalar() == "nx-extras"
        assert conn.execute(sa.text("SELECT current_database()")).scalar() == pg_url.database
        via_engine = dict(conn.execute(sa.text(SETTINGS_SQL)).all())
    via_get_conn = dict(hook.get_records(SETTINGS_SQL))  # PostgresHook's path: get_conn()
    for settings in (via_engine, via_get_conn):
        assert settings == {**EXPECTED, "ssl": "false"}
    with hook.for_database("postgres").engine.connect() as conn:
        assert conn.execute(sa.text("SHOW application_name")).scalar() == "nx-extras"
    hook.dispose()
    with_options = Nomasx1Hook("nx_extras", options="-c work_mem=8MB")  # PostgresHook's argument (hook_params)
    both = "SELECT current_setting('work_mem'), current_setting('search_path')"
    assert with_options.get_first(both) == ("8MB", "nx_extras,public")
    with_options.dispose()


def test_jde_source_keeps_read_only_beside_the_extras_options(
    monkeypatch: pytest.MonkeyPatch, pg_url: URL, set_url_conn: Callable[..., None]
) -> None:
    set_url_conn(monkeypatch, "jde_extras", pg_url, conn_type="jdedwards", extra=EXTRAS)
    hook = JdeHook("jde_extras")
    with hook.engine.connect() as conn:
        assert dict(conn.execute(sa.text(SETTINGS_SQL)).all()) == {**EXPECTED, "ssl": "false"}
        assert conn.execute(sa.text("SHOW default_transaction_read_only")).scalar() == "on"
    hook.dispose()


def test_get_conn_is_a_psycopg_connection_outside_the_pool(
    monkeypatch: pytest.MonkeyPatch, pg_url: URL, set_url_conn: Callable[..., None]
) -> None:
    """COPY works on it, and the autocommit common-sql sets on it never reaches the engine's sessions."""
    set_url_conn(monkeypatch, "nx_copy", pg_url)
    hook = Nomasx1Hook("nx_copy")
    hook.run("CREATE TABLE copied (a int, b text)")
    conn = hook.get_conn()
    assert isinstance(conn, psycopg.Connection)
    with conn.cursor() as cur, cur.copy("COPY copied (a, b) FROM STDIN") as copy:
        for row in ((1, "x"), (2, HOSTILE)):
            copy.write_row(row)
    conn.commit()
    conn.close()
    for _ in range(3):
        hook.run("SELECT 1", autocommit=True)
    with hook.engine.connect() as session:
        assert session.connection.dbapi_connection.autocommit is False
        session.execute(sa.text("INSERT INTO copied VALUES (3, 'rolled back')"))
        session.rollback()
    assert hook.get_records("SELECT a, b FROM copied ORDER BY a") == [(1, "x"), (2, HOSTILE)]
    assert hook.engine.pool.checkedout() == 0
    hook.dispose()
