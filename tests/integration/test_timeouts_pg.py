"""Timeouts of the hooks on real PostgreSQL: a refused login, and statement timeouts that follow the
connection's extras (issue 10, item 8)."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL
from support.connections import SECRET

from airflow_provider_nomasx1.errors import (
    ConnectionFailedError,
    is_permanent,
)
from airflow_provider_nomasx1.hooks.jde import JdeHook
from airflow_provider_nomasx1.hooks.nomasx1 import Nomasx1Hook


def test_refused_login_is_permanent_and_says_what_to_fix(
    monkeypatch: pytest.MonkeyPatch,
    pg_url: URL,
    set_conn: Callable[..., None],
    connect_error: Callable[[sa.Engine], tuple[BaseException, float]],
) -> None:
    set_conn(
        monkeypatch,
        "wrong_db",
        conn_type="nomasx1",
        host=pg_url.host,
        port=pg_url.port,
        login=pg_url.username,
        password=SECRET,
        schema="no_such_database_nomasx1",
    )
    error, _ = connect_error(Nomasx1Hook("wrong_db").engine)
    assert isinstance(error, ConnectionFailedError), repr(error)
    assert is_permanent(error)
    message = str(error)
    assert "no_such_database_nomasx1" in message and f"{pg_url.host}:{pg_url.port}" in message
    assert "'wrong_db'" in message and SECRET not in message


def _show(engine: sa.Engine, setting: str) -> str:
    with engine.connect() as conn:
        return conn.execute(sa.text(f"SHOW {setting}")).scalar_one()


def test_statement_timeouts_follow_the_extras(
    monkeypatch: pytest.MonkeyPatch, pg_url: URL, set_conn: Callable[..., None]
) -> None:
    fields = dict(host=pg_url.host, port=pg_url.port, login=pg_url.username, schema=pg_url.database)
    set_conn(monkeypatch, "target_default", conn_type="nomasx1", **fields)
    set_conn(monkeypatch, "target_30s", conn_type="nomasx1", extra={"statement_timeout": 30}, **fields)
    set_conn(monkeypatch, "jde_default", conn_type="jdedwards", extra={"db_type": "postgres"}, **fields)
    set_conn(
        monkeypatch, "jde_none", conn_type="jdedwards", extra={"db_type": "postgres", "statement_timeout": 0}, **fields
    )
    hooks = [Nomasx1Hook("target_default"), Nomasx1Hook("target_30s"), JdeHook("jde_default"), JdeHook("jde_none")]
    try:
        assert [_show(h.engine, "statement_timeout") for h in hooks] == ["0", "30s", "1h", "0"]
        # the source's statement timeout joins its read-only option, it does not replace it
        assert _show(hooks[2].engine, "default_transaction_read_only") == "on"
        assert _show(hooks[3].engine, "default_transaction_read_only") == "on"
    finally:
        for hook in hooks:
            hook.dispose()


def test_a_statement_over_the_timeout_is_cancelled_and_retryable(
    monkeypatch: pytest.MonkeyPatch, pg_url: URL, set_conn: Callable[..., None]
) -> None:
    set_conn(
        monkeypatch,
        "target_1s",
        conn_type="nomasx1",
        host=pg_url.host,
        port=pg_url.port,
        login=pg_url.username,
        schema=pg_url.database,
        extra={"statement_timeout": 1},
    )
    hook = Nomasx1Hook("target_1s")
    started = time.monotonic()
    with pytest.raises(sa.exc.OperationalError, match="statement timeout") as info, hook.engine.connect() as conn:
        conn.execute(sa.text("SELECT pg_sleep(5)"))
    assert time.monotonic() - started < 4
    assert not is_permanent(info.value)
    hook.dispose()
