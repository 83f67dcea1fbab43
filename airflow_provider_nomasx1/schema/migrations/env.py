"""Alembic env for the nomasx1 schema: online only, version table inside the target schema.

Programmatic use (what bootstrap does): ``Config.attributes["connection"]`` is an open SQLAlchemy
connection, usually inside a transaction the caller owns (then every migration and the version
bump commit or roll back together), and ``Config.attributes["schema"]`` the target schema.

Command-line use (developers): ``sqlalchemy.url`` main option or ``NOMASX1_DATABASE_URL``, and
``-x schema=NAME``; the search_path is set to the schema for the transaction so autogenerate
compares the models with that schema.
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from alembic import context

from airflow_provider_nomasx1.pg.identifiers import quote
from airflow_provider_nomasx1.schema.migrations import target_schema
from airflow_provider_nomasx1.schema.nomasx1 import metadata
from airflow_provider_nomasx1.schema.views import VIEWS_BY_NAME

config = context.config
schema = target_schema()


def _include_object(obj, name, type_, reflected, compare_to):
    """Autogenerate: ignore the version table and the materialised views (managed by hand)."""
    if type_ == "table" and (name == "alembic_version" or name in VIEWS_BY_NAME):
        return False
    return not (type_ == "index" and name and name.startswith("ux_"))


def _ensure_schema(connection: sa.Connection) -> None:
    """Create the schema when missing (alembic writes its version table there first)."""
    exists = connection.execute(
        sa.text("SELECT 1 FROM pg_namespace WHERE nspname = :schema"), {"schema": schema}
    ).first()
    if exists is None:
        connection.execute(sa.text(f"CREATE SCHEMA {quote(schema, 'schema name')}"))


def _run(connection: sa.Connection, set_search_path: bool) -> None:
    _ensure_schema(connection)
    if set_search_path:
        connection.execute(sa.text("SELECT set_config('search_path', :p, true)"), {"p": quote(schema, "schema name")})
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table_schema=schema,
        include_object=_include_object,
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection, set_search_path=False)
        return
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("NOMASX1_DATABASE_URL")
    if not url:
        raise RuntimeError(
            "No database: pass a connection in Config.attributes['connection'] (see "
            "airflow_provider_nomasx1.schema.bootstrap.alembic_config), or set sqlalchemy.url / "
            "NOMASX1_DATABASE_URL."
        )
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as conn:
            _run(conn, set_search_path=True)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("Offline (--sql) mode is not supported for the nomasx1 schema; run online.")
run_migrations_online()
