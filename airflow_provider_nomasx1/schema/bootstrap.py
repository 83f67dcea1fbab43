"""Create, version and upgrade the target schemas: the API the install jobs call.

- :func:`init_schema` (job ``nomasx1-init-schema-1``): create the ``nomasx1`` schema, its missing
  tables, indexes and materialised views (never dropping or altering anything), then record the
  alembic head when no version is recorded yet. A schema whose recorded version is behind head is
  left untouched: the report says to run ``nomasx1-upgrade-schema-1``.
- :func:`upgrade_schema` (job ``nomasx1-upgrade-schema-1``): ``alembic upgrade head`` inside the
  schema (version table ``<schema>.alembic_version``); a no-op at head.
- :func:`init_mirror` (sync jobs): the ``nomajde`` mirror tables (not versioned, ``create_all``).
- :func:`refresh_views`: refresh the materialised views, return their row counts.

Every function validates the schema name before any SQL and runs its DDL in one transaction, under
a transaction-level advisory lock per schema: a failure changes nothing and two concurrent runs on
the same schema wait for each other. Engines are SQLAlchemy engines on PostgreSQL (psycopg 3).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import sqlalchemy as sa
from alembic import command

from airflow_provider_nomasx1.errors import ConfigurationError
from airflow_provider_nomasx1.pg.identifiers import checked, quote
from airflow_provider_nomasx1.pg.locks import xact_lock
from airflow_provider_nomasx1.schema import nomajde, nomasx1, revisions, views
from airflow_provider_nomasx1.schema.revisions import alembic_config, head_revision

log = logging.getLogger(__name__)

DEFAULT_SCHEMA = "nomasx1"
DEFAULT_MIRROR_SCHEMA = "nomajde"
UPGRADE_JOB = "nomasx1-upgrade-schema-1"
INIT_JOB = "nomasx1-init-schema-1"


@dataclass
class InitReport:
    """What :func:`init_schema` / :func:`init_mirror` found and did."""

    schema: str
    created_schema: bool = False
    created_tables: list[str] = field(default_factory=list)
    #: indexes added to tables that already existed (a new table's indexes come with it)
    created_indexes: list[str] = field(default_factory=list)
    created_views: list[str] = field(default_factory=list)
    #: view -> missing source tables
    skipped_views: dict[str, list[str]] = field(default_factory=dict)
    #: existing table -> model columns it lacks (reported, never altered)
    missing_columns: dict[str, list[str]] = field(default_factory=dict)
    #: alembic revision recorded after the run (None for the unversioned mirror)
    revision: str | None = None
    head: str | None = None
    #: True when this run recorded the head revision (fresh or unversioned schema)
    stamped: bool = False
    #: True when the recorded revision is behind head: nothing was created, run the upgrade job
    upgrade_needed: bool = False
    messages: list[str] = field(default_factory=list)

    @property
    def created(self) -> list[str]:
        """Every object created, as ``kind:name``."""
        return (
            (["schema:" + self.schema] if self.created_schema else [])
            + ["table:" + t for t in self.created_tables]
            + ["index:" + i for i in self.created_indexes]
            + ["view:" + v for v in self.created_views]
        )

    @property
    def changed(self) -> bool:
        return bool(self.created) or self.stamped

    def summary(self) -> str:
        """One line for the task log."""
        parts = [f"created {', '.join(self.created)}" if self.created else "nothing to create"]
        if self.skipped_views:
            parts.append(
                "skipped view(s) " + "; ".join(f"{v} (missing {', '.join(m)})" for v, m in self.skipped_views.items())
            )
        if self.head is not None:
            parts.append(f"revision {self.revision or 'none'} (head {self.head})")
        if self.stamped:
            parts.append("stamped at head")
        text = f"schema {self.schema}: " + ", ".join(parts)
        return text + (". " + " ".join(self.messages) if self.messages else "")


@dataclass
class UpgradeReport:
    """What :func:`upgrade_schema` did."""

    from_revision: str | None
    to_revision: str | None
    changed: bool
    schema: str = DEFAULT_SCHEMA

    def summary(self) -> str:
        if not self.changed:
            return f"schema {self.schema}: already at head {self.to_revision}, nothing to do"
        return f"schema {self.schema}: upgraded from {self.from_revision or 'empty'} to {self.to_revision}"


# --------------------------------------------------------------------------------------------------
# alembic plumbing (alembic_config, head_revision: schema.revisions, importable from here too)
# --------------------------------------------------------------------------------------------------


def _current(conn: sa.Connection, schema: str) -> str | None:
    heads = revisions.recorded_heads(conn, schema)
    if len(heads) > 1:
        raise ConfigurationError(
            f"Schema {schema} records several alembic versions {heads}; merge them before upgrading."
        )
    return heads[0] if heads else None


def current_revision(engine: sa.Engine, schema: str = DEFAULT_SCHEMA) -> str | None:
    """Revision recorded in ``<schema>.alembic_version`` (None: not versioned or no schema)."""
    checked(schema, "schema name")
    with engine.connect() as conn:
        return _current(conn, schema)


def _lock(conn: sa.Connection, schema: str) -> None:
    """Serialise bootstrap work per schema until the transaction ends."""
    xact_lock(conn, "schema", schema)


def _schema_exists(conn: sa.Connection, schema: str) -> bool:
    return conn.execute(sa.text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema}).first() is not None


def _ensure_schema(conn: sa.Connection, schema: str) -> bool:
    """Create ``schema`` when missing; True when created."""
    if _schema_exists(conn, schema):
        return False
    conn.execute(sa.text(f"CREATE SCHEMA {quote(schema, 'schema name')}"))
    log.info("Created schema %s", schema)
    return True


def _create_default_partition(conn: sa.Connection, schema: str, table: sa.Table) -> None:
    """A partitioned table (one partition per application, swapped by the collection) gets a
    DEFAULT partition, so rows written straight into it always have a place."""
    if not table.dialect_options["postgresql"].get("partition_by"):
        return
    parent = f"{quote(schema, 'schema name')}.{quote(table.name, 'table name')}"
    default = quote(f"{table.name}_default", "table name")
    conn.execute(sa.text(f"CREATE TABLE {quote(schema, 'schema name')}.{default} PARTITION OF {parent} DEFAULT"))


def _create_missing(conn: sa.Connection, schema: str, metadata: sa.MetaData, report: InitReport, hint: str) -> None:
    """Create the tables of ``metadata`` missing from ``schema`` and the indexes missing from the
    tables that exist; report (never alter) existing tables that lack model columns."""
    inspector = sa.inspect(conn)
    existing = set(inspector.get_table_names(schema=schema))
    missing = [t for t in metadata.sorted_tables if t.name not in existing]
    translated = conn.execution_options(schema_translate_map={None: schema})
    if missing:
        metadata.create_all(translated, tables=missing, checkfirst=False)
        for table in missing:
            _create_default_partition(conn, schema, table)
        report.created_tables.extend(t.name for t in missing)
        log.info("Created table(s) %s in %s", [t.name for t in missing], schema)
    for table in metadata.sorted_tables:
        if table.name not in existing:
            continue
        have_columns = {c["name"] for c in inspector.get_columns(table.name, schema=schema)}
        lacking = [c.name for c in table.columns if c.name not in have_columns]
        if lacking:
            report.missing_columns[table.name] = lacking
            report.messages.append(f"Table {schema}.{table.name} lacks column(s) {lacking}: not altered; {hint}.")
        have_indexes = {i["name"] for i in inspector.get_indexes(table.name, schema=schema)}
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            if str(index.name) in have_indexes or any(c.name in lacking for c in index.columns):
                continue
            index.create(translated)
            report.created_indexes.append(str(index.name))
            log.info("Created index %s.%s", schema, index.name)
    # leave the connection as we found it for the statements that follow
    conn.execution_options(schema_translate_map=None)


# --------------------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------------------


def init_schema(engine: sa.Engine, schema: str = DEFAULT_SCHEMA) -> InitReport:
    """Create what is missing in the ``nomasx1`` schema, then record the alembic head if unversioned.

    Idempotent: a second run creates nothing. Nothing is dropped or altered. When the schema already
    records a revision behind head, nothing is created and ``upgrade_needed`` is set: run
    ``nomasx1-upgrade-schema-1`` (creating tables of a newer model on an older schema would make the
    pending migrations fail). A revision this provider does not know raises ConfigurationError.
    """
    checked(schema, "schema name")
    head = head_revision()
    report = InitReport(schema=schema, head=head)
    with engine.begin() as conn:
        _lock(conn, schema)
        current = _current(conn, schema)
        if current is not None and current != head:
            if not revisions.is_known(current):
                raise ConfigurationError(
                    f"Schema {schema} records revision {current}, unknown to this provider version "
                    f"(head {head}). Install the provider version that created it; nothing was changed."
                )
            report.revision = current
            report.upgrade_needed = True
            report.messages.append(
                f"Schema {schema} is at revision {current}, behind head {head}: nothing created. "
                f"Run the {UPGRADE_JOB} job (alembic upgrade head) after a backup."
            )
            log.warning(report.messages[-1])
            return report
        report.created_schema = _ensure_schema(conn, schema)
        _create_missing(conn, schema, nomasx1.metadata, report, f"run {UPGRADE_JOB} or look for a manual change")
        created = views.create_views(conn, schema)
        report.created_views = created.created
        report.skipped_views = created.skipped
        if current is None:
            command.stamp(alembic_config(conn, schema), "head")
            report.stamped = True
            report.revision = head
        else:
            report.revision = current
    log.info(report.summary())
    return report


def init_mirror(engine: sa.Engine, schema: str = DEFAULT_MIRROR_SCHEMA) -> InitReport:
    """Create the ``nomajde`` mirror schema and its missing tables (not versioned by alembic)."""
    checked(schema, "schema name")
    report = InitReport(schema=schema)
    with engine.begin() as conn:
        _lock(conn, schema)
        report.created_schema = _ensure_schema(conn, schema)
        _create_missing(
            conn, schema, nomajde.metadata, report, "drop the table and run init_mirror again to recreate it"
        )
    log.info(report.summary())
    return report


def upgrade_schema(engine: sa.Engine, schema: str = DEFAULT_SCHEMA) -> UpgradeReport:
    """``alembic upgrade head`` in ``schema``, in one transaction; a no-op (no DDL) at head.

    On an empty or missing schema every migration runs from base, creating everything.
    """
    checked(schema, "schema name")
    head = head_revision()
    with engine.begin() as conn:
        _lock(conn, schema)
        current = _current(conn, schema)
        if current == head:
            log.info("Schema %s already at head %s", schema, head)
            return UpgradeReport(current, head, False, schema)
        if current is not None and not revisions.is_known(current):
            raise ConfigurationError(
                f"Schema {schema} records revision {current}, unknown to this provider version "
                f"(head {head}). Install the provider version that created it; nothing was changed."
            )
        if current is None and _schema_exists(conn, schema):
            ours = set(sa.inspect(conn).get_table_names(schema=schema)) & set(nomasx1.metadata.tables)
            if ours:
                raise ConfigurationError(
                    f"Schema {schema} holds nomasx1 tables ({', '.join(sorted(ours))}) but records no "
                    f"alembic version. Run the {INIT_JOB} job first: it records the version, then "
                    f"upgrades work. Nothing was changed."
                )
        command.upgrade(alembic_config(conn, schema), "head")
        after = _current(conn, schema)
    report = UpgradeReport(current, after, current != after, schema)
    log.info(report.summary())
    return report


def refresh_views(engine: sa.Engine, schema: str = DEFAULT_SCHEMA) -> dict[str, int]:
    """Refresh the materialised views of ``schema`` (concurrently once populated); view -> rows."""
    checked(schema, "schema name")
    with engine.begin() as conn:
        return views.refresh_views(conn, schema)
