"""Preload callables: the reference catalogue in and out of a nomasx1 schema, as a bundle.

- :func:`export_reference` (job ``nomasx1-export-reference``, step ``EXPORT_REFERENCE``): every
  reference table of a nomasx1 schema (licence catalogue, JDE system codes, Oracle options mapping,
  SoD baseline of every application) into a bundle file, read in one consistent snapshot.
- :func:`import_reference` (job ``nomasx1-import-reference``, step ``IMPORT_REFERENCE``): a bundle
  (or the curated one shipped with the package, built on the fly) into a nomasx1 schema, in ONE
  transaction: missing rows only (``replace=false``), or the bundle's rows in place of the
  existing ones (``replace=true``).

The engine-level functions :func:`export_reference_bundle` and :func:`import_reference_bundle` do
the work and are what the CLI calls; the step callables read the params and report to the context.
The bundle format and its checks live in :mod:`airflow_provider_nomasx1.reference.bundle`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import re
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.errors import ConfigurationError, Nomasx1Error
from airflow_provider_nomasx1.pg.identifiers import checked, qualified, quote
from airflow_provider_nomasx1.pg.locks import xact_lock
from airflow_provider_nomasx1.reference.bundle import (
    APPS_COLUMN,
    DEFAULT_APPS_ID,
    BundleError,
    BundleWriter,
    ReferenceBundle,
    TableEntry,
    build_curated_bundle,
    is_app_scoped,
    open_bundle,
)
from airflow_provider_nomasx1.schema import nomasx1, revisions

log = logging.getLogger(__name__)

#: the alembic revision that created the reference tables
REFERENCE_REVISION = "0002"
INIT_JOB = "nomasx1-init-schema-1"
UPGRADE_JOB = "nomasx1-upgrade-schema-1"
DEFAULT_SCHEMA = "nomasx1"
DEFAULT_OUTPUT = "/tmp"
#: how messages name the import's application filter: the job param and the CLI option
APPS_IDS_PARAM = "target_apps_ids (`--apps-ids` of `nomasx1 reference import`)"
#: rows fetched per round trip by the export's server-side cursor
EXPORT_BATCH = 1000


# --------------------------------------------------------------------------------------------------
# params
# --------------------------------------------------------------------------------------------------


def parse_apps_ids(value: Any) -> tuple[int, ...]:
    """``target_apps_ids``: ``"10, 11"``, ``[10, 11]``, ``10`` or empty -> sorted distinct ids (() = all)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ()
    if isinstance(value, bool):
        raise ConfigurationError(f"target_apps_ids must list application ids (e.g. '10,11'), not {value!r}")
    items: Iterable[Any] = value.split(",") if isinstance(value, str) else [value] if isinstance(value, int) else value
    ids: set[int] = set()
    for item in items:
        text = str(item).strip()
        if isinstance(item, bool) or not re.fullmatch(r"[0-9]{1,9}", text) or int(text) < 1:
            raise ConfigurationError(
                f"target_apps_ids {value!r}: {item!r} is not an application id; give a comma-separated list of "
                "positive integers such as '10,11', or leave it empty for every application of the bundle"
            )
        ids.add(int(text))
    return tuple(sorted(ids))


def parse_flag(value: Any, name: str) -> bool:
    """A boolean param that may arrive as a string from the CLI or a REST call."""
    if isinstance(value, bool):
        return value
    if value is None or value == "":
        return False
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    raise ConfigurationError(f"param {name!r} must be true or false, not {value!r}")


def bundle_filename(now: dt.datetime | None = None) -> str:
    """``nomasx1-reference-<UTC timestamp>.tar.gz``."""
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return f"nomasx1-reference-{now:%Y%m%dT%H%M%SZ}.tar.gz"


def resolve_output(output_path: str | Path, now: dt.datetime | None = None) -> Path:
    """An existing folder gets a timestamped file name; a ``.tar.gz`` path is used as is."""
    text = str(output_path or "").strip()
    if not text:
        raise ConfigurationError("output_path is empty: give a folder (e.g. /tmp) or a file path ending in .tar.gz")
    path = Path(text).expanduser()
    if path.is_dir():
        return path / bundle_filename(now)
    if path.name.endswith((".tar.gz", ".tgz")):
        if not path.parent.is_dir():
            raise ConfigurationError(f"output_path {path}: the folder {path.parent} does not exist; create it first")
        return path
    raise ConfigurationError(
        f"output_path {path} is neither an existing folder nor a file path ending in .tar.gz; "
        "create the folder or name the bundle file"
    )


# --------------------------------------------------------------------------------------------------
# schema precheck
# --------------------------------------------------------------------------------------------------


def table_columns(conn: sa.Connection, schema: str, tables: Iterable[str]) -> dict[str, list[str]]:
    """Columns (in table order) of the given tables of ``schema`` that exist, in one catalog query."""
    rows = conn.execute(
        sa.text(
            "SELECT c.relname, a.attname FROM pg_catalog.pg_class c "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid "
            "WHERE n.nspname = :schema AND c.relname = ANY(:tables) AND c.relkind IN ('r', 'p') "
            "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY c.relname, a.attnum"
        ),
        {"schema": schema, "tables": list(tables)},
    )
    columns: dict[str, list[str]] = {}
    for table, column in rows:
        columns.setdefault(table, []).append(column)
    return columns


def check_reference_schema(conn: sa.Connection, schema: str) -> str:
    """Return the schema's revision when it holds the reference tables, else explain which job to run."""
    checked(schema, "schema name")
    database = conn.execute(sa.text("SELECT current_database()")).scalar()
    exists = conn.execute(sa.text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema}).first()
    if exists is None:
        raise ConfigurationError(
            f"schema {schema!r} does not exist in database {database!r}: run the {INIT_JOB} job "
            f"(target_schema={schema}) first, then retry. Nothing was changed."
        )
    heads = revisions.recorded_heads(conn, schema)
    if not heads:
        raise ConfigurationError(
            f"schema {schema!r} in database {database!r} records no nomasx1 schema revision: run the {INIT_JOB} "
            f"job (target_schema={schema}) first, then retry. Nothing was changed."
        )
    if len(heads) > 1:
        raise ConfigurationError(f"schema {schema!r} records several revisions {heads}: merge them first")
    current = heads[0]
    lineages = revisions.lineages()
    if current not in lineages:
        raise ConfigurationError(
            f"schema {schema!r} records revision {current}, unknown to this provider version "
            f"(head {revisions.head_revision()}): install the provider version that created it"
        )
    if REFERENCE_REVISION not in lineages[current]:
        raise ConfigurationError(
            f"schema {schema!r} is at revision {current}, older than the reference tables (revision "
            f"{REFERENCE_REVISION}): run the {UPGRADE_JOB} job (after a backup), then retry. Nothing was changed."
        )
    wanted = ("settings_applications", *nomasx1.REFERENCE_TABLES)
    present = table_columns(conn, schema, wanted)
    missing = [t for t in wanted if t not in present]
    if missing:
        raise ConfigurationError(
            f"schema {schema!r} lacks table(s) {', '.join(missing)}: run the {INIT_JOB} job "
            f"(target_schema={schema}) to create them, then retry. Nothing was changed."
        )
    return current


# --------------------------------------------------------------------------------------------------
# export
# --------------------------------------------------------------------------------------------------


@dataclass
class ExportReport:
    """What :func:`export_reference_bundle` wrote."""

    path: Path
    schema: str
    revision: str
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"exported {sum(self.rows.values()):,} rows of {len(self.rows)} reference tables from schema "
            f"{self.schema} (revision {self.revision}) to {self.path} in {self.seconds:.2f}s"
        )


def export_reference_bundle(
    engine: sa.Engine,
    schema: str = DEFAULT_SCHEMA,
    output_path: str | Path = DEFAULT_OUTPUT,
    *,
    source: str | None = None,
    created_at: dt.datetime | None = None,
    log: logging.Logger = log,
) -> ExportReport:
    """Write every reference table of ``schema`` to a bundle; returns where and how many rows.

    ``output_path``: an existing folder (the file is named ``nomasx1-reference-<UTC timestamp>.tar.gz``)
    or a ``.tar.gz`` path (replaced atomically). Rows are read in one REPEATABLE READ, read-only
    transaction (a consistent snapshot), ordered by primary key and streamed with a server-side
    cursor.
    """
    schema = checked(schema, "schema name")
    started = time.monotonic()
    now = created_at or dt.datetime.now(dt.UTC)
    output = resolve_output(output_path, now)
    url = engine.url
    source = source or f"PostgreSQL {url.host}:{url.port or 5432}/{url.database}, schema {schema}"
    rows: dict[str, int] = {}
    with engine.connect() as conn:
        conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin():
            revision = check_reference_schema(conn, schema)
            present = table_columns(conn, schema, nomasx1.REFERENCE_TABLES)
            with BundleWriter(output, source=source, schema_revision=revision, created_at=now) as writer:
                for name in nomasx1.REFERENCE_TABLES:
                    table = nomasx1.metadata.tables[name]
                    have = set(present[name])
                    columns = [c for c in table.columns if c.name in have]
                    statement = sa.select(*columns).order_by(*table.primary_key.columns)
                    result = conn.execute(
                        statement,
                        execution_options={"schema_translate_map": {None: schema}, "yield_per": EXPORT_BATCH},
                    )
                    entry = writer.add_table(name, (tuple(r) for r in result), [c.name for c in columns])
                    rows[name] = entry.rows
                    log.info("exported %s: %s rows", name, f"{entry.rows:,}")
    report = ExportReport(output, schema, revision, rows, time.monotonic() - started)
    log.info(report.summary())
    return report


# --------------------------------------------------------------------------------------------------
# import
# --------------------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What :func:`import_reference_bundle` did (per table, in dependency order)."""

    schema: str
    bundle: str
    replace: bool
    #: applications whose app-scoped rows were imported (and, with replace, deleted first)
    apps_ids: tuple[int, ...]
    inserted: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    #: app-scoped rows of other applications, left out
    skipped: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> str:
        text = (
            f"imported {sum(self.inserted.values()):,} rows into {len(self.inserted)} reference tables of schema "
            f"{self.schema} from {self.bundle} (replace={str(self.replace).lower()}"
            f"{', applications ' + ', '.join(map(str, self.apps_ids)) if self.apps_ids else ''})"
        )
        if self.replace:
            text += f", {sum(self.deleted.values()):,} rows replaced"
        skipped = sum(self.skipped.values())
        if skipped:
            text += f", {skipped:,} rows of other applications skipped"
        return text + f" in {self.seconds:.2f}s"


def _target_apps(bundle: ReferenceBundle, requested: tuple[int, ...], log: logging.Logger) -> tuple[int, ...]:
    """The applications whose app-scoped rows are imported: the requested ones, else all in the bundle."""
    if not any(is_app_scoped(e.name) for e in bundle.tables):
        if requested:
            log.info("target_apps_ids ignored: the bundle has no application-scoped (sod_*) table")
        return ()
    present = bundle.all_apps_ids
    if not requested:
        return tuple(sorted(present))
    absent = sorted(set(requested) - present)
    if absent:
        raise ConfigurationError(
            f"target_apps_ids names application(s) {', '.join(map(str, absent))} but the bundle {bundle.path} "
            f"has SoD rows only for {', '.join(map(str, sorted(present))) or 'no application'}: fix {APPS_IDS_PARAM} "
            "(or leave it empty for every application of the bundle). Nothing was changed."
        )
    return requested


def _check_applications(conn: sa.Connection, schema: str, apps_ids: tuple[int, ...]) -> None:
    """Every application that receives rows must be registered in settings_applications."""
    if not apps_ids:
        return
    found = set(
        conn.execute(
            sa.text(f"SELECT apps_id FROM {qualified(schema, 'settings_applications')} WHERE apps_id = ANY(:ids)"),
            {"ids": list(apps_ids)},
        ).scalars()
    )
    missing = [a for a in apps_ids if a not in found]
    if missing:
        commands = "; ".join(f"`nomasx1 apps add --apps-id {a} --name NAME --url URL`" for a in missing)
        raise ConfigurationError(
            f"application(s) {', '.join(map(str, missing))} not registered in {schema}.settings_applications, "
            f"and the bundle has SoD rows for them: register each with {commands}, or restrict the import with "
            f"{APPS_IDS_PARAM}. Nothing was changed."
        )


def _check_target_columns(conn: sa.Connection, schema: str, bundle: ReferenceBundle) -> None:
    present = table_columns(conn, schema, [e.name for e in bundle.tables])
    for entry in bundle.tables:
        have = set(present.get(entry.name, ()))
        lacking = [c for c in entry.columns if c not in have]
        if lacking:
            raise ConfigurationError(
                f"table {schema}.{entry.name} has no column(s) {', '.join(lacking)} that the bundle carries "
                f"(bundle revision {bundle.manifest.schema_revision}): run the {UPGRADE_JOB} job, then retry. "
                "Nothing was changed."
            )


def _database_error(exc: BaseException, what: str, schema: str) -> Nomasx1Error:
    cause = getattr(exc, "orig", None) or exc
    first = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    detail = getattr(getattr(cause, "diag", None), "message_detail", None)
    return Nomasx1Error(
        f"import into schema {schema} failed while {what}: {first}"
        + (f" ({detail})" if detail else "")
        + ". The import runs in one transaction: it was rolled back and nothing was changed."
    )


#: the temporary table every bundle row is copied into (dropped at commit)
STAGE_TABLE = "nomasx1_reference_stage"


class _Loader:
    """Stages, checks, deletes and inserts inside the caller's transaction.

    Every kept row goes, as its verified JSON object, into ONE temporary table (a single COPY: a
    temporary table per reference table costs more than the whole load); each target table is then
    filled by one ``INSERT ... SELECT`` through ``jsonb_populate_record`` (PostgreSQL converts the
    typed JSON values to the column types).
    """

    def __init__(self, conn: sa.Connection, schema: str, bundle: ReferenceBundle, apps_ids: tuple[int, ...]):
        self.conn = conn
        self.schema = schema
        self.bundle = bundle
        self.apps_ids = apps_ids
        self.stage = quote(STAGE_TABLE, "table name")

    @staticmethod
    def _key(name: str) -> list[str]:
        return [c.name for c in nomasx1.metadata.tables[name].primary_key.columns]

    def stage_rows(self, log: logging.Logger) -> dict[str, int]:
        """COPY the rows kept for the target applications; returns rows skipped per table."""
        self.conn.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {self.stage} (table_name text NOT NULL, key text NOT NULL, "
            "doc jsonb NOT NULL) ON COMMIT DROP"
        )
        wanted = set(self.apps_ids)
        skipped: dict[str, int] = {}
        driver: psycopg.Connection = self.conn.connection.driver_connection  # type: ignore[assignment]
        with driver.cursor() as cursor, cursor.copy(f"COPY {self.stage} (table_name, key, doc) FROM STDIN") as copy:
            for entry in self.bundle.tables:
                apps_index = entry.columns.index(APPS_COLUMN) if is_app_scoped(entry.name) else None
                key_index = [entry.columns.index(c) for c in self._key(entry.name)]
                kept = 0
                for row, doc in self.bundle.records(entry.name):
                    if apps_index is not None and row[apps_index] not in wanted:
                        skipped[entry.name] = skipped.get(entry.name, 0) + 1
                        continue
                    copy.write_row((entry.name, json.dumps([row[i] for i in key_index], default=str), doc))
                    kept += 1
                skip = skipped.get(entry.name, 0)
                log.info("%s: %s rows staged%s", entry.name, f"{kept:,}", f", {skip:,} skipped" if skip else "")
        duplicate = self.conn.exec_driver_sql(
            f"SELECT table_name, key FROM {self.stage} GROUP BY table_name, key HAVING count(*) > 1 LIMIT 1"
        ).first()
        if duplicate is not None:
            name, key = duplicate
            values = dict(zip(self._key(name), json.loads(key), strict=True))
            raise BundleError(self.bundle.path, f"table {name}: key {values} appears more than once")
        return skipped

    def delete(self, entry: TableEntry) -> int:
        """Delete the rows the bundle replaces: all of a global table, the target applications' of the others."""
        table = qualified(self.schema, entry.name)
        if not is_app_scoped(entry.name):
            return self.conn.execute(sa.text(f"DELETE FROM {table}")).rowcount
        if not self.apps_ids:
            return 0
        return self.conn.execute(
            sa.text(f"DELETE FROM {table} WHERE apps_id = ANY(:ids)"), {"ids": list(self.apps_ids)}
        ).rowcount

    def insert(self, entry: TableEntry, replace: bool) -> int:
        """INSERT ... SELECT from the stage; without replace, rows whose key exists are left alone."""
        table = qualified(self.schema, entry.name)
        columns = ", ".join(quote(c, "column name") for c in entry.columns)
        picked = ", ".join(f"r.{quote(c, 'column name')}" for c in entry.columns)
        key = ", ".join(quote(c, "column name") for c in self._key(entry.name))
        ordered = ", ".join(f"r.{quote(c, 'column name')}" for c in self._key(entry.name))
        conflict = "" if replace else f" ON CONFLICT ({key}) DO NOTHING"
        return self.conn.execute(
            sa.text(
                f"INSERT INTO {table} ({columns}) SELECT {picked} FROM {self.stage} AS s "
                f"CROSS JOIN LATERAL jsonb_populate_record(NULL::{table}, s.doc) AS r "
                f"WHERE s.table_name = :name ORDER BY {ordered}{conflict}"
            ),
            {"name": entry.name},
        ).rowcount


def import_reference_bundle(
    engine: sa.Engine,
    schema: str = DEFAULT_SCHEMA,
    bundle_path: str | Path | None = None,
    *,
    replace: bool = False,
    target_apps_ids: Any = (),
    data_dir: Path | None = None,
    log: logging.Logger = log,
) -> ImportReport:
    """Import a reference bundle into ``schema`` in one transaction; returns rows inserted per table.

    ``bundle_path`` empty: the curated bundle, built on the fly (its SoD rows stamped with the
    ``target_apps_ids``, else application 10). ``replace=False`` inserts the missing rows only
    (``ON CONFLICT DO NOTHING`` on the primary key: a second run inserts nothing); ``replace=True``
    deletes every row of each global table of the bundle and the target applications' rows of each
    app-scoped one (reverse dependency order), then inserts. ``target_apps_ids`` (comma list or
    sequence; empty = every application of the bundle) restricts the app-scoped rows.

    Before any change: the bundle is verified completely, the schema must hold the reference tables
    (revision 0002 or later) with the bundle's columns, and every target application must be
    registered. Any failure rolls everything back.
    """
    schema = checked(schema, "schema name")
    requested = parse_apps_ids(target_apps_ids)
    replace = parse_flag(replace, "replace")
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        if bundle_path is None or not str(bundle_path).strip():
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="nomasx1-reference-")))
            path = build_curated_bundle(
                folder / "nomasx1-reference-curated.tar.gz",
                apps_id=list(requested) or DEFAULT_APPS_ID,
                data_dir=data_dir,
            )
            log.info("built the curated reference bundle (applications %s)", ", ".join(map(str, requested or [10])))
        else:
            path = Path(str(bundle_path).strip()).expanduser()
        bundle = stack.enter_context(open_bundle(path))
        manifest = bundle.manifest
        log.info(
            "bundle %s verified: %s rows in %s tables, schema revision %s, created %s from %s",
            path,
            f"{manifest.total_rows:,}",
            len(manifest.tables),
            manifest.schema_revision,
            manifest.created_at,
            manifest.source,
        )
        apps_ids = _target_apps(bundle, requested, log)
        report = ImportReport(schema, str(bundle_path or "curated bundle"), replace, apps_ids)
        with engine.begin() as conn:
            xact_lock(conn, "reference", schema)
            revision = check_reference_schema(conn, schema)
            if manifest.schema_revision and manifest.schema_revision != revision:
                log.info("bundle written at schema revision %s, target at %s", manifest.schema_revision, revision)
            _check_target_columns(conn, schema, bundle)
            _check_applications(conn, schema, apps_ids)
            _load(conn, schema, bundle, apps_ids, replace, report, log)
    report.seconds = time.monotonic() - started
    log.info(report.summary())
    return report


def _load(
    conn: sa.Connection,
    schema: str,
    bundle: ReferenceBundle,
    apps_ids: tuple[int, ...],
    replace: bool,
    report: ImportReport,
    log: logging.Logger,
) -> None:
    loader = _Loader(conn, schema, bundle, apps_ids)
    step = "staging the bundle rows"
    try:
        report.skipped = loader.stage_rows(log)
        if replace:
            for entry in reversed(bundle.tables):
                step = f"deleting the rows of {entry.name} it replaces"
                report.deleted[entry.name] = loader.delete(entry)
        for entry in bundle.tables:
            step = f"inserting into {entry.name}"
            report.inserted[entry.name] = loader.insert(entry, replace)
            log.info("%s: %s rows inserted", entry.name, f"{report.inserted[entry.name]:,}")
    except (DBAPIError, psycopg.Error) as exc:
        raise _database_error(exc, step, schema) from exc


# --------------------------------------------------------------------------------------------------
# step callables
# --------------------------------------------------------------------------------------------------


def _schema_param(ctx: StepContext) -> str:
    """Param ``schema`` (else ``target_schema``, else nomasx1), validated before any SQL."""
    return checked(ctx.param("schema") or ctx.param("target_schema") or DEFAULT_SCHEMA, "schema name")


def export_reference(ctx: StepContext) -> None:
    """Step EXPORT_REFERENCE: params ``source_connector`` (a nomasx1 PostgreSQL connection),
    ``schema``, ``output_path`` (folder or .tar.gz path)."""
    schema = _schema_param(ctx)
    output = ctx.param("output_path", DEFAULT_OUTPUT)
    hook = ctx.hook("source_connector", "target")
    url = hook.url
    source = (
        f"connection {ctx.param('source_connector')!r} (PostgreSQL {url.host}:{url.port or 5432}/{url.database}), "
        f"schema {schema}"
    )
    report = export_reference_bundle(hook.engine, schema, output, source=source, log=ctx.log)
    for table, rows in report.rows.items():
        ctx.result.add(table, rows)
    ctx.result.message = report.summary()
    ctx.log.info("reference bundle written to %s", report.path)


def import_reference(ctx: StepContext, *, data_dir: Path | None = None) -> None:
    """Step IMPORT_REFERENCE: params ``target_connector``, ``schema``, ``bundle_path`` (empty = the
    curated bundle, built from ``data_dir``: default the package's reference/data), ``replace``,
    ``target_apps_ids``."""
    schema = _schema_param(ctx)
    replace = parse_flag(ctx.param("replace", False), "replace")
    apps = parse_apps_ids(ctx.param("target_apps_ids", ""))
    bundle_path = ctx.param("bundle_path") or None
    engine = ctx.target().engine
    report = import_reference_bundle(
        engine, schema, bundle_path, replace=replace, target_apps_ids=apps, data_dir=data_dir, log=ctx.log
    )
    for table, rows in report.inserted.items():
        ctx.result.add(table, rows)
    ctx.result.message = report.summary()
