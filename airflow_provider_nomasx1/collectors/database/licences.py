"""DB_ORA_LICENSES: the licence verdict per product from the run's dictionary row sets.

Set-based in ``sql/database/db_ora_licenses.sql``: the usage map of the reference data
(settings_db_features, settings_db_options) applied to the feature usage (the ladder), the
object checks (partitions, compressed tables, instances, an Active Data Guard standby, PDBs,
pack access), the entitlement lines of the application, and the JDE angle for a JD Edwards
database. No rule is spelled here: this module checks that the inputs are there and plausible.
"""

from __future__ import annotations

from airflow_provider_nomasx1.collectors.database.settings import DatabaseSession, database_session, require_properties
from airflow_provider_nomasx1.collectors.licence.entitlements import active_on_sql
from airflow_provider_nomasx1.collectors.session import SqlText
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.errors import ConfigurationError

#: a feature-usage table this large with no name in the usage map means the map is not the one
#: the database speaks (a reference import missing, or names changed): refused, not reported empty
_MATCH_CHECK_MIN_FEATURES = 20
_VERSION = "'^[0-9]+(\\.[0-9]+)*'"


def db_ora_licenses(ctx: StepContext) -> dict[str, int]:
    """db_ora_licenses and db_ora_license_features of the run's as-of date."""
    with database_session(ctx) as s:
        require_properties(s)
        _require_usage_map(s)
        _report_odd_versions(s)
        active = SqlText(active_on_sql("e", s.render("{{as_of}}")))
        jde = SqlText("true" if s.settings.jde_database else "false")
        counts = s.run_sql("db_ora_licenses", {"entitlement_active": active, "jde_database": jde})
        _summarise(s)
    return counts


def _require_usage_map(s: DatabaseSession) -> None:
    rules = s.scalar("SELECT count(*) FROM {{schema}}.settings_db_features")
    if not rules:
        raise ConfigurationError(
            f"{s.schema}.settings_db_features is empty: the usage map comes with the reference data; run the "
            "nomasx1-import-reference job (docs/reference-data.md), then this step again. Nothing was changed."
        )
    features, matched = s.conn.exec_driver_sql(
        s.render(
            "SELECT count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM {{schema}}.settings_db_features r "
            "WHERE r.feature_name = f.name)) FROM {{schema}}.db_ora_features f "
            "WHERE f.apps_id = {{apps_id}} AND f.as_of_date = {{as_of}}"
        )
    ).one()
    if features >= _MATCH_CHECK_MIN_FEATURES and not matched:
        raise ConfigurationError(
            f"none of the {features} feature-usage rows of application {s.apps_id} has a name of the usage map "
            f"({rules} rules in settings_db_features): check the reference import (nomasx1-import-reference) and that "
            "the connection reads DBA_FEATURE_USAGE_STATISTICS of an Oracle database. Nothing was changed."
        )


def _report_odd_versions(s: DatabaseSession) -> None:
    """Feature rows whose VERSION is not a dotted number match no version range: counted, said."""
    odd = s.conn.exec_driver_sql(
        s.render(
            f"SELECT count(*), min(version) FROM {{{{schema}}}}.db_ora_features WHERE apps_id = {{{{apps_id}}}} "
            f"AND as_of_date = {{{{as_of}}}} AND version !~ {_VERSION}"
        )
    ).one()
    if odd[0]:
        s.note(f"{odd[0]} feature-usage row(s) with a version that is not a number (e.g. {odd[1]!r}): left out")


def _summarise(s: DatabaseSession) -> None:
    rows = s.conn.exec_driver_sql(
        s.render(
            "SELECT product, usage, used, severity FROM {{schema}}.db_ora_licenses "
            "WHERE apps_id = {{apps_id}} AND as_of_date = {{as_of}} AND (used OR severity IS NOT NULL) ORDER BY product"
        )
    ).all()
    findings = {sev: sum(1 for r in rows if r[3] == sev) for sev in ("risk", "warning", "information")}
    s.ctx.result.details["licences"] = {"used": [r[0] for r in rows if r[2]], "findings": findings}
    s.ctx.log.info(
        "db_ora_licenses: used %s; findings: %s",
        ", ".join(f"{r[0]} ({r[1]})" for r in rows if r[2]) or "none",
        ", ".join(f"{n} {sev}" for sev, n in findings.items() if n) or "none",
    )
