"""PostgreSQL administration shared by the install jobs, the demo and the tests: roles,
databases, grants.

Every statement is idempotent or guarded by an existence check, and every identifier is validated
and quoted (:mod:`~airflow_provider_nomasx1.pg.identifiers`): names come from connections and params.
Passwords never travel as plain text in SQL: a login role gets a SCRAM verifier computed client-side.
"""

from __future__ import annotations

import psycopg
import sqlalchemy as sa
from psycopg import sql as psycopg_sql
from sqlalchemy.engine import URL, make_url

from airflow_provider_nomasx1.pg.catalogue import TableGrant, table_exists
from airflow_provider_nomasx1.pg.identifiers import checked, quote

__all__ = [
    "create_database",
    "create_login_role",
    "database_exists",
    "drop_database",
    "grant_schema_read",
    "grant_sql",
    "normalise_url",
    "reader_role",
    "role_exists",
    "secure_database",
    "table_exists",
]


def normalise_url(url: str | URL) -> URL:
    """A PostgreSQL URL with the psycopg 3 driver, whatever scheme the caller used."""
    return make_url(url).set(drivername="postgresql+psycopg")


def role_exists(conn: sa.Connection, role: str) -> bool:
    return conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first() is not None


def database_exists(conn: sa.Connection, database: str) -> bool:
    return conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": database}).first() is not None


def create_database(conn: sa.Connection, database: str, owner: str | None = None) -> None:
    """CREATE DATABASE (UTF-8, from template0); ``conn`` must be in autocommit mode."""
    owner_sql = f" OWNER {quote(owner, 'role')}" if owner else ""
    conn.execute(
        sa.text(f"CREATE DATABASE {quote(database, 'database')}{owner_sql} ENCODING 'UTF8' TEMPLATE template0")
    )


def drop_database(conn: sa.Connection, database: str) -> None:
    """DROP DATABASE IF EXISTS, closing its sessions; ``conn`` must be in autocommit mode."""
    conn.execute(sa.text(f"DROP DATABASE IF EXISTS {quote(database, 'database')} WITH (FORCE)"))


def reader_role(database: str) -> str:
    """Name of the NOLOGIN role that may read ``database`` (granted to auditors' logins)."""
    return checked(f"{database}_reader", "reader role name")


def secure_database(conn: sa.Connection, database: str) -> bool:
    """No access for PUBLIC; CONNECT for the database's reader role (created when missing).

    Runs on every deploy, so a run interrupted after CREATE DATABASE is repaired by the next one.
    Returns True when the reader role had to be created.
    """
    reader = reader_role(database)
    created = not role_exists(conn, reader)
    if created:
        conn.execute(sa.text(f"CREATE ROLE {quote(reader)} NOLOGIN"))
    conn.execute(sa.text(f"REVOKE ALL ON DATABASE {quote(database, 'database')} FROM PUBLIC"))
    conn.execute(sa.text(f"GRANT CONNECT ON DATABASE {quote(database, 'database')} TO {quote(reader)}"))
    return created


def _psycopg(conn: sa.Connection) -> psycopg.Connection:
    """The psycopg 3 connection under ``conn``: libpq's password hashing and statements SQLAlchemy must not echo."""
    raw = conn.connection.dbapi_connection
    if not isinstance(raw, psycopg.Connection):
        raise TypeError(f"a psycopg 3 connection is needed (postgresql+psycopg URL), not {type(raw).__name__}")
    return raw


def _scram_verifier(conn: sa.Connection, password: str, role: str) -> str:
    """A SCRAM-SHA-256 verifier computed by libpq, so the server never sees the password."""
    return _psycopg(conn).pgconn.encrypt_password(password.encode(), role.encode(), b"scram-sha-256").decode()


def create_login_role(conn: sa.Connection, login: str, password: str) -> None:
    """CREATE ROLE ``login`` (LOGIN, no superuser/createdb/createrole) with a SCRAM verifier of
    ``password``; sent straight to the driver: SQLAlchemy would echo the statement in an error."""
    verifier = _scram_verifier(conn, password, login)
    statement = psycopg_sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD {}").format(
        psycopg_sql.Identifier(login), psycopg_sql.Literal(verifier)
    )
    with _psycopg(conn).cursor() as cursor:
        cursor.execute(statement)


def grant_schema_read(conn: sa.Connection, schema: str, role: str) -> None:
    """Let ``role`` read every table of ``schema``, today's and those created later."""
    schema_q, role_q = quote(schema, "schema"), quote(role, "role")
    conn.execute(sa.text(f"GRANT USAGE ON SCHEMA {schema_q} TO {role_q}"))
    conn.execute(sa.text(f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema_q} TO {role_q}"))
    conn.execute(sa.text(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema_q} GRANT SELECT ON TABLES TO {role_q}"))


def grant_sql(grant: TableGrant, table: str) -> str:
    """The GRANT statement giving ``grant`` back on ``table`` (a qualified, quoted name)."""
    return f"GRANT {grant.privilege} ON {table} TO {grant.grantee}" + (" WITH GRANT OPTION" if grant.grantable else "")
