"""nomasx1-license-1 end to end through Airflow (dag.test) on the tiny and the demo synthetic JDE
sources: who writes in JDE, from the audit columns of the F9860 tables.

The expected rows are the named fixtures of docs/synthetic-jde.md ("Who writes", as-of date A =
2026-11-28, window 90 days: A-90 .. A) and, for every scanned table, the counts computed on the
source by tests/support/transactions.py. A second run the next day reads only from each table's
watermark day: a row added to an older day is not re-read, the day leaving the window is trimmed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL
from support.transactions import CONTROL, DATA, TxTable, add_rows, source_counts, source_left_out

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.applications import Registry
from airflow_provider_nomasx1.dagspec.loader import read_spec
from airflow_provider_nomasx1.demo.jde_generator import generate
from airflow_provider_nomasx1.resources import bundle_dir
from airflow_provider_nomasx1.schema import bootstrap

A = dt.date(2026, 11, 28)
STEPS = ["LICENSE_JDE_USERS", "LICENSE_POSITION", "REFRESH_VIEWS"]
DTA, CTL = "PS920DTA", "PS920CTL"

#: the generator's tables with audit columns (no key column of ours)
SCANNED = {
    name: TxTable(name, prefix, schema, key_column=None)
    for name, prefix, schema in [
        ("F0101", "AB", DATA),
        ("F060116", "YA", DATA),
        ("F0411", "RP", DATA),
        ("F0911", "GL", DATA),
        ("F03B11", "RP", DATA),
        ("F4211", "SD", DATA),
        ("F4311", "PD", DATA),
        ("F4101", "IM", DATA),
        ("F5501001", "Q1", DATA),
        ("F0005", "DR", CONTROL),
    ]
}
#: the fixture users with a JDE profile (the others of "Who writes" are batch / unknown accounts)
KNOWN = [
    "ADMIN1", "APCLRK1", "APCLRK2", "APMGR1", "BUYER1", "FORMUSR1", "GLUSER1", "JDE", "LEAVER1",
    "MULTI1", "NOROLE1", "PWDOLD1", "SALES1", "SALES2",
]  # fmt: skip


def _days(n: int) -> dt.date:
    return A + dt.timedelta(days=n)


def _rows(engine: sa.Engine, sql: str, **params: object) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql), params)]


def _users(engine: sa.Engine, table: str) -> dict[tuple[str, dt.date], int]:
    found = _rows(
        engine,
        "SELECT user_id, transaction_date, transactions FROM nomasx1.license_jde_users WHERE table_name = :t",
        t=table,
    )
    return {(u, d): int(n) for u, d, n in found}


def _expected(src: sa.Engine, first: dt.date, last: dt.date) -> dict[str, dict[tuple[str, dt.date], int]]:
    return {name: source_counts(src, table, first, last) for name, table in SCANNED.items()}


def _details(engine: sa.Engine, run_id: str) -> dict:
    found = _rows(
        engine,
        "SELECT details FROM nomasx1.collect_audit WHERE run_id = :r AND step = 'LICENSE_JDE_USERS'",
        r=run_id,
    )
    assert len(found) == 1, found
    details = found[0][0]
    return details if isinstance(details, dict) else json.loads(details)


def test_license_job_spec() -> None:
    spec = read_spec(bundle_dir() / "jobs" / "nomasx1-license-1.yaml")
    assert (spec.schedule, spec.timezone, spec.enabled, spec.kind, spec.long_run_alert_minutes) == (
        "30 3 * * *",
        "Europe/Paris",
        False,
        "interval",
        30,
    )
    assert [s.id for s in spec.steps] == STEPS
    assert spec.steps[0].callable == "airflow_provider_nomasx1.collectors.licence.transactions:license_jde_users"
    window, sessions = spec.params["window_days"], spec.params["max_sessions"]
    assert (window.default, window.minimum) == (90, 1)
    assert window.type == "integer" or "integer" in (window.type or [])
    assert (sessions.default, sessions.minimum, sessions.maximum) == (None, 1, 32)
    assert set(sessions.type or []) >= {"integer", "null"}
    assert spec.params["as_of_date"].default == ""


@pytest.mark.parametrize("profile", ["tiny", "demo"])
def test_license_job_through_airflow(pg_server: URL, airflow_db: str, profile: str) -> None:
    source = testing.create_database(pg_server, f"jde_lic_{profile}")
    target = testing.create_database(pg_server, f"nomasx1_lic_{profile}")
    engine, src = sa.create_engine(target), sa.create_engine(source)
    try:
        generate(source, profile=profile, seed=1, as_of=A)
        bootstrap.init_schema(engine, "nomasx1")
        Registry(engine, "nomasx1").add(10, f"JDE {profile}", source_conn_id="jdedwards")
        with engine.begin() as conn:
            conn.execute(
                sa.text("INSERT INTO nomasx1.security_users (apps_id, user_id) VALUES (10, :u)"),
                [{"u": u} for u in KNOWN],
            )
        env = testing.connection_env("jdedwards", source, conn_type="jdedwards", db_type="postgres")
        env |= testing.connection_env("nomasx1", target)

        first = testing.run_bundled_dag("nomasx1-license-1", env=env, conf={"apps_id": 10, "as_of_date": str(A)})
        assert first.state == "success", first
        assert first.tasks == dict.fromkeys(STEPS, "success")
        _check_first_run(engine, src, first.run_id, profile)

        # the next day: rows on the new as-of date, on the watermark day of F0411 (A, APCLRK2's)
        # and on an older day (A-5: not re-read)
        f0411 = dataclasses.replace(SCANNED["F0411"], key_column="rpdoc")  # the voucher number: a new document
        add_rows(src, f0411, "APCLRK1", _days(1), 2)
        add_rows(src, f0411, "APCLRK2", A, 1)
        add_rows(src, f0411, "APCLRK1", _days(-5), 4)
        before = _rows(engine, "SELECT table_name, watermark FROM nomasx1.license_jde_tables WHERE status = 'scanned'")
        second = testing.run_bundled_dag(
            "nomasx1-license-1", env=env, conf={"apps_id": 10, "as_of_date": str(_days(1))}
        )
        assert second.state == "success", second
        _check_second_run(engine, src, dict(before))
    finally:
        engine.dispose()
        src.dispose()
        testing.drop_database(source)
        testing.drop_database(target)


def _check_first_run(engine: sa.Engine, src: sa.Engine, run_id: str, profile: str) -> None:
    start = _days(-90)
    tables = {
        (r[0], r[1]): r[2:]
        for r in _rows(
            engine,
            "SELECT schema_name, table_name, status, user_column, date_column, window_start, full_scan, reason "
            "FROM nomasx1.license_jde_tables WHERE apps_id = 10",
        )
    }
    expected_scanned = {(DTA if t.schema == DATA else CTL, n) for n, t in SCANNED.items()}
    assert set(tables) == expected_scanned | {(DTA, "F559999")}
    for key in expected_scanned:
        table = SCANNED[key[1]]
        assert tables[key][:5] == ("scanned", str(table.user).upper(), str(table.date).upper(), start, True), key
    skipped = tables[DTA, "F559999"]
    assert skipped[0] == "skipped" and "Q9USER" in skipped[5] and "Q9UPMJ" in skipped[5], skipped

    # the named fixtures
    f0411 = _users(engine, "F0411")
    assert {d: n for (u, d), n in f0411.items() if u == "APCLRK1"} == {
        **{_days(-d): 1 for d in range(85, 4, -10)},
        _days(-3): 3,
    }
    assert {d: n for (u, d), n in f0411.items() if u == "APCLRK2"} == {_days(-d): 1 for d in (90, 60, 30, 0)}
    assert not any(u == "EXUSER1" for u, _ in f0411)  # A-380 .. A-200
    assert {d: n for (u, d), n in _users(engine, "F4211").items() if u == "LEAVER1"} == {
        _days(-90): 1,
        _days(-60): 1,
    }
    assert {d: n for (u, d), n in _users(engine, "F0911").items() if u == "GLUSER1"} == {_days(-89): 1}
    if profile == "tiny":  # demo adds generated INTERFACE rows
        assert {d: n for (u, d), n in _users(engine, "F0911").items() if u == "INTERFACE"} == {A: 1}
    # every scanned table: the source's counts over the window, exactly
    expected = _expected(src, start, A)
    for name in SCANNED:
        assert _users(engine, name) == expected[name], name
    assert dict(
        _rows(engine, "SELECT table_name, transactions FROM nomasx1.license_jde_tables WHERE status = 'scanned'")
    ) == {n: sum(expected[n].values()) for n in SCANNED}

    details = _details(engine, run_id)
    left = [source_left_out(src, t, start, A) for t in SCANNED.values()]
    assert details["users_left_out"] == {k: sum(x[k] for x in left) for k in ("no_user", "no_date")}
    if profile == "tiny":  # INTERFACE's 2 undated F0911 rows, JDE's 3 undated items
        assert details["users_left_out"] == {"no_user": 0, "no_date": 5}
    writers = {u for rows in expected.values() for u, _ in rows}
    unknown = sorted(writers - set(KNOWN))
    assert {"BATCHSVC", "INTERFACE", "JDEPROXY"} <= set(unknown)
    assert details["users_unknown"]["count"] == len(unknown)
    assert details["users_unknown"]["first"] == unknown[: len(details["users_unknown"]["first"])]
    tble = _rows(src, "SELECT count(*) FROM ol920.f9860 WHERE sifuno = 'TBLE'")[0][0]
    assert details["users_scope"]["not_found"] == tble - len(tables)
    # the materialised view flags the users unknown to security_users
    flagged = dict(_rows(engine, "SELECT DISTINCT user_id, known_user FROM nomasx1.license_jde_user_transactions"))
    assert flagged["JDEPROXY"] is False and flagged["APCLRK1"] is True and flagged["INTERFACE"] is False
    assert _rows(
        engine,
        "SELECT step, status FROM nomasx1.collect_audit WHERE dag_id = 'nomasx1-license-1' ORDER BY started_at",
    ) == [(step, "success") for step in STEPS]


def _check_second_run(engine: sa.Engine, src: sa.Engine, watermarks: dict[str, dt.date]) -> None:
    start = _days(-89)
    scans = {
        r[0]: r[1:]
        for r in _rows(
            engine,
            "SELECT table_name, watermark, window_start, full_scan, rows_read FROM nomasx1.license_jde_tables "
            "WHERE status = 'scanned'",
        )
    }
    assert set(scans) == set(SCANNED)
    for name, (watermark, window_start, full_scan, rows_read) in scans.items():
        assert (window_start, full_scan) == (start, False), name
        expected = source_counts(src, SCANNED[name], watermarks[name], _days(1))
        undated = _undated_groups(src, SCANNED[name])
        # the (user, date) groups from the watermark day on, and the undated ones (read every time)
        assert rows_read == len(expected) + undated, (name, rows_read, len(expected), undated)
        assert watermark == max([watermarks[name], *(d for _, d in expected)]), name
    assert scans["F0411"][0] == _days(1)
    # the older day was not re-read; the day that left the window was trimmed
    f0411 = _users(engine, "F0411")
    assert f0411["APCLRK1", _days(-5)] == 1
    assert ("APCLRK2", _days(-90)) not in f0411
    assert f0411["APCLRK1", _days(1)] == 2 and f0411["APCLRK2", A] == 2
    assert not _rows(engine, f"SELECT 1 FROM nomasx1.license_jde_users WHERE transaction_date < DATE '{start}'")
    now = _expected(src, start, _days(1))
    now["F0411"]["APCLRK1", _days(-5)] -= 4
    for name in SCANNED:
        assert _users(engine, name) == now[name], name


def _undated_groups(src: sa.Engine, table: TxTable) -> int:
    """Users with undated rows (UPMJ 0) in ``table``: the groups a scan reads besides the dated ones."""
    return int(_rows(src, f"SELECT count(DISTINCT {table.user}) FROM {table.qualified} WHERE {table.date} = 0")[0][0])
