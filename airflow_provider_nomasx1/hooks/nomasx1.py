"""Nomasx1Hook: the target PostgreSQL database (nomasx1, nomajde, or the `default` admin pool).

It is a :class:`~airflow.providers.postgres.hooks.postgres.PostgresHook`, so Airflow's "Test
connection" and the common-sql operators (``SQLExecuteQueryOperator(conn_id="nomasx1", ...)``)
work on a ``nomasx1`` connection; every connection it opens comes from its own SQLAlchemy 2 /
psycopg 3 engine, with the timeouts and connect-failure messages of hooks/timeouts.py, passwords
of any character, and only the extras libpq knows handed to the driver.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

import psycopg
import sqlalchemy as sa
from airflow.providers.postgres.hooks.postgres import PostgresHook
from sqlalchemy.engine import URL

from airflow_provider_nomasx1.errors import TargetUnreachableError
from airflow_provider_nomasx1.hooks.connection import extras_of, get_connection, location_of, postgres_url
from airflow_provider_nomasx1.hooks.timeouts import TARGET_STATEMENT_TIMEOUT, Endpoint, Timeouts, create_engine

if TYPE_CHECKING:
    from airflow.sdk import Connection

TARGET_CONN_TYPES = ("nomasx1", "postgres", "postgresql")
#: pool of :attr:`Nomasx1Hook.engine`
_POOL = {"pool_pre_ping": True, "pool_size": 2, "max_overflow": 2}


class Nomasx1Hook(PostgresHook):
    """SQLAlchemy engine (psycopg 3) on a PostgreSQL connection.

    :param nomasx1_conn_id: Airflow connection id (types ``nomasx1`` or ``postgres``). The
        connection's *schema* field is the database name; the libpq parameters among its extras
        (``sslmode``, ``sslcert``, ``options``, ``application_name``...) reach the driver.
    :param database: connect to this database instead of the connection's own (used by the
        install jobs to reach a database they just created through the admin connection).
    :param purpose: what the connection is for, in the messages of a missing or unreachable one.

    PostgresHook's keyword arguments ``options`` and ``enable_log_db_messages`` (``hook_params`` of
    the common-sql operators) apply; the driver is always psycopg 3.
    """

    conn_name_attr = "nomasx1_conn_id"
    default_conn_name = "nomasx1"
    conn_type = "nomasx1"
    hook_name = "nomasx1 target (PostgreSQL)"
    #: set by DbApiHook.__init__; declared again because mypy cannot type the compat ``Connection`` DbApiHook names
    _connection: Connection | None

    def __init__(
        self,
        nomasx1_conn_id: str = default_conn_name,
        database: str | None = None,
        purpose: str = "nomasx1 target PostgreSQL",
        **kwargs: Any,
    ) -> None:
        super().__init__(nomasx1_conn_id=nomasx1_conn_id, database=database, **kwargs)
        self.nomasx1_conn_id = nomasx1_conn_id
        self.purpose = purpose
        self._children: dict[str, Nomasx1Hook] = {}

    @property
    def connection(self) -> Any:
        """The Airflow connection, or a MissingConnectionError that says how to create it."""
        if self._connection is None:
            self._connection = get_connection(self.nomasx1_conn_id, self.purpose, self.conn_type)
        return self._connection

    @connection.setter
    def connection(self, value: Any) -> None:
        """DbApiHook's property is writable (a no-op kept for old providers); this hook's is not."""
        raise AttributeError(f"{type(self).__name__}.connection is read-only: pass another nomasx1_conn_id")

    @property
    def url(self) -> URL:
        return postgres_url(self.connection, self.database)

    @property
    def sqlalchemy_url(self) -> URL:
        """The URL of :attr:`engine` (PostgresHook.get_uri renders it, password escaped)."""
        return self.url

    @cached_property
    def timeouts(self) -> Timeouts:
        """extras.connect_timeout / extras.statement_timeout (seconds), see hooks/timeouts.py."""
        return Timeouts.from_extras(self.nomasx1_conn_id, extras_of(self.connection), TARGET_STATEMENT_TIMEOUT)

    @cached_property
    def engine(self) -> sa.Engine:
        return self._create_engine(_POOL)

    def _create_engine(self, engine_kwargs: Mapping[str, Any]) -> sa.Engine:
        conn = self.connection
        endpoint = Endpoint(
            self.nomasx1_conn_id, self.purpose, location_of(conn, "postgres"), conn.password, TargetUnreachableError
        )
        kwargs = dict(engine_kwargs)
        if self.options:  # PostgresHook's ``options`` argument: joined after the extras' options
            args = dict(kwargs.get("connect_args") or {})
            args["options"] = " ".join(filter(None, (args.get("options"), self.options)))
            kwargs["connect_args"] = args
        return create_engine(self.url, "postgres", endpoint, self.timeouts, **kwargs)

    def get_sqlalchemy_engine(self, engine_kwargs: dict[str, Any] | None = None) -> sa.Engine:
        """:attr:`engine`; with ``engine_kwargs`` (:func:`sqlalchemy.create_engine` arguments, as
        PostgresHook takes them), a new engine of the same connection that the caller disposes of."""
        return self._create_engine(engine_kwargs) if engine_kwargs else self.engine

    def get_conn(self) -> psycopg.Connection:
        """A psycopg 3 connection of its own (COPY; common-sql's ``run`` switches its autocommit),
        opened by :attr:`engine` (timeouts, failure messages) but outside its pool; the caller closes it."""
        pooled = self.engine.raw_connection()
        pooled.detach()  # closing it closes it: an autocommit set on it never reaches the pool's sessions
        conn = pooled.dbapi_connection
        if not isinstance(conn, psycopg.Connection):
            raise TypeError(f"{self.nomasx1_conn_id}: a psycopg 3 connection is needed, not {type(conn).__name__}")
        self.conn = conn
        if self.enable_log_db_messages:
            conn.add_notice_handler(self._notice_handler)
        return conn

    def for_database(self, database: str) -> Nomasx1Hook:
        """The same credentials, another database on the same server (disposed with this hook)."""
        if database not in self._children:
            self._children[database] = Nomasx1Hook(self.nomasx1_conn_id, database=database, purpose=self.purpose)
        return self._children[database]

    # DbApiHook.test_connection is unannotated (mypy infers None) yet returns the same (status, message)
    def test_connection(self) -> tuple[bool, str]:  # type: ignore[override]
        try:
            with self.engine.connect() as conn:
                version = conn.execute(sa.text("SHOW server_version")).scalar()
            return True, f"Connected to PostgreSQL {version}"
        except Exception as exc:
            return False, str(exc)

    def dispose(self) -> None:
        for child in self._children.values():
            child.dispose()
        if "engine" in self.__dict__:
            self.engine.dispose()
