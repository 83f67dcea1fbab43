"""Stream JDE source rows into temporary tables of the nomasx1 target: how collectors read JDE.

The JDE database (Oracle in production, PostgreSQL in tests) and the nomasx1 target are different
databases, so a collector cannot join across them. Each step therefore copies the few columns it
needs from the source into ``TEMP`` tables of its target transaction (``COPY`` both ways for a
PostgreSQL source, ``fetchmany`` batches into ``COPY`` for Oracle / SQL Server: never a whole
table in Python), then derives its results with set-based SQL on the target.

Temp tables hold the raw JDE values as text (blank padding and all); the SQL trims and converts
them (``pg_temp.jde_date`` for Julian dates, see :mod:`airflow_provider_nomasx1.jde.session_functions`).
Physical names come from the connection's schema map; uncertain column names can be overridden with
the connection extras ``catalogue`` (``{"F95921.include_in_all": "RLCUSTOM"}``), and a missing table
or column fails with the physical name that was looked for.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from airflow_provider_nomasx1.errors import ConfigurationError, SourceUnavailableError
from airflow_provider_nomasx1.jde.databases import DIALECTS, physical_name
from airflow_provider_nomasx1.jde.source_table import SourceTable, TableCheck
from airflow_provider_nomasx1.pg.identifiers import checked

log = logging.getLogger(__name__)

#: rows per fetchmany batch for Oracle / SQL Server sources
FETCH_BATCH = 5000


class JdeReader:
    """Reads a JDE source through its hook: anything with ``db_type``, ``schemas`` (a
    :class:`~airflow_provider_nomasx1.jde.schema_map.JdeSchemaMap`), ``catalogue_overrides`` and
    ``engine``, i.e. :class:`~airflow_provider_nomasx1.hooks.jde.JdeHook` (jde/ does not import it)."""

    def __init__(self, hook: Any, logger: logging.Logger | None = None) -> None:
        self.hook = hook
        self.log = logger or log
        db_type = hook.db_type
        if db_type not in DIALECTS:
            raise ConfigurationError(f"unsupported JDE database type {db_type!r}")
        self.dialect = DIALECTS[db_type]
        self.schemas = hook.schemas
        self.overrides = hook.catalogue_overrides
        self.conn_id = getattr(hook, "jde_conn_id", "jdedwards")

    # -- names -------------------------------------------------------------------------------
    def _physical(self, name: str) -> str:
        return physical_name(name, self.dialect)

    def schema_of(self, source: str) -> str:
        if source == "security":
            return self._physical(self.schemas.security_schema)
        value = getattr(self.schemas, source, None)
        if not value:
            raise ConfigurationError(f"unknown JDE data source {source!r} (schema map keys: system, control, ...)")
        return self._physical(value)

    def table_name(self, table: SourceTable) -> str:
        name = self.overrides.get(table.name.upper(), table.name)
        return self._physical(checked(name, f"JDE table name for {table.name}"))

    def qualified(self, table: SourceTable) -> str:
        return f"{self.schema_of(table.source)}.{self.table_name(table)}"

    def column(self, table: SourceTable, logical: str) -> str:
        default = table.columns[logical]
        name = self.overrides.get(f"{table.name.upper()}.{logical}", default)
        return self._physical(checked(name, f"JDE column {table.name}.{logical}"))

    # -- checks ------------------------------------------------------------------------------
    def present_columns(self, conn: sa.Connection, table: SourceTable) -> dict[str, str | None]:
        """logical -> physical column, None for an absent optional column; raises when the table
        or a required column is missing, naming what was looked for."""
        check = self.check_table(conn, table)
        if check.problem:
            raise SourceUnavailableError(check.problem)
        return dict(check.columns)

    def check_table(self, conn: sa.Connection, table: SourceTable) -> TableCheck:
        """The table's columns as the source has them, or the problem (missing table or required
        column, with the physical names looked for and how to override them)."""
        insp = sa.inspect(conn)
        schema, name = self.schema_of(table.source), self.table_name(table)
        if not insp.has_table(name.lower(), schema=schema.lower()):
            return TableCheck(
                {},
                f"JDE table {schema}.{name} ({table.name}) not found through connection {self.conn_id!r}. "
                f"Check the connection's schema map entry {table.source!r} or override the table name with "
                f'extras.catalogue {{"{table.name}": "<physical name>"}}.',
                found=False,
            )
        found = {c["name"].lower() for c in insp.get_columns(name.lower(), schema=schema.lower())}
        result: dict[str, str | None] = {}
        missing: list[str] = []
        first_missing = None
        for logical in table.columns:
            physical = self.column(table, logical)
            if physical.lower() in found:
                result[logical] = physical
            elif logical in table.optional:
                result[logical] = None
            else:
                missing.append(f"{physical} ({logical})")
                first_missing = first_missing or logical
        if missing:
            unverified = (
                f" The columns of {table.name} are our unverified reading of the JDE layout (Oracle does not "
                "publish it; docs/license.md lists them): look up the site's physical names (F98711 or the "
                "table's DDL) and map each one."
                if table.unverified
                else ""
            )
            return TableCheck(
                result,
                f"JDE table {schema}.{name} has no column {', '.join(missing)}. Override the physical name in the "
                f'connection extras, e.g. "catalogue": {{"{table.name}.{first_missing}": "<COLUMN>"}}.{unverified}',
            )
        return TableCheck(result)

    # -- streaming ---------------------------------------------------------------------------
    @contextmanager
    def snapshot(self) -> Iterator[Any]:
        """A raw DBAPI connection reading one consistent snapshot (read-only) until closed."""
        raw = self.hook.engine.raw_connection()
        try:
            cur = raw.cursor()
            if self.dialect == "postgresql":
                cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            elif self.dialect == "oracle":
                cur.execute("SET TRANSACTION READ ONLY")
            cur.close()
            yield raw
        finally:
            try:
                raw.rollback()
            finally:
                raw.close()

    def select_sql(self, conn: sa.Connection, table: SourceTable, where: str | None = None) -> tuple[str, list[str]]:
        """SELECT of the table's logical columns (absent optional ones as NULL) and their names."""
        present = self.present_columns(conn, table)
        items = [phys if phys else "NULL" for phys in present.values()]
        sql = f"SELECT {', '.join(items)} FROM {self.qualified(table)}"
        if where:
            sql += f" WHERE {where}"
        return sql, list(present)

    def copy_to_temp(
        self,
        source: Any,
        target_cur: Any,
        temp: str,
        select: str,
        columns: Sequence[str],
    ) -> int:
        """Run ``select`` on the source and load its rows into a new TEMP table ``temp`` (text
        columns named ``columns``) through ``target_cur`` (a psycopg cursor). Returns the row count."""
        create_temp(target_cur, temp, columns)
        cols = ", ".join(columns)
        rows = 0
        with target_cur.copy(f"COPY {temp} ({cols}) FROM STDIN") as sink:
            if self.dialect == "postgresql":
                with source.cursor() as src, src.copy(f"COPY ({select}) TO STDOUT") as out:
                    for block in out:
                        sink.write(block)
                        rows += 1
            else:
                cur = source.cursor()
                try:
                    cur.arraysize = FETCH_BATCH
                    cur.execute(select)
                    while batch := cur.fetchmany(FETCH_BATCH):
                        for row in batch:
                            sink.write_row(row)
                        rows += len(batch)
                finally:
                    cur.close()
        target_cur.execute(f"ANALYZE {temp}")
        self.log.info("read %s rows from the JDE source into %s", f"{rows:,}", temp)
        return rows


def create_temp(target_cur: Any, temp: str, columns: Sequence[str]) -> None:
    """(Re)create the empty TEMP table ``temp`` with text columns ``columns``: the shape every
    extract has, so an optional source that is missing reads as no rows."""
    checked(temp, "temp table name")
    definition = ", ".join(f"{checked(c, 'column name')} text" for c in columns)
    target_cur.execute(f"DROP TABLE IF EXISTS pg_temp.{temp}")
    target_cur.execute(f"CREATE TEMP TABLE {temp} ({definition})")
