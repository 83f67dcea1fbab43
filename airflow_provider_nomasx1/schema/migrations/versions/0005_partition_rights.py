"""Partition security_rights_users and security_rights_snapshot by application.

A large site has tens of millions of user rights. Replacing one application's rows with
DELETE + INSERT maintains three indexes row by row (over 10 minutes for 39M rows); with one
partition per application the collection loads a new table, builds its indexes in bulk and swaps
it in, in one transaction (collectors/security/partitions.py).

The rows are kept: each table is renamed, re-created partitioned (same columns, constraints,
indexes, comments, grants) with a DEFAULT partition (rows written straight into the table), one
partition per application is created and filled, and the old table dropped. The materialised views that read security_rights_users are dropped first and
re-created from their own catalogue definition (so this migration does not depend on the
current view SQL), with their unique index and grants.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 18:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from airflow_provider_nomasx1.schema.migrations import target_schema
from airflow_provider_nomasx1.pg.identifiers import quote

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TABLES = ("security_rights_users", "security_rights_snapshot")


def _dependent_views(conn: sa.Connection, schema: str, table: str) -> list[dict]:
    rows = conn.execute(
        sa.text(
            """SELECT DISTINCT v.oid, v.relname AS name, pg_get_viewdef(v.oid) AS definition
               FROM pg_depend d
               JOIN pg_rewrite r ON r.oid = d.objid
               JOIN pg_class v ON v.oid = r.ev_class
               JOIN pg_class t ON t.oid = d.refobjid
               JOIN pg_namespace n ON n.oid = t.relnamespace
               WHERE n.nspname = :s AND t.relname = :t AND v.relkind = 'm'"""
        ),
        {"s": schema, "t": table},
    ).mappings()
    views = []
    for row in rows:
        indexes = conn.execute(
            sa.text("SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = :o"), {"o": row["oid"]}
        ).scalars()
        views.append({**row, "indexes": list(indexes), "grants": _grants(conn, schema, row["name"])})
    return views


def _grants(conn: sa.Connection, schema: str, name: str) -> list[str]:
    """GRANT statements re-creating the privileges other roles hold on ``schema.name``."""
    rows = conn.execute(
        sa.text(
            """SELECT a.privilege_type, a.grantee::regrole::text AS grantee
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
                    aclexplode(c.relacl) AS a
               WHERE n.nspname = :s AND c.relname = :t AND a.grantee <> 0 AND a.grantee <> c.relowner"""
        ),
        {"s": schema, "t": name},
    ).all()
    target = f"{quote(schema, 'schema')}.{quote(name, 'table')}"
    return [f"GRANT {privilege} ON {target} TO {grantee}" for privilege, grantee in rows]


def _indexes(conn: sa.Connection, schema: str, table: str) -> list[tuple[str, str, bool]]:
    return conn.execute(
        sa.text(
            """SELECT i.relname, pg_get_indexdef(x.indexrelid), x.indisprimary
               FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
               WHERE x.indrelid = (quote_ident(:s) || '.' || quote_ident(:t))::regclass"""
        ),
        {"s": schema, "t": table},
    ).all()


def _comment(conn: sa.Connection, schema: str, table: str) -> str | None:
    return conn.execute(
        sa.text("SELECT obj_description((quote_ident(:s) || '.' || quote_ident(:t))::regclass, 'pg_class')"),
        {"s": schema, "t": table},
    ).scalar()


def _rebuild(conn: sa.Connection, schema: str, table: str, partitioned: bool) -> None:
    """Re-create ``table`` partitioned by application (or plain again) with the same columns,
    constraints, indexes, comments, grants and rows; the old table is set aside, then dropped."""
    s = quote(schema, "schema")
    old = f"{table}_before_0005" if partitioned else f"{table}_partitioned"
    grants, indexes, comment = _grants(conn, schema, table), _indexes(conn, schema, table), _comment(conn, schema, table)
    op.execute(f"ALTER TABLE {s}.{table} RENAME TO {old}")
    for name, _definition, primary in indexes:
        if primary:
            op.execute(f"ALTER TABLE {s}.{old} RENAME CONSTRAINT {name} TO {name}_old")
        else:
            op.execute(f"ALTER INDEX {s}.{name} RENAME TO {name}_old")
    partition_by = " PARTITION BY LIST (apps_id)" if partitioned else ""
    op.execute(
        f"CREATE TABLE {s}.{table} (LIKE {s}.{old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING COMMENTS)"
        + partition_by
    )
    for name, definition, primary in indexes:
        if primary:
            op.execute(f"ALTER TABLE {s}.{table} ADD CONSTRAINT {name} PRIMARY KEY {definition[definition.index('(') :]}")
        else:
            unique = "UNIQUE " if definition.startswith("CREATE UNIQUE") else ""
            op.execute(f"CREATE {unique}INDEX {name} ON {s}.{table} {definition[definition.index('USING') :]}")
    if comment:
        literal = "'" + comment.replace("'", "''") + "'"
        op.execute(f"COMMENT ON TABLE {s}.{table} IS {literal}")
    if partitioned:
        op.execute(f"CREATE TABLE {s}.{table}_default PARTITION OF {s}.{table} DEFAULT")
        for apps_id in conn.execute(sa.text(f"SELECT DISTINCT apps_id FROM {s}.{old} ORDER BY 1")).scalars():
            part = f"{table}_a{int(apps_id)}"
            op.execute(f"CREATE TABLE {s}.{part} PARTITION OF {s}.{table} FOR VALUES IN ({int(apps_id)})")
    op.execute(f"INSERT INTO {s}.{table} SELECT * FROM {s}.{old}")
    op.execute(f"DROP TABLE {s}.{old}")
    for grant in grants:
        op.execute(grant)


def _recreate_views(schema: str, views: list[dict]) -> None:
    s = quote(schema, "schema")
    for view in views:
        select = view["definition"].rstrip().rstrip(";")
        op.execute(f"CREATE MATERIALIZED VIEW {s}.{quote(view['name'], 'view')} AS {select} WITH NO DATA")
        for index in view["indexes"]:
            op.execute(index)
        for grant in view["grants"]:
            op.execute(grant)


def _migrate(partitioned: bool) -> None:
    schema = target_schema()
    conn = op.get_bind()
    conn.execute(sa.text("SELECT set_config('search_path', :p, true)"), {"p": quote(schema, "schema")})
    views: dict[str, dict] = {}
    for table in TABLES:
        for view in _dependent_views(conn, schema, table):
            views[view["name"]] = view
    for name in views:
        op.execute(f"DROP MATERIALIZED VIEW {quote(schema, 'schema')}.{quote(name, 'view')}")
    for table in TABLES:
        _rebuild(conn, schema, table, partitioned)
    _recreate_views(schema, list(views.values()))


def upgrade() -> None:
    _migrate(partitioned=True)


def downgrade() -> None:
    """Fold the partitions back into plain tables, rows kept."""
    _migrate(partitioned=False)
