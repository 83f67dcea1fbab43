"""Who actually wrote in JDE: step LICENSE_JDE_USERS of nomasx1-license-1 (docs/license.md).

Every JDE business table carries audit columns: ``<prefix>USER`` (who wrote the row last) and
``<prefix>UPMJ`` (the Julian date of that write). Counting the rows per user and day over a
window says who transacts in which table, hence in which module and licence component.

1. **Scope**, in the step's first transaction (:func:`_scope`): the F9860 objects of type TBLE
   that exist physically in the connection's ``data`` or ``control`` schema (the source
   catalogue, :mod:`airflow_provider_nomasx1.jde.dictionary`, one query per schema); their audit
   columns are the connection's overrides (extras.catalogue ``"F0911.audit_user"``), else
   F9860's column prefix + USER / UPMJ. A table without them is listed as *skipped* with the
   reason. No table to scan at all is refused (a wrong schema map, not a quiet site).
2. **Scan**, each table in a transaction of its own (:func:`_scan_table`), ``max_sessions`` at
   once (one read-only source session each): the rows are counted ON THE SOURCE per user and
   date (:func:`source_query`, one streamed result per table), the days read replace the
   table's rows of those days, the days that left the window are trimmed, and the table's
   watermark (the last transaction date loaded) moves in the same transaction. A killed run
   leaves each table wholly before or wholly after its scan.
3. **Incremental**: a table with a watermark is read from the watermark day on (re-read: it
   may have received rows since); the whole window is read when there is none, when the window
   grew, when the watermark is after the as-of date (a backfill, a target restored from a later
   state, a clock), and when the source no longer holds the watermark day that the target does
   (a restored JDE database) — the last two are reported.

A table whose read fails is marked *failed* (its rows and watermark untouched) while the others
go on; the step then fails naming them. Users unknown to JDE security are kept and flagged (view
``license_jde_user_transactions``); rows without a user or a date are counted, not loaded.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

from airflow_provider_nomasx1.collectors.licence.base import LicenceSession, LicenceSettings, licence_session
from airflow_provider_nomasx1.collectors.session import step_session
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.errors import ConfigurationError, Nomasx1Error, describe_error, is_permanent
from airflow_provider_nomasx1.jde.catalogue import AUDIT_COLUMN_SUFFIXES, F9860
from airflow_provider_nomasx1.jde.databases import physical_name
from airflow_provider_nomasx1.jde.dictionary import AUDIT_CATALOGUE_COLUMNS, audit_columns_sql
from airflow_provider_nomasx1.jde.julian import to_julian
from airflow_provider_nomasx1.pg.identifiers import checked

__all__ = ["TableScanError", "license_jde_users", "source_query"]

#: the schema-map keys whose tables are in scope: business data and control tables
SCOPE_SCHEMAS = ("data", "control")
#: the columns of TEMP src_users: one row per audit user and audit date of a table
USERS_COLUMNS = ["user_id", "julian", "rows"]
#: the slowest tables the step's message names
SLOWEST_SHOWN = 5
#: the unknown users the step's details list
UNKNOWN_SHOWN = 20
DEFAULT_WINDOW_DAYS = 90


class TableScanError(Nomasx1Error):
    """Some tables could not be scanned; the others were. Retried only when a retry can help."""

    def __init__(self, message: str, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Window:
    """The transaction dates counted: ``start`` to ``end`` (the as-of date), both included."""

    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class ScopedTable:
    """A table to scan, with what its last scan left (license_jde_tables)."""

    schema_key: str
    schema_name: str
    table_name: str
    system_code: str | None
    user_column: str
    date_column: str
    watermark: dt.date | None = None
    window_start: dt.date | None = None

    @property
    def label(self) -> str:
        return f"{self.schema_name}.{self.table_name}"


@dataclass
class TableScan:
    """What scanning one table did."""

    table: ScopedTable
    seconds: float = 0.0
    rows_read: int = 0
    written: int = 0
    full: bool = True
    no_user: int = 0
    no_date: int = 0
    notes: list[str] = field(default_factory=list)
    error: BaseException | None = None


def source_query(user: str, date: str, table: str, from_day: dt.date, to_day: dt.date) -> str:
    """The count run on the JDE database for one table: rows per audit ``user`` and audit
    ``date`` (physical columns of the qualified ``table``) dated ``from_day`` to ``to_day``,
    plus the undated rows (0) so they are counted, never silently lost. Plain SQL valid on
    Oracle, SQL Server and PostgreSQL; Julian numbers compared as numbers."""
    return (
        f"SELECT {user}, {date}, COUNT(*) FROM {table} "
        f"WHERE ({date} >= {to_julian(from_day)} AND {date} <= {to_julian(to_day)}) OR {date} = 0 "
        f"GROUP BY {user}, {date}"
    )


# -- the step ------------------------------------------------------------------------------------


def license_jde_users(ctx: StepContext) -> dict[str, int]:
    """Transactions per user, table and day over the window -> license_jde_users, per-table
    watermarks and statuses -> license_jde_tables."""
    window_days = _int_param(ctx, "window_days", DEFAULT_WINDOW_DAYS, 1, 3660)
    started = time.monotonic()
    with licence_session(ctx) as s:
        settings = s.settings
        window = Window(settings.as_of - dt.timedelta(days=window_days), settings.as_of)
        sessions = _int_param(ctx, "max_sessions", settings.license_max_sessions, 1, 32)
        tables, skipped = _scope(s)
    scans = _scan_all(ctx, settings, tables, window, sessions)
    return _report(ctx, settings, window, sessions, scans, skipped, time.monotonic() - started)


def _int_param(ctx: StepContext, name: str, default: int, low: int, high: int) -> int:
    """An integer param (empty = ``default``), refused outside ``low``..``high``."""
    raw = ctx.params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(str(raw))
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise ConfigurationError(
            f"param {name} {raw!r} is not a whole number from {low} to {high}: fix it in the trigger form (or "
            "leave it empty for the default). Nothing was changed."
        )
    return value


# -- 1. scope ------------------------------------------------------------------------------------


def _scope(s: LicenceSession) -> tuple[list[ScopedTable], int]:
    """The tables to scan (slowest last time first, so the sessions finish together) and the
    number of tables skipped; the skipped ones and the tables out of scope are written now."""
    reader = s.reader
    tble = s.extract("src_tble", F9860, where=f"RTRIM({s.source_column(F9860, 'object_type')}) = 'TBLE'")
    schemas = _scope_schemas(s)
    overrides = _audit_overrides(reader.overrides)
    extra = [c for pair in overrides.values() for c in pair if c]
    s.extract_query("src_audit_catalogue", audit_columns_sql(reader.dialect, schemas, extra), AUDIT_CATALOGUE_COLUMNS)
    _load_overrides(s, overrides)
    names = reader.schemas
    counts = s.run_sql(
        "license_jde_users_scope", {"data_schema": names.data.upper(), "control_schema": names.control.upper()}
    )
    listed = s.conn.exec_driver_sql(
        "SELECT count(*) FILTER (WHERE status = 'scanned'), count(*), count(DISTINCT table_name) FROM tmp_users_scope"
    ).one()
    objects = int(s.scalar("SELECT count(*) FROM tmp_users_tble"))
    s.ctx.result.details["users_scope"] = {
        "tble_objects": objects,
        "listed": int(listed[1]),
        "to_scan": int(listed[0]),
        "skipped": counts["skipped"],
        "not_found": objects - int(listed[2]),
        "schemas": {key: schema for key, schema in schemas.items()},
    }
    _check_scope(s, tble, objects, int(listed[1]), int(listed[0]), schemas)
    return _tables_to_scan(s), counts["skipped"]


def _scope_schemas(s: LicenceSession) -> dict[str, str]:
    """Schema-map key -> physical schema of the scope (one entry when data and control coincide)."""
    found: dict[str, str] = {}
    for key in SCOPE_SCHEMAS:
        physical = s.reader.schema_of(key)
        if physical not in found.values():
            found[key] = physical
    return found


def _audit_overrides(overrides: dict[str, str]) -> dict[str, tuple[str | None, str | None]]:
    """Table -> (audit user column, audit date column) named by extras.catalogue."""
    found: dict[str, list[str | None]] = {}
    for logical, position in (("audit_user", 0), ("audit_date", 1)):
        suffix = f".{logical}"
        for key, column in overrides.items():
            if key.lower().endswith(suffix):
                table = checked(key[: -len(suffix)], "table of an audit-column override").upper()
                found.setdefault(table, [None, None])[position] = checked(column, f"column of {key}").upper()
    return {table: (pair[0], pair[1]) for table, pair in found.items()}


def _load_overrides(s: LicenceSession, overrides: dict[str, tuple[str | None, str | None]]) -> None:
    with s.cursor as cur:
        cur.execute("DROP TABLE IF EXISTS pg_temp.tmp_audit_overrides")
        cur.execute("CREATE TEMP TABLE tmp_audit_overrides (table_name text, audit_user text, audit_date text)")
        for table, (user, date) in overrides.items():
            cur.execute("INSERT INTO tmp_audit_overrides VALUES (%s, %s, %s)", (table, user, date))


def _check_scope(
    s: LicenceSession, tble: int, objects: int, listed: int, to_scan: int, schemas: dict[str, str]
) -> None:
    """Refuse a scope with nothing to scan: the schema map, not the site, is wrong."""
    where = " and ".join(f"{schema} ({key})" for key, schema in schemas.items())
    if listed == 0:
        raise ConfigurationError(
            f"none of the {objects:,} tables (TBLE objects) of F9860 exists in {where} through connection "
            f"{s.reader.conn_id!r} ({tble:,} F9860 rows read): check the connection's schema map entries 'data' "
            "and 'control' (docs/connections.md) and that its login may read those schemas. Nothing was changed."
        )
    if to_scan == 0:
        reasons = s.conn.exec_driver_sql(
            "SELECT table_name || ': ' || reason FROM tmp_users_scope ORDER BY table_name LIMIT 3"
        ).scalars()
        raise ConfigurationError(
            f"none of the {listed:,} tables of {where} has its audit columns (<prefix>"
            f"{AUDIT_COLUMN_SUFFIXES['audit_user']} / <prefix>{AUDIT_COLUMN_SUFFIXES['audit_date']}), e.g. "
            f"{'; '.join(reasons)}. Check F9860's column prefixes (SIPFX) and the connection's extras.catalogue "
            "audit-column overrides (docs/license.md). Nothing was changed."
        )


def _tables_to_scan(s: LicenceSession) -> list[ScopedTable]:
    rows = s.conn.exec_driver_sql(
        s.render(
            "SELECT c.schema_key, c.schema_name, c.table_name, c.system_code, c.user_column, c.date_column, "
            "t.watermark, t.window_start FROM tmp_users_scope AS c LEFT JOIN {{schema}}.license_jde_tables AS t "
            "ON t.apps_id = {{apps_id}} AND t.schema_name = c.schema_name AND t.table_name = c.table_name "
            "AND t.status <> 'skipped' WHERE c.status = 'scanned' "
            "ORDER BY t.seconds DESC NULLS FIRST, c.schema_name, c.table_name"
        )
    ).mappings()
    return [ScopedTable(**row) for row in rows]


# -- 2. scan -------------------------------------------------------------------------------------


def _scan_all(
    ctx: StepContext, settings: LicenceSettings, tables: list[ScopedTable], window: Window, sessions: int
) -> list[TableScan]:
    """Every table scanned, ``sessions`` at once; progress logged as each one ends."""
    ctx.source().engine, ctx.target().engine  # the hooks, made once before the threads share them
    progress = _Progress(ctx, len(tables))
    scans: list[TableScan] = []
    with ThreadPoolExecutor(max_workers=max(1, min(sessions, len(tables))), thread_name_prefix="users") as pool:
        futures = [pool.submit(_scan_table, ctx, settings, table, window) for table in tables]
        for future in as_completed(futures):
            scan = future.result()
            progress.done(scan)
            scans.append(scan)
    return scans


class _Progress:
    """Tables done / total, rows and rate, one log line per table (from the main thread)."""

    def __init__(self, ctx: StepContext, total: int) -> None:
        self.ctx, self.total, self.count, self.rows = ctx, total, 0, 0
        self.started = time.monotonic()
        self.lock = threading.Lock()

    def done(self, scan: TableScan) -> None:
        with self.lock:
            self.count += 1
            self.rows += scan.rows_read
            elapsed = max(time.monotonic() - self.started, 1e-6)
            how = _how(scan)
            self.ctx.log.info(
                "LICENSE_JDE_USERS %s/%s %s: %s rows in %.2f s, %s; %s rows so far, %s rows/s",
                self.count,
                self.total,
                scan.table.label,
                f"{scan.rows_read:,}",
                scan.seconds,
                how,
                f"{self.rows:,}",
                f"{self.rows / elapsed:,.0f}",
            )


def _how(scan: TableScan) -> str:
    if scan.error is not None:
        return f"failed: {describe_error(scan.error)}"
    return "full read of the window" if scan.full else "incremental"


def _scan_table(ctx: StepContext, settings: LicenceSettings, table: ScopedTable, window: Window) -> TableScan:
    """One table in a target transaction of its own; a failure marks it failed (its rows and
    watermark untouched) and is returned, not raised, so the other tables go on."""
    started = time.monotonic()
    try:
        with step_session(ctx, "licence", lambda _conn: settings) as s:
            scan = _load_table(s, table, window)
            scan.seconds = time.monotonic() - started
            s.conn.exec_driver_sql(
                s.render(
                    "UPDATE {{schema}}.license_jde_tables SET seconds = {{seconds}} WHERE apps_id = {{apps_id}} "
                    "AND schema_name = {{schema_name}} AND table_name = {{table_name}}",
                    {"seconds": round(scan.seconds, 3), **_table_tokens(table)},
                )
            )
        return scan
    except Exception as exc:  # reported per table, raised for all at the end
        _mark_failed(ctx, settings, table, exc)
        return TableScan(table, seconds=time.monotonic() - started, error=exc)


def _table_tokens(table: ScopedTable) -> dict[str, Any]:
    return {
        "schema_name": table.schema_name,
        "table_name": table.table_name,
        "system_code": table.system_code,
        "user_column": table.user_column,
        "date_column": table.date_column,
    }


def _load_table(s: LicenceSession, table: ScopedTable, window: Window) -> TableScan:
    """Read the table's window (or the days from its watermark), replace those days, trim."""
    from_day, note = _plan(table, window)
    scan = TableScan(table, full=from_day is None)
    if note:
        scan.notes.append(note)
    scan.rows_read = _read(s, table, from_day, window)
    if from_day is not None and _restored(s, table, from_day):
        scan.notes.append(
            f"{table.label}: the source holds no row of {from_day} (the watermark day) although nomasx1 does: the "
            "JDE table was restored or purged; the whole window re-read"
        )
        from_day, scan.full = None, True
        scan.rows_read += _read(s, table, None, window)
    if from_day is None:
        _guard_full_read(s, table, window)
    scan.no_date, scan.no_user = (int(v) for v in s.conn.exec_driver_sql("SELECT * FROM tmp_users_left_out").one())
    counts = s.run_sql(
        "license_jde_users_merge",
        {
            **_table_tokens(table),
            "from_day": from_day,
            "window_start": window.start,
            "rows_read": scan.rows_read,
            "seconds": None,
            "full_scan": scan.full,
        },
    )
    scan.written = counts["license_jde_users"]
    return scan


def _plan(table: ScopedTable, window: Window) -> tuple[dt.date | None, str | None]:
    """(first day to read, None = the whole window; what to report)."""
    mark, previous_start = table.watermark, table.window_start
    if mark is not None and mark > window.end:
        return None, (
            f"{table.label}: the watermark {mark} is after the as-of date {window.end} (a backfill, a target restored "
            "from a later state, or the clock): the whole window re-read"
        )
    if mark is None or previous_start is None or previous_start > window.start:
        return None, None
    return max(mark, window.start), None


def _read(s: LicenceSession, table: ScopedTable, from_day: dt.date | None, window: Window) -> int:
    """The table's counts from ``from_day`` (None: the window start) into TEMP src_users, then
    typed into tmp_users_new; returns the result rows the source sent."""
    dialect = s.reader.dialect
    qualified = f"{s.reader.schema_of(table.schema_key)}.{physical_name(table.table_name, dialect)}"
    select = source_query(
        physical_name(table.user_column, dialect),
        physical_name(table.date_column, dialect),
        qualified,
        from_day or window.start,
        window.end,
    )
    rows = s.extract_query("src_users", select, USERS_COLUMNS)
    s.run_sql("license_jde_users_read", {"window_start": window.start})
    return rows


def _restored(s: LicenceSession, table: ScopedTable, day: dt.date) -> bool:
    """True when nomasx1 holds rows of ``day`` for the table but the source's read has none."""
    return bool(
        s.scalar(
            "SELECT EXISTS (SELECT 1 FROM {{schema}}.license_jde_users WHERE apps_id = {{apps_id}} "
            "AND schema_name = {{schema_name}} AND table_name = {{table_name}} AND transaction_date = {{day}}) "
            "AND NOT EXISTS (SELECT 1 FROM tmp_users_new WHERE transaction_date = {{day}})",
            {**_table_tokens(table), "day": day},
        )
    )


def _guard_full_read(s: LicenceSession, table: ScopedTable, window: Window) -> None:
    """Refuse a whole-window read that lost most of what nomasx1 holds of that window."""
    before = s.scalar(
        "SELECT coalesce(sum(transactions), 0) FROM {{schema}}.license_jde_users WHERE apps_id = {{apps_id}} "
        "AND schema_name = {{schema_name}} AND table_name = {{table_name}} "
        "AND transaction_date BETWEEN {{start}} AND {{as_of}}",
        {**_table_tokens(table), "start": window.start},
    )
    now = s.scalar("SELECT coalesce(sum(transactions), 0) FROM tmp_users_new")
    s.guard_collapse(
        f"the transactions of {table.label} from {window.start} to {window.end}", int(before or 0), int(now or 0)
    )


def _mark_failed(ctx: StepContext, settings: LicenceSettings, table: ScopedTable, exc: BaseException) -> None:
    """The table's row of license_jde_tables says it failed and why (its own transaction)."""
    try:
        with step_session(ctx, "licence", lambda _conn: settings) as s:
            s.run_sql("license_jde_tables_failed", {**_table_tokens(table), "reason": describe_error(exc)})
    except Exception as marking:  # the target may be what failed: still reported
        ctx.log.warning("LICENSE_JDE_USERS: could not mark %s failed: %s", table.label, describe_error(marking))


# -- 3. the report -------------------------------------------------------------------------------


def _report(
    ctx: StepContext,
    settings: LicenceSettings,
    window: Window,
    sessions: int,
    scans: list[TableScan],
    skipped: int,
    seconds: float,
) -> dict[str, int]:
    """The step's message and details; raises when a table failed (the others are kept)."""
    failed = [scan for scan in scans if scan.error is not None]
    done = [scan for scan in scans if scan.error is None]
    rows = sum(scan.rows_read for scan in scans)
    details = ctx.result.details
    details["users_window"] = {
        "from": str(window.start),
        "to": str(window.end),
        "days": (window.end - window.start).days,
    }
    details["users_tables"] = {
        "scanned": len(done),
        "incremental": sum(not scan.full for scan in done),
        "whole_window": sum(scan.full for scan in done),
        "skipped": skipped,
        "failed": {scan.table.label: describe_error(scan.error) for scan in failed if scan.error},
        "sessions": sessions,
        "rows_read": rows,
        "seconds": round(seconds, 3),
    }
    details["users_left_out"] = {"no_user": sum(s.no_user for s in done), "no_date": sum(s.no_date for s in done)}
    slowest = sorted(done, key=lambda scan: scan.seconds, reverse=True)[:SLOWEST_SHOWN]
    summary = (
        f"{len(done):,} of {len(scans) + skipped:,} tables scanned ({sum(not s.full for s in done):,} from their "
        f"watermark, {skipped:,} skipped without audit columns, {len(failed):,} failed), {rows:,} source rows in "
        f"{seconds:.1f} s ({rows / max(seconds, 1e-6):,.0f} rows/s, {sessions} sessions), window {window.start} to "
        f"{window.end}; slowest: {', '.join(f'{s.table.table_name} {s.seconds:.1f} s' for s in slowest) or 'none'}"
    )
    ctx.result.message = f"{summary}; {ctx.result.message}" if ctx.result.message else summary
    _note_all(ctx, [note for scan in scans for note in scan.notes])
    _note_left_out(ctx, details["users_left_out"])
    _report_unknown_users(ctx, settings)
    ctx.log.info("LICENSE_JDE_USERS: %s", summary)
    if failed:
        names = ", ".join(f"{s.table.label} ({describe_error(s.error)})" for s in failed[:10] if s.error)
        raise TableScanError(
            f"{len(failed):,} of {len(scans):,} tables could not be scanned: {names}. Their rows and watermarks are "
            "as the last scan left them (license_jde_tables.status 'failed'); the other tables were loaded. Fix the "
            "cause and re-run: the scanned tables are read from their watermark only.",
            permanent=all(is_permanent(s.error) for s in failed if s.error),
        )
    return {"license_jde_users": sum(scan.written for scan in done), "license_jde_tables": len(scans) + skipped}


def _note_all(ctx: StepContext, notes: list[str]) -> None:
    for text in notes:
        ctx.log.warning("%s", text)
        ctx.result.message = f"{ctx.result.message}; {text}" if ctx.result.message else text


def _note_left_out(ctx: StepContext, left_out: dict[str, int]) -> None:
    parts = [
        f"{n:,} {what}"
        for what, n in (("without a user", left_out["no_user"]), ("undated (<prefix>UPMJ 0)", left_out["no_date"]))
        if n
    ]
    if parts:
        _note_all(ctx, [f"rows left out of the counts: {', '.join(parts)} (collect_audit.details.users_left_out)"])


def _report_unknown_users(ctx: StepContext, settings: LicenceSettings) -> None:
    """Transacting users absent from security_users (deleted accounts, batch and proxy ids):
    kept, counted, and flagged by the view license_jde_user_transactions."""
    with step_session(ctx, "licence", lambda _conn: settings) as s:
        if not s.scalar("SELECT EXISTS (SELECT 1 FROM {{schema}}.security_users WHERE apps_id = {{apps_id}})"):
            return
        unknown = s.render(
            "SELECT DISTINCT u.user_id FROM {{schema}}.license_jde_users AS u WHERE u.apps_id = {{apps_id}} "
            "AND NOT EXISTS (SELECT 1 FROM {{schema}}.security_users AS k WHERE k.apps_id = {{apps_id}} "
            "AND k.user_id = u.user_id)"
        )
        count = int(s.scalar(f"SELECT count(*) FROM ({unknown}) AS x"))
        first = list(s.conn.exec_driver_sql(f"{unknown} ORDER BY 1 LIMIT {UNKNOWN_SHOWN}").scalars())
    if count:
        ctx.result.details["users_unknown"] = {"count": count, "first": first}
        ctx.log.info("LICENSE_JDE_USERS: %s transacting users not in security_users, kept: %s", count, ", ".join(first))
