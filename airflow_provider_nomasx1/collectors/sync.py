"""Mirror sync: copy one JDE table into PostgreSQL at near-COPY speed, atomically and verifiably.

- :class:`CopySpec`: one ``sql_copy`` step (source table, target table, mode, coercion...),
  built by :meth:`CopySpec.from_options` through the one model of the options,
  :class:`~airflow_provider_nomasx1.collectors.sync_spec.SqlCopySpec` (the spec check uses it too).
- :func:`copy_table`: the engine. It resolves the physical source table through the ``jdedwards``
  connection's schema map, plans the JDE coercion (:mod:`airflow_provider_nomasx1.jde.coercion`)
  from the source columns and the data dictionary (F9210), counts the source rows and streams them
  into the target in the **same source snapshot**:

  * PostgreSQL source: ``COPY (SELECT <coerced>) TO STDOUT`` piped block by block into
    ``COPY ... FROM STDIN`` (psycopg 3), never holding the table in Python;
  * Oracle source: a cursor with a large ``arraysize``/``prefetchrows``, ``fetchmany`` batches
    written with ``copy.write_row``.

  ``overwrite`` loads ``<table>__stage`` (no index during the load; the target's indexes, primary
  key and grants rebuilt on it afterwards) and swaps it in (drop + rename) in the **same
  transaction** that records the ``mirror_refresh`` row, so readers see the previous snapshot until
  the commit and then the new one, never an empty or partial table; any failure (including a
  killed process: the server rolls the transaction back) leaves the previous snapshot (the stage
  and swap: :mod:`airflow_provider_nomasx1.pg.swap`; the DDL of the sync itself: ``sql/sync/``).
  ``append`` copies into the target in one transaction; ``upsert`` copies into a temporary table
  then ``INSERT ... ON CONFLICT (key) DO UPDATE``.

  Reconciliation: rows the source COPY/fetch produced (received, and the source COPY's own count) =
  rows the target COPY accepted = rows loaded (counted in the target for append/upsert; an overwrite
  stage, created in the load's transaction and seen by no other session, holds exactly the rows its
  COPY accepted); any difference fails the run before the swap. The rows counted beforehand in the
  same source snapshot (progress total, empty-source check) can only differ from the rows read
  through a bug: a difference is logged as a warning.
- :func:`sync_table`: the ``sql_copy`` step callable.

See docs/sync.md.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from airflow_provider_nomasx1.collectors.sync_spec import STAGE_SUFFIX, CopySpec
from airflow_provider_nomasx1.context import Progress, StepContext
from airflow_provider_nomasx1.errors import ConfigurationError, Nomasx1Error, SourceUnavailableError
from airflow_provider_nomasx1.jde import coercion, databases
from airflow_provider_nomasx1.jde.coercion import (
    ColumnPlan,
    DataItem,
    SourceColumn,
    create_table_sql,
    data_item_of,
    plan_columns,
    select_sql,
    table_prefix,
)
from airflow_provider_nomasx1.jde.schema_map import JdeSchemaMap
from airflow_provider_nomasx1.pg import catalogue, swap
from airflow_provider_nomasx1.pg.identifiers import checked, qualified, quote
from airflow_provider_nomasx1.pg.locks import xact_lock
from airflow_provider_nomasx1.resources import read_sql

#: Oracle fetch batch (rows per fetchmany / round trip)
ORACLE_ARRAYSIZE = 10_000
#: rows between two progress updates
PROGRESS_EVERY = 10_000
#: bytes handed to the target COPY per write (rows are batched; one write per row costs ~20%)
WRITE_BYTES = 1 << 20
#: session memory for building the key index after a load
MAINTENANCE_WORK_MEM = "256MB"
#: what an overwrite's stage copies from an existing target (its indexes are rebuilt after the load)
STAGE_LIKE = ("DEFAULTS", "CONSTRAINTS", "GENERATED", "IDENTITY", "STORAGE", "COMMENTS")
_DD_COLUMNS = ("frdtai", "frdtat", "frcdec", "frclas", "frowtp")
_SCHEMA_KEYS = tuple(f.name for f in dataclasses.fields(JdeSchemaMap))


class ReconciliationError(Nomasx1Error):
    """Rows read and rows written disagree: the load was rolled back, the target is unchanged."""


class EmptySourceError(Nomasx1Error):
    """The source table is empty while the target holds rows (and ``allow_empty`` is not set)."""

    permanent = True  # the source data must change first: no retry (errors.is_permanent)


@dataclass
class CopyReport:
    """What one copy did."""

    source: str  # physical schema.table read
    target: str  # schema.table written
    mode: str
    source_rows: int  # counted in the source snapshot (with the filter)
    rows_copied: int  # rows the target accepted
    target_rows: int | None  # rows in the target after the run
    seconds: float
    created_table: bool = False
    columns: list[str] = field(default_factory=list)
    #: impossible JDE dates / times per date or time column (stored as NULL; 0 dates not counted)
    impossible: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Rows copied (alias of ``rows_copied``)."""
        return self.rows_copied

    @property
    def target_table(self) -> str:
        return self.target.rsplit(".", 1)[-1]

    @property
    def rows_per_second(self) -> float:
        return self.rows_copied / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        return (
            f"{self.source} -> {self.target} ({self.mode}): source {self.source_rows:,} rows, copied "
            f"{self.rows_copied:,}, target now {self.target_rows if self.target_rows is not None else '?':,} rows, "
            f"{self.seconds:.1f} s ({self.rows_per_second:,.0f} rows/s)"
        )


# --- source side -------------------------------------------------------------------------------


def _dialect_of(source_hook: Any) -> str:
    db_type = source_hook.db_type
    dialect = databases.DIALECTS.get(db_type, "")
    if dialect in coercion.DIALECTS:
        return dialect
    raise ConfigurationError(
        f"sql_copy reads PostgreSQL or Oracle JDE databases; connection "
        f"{getattr(source_hook, 'jde_conn_id', '?')!r} has db_type {db_type!r}"
    )


def resolve_source(source_hook: Any, spec: CopySpec) -> tuple[str, str]:
    """(physical schema, physical table) of the spec's source table."""
    dialect = _dialect_of(source_hook)
    key = spec.source_schema.lower()
    if key in _SCHEMA_KEYS:
        schemas = source_hook.schemas
        schema = schemas.security_schema if key == "security" else getattr(schemas, key)
    else:
        schema = spec.source_schema
    return databases.physical_name(schema, dialect), databases.physical_name(spec.source_table, dialect)


def _describe_source(conn: sa.Connection, source_hook: Any, spec: CopySpec, schema: str, table: str) -> dict:
    insp = sa.inspect(conn)
    if not insp.has_table(table.lower(), schema=schema.lower()):
        conn_id = getattr(source_hook, "jde_conn_id", "jdedwards")
        raise SourceUnavailableError(
            f"JDE table {schema}.{table} not found through connection {conn_id!r} (source_schema "
            f"{spec.source_schema!r} -> {schema}). Check the connection's schema map (extras.schemas) "
            "or the step's source_schema / source_table."
        )
    columns = [SourceColumn.from_inspector(c) for c in insp.get_columns(table.lower(), schema=schema.lower())]
    if spec.columns:
        by_name = {c.name.lower(): c for c in columns}
        missing = [c for c in spec.columns if c not in by_name]
        if missing:
            raise ConfigurationError(f"sql_copy columns {missing} are not columns of {schema}.{table}")
        columns = [by_name[c] for c in spec.columns]
    pk = [
        c.lower()
        for c in (insp.get_pk_constraint(table.lower(), schema=schema.lower()) or {}).get("constrained_columns") or []
    ]
    if not pk:
        for index in insp.get_indexes(table.lower(), schema=schema.lower()):
            if index.get("unique") and all(c for c in index["column_names"]):
                pk = [c.lower() for c in index["column_names"]]
                break
    copied = {c.name.lower() for c in columns}
    if pk and not set(pk) <= copied:
        pk = []
    return {"columns": columns, "pk": pk}


def _read_data_dictionary(
    conn: sa.Connection, source_hook: Any, dialect: str, aliases: Sequence[str]
) -> dict[str, DataItem]:
    dd_schema = databases.physical_name(source_hook.schemas.data_dictionary, dialect)
    f9210 = databases.physical_name("f9210", dialect)
    insp = sa.inspect(conn)
    if not insp.has_table("f9210", schema=dd_schema.lower()):
        raise SourceUnavailableError(
            f"JDE data dictionary table {dd_schema}.{f9210} not found: type_coercion 'jde' "
            "needs it (display decimals of the data items). Fix the schema map's data_dictionary entry or "
            "set type_coercion: none on the step."
        )
    present = {c["name"].lower() for c in insp.get_columns("f9210", schema=dd_schema.lower())}
    cols = [c for c in _DD_COLUMNS if c in present]
    if "frdtai" not in cols or not aliases:
        return {}
    stmt = sa.text(f"SELECT {', '.join(cols)} FROM {dd_schema}.{f9210} WHERE RTRIM(frdtai) IN :aliases").bindparams(
        sa.bindparam("aliases", expanding=True)
    )
    items: dict[str, DataItem] = {}
    for row in conn.execute(stmt, {"aliases": list(aliases)}):
        item = DataItem.from_row({k.lower(): v for k, v in row._mapping.items()})
        items[item.alias] = item
    return items


def _name_max_bytes(conn: sa.Connection) -> int:
    """Bytes a ``name`` holds on the PostgreSQL source (``max_identifier_length``: 63 unless the
    server was built with another NAMEDATALEN); the cheap ``char(n)`` trim relies on it."""
    try:
        return int(conn.exec_driver_sql("SHOW max_identifier_length").scalar_one())
    except (sa.exc.DBAPIError, TypeError, ValueError):
        conn.rollback()
        return 0


def _pg_blocks(cursor: Any, sql: str) -> Iterator[Any]:
    """The source ``COPY (SELECT ...) TO STDOUT`` data, one CopyData message (one row) at a time."""
    with cursor.copy(f"COPY ({sql}) TO STDOUT") as copy:
        yield from copy


def _oracle_batches(cursor: Any, sql: str, plans: Sequence[ColumnPlan]) -> Iterator[list[tuple]]:
    """Rows of the source SELECT in ``fetchmany`` batches (Oracle '' is NULL: NOT NULL strings -> '')."""
    cursor.arraysize = ORACLE_ARRAYSIZE
    cursor.prefetchrows = ORACLE_ARRAYSIZE + 1
    cursor.execute(sql)
    fix = [i for i, p in enumerate(plans) if p.empty_string_for_null]
    while True:
        rows = cursor.fetchmany()
        if not rows:
            return
        if fix:
            fixed = []
            for row in rows:
                row = list(row)
                for i in fix:
                    if row[i] is None:
                        row[i] = ""
                fixed.append(row)
            rows = fixed
        yield rows


# --- target side -------------------------------------------------------------------------------


def missing_mirror_schema_message(schema: str, database: str | None, conn_id: str | None) -> str:
    """What to do when the mirror schema a sync was given does not exist (nothing was created)."""
    from airflow_provider_nomasx1.schema.bootstrap import DEFAULT_MIRROR_SCHEMA

    where = f"database {database!r}" if database else "the target database"
    if conn_id:
        where += f" of connection {conn_id!r}"
    return (
        f"mirror schema {schema!r} does not exist in {where}: nothing was copied or created (a mistyped "
        "target_schema must not become a second mirror). Check the run's target_schema param (the "
        f"mirror's is {DEFAULT_MIRROR_SCHEMA!r}). To mirror into this schema, create it first: run the job "
        "deploy-databases (params mirror_connector, mirror_schema), or, as the connection's login, "
        f'CREATE SCHEMA "{schema}"'
    )


def ensure_mirror_refresh(
    engine: sa.Engine, schema: str, *, conn_id: str | None = None, create_schema: bool = False
) -> bool:
    """Create the mirror schema's bookkeeping tables when missing: ``mirror_refresh``, the sync
    job's step audit ``collect_audit`` (same shape as nomasx1's), its run lease ``job_run_locks``
    and its run order ``job_current_runs``.

    The schema itself must exist: a sync never creates one (ConfigurationError naming the schema,
    the database and connection, and how to create it). ``create_schema`` is for the install job
    deploy-databases, which creates the mirror schema on purpose. True when the schema was created.
    """
    from airflow_provider_nomasx1.schema import nomajde, nomasx1

    checked(schema, "target schema")
    with engine.begin() as conn:
        xact_lock(conn, "mirror", schema)
        exists = conn.execute(sa.text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema}).first()
        if exists is None and not create_schema:
            raise ConfigurationError(missing_mirror_schema_message(schema, engine.url.database, conn_id))
        if exists is None:
            conn.exec_driver_sql(_ddl("mirror_schema", schema=quote(schema, "schema name")))
        translated = conn.execution_options(schema_translate_map={None: schema})
        nomajde.mirror_refresh.create(translated, checkfirst=True)
        nomasx1.collect_audit.create(translated, checkfirst=True)
        nomasx1.job_run_locks.create(translated, checkfirst=True)  # the run lease (run_lease.py)
        nomasx1.job_current_runs.create(translated, checkfirst=True)  # the run order (run_order.py)
    return exists is None


_NUMBER_TYPES = ("numeric", "bigint", "integer", "smallint", "double precision", "real")


def _fit_to_target(plans: list[ColumnPlan], existing: Mapping[str, str], dialect: str, log: logging.Logger) -> list:
    """An existing target's column types win: a JDE number kept as a number stays a number."""
    fitted = []
    for plan in plans:
        target_type = existing.get(plan.target_name)
        if target_type and plan.kind in ("date", "time") and target_type.startswith(_NUMBER_TYPES):
            log.info("%s: the target column is %s, copying the JDE number unconverted", plan.target_name, target_type)
            plan = plan.raw(dialect)
        fitted.append(plan)
    return fitted


#: a quoted identifier, or a qualified pair of them (what quote / qualified return)
_QUOTED = re.compile(r'"[A-Za-z_][A-Za-z0-9_$]*"(\."[A-Za-z_][A-Za-z0-9_$]*")?')


@functools.cache
def _sql_file(name: str) -> str:
    return read_sql("sync", f"{name}.sql").strip()


def _ddl(name: str, *, column_type: str | None = None, **identifiers: str) -> str:
    """``sql/sync/<name>.sql`` with its ``{placeholders}`` filled: quoted identifiers only (checked
    here), plus for ``add_column`` the column type the coercion plan chose."""
    for slot, value in identifiers.items():
        if not _QUOTED.fullmatch(value):
            raise ValueError(f"sql/sync/{name}.sql: {{{slot}}} takes a quoted identifier, not {value!r}")
    extra = {"column_type": column_type} if column_type is not None else {}
    return _sql_file(name).format(**identifiers, **extra)


def _temp_name(name: str) -> str:
    return swap.stage_name(name, STAGE_SUFFIX)


# --- the copy ---------------------------------------------------------------------------------


def _default_progress(log: logging.Logger) -> Callable[[str, int | None], Progress]:
    return lambda label, total: Progress(log, label, total)


def copy_table(
    source_hook: Any,
    target_engine: sa.Engine,
    target_schema: str,
    spec: CopySpec,
    *,
    log: logging.Logger,
    run_id: str | None = None,
    progress: Callable[[str, int | None], Any] | None = None,
    target_conn_id: str | None = None,
) -> CopyReport:
    """Copy ``spec``'s source table into ``target_schema`` (see the module docstring), which must
    exist (``target_conn_id`` names the target connection in the error when it does not)."""
    started = time.monotonic()
    target_schema = checked(target_schema, "target schema")
    dialect = _dialect_of(source_hook)
    schema, table = resolve_source(source_hook, spec)
    source_name = f"{schema}.{table}"
    source_engine: sa.Engine = source_hook.engine

    with source_engine.connect() as conn:
        described = _describe_source(conn, source_hook, spec, schema, table)
        columns: list[SourceColumn] = described["columns"]
        prefix = table_prefix(c.name for c in columns)
        data_items: dict[str, DataItem] = {}
        name_max_bytes = _name_max_bytes(conn) if dialect == "postgresql" else 0
        if spec.type_coercion == "jde":
            aliases = sorted({a for a in (data_item_of(c.name, prefix) for c in columns) if a})
            data_items = _read_data_dictionary(conn, source_hook, dialect, aliases)
            without = [c.name for c in columns if (a := data_item_of(c.name, prefix)) and a not in data_items]
            if without:
                log.warning("%s: no data dictionary row for %s: name rules apply", source_name, without)
    plans = plan_columns(
        columns,
        data_items,
        dialect=dialect,
        type_coercion=spec.type_coercion,
        decimal_mode=spec.decimal_mode,
        strip_both_columns=spec.strip_both_columns,
        prefix=prefix,
        name_max_bytes=name_max_bytes,
    )

    ensure_mirror_refresh(target_engine, target_schema, conn_id=target_conn_id)
    target_q = qualified(target_schema, spec.target_table)
    raw = target_engine.raw_connection()
    try:
        pg = raw.driver_connection
        with pg.cursor() as cur:
            existing = catalogue.columns(cur, target_schema, spec.target_table)
            target_has_rows = bool(
                existing is not None and cur.execute(f"SELECT EXISTS (SELECT 1 FROM {target_q})").fetchone()[0]
            )
        pg.rollback()
        if existing is not None:
            plans = _fit_to_target(plans, existing, dialect, log)
        from_clause = f'"{schema}"."{table}"' if dialect == "postgresql" else f"{schema}.{table}"
        sql = select_sql(plans, from_clause, spec.filter)
        key = list(spec.key) or described["pk"]
        log.info(
            "%s -> %s (%s, coercion %s, decimals %s): %s",
            source_name,
            target_q,
            spec.mode,
            spec.type_coercion,
            spec.decimal_mode,
            ", ".join(f"{p.target_name}:{p.kind}" for p in plans),
        )
        with _SourceSnapshot(source_engine, dialect) as src:
            counted = _count_sql(plans, from_clause, spec.filter)
            source_rows, *impossible = (int(n or 0) for n in src.exec_driver_sql(counted.sql).one())
            log.info(
                "%s: %s rows to copy%s",
                source_name,
                f"{source_rows:,}",
                f" (filter {spec.filter})" if spec.filter else "",
            )
            if source_rows == 0 and target_has_rows and not spec.allow_empty:
                raise EmptySourceError(
                    f"JDE table {source_name} is empty{' for the filter' if spec.filter else ''} while {target_q} "
                    "holds rows: refusing to replace them with nothing (is the jdedwards connection pointing at the "
                    "right database and schemas?). Set `allow_empty: true` on the sql_copy step to accept an "
                    "empty source."
                )
            label = f"{source_name} -> {target_q}"
            make_progress = progress or _default_progress(log)
            tracker = make_progress(label, source_rows)
            load = _Load(pg, target_schema, spec, plans, existing, key, log, tracker)
            rows_read, rows_written, target_rows = load.run(src, dialect, sql, run_id, source_name)
            load.impossible.update(zip(counted.impossible_columns, impossible, strict=True))
    finally:
        raw.close()

    if rows_read != source_rows:  # same snapshot: can only differ through a bug; already committed
        log.warning("%s: counted %s rows but read %s", source_name, source_rows, rows_read)
    seconds = time.monotonic() - started
    report = CopyReport(
        source=source_name,
        target=f"{target_schema}.{spec.target_table}",
        mode=spec.mode,
        source_rows=source_rows,
        rows_copied=rows_written,
        target_rows=target_rows,
        seconds=seconds,
        created_table=existing is None,
        columns=[p.target_name for p in plans],
        impossible=dict(load.impossible),
    )
    log.info("%s", report.summary())
    for column, count in report.impossible.items():
        if count:
            kind = next(p.kind for p in plans if p.target_name == column)
            log.warning(
                "%s: %s impossible JDE %s value(s) in %s written as NULL (counted as anomalies; see docs/sync.md)",
                source_name,
                f"{count:,}",
                kind,
                column,
            )
    return report


@dataclass(frozen=True)
class _CountQuery:
    sql: str
    #: target columns whose impossible values the count query counts (after the row count)
    impossible_columns: tuple[str, ...]


def _count_sql(plans: Sequence[ColumnPlan], from_clause: str, where: str | None) -> _CountQuery:
    """The source row count, plus (Oracle: no in-copy counter there) the impossible values of each
    date/time column, in one scan of the same snapshot the copy reads."""
    counted = [p for p in plans if p.impossible_sql and not p.impossible_setting]
    items = ["count(*)"] + [f"SUM(CASE WHEN {p.impossible_sql} THEN 1 ELSE 0 END)" for p in counted]
    sql = f"SELECT {', '.join(items)} FROM {from_clause}" + (f" WHERE ({where})" if where else "")
    return _CountQuery(sql, tuple(p.target_name for p in counted))


class _SourceSnapshot:
    """A source connection in one read-only snapshot (count and copy see the same rows)."""

    def __init__(self, engine: sa.Engine, dialect: str) -> None:
        self.engine, self.dialect = engine, dialect

    def __enter__(self) -> sa.Connection:
        if self.dialect == "postgresql":
            self.conn = self.engine.connect().execution_options(isolation_level="REPEATABLE READ")
        else:
            self.conn = self.engine.connect()
            self.conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        return self.conn

    def __exit__(self, *exc: object) -> None:
        try:
            self.conn.rollback()
        finally:
            self.conn.close()


@dataclass
class _Load:
    pg: Any  # psycopg connection to the target
    schema: str
    spec: CopySpec
    plans: list[ColumnPlan]
    existing: dict[str, str] | None
    key: list[str]
    log: logging.Logger
    progress: Any
    #: impossible JDE dates / times per target column, counted during the copy (PostgreSQL)
    impossible: dict[str, int] = field(default_factory=dict)

    @property
    def target_q(self) -> str:
        return qualified(self.schema, self.spec.target_table)

    def run(self, src: sa.Connection, dialect: str, sql: str, run_id: str | None, source_name: str) -> tuple:
        pg = self.pg
        with pg.transaction(), pg.cursor() as cur:
            xact_lock(cur, "sync", self.schema, self.spec.target_table)
            # room for the key index build after the load (sorted in memory rather than on disk)
            cur.execute(f"SET LOCAL maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
            # the table may have appeared since we looked
            self.existing = catalogue.columns(cur, self.schema, self.spec.target_table)
            mode = self.spec.mode
            if mode == "overwrite":
                into = self._prepare_stage(cur)
            elif mode == "append":
                into = self._prepare_target(cur)
            else:
                self._prepare_target(cur)
                into = quote(_temp_name("nomasx1_upsert"), "table name")
                cur.execute(_ddl("upsert_temp", temp=into, target=self.target_q))
            before = 0
            if mode == "append":
                before = cur.execute(f"SELECT count(*) FROM {self.target_q}").fetchone()[0]
            rows_read, rows_written = self._stream(cur, into, src, dialect, sql)
            if rows_read != rows_written:
                raise ReconciliationError(
                    f"{source_name}: read {rows_read:,} rows but the target COPY reported {rows_written:,}: "
                    f"rolled back, {self.target_q} unchanged"
                )
            # an overwrite stage was created in this transaction (no trigger, no rule) and no other
            # session can see it: it holds exactly the rows its COPY reported, no count scan needed
            if mode != "overwrite":
                loaded = cur.execute(f"SELECT count(*) FROM {into}").fetchone()[0] - before
                if loaded != rows_written:
                    raise ReconciliationError(
                        f"{source_name}: the target COPY reported {rows_written:,} rows but {loaded:,} are "
                        f"loaded: rolled back, {self.target_q} unchanged"
                    )
            if mode == "overwrite":
                self._swap(cur)
                target_rows = rows_written
            elif mode == "upsert":
                self._merge(cur, into)
                target_rows = cur.execute(f"SELECT count(*) FROM {self.target_q}").fetchone()[0]
            else:
                target_rows = before + rows_written
            cur.execute(
                _ddl("record_refresh", mirror_refresh=qualified(self.schema, "mirror_refresh")),
                (self.spec.target_table, target_rows, run_id, source_name),
            )
        return rows_read, rows_written, target_rows

    # -- preparation

    def _columns_sql(self) -> str:
        return ", ".join(quote(p.target_name, "column name") for p in self.plans)

    def _add_missing_columns(self, cur: Any, table_q: str) -> None:
        for plan in self.plans:
            if self.existing is not None and plan.target_name not in self.existing:
                self.log.info("%s: adding column %s %s", self.target_q, plan.target_name, plan.target_type)
                column = quote(plan.target_name)
                cur.execute(_ddl("add_column", table=table_q, column=column, column_type=plan.target_type))

    def _prepare_target(self, cur: Any) -> str:
        if self.existing is None:
            self.log.info("creating %s (primary key %s)", self.target_q, self.key or "none")
            cur.execute(create_table_sql(self.target_q, self.plans, self.key))
        else:
            self._add_missing_columns(cur, self.target_q)
        return self.target_q

    def _prepare_stage(self, cur: Any) -> str:
        stage = _temp_name(self.spec.target_table)
        stage_q = qualified(self.schema, stage)
        if catalogue.table_exists(cur, self.schema, stage):
            self.log.warning("dropping the leftover stage %s of an earlier failed run", stage_q)
            swap.drop_stage(cur, self.schema, stage)
        if self.existing is None:
            # key columns NOT NULL from the start: the primary key added after the load needs no NULL scan
            cur.execute(create_table_sql(stage_q, self.plans, not_null=self.key))
        else:
            # no index during the load: they are rebuilt after it (faster, and named like the target's)
            swap.create_stage(cur, self.schema, self.spec.target_table, stage, including=STAGE_LIKE)
            self._add_missing_columns(cur, stage_q)
        self.stage_q = stage_q
        self.stage = stage
        return stage_q

    # -- streaming

    def _stream(self, cur: Any, into: str, src: sa.Connection, dialect: str, sql: str) -> tuple[int, int]:
        copy_in = f"COPY {into} ({self._columns_sql()}) FROM STDIN"
        tracker = self.progress
        rows_read = 0
        pending = 0
        driver = src.connection.driver_connection
        if dialect == "postgresql":
            with driver.cursor() as src_cur:
                counters = {p.impossible_setting: p.target_name for p in self.plans if p.impossible_setting}
                for setting in counters:  # transaction-local: gone with the snapshot
                    src_cur.execute("SELECT set_config(%s, '0', true)", (setting,))
                blocks = _pg_blocks(src_cur, sql)
                try:
                    with cur.copy(copy_in) as writer:
                        # one CopyData message per row: hand them to the target in ~1 MiB writes
                        buffer = bytearray()
                        for block in blocks:
                            buffer += block
                            pending += 1
                            if len(buffer) >= WRITE_BYTES:
                                writer.write(buffer)
                                buffer = bytearray()
                            if pending >= PROGRESS_EVERY:
                                rows_read += pending
                                tracker.advance(pending)
                                pending = 0
                        if buffer:
                            writer.write(buffer)
                finally:
                    blocks.close()
                rows_read += pending
                tracker.advance(pending)
                reported = src_cur.rowcount
                if reported is not None and reported >= 0 and reported != rows_read:
                    raise ReconciliationError(
                        f"the source COPY reported {reported:,} rows but {rows_read:,} arrived: rolled back"
                    )
                for setting, column in counters.items():
                    src_cur.execute("SELECT current_setting(%s)", (setting,))
                    self.impossible[column] = int(src_cur.fetchone()[0])
        else:
            src_cur = driver.cursor()
            try:
                with cur.copy(copy_in) as writer:
                    for batch in _oracle_batches(src_cur, sql, self.plans):
                        for row in batch:
                            writer.write_row(row)
                        rows_read += len(batch)
                        tracker.advance(len(batch))
            finally:
                src_cur.close()
        tracker.finish()
        return rows_read, cur.rowcount

    # -- overwrite swap

    def _swap(self, cur: Any) -> None:
        table = self.spec.target_table
        if self.existing is None:
            swap.rename_into_place(cur, self.schema, self.stage, table, key=self.key)
            return
        columns = [p.target_name for p in self.plans]
        if swap.swap_table(cur, self.schema, table, self.stage, columns, suffix=STAGE_SUFFIX):
            # views read the target: the table was kept, its content replaced in this transaction
            self.log.info("%s has dependent views: replacing its rows in place", self.target_q)

    # -- upsert

    def _merge(self, cur: Any, temp: str) -> None:
        cols = [p.target_name for p in self.plans]
        key = list(self.spec.key)
        others = [c for c in cols if c not in key]
        col_sql = ", ".join(quote(c) for c in cols)
        action = (
            "DO UPDATE SET " + ", ".join(f"{quote(c)} = EXCLUDED.{quote(c)}" for c in others)
            if others
            else "DO NOTHING"
        )
        try:
            cur.execute(
                f"INSERT INTO {self.target_q} ({col_sql}) SELECT {col_sql} FROM {temp} "
                f"ON CONFLICT ({', '.join(quote(k) for k in key)}) {action}"
            )
        except Exception as exc:
            if getattr(exc, "sqlstate", None) == "42P10":
                raise ConfigurationError(
                    f"sql_copy upsert: {self.target_q} has no primary key or unique index on {key}; "
                    "add one or use the table's key columns as `key`"
                ) from exc
            raise


# --- the step ---------------------------------------------------------------------------------


def sync_table(ctx: StepContext) -> None:
    """The ``sql_copy`` step: copy the step's table into ``target_schema`` (param) of the target.

    Rows and the reconciliation message go to ``ctx.result`` (the step's collect_audit row)."""
    spec = CopySpec.from_options(ctx.step_options)
    source = ctx.source()
    engine = ctx.target().engine
    report = copy_table(
        source,
        engine,
        ctx.schema,
        spec,
        log=ctx.log,
        run_id=ctx.run_id,
        progress=ctx.progress,
        target_conn_id=ctx.param("target_connector"),
    )
    ctx.result.add(spec.target_table, report.rows_copied)
    ctx.result.message = (
        f"{report.source} -> {report.target} ({report.mode}): source {report.source_rows:,} rows, "
        f"copied {report.rows_copied:,}, target {report.target_rows:,} rows, {report.rows_per_second:,.0f} rows/s"
    ) + _impossible_note(report.impossible)
    ctx.result.details["impossible_values"] = dict(report.impossible)


def _impossible_note(impossible: Mapping[str, int]) -> str:
    """``; impossible JDE dates/times written as NULL: drupmj 3, drupmt 1`` (empty when none)."""
    found = [f"{column} {count:,}" for column, count in impossible.items() if count]
    return f"; impossible JDE dates/times written as NULL: {', '.join(found)}" if found else ""
