"""Step LICENSE_POSITION: the licence position of one application, as of the run's date.

For each JD Edwards licence component, three user counts side by side (docs/license.md, "Reading
the licence position"):

- **authorised**: enabled users whose effective rights (``security_rights_users``, written by
  nomasx1-security-1) let them run at least one object of the component's system codes, with the
  users reached only through ``*PUBLIC`` or only through open default counted apart;
- **transacting**: users who wrote in the component's tables (``license_jde_users``);
- **using**: users who ran its objects (Object Usage Tracking);

compared with the active entitlement lines (``license_entitlements``) under their metric's
counting basis (``settings_lic_metrics.counted_by``), prerequisites counted through
``settings_jde_prereq``. The rules are SQL (``sql/licence/license_position_*.sql``); this module
runs them in the step's one transaction, checks the result is plausible as a whole, and reports.

The step ends each licence job, so the position follows whichever source moved last; security
changes show at the next licence run. Without a security collection of the application there is
nothing to count authorisations from: the step says so and leaves the previous position in place
rather than fail the licence job that ran it.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_nomasx1.collectors.licence.base import LicenceSession, licence_session
from airflow_provider_nomasx1.collectors.licence.entitlements import active_on_sql
from airflow_provider_nomasx1.collectors.session import SqlText
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.errors import ConfigurationError
from airflow_provider_nomasx1.pg.locks import xact_lock

SECURITY_JOB = "nomasx1-security-1"
#: system codes named in the step's details when objects map to no licence component
UNMAPPED_SHOWN = 10
#: the data-quality checks, as the write file labels their counts
DATA_QUALITY_COUNTS = (
    "dq_enabled_without_role",
    "dq_disabled_with_roles",
    "dq_unknown_user",
    "dq_duplicate_person",
    "dq_generic_id",
    "dq_public_object",
)


def license_position(ctx: StepContext) -> dict[str, int]:
    """license_position, license_position_users, license_position_history (the as-of date) and
    license_data_quality, replaced for the application."""
    with licence_session(ctx) as s:
        if not _security_collected(s):
            return {}
        # the three licence jobs end with this step: two of them finishing together take turns
        xact_lock(s.conn, "license_position", s.schema, s.apps_id)
        patterns = list(s.settings.generic_user_patterns)
        active = SqlText(active_on_sql("e", s.render("{{as_of}}")))
        s.run_sql("license_position_prepare", {"generic_patterns": patterns, "entitlement_active": active})
        _check_plausible(s)
        counts = s.run_sql("license_position_write")
        _report(ctx, s, counts)
    return {
        name: counts[name] for name in ("license_position", "license_position_users", "license_position_history")
    } | {"license_data_quality": sum(counts[name] for name in DATA_QUALITY_COUNTS)}


def _security_collected(s: LicenceSession) -> bool:
    """Whether the application has security users; if not, the step notes it and writes nothing."""
    if s.scalar("SELECT EXISTS (SELECT 1 FROM {{schema}}.security_users WHERE apps_id = {{apps_id}})"):
        return True
    text = (
        f"licence position not computed: application {s.apps_id} has no security collection yet (security_users is "
        f"empty), so there are no authorisations to count. Run {SECURITY_JOB}; the next licence run computes the "
        "position. The previous position, if any, was left as it was."
    )
    s.ctx.log.warning("LICENSE_POSITION: %s", text)
    s.ctx.result.message = text
    s.ctx.result.details["position"] = {"skipped": "no security collection"}
    return False


def _check_plausible(s: LicenceSession) -> None:
    """Refuse a position that cannot be right as a whole: objects none of which maps to a licence
    component (reference data missing), or enabled users with rights none of which reaches one."""
    objects, mapped = s.conn.exec_driver_sql(
        s.render(
            "SELECT (SELECT count(*) FROM {{schema}}.jde_objects WHERE apps_id = {{apps_id}}), "
            "(SELECT count(*) FROM pg_temp.tmp_pos_objects)"
        )
    ).one()
    if objects and not mapped:
        raise ConfigurationError(
            f"none of the {objects:,} objects of application {s.apps_id} (jde_objects) maps to a JD Edwards licence "
            "component: settings_jde_sy is empty or its system codes match none of jde_objects.system_code. Import "
            "the reference data (job nomasx1-import-reference, or `nomasx1 reference import`) and check the "
            "reclassifications (settings_jde_rclst). Nothing was changed.",
        )
    runnable = s.scalar(
        "SELECT EXISTS (SELECT 1 FROM {{schema}}.security_rights_users AS r JOIN {{schema}}.security_users AS u "
        "ON u.apps_id = r.apps_id AND u.user_id = r.user_id AND u.enabled WHERE r.apps_id = {{apps_id}} AND r.can_run)"
    )
    authorised = s.scalar("SELECT EXISTS (SELECT 1 FROM pg_temp.tmp_pos_authorised)")
    if runnable and mapped and not authorised:
        raise ConfigurationError(
            f"application {s.apps_id}: enabled users may run objects (security_rights_users) but none of those "
            "objects belongs to a JD Edwards licence component, so every authorised count would be zero. Check "
            "jde_objects.system_code against settings_jde_sy (the reference data) and that nomasx1-security-1 "
            "collected the object librarian (F9860). Nothing was changed."
        )
    if objects and not runnable:
        s.note(
            f"no enabled user of application {s.apps_id} may run any object (security_rights_users): every "
            f"authorised count is zero; check that {SECURITY_JOB} computed the rights"
        )


def _report(ctx: StepContext, s: LicenceSession, counts: dict[str, int]) -> None:
    """The step's message and details: statuses, the users counted, unmapped system codes, data quality."""
    statuses = dict(
        s.conn.exec_driver_sql(
            s.render("SELECT status, count(*) FROM {{schema}}.license_position WHERE apps_id = {{apps_id}} GROUP BY 1")
        ).all()
    )
    exposed = [
        {"component_id": row[0], "component": row[1], "exposure": float(row[2])}
        for row in s.conn.exec_driver_sql(
            s.render(
                "SELECT p.component_id, c.name, p.exposure FROM {{schema}}.license_position AS p "
                "JOIN {{schema}}.settings_lic_components AS c ON c.component_id = p.component_id "
                "WHERE p.apps_id = {{apps_id}} AND p.status IN ('exposed', 'not_entitled') AND p.exposure > 0 "
                "ORDER BY p.exposure DESC, p.component_id"
            )
        ).all()
    ]
    unmapped = _unmapped_system_codes(s)
    quality = {name.removeprefix("dq_"): counts[name] for name in DATA_QUALITY_COUNTS}
    details: dict[str, Any] = {
        "as_of": str(s.settings.as_of),
        "components": counts["license_position"],
        "statuses": statuses,
        "exposed": exposed,
        "user_rows": counts["license_position_users"],
        "data_quality": quality,
        "unmapped_system_codes": unmapped,
    }
    ctx.result.details["position"] = details
    summary = ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in sorted(statuses.items()))
    shortfall = "; ".join(f"{e['component']} +{e['exposure']:g}" for e in exposed[:5])
    message = (
        f"{counts['license_position']} components as of {s.settings.as_of} ({summary or 'none'})"
        + (f"; short: {shortfall}" if shortfall else "")
        + "; data quality: "
        + ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in quality.items() if n)
    )
    if unmapped["objects"]:
        codes = ", ".join(f"{code or 'blank'} ({n})" for code, n in unmapped["codes"].items())
        message += f"; {unmapped['objects']:,} objects with a system code of no licence component: {codes}"
    ctx.log.info("LICENSE_POSITION: %s", message)
    ctx.result.message = f"{ctx.result.message}; {message}" if ctx.result.message else message


def _unmapped_system_codes(s: LicenceSession) -> dict[str, Any]:
    """Objects of runnable types whose system code maps to no component (counted, never guessed)."""
    rows = s.conn.exec_driver_sql(
        s.render(
            "SELECT coalesce(o.system_code, ''), count(*) FROM {{schema}}.jde_objects AS o "
            "LEFT JOIN {{schema}}.settings_jde_sy AS sy ON sy.system_code = o.system_code "
            "WHERE o.apps_id = {{apps_id}} AND o.object_type IN ('APPL', 'UBE') AND sy.component_id IS NULL "
            "GROUP BY 1 ORDER BY 2 DESC, 1"
        )
    ).all()
    return {"objects": sum(n for _, n in rows), "codes": {code: n for code, n in rows[:UNMAPPED_SHOWN]}}
