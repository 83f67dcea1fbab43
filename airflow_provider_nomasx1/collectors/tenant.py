"""`nomasx1-init-db`: a parallel tenant (``nomasx1b``...) beside an existing nomasx1 install.

It creates the tenant's database on the server of the source connection, clones the source
connection under the new id (pointing at the new database) through the Airflow REST API, and
bootstraps the schema. It refuses to touch a tenant that already exists.
"""

from __future__ import annotations

import sqlalchemy as sa

from airflow_provider_nomasx1 import pgadmin
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.errors import ConfigurationError
from airflow_provider_nomasx1.sqlident import checked


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
    admin = ctx.hook_factory("admin", ctx.param("admin_connector", "default"))
    with admin.engine.connect() as conn:
        if not pgadmin.database_exists(conn, database):
            return "missing"
    with admin.for_database(database).engine.connect() as conn:
        used = conn.execute(
            sa.text("SELECT 1 FROM information_schema.tables WHERE table_schema = :s LIMIT 1"), {"s": ctx.schema}
        ).first()
    return "in use" if used else "empty"


def precheck(ctx: StepContext) -> None:
    """Refuse early (changing nothing) when the tenant's connection or database is already in use."""
    source, new_conn, database = _names(ctx)
    _ = ctx.hook_factory("target", source).connection  # the source must exist: clear error otherwise
    api = _api(ctx)
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
    source, _new_conn, database = _names(ctx)
    owner = ctx.hook_factory("target", source).connection.login
    admin = ctx.hook_factory("admin", ctx.param("admin_connector", "default"))
    with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if pgadmin.database_exists(conn, database):
            ctx.log.info("database %s exists and is empty: reused", database)
        else:
            pgadmin.create_database(conn, database, owner)
            ctx.log.info("database %s created (owner %s)", database, owner)
        pgadmin.secure_database(conn, database)


def clone_connection(ctx: StepContext) -> None:
    """Create ``new_connection`` as a copy of ``source_connection`` pointing at the new database."""
    source, new_conn, database = _names(ctx)
    src = ctx.hook_factory("target", source).connection
    payload = {
        "connection_id": new_conn,
        "conn_type": src.conn_type,
        "description": f"nomasx1 tenant {new_conn} (cloned from {source} by nomasx1-init-db)",
        "host": src.host,
        "port": src.port,
        "login": src.login,
        "password": src.password,
        "schema": database,
        "extra": src.extra,
    }
    _api(ctx).create_connection(payload)
    ctx.log.info("connection %s created from %s (database %s)", new_conn, source, database)


def init_schema(ctx: StepContext) -> None:
    """Bootstrap the schema in the new tenant database.

    It connects with the source connection's credentials to the new database, which is exactly
    what the cloned connection holds, so it does not depend on how fast a secrets backend or a
    cache sees the connection just created.
    """
    from airflow_provider_nomasx1.collectors import db

    source, _new_conn, database = _names(ctx)
    db.init_schema_on(ctx, ctx.hook_factory("target", source).for_database(database).engine)


def _api(ctx: StepContext):
    from airflow_provider_nomasx1.hooks.airflow_api import AirflowApiHook

    return AirflowApiHook(ctx.param("api_connector", "airflow_api"))
