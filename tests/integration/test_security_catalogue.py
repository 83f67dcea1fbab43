"""JDE catalogue steps of the security collection, on the tiny synthetic JDE source.

JDE_OBJECTS, JDE_OBJECTS_VERSIONS, JDE_SEC_OBJECTS (collectors/security/objects.py) and
JDE_TASKS, JDE_MENUS, SECURITY_MENUS (collectors/security/menus.py). Expected values come from
the named fixtures of sql/jde_generate (10_f9860, 12_f983051, 30_f00950, 40_f9000, 41_f9001).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from support.security import APPS_ID, AS_OF, SecurityTarget

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.applications import Registry
from airflow_provider_nomasx1.collectors.security.menus import jde_menus, jde_tasks, security_menus
from airflow_provider_nomasx1.collectors.security.objects import jde_objects, jde_objects_versions, jde_sec_objects
from airflow_provider_nomasx1.errors import SourceUnavailableError

ENTER_VOUCHERS_91 = "0000000001.0000000003.0000000004.0000000022"


def ids(*numbers: int) -> str:
    """Path of fixture task numbers (F9000 task ids are 10-digit, zero-padded)."""
    return ".".join(f"{n:010d}" for n in numbers)


def use_catalogue(target: SecurityTarget, monkeypatch: pytest.MonkeyPatch, **overrides: str) -> None:
    """Point the `jdedwards` connection's extras.catalogue at other physical names."""
    env = testing.connection_env(
        "jdedwards", target.source_url, conn_type="jdedwards", db_type="postgres", catalogue=overrides
    )
    for key, value in env.items():
        monkeypatch.setenv(key, value)


class SourceCopies:
    """Per-test copies of JDE tables in the tiny source (which the other tests read unchanged)."""

    def __init__(self, url: sa.URL) -> None:
        self.engine = sa.create_engine(url)
        self.created: list[str] = []

    def copy(self, source: str, name: str, rows: bool = True) -> str:
        """``CREATE TABLE <schema>.<name>_<n> AS source`` (with or without rows); its qualified name."""
        schema, _ = source.split(".")
        copy = f"{schema}.{name}_{len(self.created)}"
        with self.engine.begin() as conn:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {copy}")
            conn.exec_driver_sql(f"CREATE TABLE {copy} AS SELECT * FROM {source}{'' if rows else ' WHERE false'}")
        self.created.append(copy)
        return copy

    def execute(self, sql: str) -> None:
        with self.engine.begin() as conn:
            conn.exec_driver_sql(sql)

    def drop(self) -> None:
        with self.engine.begin() as conn:
            for name in self.created:
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
        self.engine.dispose()


@pytest.fixture
def source_copies(security_target: SecurityTarget) -> Iterator[SourceCopies]:
    copies = SourceCopies(security_target.source_url)
    yield copies
    copies.drop()


def source_count(target: SecurityTarget, sql: str) -> int:
    engine = sa.create_engine(target.source_url)
    try:
        with engine.connect() as conn:
            return int(conn.exec_driver_sql(sql).scalar())
    finally:
        engine.dispose()


def table_rows(target: SecurityTarget, table: str, order: str) -> list[tuple]:
    """Every column but refreshed_at of the application's rows, in key order."""
    columns = [
        c
        for (c,) in target.rows(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'nomasx1' "
            "AND table_name = :t AND column_name <> 'refreshed_at' ORDER BY ordinal_position",
            t=table,
        )
    ]
    return target.rows(f"SELECT {', '.join(columns)} FROM nomasx1.{table} WHERE apps_id = {APPS_ID} ORDER BY {order}")


# --------------------------------------------------------------------------------------------------
# JDE_OBJECTS, JDE_OBJECTS_VERSIONS
# --------------------------------------------------------------------------------------------------


def test_jde_objects_trimmed_and_reclassified(security_target: SecurityTarget) -> None:
    t = security_target
    # the object is listed in settings_jde_rclst: it counts under the listed code
    with t.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO nomasx1.settings_jde_rclst (object_name, system_code, reason) VALUES ('P0411', '09', 'test')"
        )
    rows = t.run(jde_objects)

    expected = source_count(t, "SELECT count(*) FROM ol920.f9860")
    assert rows == {"jde_objects": expected}
    assert expected >= 35  # the curated objects and the generated ones
    assert t.scalar(f"SELECT count(*) FROM nomasx1.jde_objects WHERE apps_id = {APPS_ID}") == expected

    p0411 = t.rows(
        "SELECT object_name, description, system_code, source_system_code, object_type, reclassified, run_id "
        "FROM nomasx1.jde_objects WHERE apps_id = :a AND object_name = 'P0411'",
        a=APPS_ID,
    )
    assert p0411 == [("P0411", "Standard Voucher Entry", "09", "04", "APPL", True, "manual__test")]
    # the curated reference reclassifies P03013 (03B) under 01
    assert t.rows(
        "SELECT system_code, source_system_code, reclassified FROM nomasx1.jde_objects "
        "WHERE apps_id = :a AND object_name = 'P03013'",
        a=APPS_ID,
    ) == [("01", "03B", True)]
    # an object not listed keeps its SISY
    assert t.rows(
        "SELECT description, system_code, source_system_code, object_type, reclassified FROM nomasx1.jde_objects "
        "WHERE apps_id = :a AND object_name = 'F0101'",
        a=APPS_ID,
    ) == [("Address Book Master", "01", "01", "TBLE", False)]
    # trimmed everywhere (F9860 is blank-padded CHAR)
    assert (
        t.scalar(
            "SELECT count(*) FROM nomasx1.jde_objects WHERE object_name <> btrim(object_name) "
            "OR description <> btrim(description) OR system_code <> btrim(system_code) "
            "OR object_type <> btrim(object_type)"
        )
        == 0
    )
    # reclassified rows are exactly the objects listed in settings_jde_rclst
    assert t.scalar(
        "SELECT count(*) FROM nomasx1.jde_objects o WHERE o.apps_id = :a AND o.reclassified", a=APPS_ID
    ) == t.scalar(
        "SELECT count(*) FROM nomasx1.settings_jde_rclst r JOIN nomasx1.jde_objects o "
        "ON o.object_name = r.object_name AND o.apps_id = :a",
        a=APPS_ID,
    )


def test_jde_objects_versions_take_system_code_from_objects(security_target: SecurityTarget) -> None:
    t = security_target
    t.run(jde_objects)
    # a program unknown to jde_objects: its versions keep null system code and type
    with t.engine.begin() as conn:
        conn.exec_driver_sql(f"DELETE FROM nomasx1.jde_objects WHERE apps_id = {APPS_ID} AND object_name = 'R42800'")
    rows = t.run(jde_objects_versions)

    expected = source_count(t, "SELECT count(*) FROM pd920.f983051")
    assert rows == {"jde_objects_versions": expected}
    versions = t.rows(
        "SELECT object_name, version, description, system_code, object_type FROM nomasx1.jde_objects_versions "
        "WHERE apps_id = :a AND object_name IN ('R09801', 'R42800', 'P0411') ORDER BY 1, 2",
        a=APPS_ID,
    )
    assert versions == [
        ("P0411", "ZJDE0001", "Standard Voucher Entry", "04", "APPL"),
        ("P0411", "ZJDE0002", "Voucher Entry - Logistics", "04", "APPL"),
        ("R09801", "XJDE0001", "General Ledger Post", "09", "UBE"),
        ("R09801", "ZJDE0001", "General Ledger Post - Summarised", "09", "UBE"),
        ("R42800", "XJDE0001", "Sales Update", None, None),
        ("R42800", "ZJDE0001", "Sales Update - Interactive", None, None),
    ]


# --------------------------------------------------------------------------------------------------
# JDE_SEC_OBJECTS
# --------------------------------------------------------------------------------------------------


def test_jde_sec_objects_every_record_typed(security_target: SecurityTarget) -> None:
    t = security_target
    rows = t.run(jde_sec_objects)

    expected = source_count(t, "SELECT count(*) FROM sy920.f00950")
    assert rows == {"jde_sec_objects": expected}
    # record_no: 1..n without gaps
    assert t.rows(
        "SELECT min(record_no), max(record_no), count(DISTINCT record_no) FROM nomasx1.jde_sec_objects "
        "WHERE apps_id = :a",
        a=APPS_ID,
    ) == [(1, expected, expected)]

    per_type = dict(
        t.rows(
            "SELECT principal || '/' || security_type, count(*) FROM nomasx1.jde_sec_objects "
            "WHERE apps_id = :a AND principal IN ('*PUBLIC', 'APCLERK', 'GLACCT') GROUP BY 1",
            a=APPS_ID,
        )
    )
    assert per_type == {
        "*PUBLIC/application": 2,
        "*PUBLIC/action": 1,
        "*PUBLIC/row": 1,
        "*PUBLIC/processing_option": 1,
        "*PUBLIC/tab": 1,
        "APCLERK/application": 4,
        "APCLERK/action": 2,
        "GLACCT/application": 4,
        "GLACCT/action": 1,
        "GLACCT/column": 1,
        "GLACCT/processing_option": 1,
    }
    assert (
        t.scalar(
            "SELECT count(*) FROM nomasx1.jde_sec_objects WHERE apps_id = :a "
            "AND security_type = 'exclusive_application'",
            a=APPS_ID,
        )
        >= 1
    )

    cols = (
        "type_code, security_type, principal, object_name, form_name, version, data_item, from_value, thru_value, "
        "can_run, can_view, can_add, can_change, can_delete, can_ok, can_copy, can_scroll"
    )

    def record(where: str) -> list[tuple[tuple, tuple]]:
        """(type, principal, object, form, version, row/column values), (the eight flags) per record."""
        found = t.rows(f"SELECT {cols} FROM nomasx1.jde_sec_objects WHERE apps_id = {APPS_ID} AND {where}")
        return [(r[:9], r[9:]) for r in found]

    # *PUBLIC *ALL run N: application security, locked down
    assert record("principal = '*PUBLIC' AND object_name = '*ALL'") == [
        (
            ("1", "application", "*PUBLIC", "*ALL", "", "", None, None, None),
            (False, None, None, None, None, None, None, None),
        )
    ]
    # APCLERK P0411 action security: add Y, change Y, delete N, OK Y, copy Y, scroll Y
    assert record("principal = 'APCLERK' AND object_name = 'P0411' AND type_code = '2'") == [
        (
            ("2", "action", "APCLERK", "P0411", "", "", None, None, None),
            (None, None, True, True, False, True, True, True),
        )
    ]
    # row security: business units right-justified in JDE, trimmed here
    assert record("security_type = 'row' ORDER BY principal") == [
        (
            ("3", "row", "*PUBLIC", "F0101", "", "", "MCU", "30", "39"),
            (None, False, False, False, False, None, None, None),
        ),
        (
            ("3", "row", "PURCHASE", "F4311", "", "", "MCU", "10", "19"),
            (None, True, True, True, False, None, None, None),
        ),
    ]
    # a version-level application record
    assert record("principal = 'GLACCT' AND object_name = 'R09801' AND version <> ''") == [
        (
            ("1", "application", "GLACCT", "R09801", "", "XJDE0001", None, None, None),
            (False, None, None, None, None, None, None, None),
        )
    ]
    # a form-level record
    assert record("principal = 'FORMUSR1' AND object_name = 'P4210'") == [
        (
            ("1", "application", "FORMUSR1", "P4210", "W4210E", "", None, None, None),
            (False, None, None, None, None, None, None, None),
        )
    ]
    # audit columns and system code
    assert t.rows(
        "SELECT DISTINCT updated_by, updated_date FROM nomasx1.jde_sec_objects WHERE apps_id = :a",
        a=APPS_ID,
    ) == [("ADMIN1", AS_OF - dt.timedelta(days=120))]
    assert t.rows(
        "SELECT system_code FROM nomasx1.jde_sec_objects WHERE apps_id = :a AND principal = 'APCLERK' "
        "AND object_name = 'R04570'",
        a=APPS_ID,
    ) == [("04",)]
    assert (
        t.scalar(
            "SELECT count(*) FROM nomasx1.jde_sec_objects WHERE apps_id = :a AND object_name = '*ALL' "
            "AND system_code IS NOT NULL",
            a=APPS_ID,
        )
        == 0
    )


def test_jde_sec_objects_custom_code_map(security_target: SecurityTarget, caplog: pytest.LogCaptureFixture) -> None:
    t = security_target
    # a site whose codes 3 and 4 are the other way round, and which does not map 5, 6 or 9
    Registry(t.engine, "nomasx1").update(
        APPS_ID, security_type_codes={"1": "application", "2": "action", "3": "column", "4": "row"}
    )
    with caplog.at_level(logging.WARNING):
        t.run(jde_sec_objects)

    types = dict(
        t.rows(
            "SELECT principal || '/' || object_name || '/' || type_code, security_type FROM nomasx1.jde_sec_objects "
            "WHERE apps_id = :a AND type_code NOT IN ('1', '2')",
            a=APPS_ID,
        )
    )
    assert types["*PUBLIC/F0101/3"] == "column"
    assert types["GLACCT/P0911/4"] == "row"
    assert types["*PUBLIC/R0006P/5"] == "unknown:5"
    assert types["*PUBLIC/P4210/6"] == "unknown:6"
    assert types["SYSADMIN/P4210/9"] == "unknown:9"
    warning = next(r.getMessage() for r in caplog.records if "missing from application" in r.getMessage())
    assert "'5'" in warning and "'6'" in warning and "'9'" in warning and "'3'" not in warning


# --------------------------------------------------------------------------------------------------
# JDE_TASKS, JDE_MENUS, SECURITY_MENUS
# --------------------------------------------------------------------------------------------------


def run_menus(t: SecurityTarget) -> dict[str, int]:
    rows: dict[str, int] = {}
    for step in (jde_tasks, jde_menus, security_menus):
        rows.update(t.run(step))
    return rows


def test_jde_tasks_and_menus(security_target: SecurityTarget) -> None:
    t = security_target
    rows = run_menus(t)

    assert rows["jde_tasks"] == source_count(t, "SELECT count(*) FROM ps920ctl.f9000")
    assert rows["jde_menus"] == source_count(
        t, "SELECT count(*) FROM ps920ctl.f9001 WHERE btrim(trrltype) IN ('91', '93')"
    )
    assert t.rows(
        "SELECT task_id, task_name, task_type, object_name, form_name, version FROM nomasx1.jde_tasks "
        "WHERE apps_id = :a AND task_id IN ('0000000003', '0000000022', '0000000027') ORDER BY 1",
        a=APPS_ID,
    ) == [
        ("0000000003", "Accounts Payable", "07", None, None, None),
        ("0000000022", "Enter Vouchers", "01", "P0411", "W0411A", "ZJDE0001"),
        ("0000000027", "General Ledger Post", "02", "R09801", None, "XJDE0001"),
    ]
    assert t.rows(
        "SELECT task_view, parent_task_id, child_task_id, sequence FROM nomasx1.jde_menus "
        "WHERE apps_id = :a AND child_task_id = '0000000022' ORDER BY 1",
        a=APPS_ID,
    ) == [("91", "0000000004", "0000000022", 2), ("93", "0000000051", "0000000022", 1)]


def test_security_menus_paths_and_breadcrumbs(security_target: SecurityTarget) -> None:
    t = security_target
    rows = run_menus(t)
    assert rows["security_menus"] == t.scalar(f"SELECT count(*) FROM nomasx1.security_menus WHERE apps_id = {APPS_ID}")

    cols = (
        "task_view, path, task_id, parent_task_id, label, path_labels, level, sequence, task_type, "
        "object_name, form_name, version"
    )
    enter_vouchers = t.rows(
        f"SELECT {cols} FROM nomasx1.security_menus WHERE apps_id = {APPS_ID} AND task_id = '0000000022' ORDER BY 1"
    )
    assert enter_vouchers == [
        (
            "91",
            ENTER_VOUCHERS_91,
            "0000000022",
            "0000000004",
            "Enter Vouchers",
            "JD Edwards EnterpriseOne Menus > Accounts Payable > Supplier and Voucher Entry > Enter Vouchers",
            3,
            2,
            "01",
            "P0411",
            "W0411A",
            "ZJDE0001",
        ),
        (
            "93",
            ids(50, 51, 22),
            "0000000022",
            "0000000051",
            "Enter Vouchers",
            "Role Based Favorites > Daily Finance > Enter Vouchers",
            2,
            1,
            "01",
            "P0411",
            "W0411A",
            "ZJDE0001",
        ),
    ]
    # the roots: a row each, level 0, no parent
    assert t.rows(
        f"SELECT task_view, path, parent_task_id, label, path_labels, level, sequence, object_name "
        f"FROM nomasx1.security_menus WHERE apps_id = {APPS_ID} AND level = 0 ORDER BY 1"
    ) == [
        ("91", ids(1), None, "JD Edwards EnterpriseOne Menus", "JD Edwards EnterpriseOne Menus", 0, None, None),
        ("93", ids(50), None, "Role Based Favorites", "Role Based Favorites", 0, None, None),
    ]
    # a folder: no object; a top-level entry: level 1, parent = the root
    assert t.rows(
        f"SELECT path, parent_task_id, level, sequence, task_type, object_name, form_name, version "
        f"FROM nomasx1.security_menus WHERE apps_id = {APPS_ID} AND task_view = '91' AND task_id = '0000000003'"
    ) == [(ids(1, 3), "0000000001", 1, 2, "07", None, None, None)]
    # address book revisions is reused: under 'Address Book' in view 91, at the top of view 93
    assert t.rows(
        f"SELECT task_view, path, path_labels, level FROM nomasx1.security_menus "
        f"WHERE apps_id = {APPS_ID} AND task_id = '0000000020' ORDER BY 1"
    ) == [
        ("91", ids(1, 2, 20), "JD Edwards EnterpriseOne Menus > Address Book > Address Book Revisions", 2),
        ("93", ids(50, 20), "Role Based Favorites > Address Book Revisions", 1),
    ]
    # every relationship of the (acyclic) fixture views gives one path, plus one row per root
    per_view = dict(
        t.rows(f"SELECT task_view, count(*) FROM nomasx1.security_menus WHERE apps_id = {APPS_ID} GROUP BY 1")
    )
    relationships = dict(
        t.rows(f"SELECT task_view, count(*) FROM nomasx1.jde_menus WHERE apps_id = {APPS_ID} GROUP BY 1")
    )
    assert per_view == {view: n + 1 for view, n in relationships.items()}
    # level = number of ids in the path - 1, and the path ends with the task
    assert (
        t.scalar(
            f"SELECT count(*) FROM nomasx1.security_menus WHERE apps_id = {APPS_ID} AND "
            "(level <> array_length(string_to_array(path, '.'), 1) - 1 OR path NOT LIKE '%' || task_id)"
        )
        == 0
    )


def test_jde_menus_only_the_task_views_of_the_settings(security_target: SecurityTarget) -> None:
    t = security_target
    with t.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO nomasx1.settings_jdedwards (apps_id, task_views) "
            f"""VALUES ({APPS_ID}, '[{{"task_view": "93", "name": "Favorites", "security": true}}]')"""
        )
    rows = run_menus(t)
    assert rows["jde_menus"] == 8
    assert t.rows(f"SELECT DISTINCT task_view FROM nomasx1.jde_menus WHERE apps_id = {APPS_ID}") == [("93",)]
    assert t.rows(f"SELECT DISTINCT task_view FROM nomasx1.security_menus WHERE apps_id = {APPS_ID}") == [("93",)]


def test_security_menus_cuts_cycles(
    security_target: SecurityTarget,
    source_copies: SourceCopies,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    t = security_target
    run_menus(t)
    baseline = table_rows(t, "security_menus", "task_view, path")

    # a copy of F9001 with cycles in view 91: Enter Vouchers -> Accounts Payable (its grand-parent),
    # a self-loop on Supplier and Voucher Entry, and Item Branch/Plant <-> Item Master (siblings)
    cyclic = source_copies.copy("ps920ctl.f9001", "f9001_cycle")
    source_copies.execute(
        f"INSERT INTO {cyclic} (trrltype, trparnttsk, trchildtsk, trprsseq) VALUES "
        "('91', '0000000022', '0000000003', 1), ('91', '0000000004', '0000000004', 9), "
        "('91', '0000000038', '0000000037', 1), ('91', '0000000037', '0000000038', 1)"
    )
    use_catalogue(t, monkeypatch, F9001=cyclic.split(".")[1])
    with caplog.at_level(logging.WARNING):
        rows = run_menus(t)

    messages = [r.getMessage() for r in caplog.records]
    assert any("4 menu cycle(s) cut" in m for m in messages), messages
    assert (
        rows["jde_menus"] == source_count(t, "SELECT count(*) FROM ps920ctl.f9001 WHERE trrltype IN ('91', '93')") + 4
    )
    # 22 -> 3 and 4 -> 4 are cut where they close the loop; 37 <-> 38 (both under 'Inventory
    # Management') add 10 -> 37 -> 38 and 10 -> 38 -> 37, then are cut: 4 cuts, two new paths
    after = table_rows(t, "security_menus", "task_view, path")
    added = sorted(set(after) - set(baseline))
    assert [(r[1], r[2]) for r in added] == [
        ("91", ids(1, 10, 37, 38)),
        ("91", ids(1, 10, 38, 37)),
    ]
    assert set(baseline) <= set(after)
    # no path repeats a task
    for row in after:
        path = row[2].split(".")
        assert len(path) == len(set(path))


def test_security_menus_root_less_cycle_is_reported(
    security_target: SecurityTarget,
    source_copies: SourceCopies,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    t = security_target
    cyclic = source_copies.copy("ps920ctl.f9001", "f9001_island")
    source_copies.execute(
        f"INSERT INTO {cyclic} (trrltype, trparnttsk, trchildtsk, trprsseq) VALUES "
        "('93', '0000000090', '0000000091', 1), ('93', '0000000091', '0000000090', 1)"
    )
    use_catalogue(t, monkeypatch, F9001=cyclic.split(".")[1])
    with caplog.at_level(logging.WARNING):
        run_menus(t)
    assert any("2 relationship(s) of task view 93 are reachable from no root" in r.getMessage() for r in caplog.records)
    assert (
        t.scalar(
            f"SELECT count(*) FROM nomasx1.security_menus WHERE apps_id = {APPS_ID} AND task_id IN ('0000000090', "
            "'0000000091')"
        )
        == 0
    )


# --------------------------------------------------------------------------------------------------
# Re-runs and failures
# --------------------------------------------------------------------------------------------------

ALL_STEPS = (jde_objects, jde_objects_versions, jde_sec_objects, jde_tasks, jde_menus, security_menus)
KEYS = {
    "jde_objects": "object_name",
    "jde_objects_versions": "object_name, version",
    "jde_sec_objects": "record_no",
    "jde_tasks": "task_id",
    "jde_menus": "task_view, parent_task_id, child_task_id",
    "security_menus": "task_view, path",
}


def test_rerun_gives_identical_rows(security_target: SecurityTarget) -> None:
    t = security_target
    first_counts: dict[str, int] = {}
    for step in ALL_STEPS:
        first_counts.update(t.run(step))
    first = {table: table_rows(t, table, order) for table, order in KEYS.items()}

    second_counts: dict[str, int] = {}
    for step in ALL_STEPS:
        second_counts.update(t.run(step))
    second = {table: table_rows(t, table, order) for table, order in KEYS.items()}

    assert second_counts == first_counts
    assert set(first_counts) == set(KEYS)
    for table in KEYS:
        assert first[table], table
        assert second[table] == first[table], table


def test_missing_table_fails_naming_it_and_keeps_rows(
    security_target: SecurityTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    t = security_target
    t.run(jde_objects)
    before = table_rows(t, "jde_objects", "object_name")

    use_catalogue(t, monkeypatch, F9860="F9860_MISSING")
    with pytest.raises(SourceUnavailableError, match=r"ol920\.f9860_missing \(F9860\) not found"):
        t.run(jde_objects, run_id="manual__missing")
    assert table_rows(t, "jde_objects", "object_name") == before
    assert t.rows(
        "SELECT status FROM nomasx1.collect_audit WHERE run_id = 'manual__missing' AND step = 'JDE_OBJECTS'"
    ) == [("failed",)]


def test_missing_column_fails_naming_it_and_keeps_rows(
    security_target: SecurityTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    t = security_target
    t.run(jde_sec_objects)
    before = table_rows(t, "jde_sec_objects", "record_no")

    use_catalogue(t, monkeypatch, **{"F00950.type_code": "FSSETYX"})
    with pytest.raises(SourceUnavailableError, match=r"sy920\.f00950 has no column fssetyx \(type_code\)"):
        t.run(jde_sec_objects)
    assert table_rows(t, "jde_sec_objects", "record_no") == before


@pytest.mark.parametrize(
    ("step", "source", "target"),
    [(jde_objects, "ol920.f9860", "jde_objects"), (jde_sec_objects, "sy920.f00950", "jde_sec_objects")],
)
def test_empty_source_table_fails_and_keeps_rows(
    security_target: SecurityTarget,
    source_copies: SourceCopies,
    monkeypatch: pytest.MonkeyPatch,
    step,
    source: str,
    target: str,
) -> None:
    t = security_target
    t.run(step)
    before = table_rows(t, target, KEYS[target])
    assert before

    empty = source_copies.copy(source, f"{source.split('.')[1]}_empty", rows=False)
    jde_name = source.split(".")[1].upper()
    use_catalogue(t, monkeypatch, **{jde_name: empty.split(".")[1]})
    with pytest.raises(SourceUnavailableError, match=rf"{empty} \({jde_name}\) returned no rows.*looks empty"):
        t.run(step)
    assert table_rows(t, target, KEYS[target]) == before
