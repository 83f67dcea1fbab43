"""The SoD report of one application: scope block, one row per user x rule, roles sections.

Built from the tables the ``nomasx1-sod-1`` job writes (``sod_conflict_details``,
``sod_role_conflicts``), the matrix (``sod_process``, ``sod_activities``, ``sod_objects``,
``sod_matrix``, ``sod_risks``), the exceptions and the security catalogues. Three formats:

- **csv**: the scope block as leading ``# key: value`` lines, a header row, one row per user x rule
  (streamed from a server-side cursor); a text cell a spreadsheet would run as a formula (leading
  ``=``, ``+``, ``-``, ``@``, tab or carriage return) is prefixed with ``'``, numbers are kept as
  numbers, and every text cell is quoted so that a ``;`` separator cannot split one;
- **html**: one self-contained file (inline CSS, no script, no external asset), every value escaped;
- **xlsx**: a write-only workbook with the sheets ``Scope``, ``Conflicts`` and ``Roles``.

A report with no conflict still says so ("no conflicts") and names the run it read. The file is
written to a temporary file next to the target, then renamed: a reader never sees half a report,
and an existing file is replaced only when asked (``force``).
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa

from airflow_provider_nomasx1 import __version__
from airflow_provider_nomasx1.errors import ConfigurationError, Nomasx1Error
from airflow_provider_nomasx1.registry import ApplicationNotFoundError
from airflow_provider_nomasx1.sqlident import checked, qualified

FORMATS = ("csv", "xlsx", "html")
NO_CONFLICTS = "no conflicts"
#: most-conflicted roles listed
TOP_ROLES = 25

#: one row per user x rule: (key = CSV header, label = HTML/XLSX heading)
CONFLICT_COLUMNS: tuple[tuple[str, str], ...] = (
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
SELF_CONFLICT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("role_id", "Role"),
    ("role_description", "Role description"),
    ("process_id", "Process"),
    ("rule", "Rule (activity 1 ↔ activity 2)"),
    ("risk_level", "Level"),
    ("objects1", "Activity 1 objects"),
    ("objects2", "Activity 2 objects"),
    ("users", "Users in conflict through this role alone"),
)
TOP_ROLE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("rank", "Rank"),
    ("role_id", "Role"),
    ("role_description", "Role description"),
    ("users", "Users in conflict"),
    ("rules", "Rules"),
    ("self_conflicting", "Self-conflicting"),
)


@dataclass
class SodReport:
    """Everything a writer needs; ``conflicts()`` streams rows while the connection is open."""

    apps_id: int
    scope: list[tuple[str, str, Any]]  # (key, label, value)
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


def _path_text(side: int) -> str:
    """SQL text of one side's path: ``OBJECT via role R`` / ``*PUBLIC`` / own user record / open default."""
    return (
        f"d.object{side} || ' via ' || CASE d.grant{side}_level "
        f"WHEN 'ROLE' THEN 'role ' || coalesce(d.role{side}, '?') "
        "WHEN 'PUBLIC' THEN '*PUBLIC' "
        "WHEN 'USER' THEN 'own user record' "
        "WHEN 'DEFAULT' THEN 'open default (no record)' "
        f"ELSE coalesce(d.role{side}, '?') END"
    )


def _grantor(side: int) -> str:
    """SQL: the role (or *PUBLIC) that granted one side of detail row ``d``."""
    return f"CASE WHEN d.grant{side}_level = 'PUBLIC' THEN coalesce(d.role{side}, '*PUBLIC') ELSE d.role{side} END"


def _rule_text(a1: str, a2: str) -> str:
    return f"coalesce({a1}.name, {a1}.activity_id) || ' ↔ ' || coalesce({a2}.name, {a2}.activity_id)"


class _Sql:
    def __init__(self, schema: str) -> None:
        self.schema = checked(schema, "schema")

    def __getattr__(self, table: str) -> str:
        return qualified(self.schema, table)


def _latest_run(conn: sa.Connection, t: _Sql, apps_id: int) -> tuple[dt.datetime | None, str | None]:
    row = conn.execute(
        sa.text(
            f"SELECT refreshed_at, run_id FROM {t.sod_conflict_details} WHERE apps_id = :a "
            "ORDER BY refreshed_at DESC LIMIT 1"
        ),
        {"a": apps_id},
    ).first()
    if row is not None:
        return row[0], row[1]
    # no conflict at all: the audit trail still says when the engine last ran
    row = conn.execute(
        sa.text(
            f"SELECT finished_at, run_id FROM {t.collect_audit} WHERE apps_id = :a AND step = 'SOD_CONFLICT_DETAILS' "
            "AND status = 'success' ORDER BY finished_at DESC LIMIT 1"
        ),
        {"a": apps_id},
    ).first()
    return (row[0], row[1]) if row is not None else (None, None)


def build_report(
    conn: sa.Connection, schema: str, apps_id: int, *, now: dt.datetime | None = None, top_roles: int = TOP_ROLES
) -> SodReport:
    """Read the scope and the sections of ``apps_id``'s SoD results (``conn`` must stay open while
    the report is written: the conflict rows are streamed)."""
    t = _Sql(schema)
    p = {"a": apps_id}
    app = conn.execute(sa.text(f"SELECT apps_name FROM {t.settings_applications} WHERE apps_id = :a"), p).first()
    if app is None:
        raise ApplicationNotFoundError(apps_id)
    run_at, run_id = _latest_run(conn, t, apps_id)
    if run_at is None:
        raise Nomasx1Error(
            f"application {apps_id} has no SoD results yet: run the nomasx1-sod-1 job (after nomasx1-security-1) "
            f'with conf {{"apps_id": {apps_id}}}, then build the report'
        )
    # the date the run checked the exceptions for (its history rows), else the rights' date
    as_of_date = (
        conn.execute(
            sa.text(
                f"SELECT as_of_date FROM {t.sod_conflict_history} WHERE apps_id = :a AND run_id = :r "
                "AND as_of_date IS NOT NULL LIMIT 1"
            ),
            {**p, "r": run_id},
        ).scalar()
        or conn.execute(
            sa.text(f"SELECT max(as_of_date) FROM {t.security_rights_users} WHERE apps_id = :a"), p
        ).scalar()
        or run_at.date()
    )
    ruleset = conn.execute(
        sa.text(
            f"SELECT (SELECT count(*) FROM {t.sod_process} WHERE apps_id = :a), "
            f"(SELECT count(*) FROM {t.sod_activities} WHERE apps_id = :a), "
            f"(SELECT count(*) FROM {t.sod_objects} WHERE apps_id = :a), "
            f"(SELECT count(*) FROM {t.sod_matrix} WHERE apps_id = :a), "
            f"(SELECT count(*) FROM {t.security_users} WHERE apps_id = :a AND enabled)"
        ),
        p,
    ).one()
    counts = conn.execute(
        sa.text(
            f"""WITH c AS (
                SELECT user_id, process_id, activity1_id, activity2_id, bool_and(mitigated) AS fully,
                       bool_or(mitigated) AS partly, bool_or(privileged) AS privileged
                FROM {t.sod_conflict_details} WHERE apps_id = :a
                GROUP BY user_id, process_id, activity1_id, activity2_id)
            SELECT count(*), count(*) FILTER (WHERE fully), count(*) FILTER (WHERE partly AND NOT fully),
                   count(DISTINCT user_id),
                   count(DISTINCT user_id) - count(DISTINCT user_id) FILTER (WHERE NOT fully),
                   count(DISTINCT user_id) FILTER (WHERE privileged),
                   count(DISTINCT (process_id, activity1_id, activity2_id))
            FROM c"""
        ),
        p,
    ).one()
    conflicts, mitigated, partly, users, users_mitigated, privileged, rules_hit = counts
    exceptions = conn.execute(
        sa.text(
            "SELECT count(*) FILTER (WHERE valid_from <= :d AND (valid_to IS NULL OR :d <= valid_to)), "
            "count(*) FILTER (WHERE valid_to < :d) "
            f"FROM {t.sod_exceptions} WHERE apps_id = :a"
        ),
        {**p, "d": as_of_date},
    ).one()
    self_conflicting = _self_conflicting(conn, t, apps_id)
    now = now or dt.datetime.now(dt.UTC)
    scope: list[tuple[str, str, Any]] = [
        ("report", "Report", "Segregation of duties: conflicts per user and rule"),
        ("application_id", "Application id", apps_id),
        ("application_name", "Application", app[0]),
        ("run_time", "SoD run time (SOD_CONFLICT_DETAILS)", run_at.isoformat(timespec="seconds")),
        ("run_id", "SoD run id", run_id or ""),
        ("as_of_date", "Rights as of", as_of_date.isoformat()),
        ("generated_at", "Report generated at", now.isoformat(timespec="seconds")),
        ("tool", "Tool", f"airflow-provider-nomasx1 {__version__}"),
        ("schema", "Schema", t.schema),
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
        conflicts=lambda: _conflict_rows(conn, t, apps_id),
        self_conflicting=self_conflicting,
        top_roles=_top_roles(conn, t, apps_id, top_roles),
    )
    scope.append(("result", "Result", report.result))
    return report


def _conflict_rows(conn: sa.Connection, t: _Sql, apps_id: int) -> Iterator[tuple]:
    side1, side2 = _path_text(1), _path_text(2)
    sql = f"""
        SELECT d.user_id, u.user_name, CASE WHEN bool_or(d.privileged) THEN 'yes' ELSE 'no' END,
               d.process_id, p.name, d.activity1_id, d.activity2_id, {_rule_text("a1", "a2")},
               d.risk_id, r.name, d.risk_level, max(d.risk_score),
               string_agg(DISTINCT {side1}, '; ' ORDER BY {side1}),
               string_agg(DISTINCT {side2}, '; ' ORDER BY {side2}),
               count(*),
               CASE WHEN bool_and(d.mitigated) THEN 'yes' WHEN bool_or(d.mitigated) THEN 'partly' ELSE 'no' END,
               coalesce(string_agg(DISTINCT d.exception_id, ', ' ORDER BY d.exception_id), '')
        FROM {t.sod_conflict_details} d
        LEFT JOIN {t.security_users} u ON u.apps_id = d.apps_id AND u.user_id = d.user_id
        LEFT JOIN {t.sod_process} p ON p.apps_id = d.apps_id AND p.process_id = d.process_id
        LEFT JOIN {t.sod_activities} a1 ON a1.apps_id = d.apps_id AND a1.activity_id = d.activity1_id
        LEFT JOIN {t.sod_activities} a2 ON a2.apps_id = d.apps_id AND a2.activity_id = d.activity2_id
        LEFT JOIN {t.sod_risks} r ON r.apps_id = d.apps_id AND r.risk_id = d.risk_id
        WHERE d.apps_id = :a
        GROUP BY d.user_id, u.user_name, d.process_id, p.name, d.activity1_id, a1.activity_id, a1.name,
                 d.activity2_id, a2.activity_id, a2.name, d.risk_id, r.name, d.risk_level
        ORDER BY d.process_id, d.activity1_id, d.activity2_id, d.user_id"""
    result = conn.execution_options(yield_per=2000).execute(sa.text(sql), {"a": apps_id})
    try:
        for row in result:
            yield tuple(row)
    finally:
        result.close()


def _self_conflicting(conn: sa.Connection, t: _Sql, apps_id: int) -> list[tuple]:
    sql = f"""
        SELECT rc.role_id, ro.description, rc.process_id, {_rule_text("a1", "a2")}, max(rc.risk_level),
               string_agg(DISTINCT rc.object1, ', ' ORDER BY rc.object1),
               string_agg(DISTINCT rc.object2, ', ' ORDER BY rc.object2),
               (SELECT count(DISTINCT d.user_id) FROM {t.sod_conflict_details} d
                WHERE d.apps_id = rc.apps_id AND d.process_id = rc.process_id
                  AND d.activity1_id = rc.activity1_id AND d.activity2_id = rc.activity2_id
                  AND d.grant1_level IN ('ROLE', 'PUBLIC') AND d.grant2_level IN ('ROLE', 'PUBLIC')
                  AND {_grantor(1)} = rc.role_id AND {_grantor(2)} = rc.role_id)
        FROM {t.sod_role_conflicts} rc
        LEFT JOIN {t.security_roles} ro ON ro.apps_id = rc.apps_id AND ro.role_id = rc.role_id
        LEFT JOIN {t.sod_activities} a1 ON a1.apps_id = rc.apps_id AND a1.activity_id = rc.activity1_id
        LEFT JOIN {t.sod_activities} a2 ON a2.apps_id = rc.apps_id AND a2.activity_id = rc.activity2_id
        WHERE rc.apps_id = :a
        GROUP BY rc.apps_id, rc.role_id, ro.description, rc.process_id, rc.activity1_id, rc.activity2_id,
                 a1.activity_id, a1.name, a2.activity_id, a2.name
        ORDER BY rc.role_id, rc.process_id, rc.activity1_id, rc.activity2_id"""
    return [tuple(r) for r in conn.execute(sa.text(sql), {"a": apps_id})]


def _top_roles(conn: sa.Connection, t: _Sql, apps_id: int, limit: int) -> list[tuple]:
    sql = f"""
        WITH paths AS (
            SELECT user_id, process_id, activity1_id, activity2_id, {_grantor(1)} AS role_id
            FROM {t.sod_conflict_details} d WHERE apps_id = :a AND grant1_level IN ('ROLE', 'PUBLIC')
            UNION ALL
            SELECT user_id, process_id, activity1_id, activity2_id, {_grantor(2)}
            FROM {t.sod_conflict_details} d WHERE apps_id = :a AND grant2_level IN ('ROLE', 'PUBLIC'))
        SELECT row_number() OVER (ORDER BY count(DISTINCT p.user_id) DESC,
                                           count(DISTINCT (p.process_id, p.activity1_id, p.activity2_id)) DESC,
                                           p.role_id),
               p.role_id, ro.description, count(DISTINCT p.user_id),
               count(DISTINCT (p.process_id, p.activity1_id, p.activity2_id)),
               CASE WHEN EXISTS (SELECT 1 FROM {t.sod_role_conflicts} rc
                                 WHERE rc.apps_id = :a AND rc.role_id = p.role_id) THEN 'yes' ELSE 'no' END
        FROM paths p
        LEFT JOIN {t.security_roles} ro ON ro.apps_id = :a AND ro.role_id = p.role_id
        WHERE p.role_id IS NOT NULL
        GROUP BY p.role_id, ro.description
        ORDER BY 1
        LIMIT :n"""
    return [tuple(r) for r in conn.execute(sa.text(sql), {"a": apps_id, "n": limit})]


# --------------------------------------------------------------------------------------------------
# writers
# --------------------------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


#: a cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice, Sheets
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: in a scope line, a new spreadsheet cell starts after a separator (``,`` or a locale's ``;``),
#: possibly quoted: the same neutralisation applies there
_SCOPE_CELL_FORMULA = re.compile(r"""([,;]\s*"*)(?=[=+\-@])""")
_APOSTROPHE = r"\1'"


def csv_cell(value: Any) -> Any:
    """A CSV cell that no spreadsheet runs: numbers stay numbers (a negative score stays -5),
    text starting like a formula gets a leading apostrophe, which spreadsheets show as text."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    text = _cell(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _scope_line(key: str, value: Any) -> str:
    """``# key: value`` on one line; a separator inside the value cannot start a formula cell."""
    text = " ".join(_cell(value).split())  # no tab, carriage return or newline left
    return f"# {key}: {_SCOPE_CELL_FORMULA.sub(_APOSTROPHE, text)}\n"


def write_csv(report: SodReport, out: IO[str]) -> int:
    """Scope as ``# key: value`` lines, then the header and the rows; returns the rows written."""
    for key, _label, value in report.scope:
        out.write(_scope_line(key, value))
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow([key for key, _ in CONFLICT_COLUMNS])
    rows = 0
    for row in report.conflicts():
        writer.writerow([csv_cell(v) for v in row])
        rows += 1
    return rows


_CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2em; color: #1d232a; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccd; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0; }
th, td { border: 1px solid #ccd; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
thead th { background: #e8ecf2; position: sticky; top: 0; }
tbody tr:nth-child(even) { background: #f6f8fb; }
table.scope th { background: #f0f2f6; font-weight: 600; }
.result { font-size: 1.1em; font-weight: 600; } .none { color: #2e7d32; } .some { color: #b23c17; }
td.no-wrap { white-space: nowrap; } .note { color: #556; font-size: 0.85em; }
"""


def _table(out: IO[str], columns: tuple[tuple[str, str], ...], rows, empty: str) -> int:
    e = html.escape
    out.write("<table><thead><tr>")
    out.write("".join(f"<th>{e(label)}</th>" for _, label in columns))
    out.write("</tr></thead><tbody>\n")
    count = 0
    for row in rows:
        out.write("<tr>" + "".join(f"<td>{e(_cell(v))}</td>" for v in row) + "</tr>\n")
        count += 1
    if count == 0:
        out.write(f'<tr><td colspan="{len(columns)}">{e(empty)}</td></tr>\n')
    out.write("</tbody></table>\n")
    return count


def write_html(report: SodReport, out: IO[str]) -> int:
    e = html.escape
    scope = {key: value for key, _, value in report.scope}
    title = f"SoD report: application {scope['application_id']} ({_cell(scope['application_name'])})"
    out.write(f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{e(title)}</title>\n')
    out.write(f"<style>{_CSS}</style>\n</head>\n<body>\n<h1>{e(title)}</h1>\n")
    css = "none" if report.conflict_count == 0 else "some"
    out.write(f'<p class="result {css}">Result: {e(report.result)}</p>\n')
    out.write('<h2 id="scope">Scope</h2>\n<table class="scope"><tbody>\n')
    for _key, label, value in report.scope:
        out.write(f"<tr><th>{e(label)}</th><td>{e(_cell(value))}</td></tr>\n")
    out.write("</tbody></table>\n")
    out.write('<h2 id="conflicts">Conflicts: one row per user and rule</h2>\n')
    out.write(
        '<p class="note">Each side lists the objects that give the activity and the grant that reached each '
        "(a role, *PUBLIC, the user's own record, or JDE's open default when no record exists).</p>\n"
    )
    rows = _table(out, CONFLICT_COLUMNS, report.conflicts(), f"{NO_CONFLICTS}: no enabled user holds both sides")
    out.write('<h2 id="self-conflicting">Self-conflicting roles (one role grants both sides)</h2>\n')
    _table(out, SELF_CONFLICT_COLUMNS, report.self_conflicting, "no self-conflicting role")
    out.write('<h2 id="roles">Most-conflicted roles (by users, then rules)</h2>\n')
    _table(out, TOP_ROLE_COLUMNS, report.top_roles, "no role grants a side of a conflict")
    out.write("</body>\n</html>\n")
    return rows


_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def write_xlsx(report: SodReport, path: Path) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)

    def cells(sheet, values, header: bool = False) -> list:
        out = []
        for value in values:
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=_ILLEGAL_XML.sub("", value))
                cell.data_type = "s"  # text stays text: never a formula
            elif isinstance(value, (dt.date, dt.datetime)):
                cell = WriteOnlyCell(sheet, value=value.isoformat())
            else:
                cell = WriteOnlyCell(sheet, value=value)
            if header:
                cell.font = bold
            out.append(cell)
        return out

    scope_sheet = workbook.create_sheet("Scope")
    scope_sheet.column_dimensions["A"].width = 42
    scope_sheet.column_dimensions["B"].width = 60
    scope_sheet.append(cells(scope_sheet, ["Item", "Value"], header=True))
    for _key, label, value in report.scope:
        scope_sheet.append(cells(scope_sheet, [label, value if isinstance(value, int) else _cell(value)]))

    sheet = workbook.create_sheet("Conflicts")
    sheet.freeze_panes = "A2"
    sheet.append(cells(sheet, [label for _, label in CONFLICT_COLUMNS], header=True))
    rows = 0
    for row in report.conflicts():
        sheet.append(cells(sheet, row))
        rows += 1
    if rows == 0:
        sheet.append(cells(sheet, [NO_CONFLICTS]))

    roles = workbook.create_sheet("Roles")
    roles.append(cells(roles, ["Self-conflicting roles (one role grants both sides)"], header=True))
    roles.append(cells(roles, [label for _, label in SELF_CONFLICT_COLUMNS], header=True))
    for row in report.self_conflicting:
        roles.append(cells(roles, row))
    if not report.self_conflicting:
        roles.append(cells(roles, ["no self-conflicting role"]))
    roles.append([])
    roles.append(cells(roles, ["Most-conflicted roles (by users, then rules)"], header=True))
    roles.append(cells(roles, [label for _, label in TOP_ROLE_COLUMNS], header=True))
    for row in report.top_roles:
        roles.append(cells(roles, row))
    if not report.top_roles:
        roles.append(cells(roles, ["no role grants a side of a conflict"]))
    workbook.save(path)
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


def default_filename(apps_id: int, fmt: str, today: dt.date | None = None) -> str:
    return f"sod-report-{apps_id}-{(today or dt.date.today()).isoformat()}.{fmt}"


#: the file name endings each format accepts (case-insensitive)
EXTENSIONS = {"csv": (".csv",), "xlsx": (".xlsx",), "html": (".html", ".htm")}


def resolve_output(output: str | os.PathLike[str] | None, apps_id: int, fmt: str, today: dt.date | None = None) -> Path:
    """No output or a folder: ``<folder>/sod-report-<apps>-<date>.<ext>``; else the path as given,
    which must end with the format's extension: HTML written into ``x.csv`` (or a CSV into a file a
    spreadsheet opens as HTML) would mislead whoever opens it."""
    path = Path(output).expanduser() if output else Path.cwd()
    if path.is_dir():
        path = path / default_filename(apps_id, fmt, today)
    if not path.parent.is_dir():
        raise ConfigurationError(f"cannot write {path}: the folder {path.parent} does not exist; create it first")
    endings = EXTENSIONS.get(fmt, (f".{fmt}",))
    if not path.name.lower().endswith(endings):
        formats = [f for f, ends in EXTENSIONS.items() if path.name.lower().endswith(ends)]
        other = f", or give --format {formats[0]}" if formats else ""
        raise ConfigurationError(
            f"{path} does not end with {endings[0]} but the report format is {fmt}: name the file "
            f"{path.stem if path.suffix else path.name}{endings[0]}{other}; nothing was written"
        )
    return path


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
    if path.exists() and not force:
        raise ConfigurationError(f"{path} already exists: give another --output, or add --force to replace it")
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise ConfigurationError(
            f"cannot write {path}: the folder {path.parent} refuses new files ({exc.strerror or exc}); "
            "give an --output in a folder you can write to"
        ) from None
    os.close(handle)
    temp = Path(temp_name)
    try:
        with engine.connect() as conn, conn.begin():
            # one snapshot for the scope counts and the rows
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            report = build_report(conn, schema, apps_id, now=now)
            if fmt == "xlsx":
                rows = write_xlsx(report, temp)
            else:
                with temp.open("w", encoding="utf-8", newline="") as out:
                    rows = write_csv(report, out) if fmt == "csv" else write_html(report, out)
                    out.flush()
                    os.fsync(out.fileno())
        os.chmod(temp, 0o644)
        if force:
            os.replace(temp, path)
        else:
            _publish_new(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return Written(path, rows, fmt)


def _publish_new(temp: Path, path: Path) -> None:
    """Move ``temp`` to ``path`` only if ``path`` does not exist (hard link, else exclusive check)."""
    try:
        os.link(temp, path)  # fails if the file appeared meanwhile: never overwrite silently
    except FileExistsError:
        raise ConfigurationError(
            f"{path} already exists: give another --output, or add --force to replace it"
        ) from None
    except OSError:  # no hard links on this file system
        if path.exists():
            raise ConfigurationError(
                f"{path} already exists: give another --output, or add --force to replace it"
            ) from None
        os.replace(temp, path)
        return
    temp.unlink()
