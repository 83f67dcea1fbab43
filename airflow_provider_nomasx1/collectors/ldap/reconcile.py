"""LDAP_RECONCILE: each JDE application reconciled with the directory, matched and checked.

For every JDE application of ``settings_ldap.reconcile_apps`` (default: every application of type
JDE whose security has been collected), ``sql/ldap/ldap_reconcile.sql`` matches its users with
the directory's accounts by the ordered match rules and replaces the findings: leaver risks
(JDE-enabled, directory disabled, expired or missing; terminated in HR), ambiguous matches,
directory accounts without a JDE user. Each application's rows are replaced in the step's one
transaction.

Implausible as a whole: when not one of many enabled JDE users finds a directory account, the
rules or the attribute map do not fit the site (an HR id kept in another attribute, another
directory), and the step refuses rather than report every user as a leaver.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_nomasx1.collectors.ldap.settings import DirectorySession, directory_session
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.errors import ConfigurationError
from airflow_provider_nomasx1.schema.nomasx1 import DEFAULT_GENERIC_USER_PATTERNS

#: below this many enabled, named JDE users, "none matched" may be true (a small test system)
IMPLAUSIBLE_FROM = 10


def ldap_reconcile(ctx: StepContext) -> dict[str, int]:
    """security_ldap_matches, security_ldap_findings: every reconciled JDE application."""
    totals = {"security_ldap_matches": 0, "security_ldap_findings": 0}
    with directory_session(ctx) as s:
        s.require_rows("security_ldap", "step SECURITY_LDAP of nomasx1-ldap-1")
        reconciled: dict[str, Any] = {}
        for jde_apps_id in _jde_applications(s):
            counts = _reconcile(s, jde_apps_id)
            if counts is None:
                continue
            for table in totals:
                totals[table] += counts[table]
            reconciled[str(jde_apps_id)] = counts["summary"]
        if not reconciled:
            s.note("no JDE application with collected security to reconcile: run nomasx1-security-1 first")
        s.ctx.result.details["reconciled"] = reconciled
    return totals


def _jde_applications(s: DirectorySession) -> list[int]:
    """The configured applications, else every JDE application of the registry."""
    if s.settings.reconcile_apps is not None:
        return list(s.settings.reconcile_apps)
    rows = s.conn.exec_driver_sql(
        s.render("SELECT apps_id FROM {{schema}}.settings_applications WHERE apps_type = 'JDE' ORDER BY apps_id")
    )
    return [int(r[0]) for r in rows]


def _reconcile(s: DirectorySession, jde_apps_id: int) -> dict[str, Any] | None:
    """Reconcile one JDE application; None (with a note) when it has no collected security."""
    users = s.scalar("SELECT count(*) FROM {{schema}}.security_users WHERE apps_id = {{a}}", {"a": jde_apps_id})
    if not users:
        s.note(f"application {jde_apps_id} has no security_users: run nomasx1-security-1 for it; not reconciled")
        return None
    tokens = {
        "jde_apps_id": jde_apps_id,
        "rules": list(s.settings.match_rules),
        "generic_patterns": _generic_patterns(s, jde_apps_id),
    }
    counts = s.run_sql("ldap_reconcile", tokens)
    summary = dict(s.conn.exec_driver_sql("SELECT * FROM tmp_rec_summary").mappings().one())
    if summary["enabled_named"] >= IMPLAUSIBLE_FROM and not summary["enabled_named_matched"]:
        raise ConfigurationError(
            f"none of the {summary['enabled_named']:,} enabled JDE users of application {jde_apps_id} matched a "
            f"directory account of application {s.apps_id} by {', '.join(s.settings.match_rules)}: the rules or the "
            "directory connection's attribute_map do not fit this directory (where is the HR id kept? is it the "
            'right directory?). See docs/ldap.md, "Match rules"; nothing was changed.'
        )
    findings = _finding_counts(s, jde_apps_id)
    if not summary.pop("employees_snapshot"):
        s.note(f"application {jde_apps_id} has no employees snapshot (nomasx1-employees-1): no hr_terminated check")
    summary = {k: int(v) for k, v in summary.items()} | {"findings": findings}
    s.ctx.log.info(
        "ldap_reconcile application %s: %s of %s users matched; findings %s",
        jde_apps_id, summary["matched"], summary["users"], findings or "none",
    )  # fmt: skip
    return {**counts, "summary": summary}


def _generic_patterns(s: DirectorySession, jde_apps_id: int) -> list[str]:
    """The JDE application's patterns of generic, batch and service ids (settings_jdedwards)."""
    found = s.scalar(
        "SELECT generic_user_patterns FROM {{schema}}.settings_jdedwards WHERE apps_id = {{a}}", {"a": jde_apps_id}
    )
    return list(found) if found is not None else list(DEFAULT_GENERIC_USER_PATTERNS)


def _finding_counts(s: DirectorySession, jde_apps_id: int) -> dict[str, int]:
    rows = s.conn.exec_driver_sql(
        s.render(
            "SELECT finding, count(*) FROM {{schema}}.security_ldap_findings WHERE apps_id = {{a}} "
            "AND ldap_apps_id = {{apps_id}} GROUP BY finding ORDER BY finding",
            {"a": jde_apps_id},
        )
    )
    return {r[0]: int(r[1]) for r in rows}
