"""Object Usage Tracking (F98911): the steps of nomasx1-out-1, LICENSE_JDE_OUT,
LICENSE_JDE_OUT_OBJECTS, LICENSE_JDE_OUT_USERS and LICENSE_JDE_OUT_PURGE (docs/license.md).

Each step runs in ONE target transaction (:func:`~airflow_provider_nomasx1.collectors.licence.base.licence_session`)
with the SQL of ``sql/licence/license_jde_out*.sql``. The rules:

- **LICENSE_JDE_OUT** reads the F98911 rows of the window aggregated ON THE SOURCE
  (:func:`source_query`: one row per object, form, version, user, role, environment, object type
  and date, with the rows' count and latest time), streamed into a TEMP table. The window starts
  at the watermark day (the day of the last OUT row loaded), re-read because it may have received
  rows since; the first run (no watermark) reads every row up to the as-of date. The days of the
  window are REPLACED in ``license_jde_out_daily`` and merged into ``license_jde_out``
  (``uses`` += new - old uses of those days, ``first_used`` least, ``last_used`` greatest): uses
  stay exact and a re-run changes nothing. The watermark moves in the same transaction.
  A watermark ahead of the source (after the as-of date, or no source row on or after the
  watermark day while that day has raw rows: a restore) is reported and the window re-read from
  the earliest day still in ``license_jde_out_daily``; when the source has no row at all in that
  window, nothing is replaced (a purge or restore outside nomasx1 must not erase observed usage).
  F98911 missing fails (OUT is optional in JDE: enable it or pause the job); an empty F98911 on
  the first run is reported loudly, not failed. Unknown users are kept.
- **LICENSE_JDE_OUT_OBJECTS** rebuilds the per-object rows from ``license_jde_out``.
- **LICENSE_JDE_OUT_USERS** replaces the per user / day / role / environment rows from
  ``users_through`` on (its own watermark, moved in its transaction: a failed run is caught up).
- **LICENSE_JDE_OUT_PURGE** deletes the raw rows older than ``out_retention_days`` (never a day
  not yet aggregated, never the watermark day) and, only when ``jde_out_purge`` is on, the F98911
  rows already loaded and older than ``jde_out_retention_days``, through
  ``jde_out_purge_connector`` (the only writable JDE connection, role ``jde_purge``).

F98911's physical columns are our unverified reading (``jde/catalogue.py``): a missing one fails
naming it and the ``extras.catalogue`` override.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from airflow_provider_nomasx1.collectors.licence.base import LicenceSession, licence_session
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.errors import ConfigurationError, SourceUnavailableError, describe_error, sqlstate
from airflow_provider_nomasx1.jde.catalogue import F98911
from airflow_provider_nomasx1.jde.julian import to_julian

__all__ = [
    "OUT_COLUMNS",
    "license_jde_out",
    "license_jde_out_objects",
    "license_jde_out_purge",
    "license_jde_out_users",
    "source_query",
]

#: the F98911 logical columns grouped on the source (path_code is not kept)
GROUPED = ("object_name", "form_name", "version", "user_id", "role", "environment", "object_type", "used_date")
#: the columns of TEMP src_out: the grouped ones, the rows of the group, their latest time
OUT_COLUMNS = [*GROUPED, "uses", "last_time"]
#: what each optional column leaves empty when the source lacks it
_OPTIONAL_EFFECT = {
    "form_name": "form",
    "version": "version",
    "role": "sign-on role",
    "environment": "environment",
    "object_type": "object type (F9860's used)",
}
#: "no DELETE grant" as each JDE database says it: SQLSTATE 42501 / read-only 25006, ORA-01031, MSSQL 229
_REFUSED_DELETE = ("ORA-01031", "permission was denied", "(229)")


#: a window that reads nothing (the watermark is after the as-of date and no raw day is left)
_NOTHING: Any = object()


@dataclass(frozen=True)
class OutState:
    """The application's row of license_jde_out_state (all None before the first run)."""

    watermark_date: dt.date | None = None
    watermark_time: int | None = None
    users_through: dt.date | None = None
    rows_read: int | None = None
    purged_through: dt.date | None = None


def source_query(columns: Mapping[str, str | None], table: str, from_day: dt.date | None, to_day: dt.date) -> str:
    """The aggregation run on the JDE database: F98911 rows dated ``from_day`` (None: any) to
    ``to_day``, grouped by :data:`GROUPED`, with ``COUNT(*)`` and ``MAX(time)``. ``columns`` maps
    the logical columns to their physical names (None: an optional column the source lacks, read
    as NULL and left out of the GROUP BY); ``table`` is the qualified physical table. Plain SQL
    valid on Oracle, SQL Server and PostgreSQL; Julian numbers compared as numbers (0 left out)."""
    date, time = columns["used_date"], columns["used_time"]
    items = [columns[c] or "NULL" for c in GROUPED]
    keys = [physical for c in GROUPED if (physical := columns[c])]
    where = [f"{date} > 0", f"{date} <= {to_julian(to_day)}"]
    if from_day is not None:
        where.append(f"{date} >= {to_julian(from_day)}")
    return (
        f"SELECT {', '.join(items)}, COUNT(*), MAX({time}) FROM {table} "
        f"WHERE {' AND '.join(where)} GROUP BY {', '.join(keys)}"
    )


# -- LICENSE_JDE_OUT -----------------------------------------------------------------------------


def license_jde_out(ctx: StepContext) -> dict[str, int]:
    """F98911 since the watermark -> license_jde_out_daily (days replaced) + license_jde_out (merged)."""
    with licence_session(ctx) as s:
        columns = _out_columns(s)
        state = read_state(s)
        as_of = s.settings.as_of
        from_day, restore = _window(s, state)
        if from_day is _NOTHING:
            return {"license_jde_out_daily": 0, "license_jde_out": 0}
        rows = _read(s, columns, from_day, as_of)
        if not restore and state.watermark_date is not None and rows == 0 and _daily_rows_on(s, state.watermark_date):
            earliest = _earliest_daily_day(s)
            s.note(
                f"F98911 has no row on or after the watermark day {state.watermark_date} although "
                f"license_jde_out_daily holds rows of that day: the JDE table was restored or purged; re-reading "
                f"from the earliest day still held, {earliest}"
            )
            from_day, restore = earliest, True
            rows = _read(s, columns, from_day, as_of)
        if restore and rows == 0:
            s.note(
                f"F98911 holds no row from {from_day} to {as_of}: nothing was replaced (the usage already loaded "
                f"is kept, the watermark stays at {state.watermark_date}); check the source connection and "
                "whether F98911 was purged (R98911P) or restored"
            )
            ctx.result.details["out_window"] = {"from": str(from_day), "to": str(as_of), "rows_read": 0}
            return {"license_jde_out_daily": 0, "license_jde_out": 0}
        _check_skipped(s)
        if state.watermark_date is None and rows == 0:
            s.note(
                f"F98911 ({s.source_table(F98911)}) holds no usage row up to {as_of}: Object Usage Tracking may "
                "not be enabled (P980042T, menu GH902) or has recorded nothing yet; nothing was loaded, the next "
                "run reads it again"
            )
        counts = s.run_sql("license_jde_out", {"from_day": from_day, "to_day": as_of})
        _report_unknown_users(s)
        moved = move_watermark(s, state, from_day, rows)
        uses = int(s.scalar("SELECT coalesce(sum(uses), 0) FROM tmp_out_new"))
        written = counts["license_jde_out_changed"] + counts["license_jde_out_added"]
        ctx.result.details["out_window"] = {
            "from": str(from_day) if from_day else None,
            "to": str(as_of),
            "rows_read": rows,
            "uses": uses,
            "days_replaced_rows": counts["replaced_daily"],
            "license_jde_out_added": counts["license_jde_out_added"],
            "license_jde_out_changed": counts["license_jde_out_changed"],
            "watermark": str(moved) if moved else None,
        }
        ctx.log.info(
            "LICENSE_JDE_OUT: %s F98911 rows in %s groups read from %s to %s; %s raw rows replaced by %s; "
            "license_jde_out: %s added, %s changed; watermark %s",
            f"{uses:,}",
            f"{rows:,}",
            from_day or "the first row",
            as_of,
            f"{counts['replaced_daily']:,}",
            f"{counts['license_jde_out_daily']:,}",
            f"{counts['license_jde_out_added']:,}",
            f"{counts['license_jde_out_changed']:,}",
            moved,
        )
    return {"license_jde_out_daily": counts["license_jde_out_daily"], "license_jde_out": written}


def _out_columns(s: LicenceSession) -> dict[str, str | None]:
    """F98911's columns (logical -> physical, None for an absent optional one); a missing table or
    required column fails, naming what was looked for. Absent optional columns are reported."""
    with s.reader.hook.engine.connect() as inspect_conn:
        check = s.reader.check_table(inspect_conn, F98911)
    if not check.found:
        raise SourceUnavailableError(
            f"Object Usage Tracking not found: {check.problem} F98911 exists only where Object Usage Tracking "
            "is enabled (it is optional in JDE): enable it with P980042T (menu GH902) or pause this job "
            f"(nomasx1-out-1) for application {s.apps_id}. Nothing was changed."
        )
    if check.problem:
        raise SourceUnavailableError(f"{check.problem} Nothing was changed.")
    absent = [c for c in _OPTIONAL_EFFECT if check.columns[c] is None]
    if absent:
        names = ", ".join(f"{s.source_column(F98911, c)} ({c})" for c in absent)
        s.note(
            f"F98911 has no column {names}: {', '.join(_OPTIONAL_EFFECT[c] for c in absent)} read as empty. "
            "F98911's layout is our unverified reading "
            '(docs/license.md): if the site names them otherwise, map them, e.g. extras.catalogue {"F98911.role": '
            '"<COLUMN>"}'
        )
    return dict(check.columns)


def read_state(s: LicenceSession) -> OutState:
    row = (
        s.conn.exec_driver_sql(
            s.render(
                "SELECT watermark_date, watermark_time, users_through, rows_read, purged_through "
                "FROM {{schema}}.license_jde_out_state WHERE apps_id = {{apps_id}}"
            )
        )
        .mappings()
        .first()
    )
    return OutState(**row) if row else OutState()


def _window(s: LicenceSession, state: OutState) -> tuple[Any, bool]:
    """(first day to read, restore?): the watermark day; None on the first run (every day up to
    the as-of date); the earliest raw day when the watermark is after the as-of date."""
    as_of = s.settings.as_of
    if state.watermark_date is None:
        return None, False
    if state.watermark_date <= as_of:
        return state.watermark_date, False
    earliest = _earliest_daily_day(s)
    if earliest is None or earliest > as_of:
        s.note(
            f"the watermark {state.watermark_date} is after the as-of date {as_of} (a backfill, or a target restored "
            f"from a later state) and license_jde_out_daily holds no day up to {as_of}: nothing to re-read, "
            "nothing was changed"
        )
        return _NOTHING, True
    s.note(
        f"the watermark {state.watermark_date} is after the as-of date {as_of} (a backfill, or a target restored "
        f"from a later state): re-reading from the earliest day still in license_jde_out_daily, {earliest}, to {as_of}"
    )
    return earliest, True


def _read(s: LicenceSession, columns: Mapping[str, str | None], from_day: dt.date | None, as_of: dt.date) -> int:
    """The window's groups into TEMP src_out, then trimmed and typed into tmp_out_new; returns the
    groups read from the source."""
    rows = s.extract_query("src_out", source_query(columns, s.source_table(F98911), from_day, as_of), OUT_COLUMNS)
    s.run_sql("license_jde_out_prepare")
    return rows


def _daily_rows_on(s: LicenceSession, day: dt.date) -> bool:
    return bool(
        s.scalar(
            "SELECT EXISTS (SELECT 1 FROM {{schema}}.license_jde_out_daily WHERE apps_id = {{apps_id}} "
            "AND usage_date = {{day}})",
            {"day": day},
        )
    )


def _earliest_daily_day(s: LicenceSession) -> dt.date | None:
    return s.scalar("SELECT min(usage_date) FROM {{schema}}.license_jde_out_daily WHERE apps_id = {{apps_id}}")


def _check_skipped(s: LicenceSession) -> None:
    """Report the source rows left out: no date (an impossible CYYDDD), no object or no user."""
    skipped = s.conn.exec_driver_sql("SELECT * FROM tmp_out_skipped").mappings().one()
    parts = []
    if skipped["no_date_uses"]:
        parts.append(f"{int(skipped['no_date_uses']):,} with an impossible date")
    if skipped["blank_uses"]:
        parts.append(f"{int(skipped['blank_uses']):,} without an object or a user")
    if parts:
        s.ctx.result.details["out_skipped_rows"] = {k: int(v) for k, v in skipped.items()}
        s.note(f"F98911 rows left out: {', '.join(parts)}")


def _report_unknown_users(s: LicenceSession) -> None:
    """Users of the window absent from security_users (deleted accounts, batch users): kept, counted."""
    known = s.scalar("SELECT EXISTS (SELECT 1 FROM {{schema}}.security_users WHERE apps_id = {{apps_id}})")
    if not known:
        return
    unknown = s.conn.exec_driver_sql(
        s.render(
            "SELECT DISTINCT n.user_id FROM tmp_out_new n WHERE NOT EXISTS (SELECT 1 FROM {{schema}}.security_users u "
            "WHERE u.apps_id = {{apps_id}} AND u.user_id = n.user_id) ORDER BY 1"
        )
    ).scalars()
    users = list(unknown)
    if users:
        s.ctx.result.details["out_unknown_users"] = {"count": len(users), "first": users[:20]}
        s.ctx.log.info("LICENSE_JDE_OUT: %s users not in security_users, kept: %s", len(users), ", ".join(users[:20]))


def move_watermark(s: LicenceSession, state: OutState, from_day: dt.date | None, rows: int) -> dt.date | None:
    """Set the watermark to the last OUT row loaded (kept when the window had none), in the step's
    transaction; returns the new watermark day."""
    last = s.conn.exec_driver_sql(
        "SELECT usage_date, last_time FROM tmp_out_new ORDER BY usage_date DESC, last_time DESC NULLS LAST LIMIT 1"
    ).first()
    day, time = (last[0], last[1]) if last else (state.watermark_date, state.watermark_time)
    s.run_sql(
        "license_jde_out_state",
        {"watermark_date": day, "watermark_time": time, "rows_read": rows, "from_day": from_day},
    )
    return day


# -- LICENSE_JDE_OUT_OBJECTS / LICENSE_JDE_OUT_USERS ---------------------------------------------


def license_jde_out_objects(ctx: StepContext) -> dict[str, int]:
    """license_jde_out_objects, rebuilt from license_jde_out (users, uses, first and last use)."""
    with licence_session(ctx) as s:
        counts = s.run_sql("license_jde_out_objects")
        ctx.log.info("LICENSE_JDE_OUT_OBJECTS: %s objects", f"{counts['license_jde_out_objects']:,}")
    return {"license_jde_out_objects": counts["license_jde_out_objects"]}


def license_jde_out_users(ctx: StepContext) -> dict[str, int]:
    """license_jde_out_users for the days from users_through on (replaced), then users_through moved."""
    with licence_session(ctx) as s:
        state = read_state(s)
        from_day = state.users_through or _earliest_daily_day(s)
        if from_day is None:
            ctx.log.info("LICENSE_JDE_OUT_USERS: license_jde_out_daily holds no row: nothing to aggregate")
            return {"license_jde_out_users": 0}
        last = s.scalar(
            "SELECT max(usage_date) FROM {{schema}}.license_jde_out_daily WHERE apps_id = {{apps_id}} "
            "AND usage_date >= {{from_day}}",
            {"from_day": from_day},
        )
        counts = s.run_sql(
            "license_jde_out_users", {"from_day": from_day, "users_through": last or state.users_through}
        )
        ctx.result.details["out_users_window"] = {"from": str(from_day), "through": str(last or from_day)}
        ctx.log.info(
            "LICENSE_JDE_OUT_USERS: days from %s replaced (%s rows before, %s now); aggregated through %s",
            from_day,
            f"{counts['replaced_users']:,}",
            f"{counts['license_jde_out_users']:,}",
            last or state.users_through,
        )
    return {"license_jde_out_users": counts["license_jde_out_users"]}


# -- LICENSE_JDE_OUT_PURGE -----------------------------------------------------------------------


def license_jde_out_purge(ctx: StepContext) -> dict[str, int]:
    """Raw OUT rows beyond out_retention_days (out_purge); F98911 rows already loaded and beyond
    jde_out_retention_days (jde_out_purge, through jde_out_purge_connector)."""
    with licence_session(ctx) as s:
        state = read_state(s)
        deleted = _purge_daily(s, state) if s.settings.out_purge else 0
        if not s.settings.out_purge:
            ctx.log.info("LICENSE_JDE_OUT_PURGE: out_purge is off: license_jde_out_daily kept whole")
        if s.settings.jde_out_purge:
            _purge_jde(s, state)
        else:
            ctx.log.info("LICENSE_JDE_OUT_PURGE: jde_out_purge is off (the default): F98911 left untouched")
    return {"license_jde_out_daily": deleted}


def _purge_daily(s: LicenceSession, state: OutState) -> int:
    settings = s.settings
    cutoff = settings.as_of - dt.timedelta(days=settings.out_retention_days)
    if state.users_through is None or state.watermark_date is None:
        kept = int(
            s.scalar(
                "SELECT count(*) FROM {{schema}}.license_jde_out_daily WHERE apps_id = {{apps_id}} "
                "AND usage_date < {{cutoff}}",
                {"cutoff": cutoff},
            )
        )
        if kept:
            s.note(
                f"{kept:,} raw OUT rows older than {cutoff} kept: not aggregated into license_jde_out_users yet "
                "(run LICENSE_JDE_OUT_USERS)"
            )
        return 0
    purge_before = min(cutoff, state.users_through, state.watermark_date)
    kept = int(
        s.scalar(
            "SELECT count(*) FROM {{schema}}.license_jde_out_daily WHERE apps_id = {{apps_id}} "
            "AND usage_date < {{cutoff}} AND usage_date >= {{purge_before}}",
            {"cutoff": cutoff, "purge_before": purge_before},
        )
    )
    deleted = s.run_sql("license_jde_out_purge", {"purge_before": purge_before})["license_jde_out_daily"]
    s.ctx.result.details["out_purge"] = {"before": str(purge_before), "deleted": deleted, "kept_unaggregated": kept}
    s.ctx.log.info(
        "LICENSE_JDE_OUT_PURGE: %s raw OUT rows dated before %s deleted from license_jde_out_daily (retention %s days)",
        f"{deleted:,}",
        purge_before,
        s.settings.out_retention_days,
    )
    if kept:
        s.note(
            f"{kept:,} raw OUT rows older than {cutoff} kept: from {purge_before} on they are not aggregated into "
            "license_jde_out_users yet, or are the watermark day (run LICENSE_JDE_OUT_USERS / LICENSE_JDE_OUT)"
        )
    return deleted


def _purge_jde(s: LicenceSession, state: OutState) -> int:
    """DELETE the F98911 rows already loaded (before the watermark day) and older than
    jde_out_retention_days, through the purge connection, in one transaction on it; counted and
    logged first. Runs inside the step's target transaction: a refusal changes nothing anywhere."""
    settings, ctx = s.settings, s.ctx
    conn_id = str(settings.jde_out_purge_connector).strip()
    if state.watermark_date is None:
        s.note("jde_out_purge: no F98911 row loaded yet, nothing deleted in JDE")
        return 0
    limit = min(settings.as_of - dt.timedelta(days=settings.jde_out_retention_days), state.watermark_date)
    hook = ctx.hook_factory("jde_purge", conn_id)
    if hook.db_type != s.reader.hook.db_type:
        raise ConfigurationError(
            f"jde_out_purge_connector {conn_id!r} is a {hook.db_type} connection but the source {s.reader.conn_id!r} "
            f"is {s.reader.hook.db_type}: it must reach the same JDE database (with a login allowed to DELETE from "
            "F98911). Nothing was changed."
        )
    table, date = s.source_table(F98911), s.source_column(F98911, "used_date")
    schema, name = s.reader.schema_of(F98911.source), s.reader.table_name(F98911)
    where = f"{date} > 0 AND {date} < {to_julian(limit)}"
    try:
        with hook.engine.begin() as conn:
            if not sa.inspect(conn).has_table(name.lower(), schema=schema.lower()):
                raise ConfigurationError(
                    f"jde_out_purge_connector {conn_id!r} does not reach {table} (F98911, as source_connector "
                    f"{s.reader.conn_id!r} maps it): point it at the same JDE database. Nothing was changed."
                )
            planned = int(conn.execute(sa.text(f"SELECT COUNT(*) FROM {table} WHERE {where}")).scalar() or 0)
            ctx.log.warning(
                "LICENSE_JDE_OUT_PURGE: deleting %s F98911 rows of %s dated before %s (already loaded, older than "
                "%s days) through connection %r",
                f"{planned:,}",
                table,
                limit,
                settings.jde_out_retention_days,
                conn_id,
            )
            deleted = conn.execute(sa.text(f"DELETE FROM {table} WHERE {where}")).rowcount if planned else 0
    except DBAPIError as exc:
        if sqlstate(exc) in ("42501", "25006") or any(m in str(exc.orig) for m in _REFUSED_DELETE):
            login = getattr(hook.connection, "login", None) or "<login>"
            raise ConfigurationError(
                f"connection {conn_id!r} (jde_out_purge_connector) may not delete from {table}: {describe_error(exc)}. "
                f"Grant it: `GRANT DELETE ON {table} TO {login}` (and SELECT), or turn the JDE purge off with "
                f"`nomasx1 apps update --apps-id {s.apps_id} --no-jde-out-purge`. Nothing was deleted."
            ) from exc
        raise
    ctx.result.details["jde_out_purge"] = {
        "connection": conn_id,
        "table": table,
        "before": str(limit),
        "deleted": deleted,
    }
    text = f"{deleted:,} F98911 rows dated before {limit} deleted in JDE through {conn_id!r}"
    ctx.result.message = f"{ctx.result.message}; {text}" if ctx.result.message else text
    ctx.log.info("LICENSE_JDE_OUT_PURGE: %s", text)
    return deleted
