"""`nomasx1-init-db`: a parallel tenant (``nomasx1b``...) beside an existing nomasx1 install.

It creates the tenant's database on the server of the source connection, clones the source
connection under the new id (pointing at the new database) through the Airflow REST API, and
bootstraps the schema. It refuses to touch a tenant that already exists.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.errors import ConfigurationError
from airflow_provider_nomasx1.pg import admin as pg_admin
from airflow_provider_nomasx1.pg.identifiers import checked


def _names(ctx: StepContext) -> tuple[str, str, str]:
    source = ctx.param("source_connection")
    new_conn = ctx.param("new_connection")
    database = checked(ctx.param("new_database") or new_conn, "new database name")
    if not source or not new_conn:
        raise ConfigurationError("params 'source_connection' and 'new_connection' are required")
    if new_conn == source:
        raise ConfigurationError("new_connection must differ from source_connection")
    return source, new_conn, database


def _database_state(ctx: StepContext, database: str) -> str:
    """``missing``, ``empty`` (exists, no target schema) or ``in use``."""
    admin = ctx.hook_for("admin")
    with admin.engine.connect() as conn:
        if not pg_admin.database_exists(conn, database):
            return "missing"
    with admin.for_database(database).engine.connect() as conn:
        used = conn.execute(
            sa.text("SELECT 1 FROM information_schema.tables WHERE table_schema = :s LIMIT 1"), {"s": ctx.schema}
        ).first()
    return "in use" if used else "empty"


def precheck(ctx: StepContext) -> None:
    """Refuse early (changing nothing) when the tenant's connection or database is already in use."""
    _source, new_conn, database = _names(ctx)
    _ = _source_hook(ctx).connection  # the source must exist: clear error otherwise
    api = ctx.hook_for("api")
    if api.connection_exists(new_conn):
        raise ConfigurationError(
            f"connection {new_conn!r} already exists: this tenant is set up. Pick another new_connection, "
            f"or run nomasx1-init-schema-1 with target_connector={new_conn!r} to complete its schema."
        )
    state = _database_state(ctx, database)
    if state == "in use":
        raise ConfigurationError(
            f"database {database!r} already holds schema {ctx.schema!r}: refusing to reuse it for a new tenant"
        )
    ctx.result.message = f"tenant {new_conn!r} can be created (database {database}: {state})"
    ctx.log.info(ctx.result.message)


def create_database(ctx: StepContext) -> None:
    """Create the tenant database, owned by the source connection's login, closed to PUBLIC."""
    _source, _new_conn, database = _names(ctx)
    owner = _source_hook(ctx).connection.login
    admin = ctx.hook_for("admin")
    with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if pg_admin.database_exists(conn, database):
            ctx.log.info("database %s exists and is empty: reused", database)
        else:
            pg_admin.create_database(conn, database, owner)
            ctx.log.info("database %s created (owner %s)", database, owner)
        pg_admin.secure_database(conn, database)


def clone_connection(ctx: StepContext) -> None:
    """Create ``new_connection`` as a copy of ``source_connection`` pointing at the new database."""
    source, new_conn, database = _names(ctx)
    ctx.hook_for("api").copy_connection(
        _source_hook(ctx).connection,
        new_conn,
        schema=database,
        description=f"nomasx1 tenant {new_conn} (cloned from {source} by nomasx1-init-db)",
    )
    ctx.log.info("connection %s created from %s (database %s)", new_conn, source, database)


def init_schema(ctx: StepContext) -> None:
    """Bootstrap the schema in the new tenant database.

    It connects with the source connection's credentials to the new database, which is exactly
    what the cloned connection holds, so it does not depend on how fast a secrets backend or a
    cache sees the connection just created.
    """
    from airflow_provider_nomasx1.collectors import db

    _source, _new_conn, database = _names(ctx)
    db.init_schema_on(ctx, _source_hook(ctx).for_database(database).engine)


def _source_hook(ctx: StepContext) -> Any:
    """The target hook of the existing install the tenant is cloned from (param ``source_connection``)."""
    return ctx.hook("source_connection", "target")
