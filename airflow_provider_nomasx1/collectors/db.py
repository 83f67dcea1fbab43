"""Install callables: databases and roles, schema bootstrap and upgrade, view refresh.

Every callable is idempotent: a second run finds everything in place and changes nothing.
The statements themselves (roles with a client-side SCRAM verifier, databases, grants) are
:mod:`airflow_provider_nomasx1.pg.admin`'s; this module adds the step's params, logs and errors.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.errors import ConfigurationError, describe_error, sqlstate
from airflow_provider_nomasx1.pg import admin as pg_admin
from airflow_provider_nomasx1.pg.identifiers import checked


@dataclass(frozen=True)
class TargetDatabase:
    """What one target connection asks for: a database owned by a login role."""

    conn_id: str
    database: str
    login: str | None
    password: str | None


def _target(ctx: StepContext, conn_id: str) -> TargetDatabase:
    conn = ctx.hook_factory("target", conn_id).connection
    database = checked(conn.schema or conn_id, f"database name of connection {conn_id!r}")
    login = checked(conn.login, f"login of connection {conn_id!r}") if conn.login else None
    return TargetDatabase(conn_id, database, login, conn.password or None)


def _privilege_error(ctx: StepContext, admin_id: str, exc: Exception, what: str) -> ConfigurationError:
    user = ctx.hook_factory("admin", admin_id).connection.login or "?"
    return ConfigurationError(
        f"the admin connection {admin_id!r} (user {user!r}) may not {what}: "
        f"{describe_error(exc)}. "
        f"As a superuser run `ALTER ROLE {user} CREATEDB CREATEROLE;`, "
        "or create the roles and databases yourself and rerun with create_roles=false."
    )


def _ensure_role(ctx: StepContext, conn: sa.Connection, target: TargetDatabase) -> bool:
    if not target.login:
        raise ConfigurationError(f"connection {target.conn_id!r} has no login: set the role to create")
    if pg_admin.role_exists(conn, target.login):
        ctx.log.info("role %s exists: left unchanged", target.login)
        return False
    if not target.password:
        raise ConfigurationError(
            f"connection {target.conn_id!r} has no password: set one, the role {target.login!r} is created with it"
        )
    pg_admin.create_login_role(conn, target.login, target.password)
    ctx.log.info("role %s created (login, no superuser/createdb/createrole)", target.login)
    return True


def _ensure_database(ctx: StepContext, conn: sa.Connection, target: TargetDatabase, owner: str | None) -> bool:
    """Create the database when missing, then (every run) close it to PUBLIC and open it to its reader."""
    created = not pg_admin.database_exists(conn, target.database)
    if created:
        pg_admin.create_database(conn, target.database, owner)
        ctx.log.info("database %s created%s", target.database, f" (owner {owner})" if owner else "")
    else:
        ctx.log.info("database %s exists: left unchanged", target.database)
    if pg_admin.secure_database(conn, target.database):
        ctx.log.info("read-only role %s created", pg_admin.reader_role(target.database))
        created = True
    return created


def create_databases(ctx: StepContext) -> None:
    """Create the login roles and databases of the ``targets`` connections through the admin one."""
    admin_id = ctx.param("admin_connector", "default")
    targets = [_target(ctx, conn_id) for conn_id in ctx.param("targets") or []]
    if not targets:
        raise ConfigurationError("param 'targets' is empty: list the target connection ids (nomasx1, nomajde)")
    create_roles = bool(ctx.param("create_roles", True))
    admin = ctx.hook_factory("admin", admin_id)
    created = 0
    with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for target in targets:
            try:
                if create_roles:
                    created += _ensure_role(ctx, conn, target)
                owner = target.login if create_roles else None
                created += _ensure_database(ctx, conn, target, owner)
            except (DBAPIError, psycopg.Error) as exc:
                if sqlstate(exc) == "42501":  # insufficient_privilege
                    raise _privilege_error(ctx, admin_id, exc, "create roles or databases") from None
                raise
    ctx.result.message = f"{created} object(s) created" if created else "everything already in place"
    ctx.log.info(ctx.result.message)


def init_schema(ctx: StepContext) -> None:
    """Create the missing nomasx1 objects in ``target_schema`` (never drops or alters anything)."""
    init_schema_on(ctx, ctx.target().engine)


def init_schema_on(ctx: StepContext, engine: sa.Engine) -> None:
    """Bootstrap ``target_schema`` through ``engine`` and let the reader role read it."""
    from airflow_provider_nomasx1.schema import bootstrap

    report = bootstrap.init_schema(engine, ctx.schema)
    ctx.result.message = report.summary()
    ctx.log.info(ctx.result.message)
    if report.upgrade_needed:
        ctx.log.warning("the schema is behind this provider version: run nomasx1-upgrade-schema-1")
    _grant_reader(ctx, engine)


def init_mirror(ctx: StepContext) -> None:
    """Create the mirror schema ``mirror_schema`` (and its bookkeeping tables) in the database of
    ``mirror_connector``: the schema nomajde-daily-sync writes, which the sync never creates itself.
    An empty ``mirror_connector`` skips the step (no mirror)."""
    from airflow_provider_nomasx1.collectors.sync import ensure_mirror_refresh

    conn_id = ctx.param("mirror_connector")
    if not conn_id:
        ctx.result.message = "no mirror_connector: no mirror schema created"
        ctx.log.info(ctx.result.message)
        return
    schema = checked(ctx.param("mirror_schema") or "", "param mirror_schema")
    engine = ctx.hook("mirror_connector", "target").engine
    created = ensure_mirror_refresh(engine, schema, conn_id=conn_id, create_schema=True)
    ctx.result.message = f"mirror schema {schema} {'created' if created else 'left unchanged'} (connection {conn_id})"
    ctx.log.info(ctx.result.message)
    _grant_reader(ctx, engine, schema)


def _grant_reader(ctx: StepContext, engine: sa.Engine, schema_name: str | None = None) -> None:
    """Let the database's ``<database>_reader`` role (made by deploy-databases) read the schema
    (``schema_name``, default the step's target schema)."""
    schema_name = schema_name or ctx.schema
    with engine.begin() as conn:
        reader = pg_admin.reader_role(conn.execute(sa.text("SELECT current_database()")).scalar())
        if not pg_admin.role_exists(conn, reader):
            return
        pg_admin.grant_schema_read(conn, schema_name, reader)
    ctx.log.info("read access to schema %s granted to %s", schema_name, reader)


def upgrade_schema(ctx: StepContext) -> None:
    """``alembic upgrade head`` on ``target_schema``; a no-op at head."""
    from airflow_provider_nomasx1.schema import bootstrap

    report = bootstrap.upgrade_schema(ctx.target().engine, ctx.schema)
    ctx.result.message = report.summary()
    ctx.log.info(ctx.result.message)


def refresh_views(ctx: StepContext) -> None:
    """Refresh every materialised view of ``target_schema``."""
    from airflow_provider_nomasx1.schema import bootstrap

    for view, rows in bootstrap.refresh_views(ctx.target().engine, ctx.schema).items():
        ctx.result.add(view, rows)
        ctx.log.info("refreshed %s: %s rows", view, f"{rows:,}")
