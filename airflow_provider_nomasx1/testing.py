"""Helpers shared by the test suite, the demo and the benchmarks: throwaway PostgreSQL databases.

`NOMASX1_TEST_PG_URL` names a server to use (any database on it; trust or password auth);
without it an embedded server is started. Each caller gets a fresh database and drops it after.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from airflow_provider_nomasx1.sqlident import quote

ENV_PG_URL = "NOMASX1_TEST_PG_URL"


def normalise_url(url: str | URL) -> URL:
    """Force the psycopg 3 driver whatever scheme the caller used."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql+psycopg")


@contextlib.contextmanager
def postgres_server() -> Iterator[URL]:
    """Yield the URL of a PostgreSQL server's maintenance database (env server or embedded)."""
    if os.environ.get(ENV_PG_URL):
        yield normalise_url(os.environ[ENV_PG_URL]).set(database="postgres")
        return
    from airflow_provider_nomasx1.demo.embedded_pg import EmbeddedPostgres

    server = EmbeddedPostgres.temporary()
    try:
        yield make_url(server.url())
    finally:
        server.destroy()


def create_database(server_url: URL, prefix: str = "nomasx1_test") -> URL:
    """Create a uniquely named database on the server and return its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {quote(name)}"))
    engine.dispose()
    return server_url.set(database=name)


def drop_database(url: URL) -> None:
    """Drop a database created by :func:`create_database`, closing its sessions first."""
    engine = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(
            sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :d AND pid <> pg_backend_pid()"),
            {"d": url.database},
        )
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {quote(url.database)}"))
    engine.dispose()
