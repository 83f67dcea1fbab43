"""PostgreSQL administration shared by the install jobs, the demo and the tests.

Every statement is idempotent or guarded by an existence check, and every identifier is validated
and quoted (``sqlident``): names come from connections and params.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from airflow_provider_nomasx1.sqlident import checked, qualified, quote


def normalise_url(url: str | URL) -> URL:
    """A PostgreSQL URL with the psycopg 3 driver, whatever scheme the caller used."""
    return make_url(url).set(drivername="postgresql+psycopg")


def role_exists(conn: sa.Connection, role: str) -> bool:
    return conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first() is not None


def database_exists(conn: sa.Connection, database: str) -> bool:
    return conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": database}).first() is not None


def table_exists(conn: sa.Connection, schema: str, table: str) -> bool:
    return bool(conn.execute(sa.text("SELECT to_regclass(:t) IS NOT NULL"), {"t": qualified(schema, table)}).scalar())


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
