"""Nomasx1Hook: the target PostgreSQL database (nomasx1, nomajde, or the `default` admin pool)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

import sqlalchemy as sa
from airflow.sdk import BaseHook
from sqlalchemy.engine import URL

from airflow_provider_nomasx1.errors import TargetUnreachableError
from airflow_provider_nomasx1.hooks.connection import extras_of, get_connection, location_of, postgres_url
from airflow_provider_nomasx1.hooks.timeouts import TARGET_STATEMENT_TIMEOUT, Endpoint, Timeouts, create_engine

TARGET_CONN_TYPES = ("nomasx1", "postgres", "postgresql")


class Nomasx1Hook(BaseHook):
    """SQLAlchemy engine (psycopg 3) on a PostgreSQL connection.

    :param nomasx1_conn_id: Airflow connection id (types ``nomasx1`` or ``postgres``). The
        connection's *schema* field is the database name; extras may carry ``sslmode``.
    :param database: connect to this database instead of the connection's own (used by the
        install jobs to reach a database they just created through the admin connection).
    """

    conn_name_attr = "nomasx1_conn_id"
    default_conn_name = "nomasx1"
    conn_type = "nomasx1"
    hook_name = "nomasx1 target (PostgreSQL)"

    def __init__(
        self,
        nomasx1_conn_id: str = default_conn_name,
        database: str | None = None,
        purpose: str = "nomasx1 target PostgreSQL",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.nomasx1_conn_id = nomasx1_conn_id
        self.database = database
        self.purpose = purpose
        self._children: dict[str, Nomasx1Hook] = {}

    @cached_property
    def connection(self) -> Any:
        return get_connection(self.nomasx1_conn_id, self.purpose, self.conn_type)

    @property
    def url(self) -> URL:
        return postgres_url(self.connection, self.database)

    @cached_property
    def timeouts(self) -> Timeouts:
        """extras.connect_timeout / extras.statement_timeout (seconds), see hooks/timeouts.py."""
        return Timeouts.from_extras(self.nomasx1_conn_id, extras_of(self.connection), TARGET_STATEMENT_TIMEOUT)

    @cached_property
    def engine(self) -> sa.Engine:
        conn = self.connection
        endpoint = Endpoint(
            self.nomasx1_conn_id, self.purpose, location_of(conn, "postgres"), conn.password, TargetUnreachableError
        )
        return create_engine(
            self.url, "postgres", endpoint, self.timeouts, pool_pre_ping=True, pool_size=2, max_overflow=2
        )

    def get_sqlalchemy_engine(self) -> sa.Engine:
        return self.engine

    def get_conn(self) -> Any:
        """A raw psycopg connection (for COPY); the caller closes it."""
        return self.engine.raw_connection()

    def for_database(self, database: str) -> Nomasx1Hook:
        """The same credentials, another database on the same server (disposed with this hook)."""
        if database not in self._children:
            self._children[database] = Nomasx1Hook(self.nomasx1_conn_id, database=database, purpose=self.purpose)
        return self._children[database]

    def test_connection(self) -> tuple[bool, str]:
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
