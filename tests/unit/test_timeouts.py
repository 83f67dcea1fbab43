"""Connect timeouts of the hooks, and connect failures that say where, against loopback sockets that
refuse or never answer (issue 10, item 8); the statement timeouts run on PostgreSQL in
tests/integration/test_timeouts_pg.py."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from support.connections import SECRET

from airflow_provider_nomasx1.errors import (
    ConfigurationError,
    SourceUnreachableError,
    TargetUnreachableError,
    is_permanent,
)
from airflow_provider_nomasx1.hooks.jde import JdeHook
from airflow_provider_nomasx1.hooks.nomasx1 import Nomasx1Hook
from airflow_provider_nomasx1.hooks.timeouts import ConnectTimeout, connect_within


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


def test_silent_target_fails_within_the_connect_timeout(
    monkeypatch: pytest.MonkeyPatch,
    silent_port: int,
    set_conn: Callable[..., None],
    connect_error: Callable[[sa.Engine], tuple[BaseException, float]],
) -> None:
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
    error, elapsed = connect_error(Nomasx1Hook("silent_target").engine)
    assert isinstance(error, TargetUnreachableError), repr(error)
    assert 1.5 <= elapsed < 10, elapsed  # psycopg's default would wait 130 s per attempt
    message = str(error)
    assert "'silent_target'" in message and f"127.0.0.1:{silent_port}" in message
    assert "no answer within 2 s" in message and "extras.connect_timeout" in message
    assert SECRET not in message and SECRET not in repr(error.__cause__)
    assert not is_permanent(error)  # the task keeps its retries


def test_refused_source_is_transient_and_names_the_source(
    monkeypatch: pytest.MonkeyPatch,
    closed_port: int,
    set_conn: Callable[..., None],
    connect_error: Callable[[sa.Engine], tuple[BaseException, float]],
) -> None:
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
    error, elapsed = connect_error(JdeHook("refused_jde").engine)
    assert isinstance(error, SourceUnreachableError), repr(error)
    assert elapsed < 5
    message = str(error)
    assert "JD Edwards source database" in message and f"127.0.0.1:{closed_port}" in message
    assert "'refused_jde'" in message and SECRET not in message
    assert not is_permanent(error)


def test_silent_oracle_source_is_bounded_by_the_deadline(
    monkeypatch: pytest.MonkeyPatch,
    silent_port: int,
    set_conn: Callable[..., None],
    connect_error: Callable[[sa.Engine], tuple[BaseException, float]],
) -> None:
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
    error, elapsed = connect_error(JdeHook("silent_oracle").engine)
    assert isinstance(error, SourceUnreachableError), repr(error)
    assert 1.0 <= elapsed < 8, elapsed
    assert f"127.0.0.1:{silent_port}" in str(error) and "no answer within 1.5 s" in str(error)
    assert SECRET not in str(error)


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        ({"connect_timeout": "soon"}, "extras.connect_timeout must be a number of seconds"),
        ({"connect_timeout": 0}, "above 0"),
        ({"statement_timeout": -5}, "extras.statement_timeout must be a number of seconds"),
        ({"statement_timeout": True}, "extras.statement_timeout"),
    ],
)
def test_bad_timeout_extras_are_refused(
    monkeypatch: pytest.MonkeyPatch, extra: dict, fragment: str, set_conn: Callable[..., None]
) -> None:
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


@pytest.mark.parametrize(("query", "expected"), [("?connect_timeout=2", 2.0), ("", 15.0)])
def test_cli_url_engines_do_not_wait_forever(silent_port: int, query: str, expected: float) -> None:
    """`nomasx1 ... --url` on a silent server: the URL's connect_timeout, else the hooks' default."""
    from airflow_provider_nomasx1 import cli

    engine = cli._engine(f"postgresql://nx@127.0.0.1:{silent_port}/nomasx1{query}")
    started = time.monotonic()
    with pytest.raises(sa.exc.OperationalError, match="timeout expired"), engine.connect():
        pass
    assert expected - 1 <= time.monotonic() - started < expected + 8
    engine.dispose()
