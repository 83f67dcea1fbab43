"""The shipped alembic migrations as a target schema sees them: the configuration built in code,
the head revision, the known revisions and their ancestry, and the revision a schema records.

Not in pg/: this is about the migrations of our own schema, and pg/ stays below schema/.
The install jobs (:mod:`~airflow_provider_nomasx1.schema.bootstrap`) and the reference-data
import (:mod:`~airflow_provider_nomasx1.collectors.preload`) both check a schema against these.
"""

from __future__ import annotations

import functools
from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError

from airflow_provider_nomasx1.errors import ConfigurationError
from airflow_provider_nomasx1.pg.identifiers import checked
from airflow_provider_nomasx1.schema.migrations import DEFAULT_SCHEMA, SCRIPT_LOCATION


def alembic_config(connection: sa.Connection | None = None, schema: str = DEFAULT_SCHEMA) -> Config:
    """An alembic Config built in code (no alembic.ini) for ``schema``.

    ``connection`` (optional) is used by env.py as is, inside the caller's transaction.
    """
    config = Config()
    config.set_main_option("script_location", str(Path(SCRIPT_LOCATION)).replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    config.attributes["schema"] = checked(schema, "schema name")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def script() -> ScriptDirectory:
    """The migrations shipped with this provider version."""
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """The newest migration shipped with this provider version."""
    head = script().get_current_head()
    if head is None:  # pragma: no cover - the package always ships 0001
        raise ConfigurationError("No alembic migration found in the package.")
    return head


def is_known(revision: str) -> bool:
    """Whether ``revision`` is one of the shipped migrations."""
    try:
        return script().get_revision(revision) is not None
    except CommandError:  # unknown revision id
        return False


@functools.cache
def lineages() -> dict[str, frozenset[str]]:
    """For each shipped revision: itself and its ancestors."""
    directory = script()
    return {
        rev.revision: frozenset(r.revision for r in directory.iterate_revisions(rev.revision, "base"))
        for rev in directory.walk_revisions()
    }


def recorded_heads(conn: sa.Connection, schema: str) -> tuple[str, ...]:
    """The revisions ``<schema>.alembic_version`` records (none: not versioned, or no schema)."""
    return tuple(MigrationContext.configure(conn, opts={"version_table_schema": schema}).get_current_heads())
