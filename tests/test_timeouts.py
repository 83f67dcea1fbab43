"""Connect and statement timeouts of the hooks, and connect failures that say where (issue 10, item 8)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from airflow_provider_nomasx1.errors import (
    ConfigurationError,
    ConnectionFailedError,
    SourceUnreachableError,
    TargetUnreachableError,
    is_permanent,
)
from airflow_provider_nomasx1.hooks.jde import JdeHook
from airflow_provider_nomasx1.hooks.nomasx1 import Nomasx1Hook
from airflow_provider_nomasx1.hooks.timeouts import ConnectTimeout, connect_within

SECRET = "s3cret-never-logged"


def set_conn(monkeypatch: pytest.MonkeyPatch, conn_id: str, **fields: object) -> None:
    if isinstance(fields.get("extra"), dict):
        fields["extra"] = json.dumps(fields["extra"])
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(fields))


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that completes the TCP handshake (the kernel's backlog) and never answers."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    yield server.getsockname()[1]
    server.close()


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (connection refused)."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def _connect_error(engine: sa.Engine) -> tuple[BaseException, float]:
    started = time.monotonic()
    with pytest.raises(Exception) as info, engine.connect():
        pass
    return info.value, time.monotonic() - started


def test_silent_target_fails_within_the_connect_timeout(monkeypatch: pytest.MonkeyPatch, silent_port: int) -> None:
    set_conn(
        monkeypatch,
        "silent_target",
        conn_type="nomasx1",
        host="127.0.0.1",
        port=silent_port,
        login="nx",
        password=SECRET,
        schema="nomasx1",
        extra={"connect_timeout": 2},
    )
    error, elapsed = _connect_error(Nomasx1Hook("silent_target").engine)
    assert isinstance(error, TargetUnreachableError), repr(error)
    assert 1.5 <= elapsed < 10, elapsed  # psycopg's default would wait 130 s per attempt
    message = str(error)
    assert "'silent_target'" in message and f"127.0.0.1:{silent_port}" in message
    assert "no answer within 2 s" in message and "extras.connect_timeout" in message
    assert SECRET not in message and SECRET not in repr(error.__cause__)
    assert not is_permanent(error)  # the task keeps its retries


def test_refused_source_is_transient_and_names_the_source(monkeypatch: pytest.MonkeyPatch, closed_port: int) -> None:
    set_conn(
        monkeypatch,
        "refused_jde",
        conn_type="jdedwards",
        host="127.0.0.1",
        port=closed_port,
        login="jde",
        password=SECRET,
        schema="jde",
        extra={"db_type": "postgres"},
    )
    error, elapsed = _connect_error(JdeHook("refused_jde").engine)
    assert isinstance(error, SourceUnreachableError), repr(error)
    assert elapsed < 5
    message = str(error)
    assert "JD Edwards source database" in message and f"127.0.0.1:{closed_port}" in message
    assert "'refused_jde'" in message and SECRET not in message
    assert not is_permanent(error)


def test_silent_oracle_source_is_bounded_by_the_deadline(monkeypatch: pytest.MonkeyPatch, silent_port: int) -> None:
    """python-oracledb thin mode has no timeout once TCP is up: the hook's own deadline ends it."""
    set_conn(
        monkeypatch,
        "silent_oracle",
        conn_type="jdedwards",
        host="127.0.0.1",
        port=silent_port,
        login="jde",
        password=SECRET,
        extra={"db_type": "oracle", "service_name": "JDEPROD", "connect_timeout": 1.5},
    )
    error, elapsed = _connect_error(JdeHook("silent_oracle").engine)
    assert isinstance(error, SourceUnreachableError), repr(error)
    assert 1.0 <= elapsed < 8, elapsed
    assert f"127.0.0.1:{silent_port}" in str(error) and "no answer within 1.5 s" in str(error)
    assert SECRET not in str(error)


def test_refused_login_is_permanent_and_says_what_to_fix(monkeypatch: pytest.MonkeyPatch, pg_url: URL) -> None:
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
    error, _ = _connect_error(Nomasx1Hook("wrong_db").engine)
    assert isinstance(error, ConnectionFailedError), repr(error)
    assert is_permanent(error)
    message = str(error)
    assert "no_such_database_nomasx1" in message and f"{pg_url.host}:{pg_url.port}" in message
    assert "'wrong_db'" in message and SECRET not in message


def _show(engine: sa.Engine, setting: str) -> str:
    with engine.connect() as conn:
        return conn.execute(sa.text(f"SHOW {setting}")).scalar_one()


def test_statement_timeouts_follow_the_extras(monkeypatch: pytest.MonkeyPatch, pg_url: URL) -> None:
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


def test_a_statement_over_the_timeout_is_cancelled_and_retryable(monkeypatch: pytest.MonkeyPatch, pg_url: URL) -> None:
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


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        ({"connect_timeout": "soon"}, "extras.connect_timeout must be a number of seconds"),
        ({"connect_timeout": 0}, "above 0"),
        ({"statement_timeout": -5}, "extras.statement_timeout must be a number of seconds"),
        ({"statement_timeout": True}, "extras.statement_timeout"),
    ],
)
def test_bad_timeout_extras_are_refused(monkeypatch: pytest.MonkeyPatch, extra: dict, fragment: str) -> None:
    set_conn(monkeypatch, "bad_timeouts", conn_type="nomasx1", host="127.0.0.1", extra=extra)
    with pytest.raises(ConfigurationError, match=fragment) as info:
        _ = Nomasx1Hook("bad_timeouts").engine
    assert "'bad_timeouts'" in str(info.value)


def test_connect_within_abandons_a_late_attempt_and_closes_what_it_opens() -> None:
    release = threading.Event()
    closed = threading.Event()

    class LateConnection:
        def close(self) -> None:
            closed.set()

    def slow_connect() -> LateConnection:
        release.wait(5)
        return LateConnection()

    started = time.monotonic()
    with pytest.raises(ConnectTimeout, match="no answer within 0.3 s"):
        connect_within(slow_connect, 0.3)
    assert time.monotonic() - started < 2
    release.set()
    assert closed.wait(5), "a connection opened after the deadline must be closed"


def test_connect_within_passes_results_and_errors_through() -> None:
    assert connect_within(lambda: "conn", 5) == "conn"
    with pytest.raises(ValueError, match="boom"):
        connect_within(lambda: (_ for _ in ()).throw(ValueError("boom")), 5)
