"""JdeHook.test_connection (the connection form's "Test" button) on the machine's PostgreSQL as a
postgres-type JDE source: it runs its probe query through the hook's engine and never shows the password."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.engine import URL
from support.connections import SECRET

from airflow_provider_nomasx1.hooks.jde import JdeHook


def _jde_conn(set_url_conn: Callable[..., None], monkeypatch: pytest.MonkeyPatch, conn_id: str, url: URL) -> None:
    set_url_conn(monkeypatch, conn_id, url, conn_type="jdedwards", extra={"db_type": "postgres"})


def test_reachable_postgres_source_passes(
    monkeypatch: pytest.MonkeyPatch, pg_url: URL, set_url_conn: Callable[..., None]
) -> None:
    _jde_conn(set_url_conn, monkeypatch, "jde_ok", pg_url)
    hook = JdeHook("jde_ok")
    ok, message = hook.test_connection()
    hook.dispose()
    assert ok, message
    assert "postgres" in message and f"{pg_url.host}:{pg_url.port}" in message


def test_refused_login_fails_without_the_password(
    monkeypatch: pytest.MonkeyPatch, pg_url: URL, set_url_conn: Callable[..., None]
) -> None:
    url = pg_url.set(database="nx_no_such_database", password=SECRET)
    _jde_conn(set_url_conn, monkeypatch, "jde_nodb", url)
    ok, message = JdeHook("jde_nodb").test_connection()
    assert not ok
    assert "nx_no_such_database" in message and "jde_nodb" in message
    assert SECRET not in message
