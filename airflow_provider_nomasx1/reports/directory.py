"""The directory exports of one directory application (apps_type LDAP), from what ``nomasx1-ldap-1``
writes: the reconciliation findings report, and "users by applications" per department.

Built from ``security_ldap`` (the accounts SECURITY_LDAP loaded), ``security_ldap_matches`` and
``security_ldap_findings`` (what LDAP_RECONCILE decided for every JDE application reconciled with
the directory), ``security_users`` and ``security_assignments``; the queries are
``sql/reports/directory_*.sql``. Nothing is recomputed here, so the exports and the tables agree.

- **the findings report** (:func:`write_report`), in the three formats of :mod:`.writers`, like the
  licence report (:mod:`.licence`): **csv** is the scope block (with the counts per finding, per
  severity and per match rule) and one row per finding; **html** one self-contained page (summary
  tables, then the findings, at most :data:`HTML_MAX_ROWS`); **xlsx** sheets ``Scope``,
  ``Findings`` and ``Summary``. Risks come first;
- **users by applications** (:func:`write_departments`): one xlsx workbook per department of the
  directory, each with a ``Scope`` sheet, one sheet per JDE application reconciled (the
  department's accounts matched to its users, their JDE state and active roles) and ``All
  directory`` (every account of the department, matched or not), plus an ``index.csv`` naming the
  department of each file. The workbooks are written into a temporary folder beside the target,
  each with :func:`.writers.publish`, and the folder takes its place at the end: all or nothing.

Rows stream from server-side cursors into write-only workbooks: memory does not grow with the
directory (the departments export keeps one line per department for its index). Each export reads
one snapshot of the tables, refuses an application that is not a directory, a directory never
loaded, or one never reconciled, before anything is written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import itertools
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any, TypeAlias

import sqlalchemy as sa

from airflow_provider_nomasx1 import __version__
from airflow_provider_nomasx1.applications import ApplicationNotFoundError
from airflow_provider_nomasx1.errors import ConfigurationError, Nomasx1Error
from airflow_provider_nomasx1.pg.identifiers import checked
from airflow_provider_nomasx1.reports import writers
from airflow_provider_nomasx1.reports.queries import (
    application_name,
    report_query,
    stream_rows,
    tables_guard,
    translated,
)
from airflow_provider_nomasx1.reports.writers import FORMATS, Columns, HtmlPage, Scope, XlsxBook, publish_folder
from airflow_provider_nomasx1.schema import nomasx1
from airflow_provider_nomasx1.schema.nomasx1 import LDAP_FINDING_SEVERITIES, LDAP_SEVERITIES

#: findings shown on the HTML page: a page of a large directory stays usable (csv / xlsx carry all)
HTML_MAX_ROWS = 5000
#: rows of an xlsx sheet (Excel's limit), header and the left-out note included
XLSX_MAX_ROWS = 1_048_576
#: the department of an account whose ``department`` is empty or blank
NO_DEPARTMENT = "(no department)"
#: the sheets of a department workbook besides the JDE applications' (their names are taken)
SCOPE_SHEET = "Scope"
ALL_DIRECTORY_SHEET = "All directory"
#: the file of the departments folder naming each department's workbook
INDEX_FILE = "index.csv"
NO_RISK = "no risk"
#: the report line of the departments export (and how :func:`is_export` knows one)
DEPARTMENTS_TITLE = "Users by applications: the department's directory accounts and their JDE users"

#: one row per finding: (key = CSV header, label = HTML/XLSX heading)
FINDING_COLUMNS: Columns = (
    ("severity", "Severity"),
    ("finding", "Finding"),
    ("apps_id", "JDE application"),
    ("user_id", "JDE user"),
    ("user_name", "User name"),
    ("account", "Directory account"),
    ("dn", "Distinguished name"),
    ("rule", "Match rule"),
    ("jde_enabled", "Enabled in JDE"),
    ("directory_disabled", "Disabled in the directory"),
    ("directory_expires_at", "Directory account expires (UTC)"),
    ("termination_date", "HR termination date"),
    ("department", "Department"),
    ("detail", "Detail"),
)
APPLICATION_COLUMNS: Columns = (
    ("apps_id", "JDE application"),
    ("apps_name", "Application"),
    ("reconciled_at", "Last reconciled at"),
    ("reconcile_run_id", "Reconciliation run id"),
    ("jde_users", "JDE users"),
    ("jde_enabled_users", "Enabled JDE users"),
    ("matched_users", "Users matched to a directory account"),
    ("risks", "Risks"),
    ("warnings", "Warnings"),
    ("information", "Information"),
)
FINDING_COUNT_COLUMNS: Columns = (
    ("apps_id", "JDE application"),
    ("apps_name", "Application"),
    ("severity", "Severity"),
    ("finding", "Finding"),
    ("description", "Meaning"),
    ("findings", "Findings"),
)
RULE_COLUMNS: Columns = (
    ("apps_id", "JDE application"),
    ("apps_name", "Application"),
    ("rule_order", "Rule order"),
    ("rule", "Match rule"),
    ("matched_users", "JDE users matched"),
    ("matched_accounts", "Directory accounts matched"),
)
#: a JDE application's sheet of a department workbook: one row per account x JDE user matched
MATCH_COLUMNS: Columns = (
    ("account", "Directory account"),
    ("display_name", "Display name"),
    ("title", "Title"),
    ("directory_disabled", "Disabled in the directory"),
    ("directory_expired", "Expired in the directory"),
    ("user_id", "JDE user"),
    ("user_name", "JDE user name"),
    ("jde_enabled", "Enabled in JDE"),
    ("dormant", "Dormant"),
    ("last_login_date", "Last login"),
    ("active_roles", "Active roles"),
    ("rule", "Match rule"),
)
#: the ``All directory`` sheet: every account of the department
ACCOUNT_COLUMNS: Columns = (
    ("account", "Directory account"),
    ("display_name", "Display name"),
    ("title", "Title"),
    ("directory_disabled", "Disabled in the directory"),
    ("directory_expired", "Expired in the directory"),
    ("mail", "Mail"),
    ("jde_applications", "JDE applications"),
    ("jde_users", "JDE users (application:user)"),
)
INDEX_COLUMNS: Columns = (
    ("department", "Department"),
    ("file", "Workbook"),
    ("directory_accounts", "Directory accounts"),
    ("matched_accounts", "Accounts matched to a JDE user"),
)

#: a short label per finding (security_ldap_findings.finding), in the schema's order
FINDING_LABELS = {
    "directory_disabled": "Enabled in JDE, disabled in the directory",
    "directory_expired": "Enabled in JDE, directory account expired",
    "directory_missing": "Enabled in JDE, no directory account found",
    "hr_terminated": "Enabled in JDE, terminated in HR (F060116)",
    "ambiguous": "Several directory accounts match one JDE user",
    "generic_without_directory": "Generic, batch or service id enabled in JDE without a directory account",
    "directory_only": "Active directory account without a JDE user",
}

_FINDINGS_TITLE = "Findings: risks first"
_FINDINGS_NOTE = (
    "Risks: a JDE account that may still sign in although its person left (disabled, expired or "
    "missing in the directory, terminated in HR). Warnings: a JDE user matched to several directory "
    "accounts. Information: generic ids without a directory account, directory accounts without a JDE user."
)
_NO_FINDINGS = "no finding"
_APPLICATIONS_TITLE = "JDE applications reconciled with the directory"
_FINDING_COUNTS_TITLE = "Findings per JDE application, severity and finding"
_RULES_TITLE = "Matched users per match rule"
_RULES_NOTE = "The first rule of settings_ldap.match_rules that finds an account for a user decides."
_NO_MATCHES = "no JDE user matched a directory account"
_NEVER = "never"


# --------------------------------------------------------------------------------------------------
# the directory, its load and its reconciliations (both exports)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reconciled:
    """One JDE application reconciled with the directory (a row of ``directory_reconciliations``)."""

    apps_id: int
    apps_name: str | None
    reconciled_at: dt.datetime
    run_id: str | None
    jde_users: int
    jde_enabled_users: int
    matched_users: int
    risks: int
    warnings: int
    information: int

    def row(self) -> tuple:
        return (
            self.apps_id,
            self.apps_name,
            _timestamp(self.reconciled_at),
            self.run_id or "",
            self.jde_users,
            self.jde_enabled_users,
            self.matched_users,
            self.risks,
            self.warnings,
            self.information,
        )


@dataclass(frozen=True)
class Directory:
    """The directory application, its last load and the JDE applications reconciled with it."""

    apps_id: int
    name: str
    jde_apps_id: int | None
    accounts: int
    loaded_at: dt.datetime
    load_run_id: str | None
    disabled: int
    expired: int
    departments: int
    groups: int
    reconciled: list[Reconciled]

    @property
    def reconciled_at(self) -> dt.datetime:
        return max(r.reconciled_at for r in self.reconciled)

    @property
    def reconcile_run_id(self) -> str:
        return max(self.reconciled, key=lambda r: r.reconciled_at).run_id or ""

    def scope(self, title: str, now: dt.datetime, schema: str) -> Scope:
        """The scope lines both exports start with: the directory, its load, its reconciliation."""
        apps = ", ".join(f"{r.apps_id} ({writers.cell_text(r.apps_name)})" for r in self.reconciled)
        return [
            ("report", "Report", title),
            ("directory_application_id", "Directory application id", self.apps_id),
            ("directory_application_name", "Directory application", self.name),
            ("jde_application_filter", "JDE applications shown", self.jde_apps_id or "every one reconciled"),
            ("directory_loaded_at", "Directory last loaded at (SECURITY_LDAP)", _timestamp(self.loaded_at)),
            ("directory_load_run_id", "Directory load run id", self.load_run_id or ""),
            ("reconciled_at", "Last reconciled at (LDAP_RECONCILE)", _timestamp(self.reconciled_at)),
            ("reconcile_run_id", "Reconciliation run id", self.reconcile_run_id),
            (
                "reconciled_after_load",
                "Reconciled after the last load (no: findings of an older load)",
                writers.cell_text(self.reconciled_at >= self.loaded_at),
            ),
            ("jde_applications", "JDE applications reconciled", apps),
            ("directory_accounts", "Directory accounts", self.accounts),
            ("directory_accounts_disabled", "Directory accounts disabled", self.disabled),
            ("directory_accounts_expired", "Directory accounts expired", self.expired),
            ("directory_departments", "Departments", self.departments),
            ("directory_groups", "Directory groups", self.groups),
            ("generated_at", "Report generated at", now.isoformat(timespec="seconds")),
            ("tool", "Tool", f"airflow-provider-nomasx1 {__version__}"),
            ("schema", "Schema", schema),
        ]


def read_directory(
    conn: sa.Connection, schema: str, apps_id: int, *, jde_apps_id: int | None = None, now: dt.datetime
) -> Directory:
    """The directory application ``apps_id`` (registered, of type LDAP, loaded and reconciled: each
    refusal says what to run), with the JDE applications reconciled (``jde_apps_id`` alone if given)."""
    name = _directory_name(conn, schema, apps_id)
    accounts, loaded_at, run_id, disabled, expired, departments, groups = conn.execute(
        report_query(schema, "directory_load"), {"a": apps_id, "now": now, "nodept": NO_DEPARTMENT}
    ).one()
    if not accounts:
        raise Nomasx1Error(
            f"directory application {apps_id} has no accounts loaded (security_ldap is empty): run nomasx1-ldap-1 first"
        )
    if jde_apps_id is not None:
        application_name(conn, schema, jde_apps_id)  # an unregistered one is refused
    rows = conn.execute(report_query(schema, "directory_reconciliations"), {"a": apps_id, "j": jde_apps_id})
    reconciled = [Reconciled(*row) for row in rows]
    if not reconciled:
        which = f"JDE application {jde_apps_id}" if jde_apps_id is not None else "any JDE application"
        raise Nomasx1Error(
            f"directory application {apps_id} was never reconciled with {which}: collect the JDE users with "
            "nomasx1-security-1 (and list the application in the directory's reconcile_apps, docs/ldap.md), "
            "then run nomasx1-ldap-1 first"
        )
    return Directory(
        apps_id, name, jde_apps_id, accounts, loaded_at, run_id, disabled, expired, departments, groups, reconciled
    )


def _directory_name(conn: sa.Connection, schema: str, apps_id: int) -> Any:
    """The registered name of ``apps_id``, which must be a directory application (apps_type LDAP)."""
    apps = nomasx1.settings_applications
    query = sa.select(apps.c.apps_name, apps.c.apps_type).where(apps.c.apps_id == apps_id)
    row = conn.execute(query, execution_options=translated(schema)).first()
    if row is None:
        raise ApplicationNotFoundError(apps_id)
    if row[1] != "LDAP":
        raise ConfigurationError(
            f"application {apps_id} is of type {row[1]}, not LDAP: --apps-id names the directory application "
            "(see `nomasx1 apps list --url URL`); the JDE application goes to --jde-apps-id; nothing was written"
        )
    return row[0]


def _timestamp(value: dt.datetime | None) -> str:
    """An instant as ISO text in UTC, whatever the session's time zone."""
    return value.astimezone(dt.UTC).isoformat(timespec="seconds") if value is not None else _NEVER


@contextlib.contextmanager
def _snapshot(engine: sa.Engine, schema: str) -> Iterator[sa.Connection]:
    """One read-only snapshot for the scope and every row; "table does not exist" (a schema older
    than the directory tables) becomes what to do."""
    with tables_guard(schema, "directory tables"), engine.connect() as conn, conn.begin():
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield conn


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ConfigurationError(f"unknown report format {fmt!r}: use one of {', '.join(FORMATS)}")


# --------------------------------------------------------------------------------------------------
# the findings report
# --------------------------------------------------------------------------------------------------


@dataclass
class DirectoryReport:
    """Everything a writer needs; the findings stream while the connection is open."""

    directory: Directory
    scope: Scope
    finding_counts: list[tuple]
    rule_counts: list[tuple]
    total: int
    findings: Callable[[int | None], Iterator[tuple]]
    severities: dict[str, int] = field(default_factory=dict)

    @property
    def result(self) -> str:
        risks, warnings = self.severities.get("risk", 0), self.severities.get("warning", 0)
        text = f"{risks:,} risk finding(s)" if risks else NO_RISK
        return f"{text}; {warnings:,} warning(s)" if warnings else text


def build_report(
    conn: sa.Connection,
    schema: str,
    apps_id: int,
    *,
    jde_apps_id: int | None = None,
    now: dt.datetime | None = None,
) -> DirectoryReport:
    """Read the scope and the summary of the reconciliation of directory ``apps_id`` (``conn`` must
    stay open while the report is written: the findings are streamed)."""
    schema = checked(schema, "schema")
    now = now or dt.datetime.now(dt.UTC)
    directory = read_directory(conn, schema, apps_id, jde_apps_id=jde_apps_id, now=now)
    p = {"a": apps_id, "j": jde_apps_id}
    found = {(a, f): n for a, f, n in conn.execute(report_query(schema, "directory_finding_counts"), p)}
    names = {r.apps_id: r.apps_name for r in directory.reconciled}
    finding_counts = [
        (a, names[a], severity, finding, FINDING_LABELS[finding], found.get((a, finding), 0))
        for a in names
        for finding, severity in LDAP_FINDING_SEVERITIES.items()
    ]
    rule_counts = [
        (a, names.get(a), *rest) for a, *rest in conn.execute(report_query(schema, "directory_rule_counts"), p)
    ]
    per_finding = {f: sum(n for (_, g), n in found.items() if g == f) for f in LDAP_FINDING_SEVERITIES}
    severities = {s: sum(n for f, n in per_finding.items() if LDAP_FINDING_SEVERITIES[f] == s) for s in LDAP_SEVERITIES}
    per_rule: dict[str, int] = {}
    for row in rule_counts:
        per_rule[row[3]] = per_rule.get(row[3], 0) + row[4]
    scope = directory.scope("Directory reconciliation: JDE users against the directory accounts", now, schema)
    scope += [
        ("findings", "Findings", sum(per_finding.values())),
        *((f"severity_{s}", f"Findings of severity {s}", n) for s, n in severities.items()),
        *((f"finding_{f}", f"Finding {f}: {FINDING_LABELS[f]}", n) for f, n in per_finding.items()),
        (
            "matched_users",
            "JDE users matched to a directory account",
            sum(r.matched_users for r in directory.reconciled),
        ),
        *((f"matched_by_{rule}", f"JDE users matched by rule {rule}", n) for rule, n in per_rule.items()),
    ]
    query = report_query(schema, "directory_findings")
    report = DirectoryReport(
        directory=directory,
        scope=scope,
        finding_counts=finding_counts,
        rule_counts=rule_counts,
        total=sum(per_finding.values()),
        findings=lambda limit: stream_rows(conn, query, {**p, "n": limit}),
        severities=severities,
    )
    scope.append(("result", "Result", report.result))
    return report


def write_csv(report: DirectoryReport, out: IO[str]) -> int:
    """Scope (with the counts) as ``# key: value`` lines, then one row per finding; returns the findings."""
    return writers.write_csv(out, report.scope, FINDING_COLUMNS, report.findings(None))


def write_html(report: DirectoryReport, out: IO[str]) -> int:
    d = report.directory
    page = HtmlPage(out)
    page.open(f"Directory report: application {d.apps_id} ({writers.cell_text(d.name)})")
    page.result(report.result, found=report.severities.get("risk", 0) != 0)
    page.scope(report.scope)
    page.heading("applications", _APPLICATIONS_TITLE)
    page.table(APPLICATION_COLUMNS, [r.row() for r in d.reconciled], _NO_FINDINGS)
    page.heading("finding-counts", _FINDING_COUNTS_TITLE)
    page.table(FINDING_COUNT_COLUMNS, report.finding_counts, _NO_FINDINGS)
    page.heading("rules", _RULES_TITLE, _RULES_NOTE)
    page.table(RULE_COLUMNS, report.rule_counts, _NO_MATCHES)
    page.heading("findings", f"{_FINDINGS_TITLE} ({report.total:,})", _FINDINGS_NOTE)
    shown = page.table(FINDING_COLUMNS, report.findings(HTML_MAX_ROWS), _NO_FINDINGS)
    if report.total > shown:
        note = writers.left_out(shown, report.total, "page", "write the report as xlsx or csv for all of them")
        page.out.write(f'<p class="note">{html.escape(note, quote=False)}</p>\n')
    page.close()
    return shown


def write_xlsx(report: DirectoryReport, path: Path) -> int:
    book = XlsxBook()
    book.scope(report.scope)
    sheet = book.sheet("Findings", freeze_header=True)
    shown = book.table(sheet, FINDING_COLUMNS, report.findings(XLSX_MAX_ROWS - 2), _NO_FINDINGS)
    if report.total > shown:
        book.row(sheet, [writers.left_out(shown, report.total, "sheet", "write the report as csv for all of them")])
    summary = book.sheet("Summary")
    book.table(summary, APPLICATION_COLUMNS, [r.row() for r in report.directory.reconciled], _NO_FINDINGS)
    book.blank_row(summary)
    book.table(summary, FINDING_COUNT_COLUMNS, report.finding_counts, _NO_FINDINGS)
    book.blank_row(summary)
    book.table(summary, RULE_COLUMNS, report.rule_counts, _NO_MATCHES)
    book.save(path)
    return shown


@dataclass(frozen=True)
class Written:
    path: Path
    findings: int
    format: str
    result: str = NO_RISK

    def summary(self) -> str:
        return f"{self.path}: directory report ({self.format}), {self.findings:,} finding(s) written, {self.result}"


def default_name(apps_id: int, fmt: str, today: dt.date | None = None, jde_apps_id: int | None = None) -> str:
    """``directory-report-<apps>-<date>.<ext>``; ``directory-report-<apps>-jde-<jde>-<date>.<ext>``
    when one JDE application is shown."""
    if jde_apps_id is None:
        return writers.default_filename("directory", apps_id, fmt, today)
    return f"directory-report-{apps_id}-jde-{jde_apps_id}-{(today or dt.date.today()).isoformat()}.{fmt}"


def resolve_output(
    output: str | os.PathLike[str] | None,
    apps_id: int,
    fmt: str,
    today: dt.date | None = None,
    *,
    jde_apps_id: int | None = None,
) -> Path:
    """Where the findings report of ``apps_id`` goes (see :func:`.writers.resolve_output`)."""
    return writers.resolve_output(output, fmt, default_name(apps_id, fmt, today, jde_apps_id))


def write_report(
    engine: sa.Engine,
    apps_id: int,
    fmt: str = "html",
    output: str | os.PathLike[str] | None = None,
    *,
    jde_apps_id: int | None = None,
    schema: str = "nomasx1",
    force: bool = False,
    now: dt.datetime | None = None,
) -> Written:
    """Build the findings report of directory ``apps_id`` (every JDE application reconciled, or
    ``jde_apps_id``) and write it atomically; the file name and folder are checked first."""
    _check_format(fmt)
    now = now or dt.datetime.now(dt.UTC)
    path = resolve_output(output, apps_id, fmt, now.date(), jde_apps_id=jde_apps_id)
    if path.exists() and not force:  # before reading anything
        raise ConfigurationError(f"{path} already exists: give another --output, or add --force to replace it")
    with _snapshot(engine, schema) as conn:
        report = build_report(conn, schema, apps_id, jde_apps_id=jde_apps_id, now=now)
        write = writers.formatted(fmt, report, write_csv, write_html, write_xlsx)
        return Written(path, writers.publish(path, write, force=force), fmt, report.result)


# --------------------------------------------------------------------------------------------------
# users by applications, per department
# --------------------------------------------------------------------------------------------------

#: characters kept in a file name (letters and digits of any script, and these); others become _
_UNSAFE_FILE = re.compile(r"[^\w .,()&+-]+")
#: names Windows refuses whatever the extension
_RESERVED_FILES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
#: the longest file name stem kept (a deep folder on Windows still opens it)
FILE_STEM_MAX = 100
#: characters Excel refuses in a sheet name, and its length limit
_UNSAFE_SHEET = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
SHEET_NAME_MAX = 31


def _unique(name: str, taken: set[str], limit: int, form: Callable[[str, int], str]) -> str:
    """``name``, or the first ``form(name cut, n)`` not in ``taken`` (compared case-insensitively,
    as Excel and Windows do), at most ``limit`` characters; the name is added to ``taken``."""
    candidate, n = name[:limit], 1
    while candidate.casefold() in taken:
        n += 1
        suffix = form("", n)
        candidate = form(name[: limit - len(suffix)].rstrip(), n)
    taken.add(candidate.casefold())
    return candidate


def safe_filename(text: str, taken: set[str]) -> str:
    """A file name stem for ``text`` no file system refuses (no separator, no control or reserved
    character, no leading dot, no Windows device name, at most :data:`FILE_STEM_MAX` characters),
    unique in ``taken`` (``Sales (2)`` after ``Sales`` or ``sales``)."""
    stem = _UNSAFE_FILE.sub("_", re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)))
    stem = re.sub(r"\s+", " ", re.sub(r"_+", "_", stem)).strip(" ._")[:FILE_STEM_MAX].rstrip(" ._") or "_"
    if stem.split(".")[0].casefold() in _RESERVED_FILES:
        stem = f"_{stem}"
    return _unique(stem, taken, FILE_STEM_MAX, lambda cut, n: f"{cut} ({n})")


def sheet_title(text: str, taken: set[str]) -> str:
    """A sheet name Excel accepts for ``text`` (none of ``[]:*?/\\``, no apostrophe at either end, at
    most 31 characters, not ``History``), unique in ``taken`` (``Name~2``)."""
    title = _UNSAFE_SHEET.sub("_", text).strip().strip("'")[:SHEET_NAME_MAX].rstrip().rstrip("'") or "Sheet"
    if title.casefold() == "history":
        title = "History_"
    return _unique(title, taken, SHEET_NAME_MAX, lambda cut, n: f"{cut}~{n}".strip("'"))


@dataclass(frozen=True)
class DepartmentsWritten:
    path: Path
    departments: int
    accounts: int
    jde_applications: int

    def summary(self) -> str:
        return (
            f"{self.path}: users by applications, {self.departments:,} department workbook(s), "
            f"{self.accounts:,} directory account(s), {self.jde_applications} JDE application(s)"
        )


def default_folder_name(apps_id: int, today: dt.date | None = None) -> str:
    """``directory-departments-<apps>-<date>``, e.g. ``directory-departments-50-2026-11-28``."""
    return f"directory-departments-{apps_id}-{(today or dt.date.today()).isoformat()}"


def resolve_folder(output: str | os.PathLike[str] | None, apps_id: int, today: dt.date | None = None) -> Path:
    """Where the departments export goes, by the writers' rule: no output or an existing folder:
    ``<folder>/directory-departments-<apps>-<date>``; else the folder as given, to be created in an
    existing folder. An earlier export given again is the target itself (replaced with ``force``)."""
    path = Path(output).expanduser() if output else Path.cwd()
    if path.is_dir() and not is_export(path):
        path = path / default_folder_name(apps_id, today)
    if not path.parent.is_dir():
        raise ConfigurationError(f"cannot write {path}: the folder {path.parent} does not exist; create it first")
    if path.exists() and not path.is_dir():
        raise ConfigurationError(f"{path} is a file: give a folder as --output; nothing was written")
    return path


def is_export(path: Path) -> bool:
    """``path`` is a departments export: its :data:`INDEX_FILE` starts with this export's scope."""
    try:
        with (path / INDEX_FILE).open(encoding="utf-8") as index:
            return index.readline().startswith(f"# report: {DEPARTMENTS_TITLE}")
    except OSError:
        return False


#: a sheet of a department workbook: (kind, JDE application) as directory_departments.sql sorts them
_SheetKey: TypeAlias = tuple[int, int | None]
_ALL: _SheetKey = (2, None)


@dataclass
class _Department:
    """What the index says of one department workbook."""

    name: str
    file: str
    accounts: int = 0
    matched: int = 0

    def row(self) -> tuple:
        return (self.name, self.file, self.accounts, self.matched)


def write_departments(
    engine: sa.Engine,
    apps_id: int,
    output: str | os.PathLike[str] | None = None,
    *,
    jde_apps_id: int | None = None,
    schema: str = "nomasx1",
    force: bool = False,
    now: dt.datetime | None = None,
) -> DepartmentsWritten:
    """Write "users by applications" of directory ``apps_id``: one workbook per department (one
    sheet per JDE application reconciled, or ``jde_apps_id`` alone, and ``All directory``) and
    ``index.csv``, in one folder published all or nothing (:func:`publish_folder`)."""
    schema = checked(schema, "schema")
    now = now or dt.datetime.now(dt.UTC)
    path = resolve_folder(output, apps_id, now.date())
    if path.exists() and not force:  # before reading anything
        raise ConfigurationError(f"{path} already exists: give another --output, or add --force to replace it")
    with _snapshot(engine, schema) as conn:
        directory = read_directory(conn, schema, apps_id, jde_apps_id=jde_apps_id, now=now)
        scope = directory.scope(DEPARTMENTS_TITLE, now, schema)
        taken = {SCOPE_SHEET.casefold(), ALL_DIRECTORY_SHEET.casefold()}
        sheets = [(r.apps_id, sheet_title(f"{r.apps_id} {r.apps_name or ''}", taken)) for r in directory.reconciled]
        params = {"a": apps_id, "j": jde_apps_id, "now": now, "nodept": NO_DEPARTMENT}
        rows = stream_rows(conn, report_query(schema, "directory_departments"), params)
        departments: list[_Department] = []

        def write(folder: Path) -> int:
            names: set[str] = {Path(INDEX_FILE).stem.casefold()}
            for name, group in itertools.groupby(rows, key=lambda row: row[0]):
                department = _Department(name, f"{safe_filename(name, names)}.xlsx")
                writers.publish(folder / department.file, partial(_department_book, department, group, scope, sheets))
                departments.append(department)
            writers.publish(folder / INDEX_FILE, lambda temp: _write_index(temp, scope, departments))
            return len(departments)

        count = publish_folder(path, write, force=force, is_ours=is_export, what="a departments export")
    accounts = sum(d.accounts for d in departments)
    return DepartmentsWritten(path, count, accounts, len(sheets))


def _department_book(
    department: _Department, rows: Iterable[tuple], scope: Scope, sheets: list[tuple[int, str]], path: Path
) -> int:
    """One department's workbook: Scope, a sheet per JDE application, All directory (``rows`` are
    the department's, sorted by sheet: kind 1 per application in ``sheets`` order, then kind 2)."""
    book = XlsxBook()
    scope_sheet = book.sheet(SCOPE_SHEET)  # first, filled last: the counts are known at the end
    targets: dict[_SheetKey, tuple[Any, Columns]] = {
        (1, a): (book.sheet(title, freeze_header=True), MATCH_COLUMNS) for a, title in sheets
    }
    targets[_ALL] = (book.sheet(ALL_DIRECTORY_SHEET, freeze_header=True), ACCOUNT_COLUMNS)
    written = dict.fromkeys(targets, 0)
    for (kind, apps_id), group in itertools.groupby(rows, key=lambda row: (row[1], row[2])):
        if (kind, apps_id) not in targets or written[(kind, apps_id)]:
            raise RuntimeError(f"directory_departments.sql: unexpected sheet {(kind, apps_id)} in {department.name!r}")
        sheet, columns = targets[(kind, apps_id)]
        width = len(columns)
        cells: Iterable[tuple] = (r[3 : 3 + width] for r in group)
        if (kind, apps_id) == _ALL:
            cells = _count_matched(cells, department)
        written[(kind, apps_id)] = _sheet_rows(book, sheet, columns, cells)
    for key, (sheet, columns) in targets.items():
        if not written[key]:
            book.row(sheet, [label for _, label in columns], header=True)
            book.row(sheet, [_empty_sheet(key[1], department.name)])
    department.accounts = written[_ALL]
    _scope_rows(book, scope_sheet, [*scope, *_department_scope(department, written, sheets)])
    book.save(path)
    return department.accounts


def _count_matched(rows: Iterable[tuple], department: _Department) -> Iterator[tuple]:
    """``All directory`` rows, counting in ``department`` the accounts matched to a JDE user."""
    for row in rows:
        if row[6]:  # JDE applications
            department.matched += 1
        yield row


def _sheet_rows(book: XlsxBook, sheet: Any, columns: Columns, rows: Iterable[tuple]) -> int:
    """Header and rows (at most a sheet's rows, then a note); returns the rows there were."""
    book.row(sheet, [label for _, label in columns], header=True)
    shown = total = 0
    for row in rows:
        total += 1
        if shown < XLSX_MAX_ROWS - 2:
            book.row(sheet, row)
            shown += 1
    if total > shown:
        book.row(sheet, [writers.left_out(shown, total, "sheet", "query security_ldap_matches for all of them")])
    return total


def _empty_sheet(apps_id: int | None, department: str) -> str:
    if apps_id is None:
        return f"no directory account in {department}"
    return f"no account of {department} matched a user of JDE application {apps_id}"


def _department_scope(department: _Department, written: dict[_SheetKey, int], sheets: list[tuple[int, str]]) -> Scope:
    return [
        ("department", "Department", department.name),
        ("department_accounts", "Directory accounts of the department", department.accounts),
        ("department_matched_accounts", "of which matched to a JDE user", department.matched),
        *(
            (f"department_matches_{a}", f"Sheet {title}: account x JDE user rows", written[(1, a)])
            for a, title in sheets
        ),
    ]


def _scope_rows(book: XlsxBook, sheet: Any, scope: Scope) -> None:
    """The scope block as :meth:`.XlsxBook.scope` writes it, into a sheet created earlier."""
    sheet.column_dimensions["A"].width = 42
    sheet.column_dimensions["B"].width = 60
    book.row(sheet, ["Item", "Value"], header=True)
    for _key, label, value in scope:
        book.row(sheet, [label, value if isinstance(value, int) else writers.cell_text(value)])


def _write_index(path: Path, scope: Scope, departments: list[_Department]) -> int:
    rows = [d.row() for d in departments]
    index_scope = [*scope, ("departments", "Department workbooks", len(rows))]
    return writers.write_text(path, lambda out: writers.write_csv(out, index_scope, INDEX_COLUMNS, rows))
