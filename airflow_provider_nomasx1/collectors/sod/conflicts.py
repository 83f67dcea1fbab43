"""Segregation of duties (``nomasx1-sod-1``): conflicts from the effective rights, with their paths.

Two steps, each ONE transaction on the target that replaces the application's rows
(:func:`~airflow_provider_nomasx1.collectors.session.step_session`, with the application's
settings as the security steps load them):

- ``SOD_CONFLICT_DETAILS`` (:func:`sod_conflict_details`): for each rule of ``sod_matrix`` (pairs
  unordered, declared once), every **enabled** user whose effective rights
  (``security_rights_users``, computed by ``nomasx1-security-1``) reach an object of each activity
  is in conflict: one row per (user, object 1, object 2) with the principal and level that granted
  each side (role, user-direct, *PUBLIC or default-open), the normalised risk level and score, the
  privileged flag, and the mitigating exception valid on the as-of date (``sod_exceptions``, window
  rule :func:`~airflow_provider_nomasx1.collectors.sod.mitigations.mitigates_on`).
- ``SOD_CONFLICT_SUMMARY`` (:func:`sod_conflict_summary`): users, privileged users and fully
  mitigated users per rule, self-conflicting roles (``sod_role_conflicts``, from
  ``security_rights_roles``), and the run's snapshot of the summary in ``sod_conflict_history``.

The rules are set-based SQL in ``sql/sod/sod_prepare.sql``, ``sod_details.sql`` and
``sod_summary.sql``. Both steps refuse to run on an application whose rights were never computed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from airflow_provider_nomasx1.collectors.security.base import SecuritySession, settings_loader
from airflow_provider_nomasx1.collectors.session import SqlText, step_session
from airflow_provider_nomasx1.collectors.sod.mitigations import mitigates_on_sql
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.errors import Nomasx1Error


@contextmanager
def sod_session(ctx: StepContext) -> Iterator[SecuritySession]:
    """The session of an SoD step: ONE target transaction running the files of ``sql/sod/``."""
    with step_session(ctx, "sod", settings_loader(ctx)) as session:
        yield session


def _prepare(s: SecuritySession) -> int:
    """TEMP tables sod_rules / sod_bindings; returns the number of rules (warns when none)."""
    s.run_sql("sod_prepare")
    unresolved = s.conn.exec_driver_sql(
        s.render(
            "SELECT DISTINCT b.object_name FROM pg_temp.sod_bindings b WHERE NOT EXISTS ("
            "SELECT 1 FROM {{schema}}.security_rights_users r WHERE r.apps_id = {{apps_id}} "
            "AND r.object_name = b.object_name) ORDER BY 1 LIMIT 20"
        )
    ).scalars()
    missing = list(unresolved)
    if missing:
        raise Nomasx1Error(
            f"SoD objects {missing} of application {s.apps_id} have no computed rights: they were bound to "
            "an activity after the last security collection (which computes a right for every SoD object). "
            "Run nomasx1-security-1 again, then this job; nothing was changed."
        )
    rules = int(s.scalar("SELECT count(*) FROM pg_temp.sod_rules"))
    if rules == 0:
        s.ctx.log.warning(
            "application %s has no SoD rule in %s.sod_matrix: no conflict can be found (import the "
            "curated reference with nomasx1-import-reference, or declare rules)",
            s.apps_id,
            s.schema,
        )
    return rules


def sod_conflict_details(ctx: StepContext) -> dict[str, int]:
    """Replace the application's ``sod_conflict_details`` (rules in ``sql/sod/sod_details.sql``)."""
    with sod_session(ctx) as s:
        s.require_rows("security_rights_users", f"nomasx1-security-1 for application {s.apps_id}")
        rules = _prepare(s)
        counts = s.run_sql("sod_details", {"valid_on_as_of": SqlText(s.render(mitigates_on_sql("e", "{{as_of}}")))})
        details = counts.get("details", 0)
        stats = s.conn.exec_driver_sql(
            s.render(
                "SELECT count(DISTINCT user_id), count(DISTINCT (process_id, activity1_id, activity2_id)), "
                "count(*) FILTER (WHERE mitigated) FROM {{schema}}.sod_conflict_details WHERE apps_id = {{apps_id}}"
            )
        ).one()
        ctx.log.info(
            "%s conflict rows: %s users violate %s of %s rules; %s rows mitigated (as of %s)",
            f"{details:,}",
            f"{stats[0]:,}",
            stats[1],
            rules,
            f"{stats[2]:,}",
            s.settings.as_of,
        )
        return {"sod_conflict_details": details}


def sod_conflict_summary(ctx: StepContext) -> dict[str, int]:
    """Replace ``sod_conflict_summary`` and ``sod_role_conflicts``; record the run in the history."""
    with sod_session(ctx) as s:
        s.require_rows("security_rights_users", f"nomasx1-security-1 for application {s.apps_id}")
        _prepare(s)
        counts = s.run_sql("sod_summary")
        ctx.log.info(
            "%s rules summarised, %s self-conflicting role rows, %s history rows for run %s",
            counts.get("summary", 0),
            counts.get("role_conflicts", 0),
            counts.get("history", 0),
            ctx.run_id,
        )
        return {
            "sod_conflict_summary": counts.get("summary", 0),
            "sod_role_conflicts": counts.get("role_conflicts", 0),
            "sod_conflict_history": counts.get("history", 0),
        }
