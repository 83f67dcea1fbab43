"""The licence report (`nomasx1 report licence`): scope, component grid, user drill-down, data quality
and entitlements, over hand-built position rows, read back from each format."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from airflow_provider_nomasx1.applications import ApplicationNotFoundError, Registry
from airflow_provider_nomasx1.cli import main
from airflow_provider_nomasx1.collectors.preload import import_reference_bundle
from airflow_provider_nomasx1.errors import ConfigurationError, Nomasx1Error
from airflow_provider_nomasx1.reports import licence
from airflow_provider_nomasx1.schema import bootstrap, nomasx1

NOW = dt.datetime(2026, 11, 28, 6, 30, tzinfo=dt.UTC)
AS_OF = dt.date(2026, 11, 27)
RUN = "scheduled__2026-11-28T02:30:00+00:00"
COMPUTED_AT = dt.datetime(2026, 11, 28, 2, 41, 7, tzinfo=dt.UTC)
SCRIPT_ID = "<script>alert(1)</script>"
DEFAULT_NAME = "licence-report-10-2026-11-27"  # the position's as-of date, not the day of the report


@pytest.fixture
def lic_db(pg_engine: sa.Engine) -> sa.Engine:
    """A nomasx1 schema with application 10 and the curated catalogue (components, metrics)."""
    bootstrap.init_schema(pg_engine, "nomasx1")
    Registry(pg_engine, "nomasx1").add(10, "JDE PROD <main> & co")
    import_reference_bundle(pg_engine, "nomasx1", target_apps_ids=(10,))
    return pg_engine


def _insert(conn: sa.Connection, table: sa.Table, rows: list[dict]) -> None:
    """One statement per row: each row names only the columns it sets (the others take defaults)."""
    for row in rows:
        conn.execute(table.insert(), row, execution_options={"schema_translate_map": {None: "nomasx1"}})


POSITION = [
    # 1501 Financials: more authorised users than bought
    {"component_id": 1501, "authorised_users": 12, "authorised_public_only": 2, "authorised_default_only": 1,
     "required_users": 12, "transacting_users_90d": 5, "transacting_users_12m": 8, "using_users_90d": 6,
     "using_users_12m": 9, "candidates_to_revoke": 3, "last_transaction": dt.date(2026, 11, 26),
     "last_use": dt.date(2026, 11, 25), "entitlement_lines": 1, "metric_id": 10, "counted_by": "authorised",
     "entitled_quantity": Decimal(10), "compared_count": 12, "exposure": Decimal(2), "status": "exposed",
     "missing_prerequisites": "System Foundation"},
    # 1504 System Foundation: covered
    {"component_id": 1504, "authorised_users": 15, "required_users": 20, "entitlement_lines": 1, "metric_id": 10,
     "counted_by": "authorised", "entitled_quantity": Decimal(25), "compared_count": 20, "exposure": Decimal(-5),
     "status": "compliant"},
    # 1702 Payroll: on the employees
    {"component_id": 1702, "authorised_users": 3, "required_users": 3, "employees": 140, "entitlement_lines": 1,
     "metric_id": 30, "counted_by": "employees", "entitled_quantity": Decimal(150), "compared_count": 140,
     "exposure": Decimal(-10), "status": "compliant"},
    # 1000 Advanced Pricing: used without a line, a restriction a spreadsheet would run
    {"component_id": 1000, "authorised_users": 4, "required_users": 4, "compared_count": 4, "exposure": Decimal(4),
     "status": "not_entitled", "restrictions": "=SUM(1)"},
]  # fmt: skip
USERS = [
    {"user_id": "JSMITH", "component_id": 1501, "known_user": True, "enabled": True, "authorised": True,
     "authorised_level": "ROLE", "via_roles": "AP_CLERK, GL_USER", "objects": 14, "transacting_90d": True,
     "transacting_12m": True, "transactions_12m": 120, "last_transaction": dt.date(2026, 11, 26),
     "using_90d": True, "using_12m": True, "last_use": dt.date(2026, 11, 25),
     "last_login_date": dt.date(2026, 11, 27)},
    {"user_id": "OLDUSER", "component_id": 1501, "known_user": True, "enabled": True, "authorised": True,
     "authorised_level": "PUBLIC", "objects": 2, "candidate_to_revoke": True},
    {"user_id": SCRIPT_ID, "component_id": 1501, "known_user": False, "enabled": None, "transacting_90d": True,
     "transacting_12m": True, "transactions_12m": 4, "last_transaction": dt.date(2026, 11, 20)},
    {"user_id": "BATCH1", "component_id": 1504, "known_user": True, "enabled": True, "generic": True,
     "authorised": True, "authorised_level": "DEFAULT", "objects": 300},
]  # fmt: skip
FINDINGS = [
    {"check_name": "enabled_without_role", "subject": "OLDUSER", "detail": "no active role"},
    {"check_name": "unknown_user", "subject": SCRIPT_ID, "component_id": 1501, "detail": "F0911 on 2026-11-20"},
    {"check_name": "public_object", "subject": "P0411", "component_id": 1501, "detail": "run granted to *PUBLIC"},
    {"check_name": "public_object", "subject": "P4310", "component_id": 1202, "detail": "run granted to *PUBLIC"},
    {"check_name": "generic_id", "subject": "BATCH1", "detail": "no address number"},
]
ENTITLEMENTS = [
    ("ENT-10-1", 1501, 10, 10, dt.date(2025, 1, 1), None),
    ("ENT-10-2", 1504, 10, 25, dt.date(2025, 1, 1), None),
    ("ENT-10-3", 1702, 30, 150, dt.date(2025, 1, 1), AS_OF),  # the end date is still covered
    ("ENT-10-4", 1501, 10, 5, dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
    ("ENT-10-5", 1501, 10, 3, dt.date(2027, 1, 1), None),
]


def _at(hour: int, minute: int = 0, day: int = 28) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=dt.UTC)


AUDIT = [
    # the rights: the latest successful SECURITY_* step of nomasx1-security-1 wins
    ("sec-old", "SECURITY_RIGHTS_AUDIT", 10, "nomasx1-security-1", _at(1, 10, day=27), "success"),
    ("sec-new", "SECURITY_USERS", 10, "nomasx1-security-1", _at(1, 5), "success"),
    ("sec-new", "SECURITY_RIGHTS_AUDIT", 10, "nomasx1-security-1", _at(1, 20), "success"),
    ("sec-new2", "SECURITY_RIGHTS_APPS", 10, "nomasx1-security-1", _at(5), "failed"),  # not a success
    ("other", "SECURITY_EXTRA", 10, "some-other-job", _at(6), "success"),  # another job
    ("sec-11", "SECURITY_USERS", 11, "nomasx1-security-1", _at(6), "success"),  # another application
    ("lic-old", "LICENSE_JDE_USERS", 10, "nomasx1-license-1", _at(2, day=27), "success"),
    (RUN, "LICENSE_JDE_USERS", 10, "nomasx1-license-1", _at(2, 35), "success"),
    ("emp-1", "LICENSE_JDE_EMPLOYEES", 10, "nomasx1-employees-1", _at(5, day=23), "success"),
    (RUN, "LICENSE_POSITION", 10, "nomasx1-license-1", COMPUTED_AT, "success"),
    # no successful LICENSE_JDE_OUT: Object Usage Tracking never ran
    ("out-1", "LICENSE_JDE_OUT", 10, "nomasx1-out-1", _at(3), "failed"),
]


def _seed(engine: sa.Engine, position: list[dict] = POSITION, users: list[dict] = USERS) -> None:
    coverage = {"transactions_from": dt.date(2026, 8, 29), "usage_from": None}
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO nomasx1.security_users (apps_id, user_id, user_name, enabled) VALUES "
                "(10, 'JSMITH', 'John <b>Smith</b> & Sons', true), (10, 'OLDUSER', 'Old account', true), "
                "(10, 'BATCH1', 'Nightly batch', true)"
            )
        )
        base = {"apps_id": 10, "as_of_date": AS_OF, "refreshed_at": COMPUTED_AT, "run_id": RUN}
        _insert(conn, nomasx1.license_position, [{**base, **coverage, **row} for row in position])
        _insert(conn, nomasx1.license_position_users, [{"apps_id": 10, "run_id": RUN, **row} for row in users])
        _insert(conn, nomasx1.license_data_quality, [{"apps_id": 10, "run_id": RUN, **row} for row in FINDINGS])
        lines = [
            {"apps_id": 10, "entitlement_id": ent, "csi": "CSI-778899", "component_id": component, "metric_id": metric,
             "quantity": quantity, "start_date": start, "end_date": end, "created_by": "lic-manager"}
            for ent, component, metric, quantity, start, end in ENTITLEMENTS
        ]  # fmt: skip
        _insert(conn, nomasx1.license_entitlements, lines)
        _insert(
            conn,
            nomasx1.collect_audit,
            [
                {"run_id": r, "step": s, "apps_id": a, "dag_id": d, "started_at": f, "finished_at": f, "status": st}
                for r, s, a, d, f, st in AUDIT
            ],
        )


def _parse_csv(path: Path) -> tuple[dict[str, str], list[str], list[dict[str, str]]]:
    scope, body = {}, []
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        if line.startswith("# "):
            key, _, value = line[2:].rstrip("\n").partition(": ")
            assert key not in scope, f"scope key {key} twice"
            scope[key] = value
        else:
            body.append(line)
    reader = csv.DictReader(io.StringIO("".join(body)))
    rows = list(reader)
    return scope, list(reader.fieldnames or []), rows


# --------------------------------------------------------------------------------------------------
# csv
# --------------------------------------------------------------------------------------------------


def test_csv_report_scope_and_component_grid(lic_db: sa.Engine, tmp_path: Path) -> None:
    _seed(lic_db)
    written = licence.write_report(lic_db, 10, "csv", tmp_path, now=NOW)
    assert written.path == tmp_path / f"{DEFAULT_NAME}.csv" and written.components == 4
    assert written.summary() == (
        f"{written.path}: licence report (csv), 4 component(s), 2 component(s) exposed or not entitled"
    )
    text = written.path.read_text(encoding="utf-8")
    assert text.startswith("# report: Licence position")
    scope, header, rows = _parse_csv(written.path)
    assert (scope["application_id"], scope["application_name"], scope["as_of_date"]) == (
        "10",
        "JDE PROD <main> & co",
        "2026-11-27",
    )
    assert (scope["position_computed_at"], scope["position_run_id"]) == ("2026-11-28T02:41:07+00:00", RUN)
    assert scope["generated_at"] == "2026-11-28T06:30:00+00:00" and scope["tool"].startswith(
        "airflow-provider-nomasx1 "
    )
    # the sources: last success per step, failures, other jobs and other applications ignored
    assert (scope["rights_refreshed_at"], scope["rights_run_id"]) == ("2026-11-28T01:20:00+00:00", "sec-new")
    assert (scope["transactions_refreshed_at"], scope["transactions_run_id"]) == ("2026-11-28T02:35:00+00:00", RUN)
    assert (scope["usage_refreshed_at"], scope["usage_run_id"]) == ("never", "")
    assert (scope["employees_refreshed_at"], scope["employees_run_id"]) == ("2026-11-23T05:00:00+00:00", "emp-1")
    assert (scope["position_step_refreshed_at"], scope["position_step_run_id"]) == ("2026-11-28T02:41:07+00:00", RUN)
    assert (scope["transactions_from"], scope["usage_from"], scope["employees_extract_date"]) == ("2026-08-29", "", "")
    assert (scope["entitlement_lines_active"], scope["entitlement_lines_ended"], scope["entitlement_lines_future"]) == (
        "3",
        "1",
        "1",
    )
    assert (scope["components"], scope["components_compliant"], scope["components_exposed"]) == ("4", "2", "1")
    assert (scope["components_not_entitled"], scope["components_conflicting_metrics"]) == ("1", "0")
    assert (scope["users"], scope["users_authorised"], scope["users_candidates_to_revoke"]) == ("4", "3", "1")
    assert (scope["users_unknown"], scope["user_component_rows"]) == ("1", "4")
    assert (scope["dq_public_object"], scope["dq_unknown_user"], scope["dq_duplicate_person"]) == ("2", "1", "0")
    assert scope["result"] == "2 component(s) exposed or not entitled"
    assert header == [key for key, _ in licence.COMPONENT_COLUMNS]
    # ordered by family, then component name
    assert [(r["family"], r["component_name"]) for r in rows] == [
        ("Customer Relationship Management", "Advanced Pricing"),
        ("Financial Management", "Financials"),
        ("Financial Management", "System Foundation"),
        ("Human Capital Management", "Payroll"),
    ]
    fin = rows[1]
    assert (fin["component_id"], fin["authorised_users"], fin["authorised_public_only"]) == ("1501", "12", "2")
    assert (fin["authorised_default_only"], fin["required_users"], fin["candidates_to_revoke"]) == ("1", "12", "3")
    assert (fin["transacting_users_90d"], fin["transacting_users_12m"]) == ("5", "8")
    assert (fin["using_users_90d"], fin["using_users_12m"], fin["employees"]) == ("6", "9", "")
    assert (fin["last_transaction"], fin["last_use"]) == ("2026-11-26", "2026-11-25")
    assert (fin["metric"], fin["counted_by"], fin["entitlement_lines"]) == ("Application User", "authorised", "1")
    assert (fin["entitled_quantity"], fin["compared_count"], fin["exposure"], fin["status"]) == (
        "10",
        "12",
        "2",
        "exposed",
    )
    assert fin["missing_prerequisites"] == "System Foundation"
    assert (rows[3]["metric"], rows[3]["employees"], rows[3]["exposure"]) == ("Employee", "140", "-10")
    assert rows[0]["restrictions"] == "'=SUM(1)"  # neutralised: never a formula
    assert rows[0]["metric"] == "" and rows[0]["status"] == "not_entitled"
    # numbers stay numbers: unquoted, a negative exposure is still -5
    foundation = next(line for line in text.splitlines() if line.startswith('"Financial Management",1504,'))
    assert ',25,20,-5,"compliant",' in foundation


# --------------------------------------------------------------------------------------------------
# xlsx
# --------------------------------------------------------------------------------------------------


def _sheet(book, name: str) -> list[tuple]:
    """The non-empty rows of a sheet, without the blank cells a wider table below leaves at the end."""
    rows = []
    for row in book[name].iter_rows(values_only=True):
        cells = list(row)
        while cells and cells[-1] is None:
            cells.pop()
        if cells:
            rows.append(tuple(cells))
    return rows


def test_xlsx_report_sheets(lic_db: sa.Engine, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    _seed(lic_db)
    path = licence.write_report(lic_db, 10, "xlsx", tmp_path, now=NOW).path
    assert path.name == f"{DEFAULT_NAME}.xlsx"
    book = load_workbook(path)
    assert book.sheetnames == ["Scope", "Components", "Users", "Data quality", "Entitlements"]
    scope = {row[0]: row[1] for row in book["Scope"].iter_rows(min_row=2, values_only=True)}
    assert scope["Application id"] == 10 and scope["Position as of"] == "2026-11-27"
    assert scope["Position run id"] == RUN and scope["Components exposed (more users than bought)"] == 1
    assert scope["Rights: last successful SECURITY_* step (nomasx1-security-1)"] == "2026-11-28T01:20:00+00:00"
    assert scope["Object Usage Tracking: last successful LICENSE_JDE_OUT"] == "never"
    assert scope["Data quality: Objects open to *PUBLIC"] == 2

    components = _sheet(book, "Components")
    assert components[0] == tuple(label for _, label in licence.COMPONENT_COLUMNS)
    assert (components[0][0], components[0][3], components[0][19]) == (
        "Family",
        "Authorised users",
        "Exposure (compared - entitled)",
    )
    fin = dict(zip([key for key, _ in licence.COMPONENT_COLUMNS], components[2], strict=True))
    assert (fin["component_id"], fin["component_name"], fin["authorised_users"], fin["status"]) == (
        1501,
        "Financials",
        12,
        "exposed",
    )
    assert fin["exposure"] == 2 and isinstance(fin["exposure"], (int, float))  # a number, not text
    assert fin["last_transaction"] == "2026-11-26" and fin["metric"] == "Application User"
    foundation = dict(zip([key for key, _ in licence.COMPONENT_COLUMNS], components[3], strict=True))
    assert foundation["exposure"] == -5 and isinstance(foundation["exposure"], (int, float))
    advanced = components[1]
    assert advanced[22] == "=SUM(1)" and book["Components"]["W2"].data_type == "s"  # text, never a formula

    users = _sheet(book, "Users")
    assert users[0] == tuple(label for _, label in licence.USER_COLUMNS)
    assert [(r[0], r[3]) for r in users[1:]] == [
        (SCRIPT_ID, 1501),
        ("BATCH1", 1504),
        ("JSMITH", 1501),
        ("OLDUSER", 1501),
    ]
    smith = dict(zip([key for key, _ in licence.USER_COLUMNS], users[3], strict=True))
    assert (smith["user_name"], smith["component_name"], smith["known_user"], smith["enabled"]) == (
        "John <b>Smith</b> & Sons",
        "Financials",
        "yes",
        "yes",
    )
    assert (smith["authorised"], smith["authorised_level"], smith["via_roles"], smith["objects"]) == (
        "yes",
        "ROLE",
        "AP_CLERK, GL_USER",
        14,
    )
    assert (smith["transacting_90d"], smith["transactions_12m"], smith["using_12m"], smith["last_login_date"]) == (
        "yes",
        120,
        "yes",
        "2026-11-27",
    )
    assert smith["candidate_to_revoke"] == "no"
    unknown = dict(zip([key for key, _ in licence.USER_COLUMNS], users[1], strict=True))
    assert (unknown["known_user"], unknown["enabled"], unknown["user_name"], unknown["authorised"]) == (
        "no",
        None,  # unknown to JDE security: neither enabled nor disabled
        None,
        "no",
    )
    old = dict(zip([key for key, _ in licence.USER_COLUMNS], users[4], strict=True))
    assert (old["authorised_level"], old["candidate_to_revoke"]) == ("PUBLIC", "yes")
    assert users[2][7] == "yes"  # BATCH1 is a generic id

    quality = _sheet(book, "Data quality")
    assert quality[0] == ("Check", "Finding", "Rows")
    assert quality[1:7] == [
        ("enabled_without_role", "Enabled users without an active role", 1),
        ("disabled_with_roles", "Disabled users keeping active roles", 0),
        ("unknown_user", "Transactions or uses by ids unknown to JDE security", 1),
        ("duplicate_person", "Accounts sharing one person (address number)", 0),
        ("generic_id", "Generic, batch or service ids", 1),
        ("public_object", "Objects open to *PUBLIC", 2),
    ]
    assert quality[7] == ("Check", "Subject (user or object)", "Component id", "Component", "Detail")
    assert quality[8:] == [
        ("enabled_without_role", "OLDUSER", None, None, "no active role"),
        ("unknown_user", SCRIPT_ID, 1501, "Financials", "F0911 on 2026-11-20"),
        ("generic_id", "BATCH1", None, None, "no address number"),
        ("public_object", "P0411", 1501, "Financials", "run granted to *PUBLIC"),
        ("public_object", "P4310", 1202, "Procurement & Subcontracts", "run granted to *PUBLIC"),
    ]

    lines = _sheet(book, "Entitlements")
    assert lines[0][:3] == ("State on the as-of date", "Line", "CSI")
    assert [(r[0], r[1]) for r in lines[1:]] == [
        ("active", "ENT-10-1"),
        ("active", "ENT-10-2"),
        ("active", "ENT-10-3"),  # ends on the as-of date: still active
        ("future", "ENT-10-5"),
        ("ended", "ENT-10-4"),
    ]
    first = dict(zip([key for key, _ in licence.ENTITLEMENT_COLUMNS], lines[1], strict=True))
    assert (first["component_name"], first["metric"], first["counted_by"], first["quantity"]) == (
        "Financials",
        "Application User",
        "authorised",
        10,
    )
    assert (first["start_date"], first["end_date"], first["support_status"], first["created_by"]) == (
        "2025-01-01",
        None,
        "active",
        "lic-manager",
    )


# --------------------------------------------------------------------------------------------------
# html
# --------------------------------------------------------------------------------------------------


class _Page(HTMLParser):
    """Headings, tables (rows of cell texts) and the tags of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.headings: list[str] = []
        self.tables: list[list[list[str]]] = []
        self.notes: list[str] = []
        self._text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th", "h2", "p"):
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if self._text is None:
            return
        text = "".join(self._text)
        if tag in ("td", "th"):
            self.tables[-1][-1].append(text)
        elif tag == "h2":
            self.headings.append(text)
        elif tag == "p":
            self.notes.append(text)
        else:
            return
        self._text = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def _page(path: Path) -> tuple[str, _Page]:
    text = path.read_text(encoding="utf-8")
    page = _Page()
    page.feed(text)
    return text, page


def test_html_report_sections_are_escaped(lic_db: sa.Engine, tmp_path: Path) -> None:
    _seed(lic_db)
    text, page = _page(licence.write_report(lic_db, 10, "html", tmp_path / "r.html", now=NOW).path)
    # a user id carrying markup is shown, escaped, never run
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script" not in text and "script" not in page.tags
    assert "John &lt;b&gt;Smith&lt;/b&gt; &amp; Sons" in text and "<b>" not in text
    assert "JDE PROD &lt;main&gt; &amp; co" in text and "src=" not in text and "<link" not in text
    assert page.notes[0] == "Result: 2 component(s) exposed or not entitled"
    assert page.headings == [
        "Scope",
        licence._COMPONENTS_TITLE,
        licence._USERS_TITLE,
        licence._DATA_QUALITY_TITLE,
        "Enabled users without an active role (enabled_without_role): 1",
        "Transactions or uses by ids unknown to JDE security (unknown_user): 1",
        "Generic, batch or service ids (generic_id): 1",
        "Objects open to *PUBLIC (public_object): 2",
        licence._ENTITLEMENTS_TITLE,
    ]
    scope, components, users, summary, *checks, entitlements = page.tables
    assert ["Position run id", RUN] in scope and [
        "Employees: last successful LICENSE_JDE_EMPLOYEES",
        "2026-11-23T05:00:00+00:00",
    ] in scope
    assert components[0] == [label for _, label in licence.COMPONENT_COLUMNS]
    assert [r[2] for r in components[1:]] == ["Advanced Pricing", "Financials", "System Foundation", "Payroll"]
    assert components[2][19] == "2" and components[1][22] == "=SUM(1)"  # HTML shows the text as it is
    assert [r[0] for r in users[1:]] == [SCRIPT_ID, "BATCH1", "JSMITH", "OLDUSER"]
    assert users[3][1] == "John <b>Smith</b> & Sons" and users[1][6] == ""
    assert summary[1:] == [
        [check, label, str(n)]
        for (check, label), n in zip(licence.DATA_QUALITY_LABELS.items(), [1, 0, 1, 0, 1, 2], strict=True)
    ]
    assert checks[1][1] == [SCRIPT_ID, "1501", "Financials", "F0911 on 2026-11-20"]
    assert [r[0] for r in checks[3][1:]] == ["P0411", "P4310"]
    assert [(r[0], r[1]) for r in entitlements[1:]][-1] == ("ended", "ENT-10-4")
    assert not any("left out" in note for note in page.notes)  # below the cap: every row


def test_html_caps_long_sections_and_xlsx_keeps_every_row(
    lic_db: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openpyxl import load_workbook

    _seed(lic_db)
    monkeypatch.setattr(licence, "HTML_MAX_ROWS", 1)
    _, page = _page(licence.write_report(lic_db, 10, "html", tmp_path, now=NOW).path)
    users = page.tables[2]
    assert [r[0] for r in users[1:]] == [SCRIPT_ID]
    left_out = [note for note in page.notes if "left out" in note]
    assert left_out == [
        "3 more row(s) left out of this page (the first 1 of 4 shown): write the report as xlsx for all of them",
        "1 more row(s) left out of this page (the first 1 of 2 shown): write the report as xlsx for all of them",
    ]
    assert len(page.tables[1]) == 5  # the component grid is never capped
    book = load_workbook(licence.write_report(lic_db, 10, "xlsx", tmp_path, now=NOW).path)
    assert len(_sheet(book, "Users")) == 5 and len(_sheet(book, "Data quality")) == 7 + 1 + 5


def test_xlsx_stops_at_the_sheet_limit_and_says_so(
    lic_db: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openpyxl import load_workbook

    _seed(lic_db)
    monkeypatch.setattr(licence, "XLSX_MAX_ROWS", 4)  # header, 2 rows, the note
    book = load_workbook(licence.write_report(lic_db, 10, "xlsx", tmp_path, now=NOW).path)
    users = _sheet(book, "Users")
    assert [r[0] for r in users[1:3]] == [SCRIPT_ID, "BATCH1"] and len(users) == 4
    assert users[3][0] == (
        "2 more row(s) left out of this sheet (the first 2 of 4 shown): query license_position_users for all of them"
    )


# --------------------------------------------------------------------------------------------------
# refusals
# --------------------------------------------------------------------------------------------------


def test_no_position_and_unknown_application(lic_db: sa.Engine, tmp_path: Path) -> None:
    with pytest.raises(ApplicationNotFoundError, match="application 42 is not registered: add it with"):
        licence.write_report(lic_db, 42, "html", tmp_path, now=NOW)
    message = "no licence position for application 10: run nomasx1-license-1 (or another licence job) first"
    for fmt in licence.FORMATS:
        with pytest.raises(Nomasx1Error, match=re.escape(message)):
            licence.write_report(lic_db, 10, fmt, tmp_path, now=NOW)
    # a file name that does not match the format is refused before the database is read
    with pytest.raises(ConfigurationError, match="does not end with .html but the report format is html"):
        licence.write_report(lic_db, 10, "html", tmp_path / "x.csv", now=NOW)
    with pytest.raises(ConfigurationError, match="unknown report format 'pdf': use one of csv, xlsx, html"):
        licence.write_report(lic_db, 10, "pdf", tmp_path, now=NOW)
    assert list(tmp_path.iterdir()) == []


def test_existing_file_is_refused_unless_forced(lic_db: sa.Engine, tmp_path: Path) -> None:
    _seed(lic_db)
    target = tmp_path / f"{DEFAULT_NAME}.html"
    target.write_text("keep me")
    with pytest.raises(ConfigurationError, match="already exists: give another --output, or add --force"):
        licence.write_report(lic_db, 10, "html", tmp_path, now=NOW)
    assert target.read_text() == "keep me"
    written = licence.write_report(lic_db, 10, "html", tmp_path, now=NOW, force=True)
    assert written.path == target and target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]  # no temporary file left


def test_schema_without_the_position_tables(lic_db: sa.Engine, tmp_path: Path) -> None:
    with lic_db.begin() as conn:  # a schema older than migration 0011
        conn.exec_driver_sql("DROP TABLE nomasx1.license_position")
    with pytest.raises(Nomasx1Error, match="schema nomasx1 has no licence position tables .*nomasx1-upgrade-schema-1"):
        licence.write_report(lic_db, 10, "csv", tmp_path, now=NOW)
    assert list(tmp_path.iterdir()) == []


def test_every_data_quality_check_has_a_label() -> None:
    assert tuple(licence.DATA_QUALITY_LABELS) == nomasx1.DATA_QUALITY_CHECKS


def test_the_command_line(
    lic_db: sa.Engine, pg_url: URL, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _seed(lic_db)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NOMASX1_URL", pg_url.render_as_string(hide_password=False))
    assert main(["report", "licence", "--apps-id", "10", "--format", "csv"]) == 0
    default = tmp_path / f"{DEFAULT_NAME}.csv"
    assert capsys.readouterr().out.startswith(f"{default}: licence report (csv), ")
    scope, header, rows = _parse_csv(default)
    assert scope["application_id"] == "10" and len(rows) == len(POSITION)
    assert main(["report", "licence", "--apps-id", "10", "--format", "csv"]) == 2
    assert "already exists: give another --output, or add --force" in capsys.readouterr().err
    assert main(["report", "licence", "--apps-id", "10", "--format", "xlsx", "--output", "r.xlsx"]) == 0
    assert (tmp_path / "r.xlsx").stat().st_size > 0
    assert main(["report", "licence", "--apps-id", "42", "--output", str(tmp_path / "x.html")]) == 2
    assert "application 42 is not registered" in capsys.readouterr().err
