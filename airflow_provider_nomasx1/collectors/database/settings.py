"""The database steps' settings and session: the application the database belongs to, the run's
as-of date (the key of every row set), and whether it is a JD Edwards database.

The database is registered as an application: apps_type JDE (the JDE application's own
database: the Technology Foundation angle applies, docs/database.md "JD Edwards databases") or
DATABASE (any other Oracle database).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from airflow_provider_nomasx1.collectors.security.base import as_of_date
from airflow_provider_nomasx1.collectors.session import StepSession, step_session
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.errors import ConfigurationError
from airflow_provider_nomasx1.jde import coded_values
from airflow_provider_nomasx1.jde.coded_values import CodedValues
from airflow_provider_nomasx1.pg.copy import copy_rows
from airflow_provider_nomasx1.pg.identifiers import quote

#: the application types whose database the job reads
DATABASE_APPS_TYPES = ("JDE", "DATABASE")


@dataclass(frozen=True)
class DatabaseSettings:
    """What the database steps depend on (docs/database.md, "Applications")."""

    apps_id: int
    as_of: dt.date
    apps_type: str
    collapse_max_shrink: float
    coded_values: CodedValues = coded_values.DEFAULTS

    @property
    def jde_database(self) -> bool:
        """The database of a JD Edwards application (Technology Foundation's restricted use)."""
        return self.apps_type == "JDE"


def load_database_settings(conn: sa.Connection, schema: str, apps_id: int | None, as_of: dt.date) -> DatabaseSettings:
    if apps_id is None:
        raise ConfigurationError("param apps_id is required: the application whose Oracle database is read")
    row = conn.execute(
        sa.text(f"SELECT apps_type, collapse_max_shrink FROM {quote(schema, 'schema')}.settings_applications "
                "WHERE apps_id = :a"),
        {"a": apps_id},
    ).first()  # fmt: skip
    if row is None:
        raise ConfigurationError(
            f"application {apps_id} is not registered: register the database under its JDE application, or as "
            f"`nomasx1 apps add --apps-id {apps_id} --name NAME --type DATABASE --url URL` (docs/database.md); "
            "nothing was changed."
        )
    if row[0] not in DATABASE_APPS_TYPES:
        raise ConfigurationError(
            f"application {apps_id} is of type {row[0]}: the database job reads the Oracle database of a JDE or a "
            "DATABASE application (param apps_id; docs/database.md); nothing was changed."
        )
    return DatabaseSettings(apps_id=apps_id, as_of=as_of, apps_type=row[0], collapse_max_shrink=float(row[1]))


#: a session of the database steps: the settings, the SQL of ``sql/database/``
DatabaseSession = StepSession[DatabaseSettings]


@contextmanager
def database_session(ctx: StepContext) -> Iterator[DatabaseSession]:
    """ONE target transaction running the files of ``sql/database/``; the as-of date (the run's
    Paris day, or param as_of_date) is checked before any connection is opened."""
    as_of = as_of_date(ctx)
    with step_session(ctx, "database", lambda conn: load_database_settings(conn, ctx.schema, ctx.apps_id, as_of)) as s:
        yield s


def replace_rows(s: DatabaseSession, table: str, columns: Sequence[str], rows: Any) -> int:
    """Replace the application's row set of the run's as-of date in ``table`` with ``rows`` (each
    row the values of ``columns``; apps_id, as_of_date and run_id are added): earlier dates stay."""
    s.conn.exec_driver_sql(
        s.render(f"DELETE FROM {{{{schema}}}}.{table} WHERE apps_id = {{{{apps_id}}}} AND as_of_date = {{{{as_of}}}}")
    )
    keys = (s.apps_id, s.settings.as_of, s.ctx.run_id)
    with s.cursor as cur:
        return copy_rows(
            cur,
            f"{quote(s.schema, 'schema')}.{quote(table, 'table')}",
            ("apps_id", "as_of_date", "run_id", *columns),
            ((*keys, *row) for row in rows),
        )


def require_properties(s: DatabaseSession) -> tuple[Any, ...]:
    """The run's db_ora_properties row (major_version, cdb): written by DB_ORA_PROPERTIES first."""
    row = s.conn.exec_driver_sql(
        s.render("SELECT major_version, cdb FROM {{schema}}.db_ora_properties "
                 "WHERE apps_id = {{apps_id}} AND as_of_date = {{as_of}}")
    ).first()  # fmt: skip
    if row is None:
        raise ConfigurationError(
            f"{s.schema}.db_ora_properties has no row for application {s.apps_id} on {s.settings.as_of}: run step "
            "DB_ORA_PROPERTIES of nomasx1-database-1 first (this step reads it); nothing was changed."
        )
    return tuple(row)
