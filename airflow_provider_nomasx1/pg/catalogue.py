"""Catalogue look-ups of the target, written once: existence, columns, indexes, grants, comments,
dependent views, and the "table not there yet" case the bookkeeping tolerates.

Names are bound as parameters and quoted by the server (``quote_ident``), so a look-up never
needs a validated identifier and never fails on an unusual one: it answers "not there".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError

from airflow_provider_nomasx1.errors import describe_error, sqlstate
from airflow_provider_nomasx1.pg.handle import Handle, fetch

#: the relation ``schema.name`` (NULL when missing), for ``%s, %s`` = schema, name
_RELATION = "to_regclass(quote_ident(%s) || '.' || quote_ident(%s))"

#: undefined_table, invalid_schema_name: the table (or its whole schema) is not there
MISSING_RELATION = frozenset({"42P01", "3F000"})


def table_exists(conn: Handle, schema: str, name: str) -> bool:
    """Whether the table (or view, index, sequence) ``schema.name`` exists."""
    return bool(fetch(conn, f"SELECT {_RELATION} IS NOT NULL", (schema, name))[0][0])


def columns(conn: Handle, schema: str, table: str) -> dict[str, str] | None:
    """{column: formatted type} of a table in column order; None when it does not exist."""
    oid = fetch(conn, f"SELECT {_RELATION}::oid", (schema, table))[0][0]
    if oid is None:
        return None
    rows = fetch(
        conn,
        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = %s AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
        (oid,),
    )
    return dict(rows)


@dataclass(frozen=True)
class IndexDefinition:
    """One index of a table, as ``pg_get_indexdef`` spells it."""

    name: str
    definition: str  # CREATE [UNIQUE] INDEX name ON [ONLY] schema.table USING method (...) ...
    primary: bool
    constraint: str | None  # p (primary key), u (unique), x (exclusion) or None: a plain index

    @property
    def unique(self) -> bool:
        return self.definition.startswith("CREATE UNIQUE")

    @property
    def body(self) -> str:
        """`` USING method (columns) [INCLUDE ...] [WHERE ...]``: the part that names no table."""
        return self.definition[self.definition.find(" USING ") :]

    @property
    def key(self) -> str:
        """``(columns) ...`` after the method: the column list of a primary key built like it."""
        return self.definition[self.definition.index("(") :]

    def create_sql(self, name: str, table: str) -> str:
        """The same index named ``name`` on ``table`` (both already quoted or plain identifiers)."""
        return f"CREATE {'UNIQUE ' if self.unique else ''}INDEX {name} ON {table}{self.body}"


def index_definitions(conn: Handle, schema: str, table: str) -> list[IndexDefinition]:
    """The indexes of ``schema.table`` by name (none when the table does not exist)."""
    rows = fetch(
        conn,
        "SELECT i.relname, pg_get_indexdef(x.indexrelid), x.indisprimary, c.contype FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid "
        "LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid "
        f"WHERE x.indrelid = {_RELATION} ORDER BY i.relname",
        (schema, table),
    )
    return [IndexDefinition(name, definition, bool(primary), contype) for name, definition, primary, contype in rows]


def check_constraints(conn: Handle, schema: str, table: str) -> list[str]:
    """Names of the CHECK constraints of ``schema.table``, sorted."""
    rows = fetch(
        conn,
        f"SELECT conname FROM pg_constraint WHERE conrelid = {_RELATION} AND contype = 'c' ORDER BY conname",
        (schema, table),
    )
    return [name for (name,) in rows]


@dataclass(frozen=True)
class TableGrant:
    """One privilege on a table granted to a role other than its owner."""

    grantee: str  # quoted role name, or PUBLIC
    privilege: str  # SELECT, INSERT, ...
    grantable: bool


def table_grants(conn: Handle, schema: str, table: str) -> list[TableGrant]:
    """The privileges on ``schema.table`` that a rebuilt table must get back."""
    rows = fetch(
        conn,
        "SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END, "
        "a.privilege_type, a.is_grantable FROM pg_class c, aclexplode(c.relacl) a "
        f"WHERE c.oid = {_RELATION} AND a.grantee <> c.relowner",
        (schema, table),
    )
    return [TableGrant(who, privilege, bool(grantable)) for who, privilege, grantable in rows]


def table_comment(conn: Handle, schema: str, table: str) -> str | None:
    """``COMMENT ON TABLE`` text of ``schema.table`` (None when it has none)."""
    return fetch(conn, f"SELECT obj_description({_RELATION}, 'pg_class')", (schema, table))[0][0]


def has_dependent_views(conn: Handle, schema: str, table: str) -> bool:
    """Whether a view or materialised view reads ``schema.table`` (it could then not be dropped)."""
    rows = fetch(
        conn,
        "SELECT EXISTS (SELECT 1 FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid "
        f"WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = {_RELATION} AND r.ev_class <> d.refobjid)",
        (schema, table),
    )
    return bool(rows[0][0])


def is_missing_relation(exc: BaseException) -> bool:
    """Whether a database error says a table or its schema does not exist."""
    return sqlstate(exc) in MISSING_RELATION


def tolerate_missing_table(exc: DBAPIError, log: logging.Logger, message: str, *args: object) -> None:
    """Re-raise ``exc`` unless it says a table or schema is missing; then log ``message`` (its
    first ``%s`` is the error) as a warning and return: bookkeeping written before the install
    jobs created its table must not fail the step."""
    if not is_missing_relation(exc):
        raise exc
    log.warning(message, describe_error(exc), *args)
