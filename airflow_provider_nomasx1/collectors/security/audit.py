"""SECURITY_RIGHTS_AUDIT: rights granted, revoked or changed since the previous collection.

Each run compares the rights it computed with a snapshot of the previous run's rights
(``security_rights_snapshot``), writes one ``security_rights_audit`` row per changed key with
the flags before and after, and replaces the snapshot (the application's partition, swapped
whole), all in one transaction. The first run of
an application only takes the baseline snapshot (no audit rows: everything would be "granted").
The rules are in ``sql/security/rights_audit.sql``.
"""

from __future__ import annotations

from airflow_provider_nomasx1.collectors.security.base import security_session
from airflow_provider_nomasx1.collectors.security.partitions import replace_partition
from airflow_provider_nomasx1.collectors.session import SqlText
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.errors import Nomasx1Error


def security_rights_audit(ctx: StepContext) -> dict[str, int]:
    """Compare this run's rights with the previous snapshot; record the differences."""
    with security_session(ctx) as s:
        computed = s.scalar(
            "SELECT users_rows IS NOT NULL AND roles_rows IS NOT NULL FROM {{schema}}.security_rights_runs "
            "WHERE apps_id = {{apps_id}} AND run_id = {{run_id}}"
        )
        if not computed:
            raise Nomasx1Error(
                f"run {ctx.run_id} has not computed role and user rights yet: the rights steps must succeed "
                "before SECURITY_RIGHTS_AUDIT (an audit of stale rights would report false changes)."
            )
        baseline = not s.scalar(
            "SELECT EXISTS (SELECT 1 FROM {{schema}}.security_rights_snapshot WHERE apps_id = {{apps_id}})"
        )
        audit = s.run_sql("rights_audit", {"compare": SqlText("false" if baseline else "true")}).get("audit", 0)

        def fill(target: str) -> int:
            return s.run_sql("rights_snapshot", {"target": SqlText(target)}).get("snapshot", 0)

        with s.cursor as cur:
            snapshot = replace_partition(cur, s.schema, "security_rights_snapshot", s.apps_id, fill)
        if baseline:
            ctx.log.info(
                "first rights audit of application %s: baseline of %s rights taken", s.apps_id, f"{snapshot:,}"
            )
        else:
            ctx.log.info(
                "%s rights changed since the previous collection (%s rights now)", f"{audit:,}", f"{snapshot:,}"
            )
        return {"security_rights_audit": audit, "security_rights_snapshot": snapshot}
