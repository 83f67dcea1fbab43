"""Effective rights: the steps that apply the JDE resolution rules set-based in SQL.

The rules (JDE-SOURCE.md section 3) are written once in plain Python in
:mod:`airflow_provider_nomasx1.jde.resolution`; the SQL in ``sql/security/rights_*.sql``
computes the same answers for every subject at once, and the property-based tests hold the two
together. How the SQL works:

- ``sec_rec``: the application (kind 1) and action (kind 2) records (duplicates: the most
  restrictive); ``sec_level``: each subject's levels with a rank (user 0, roles 1..n in sequence
  order, *PUBLIC 999; a role subject: itself 1, *PUBLIC 999);
- order key of a record for a subject: ``rank * 1e15 + specificity * 1e13 + record id``, so the
  smallest order key is the first level that has a record, then its most specific record, and
  it still names the record (rule 7);
- ``sec_ex`` (one pass, ``rights_aggregate.sql``): every key named by a record of a level, plus
  the extra keys (menus, SoD objects), with the smallest order key of the records having exactly
  that key, per kind; ``sec_wide``: for the few keys naming a form or a version, the smallest order
  key over the less specific patterns too; ``sec_all``: the first *ALL record per subject;
- the decision for a key is the smaller of its best specific order key and the *ALL one; no
  record at any level: DEFAULT (allowed).

Steps: JDE_SEC_MENUS (menu filtering per role), SECURITY_RIGHTS_MENUS (menu paths per role),
SECURITY_RIGHTS_APPS / SECURITY_RIGHTS_ACTIONS (roles), SECURITY_RIGHTS_APPS_USERS /
SECURITY_RIGHTS_ACTIONS_USERS (users). An *_APPS step stages its application decisions; the
matching *_ACTIONS step adds the action decisions and replaces the rights table in one
transaction, so a reader never sees two runs mixed (security_rights_users: the application's
partition is rebuilt and swapped, see :mod:`.partitions`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from airflow_provider_nomasx1.collectors.security.base import SecuritySession, security_session
from airflow_provider_nomasx1.collectors.security.partitions import replace_partition
from airflow_provider_nomasx1.collectors.session import SqlText
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.errors import Nomasx1Error
from airflow_provider_nomasx1.jde import catalogue
from airflow_provider_nomasx1.pg.identifiers import checked, quote

#: rank of *PUBLIC: a user may hold at most this many active roles minus one
PUBLIC_RANK = 999
#: reachable records per batch of subjects (keeps each aggregation in memory)
BATCH_ROWS = 2_000_000

_SUBJECTS = {
    "ROLE": {
        "table": "security_rights_roles",
        "partitioned": False,
        "column": "role_id",
        "extra_columns": "",
        "extra_values": "",
    },
    "USER": {
        "table": "security_rights_users",
        "partitioned": True,
        "column": "user_id",
        "extra_columns": "as_of_date,",
        "extra_values": "{{as_of}},",
    },
}


def _direction(s: SecuritySession) -> SqlText:
    return SqlText("DESC" if s.settings.role_sequence_direction == "descending" else "ASC")


def _bulk_plans(s: SecuritySession) -> None:
    """Hash joins only: the planner otherwise picks merge joins that sort millions of text keys
    under the database's collation (3x slower measured on the large profile)."""
    s.conn.exec_driver_sql("SET LOCAL enable_mergejoin = off")


def _prepare_levels(s: SecuritySession, subject_type: str) -> None:
    _bulk_plans(s)
    s.run_sql("rights_records")
    if subject_type == "USER":
        s.run_sql("rights_levels_users", {"direction": _direction(s)})
        most = s.scalar("SELECT coalesce(max(rank), 0) FROM sec_level WHERE principal <> '*PUBLIC'")
        if most >= PUBLIC_RANK:
            raise Nomasx1Error(f"a user holds {most} active roles: the resolution supports at most {PUBLIC_RANK - 1}")
    else:
        s.run_sql("rights_levels_roles")


def _record_run(s: SecuritySession, column: str | None = None, rows: int | None = None) -> None:
    """security_rights_runs: the settings this run's rights were computed with (+ row counts)."""
    settings = s.settings
    name = checked(column, "column") if column else None
    s.run_sql(
        "rights_runs",
        {
            "direction": settings.role_sequence_direction,
            "signin": settings.signin_mode,
            "codes": json.dumps(dict(settings.security_type_codes), sort_keys=True),
            "count_column": SqlText(f", {name}" if name else ""),
            "count_value": SqlText(f", {s.literal(rows)}" if name else ""),
            "count_update": SqlText(f", {name} = EXCLUDED.{name}" if name else ""),
        },
    )


def _guard_rights_collapse(s: SecuritySession, table: str, rows_column: str, rows: int) -> None:
    """The collapse guard on a rights table: compared with the rights the latest other run wrote
    (security_rights_runs, so no count of millions of rows is needed)."""
    previous = s.conn.exec_driver_sql(
        s.render(
            f"SELECT {rows_column}, run_id FROM {{{{schema}}}}.security_rights_runs WHERE apps_id = {{{{apps_id}}}} "
            f"AND run_id <> {{{{run_id}}}} AND {rows_column} IS NOT NULL ORDER BY computed_at DESC LIMIT 1"
        )
    ).first()
    if previous is not None:
        s.guard_collapse(f"{s.schema}.{table}", int(previous[0]), rows, previous[1])


def _fv_token(s: SecuritySession, kind: str, subject: str, form: str, version: str) -> SqlText:
    """The rare *ALL records naming a form or version: a per-key lookup, or NULL when there are none."""
    if not s.scalar("SELECT count(*) FROM sec_all_fv"):
        return SqlText("NULL::bigint")
    return SqlText(
        f"(SELECT min(x.{kind}) FROM sec_all_fv x WHERE x.subject = {subject} "
        f"AND x.f IN ('', {form}) AND x.v IN ('', {version}))"
    )


def _aggregate_in_batches(
    s: SecuritySession, record_filter: str = "", *, batch_rows: int = BATCH_ROWS
) -> Iterator[int]:
    """Split the subjects into batches of about ``batch_rows`` reachable records (rights_batches.sql)
    and, for each, build sec_ex and sec_wide; yields the batch number while they hold that batch."""
    s.run_sql("rights_batches", {"batch_rows": batch_rows})
    batches = s.scalar("SELECT coalesce(max(batch), 0) + 1 FROM sec_batch")
    for batch in range(batches):
        s.run_sql("rights_aggregate", {"batch": batch, "record_filter": SqlText(record_filter)})
        s.run_sql("rights_wide")
        yield batch
        if batches > 1:
            s.ctx.log.info("rights: batch %s of %s resolved", batch + 1, batches)


def _stage_applications(ctx: StepContext, subject_type: str, batch_rows: int) -> dict[str, int]:
    with security_session(ctx) as s:
        _prepare_levels(s, subject_type)
        s.run_sql("rights_extra_users" if subject_type == "USER" else "rights_extra_roles")
        s.run_sql("rights_extra_sod")
        s.run_sql("rights_all")
        fv_app = _fv_token(s, "app", "k.subject", "k.f", "k.v")
        s.run_sql("rights_stage_prepare", {"subject_type": subject_type, "dag_id": ctx.dag_id})
        keys = 0
        for _ in _aggregate_in_batches(s, batch_rows=batch_rows):
            keys += s.run_sql("rights_stage", {"subject_type": subject_type, "fv_app": fv_app}).get("keys", 0)
        # fresh statistics: the action step plans its joins on the stage
        s.conn.exec_driver_sql(s.render("ANALYZE {{schema}}.security_rights_stage"))
        _record_run(s, "users_keys" if subject_type == "USER" else "roles_keys", keys)
        ctx.log.info("%s rights: %s keys resolved for application security (staged)", subject_type, f"{keys:,}")
        return {"security_rights_stage": keys}


def _write_with_actions(ctx: StepContext, subject_type: str) -> dict[str, int]:
    subject = _SUBJECTS[subject_type]
    keys_column = "users_keys" if subject_type == "USER" else "roles_keys"
    with security_session(ctx) as s:
        staged = s.scalar(
            f"SELECT {keys_column} FROM {{{{schema}}}}.security_rights_runs "
            "WHERE apps_id = {{apps_id}} AND run_id = {{run_id}}"
        )
        if staged is None:
            before = "SECURITY_RIGHTS_APPS_USERS" if subject_type == "USER" else "SECURITY_RIGHTS_APPS"
            raise Nomasx1Error(
                f"no staged application rights for run {ctx.run_id}: step {before} must run first in the "
                "same run; clear it together with this step."
            )
        _prepare_levels(s, subject_type)
        s.run_sql("rights_all")
        tokens = {
            "subject_type": subject_type,
            "subject_column": SqlText(subject["column"]),
            "extra_columns": SqlText(subject["extra_columns"]),
            "extra_values": SqlText(s.render(subject["extra_values"])),
            "fv_act": _fv_token(s, "act", "s.subject", "s.form_name", "s.version"),
        }

        def fill(target: str) -> int:
            return s.run_sql("rights_write", {**tokens, "target": SqlText(target)}).get("rights", 0)

        table = subject["table"]
        if subject["partitioned"]:
            with s.cursor as cur:
                rows = replace_partition(cur, s.schema, table, s.apps_id, fill)
        else:
            s.conn.exec_driver_sql(s.render(f"DELETE FROM {{{{schema}}}}.{table} WHERE apps_id = {{{{apps_id}}}}"))
            rows = fill(f"{quote(s.schema, 'schema')}.{table}")
        if rows != staged:
            raise Nomasx1Error(f"{subject['table']}: {rows:,} rights written for {staged:,} staged keys")
        rows_column = "users_rows" if subject_type == "USER" else "roles_rows"
        _guard_rights_collapse(s, table, rows_column, rows)
        _record_run(s, rows_column, rows)
        ctx.log.info("%s: %s rights written", subject["table"], f"{rows:,}")
        return {subject["table"]: rows}


# --- steps -------------------------------------------------------------------------------------


def jde_sec_menus(ctx: StepContext) -> dict[str, int]:
    """JDE_SEC_MENUS: which menu tasks of the secured task views each role may launch."""
    with security_session(ctx) as s:
        views = s.settings.task_view_ids(secured_only=True)
        if not views:
            ctx.log.warning("no task view is flagged 'security' in settings_jdedwards: menu filtering skipped")
        view_list = ", ".join(s.literal(v) for v in views) or "NULL"
        view_col = s.source_column(catalogue.F9001, "task_view")
        s.extract(
            "src_rel",
            catalogue.F9001,
            where=f"RTRIM({view_col}) IN ({view_list})",
            effect="no menu task is filtered: jde_sec_menus left empty",
        )
        child = s.source_column(catalogue.F9001, "child_task_id")
        task_id = s.source_column(catalogue.F9000, "task_id")
        tasks_of_views = (
            "1 = 0"  # without F9001 no task belongs to a task view
            if "F9001" in s.missing_sources
            else f"{task_id} IN (SELECT {child} FROM {s.source_table(catalogue.F9001)} "
            f"WHERE RTRIM({view_col}) IN ({view_list}))"
        )
        s.extract("src_task", catalogue.F9000, where=tasks_of_views, effect="jde_sec_menus left empty")
        s.extract("src_roles", catalogue.F00926)
        _bulk_plans(s)
        s.run_sql("rights_records")
        s.run_sql("jde_sec_menus")
        s.run_sql("rights_all")
        fv_app = _fv_token(s, "app", "k.subject", "k.f", "k.v")
        s.run_sql("jde_sec_menus_prepare")
        rows = 0
        for _ in _aggregate_in_batches(s, "AND r.o IN (SELECT DISTINCT o FROM menu_task)"):
            rows += s.run_sql("jde_sec_menus_write", {"fv_app": fv_app}).get("jde_sec_menus", 0)
        return {"jde_sec_menus": rows}


def security_rights_menus(ctx: StepContext) -> dict[str, int]:
    """SECURITY_RIGHTS_MENUS: the menu paths each role (and *PUBLIC) may launch."""
    with security_session(ctx) as s:
        return {"security_rights_menus": s.run_sql("security_rights_menus").get("security_rights_menus", 0)}


def security_rights_apps(ctx: StepContext, *, batch_rows: int = BATCH_ROWS) -> dict[str, int]:
    """SECURITY_RIGHTS_APPS: application security (run) of every role and *PUBLIC, staged
    (``batch_rows``: reachable records per batch of subjects; the operator keeps the default)."""
    return _stage_applications(ctx, "ROLE", batch_rows)


def security_rights_actions(ctx: StepContext) -> dict[str, int]:
    """SECURITY_RIGHTS_ACTIONS: action security of every role; writes security_rights_roles."""
    return _write_with_actions(ctx, "ROLE")


def security_rights_apps_users(ctx: StepContext, *, batch_rows: int = BATCH_ROWS) -> dict[str, int]:
    """SECURITY_RIGHTS_APPS_USERS: application security of every user (levels user, roles, *PUBLIC),
    staged (``batch_rows`` as for :func:`security_rights_apps`)."""
    return _stage_applications(ctx, "USER", batch_rows)


def security_rights_actions_users(ctx: StepContext) -> dict[str, int]:
    """SECURITY_RIGHTS_ACTIONS_USERS: action security of every user; writes security_rights_users."""
    return _write_with_actions(ctx, "USER")
