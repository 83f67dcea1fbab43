"""How every report reads the nomasx1 tables: its SQL files, its schema, its application.

A report's queries are ``sql/reports/<name>.sql`` with ``{{schema}}`` as the only substitution
(every value is a bind parameter); Core-table queries run with the schema translated. Kept apart
from :mod:`.writers`, which writes files and knows no database.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from airflow_provider_nomasx1.applications import ApplicationNotFoundError
from airflow_provider_nomasx1.errors import Nomasx1Error, sqlstate
from airflow_provider_nomasx1.pg.identifiers import quote
from airflow_provider_nomasx1.resources import fill_tokens, read_sql
from airflow_provider_nomasx1.schema import nomasx1


def report_query(schema: str, name: str) -> sa.TextClause:
    """``sql/reports/<name>.sql`` with ``{{schema}}`` replaced by the quoted schema name."""
    return sa.text(fill_tokens(read_sql("reports", f"{name}.sql"), {"schema": quote(schema, "schema")}))


def translated(schema: str) -> dict[str, Any]:
    """Execution options that put the Core tables in ``schema``."""
    return {"schema_translate_map": {None: schema}}


def application_name(conn: sa.Connection, schema: str, apps_id: int) -> Any:
    """The registered name of ``apps_id``; an unregistered application is refused."""
    apps = nomasx1.settings_applications
    query = sa.select(apps.c.apps_name).where(apps.c.apps_id == apps_id)
    row = conn.execute(query, execution_options=translated(schema)).first()
    if row is None:
        raise ApplicationNotFoundError(apps_id)
    return row[0]


def stream_rows(conn: sa.Connection, query: sa.TextClause, params: dict[str, Any]) -> Iterator[tuple]:
    """Rows from a server-side cursor: memory stays flat however many there are."""
    result = conn.execution_options(yield_per=2000).execute(query, params)
    try:
        for row in result:
            yield tuple(row)
    finally:
        result.close()


@contextlib.contextmanager
def tables_guard(schema: str, tables: str) -> Iterator[None]:
    """Turn "table does not exist" (a schema older than the report's ``tables``, e.g. "directory
    tables") into what to do."""
    try:
        yield
    except sa.exc.ProgrammingError as exc:
        if sqlstate(exc) != "42P01":
            raise
        raise Nomasx1Error(
            f"schema {schema} has no {tables} ({str(getattr(exc, 'orig', exc)).splitlines()[0]}): check --schema, "
            "or upgrade it with the nomasx1-upgrade-schema-1 job (or `nomasx1 schema upgrade --url URL`)"
        ) from None
