"""Connect and statement timeouts of every database connection, and connection failures that say where.

A source that accepts TCP and never answers used to hold a job's lock for 130 s per attempt
(psycopg's default) with "connection timeout expired" naming no host; a statement on a source
that stops answering could wait forever. Every engine the hooks build therefore gets, from the
Airflow connection's extras (seconds; see docs/connections.md):

* ``connect_timeout`` (default :data:`CONNECT_TIMEOUT`, 15 s): PostgreSQL ``connect_timeout``
  (psycopg, at least 2 s), SQL Server's login timeout (pyodbc ``timeout``), and for Oracle
  ``tcp_connect_timeout`` plus a deadline kept here: python-oracledb's thin mode has no timeout
  for a server that accepts the TCP connection and never answers (oracle/python-oracledb#451).
* ``statement_timeout`` (0 = none): PostgreSQL ``statement_timeout``, Oracle ``call_timeout``
  (per round trip), SQL Server's query timeout. Default :data:`SOURCE_STATEMENT_TIMEOUT` (1 hour)
  for the JDE source, whose longest legitimate statement is one table's copy (minutes at scale);
  none for the targets (:data:`TARGET_STATEMENT_TIMEOUT`), which run the long set-based steps
  (rights aggregation, mirror index builds) whose duration grows with the site, and which hold
  the job lock themselves: a session that dies there releases it.

A failed connect becomes :class:`~airflow_provider_nomasx1.errors.SourceUnreachableError` /
:class:`~airflow_provider_nomasx1.errors.TargetUnreachableError` (transient: the task keeps its
retries) or, when the server refused the login (password, role, database), the permanent
:class:`~airflow_provider_nomasx1.errors.ConnectionFailedError`; both name the connection id,
host and port, and never the password.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from airflow_provider_nomasx1.errors import (
    ConfigurationError,
    ConnectionFailedError,
    Nomasx1Error,
    UnreachableError,
    is_permanent,
)

#: seconds to wait for a database to accept a session (every connection)
CONNECT_TIMEOUT = 15.0
#: longest statement on the JDE source, seconds (one table's copy takes minutes at scale)
SOURCE_STATEMENT_TIMEOUT = 3600.0
#: longest statement on a target, seconds; 0: none (see the module docstring)
TARGET_STATEMENT_TIMEOUT = 0.0


@dataclass(frozen=True)
class Timeouts:
    """The timeouts of one connection, in seconds (``statement`` 0: none)."""

    connect: float
    statement: float

    @classmethod
    def from_extras(cls, conn_id: str, extras: Mapping[str, Any], statement_default: float) -> Timeouts:
        """``extras.connect_timeout`` / ``extras.statement_timeout``, validated, or the defaults."""
        connect = _seconds(conn_id, extras, "connect_timeout", CONNECT_TIMEOUT)
        if connect <= 0:
            raise ConfigurationError(
                f"connection {conn_id!r}: extras.connect_timeout must be a number of seconds above 0 "
                f"(got {extras['connect_timeout']!r}; default {CONNECT_TIMEOUT:g})"
            )
        return cls(connect, _seconds(conn_id, extras, "statement_timeout", statement_default))


def _seconds(conn_id: str, extras: Mapping[str, Any], key: str, default: float) -> float:
    value = extras.get(key)
    if value is None:
        return default
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = math.nan
    if isinstance(value, bool) or not math.isfinite(seconds) or seconds < 0:
        raise ConfigurationError(
            f"connection {conn_id!r}: extras.{key} must be a number of seconds (0 or more), got {value!r}"
        )
    return seconds


@dataclass(frozen=True)
class Endpoint:
    """Where a hook connects, for the messages of a failed connect."""

    conn_id: str
    purpose: str  # e.g. "JD Edwards source database"
    location: str  # host:port, or the Oracle DSN
    password: str | None
    unreachable: type[UnreachableError]


def driver_args(db_type: str, timeouts: Timeouts) -> dict[str, Any]:
    """Driver arguments carrying the timeouts (``db_type``: postgres, oracle or mssql)."""
    if db_type == "postgres":
        args: dict[str, Any] = {"connect_timeout": max(2, math.ceil(timeouts.connect))}
        if timeouts.statement > 0:
            args["options"] = f"-c statement_timeout={math.ceil(timeouts.statement * 1000)}"
        return args
    if db_type == "oracle":
        return {"tcp_connect_timeout": timeouts.connect}
    if db_type == "mssql":
        return {"timeout": math.ceil(timeouts.connect)}
    raise ConfigurationError(f"unsupported database type {db_type!r}")


def install(engine: sa.Engine, db_type: str, endpoint: Endpoint, timeouts: Timeouts) -> None:
    """Turn connect failures into messages naming ``endpoint``; bound Oracle's connect by a
    deadline; set the per-session statement timeouts PostgreSQL cannot take as an option."""

    @event.listens_for(engine, "do_connect")
    def _connect(dialect: Any, _record: Any, cargs: tuple, cparams: dict) -> Any:
        def attempt() -> Any:
            return dialect.connect(*cargs, **cparams)

        try:
            return connect_within(attempt, timeouts.connect) if db_type == "oracle" else attempt()
        except Exception as exc:
            raise connect_failure(exc, endpoint, timeouts) from exc

    if timeouts.statement > 0 and db_type in ("oracle", "mssql"):

        @event.listens_for(engine, "connect")
        def _session(dbapi_connection: Any, _record: Any) -> None:
            if db_type == "oracle":  # milliseconds, per round trip
                dbapi_connection.call_timeout = math.ceil(timeouts.statement * 1000)
            else:  # pyodbc query timeout, seconds
                dbapi_connection.timeout = math.ceil(timeouts.statement)


class ConnectTimeout(TimeoutError):
    """A connect attempt did not finish within its deadline."""


def connect_within(connect: Callable[[], Any], seconds: float) -> Any:
    """``connect()`` with a deadline, for drivers without one (python-oracledb thin mode waits
    forever for a server that accepted the TCP connection). The attempt runs in a daemon thread;
    when the deadline passes it is abandoned, and a connection it still opens later is closed."""
    lock = threading.Lock()
    outcome: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        try:
            result: Any = connect()
            key = "connection"
        except BaseException as exc:  # handed to the caller
            result, key = exc, "error"
        with lock:
            abandoned = outcome.get("abandoned", False)
            if not abandoned:
                outcome[key] = result
        if abandoned and key == "connection":
            result.close()
        done.set()

    threading.Thread(target=run, name="nomasx1-connect", daemon=True).start()
    if not done.wait(seconds):
        with lock:
            if not ({"connection", "error"} & outcome.keys()):
                outcome["abandoned"] = True
                raise ConnectTimeout(f"no answer within {seconds:g} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["connection"]


def connect_failure(exc: BaseException, endpoint: Endpoint, timeouts: Timeouts) -> Nomasx1Error:
    """The error to raise for a failed connect: transient (unreachable, timed out) or permanent
    (login refused), naming the connection id, host and port; the password is never included."""
    reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    if endpoint.password:
        reason = reason.replace(endpoint.password, "***")
    if isinstance(exc, ConnectTimeout) or "timeout expired" in reason or "timed out" in reason.lower():
        reason = f"no answer within {timeouts.connect:g} s ({reason})"
    where = f"the {endpoint.purpose} at {endpoint.location} (Airflow connection {endpoint.conn_id!r})"
    if is_permanent(exc):
        return ConnectionFailedError(
            f"Cannot connect to {where}: {reason}. Fix the connection's login, password or database "
            f"(Airflow UI, or `airflow connections delete {endpoint.conn_id}` then `airflow connections add`); "
            "see docs/connections.md."
        )
    return endpoint.unreachable(
        f"Cannot reach {where}: {reason}. Check that the database is running and that {endpoint.location} "
        "is its address, reachable from the Airflow worker; the task is retried. The connection's "
        f"extras.connect_timeout sets the wait (now {timeouts.connect:g} s)."
    )


def create_engine(
    url: sa.URL,
    db_type: str,
    endpoint: Endpoint,
    timeouts: Timeouts,
    *,
    connect_args: Mapping[str, Any] | None = None,
    **engine_kwargs: Any,
) -> sa.Engine:
    """The one place the hooks build an engine: ``connect_args`` merged with the timeouts', then
    :func:`install`. PostgreSQL ``options`` are joined, in this order: the URL's (the connection's
    extras), ``connect_args``' (a read-only session), the statement timeout; the last ``-c`` of a
    setting wins, so the hook's own settings hold."""
    args = dict(connect_args or {})
    if "options" in url.query:  # SQLAlchemy would let connect_args' options replace it: join them
        args["options"] = " ".join(filter(None, (str(url.query["options"]), args.get("options"))))
        url = url.difference_update_query(["options"])
    for key, value in driver_args(db_type, timeouts).items():
        args[key] = f"{args[key]} {value}" if key == "options" and key in args else value
    engine = sa.create_engine(url, connect_args=args, **engine_kwargs)
    install(engine, db_type, endpoint, timeouts)
    return engine
