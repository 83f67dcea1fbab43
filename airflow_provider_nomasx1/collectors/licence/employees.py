"""LICENSE_JDE_EMPLOYEES: a dated snapshot of the people behind JDE (the "Employee" licence metric
and the head-count trend, internal against external, per extract date).

The people are the HR employee master (F060116) and the address-book records (F0101) that are
employees by search type or stand behind a JDE account (F0092 ULAN8), described with UDC 01/ST
(F0005). The rules are in ``sql/licence/license_jde_employees.sql``. F060116, F0101 and F0005 are
enrichment tables: a missing one is reported and the others still give a snapshot; a source
where none gives a single person is refused (a JDE system always has people), and so is a
snapshot that shrank by more than the application's collapse_max_shrink since the previous one.
"""

from __future__ import annotations

from airflow_provider_nomasx1.collectors.licence.base import LicenceSession, licence_session
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.errors import SourceUnavailableError
from airflow_provider_nomasx1.jde.catalogue import F0005, F0092, F0101, F060116
from airflow_provider_nomasx1.jde.coded_values import literal_list


def license_jde_employees(ctx: StepContext) -> dict[str, int]:
    """license_jde_employees: replace the snapshot of the run's extract date (its as-of date)."""
    with licence_session(ctx) as s:
        hr_rows = s.extract("src_hr", F060116, effect="no HR data: start, termination, company left empty")
        s.extract("src_people", F0101, where=_people_of_jde(s, hr_rows), effect="names and search types left empty")
        s.extract(
            "src_types",
            F0005,
            where=_udc(s, "01", "ST"),
            effect="search type descriptions (UDC 01/ST) left empty",
        )
        before, since = _previous_snapshot(s)
        counts = s.run_sql("license_jde_employees")
        written = counts["license_jde_employees"]
        if not written:
            raise SourceUnavailableError(
                f"no employee found for application {s.apps_id}: F060116 and F0101 gave no person "
                f"(missing: {', '.join(s.missing_sources) or 'none'}). Check the connection's schema map entry "
                "'data' and the tables; no snapshot was written."
            )
        s.guard_collapse(f"{s.schema}.license_jde_employees (previous extract date)", before, written, since)
        _report(s, written)
    return {"license_jde_employees": written}


def _people_of_jde(s: LicenceSession, hr_rows: int) -> str:
    """WHERE clause (on the source) keeping the F0101 records of the snapshot: employees by search
    type, the people behind an F0092 profile, and the F060116 employees."""
    an8 = s.source_column(F0101, "address_number")
    search_type = s.source_column(F0101, "search_type")
    employee_types = literal_list(s.settings.coded_values.accepted("search_type_values", "employee"))
    profiles = s.source_column(F0092, "address_number")
    parts = [
        f"UPPER(TRIM({search_type})) IN {employee_types}",
        f"{an8} IN (SELECT {profiles} FROM {s.source_table(F0092)} WHERE {profiles} <> 0)",
    ]
    if hr_rows:
        parts.append(f"{an8} IN (SELECT {s.source_column(F060116, 'address_number')} FROM {s.source_table(F060116)})")
    return " OR ".join(f"({p})" for p in parts)


def _udc(s: LicenceSession, product_code: str, record_type: str) -> str:
    """WHERE clause (on the source) of one UDC type: F0005 keys are blank-padded, compared trimmed."""
    sy, rt = (s.source_column(F0005, c) for c in ("product_code", "record_type"))
    return f"TRIM({sy}) = '{product_code}' AND TRIM({rt}) = '{record_type}'"


def _previous_snapshot(s: LicenceSession) -> tuple[int, str | None]:
    """People of the latest snapshot before this extract date, and the run that wrote it (what the
    collapse guard compares with)."""
    row = s.conn.exec_driver_sql(
        s.render(
            "SELECT count(*), max(run_id) FROM {{schema}}.license_jde_employees WHERE apps_id = {{apps_id}} "
            "AND extract_date = (SELECT max(extract_date) FROM {{schema}}.license_jde_employees "
            "WHERE apps_id = {{apps_id}} AND extract_date < {{as_of}})"
        )
    ).one()
    return int(row[0]), row[1]


def _report(s: LicenceSession, written: int) -> None:
    """Log the snapshot's head-count and put it in the step's details."""
    found = s.conn.exec_driver_sql("SELECT * FROM tmp_employee_counts").mappings().one()
    details = {k: int(v) for k, v in found.items()}
    s.ctx.result.details["employees"] = {"extract_date": s.settings.as_of.isoformat(), **details}
    s.ctx.log.info(
        "license_jde_employees %s: %s people (%s internal, %s external), %s terminated, %s with a JDE account; "
        "%s not yet started left out",
        s.settings.as_of,
        written,
        details["internal"],
        details["external"],
        details["terminated"],
        details["with_account"],
        details["not_started"],
    )
    if details["undescribed_types"]:
        s.note(f"{details['undescribed_types']} people have a search type without a UDC 01/ST description")
