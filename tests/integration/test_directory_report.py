"""The directory exports (`nomasx1 report directory`, `nomasx1 report directory-departments`) over a
real directory (slapd) loaded by SECURITY_LDAP and reconciled by LDAP_RECONCILE with two JDE
applications, read back from each format."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL
from support.directory import DirectoryTarget, make_directory_target

from airflow_provider_nomasx1.applications import ApplicationNotFoundError, Registry
from airflow_provider_nomasx1.cli import main
from airflow_provider_nomasx1.collectors.ldap.directory import security_ldap
from airflow_provider_nomasx1.collectors.ldap.reconcile import ldap_reconcile
from airflow_provider_nomasx1.demo.ldap_server import DirectoryServer
from airflow_provider_nomasx1.errors import ConfigurationError, Nomasx1Error
from airflow_provider_nomasx1.reports import directory, writers
from airflow_provider_nomasx1.schema.nomasx1 import LDAP_FINDING_SEVERITIES

BASE = "dc=nomasx1,dc=test"
NEVER = "9223372036854775807"
NOW = dt.datetime(2026, 11, 28, 6, 30, tzinfo=dt.UTC)
EXPORT = "a departments export"
TODAY = "2026-11-28"


def filetime(day: dt.datetime) -> str:
    """Active Directory's FILETIME: 100-ns ticks since 1601 (UTC)."""
    return str((day - dt.datetime(1601, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1) * 10)


FILETIME_2020 = filetime(dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
FILETIME_2099 = filetime(dt.datetime(2099, 6, 30, tzinfo=dt.UTC))
MARKUP = "<b>x</b>"
LABS = "<b>R&D</b> / Labs"
LONG_NAME = "JDE development environment with a long name"
#: the sheet of application 11: its id and name cut at Excel's 31 characters, the trailing blank dropped
SHEET_11 = "11 JDE development environment"


def user(account: str, **attrs: object) -> tuple[str, dict]:
    values: dict[str, object] = {
        "objectClass": ["top", "person", "organizationalPerson", "inetOrgPerson", "user"],
        "cn": account.title(),
        "sn": account.title(),
        "sAMAccountName": account,
        "userAccountControl": "512",
        "accountExpires": NEVER,
    }
    values.update(attrs)
    return f"cn={account.title()},ou=Users,{BASE}", values


ENTRIES = [
    (f"ou=Users,{BASE}", {"objectClass": ["top", "organizationalUnit"], "ou": "Users"}),
    user("AANN", employeeID="00000101", department="Finance", title="<b>Controller</b>", displayName="Ann A."),
    user("bbob", description="102", department="Finance"),
    user("CCARL", userAccountControl="514", department=LABS),  # disabled
    user("dora.d", mail="DORA@corp.test", department="Finance"),  # its department is blanked below
    user("EEVE", accountExpires=FILETIME_2020),  # expired, no department
    user("FFAY1", employeeID="106", department="Sales/EMEA"),  # two accounts for one HR id
    user("FFAY2", employeeID="106", department="Sales:EMEA"),  # the same safe file name
    user("OUTSIDER", mail="out@corp.test", accountExpires=FILETIME_2099, department="Finance"),
]
JDE_USERS = [
    ("AANN", 101, True, None),
    ("BBOB", 102, True, None),
    ("CCARL", 103, True, None),
    ("DORA", 104, True, "dora@corp.test"),
    ("EEVE", 105, True, None),
    ("FAY", 106, True, None),
    ("HARRY", 107, True, None),  # no directory account
    ("BATCHJOB", 0, True, None),  # a generic id
]


@pytest.fixture
def target(
    pg_engine: sa.Engine, fresh_directory: DirectoryServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[DirectoryTarget]:
    """Directory 50 loaded and reconciled with JDE applications 10 and 11 (a long name)."""
    fresh_directory.reset(ENTRIES)
    t = make_directory_target(pg_engine, fresh_directory, monkeypatch, page_size=3)
    t.add_jde_users(JDE_USERS)
    Registry(pg_engine, "nomasx1").add(11, LONG_NAME)
    with pg_engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO nomasx1.security_users (apps_id, user_id, user_name, address_number, enabled) VALUES "
            "(11, 'AANN', 'Ann in dev', 101, true), (11, 'ZED', 'Zed', 999, true)"
        )
        conn.exec_driver_sql(f"UPDATE nomasx1.security_users SET user_name = '{MARKUP}' WHERE user_id = 'HARRY'")
        conn.exec_driver_sql(
            "UPDATE nomasx1.security_users SET last_login_date = DATE '2026-11-20', dormant = false "
            "WHERE apps_id = 10 AND user_id = 'AANN'"
        )
        conn.exec_driver_sql("UPDATE nomasx1.security_users SET dormant = true WHERE apps_id = 10 AND user_id = 'EEVE'")
        conn.exec_driver_sql(
            "INSERT INTO nomasx1.security_assignments (apps_id, user_id, role_id, effective_date, status) VALUES "
            "(10, 'AANN', 'GL_USER', DATE '2025-01-01', 'active'), "
            "(10, 'AANN', 'AP_CLERK', DATE '2025-01-01', 'active'), "
            "(10, 'AANN', 'AP_CLERK', DATE '2024-01-01', 'active'), "  # one role twice: listed once
            "(10, 'AANN', 'OLD_ROLE', DATE '2020-01-01', 'expired'), "  # not active: not listed
            "(11, 'AANN', 'DEV', DATE '2025-01-01', 'active')"
        )
    t.run(security_ldap, run_id="manual__load")
    t.run(ldap_reconcile, run_id="manual__reconcile")
    with pg_engine.begin() as conn:  # a blank department counts as none
        conn.exec_driver_sql("UPDATE nomasx1.security_ldap SET department = '   ' WHERE account = 'dora.d'")
    yield t


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


def _sheet(book, name: str) -> list[tuple]:
    rows = []
    for row in book[name].iter_rows(values_only=True):
        cells = list(row)
        while cells and cells[-1] is None:
            cells.pop()
        if cells:
            rows.append(tuple(cells))
    return rows


def _by_key(columns, row: tuple) -> dict:
    """A row by column key (the blank cells :func:`_sheet` dropped at its end put back)."""
    return dict(zip([key for key, _ in columns], row + (None,) * (len(columns) - len(row)), strict=True))


# --------------------------------------------------------------------------------------------------
# the findings report
# --------------------------------------------------------------------------------------------------

#: (severity, finding, JDE application, JDE user) in report order: risks first
EXPECTED_ORDER = [
    ("risk", "directory_disabled", "10", "CCARL"),
    ("risk", "directory_expired", "10", "EEVE"),
    ("risk", "directory_missing", "10", "HARRY"),
    ("risk", "directory_missing", "11", "ZED"),
    ("warning", "ambiguous", "10", "FAY"),
    ("warning", "ambiguous", "10", "FAY"),
    ("information", "directory_only", "10", ""),
    *[("information", "directory_only", "11", "")] * 5,
    ("information", "generic_without_directory", "10", "BATCHJOB"),
]


def test_csv_findings_scope_and_counts(target: DirectoryTarget, tmp_path: Path) -> None:
    written = directory.write_report(target.engine, 50, "csv", tmp_path, now=NOW)
    assert written.path == tmp_path / f"directory-report-50-{TODAY}.csv" and written.findings == 13
    assert written.summary() == (
        f"{written.path}: directory report (csv), 13 finding(s) written, 4 risk finding(s); 2 warning(s)"
    )
    scope, header, rows = _parse_csv(written.path)
    assert header == [key for key, _ in directory.FINDING_COLUMNS]
    assert [(r["severity"], r["finding"], r["apps_id"], r["user_id"]) for r in rows] == EXPECTED_ORDER
    disabled = rows[0]
    assert (disabled["account"], disabled["dn"], disabled["rule"]) == ("CCARL", f"cn=Ccarl,ou=Users,{BASE}", "account")
    assert (disabled["jde_enabled"], disabled["directory_disabled"], disabled["department"]) == ("yes", "yes", LABS)
    assert disabled["detail"] == "enabled in JDE, disabled in the directory (matched by account)"
    expired = rows[1]
    assert (expired["directory_expires_at"], expired["directory_disabled"]) == ("2020-01-01T00:00:00+00:00", "no")
    assert (rows[2]["user_name"], rows[2]["account"], rows[2]["dn"]) == (MARKUP, "", "")
    assert {r["account"] for r in rows[4:6]} == {"FFAY1", "FFAY2"} and rows[4]["rule"] == "employee_id"
    assert rows[6]["account"] == "OUTSIDER" and rows[6]["jde_enabled"] == ""
    assert {r["account"] for r in rows[7:12]} == {"bbob", "dora.d", "FFAY1", "FFAY2", "OUTSIDER"}

    assert (scope["directory_application_id"], scope["directory_application_name"]) == ("50", "Directory")
    assert scope["jde_application_filter"] == "every one reconciled"
    assert scope["directory_load_run_id"] == "manual__load" and scope["reconcile_run_id"] == "manual__reconcile"
    loaded, reconciled = (dt.datetime.fromisoformat(scope[k]) for k in ("directory_loaded_at", "reconciled_at"))
    assert loaded.tzinfo == dt.UTC and loaded <= reconciled and scope["reconciled_after_load"] == "yes"
    assert scope["jde_applications"] == f"10 (JDE test), 11 ({LONG_NAME})"
    assert (scope["directory_accounts"], scope["directory_accounts_disabled"], scope["directory_accounts_expired"]) == (
        "8",
        "1",
        "1",
    )
    assert (scope["directory_departments"], scope["generated_at"]) == ("5", "2026-11-28T06:30:00+00:00")
    assert (scope["findings"], scope["severity_risk"], scope["severity_warning"], scope["severity_information"]) == (
        "13",
        "4",
        "2",
        "7",
    )
    assert (scope["finding_directory_missing"], scope["finding_directory_only"], scope["finding_hr_terminated"]) == (
        "2",
        "6",
        "0",
    )
    assert (scope["matched_users"], scope["matched_by_employee_id"], scope["matched_by_account"]) == ("7", "4", "2")
    assert (scope["matched_by_mail"], scope["result"]) == ("1", "4 risk finding(s); 2 warning(s)")


def test_one_jde_application_only(target: DirectoryTarget, tmp_path: Path) -> None:
    written = directory.write_report(target.engine, 50, "csv", tmp_path, jde_apps_id=11, now=NOW)
    assert written.path.name == f"directory-report-50-jde-11-{TODAY}.csv" and written.findings == 6
    scope, _, rows = _parse_csv(written.path)
    assert {r["apps_id"] for r in rows} == {"11"} and scope["jde_application_filter"] == "11"
    assert scope["jde_applications"] == f"11 ({LONG_NAME})" and scope["matched_users"] == "1"
    assert (scope["severity_risk"], scope["severity_information"]) == ("1", "5")


def test_xlsx_findings_and_summary(target: DirectoryTarget, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    book = load_workbook(directory.write_report(target.engine, 50, "xlsx", tmp_path, now=NOW).path)
    assert book.sheetnames == ["Scope", "Findings", "Summary"]
    scope = {row[0]: row[1] for row in book["Scope"].iter_rows(min_row=2, values_only=True)}
    assert scope["Directory application id"] == 50 and scope["Findings of severity risk"] == 4
    assert scope["Reconciliation run id"] == "manual__reconcile"
    findings = _sheet(book, "Findings")
    assert findings[0] == tuple(label for _, label in directory.FINDING_COLUMNS)
    assert [(r[0], r[1], r[2], r[3] or "") for r in findings[1:]] == [
        (s, f, int(a), u) for s, f, a, u in EXPECTED_ORDER
    ]
    first = _by_key(directory.FINDING_COLUMNS, findings[1])
    assert first["apps_id"] == 10 and first["department"] == LABS and first["directory_disabled"] == "yes"
    summary = _sheet(book, "Summary")
    apps = [_by_key(directory.APPLICATION_COLUMNS, r) for r in summary[1:3]]
    assert [
        (a["apps_id"], a["apps_name"], a["jde_users"], a["jde_enabled_users"], a["matched_users"]) for a in apps
    ] == [
        (10, "JDE test", 8, 8, 6),
        (11, LONG_NAME, 2, 2, 1),
    ]
    assert [(a["risks"], a["warnings"], a["information"], a["reconcile_run_id"]) for a in apps] == [
        (3, 2, 2, "manual__reconcile"),
        (1, 0, 5, "manual__reconcile"),
    ]
    counts = summary[4 : 4 + 2 * len(LDAP_FINDING_SEVERITIES)]  # every finding of both applications, 0 included
    assert summary[3] == tuple(label for _, label in directory.FINDING_COUNT_COLUMNS)
    assert [(r[0], r[3], r[5]) for r in counts] == [
        (10, "directory_disabled", 1), (10, "directory_expired", 1), (10, "directory_missing", 1),
        (10, "hr_terminated", 0), (10, "ambiguous", 2), (10, "generic_without_directory", 1),
        (10, "directory_only", 1),
        (11, "directory_disabled", 0), (11, "directory_expired", 0), (11, "directory_missing", 1),
        (11, "hr_terminated", 0), (11, "ambiguous", 0), (11, "generic_without_directory", 0),
        (11, "directory_only", 5),
    ]  # fmt: skip
    assert counts[4][2] == "warning" and counts[4][4] == directory.FINDING_LABELS["ambiguous"]
    rules = summary[4 + 2 * len(LDAP_FINDING_SEVERITIES) :]  # blank rows between the tables are dropped
    assert rules[0] == tuple(label for _, label in directory.RULE_COLUMNS)
    assert rules[1:] == [
        (10, "JDE test", 1, "employee_id", 3, 4),  # AANN, BBOB, FAY (two accounts)
        (10, "JDE test", 2, "account", 2, 2),
        (10, "JDE test", 3, "mail", 1, 1),
        (11, LONG_NAME, 1, "employee_id", 1, 1),
    ]


class _Page(HTMLParser):
    """The tags, the tables (rows of cell texts) and the notes of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.tables: list[list[list[str]]] = []
        self.notes: list[str] = []
        self._text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th", "p"):
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if self._text is not None and tag in ("td", "th", "p"):
            text = "".join(self._text)
            if tag == "p":
                self.notes.append(text)
            else:
                self.tables[-1][-1].append(text)
            self._text = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def test_html_escapes_the_data_and_caps_the_findings(
    target: DirectoryTarget, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = directory.write_report(target.engine, 50, "html", tmp_path / "d.html", now=NOW).path
    text = path.read_text(encoding="utf-8")
    page = _Page()
    page.feed(text)
    assert "&lt;b&gt;x&lt;/b&gt;" in text and "&lt;b&gt;R&amp;D&lt;/b&gt; / Labs" in text
    assert "<b>" not in text and "b" not in page.tags and "script" not in page.tags
    assert page.notes[0] == "Result: 4 risk finding(s); 2 warning(s)"
    scope, apps, counts, rules, findings = page.tables
    assert ["Directory load run id", "manual__load"] in scope
    assert [r[0] for r in apps[1:]] == ["10", "11"] and len(counts) == 1 + 14 and len(rules) == 1 + 4
    assert [(r[0], r[1], r[3]) for r in findings[1:]] == [(s, f, u) for s, f, _, u in EXPECTED_ORDER]
    assert findings[3][4] == MARKUP and findings[1][12] == LABS  # shown as text, never as markup
    assert not any("left out" in n for n in page.notes)

    monkeypatch.setattr(directory, "HTML_MAX_ROWS", 2)
    capped = directory.write_report(target.engine, 50, "html", tmp_path, now=NOW)
    page = _Page()
    page.feed(capped.path.read_text(encoding="utf-8"))
    assert len(page.tables[-1]) == 1 + 2 and capped.findings == 2
    assert page.notes[-1] == (
        "11 more row(s) left out of this page (the first 2 of 13 shown): "
        "write the report as xlsx or csv for all of them"
    )


# --------------------------------------------------------------------------------------------------
# users by applications, per department
# --------------------------------------------------------------------------------------------------


def test_a_workbook_per_department(target: DirectoryTarget, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    written = directory.write_departments(target.engine, 50, tmp_path, now=NOW)
    folder = tmp_path / f"directory-departments-50-{TODAY}"
    assert written.path == folder and (written.departments, written.accounts, written.jde_applications) == (5, 8, 2)
    assert written.summary() == (
        f"{folder}: users by applications, 5 department workbook(s), 8 directory account(s), 2 JDE application(s)"
    )
    assert [p.name for p in tmp_path.iterdir()] == [folder.name]  # no temporary folder left
    scope, header, index = _parse_csv(folder / "index.csv")
    assert header == [key for key, _ in directory.INDEX_COLUMNS] and scope["departments"] == "5"
    files = {r["department"]: r["file"] for r in index}
    assert set(files) == {"Finance", LABS, "(no department)", "Sales/EMEA", "Sales:EMEA"}
    assert (files["Finance"], files[LABS], files["(no department)"]) == (
        "Finance.xlsx",
        "b_R&D_b_ _ Labs.xlsx",
        "(no department).xlsx",
    )
    assert sorted([files["Sales/EMEA"], files["Sales:EMEA"]]) == ["Sales_EMEA (2).xlsx", "Sales_EMEA.xlsx"]
    assert sorted(p.name for p in folder.iterdir()) == sorted([*files.values(), "index.csv"])
    counts = {r["department"]: (r["directory_accounts"], r["matched_accounts"]) for r in index}
    assert counts == {"Finance": ("3", "2"), LABS: ("1", "1"), "(no department)": ("2", "2"),
                      "Sales/EMEA": ("1", "1"), "Sales:EMEA": ("1", "1")}  # fmt: skip

    book = load_workbook(folder / "Finance.xlsx")
    assert book.sheetnames == ["Scope", "10 JDE test", SHEET_11, "All directory"]
    scope = {row[0]: row[1] for row in book["Scope"].iter_rows(min_row=2, values_only=True)}
    assert (scope["Department"], scope["Directory accounts of the department"]) == ("Finance", 3)
    assert (scope["of which matched to a JDE user"], scope["Directory application id"]) == (2, 50)
    assert scope[f"Sheet {SHEET_11}: account x JDE user rows"] == 1
    jde10 = [_by_key(directory.MATCH_COLUMNS, r) for r in _sheet(book, "10 JDE test")[1:]]
    assert _sheet(book, "10 JDE test")[0] == tuple(label for _, label in directory.MATCH_COLUMNS)
    assert [(r["account"], r["user_id"], r["rule"]) for r in jde10] == [
        ("AANN", "AANN", "employee_id"),
        ("bbob", "BBOB", "employee_id"),
    ]
    ann = jde10[0]
    assert (ann["display_name"], ann["title"], ann["directory_disabled"], ann["directory_expired"]) == (
        "Ann A.",
        "<b>Controller</b>",  # text, as it is
        "no",
        "no",
    )
    assert (ann["user_name"], ann["jde_enabled"], ann["dormant"], ann["last_login_date"]) == (
        "Name of AANN",
        "yes",
        "no",
        "2026-11-20",
    )
    assert ann["active_roles"] == "AP_CLERK, GL_USER"  # active only, each once
    assert jde10[1]["active_roles"] is None and jde10[1]["last_login_date"] is None
    jde11 = [_by_key(directory.MATCH_COLUMNS, r) for r in _sheet(book, SHEET_11)[1:]]
    assert [(r["account"], r["user_id"], r["user_name"], r["active_roles"]) for r in jde11] == [
        ("AANN", "AANN", "Ann in dev", "DEV")
    ]
    every = sorted((_by_key(directory.ACCOUNT_COLUMNS, r) for r in _sheet(book, "All directory")[1:]),
                   key=lambda r: r["account"])  # fmt: skip
    assert [(r["account"], r["jde_applications"], r["jde_users"]) for r in every] == [
        ("AANN", "10, 11", "10:AANN, 11:AANN"),
        ("OUTSIDER", None, None),  # matched nowhere: still listed
        ("bbob", "10", "10:BBOB"),
    ]
    assert every[1]["mail"] == "out@corp.test" and every[1]["directory_expired"] == "no"

    book = load_workbook(folder / "(no department).xlsx")
    assert book.sheetnames == ["Scope", "10 JDE test", SHEET_11, "All directory"]
    jde10 = sorted(_sheet(book, "10 JDE test")[1:])
    assert [(r[0], r[4], r[5], r[8], r[11]) for r in jde10] == [
        ("EEVE", "yes", "EEVE", "yes", "account"),  # expired in the directory, dormant in JDE
        ("dora.d", "no", "DORA", "no", "mail"),
    ]
    assert _sheet(book, SHEET_11)[1:] == [("no account of (no department) matched a user of JDE application 11",)]
    assert sorted(r[0] for r in _sheet(book, "All directory")[1:]) == ["EEVE", "dora.d"]
    labs = load_workbook(folder / files[LABS])
    assert _sheet(labs, "10 JDE test")[1][:5] == ("CCARL", None, None, "yes", "no")


def test_departments_of_one_jde_application(target: DirectoryTarget, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    written = directory.write_departments(target.engine, 50, tmp_path / "only-11", jde_apps_id=11, now=NOW)
    assert written.path == tmp_path / "only-11" and written.jde_applications == 1
    book = load_workbook(written.path / "Finance.xlsx")
    assert book.sheetnames == ["Scope", SHEET_11, "All directory"]
    every = {r[0]: r[6:] for r in _sheet(book, "All directory")[1:]}
    assert every["AANN"] == ("11", "11:AANN") and every["bbob"] == ()  # not matched in 11


def test_the_folder_is_written_all_or_nothing(
    target: DirectoryTarget, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = directory._department_book
    calls = []

    def fail_on_the_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(directory, "_department_book", fail_on_the_third)
    with pytest.raises(OSError, match="No space left"):
        directory.write_departments(target.engine, 50, tmp_path, now=NOW)
    assert list(tmp_path.iterdir()) == []  # neither the folder nor its temporary one
    monkeypatch.setattr(directory, "_department_book", real)

    first = directory.write_departments(target.engine, 50, tmp_path, now=NOW)
    with pytest.raises(ConfigurationError, match="already exists: give another --output, or add --force"):
        directory.write_departments(target.engine, 50, tmp_path, now=NOW)
    (first.path / "Finance.xlsx").write_text("stale")
    (first.path / "Gone.xlsx").write_text("a department of an earlier load")
    again = directory.write_departments(target.engine, 50, tmp_path, now=NOW, force=True)
    assert again.path == first.path and not (again.path / "Gone.xlsx").exists()
    assert (again.path / "Finance.xlsx").read_bytes()[:2] == b"PK"  # replaced whole
    assert [p.name for p in tmp_path.iterdir()] == [first.path.name]
    other = tmp_path / "mine"
    other.mkdir()
    (other / "keep.txt").write_text("keep")
    (other / "index.csv").write_text("department,file\n")  # an index.csv alone is not an export
    with pytest.raises(ConfigurationError, match="is not a departments export: --force replaces only an earlier one"):
        writers.publish_folder(other, lambda folder: 0, force=True, is_ours=directory.is_export, what=EXPORT)
    assert (other / "keep.txt").read_text() == "keep"
    # an existing folder that is not an export: the export is created in it
    inside = directory.write_departments(target.engine, 50, other, now=NOW)
    assert inside.path == other / f"directory-departments-50-{TODAY}" and directory.is_export(inside.path)
    # the export itself given again: replaced only with force
    with pytest.raises(ConfigurationError, match="already exists"):
        directory.write_departments(target.engine, 50, inside.path, now=NOW)
    assert directory.write_departments(target.engine, 50, inside.path, now=NOW, force=True).path == inside.path


def test_sheet_and_file_names() -> None:
    taken: set[str] = {"scope", "all directory"}
    assert directory.sheet_title("Scope", taken) == "Scope~2"
    assert directory.sheet_title("10 a/b:c*d?[e]", taken) == "10 a_b_c_d__e_"
    long = directory.sheet_title("x" * 40, taken)
    again = directory.sheet_title("X" * 40, taken)  # Excel compares sheet names case-insensitively
    assert (long, again) == ("x" * 31, "X" * 29 + "~2") and len(again) == 31
    assert (
        directory.sheet_title("'quoted'", taken) == "quoted" and directory.sheet_title("history", taken) == "History_"
    )
    files: set[str] = set()
    assert directory.safe_filename("Sales", files) == "Sales" and directory.safe_filename("sales", files) == "sales (2)"
    assert directory.safe_filename("../../etc/passwd", files) == "etc_passwd"
    assert directory.safe_filename("CON", files) == "_CON" and directory.safe_filename("", files) == "_"
    assert directory.safe_filename("a\tb\nc\x00", files) == "a b c"
    assert len(directory.safe_filename("é" * 300, files)) == directory.FILE_STEM_MAX
    assert tuple(directory.FINDING_LABELS) == tuple(LDAP_FINDING_SEVERITIES)


# --------------------------------------------------------------------------------------------------
# refusals
# --------------------------------------------------------------------------------------------------


def test_refusals_write_nothing(target: DirectoryTarget, tmp_path: Path) -> None:
    engine = target.engine
    not_ldap = "application 10 is of type JDE, not LDAP: --apps-id names the directory application"
    for write in (
        lambda: directory.write_report(engine, 10, "html", tmp_path, now=NOW),
        lambda: directory.write_departments(engine, 10, tmp_path, now=NOW),
    ):
        with pytest.raises(ConfigurationError, match=re.escape(not_ldap)):
            write()
    with pytest.raises(ApplicationNotFoundError, match="application 42 is not registered"):
        directory.write_report(engine, 42, "csv", tmp_path, now=NOW)
    with pytest.raises(ApplicationNotFoundError, match="application 77 is not registered"):
        directory.write_report(engine, 50, "csv", tmp_path, jde_apps_id=77, now=NOW)
    Registry(engine, "nomasx1").add(12, "Never reconciled")
    with pytest.raises(Nomasx1Error, match="directory application 50 was never reconciled with JDE application 12"):
        directory.write_departments(engine, 50, tmp_path, jde_apps_id=12, now=NOW)
    Registry(engine, "nomasx1").add(51, "Empty directory", apps_type="LDAP")
    for write in (
        lambda: directory.write_report(engine, 51, "xlsx", tmp_path, now=NOW),
        lambda: directory.write_departments(engine, 51, tmp_path, now=NOW),
    ):
        with pytest.raises(Nomasx1Error, match=r"application 51 has no accounts loaded .*run nomasx1-ldap-1 first"):
            write()
    with pytest.raises(ConfigurationError, match="cannot write /proc/d.html: the folder /proc refuses new files"):
        directory.write_report(engine, 50, "html", "/proc/d.html", now=NOW)
    with pytest.raises(ConfigurationError, match="cannot write /proc/dept: the folder /proc refuses new files"):
        writers.publish_folder(
            Path("/proc/dept"), lambda folder: 0, force=False, is_ours=directory.is_export, what=EXPORT
        )
    with engine.begin() as conn:  # loaded, never reconciled
        conn.exec_driver_sql("DELETE FROM nomasx1.security_ldap_matches")
        conn.exec_driver_sql("DELETE FROM nomasx1.security_ldap_findings")
    with pytest.raises(Nomasx1Error, match="was never reconciled with any JDE application: .*run nomasx1-ldap-1 first"):
        directory.write_report(engine, 50, "html", tmp_path, now=NOW)
    with pytest.raises(ConfigurationError, match="does not end with .html but the report format is html"):
        directory.write_report(engine, 50, "html", tmp_path / "x.csv", now=NOW)
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(ConfigurationError, match="a-file is a file: give a folder as --output"):
        directory.write_departments(engine, 50, tmp_path / "a-file", now=NOW)
    assert [p.name for p in tmp_path.iterdir()] == ["a-file"]


def test_schema_without_the_directory_tables(target: DirectoryTarget, tmp_path: Path) -> None:
    with target.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE nomasx1.security_ldap_matches")
    with pytest.raises(Nomasx1Error, match="schema nomasx1 has no directory tables .*nomasx1-upgrade-schema-1"):
        directory.write_report(target.engine, 50, "csv", tmp_path, now=NOW)
    assert list(tmp_path.iterdir()) == []


def test_the_command_line(
    target: DirectoryTarget,
    pg_url: URL,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    cli_fails,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NOMASX1_URL", pg_url.render_as_string(hide_password=False))
    today = dt.date.today().isoformat()
    assert main(["report", "directory", "--apps-id", "50", "--jde-apps-id", "10", "--format", "csv"]) == 0
    path = tmp_path / f"directory-report-50-jde-10-{today}.csv"
    assert capsys.readouterr().out.startswith(f"{path}: directory report (csv), 7 finding(s) written, 3 risk")
    assert {r["apps_id"] for r in _parse_csv(path)[2]} == {"10"}
    assert main(["report", "directory-departments", "--apps-id", "50", "--output", "export"]) == 0
    assert capsys.readouterr().out.startswith("export: users by applications, 5 department workbook(s)")
    assert (tmp_path / "export" / "Finance.xlsx").is_file()
    # the export given again is the target itself, not a folder to create another in
    cli_fails(capsys, ["report", "directory-departments", "--apps-id", "50", "--output", "export"],
              "already exists", "--force")  # fmt: skip
    assert main(["report", "directory-departments", "--apps-id", "50", "--output", "export", "--force"]) == 0
    assert sorted(p.name for p in (tmp_path / "export").iterdir())[-1] == "index.csv"
    cli_fails(capsys, ["report", "directory", "--apps-id", "10"], "application 10 is of type JDE, not LDAP")
    cli_fails(capsys, ["report", "directory-departments", "--apps-id", "10", "--output", "x"], "not LDAP")
    cli_fails(capsys, ["report", "directory", "--apps-id", "50", "--output", "/proc/d.html"],
              "cannot write in the folder /proc")  # fmt: skip
    cli_fails(capsys, ["report", "directory-departments", "--apps-id", "50", "--output", "/proc/dept"],
              "cannot write in the folder /proc")  # fmt: skip
    Registry(target.engine, "nomasx1").add(51, "Empty directory", apps_type="LDAP")
    cli_fails(capsys, ["report", "directory", "--apps-id", "51"], "run nomasx1-ldap-1 first")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, "export"])
