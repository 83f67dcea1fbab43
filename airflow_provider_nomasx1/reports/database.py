"""The database report of one application: the Oracle database's properties and the licence
verdict of every product, from what ``nomasx1-database-1`` writes.

Built from ``db_ora_properties``, ``db_ora_licenses``, ``db_ora_license_features``,
``db_ora_partitions``, ``db_ora_compression`` and ``db_ora_options`` of one as-of date (the
latest, or the one asked for); the queries are ``sql/reports/database_*.sql``. Nothing is
recomputed here, so the report and the tables agree. Written by :mod:`.writers` in three formats,
like the licence report (:mod:`.licence`):

- **csv**: the scope (the database's identity and the counts per severity) as ``# key: value``
  lines, then one row per product (the verdicts, findings first);
- **html**: one self-contained page: findings, products, the feature rows behind them, the
  segments (partitioned, compressed), the options installed;
- **xlsx**: sheets ``Scope``, ``Findings``, ``Products``, ``Features``, ``Segments``, ``Options``.

The report reads one snapshot; an application without a collection, or an as-of date it does not
have, is refused before anything is written (the message lists the dates there are).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa

from airflow_provider_nomasx1 import __version__
from airflow_provider_nomasx1.errors import ConfigurationError, Nomasx1Error
from airflow_provider_nomasx1.pg.identifiers import checked
from airflow_provider_nomasx1.reports import writers
from airflow_provider_nomasx1.reports.queries import application_name, report_query, tables_guard
from airflow_provider_nomasx1.reports.writers import FORMATS, Columns, HtmlPage, Scope, XlsxBook
from airflow_provider_nomasx1.schema.nomasx1 import LDAP_SEVERITIES

PRODUCT_COLUMNS: Columns = (
    ("product", "Product"),
    ("product_kind", "Kind"),
    ("severity", "Severity"),
    ("finding", "Finding"),
    ("usage", "Usage (the ladder)"),
    ("used", "Used"),
    ("evidence", "Evidence"),
    ("first_usage_date", "Since (UTC)"),
    ("last_usage_date", "Last used (UTC)"),
    ("features_used", "Features counting as usage"),
    ("entitled", "Entitlement line"),
    ("component_id", "Component id"),
    ("component", "Component"),
)
FEATURE_COLUMNS: Columns = (
    ("product", "Product"),
    ("feature_name", "Feature"),
    ("usage", "Usage (the ladder)"),
    ("condition", "Condition"),
    ("condition_met", "Condition met"),
    ("detected_usages", "Detected usages"),
    ("currently_used", "Currently used"),
    ("current_entry", "Current row set"),
    ("con_id", "Container"),
    ("version", "Version of the row set"),
    ("first_usage_date", "First usage (UTC)"),
    ("last_usage_date", "Last usage (UTC)"),
    ("feature_info", "Feature info (excerpt)"),
)
SEGMENT_COLUMNS: Columns = (
    ("evidence", "Evidence"),
    ("owner", "Owner"),
    ("object_type", "Object type"),
    ("object_name", "Object"),
    ("segments", "Partitions or segments"),
    ("compress_for", "Compression"),
    ("min_created", "Oldest partition created (UTC)"),
    ("max_last_ddl", "Latest partition DDL (UTC)"),
)
OPTION_COLUMNS: Columns = (
    ("parameter", "Option (V$OPTION)"),
    ("installed_everywhere", "Installed on every instance"),
    ("instances_installed", "Instances installed"),
    ("instances", "Instances"),
)
#: the database's properties shown in the scope: (column, label)
_PROPERTIES = (
    ("db_name", "Database"), ("dbid", "DBID"), ("db_unique_name", "Unique name"), ("edition", "Edition"),
    ("full_version", "Version"), ("product", "Banner"), ("database_role", "Role"), ("open_mode", "Open mode"),
    ("log_mode", "Log mode"), ("cdb", "Container database"), ("host_name", "Host"),
    ("instance_count", "Instances"), ("cpu_count", "cpu_count"), ("cpu_cores", "CPU cores"),
    ("cpu_sockets", "CPU sockets"), ("total_users", "Database users"), ("open_users", "Open users"),
    ("oracle_maintained_users", "Oracle-maintained users"), ("data_guard", "Data Guard"),
    ("active_data_guard", "Active Data Guard"), ("user_pdbs", "User PDBs"),
    ("management_pack_access", "control_management_pack_access"), ("cloud_package", "Oracle Cloud package"),
    ("size_gb", "Allocated size (GB)"), ("last_sample_date", "Latest feature-usage sample"),
)  # fmt: skip
NO_FINDING = "no finding"
_FINDINGS_TITLE = "Findings: risks first"
_FINDINGS_NOTE = (
    "Risk: a product used without an entitlement line that covers it (on a JD Edwards database: any Enterprise "
    "Edition option or pack, Technology Foundation covers none). Warning: what to verify (an entitled line that may "
    "be restricted use, a pack the parameter allows). Information: products that are not database options."
)
_PRODUCTS_TITLE = "Every product: the verdict and its evidence"
_FEATURES_TITLE = "Feature usage behind the verdicts (DBA_FEATURE_USAGE_STATISTICS)"
_FEATURES_NOTE = "Rows whose condition is not met carry no dates; SUPPRESSED_DUE_TO_BUG never counts."
_SEGMENTS_TITLE = "Partitioned and compressed segments of the user schemas"
_OPTIONS_TITLE = "Options installed (installed is not used: the verdicts come from usage)"


@dataclass
class DatabaseReport:
    """Everything a writer needs (a database has a few hundred rows at most: read at once)."""

    apps_id: int
    as_of_date: dt.date
    scope: Scope
    findings: list[tuple]
    products: list[tuple]
    features: list[tuple]
    segments: list[tuple]
    options: list[tuple]

    @property
    def result(self) -> str:
        counts = ((s, sum(1 for r in self.findings if r[2] == s)) for s in LDAP_SEVERITIES)
        return ", ".join(f"{severity}: {n}" for severity, n in counts if n) or NO_FINDING


def build_report(
    conn: sa.Connection, schema: str, apps_id: int, as_of: dt.date | None = None, *, now: dt.datetime | None = None
) -> DatabaseReport:
    """Read the scope and the sections of ``apps_id``'s database collection on ``as_of`` (default:
    the latest)."""
    schema = checked(schema, "schema")
    app = application_name(conn, schema, apps_id)
    dates = [tuple(r) for r in conn.execute(report_query(schema, "database_as_of"), {"a": apps_id})]
    if not dates:
        raise Nomasx1Error(
            f"no database collection for application {apps_id}: run nomasx1-database-1 (docs/database.md)"
        )
    chosen = next((d for d in dates if as_of is None or d[0] == as_of), None)
    if chosen is None:
        known = ", ".join(d[0].isoformat() for d in dates[:20])
        raise ConfigurationError(f"application {apps_id} has no database collection as of {as_of}: it has {known}")
    p = {"a": apps_id, "d": chosen[0]}
    props = conn.execute(report_query(schema, "database_properties"), p).mappings().first() or {}
    products = [tuple(r) for r in conn.execute(report_query(schema, "database_products"), {**p, "findings": False})]
    now = now or dt.datetime.now(dt.UTC)
    scope: Scope = [
        ("report", "Report", "Oracle database: properties and the licence verdict of every product"),
        ("application_id", "Application id", apps_id),
        ("application_name", "Application", app),
        ("as_of_date", "Collection as of", chosen[0].isoformat()),
        ("refreshed_at", "Verdicts computed at", chosen[1].isoformat(timespec="seconds")),
        ("run_id", "Run id", chosen[2] or ""),
        ("generated_at", "Report generated at", now.isoformat(timespec="seconds")),
        ("tool", "Tool", f"airflow-provider-nomasx1 {__version__}"),
        ("schema", "Schema", schema),
        *((key, label, _scope_value(props.get(key))) for key, label in _PROPERTIES),
        ("products_used", "Products used", sum(1 for r in products if r[5])),
    ]
    findings = [r for r in products if r[2] is not None]
    scope += [(f"findings_{s}", f"Findings: {s}", sum(1 for r in findings if r[2] == s)) for s in LDAP_SEVERITIES]
    report = DatabaseReport(
        apps_id=apps_id,
        as_of_date=chosen[0],
        scope=scope,
        findings=findings,
        products=products,
        features=[tuple(r) for r in conn.execute(report_query(schema, "database_features"), p)],
        segments=[tuple(r) for r in conn.execute(report_query(schema, "database_segments"), p)],
        options=[tuple(r) for r in conn.execute(report_query(schema, "database_options"), p)],
    )
    scope.append(("result", "Result", report.result))
    return report


def _scope_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    return "" if value is None else value


# --------------------------------------------------------------------------------------------------
# formats
# --------------------------------------------------------------------------------------------------


def write_csv(report: DatabaseReport, out: IO[str]) -> int:
    """Scope as ``# key: value`` lines, then one row per product (findings first)."""
    return writers.write_csv(out, report.scope, PRODUCT_COLUMNS, report.products)


def write_html(report: DatabaseReport, out: IO[str]) -> int:
    scope = {key: value for key, _, value in report.scope}
    page = HtmlPage(out)
    page.open(
        f"Database report: application {scope['application_id']} ({writers.cell_text(scope['application_name'])})"
    )
    page.result(report.result, found=bool(report.findings))
    page.scope(report.scope)
    page.heading("findings", _FINDINGS_TITLE, _FINDINGS_NOTE)
    page.table(PRODUCT_COLUMNS, report.findings, NO_FINDING)
    page.heading("products", _PRODUCTS_TITLE)
    rows = page.table(PRODUCT_COLUMNS, report.products, "no product: import the reference data")
    page.heading("features", _FEATURES_TITLE, _FEATURES_NOTE)
    page.table(FEATURE_COLUMNS, report.features, "no feature row of the usage map")
    page.heading("segments", _SEGMENTS_TITLE)
    page.table(SEGMENT_COLUMNS, report.segments, "no partitioned or compressed segment")
    page.heading("options", _OPTIONS_TITLE)
    page.table(OPTION_COLUMNS, report.options, "no option row")
    page.close()
    return rows


def write_xlsx(report: DatabaseReport, path: Path) -> int:
    book = XlsxBook()
    book.scope(report.scope)
    sheets = (("Findings", PRODUCT_COLUMNS, report.findings, NO_FINDING),
              ("Products", PRODUCT_COLUMNS, report.products, "no product"),
              ("Features", FEATURE_COLUMNS, report.features, "no feature row"),
              ("Segments", SEGMENT_COLUMNS, report.segments, "no segment"),
              ("Options", OPTION_COLUMNS, report.options, "no option row"))  # fmt: skip
    for title, columns, rows, empty in sheets:
        book.table(book.sheet(title, freeze_header=True), columns, rows, empty)
    book.save(path)
    return len(report.products)


# --------------------------------------------------------------------------------------------------
# files
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Written:
    path: Path
    products: int
    format: str
    result: str = NO_FINDING

    def summary(self) -> str:
        return f"{self.path}: database report ({self.format}), {self.products:,} product(s), {self.result}"


def resolve_output(output: str | os.PathLike[str] | None, apps_id: int, fmt: str, as_of: dt.date | None = None) -> Path:
    """``database-report-<apps>-<as_of>.<ext>`` in a folder, or the file given."""
    return writers.resolve_output(output, fmt, writers.default_filename("database", apps_id, fmt, as_of))


def write_report(
    engine: sa.Engine,
    apps_id: int,
    fmt: str = "html",
    output: str | os.PathLike[str] | None = None,
    *,
    as_of: dt.date | None = None,
    schema: str = "nomasx1",
    force: bool = False,
    now: dt.datetime | None = None,
) -> Written:
    """Build the database report of ``apps_id`` and write it atomically; refuses to replace a file
    unless ``force``. The file name and folder are checked before the database is read."""
    if fmt not in FORMATS:
        raise ConfigurationError(f"unknown report format {fmt!r}: use one of {', '.join(FORMATS)}")
    resolve_output(output, apps_id, fmt)
    with tables_guard(schema, "database tables"), engine.connect() as conn, conn.begin():
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        report = build_report(conn, schema, apps_id, as_of, now=now)
        path = resolve_output(output, apps_id, fmt, report.as_of_date)
        write = writers.formatted(fmt, report, write_csv, write_html, write_xlsx)
        return Written(path, writers.publish(path, write, force=force), fmt, report.result)
