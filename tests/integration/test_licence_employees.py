"""LICENSE_JDE_EMPLOYEES on a hand-built JDE source: who is in the snapshot, internal / external,
terminations as of the extract date, one snapshot per date, re-runs, missing tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL
from support.security import SecurityTarget, make_target

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.collectors.licence.employees import license_jde_employees
from airflow_provider_nomasx1.errors import SourceUnavailableError
from airflow_provider_nomasx1.jde.julian import to_julian

AS_OF = dt.date(2026, 11, 28)


def _j(day: dt.date | None) -> int:
    return to_julian(day) if day else 0


#: (address number, name, search type) of F0101
PEOPLE = [
    (101, "ACCOUNT, Ann", "E"),  # employee with a JDE account
    (102, "CONTRACTOR, Carl", "X"),  # contractor with a JDE account: external
    (103, "LEAVER, Lea", "E"),  # employee terminated before the extract date
    (105, "ACME Ltd", "C"),  # a customer, no account: not a person of the snapshot
    (106, "FUTURE, Fay", "E"),  # hired after the extract date
    (107, "NOTICE, Nat", "E"),  # termination after the extract date
]
#: (address number, pay status, company, start, termination) of F060116
HR = [
    (101, "0", "00001", dt.date(2020, 1, 6), None),
    (103, "T", "00001", dt.date(2019, 3, 1), dt.date(2026, 10, 31)),
    (104, "0", "00050", dt.date(2024, 5, 2), None),  # HR record without an address-book record
    (106, "0", "00001", dt.date(2026, 12, 1), None),
    (107, "0", "00200", dt.date(2021, 2, 1), dt.date(2026, 12, 31)),
]
PROFILES = [("AANN", 101), ("CCARL", 102), ("ROLE1", 0)]


def _create_source(url: URL, with_hr: bool = True, with_people: bool = True) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for schema in ("sy920", "ps920dta", "ps920ctl"):
            conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        conn.exec_driver_sql("CREATE TABLE sy920.f0092 (uluser char(10), ulan8 numeric)")
        for user, an8 in PROFILES:
            conn.execute(sa.text("INSERT INTO sy920.f0092 VALUES (:u, :a)"), {"u": user, "a": an8})
        if with_people:
            conn.exec_driver_sql(
                "CREATE TABLE ps920dta.f0101 (aban8 numeric, abalph char(40), abat1 char(3), "
                "abmcu char(12) DEFAULT ' ')"
            )
            for an8, name, at1 in PEOPLE:
                conn.execute(sa.text("INSERT INTO ps920dta.f0101 VALUES (:a, :n, :t)"), {"a": an8, "n": name, "t": at1})
        if with_hr:
            conn.exec_driver_sql(
                "CREATE TABLE ps920dta.f060116 (yaan8 numeric, yapast char(1), yahmco char(5), "
                "yadst numeric(6,0), yadt numeric(6,0))"
            )
            for an8, past, company, start, end in HR:
                conn.execute(
                    sa.text("INSERT INTO ps920dta.f060116 VALUES (:a, :p, :c, :s, :e)"),
                    {"a": an8, "p": past, "c": company, "s": _j(start), "e": _j(end)},
                )
        conn.exec_driver_sql("CREATE TABLE ps920ctl.f0005 (drsy char(4), drrt char(2), drky char(10), drdl01 char(30))")
        conn.exec_driver_sql(
            "INSERT INTO ps920ctl.f0005 VALUES ('01', 'ST', 'E', 'Employees'), ('01', 'ST', 'X', 'Contractors'), "
            "('01', 'ST', 'C', 'Customers'), ('00', 'ST', 'E', 'not this UDC')"
        )
    engine.dispose()


@pytest.fixture
def source(pg_server: URL) -> Iterator[URL]:
    url = testing.create_database(pg_server, prefix="nomasx1_emp_src")
    _create_source(url)
    yield url
    testing.drop_database(url)


@pytest.fixture
def target(pg_engine: sa.Engine, source: URL, monkeypatch: pytest.MonkeyPatch) -> SecurityTarget:
    t = make_target(pg_engine, source, monkeypatch)
    with pg_engine.begin() as conn:  # the security job's accounts: two linked to person 101
        conn.exec_driver_sql(
            "INSERT INTO nomasx1.security_users (apps_id, user_id, address_number, enabled) "
            "VALUES (10, 'AANN', 101, true), (10, 'AANN2', 101, true), (10, 'CCARL', 102, true)"
        )
    return t


def _snapshot(t: SecurityTarget, day: dt.date = AS_OF) -> list[tuple]:
    return t.rows(
        "SELECT address_number, name, search_type, search_type_description, internal, in_hr_master, pay_status, "
        "company, start_date, termination_date, terminated, jde_users FROM nomasx1.license_jde_employees "
        "WHERE apps_id = 10 AND extract_date = :d ORDER BY address_number",
        d=day,
    )


def test_snapshot_people_internal_external_and_terminations(target: SecurityTarget) -> None:
    assert target.run(license_jde_employees) == {"license_jde_employees": 5}
    assert _snapshot(target) == [
        (101, "ACCOUNT, Ann", "E", "Employees", True, True, "0", "00001", dt.date(2020, 1, 6), None, False, 2),
        (102, "CONTRACTOR, Carl", "X", "Contractors", False, False, None, None, None, None, False, 1),
        (103, "LEAVER, Lea", "E", "Employees", True, True, "T", "00001", dt.date(2019, 3, 1), dt.date(2026, 10, 31),
         True, 0),
        (104, None, None, None, True, True, "0", "00050", dt.date(2024, 5, 2), None, False, 0),
        (107, "NOTICE, Nat", "E", "Employees", True, True, "0", "00200", dt.date(2021, 2, 1), dt.date(2026, 12, 31),
         False, 0),
    ]  # fmt: skip
    details = target.scalar(
        "SELECT details -> 'employees' FROM nomasx1.collect_audit WHERE step = 'LICENSE_JDE_EMPLOYEES'"
    )
    assert details == {
        "extract_date": "2026-11-28",
        "internal": 4,
        "external": 1,
        "terminated": 1,
        "with_account": 2,
        "not_started": 1,
        "undescribed_types": 0,
    }


def test_one_snapshot_per_extract_date_and_rerun_replaces_it(target: SecurityTarget) -> None:
    target.run(license_jde_employees)
    later = dt.date(2027, 1, 4)
    assert target.run(license_jde_employees, as_of_date=later.isoformat()) == {"license_jde_employees": 6}
    # 106 has started by then, 107 is terminated by then; the earlier snapshot is untouched
    assert [(r[0], r[10]) for r in _snapshot(target, later)] == [
        (101, False), (102, False), (103, True), (104, False), (106, False), (107, True),
    ]  # fmt: skip
    assert len(_snapshot(target)) == 5

    first = _snapshot(target)
    assert target.run(license_jde_employees, run_id="manual__again") == {"license_jde_employees": 5}
    assert _snapshot(target) == first  # idempotent
    assert target.rows(
        "SELECT extract_date, count(*), min(run_id) FROM nomasx1.license_jde_employees GROUP BY 1 ORDER BY 1"
    ) == [(AS_OF, 5, "manual__again"), (later, 6, "manual__test")]


def test_head_count_trend_internal_external_per_extract_date(target: SecurityTarget) -> None:
    for day in (AS_OF, dt.date(2027, 1, 4)):
        target.run(license_jde_employees, as_of_date=day.isoformat())
    assert target.rows(
        "SELECT extract_date, count(*) FILTER (WHERE internal AND NOT terminated), "
        "count(*) FILTER (WHERE NOT internal) FROM nomasx1.license_jde_employees WHERE apps_id = 10 "
        "GROUP BY 1 ORDER BY 1"
    ) == [(AS_OF, 3, 1), (dt.date(2027, 1, 4), 3, 1)]


def test_missing_hr_master_is_reported_and_the_address_book_still_counts(
    pg_server: URL, pg_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = testing.create_database(pg_server, prefix="nomasx1_emp_nohr")
    try:
        _create_source(url, with_hr=False)
        t = make_target(pg_engine, url, monkeypatch)
        assert t.run(license_jde_employees) == {"license_jde_employees": 5}
        assert [(r[0], r[4], r[5]) for r in _snapshot(t)] == [
            (101, True, False), (102, False, False), (103, True, False), (106, True, False), (107, True, False),
        ]  # fmt: skip
        message = t.scalar("SELECT message FROM nomasx1.collect_audit WHERE step = 'LICENSE_JDE_EMPLOYEES'")
        assert "F060116" in message and "no HR data" in message
    finally:
        testing.drop_database(url)


def test_no_person_at_all_is_refused_and_changes_nothing(
    pg_server: URL, pg_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = testing.create_database(pg_server, prefix="nomasx1_emp_none")
    try:
        _create_source(url, with_hr=False, with_people=False)
        t = make_target(pg_engine, url, monkeypatch)
        with pytest.raises(SourceUnavailableError, match="no employee found for application 10.*F060116, F0101"):
            t.run(license_jde_employees)
        assert t.scalar("SELECT count(*) FROM nomasx1.license_jde_employees") == 0
    finally:
        testing.drop_database(url)


def test_a_collapsed_snapshot_is_refused(target: SecurityTarget, source: URL) -> None:
    target.run(license_jde_employees)
    engine = sa.create_engine(source)
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM ps920dta.f060116 WHERE yaan8 <> 101")
        conn.exec_driver_sql("DELETE FROM ps920dta.f0101 WHERE aban8 NOT IN (101, 105)")
        conn.exec_driver_sql("UPDATE sy920.f0092 SET ulan8 = 0")
    engine.dispose()
    with pytest.raises(Exception, match=r"license_jde_employees \(previous extract date\) shrank from 5 to 1"):
        target.run(license_jde_employees, as_of_date="2026-12-05")
    assert target.scalar("SELECT count(*) FROM nomasx1.license_jde_employees WHERE extract_date = '2026-12-05'") == 0
