"""The SoD report of one application: scope block, one row per user x rule, roles sections.

Built from the tables the ``nomasx1-sod-1`` job writes (``sod_conflict_details``,
``sod_role_conflicts``), the matrix (``sod_process``, ``sod_activities``, ``sod_objects``,
``sod_matrix``, ``sod_risks``), the exceptions and the security catalogues; its queries are
``sql/reports/sod_*.sql``. Written by :mod:`.writers` in three formats: **csv** (scope lines, one
row per user x rule streamed from a server-side cursor, formulas neutralised), **html** (one
self-contained page) and **xlsx** (sheets ``Scope``, ``Conflicts`` and ``Roles``).

A report with no conflict still says so ("no conflicts") and names the run it read. The file is
published atomically, and an existing file is replaced only when asked (``force``).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import sqlalchemy as sa

from airflow_provider_nomasx1 import __version__
from airflow_provider_nomasx1.collectors.sod.mitigations import EXCEPTIONS, mitigates_on
from airflow_provider_nomasx1.errors import ConfigurationError, Nomasx1Error
from airflow_provider_nomasx1.pg.identifiers import checked
from airflow_provider_nomasx1.reports import writers
from airflow_provider_nomasx1.reports.queries import application_name, report_query, translated
from airflow_provider_nomasx1.reports.writers import FORMATS, Columns, HtmlPage, Scope, XlsxBook

NO_CONFLICTS = "no conflicts"
#: most-conflicted roles listed
TOP_ROLES = 25

#: one row per user x rule: (key = CSV header, label = HTML/XLSX heading)
CONFLICT_COLUMNS: Columns = (
    ("user_id", "User"),
    ("user_name", "User name"),
    ("privileged", "Privileged"),
    ("process_id", "Process"),
    ("process_name", "Process name"),
    ("activity1_id", "Activity 1"),
    ("activity2_id", "Activity 2"),
    ("rule", "Rule (activity 1 ↔ activity 2)"),
    ("risk_id", "Risk"),
    ("risk_name", "Risk name"),
    ("risk_level", "Level"),
    ("risk_score", "Score"),
    ("side1", "Activity 1 reached by (object via grant)"),
    ("side2", "Activity 2 reached by (object via grant)"),
    ("paths", "Paths"),
    ("mitigated", "Mitigated"),
    ("exception_ids", "Exceptions"),
)
SELF_CONFLICT_COLUMNS: Columns = (
    ("role_id", "Role"),
    ("role_description", "Role description"),
    ("process_id", "Process"),
    ("rule", "Rule (activity 1 ↔ activity 2)"),
    ("risk_level", "Level"),
    ("objects1", "Activity 1 objects"),
    ("objects2", "Activity 2 objects"),
    ("users", "Users in conflict through this role alone"),
)
TOP_ROLE_COLUMNS: Columns = (
    ("rank", "Rank"),
    ("role_id", "Role"),
    ("role_description", "Role description"),
    ("users", "Users in conflict"),
    ("rules", "Rules"),
    ("self_conflicting", "Self-conflicting"),
)
_SELF_CONFLICTING_TITLE = "Self-conflicting roles (one role grants both sides)"
_NO_SELF_CONFLICTING = "no self-conflicting role"
_TOP_ROLES_TITLE = "Most-conflicted roles (by users, then rules)"
_NO_TOP_ROLES = "no role grants a side of a conflict"


@dataclass
class SodReport:
    """Everything a writer needs; ``conflicts()`` streams rows while the connection is open."""

    apps_id: int
    scope: Scope
    conflict_count: int
    conflicts: Callable[[], Iterator[tuple]]
    self_conflicting: list[tuple] = field(default_factory=list)
    top_roles: list[tuple] = field(default_factory=list)

    @property
    def result(self) -> str:
        return NO_CONFLICTS if self.conflict_count == 0 else f"{self.conflict_count} conflict(s) (user x rule)"


# --------------------------------------------------------------------------------------------------
# gathering
# --------------------------------------------------------------------------------------------------


def build_report(
    conn: sa.Connection, schema: str, apps_id: int, *, now: dt.datetime | None = None, top_roles: int = TOP_ROLES
) -> SodReport:
    """Read the scope and the sections of ``apps_id``'s SoD results (``conn`` must stay open while
    the report is written: the conflict rows are streamed)."""
    schema = checked(schema, "schema")
    p = {"a": apps_id}
    app = application_name(conn, schema, apps_id)
    latest = conn.execute(report_query(schema, "sod_latest_run"), p).first()
    run_at, run_id = (latest[0], latest[1]) if latest is not None else (None, None)
    if run_at is None:
        raise Nomasx1Error(
            f"application {apps_id} has no SoD results yet: run the nomasx1-sod-1 job (after nomasx1-security-1) "
            f'with conf {{"apps_id": {apps_id}}}, then build the report'
        )
    # the date the run checked the exceptions for (its history rows), else the rights' date
    as_of_date = conn.execute(report_query(schema, "sod_as_of"), {**p, "r": run_id}).scalar() or run_at.date()
    ruleset = conn.execute(report_query(schema, "sod_ruleset"), p).one()
    counts = conn.execute(report_query(schema, "sod_conflict_counts"), p).one()
    conflicts, mitigated, partly, users, users_mitigated, privileged, rules_hit = counts
    exceptions = _exception_counts(conn, schema, apps_id, as_of_date)
    self_conflicting = [tuple(r) for r in conn.execute(report_query(schema, "sod_self_conflicting"), p)]
    now = now or dt.datetime.now(dt.UTC)
    scope: Scope = [
        ("report", "Report", "Segregation of duties: conflicts per user and rule"),
        ("application_id", "Application id", apps_id),
        ("application_name", "Application", app),
        ("run_time", "SoD run time (SOD_CONFLICT_DETAILS)", run_at.isoformat(timespec="seconds")),
        ("run_id", "SoD run id", run_id or ""),
        ("as_of_date", "Rights as of", as_of_date.isoformat()),
        ("generated_at", "Report generated at", now.isoformat(timespec="seconds")),
        ("tool", "Tool", f"airflow-provider-nomasx1 {__version__}"),
        ("schema", "Schema", schema),
        ("ruleset_processes", "Ruleset: processes", ruleset[0]),
        ("ruleset_activities", "Ruleset: activities", ruleset[1]),
        ("ruleset_objects", "Ruleset: objects bound to activities", ruleset[2]),
        ("ruleset_rules", "Ruleset: rules (activity pairs)", ruleset[3]),
        ("enabled_users", "Enabled users evaluated", ruleset[4]),
        ("users_in_conflict", "Users in conflict", users),
        ("users_fully_mitigated", "Users with every conflict mitigated", users_mitigated),
        ("privileged_users_in_conflict", "Privileged users in conflict", privileged),
        ("conflicts", "Conflicts (user x rule)", conflicts),
        ("conflicts_mitigated", "Conflicts mitigated", mitigated),
        ("conflicts_partly_mitigated", "Conflicts partly mitigated (some paths)", partly),
        ("rules_with_conflicts", "Rules with at least one conflict", rules_hit),
        ("self_conflicting_roles", "Self-conflicting roles", len({r[0] for r in self_conflicting})),
        ("exceptions_valid", "Exceptions valid on the as-of date", exceptions[0]),
        ("exceptions_expired", "Exceptions expired before the as-of date", exceptions[1]),
    ]
    report = SodReport(
        apps_id=apps_id,
        scope=scope,
        conflict_count=conflicts,
        conflicts=lambda: _conflict_rows(conn, schema, apps_id),
        self_conflicting=self_conflicting,
        top_roles=[tuple(r) for r in conn.execute(report_query(schema, "sod_top_roles"), {**p, "n": top_roles})],
    )
    scope.append(("result", "Result", report.result))
    return report


def _exception_counts(conn: sa.Connection, schema: str, apps_id: int, day: dt.date) -> tuple[int, int]:
    """Exceptions valid on ``day`` (the one window rule, :func:`mitigates_on`) and expired before it."""
    e = EXCEPTIONS.c
    query = sa.select(sa.func.count().filter(mitigates_on(day)), sa.func.count().filter(e.valid_to < day)).where(
        e.apps_id == apps_id
    )
    valid, expired = conn.execute(query, execution_options=translated(schema)).one()
    return valid, expired


def _conflict_rows(conn: sa.Connection, schema: str, apps_id: int) -> Iterator[tuple]:
    result = conn.execution_options(yield_per=2000).execute(report_query(schema, "sod_conflicts"), {"a": apps_id})
    try:
        for row in result:
            yield tuple(row)
    finally:
        result.close()


# --------------------------------------------------------------------------------------------------
# formats
# --------------------------------------------------------------------------------------------------


def write_csv(report: SodReport, out: IO[str]) -> int:
    """Scope as ``# key: value`` lines, then the header and the rows; returns the rows written."""
    return writers.write_csv(out, report.scope, CONFLICT_COLUMNS, report.conflicts())


def write_html(report: SodReport, out: IO[str]) -> int:
    scope = {key: value for key, _, value in report.scope}
    page = HtmlPage(out)
    page.open(f"SoD report: application {scope['application_id']} ({writers.cell_text(scope['application_name'])})")
    page.result(report.result, found=report.conflict_count != 0)
    page.scope(report.scope)
    page.heading(
        "conflicts",
        "Conflicts: one row per user and rule",
        "Each side lists the objects that give the activity and the grant that reached each "
        "(a role, *PUBLIC, the user's own record, or JDE's open default when no record exists).",
    )
    rows = page.table(CONFLICT_COLUMNS, report.conflicts(), f"{NO_CONFLICTS}: no enabled user holds both sides")
    page.heading("self-conflicting", _SELF_CONFLICTING_TITLE)
    page.table(SELF_CONFLICT_COLUMNS, report.self_conflicting, _NO_SELF_CONFLICTING)
    page.heading("roles", _TOP_ROLES_TITLE)
    page.table(TOP_ROLE_COLUMNS, report.top_roles, _NO_TOP_ROLES)
    page.close()
    return rows


def write_xlsx(report: SodReport, path: Path) -> int:
    book = XlsxBook()
    book.scope(report.scope)
    rows = book.table(book.sheet("Conflicts", freeze_header=True), CONFLICT_COLUMNS, report.conflicts(), NO_CONFLICTS)
    roles = book.sheet("Roles")
    book.row(roles, [_SELF_CONFLICTING_TITLE], header=True)
    book.table(roles, SELF_CONFLICT_COLUMNS, report.self_conflicting, _NO_SELF_CONFLICTING)
    book.blank_row(roles)
    book.row(roles, [_TOP_ROLES_TITLE], header=True)
    book.table(roles, TOP_ROLE_COLUMNS, report.top_roles, _NO_TOP_ROLES)
    book.save(path)
    return rows


# --------------------------------------------------------------------------------------------------
# files
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Written:
    path: Path
    conflicts: int
    format: str

    def summary(self) -> str:
        what = NO_CONFLICTS if self.conflicts == 0 else f"{self.conflicts:,} conflict(s) (user x rule)"
        return f"{self.path}: SoD report ({self.format}), {what}"


def resolve_output(output: str | os.PathLike[str] | None, apps_id: int, fmt: str, today: dt.date | None = None) -> Path:
    """Where the report of ``apps_id`` goes: ``sod-report-<apps>-<date>.<ext>`` in a folder, or the
    file given (see :func:`.writers.resolve_output`)."""
    return writers.resolve_output(output, fmt, writers.default_filename("sod", apps_id, fmt, today))


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
    """Build the report of ``apps_id`` and write it atomically; refuses to replace a file unless ``force``."""
    if fmt not in FORMATS:
        raise ConfigurationError(f"unknown report format {fmt!r}: use one of {', '.join(FORMATS)}")
    path = resolve_output(output, apps_id, fmt, (now or dt.datetime.now()).date())

    def write(temp: Path) -> int:
        with engine.connect() as conn, conn.begin():
            # one snapshot for the scope counts and the rows
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            report = build_report(conn, schema, apps_id, now=now)
            return writers.formatted(fmt, report, write_csv, write_html, write_xlsx)(temp)

    return Written(path, writers.publish(path, write, force=force), fmt)
