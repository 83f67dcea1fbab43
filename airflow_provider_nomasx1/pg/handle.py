"""One way to run a statement on whatever the caller holds.

Look-ups and locks are needed both on SQLAlchemy connections (bookkeeping, bootstrap, the install
jobs) and on psycopg cursors inside a COPY transaction (the sync, the partition swap). Statements
here use ``%s`` placeholders, which both reach psycopg unchanged. A statement without parameters
keeps its literal ``%``: psycopg gets it without parameters, SQLAlchemy (which always sends some)
with every ``%`` doubled.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeAlias

import psycopg
import sqlalchemy as sa
from psycopg import sql as psycopg_sql

#: a SQLAlchemy Connection, a psycopg Connection or a psycopg Cursor
Handle: TypeAlias = sa.Connection | psycopg.Connection | psycopg.Cursor
#: a statement: text, or one composed with :mod:`psycopg.sql` (identifiers and literals quoted by psycopg)
Statement: TypeAlias = str | psycopg_sql.SQL | psycopg_sql.Composed


def _params(params: Sequence[Any] | None) -> tuple | None:
    return tuple(params) if params else None


def _run(handle: Handle, sql: Statement, params: Sequence[Any] | None) -> Any:
    """The cursor (psycopg) or result (SQLAlchemy) of one statement."""
    if not isinstance(handle, sa.Connection):
        return handle.execute(sql, _params(params))
    text = sql if isinstance(sql, str) else sql.as_string(handle.connection.driver_connection)
    if not params:
        text = text.replace("%", "%%")
    return handle.exec_driver_sql(text, _params(params))


def fetch(handle: Handle, sql: str, params: Sequence[Any] | None = None) -> list[tuple]:
    """Rows of one statement, run in the handle's current transaction."""
    return [tuple(row) for row in _run(handle, sql, params).fetchall()]


def execute(handle: Handle, sql: Statement, params: Sequence[Any] | None = None) -> None:
    """Run one statement whose result is not needed (DDL, locks)."""
    _run(handle, sql, params)
