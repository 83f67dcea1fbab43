"""The licence report of one application: scope, component grid, user drill-down, data quality and
entitlements, from the licence position the ``LICENSE_POSITION`` step writes.

Built from ``license_position``, ``license_position_users``, ``license_data_quality`` and
``license_entitlements``, named with the curated catalogue (``settings_lic_components``,
``settings_lic_metrics``) and ``security_users``; the scope names the sources' last successful
steps (``collect_audit``). Its queries are ``sql/reports/licence_*.sql``. Written by
:mod:`.writers` in three formats, like the SoD report (:mod:`.sod`):

- **csv**: one table per file, as the SoD report does: the scope as ``# key: value`` lines (with
  the data-quality counts per check and the entitlement line counts) and the **component grid**.
  The user drill-down, the data-quality findings and the entitlement lines are in the xlsx and
  html formats (or in their tables, docs/schema.md); a CSV stays one header and rows a script reads;
- **html**: one self-contained page with every section; long sections (the user drill-down, each
  data-quality check) show at most :data:`HTML_MAX_ROWS` rows and say how many were left out;
- **xlsx**: sheets ``Scope``, ``Components``, ``Users``, ``Data quality``, ``Entitlements``; the
  rows stream from server-side cursors into a write-only workbook (at most a sheet's rows).

A report needs a computed position (it fails and says which job to run otherwise). Its default file
name carries the position's as-of date; the whole report reads one snapshot, and the file is
published atomically (an existing file is replaced only when asked: ``force``).
"""

from __future__ import annotations

import datetime as dt
import html
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa

from airflow_provider_nomasx1 import __version__
from airflow_provider_nomasx1.errors import ConfigurationError, Nomasx1Error
from airflow_provider_nomasx1.pg.identifiers import checked
from airflow_provider_nomasx1.reports import writers
from airflow_provider_nomasx1.reports.queries import application_name, report_query, stream_rows, tables_guard
from airflow_provider_nomasx1.reports.writers import FORMATS, Columns, HtmlPage, Scope, XlsxBook

#: rows of a long section (user drill-down, one data-quality check) shown on the HTML page: a page
#: of a large site stays usable, and the csv / xlsx formats carry them all
HTML_MAX_ROWS = 5000
#: rows of an xlsx sheet (Excel's limit), header and the left-out note included
XLSX_MAX_ROWS = 1_048_576

#: the components grid: (key = CSV header, label = HTML/XLSX heading)
COMPONENT_COLUMNS: Columns = (
    ("family", "Family"),
    ("component_id", "Component id"),
    ("component_name", "Component"),
    ("authorised_users", "Authorised users"),
    ("authorised_public_only", "of which only through *PUBLIC"),
    ("authorised_default_only", "of which only through open default"),
    ("required_users", "Required users (with the components requiring it)"),
    ("transacting_users_90d", "Transacting 90 days"),
    ("transacting_users_12m", "Transacting 12 months"),
    ("using_users_90d", "Using 90 days"),
    ("using_users_12m", "Using 12 months"),
    ("employees", "Employees"),
    ("last_transaction", "Last transaction"),
    ("last_use", "Last use"),
    ("metric", "Metric"),
    ("counted_by", "Counted by"),
    ("entitlement_lines", "Active entitlement lines"),
    ("entitled_quantity", "Entitled quantity"),
    ("compared_count", "Compared count"),
    ("exposure", "Exposure (compared - entitled)"),
    ("status", "Status"),
    ("missing_prerequisites", "Missing prerequisites"),
    ("restrictions", "Restrictions"),
    ("candidates_to_revoke", "Candidates to revoke"),
)
#: the user drill-down: one row per user and component
USER_COLUMNS: Columns = (
    ("user_id", "User"),
    ("user_name", "User name"),
    ("family", "Family"),
    ("component_id", "Component id"),
    ("component_name", "Component"),
    ("known_user", "Known to JDE security"),
    ("enabled", "Enabled"),
    ("generic", "Generic id"),
    ("authorised", "Authorised"),
    ("authorised_level", "Authorised through"),
    ("via_roles", "Via roles"),
    ("objects", "Objects it may run"),
    ("transacting_90d", "Transacting 90 days"),
    ("transacting_12m", "Transacting 12 months"),
    ("transactions_12m", "Transactions 12 months"),
    ("last_transaction", "Last transaction"),
    ("using_90d", "Using 90 days"),
    ("using_12m", "Using 12 months"),
    ("last_use", "Last use"),
    ("last_login_date", "Last login"),
    ("candidate_to_revoke", "Candidate to revoke"),
)
DATA_QUALITY_SUMMARY_COLUMNS: Columns = (("check_name", "Check"), ("description", "Finding"), ("rows", "Rows"))
#: the findings of one check (xlsx: the check first)
DATA_QUALITY_COLUMNS: Columns = (
    ("subject", "Subject (user or object)"),
    ("component_id", "Component id"),
    ("component_name", "Component"),
    ("detail", "Detail"),
)
ENTITLEMENT_COLUMNS: Columns = (
    ("state", "State on the as-of date"),
    ("entitlement_id", "Line"),
    ("csi", "CSI"),
    ("family", "Family"),
    ("component_id", "Component id"),
    ("component_name", "Component"),
    ("metric", "Metric"),
    ("counted_by", "Counted by"),
    ("quantity", "Quantity"),
    ("start_date", "Start"),
    ("end_date", "End"),
    ("support_status", "Support"),
    ("note", "Note"),
    ("created_at", "Recorded at"),
    ("created_by", "Recorded by"),
)

#: a short label per data-quality check (license_data_quality.check_name), in the schema's order
DATA_QUALITY_LABELS = {
    "enabled_without_role": "Enabled users without an active role",
    "disabled_with_roles": "Disabled users keeping active roles",
    "unknown_user": "Transactions or uses by ids unknown to JDE security",
    "duplicate_person": "Accounts sharing one person (address number)",
    "generic_id": "Generic, batch or service ids",
    "public_object": "Objects open to *PUBLIC",
}
_CHECKS = tuple(DATA_QUALITY_LABELS.items())

#: the sources of the position: (key, label, job or None for any job, step LIKE pattern)
SOURCES = (
    ("rights", "Rights: last successful SECURITY_* step (nomasx1-security-1)", "nomasx1-security-1", "SECURITY\\_%"),
    ("transactions", "Transactions: last successful LICENSE_JDE_USERS", None, "LICENSE_JDE_USERS"),
    ("usage", "Object Usage Tracking: last successful LICENSE_JDE_OUT", None, "LICENSE_JDE_OUT"),
    ("employees", "Employees: last successful LICENSE_JDE_EMPLOYEES", None, "LICENSE_JDE_EMPLOYEES"),
    ("position_step", "Position step: last successful LICENSE_POSITION", None, "LICENSE_POSITION"),
)
#: statuses a licence manager must act on: more users than bought
SHORT_STATUSES = ("exposed", "not_entitled")
NO_EXPOSURE = "no exposure"
_NEVER = "never"

_COMPONENTS_TITLE = "Components: authorised, transacting and using users against the entitlements"
_COMPONENTS_NOTE = (
    "Authorised: enabled users whose effective rights run an object of the component; required: with "
    "the components requiring it; transacting: wrote in its tables; using: ran its objects (Object "
    "Usage Tracking). Exposure = compared count - entitled quantity: above zero, more users than bought."
)
_NO_COMPONENTS = "no component"
_USERS_TITLE = "Users per component"
_USERS_NOTE = "One row per user and component the user is authorised for, transacted in or used."
_NO_USERS = "no user is authorised for, transacted in or used a component"
_DATA_QUALITY_TITLE = "Data quality: what inflates or blurs the counts"
_NO_FINDINGS = "no finding"
_ENTITLEMENTS_TITLE = "Entitlements: the contract lines"
_NO_ENTITLEMENTS = "no entitlement line: record them with `nomasx1 licence entitlement add` (docs/license.md)"


@dataclass
class LicenceReport:
    """Everything a writer needs; the streamed sections read while the connection is open."""

    apps_id: int
    as_of_date: dt.date
    scope: Scope
    components: list[tuple]
    short: int
    conflicting: int
    user_rows: int
    users: Callable[[int | None], Iterator[tuple]]
    findings: dict[str, int]
    check_rows: Callable[[str, int | None], Iterator[tuple]]
    entitlements: list[tuple] = field(default_factory=list)

    @property
    def result(self) -> str:
        parts = [f"{self.short} component(s) exposed or not entitled"] if self.short else []
        if self.conflicting:
            parts.append(f"{self.conflicting} component(s) with conflicting metrics")
        return "; ".join(parts) or NO_EXPOSURE


# --------------------------------------------------------------------------------------------------
# gathering
# --------------------------------------------------------------------------------------------------


def build_report(conn: sa.Connection, schema: str, apps_id: int, *, now: dt.datetime | None = None) -> LicenceReport:
    """Read the scope and the sections of ``apps_id``'s licence position (``conn`` must stay open
    while the report is written: the user and data-quality rows are streamed)."""
    schema = checked(schema, "schema")
    p = {"a": apps_id}
    app = application_name(conn, schema, apps_id)
    position = conn.execute(report_query(schema, "licence_position_scope"), p).one()
    count, as_of, computed_at, run_id, transactions_from, usage_from, employees_of, *statuses = position
    if count == 0:
        raise Nomasx1Error(
            f"no licence position for application {apps_id}: run nomasx1-license-1 (or another licence job) first"
        )
    compliant, exposed, not_entitled, not_countable, conflicting = statuses
    user_rows, users, authorised, to_revoke, unknown = conn.execute(
        report_query(schema, "licence_user_counts"), p
    ).one()
    findings = {name: rows for name, rows in conn.execute(report_query(schema, "licence_data_quality_counts"), p)}
    components = [tuple(r) for r in conn.execute(report_query(schema, "licence_components"), p)]
    entitlements = [tuple(r) for r in conn.execute(report_query(schema, "licence_entitlements"), {**p, "d": as_of})]
    states = [row[0] for row in entitlements]
    now = now or dt.datetime.now(dt.UTC)
    scope: Scope = [
        ("report", "Report", "Licence position: authorised, transacting and using users against the entitlements"),
        ("application_id", "Application id", apps_id),
        ("application_name", "Application", app),
        ("as_of_date", "Position as of", as_of.isoformat()),
        ("position_computed_at", "Position computed at", _timestamp(computed_at)),
        ("position_run_id", "Position run id", run_id or ""),
        ("generated_at", "Report generated at", now.isoformat(timespec="seconds")),
        ("tool", "Tool", f"airflow-provider-nomasx1 {__version__}"),
        ("schema", "Schema", schema),
        *_sources(conn, schema, apps_id),
        ("transactions_from", "Transactions cover from", _date(transactions_from)),
        ("usage_from", "Object Usage Tracking covers from", _date(usage_from)),
        ("employees_extract_date", "Employees snapshot of", _date(employees_of)),
        ("entitlement_lines_active", "Entitlement lines active on the as-of date", states.count("active")),
        ("entitlement_lines_ended", "Entitlement lines ended before the as-of date", states.count("ended")),
        ("entitlement_lines_future", "Entitlement lines starting after the as-of date", states.count("future")),
        ("components", "Components in the position", count),
        ("components_compliant", "Components compliant", compliant),
        ("components_exposed", "Components exposed (more users than bought)", exposed),
        ("components_not_entitled", "Components used or authorised without an entitlement", not_entitled),
        ("components_not_countable", "Components not countable (Processor, Enterprise ...)", not_countable),
        ("components_conflicting_metrics", "Components with lines under several metrics", conflicting),
        ("users", "Users in the drill-down", users),
        ("users_authorised", "Users authorised for at least one component", authorised),
        ("users_candidates_to_revoke", "Users who are a candidate to revoke somewhere", to_revoke),
        ("users_unknown", "Ids unknown to JDE security", unknown),
        ("user_component_rows", "User x component rows", user_rows),
        *((f"dq_{check}", f"Data quality: {label}", findings.get(check, 0)) for check, label in _CHECKS),
    ]
    report = LicenceReport(
        apps_id=apps_id,
        as_of_date=as_of,
        scope=scope,
        components=components,
        short=exposed + not_entitled,
        conflicting=conflicting,
        user_rows=user_rows,
        users=lambda limit: stream_rows(conn, report_query(schema, "licence_users"), {**p, "n": limit}),
        findings=findings,
        check_rows=lambda check, limit: stream_rows(
            conn, report_query(schema, "licence_data_quality"), {**p, "c": check, "n": limit}
        ),
        entitlements=entitlements,
    )
    scope.append(("result", "Result", report.result))
    return report


def _sources(conn: sa.Connection, schema: str, apps_id: int) -> Iterator[tuple[str, str, Any]]:
    """Per source, when its step last succeeded and in which run (``never``: not once)."""
    query = report_query(schema, "licence_last_success")
    for key, label, dag_id, step in SOURCES:
        row = conn.execute(query, {"a": apps_id, "step": step, "dag": dag_id}).first()
        yield f"{key}_refreshed_at", label, _timestamp(row[0]) if row else _NEVER
        yield f"{key}_run_id", f"{label.partition(':')[0]}: run id", row[1] if row else ""


def _timestamp(value: dt.datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value is not None else _NEVER


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value is not None else ""


# --------------------------------------------------------------------------------------------------
# formats
# --------------------------------------------------------------------------------------------------


def write_csv(report: LicenceReport, out: IO[str]) -> int:
    """Scope as ``# key: value`` lines, then the component grid; returns the components written."""
    return writers.write_csv(out, report.scope, COMPONENT_COLUMNS, report.components)


def write_html(report: LicenceReport, out: IO[str]) -> int:
    scope = {key: value for key, _, value in report.scope}
    page = HtmlPage(out)
    page.open(f"Licence report: application {scope['application_id']} ({writers.cell_text(scope['application_name'])})")
    page.result(report.result, found=report.short + report.conflicting != 0)
    page.scope(report.scope)
    page.heading("components", _COMPONENTS_TITLE, _COMPONENTS_NOTE)
    rows = page.table(COMPONENT_COLUMNS, report.components, _NO_COMPONENTS)
    page.heading("users", _USERS_TITLE, _USERS_NOTE)
    shown = page.table(USER_COLUMNS, report.users(HTML_MAX_ROWS), _NO_USERS)
    if report.user_rows > shown:
        _note(page, writers.left_out(shown, report.user_rows, "page", "write the report as xlsx for all of them"))
    page.heading("data-quality", _DATA_QUALITY_TITLE)
    page.table(DATA_QUALITY_SUMMARY_COLUMNS, _finding_counts(report), _NO_FINDINGS)
    for check, label in DATA_QUALITY_LABELS.items():
        total = report.findings.get(check, 0)
        if total:
            page.heading(f"dq-{check}", f"{label} ({check}): {total:,}")
            shown = page.table(DATA_QUALITY_COLUMNS, report.check_rows(check, HTML_MAX_ROWS), _NO_FINDINGS)
            if total > shown:
                _note(page, writers.left_out(shown, total, "page", "write the report as xlsx for all of them"))
    page.heading("entitlements", _ENTITLEMENTS_TITLE)
    page.table(ENTITLEMENT_COLUMNS, report.entitlements, _NO_ENTITLEMENTS)
    page.close()
    return rows


def _note(page: HtmlPage, text: str) -> None:
    page.out.write(f'<p class="note">{html.escape(text, quote=False)}</p>\n')


def _finding_counts(report: LicenceReport) -> list[tuple]:
    """Every check with its rows (0 included: the check ran and found nothing)."""
    return [(check, label, report.findings.get(check, 0)) for check, label in DATA_QUALITY_LABELS.items()]


def write_xlsx(report: LicenceReport, path: Path) -> int:
    book = XlsxBook()
    book.scope(report.scope)
    components = book.sheet("Components", freeze_header=True)
    rows = book.table(components, COMPONENT_COLUMNS, report.components, _NO_COMPONENTS)
    users = book.sheet("Users", freeze_header=True)
    limit = XLSX_MAX_ROWS - 2  # the header and the left-out note
    shown = book.table(users, USER_COLUMNS, report.users(limit), _NO_USERS)
    if report.user_rows > shown:
        book.row(
            users, [writers.left_out(shown, report.user_rows, "sheet", "query license_position_users for all of them")]
        )
    quality = book.sheet("Data quality")
    book.table(quality, DATA_QUALITY_SUMMARY_COLUMNS, _finding_counts(report), _NO_FINDINGS)
    book.blank_row(quality)
    book.table(quality, (("check_name", "Check"), *DATA_QUALITY_COLUMNS), _all_findings(report), _NO_FINDINGS)
    entitlements = book.sheet("Entitlements", freeze_header=True)
    book.table(entitlements, ENTITLEMENT_COLUMNS, report.entitlements, _NO_ENTITLEMENTS)
    book.save(path)
    return rows


def _all_findings(report: LicenceReport) -> Iterable[tuple]:
    for check in DATA_QUALITY_LABELS:
        if report.findings.get(check, 0):
            for row in report.check_rows(check, None):
                yield (check, *row)


# --------------------------------------------------------------------------------------------------
# files
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Written:
    path: Path
    components: int
    format: str
    result: str = NO_EXPOSURE

    def summary(self) -> str:
        return f"{self.path}: licence report ({self.format}), {self.components:,} component(s), {self.result}"


def resolve_output(output: str | os.PathLike[str] | None, apps_id: int, fmt: str, as_of: dt.date | None = None) -> Path:
    """Where the report of ``apps_id`` goes: ``licence-report-<apps>-<as_of>.<ext>`` in a folder (the
    position's as-of date; today before it is known), or the file given (see
    :func:`.writers.resolve_output`)."""
    return writers.resolve_output(output, fmt, writers.default_filename("licence", apps_id, fmt, as_of))


def write_report(
    engine: sa.Engine,
    apps_id: int,
    fmt: str = "html",
    output: str | os.PathLike[str] | None = None,
    *,
    schema: str = "nomasx1",
    force: bool = False,
    now: dt.datetime | None = None,
) -> Written:
    """Build the licence report of ``apps_id`` and write it atomically; refuses to replace a file
    unless ``force``. The file name and folder are checked before the database is read."""
    if fmt not in FORMATS:
        raise ConfigurationError(f"unknown report format {fmt!r}: use one of {', '.join(FORMATS)}")
    resolve_output(output, apps_id, fmt)
    with tables_guard(schema, "licence position tables"), engine.connect() as conn, conn.begin():
        # one snapshot for the scope, the file name's as-of date and the rows
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        report = build_report(conn, schema, apps_id, now=now)
        path = resolve_output(output, apps_id, fmt, report.as_of_date)
        write = writers.formatted(fmt, report, write_csv, write_html, write_xlsx)
        return Written(path, writers.publish(path, write, force=force), fmt, report.result)
