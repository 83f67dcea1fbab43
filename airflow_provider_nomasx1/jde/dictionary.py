"""The source's own catalogue, read for the tables a step discovers rather than names.

The transaction scan (``collectors/licence/transactions.py``) covers every business table of a
site, thousands of them, whose audit columns are ``<prefix>USER`` / ``<prefix>UPMJ``. Inspecting
them one by one would cost a catalogue round trip per table, so one query per schema lists the
tables and only their candidate audit columns (``sql/jde/audit_columns_<dialect>.sql``: the same
shape on Oracle, SQL Server and PostgreSQL), streamed into the target like any other source rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from airflow_provider_nomasx1.pg.identifiers import checked
from airflow_provider_nomasx1.resources import fill_tokens, read_sql

#: the columns of the catalogue query's rows (one per table and candidate column)
AUDIT_CATALOGUE_COLUMNS = ["schema_key", "table_name", "column_name"]


def audit_columns_sql(dialect: str, schemas: Mapping[str, str], extra_columns: Iterable[str] = ()) -> str:
    """The catalogue query for ``schemas`` (schema-map key -> physical schema name) on ``dialect``
    (``postgresql``, ``oracle``, ``mssql``): every base table with its columns ending in USER or
    UPMJ or named in ``extra_columns`` (the connection's audit-column overrides), a table without
    any giving one row with a NULL column. Names are checked identifiers, inlined as literals."""
    template = read_sql("jde", f"audit_columns_{dialect}.sql").strip().rstrip(";")
    extras = sorted({checked(c, "audit column override").upper() for c in extra_columns}) or ["-"]
    parts = [
        fill_tokens(
            template,
            {
                "schema_key": f"'{checked(key, 'schema map key')}'",
                "schema": f"'{checked(schema, 'JDE schema')}'",
                "extra_columns": ", ".join(f"'{c}'" for c in extras),
            },
        )
        for key, schema in schemas.items()
    ]
    return "\nUNION ALL\n".join(parts)
