"""Connection lookup and SQLAlchemy URL building shared by the hooks.

URLs are built with :meth:`sqlalchemy.engine.URL.create` from the connection's fields, never by
pasting strings, so passwords holding ``@ : /`` work (Airflow's OracleHook.get_uri breaks on
them). SQLAlchemy masks the password when a URL is printed, so a URL never leaks into a log.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from sqlalchemy.engine import URL

from airflow_provider_nomasx1.errors import ConfigurationError, MissingConnectionError
from airflow_provider_nomasx1.jde.databases import DEFAULT_ODBC_DRIVER, DEFAULT_TRUST_SERVER_CERTIFICATE


def get_connection(conn_id: str, purpose: str, conn_type_hint: str = "nomasx1") -> Any:
    """The Airflow connection ``conn_id``, or a :class:`MissingConnectionError` that says how to add it
    (``conn_type_hint``: the connection type the calling hook registers)."""
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        raise MissingConnectionError(conn_id, purpose, conn_type_hint) from None


def extras_of(conn: Any) -> dict[str, Any]:
    """Connection extras with form-field prefixes removed (``extra__<type>__key`` -> ``key``)."""
    out: dict[str, Any] = {}
    for key, value in (conn.extra_dejson or {}).items():
        if key.startswith("extra__") and key.count("__") >= 2:
            key = key.split("__", 2)[2]
        if value not in (None, ""):
            out[key] = value
    return out


def without_password(message: str, conn: Any) -> str:
    """``message`` with the connection's password masked (``conn``: the connection a hook has
    loaded, or None when it never got that far)."""
    password = getattr(conn, "password", None)
    return message.replace(password, "***") if password else message


DEFAULT_PORTS = {"postgres": 5432, "oracle": 1521, "mssql": 1433}


def location_of(conn: Any, db_type: str) -> str:
    """``host:port`` of a connection (or its Oracle DSN), for messages: never credentials."""
    extras = extras_of(conn)
    if db_type == "oracle" and extras.get("dsn"):
        return str(extras["dsn"])
    if not conn.host:
        return "the local socket" if db_type == "postgres" else "an empty host"
    return f"{conn.host}:{conn.port or DEFAULT_PORTS[db_type]}"


#: libpq parameters the hooks set themselves: from the connection's fields, or hooks/timeouts.py
_OWN_LIBPQ_PARAMS = frozenset({"host", "port", "dbname", "user", "password", "connect_timeout"})


@functools.cache
def libpq_keywords() -> frozenset[str]:
    """The connection parameters the installed libpq accepts: it refuses a connect naming any other."""
    from psycopg import pq

    return frozenset(option.keyword.decode() for option in pq.Conninfo.get_defaults())


def libpq_params(extras: Mapping[str, Any]) -> dict[str, str]:
    """The extras that are libpq parameters (``sslmode``, ``sslcert``, ``options``, ``keepalives``,
    ``target_session_attrs``...), as text; the others (``db_type``, ``statement_timeout``,
    ``database``, form-only keys) are ours and never reach the driver."""
    keys = libpq_keywords() - _OWN_LIBPQ_PARAMS
    return {key: _libpq_text(value) for key, value in extras.items() if key in keys}


def _libpq_text(value: Any) -> str:
    if isinstance(value, bool):  # JSON true/false: libpq's boolean parameters take 1/0
        return "1" if value else "0"
    return str(value)


def postgres_url(conn: Any, database: str | None = None) -> URL:
    """psycopg 3 URL of a PostgreSQL connection (``schema`` field = database, as Airflow does), with
    the libpq parameters of its extras (an ``options`` there is joined to the hook's own by
    :func:`~airflow_provider_nomasx1.hooks.timeouts.create_engine`)."""
    extras = extras_of(conn)
    query = libpq_params(extras)
    query.setdefault("application_name", "nomasx1")
    return URL.create(
        "postgresql+psycopg",
        username=conn.login or None,
        password=conn.password or None,
        host=conn.host or None,
        port=conn.port or None,
        database=database or conn.schema or extras.get("database") or "postgres",
        query=query,
    )


def oracle_url(conn: Any) -> URL:
    """python-oracledb URL (thin mode) from host/port and a ``service_name`` or ``sid`` extra."""
    extras = extras_of(conn)
    if extras.get("dsn"):  # a full connect descriptor: handed to the driver in connect_args
        return URL.create("oracle+oracledb", username=conn.login, password=conn.password)
    service, sid = extras.get("service_name") or conn.schema, extras.get("sid")
    if service and sid:
        raise ConfigurationError(f"connection {conn.conn_id!r}: set either extras.service_name or extras.sid, not both")
    if not conn.host:
        raise ConfigurationError(f"connection {conn.conn_id!r}: host is empty (or set extras.dsn)")
    return URL.create(
        "oracle+oracledb",
        username=conn.login,
        password=conn.password,
        host=conn.host,
        port=conn.port or 1521,
        database=sid,
        query={"service_name": service} if service and not sid else {},
    )


def mssql_url(conn: Any) -> URL:
    """pyodbc URL for a SQL Server JDE database (driver name in extras.odbc_driver).

    The server certificate is validated unless extras.trust_server_certificate is true (a
    self-signed test server): credentials never travel to an unverified server by default.
    """
    extras = extras_of(conn)
    trust = str(extras.get("trust_server_certificate", DEFAULT_TRUST_SERVER_CERTIFICATE)).lower() in (
        "1",
        "true",
        "yes",
    )
    return URL.create(
        "mssql+pyodbc",
        username=conn.login,
        password=conn.password,
        host=conn.host,
        port=conn.port or 1433,
        database=conn.schema or extras.get("database"),
        query={
            "driver": extras.get("odbc_driver", DEFAULT_ODBC_DRIVER),
            "TrustServerCertificate": "yes" if trust else "no",
        },
    )
