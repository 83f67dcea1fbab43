"""Step LICENSE_JDE_USERS of nomasx1-license-1 (who writes in JDE: the audit columns of the F9860
tables) on a hand-built JDE source.

The source is a PostgreSQL database with the default schema map in lower case: F9860 in ol920,
business tables in ps920dta, control tables in ps920ctl, the system schema sy920
(tests/support/transactions.py). The target is a fresh nomasx1 schema with application 10 and
four known users (APCLRK1, GLUSER1, ADMIN1, JDE). The as-of date is 2026-11-28 and the default
window 90 days, so the window starts on 2026-08-30.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL
from support.transactions import (
    CONTROL,
    DATA,
    SYSTEM,
    TxTable,
    add_many,
    add_rows,
    create_source,
    create_table,
    delete_rows,
    register,
    source_counts,
)

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.applications import Registry
from airflow_provider_nomasx1.collectors.licence import transactions
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.errors import ConfigurationError
from airflow_provider_nomasx1.hooks.roles import hook_role
from airflow_provider_nomasx1.jde.julian import to_julian
from airflow_provider_nomasx1.operators.step import run_step
from airflow_provider_nomasx1.schema import bootstrap

APPS_ID = 10
AS_OF = dt.date(2026, 11, 28)
WINDOW_START = dt.date(2026, 8, 30)  # AS_OF - 90 days
STEP = "LICENSE_JDE_USERS"
LOG = logging.getLogger("nomasx1.tests.transactions")
D = dt.date

F0411 = TxTable("F0411", "RP", DATA, "04")
F0911 = TxTable("F0911", "GL", DATA, "09")
F0005 = TxTable("F0005", "DR", CONTROL, "00")
F4101 = TxTable("F4101", "IM", DATA, "41", date_column=None)  # no IMUPMJ
F559999 = TxTable("F559999", "Q9", DATA, "55", user_column=None, date_column=None)  # no audit columns
F5501001 = TxTable("F5501001", "Q1", DATA, "55", user_column="Q1USER2")  # the user column is not Q1USER
DTA, CTL = "PS920DTA", "PS920CTL"


@dataclass
class TxSite:
    target: sa.Engine
    source: sa.Engine
    source_url: URL
    monkeypatch: pytest.MonkeyPatch

    def connect(self, **extras: Any) -> None:
        """(Re)define connection `jdedwards` to the source, with these extras (``catalogue``...)."""
        env = testing.connection_env("jdedwards", self.source_url, conn_type="jdedwards", db_type="postgres", **extras)
        for key, value in env.items():
            self.monkeypatch.setenv(key, value)

    def run(self, as_of: dt.date = AS_OF, run: str = "r1", **params: Any) -> StepContext:
        """LICENSE_JDE_USERS on application 10 as the operator runs it (lease, lock, audit row);
        ``params`` override window_days (90) and max_sessions (None: the application's)."""
        target, hooks = self.target, {}

        class Target:
            engine = target

        def factory(role: str, conn_id: str) -> Any:
            if role == "target":
                return Target()
            if (role, conn_id) not in hooks:
                hooks[role, conn_id] = hook_role(role).create(conn_id)
            return hooks[role, conn_id]

        ctx = StepContext(
            dag_id="nomasx1-license-1",
            step=STEP,
            run_id=f"manual__{run}",
            params={
                "apps_id": APPS_ID,
                "source_connector": "jdedwards",
                "target_connector": "nomasx1",
                "target_schema": "nomasx1",
                "as_of_date": as_of.isoformat(),
                "window_days": 90,
                "max_sessions": None,
                **params,
            },
            log=LOG,
            hook_factory=factory,
        )
        try:
            run_step(transactions.license_jde_users, ctx, job_id="nomasx1-license-1", job_kind="interval")
        finally:
            for hook in hooks.values():
                hook.dispose()
        return ctx

    def rows(self, sql: str, **params: Any) -> list[tuple]:
        with self.target.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql), params)]

    def users(self, table: str | None = None) -> dict[tuple, int]:
        """license_jde_users: (user, schema, table, date) -> transactions (of one table if given)."""
        where = " AND table_name = :t" if table else ""
        found = self.rows(
            "SELECT user_id, schema_name, table_name, transaction_date, transactions FROM nomasx1.license_jde_users "
            f"WHERE apps_id = 10{where}",
            t=table,
        )
        return {r[:4]: int(r[4]) for r in found}

    def days(self, table: str) -> dict[dt.date, int]:
        """license_jde_users of one table: date -> transactions (all users)."""
        return dict(
            self.rows(
                "SELECT transaction_date, sum(transactions)::int FROM nomasx1.license_jde_users "
                "WHERE apps_id = 10 AND table_name = :t GROUP BY 1",
                t=table,
            )
        )

    def tables(self) -> dict[tuple[str, str], dict[str, Any]]:
        """license_jde_tables: (schema, table) -> its row."""
        with self.target.connect() as conn:
            found = conn.execute(sa.text("SELECT * FROM nomasx1.license_jde_tables WHERE apps_id = 10")).mappings()
            return {(r["schema_name"], r["table_name"]): dict(r) for r in found}

    def table(self, name: str, schema: str = DTA) -> dict[str, Any]:
        return self.tables()[schema, name]

    def scan(self, name: str, schema: str = DTA) -> tuple:
        """(status, watermark, window_start, rows_read, transactions, full_scan) of one table."""
        t = self.table(name, schema)
        return (t["status"], t["watermark"], t["window_start"], t["rows_read"], t["transactions"], t["full_scan"])

    def audit(self, run: str) -> list[tuple]:
        return self.rows(
            "SELECT status, rows_written FROM nomasx1.collect_audit WHERE run_id = :r AND step = :s",
            r=f"manual__{run}",
            s=STEP,
        )

    def settings(self, **values: Any) -> None:
        Registry(self.target, "nomasx1").update(APPS_ID, **values)

    def source_sql(self, sql: str) -> None:
        with self.source.begin() as conn:
            conn.exec_driver_sql(sql)


@pytest.fixture
def site(pg_server: URL, pg_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[TxSite]:
    source_url = testing.create_database(pg_server, prefix="nomasx1_tx_src")
    source = sa.create_engine(source_url)
    try:
        create_source(source)
        bootstrap.init_schema(pg_engine, "nomasx1")
        Registry(pg_engine, "nomasx1").add(APPS_ID, "JDE test", source_conn_id="jdedwards")
        with pg_engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO nomasx1.security_users (apps_id, user_id) VALUES "
                "(10, 'APCLRK1'), (10, 'GLUSER1'), (10, 'ADMIN1'), (10, 'JDE')"
            )
        found = TxSite(pg_engine, source, source_url, monkeypatch)
        found.connect()
        yield found
    finally:
        source.dispose()
        testing.drop_database(source_url)


def _three_tables(site: TxSite) -> None:
    """F0411 with the window's edges, blank users, undated rows and an unknown user; F0911; the
    control table F0005 (DRUSER / DRUPMJ)."""
    e = site.source
    for table in (F0411, F0911, F0005):
        create_table(e, table)
    add_many(
        e,
        F0411,
        [
            ("APCLRK1", WINDOW_START, 2),  # first day of the window
            ("APCLRK1", WINDOW_START - dt.timedelta(days=1), 1),  # the day before: out
            ("APCLRK1", AS_OF, 3),  # the as-of date: in
            ("APCLRK1", AS_OF + dt.timedelta(days=1), 4),  # after it: not read
            ("APCLRK1", D(2026, 11, 20), 1),
            ("GLUSER1", D(2026, 11, 27), 2),
            ("EXUSER1", D(2026, 11, 20), 1),  # not in security_users: kept
            (" ", D(2026, 11, 20), 2),  # no user: left out
            ("GLUSER1", 0, 3),  # no date: left out
        ],
    )
    add_many(e, F0911, [("GLUSER1", D(2026, 11, 27), 5), ("APCLRK1", D(2026, 11, 27), 1)])
    add_many(e, F0005, [("JDE", D(2026, 11, 1), 4), ("ADMIN1", AS_OF, 1)])


FIRST_RUN = {
    ("APCLRK1", DTA, "F0411", WINDOW_START): 2,
    ("APCLRK1", DTA, "F0411", AS_OF): 3,
    ("APCLRK1", DTA, "F0411", D(2026, 11, 20)): 1,
    ("GLUSER1", DTA, "F0411", D(2026, 11, 27)): 2,
    ("EXUSER1", DTA, "F0411", D(2026, 11, 20)): 1,
    ("GLUSER1", DTA, "F0911", D(2026, 11, 27)): 5,
    ("APCLRK1", DTA, "F0911", D(2026, 11, 27)): 1,
    ("JDE", CTL, "F0005", D(2026, 11, 1)): 4,
    ("ADMIN1", CTL, "F0005", AS_OF): 1,
}


def test_first_run_counts_per_user_table_and_day(site: TxSite, caplog: pytest.LogCaptureFixture) -> None:
    _three_tables(site)
    with caplog.at_level(logging.INFO, logger=LOG.name):
        ctx = site.run()
    assert site.users() == FIRST_RUN
    assert ctx.result.rows == {"license_jde_users": 9, "license_jde_tables": 3}
    # F0411 groups read: APCLRK1 x3 days, GLUSER1, EXUSER1, the blank user, the undated GLUSER1 rows
    assert site.scan("F0411") == ("scanned", AS_OF, WINDOW_START, 7, 9, True)
    assert site.scan("F0911") == ("scanned", D(2026, 11, 27), WINDOW_START, 2, 6, True)
    assert site.scan("F0005", CTL) == ("scanned", AS_OF, WINDOW_START, 2, 5, True)
    f0411, f0005 = site.table("F0411"), site.table("F0005", CTL)
    assert (f0411["system_code"], f0411["user_column"], f0411["date_column"], f0411["reason"]) == (
        "04",
        "RPUSER",
        "RPUPMJ",
        None,
    )
    assert (f0005["system_code"], f0005["user_column"], f0005["date_column"]) == ("00", "DRUSER", "DRUPMJ")
    assert all(t["seconds"] is not None and t["seconds"] >= 0 for t in site.tables().values())
    assert ctx.result.details["users_left_out"] == {"no_user": 2, "no_date": 3}
    assert ctx.result.details["users_unknown"] == {"count": 1, "first": ["EXUSER1"]}
    assert site.audit("r1") == [("success", 12)]
    message = ctx.result.message or ""
    for said in ("3 of 3 tables scanned", "0 skipped", "0 failed", "11 source rows", "rows/s", "slowest: "):
        assert said in message, (said, message)
    # one progress line per scanned table, naming its schema, table and read mode
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith(f"{STEP} ")]
    progress = [re.match(rf"{STEP} (\d+)/(\d+) (\S+): .*\b(full|incremental)\b", line) for line in lines]
    found = {m.group(3): m.group(4) for m in progress if m}
    assert found == {"PS920DTA.F0411": "full", "PS920DTA.F0911": "full", "PS920CTL.F0005": "full"}, lines
    assert sorted(int(m.group(1)) for m in progress if m) == [1, 2, 3]


def test_user_ids_are_trimmed_and_match_the_source_counts(site: TxSite) -> None:
    _three_tables(site)
    site.run()
    assert site.users("F0411") == {
        (u, DTA, "F0411", d): n for (u, d), n in source_counts(site.source, F0411, WINDOW_START, AS_OF).items()
    }
    raw = site.rows("SELECT DISTINCT user_id, length(user_id) FROM nomasx1.license_jde_users ORDER BY 1")
    assert raw == [("ADMIN1", 6), ("APCLRK1", 7), ("EXUSER1", 7), ("GLUSER1", 7), ("JDE", 3)]
    # the materialised view keeps the unknown user, flagged
    bootstrap.refresh_views(site.target, "nomasx1")
    assert site.rows(
        "SELECT user_id, system_code, tables, transactions, known_user FROM nomasx1.license_jde_user_transactions "
        "WHERE apps_id = 10 ORDER BY 1, 2"
    ) == [
        ("ADMIN1", "00", 1, 1, True),
        ("APCLRK1", "04", 1, 6, True),
        ("APCLRK1", "09", 1, 1, True),
        ("EXUSER1", "04", 1, 1, False),
        ("GLUSER1", "04", 1, 2, True),
        ("GLUSER1", "09", 1, 5, True),
        ("JDE", "00", 1, 4, True),
    ]


def test_bad_params_are_refused_changing_nothing(site: TxSite) -> None:
    _three_tables(site)
    for params in ({"window_days": 0}, {"max_sessions": 0}, {"max_sessions": 33}, {"window_days": "ninety"}):
        with pytest.raises(ConfigurationError, match=next(iter(params))):
            site.run(run=f"bad_{next(iter(params))}", **params)
    assert site.tables() == {} and site.users() == {}


def test_window_days_param_and_a_grown_window_rereads_everything(site: TxSite) -> None:
    _three_tables(site)
    one = site.run(window_days=1)  # the 27th and the 28th
    assert site.users("F0411") == {
        ("APCLRK1", DTA, "F0411", AS_OF): 3,
        ("GLUSER1", DTA, "F0411", D(2026, 11, 27)): 2,
    }
    assert site.users("F0005") == {("ADMIN1", CTL, "F0005", AS_OF): 1}
    # F0411: APCLRK1 on the 28th, GLUSER1 on the 27th, the undated rows
    assert site.scan("F0411") == ("scanned", AS_OF, D(2026, 11, 27), 3, 5, True)
    assert one.result.details["users_left_out"] == {"no_user": 0, "no_date": 3}
    # the window grows back to 90 days: its stored start is after the new one, the whole window is read
    site.run(run="r2")
    assert site.users() == FIRST_RUN
    assert site.scan("F0411") == ("scanned", AS_OF, WINDOW_START, 7, 9, True)


def test_scope_audit_columns_overrides_and_skipped_tables(site: TxSite) -> None:
    e = site.source
    for table in (F0411, F0005, F4101, F559999, F5501001):
        create_table(e, table)
    add_rows(e, F0411, "APCLRK1", D(2026, 11, 27), 2)
    add_rows(e, F0005, "JDE", D(2026, 11, 2), 1)
    add_rows(e, F5501001, "ADMIN1", D(2026, 11, 10), 4)
    register(e, "F0618", "YT", "06")  # TBLE without a physical table
    create_table(e, TxTable("F0092", "UL", SYSTEM, "H95"))  # TBLE in the system schema: neither data nor control
    add_rows(e, TxTable("F0092", "UL", SYSTEM), "ADMIN1", D(2026, 11, 27), 1)
    f4801 = create_table(e, TxTable("F4801", "WA", DATA, "48"), registered=False)  # not in F9860
    add_rows(e, f4801, "APCLRK1", D(2026, 11, 27), 1)
    register(e, "P0411", "", "04", kind="APPL")  # not a table
    with site.target.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO nomasx1.settings_jde_sy (system_code, description) VALUES ('01', 'Address Book'); "
            "INSERT INTO nomasx1.settings_jde_rclst (object_name, system_code) VALUES ('F5501001', '01')"
        )

    ctx = site.run()
    listed = site.tables()
    assert set(listed) == {(DTA, "F0411"), (CTL, "F0005"), (DTA, "F4101"), (DTA, "F559999"), (DTA, "F5501001")}
    assert ctx.result.rows == {"license_jde_users": 2, "license_jde_tables": 5}
    assert ctx.result.details["users_scope"]["not_found"] == 2  # F0618, F0092
    assert {k: v["status"] for k, v in listed.items()} == {
        (DTA, "F0411"): "scanned",
        (CTL, "F0005"): "scanned",
        (DTA, "F4101"): "skipped",
        (DTA, "F559999"): "skipped",
        (DTA, "F5501001"): "skipped",
    }
    q9 = listed[DTA, "F559999"]
    assert q9["system_code"] == "55"
    assert "Q9USER" in q9["reason"] and "Q9UPMJ" in q9["reason"] and "F559999.audit_user" in q9["reason"], q9
    im = listed[DTA, "F4101"]
    assert "IMUPMJ" in im["reason"] and "F4101.audit_date" in im["reason"], im
    q1 = listed[DTA, "F5501001"]
    assert "Q1USER" in q1["reason"] and "F5501001.audit_user" in q1["reason"], q1
    assert q1["system_code"] == "01"  # settings_jde_rclst before F9860.SISY
    assert site.users() == {
        ("APCLRK1", DTA, "F0411", D(2026, 11, 27)): 2,
        ("JDE", CTL, "F0005", D(2026, 11, 2)): 1,
    }

    # the connection names F5501001's user column: scanned
    site.connect(catalogue={"F5501001.audit_user": "Q1USER2"})
    site.run(run="r2")
    q1 = site.table("F5501001")
    assert (q1["status"], q1["user_column"], q1["date_column"], q1["reason"]) == ("scanned", "Q1USER2", "Q1UPMJ", None)
    assert site.scan("F5501001") == ("scanned", D(2026, 11, 10), WINDOW_START, 1, 4, True)
    assert site.users("F5501001") == {("ADMIN1", DTA, "F5501001", D(2026, 11, 10)): 4}
    # both columns named: the date column too
    site.source_sql("ALTER TABLE ps920dta.f5501001 RENAME COLUMN q1upmj TO q1date")
    site.connect(catalogue={"F5501001.audit_user": "Q1USER2", "F5501001.audit_date": "Q1DATE"})
    site.run(run="r3")
    q1 = site.table("F5501001")
    assert (q1["status"], q1["user_column"], q1["date_column"]) == ("scanned", "Q1USER2", "Q1DATE")
    assert site.users("F5501001") == {("ADMIN1", DTA, "F5501001", D(2026, 11, 10)): 4}


def test_nothing_to_scan_fails_changing_nothing(site: TxSite) -> None:
    e = site.source
    register(e, "P0411", "", "04", kind="APPL")
    with pytest.raises(ConfigurationError):  # no TBLE object at all
        site.run(run="r0")
    create_table(e, F559999)
    register(e, "F0618", "YT", "06")
    with pytest.raises(ConfigurationError) as refused:  # one table, skipped; one not found
        site.run(run="r1")
    assert "F559999" in str(refused.value)
    assert site.tables() == {} and site.users() == {}
    assert [status for status, _ in site.audit("r1")] == ["failed"]
    # after a good run: the table's audit columns are gone, every table skipped -> nothing changed
    create_table(e, F0411)
    add_rows(e, F0411, "APCLRK1", D(2026, 11, 27), 2)
    site.run(run="r2")
    before_tables, before_users = site.tables(), site.users()
    assert before_users == {("APCLRK1", DTA, "F0411", D(2026, 11, 27)): 2}
    site.source_sql("ALTER TABLE ps920dta.f0411 DROP COLUMN rpuser")
    with pytest.raises(ConfigurationError):
        site.run(D(2026, 11, 29), run="r3")
    assert site.tables() == before_tables and site.users() == before_users
    assert [status for status, _ in site.audit("r3")] == ["failed"]


def _incremental_source(site: TxSite) -> None:
    e = site.source
    create_table(e, F0411)
    create_table(e, F0911)
    add_many(
        e,
        F0411,
        [
            ("APCLRK1", WINDOW_START, 2),  # trimmed by the next day's window
            ("APCLRK1", WINDOW_START + dt.timedelta(days=1), 1),
            ("APCLRK1", D(2026, 11, 20), 1),
            ("APCLRK1", AS_OF, 2),
        ],
    )
    add_rows(e, F0911, "GLUSER1", D(2026, 11, 20), 3)


def test_incremental_reads_from_the_watermark_day_and_trims(site: TxSite, caplog: pytest.LogCaptureFixture) -> None:
    _incremental_source(site)
    site.run(run="r1")
    assert site.scan("F0411") == ("scanned", AS_OF, WINDOW_START, 4, 6, True)
    e = site.source
    add_rows(e, F0411, "APCLRK1", AS_OF, 1)  # the watermark day got a row since
    add_rows(e, F0411, "GLUSER1", D(2026, 11, 29), 2)
    add_rows(e, F0411, "APCLRK1", D(2026, 11, 20), 5)  # before the watermark day: not re-read
    nov29 = D(2026, 11, 29)
    with caplog.at_level(logging.INFO, logger=LOG.name):
        second = site.run(nov29, run="r2")
    start = D(2026, 8, 31)
    assert site.users("F0411") == {
        ("APCLRK1", DTA, "F0411", start): 1,
        ("APCLRK1", DTA, "F0411", D(2026, 11, 20)): 1,
        ("APCLRK1", DTA, "F0411", AS_OF): 3,
        ("GLUSER1", DTA, "F0411", nov29): 2,
    }
    # F0411 read the 28th and the 29th; F0911 its watermark day, the 20th (watermark kept)
    assert site.scan("F0411") == ("scanned", nov29, start, 2, 7, False)
    assert site.scan("F0911") == ("scanned", D(2026, 11, 20), start, 1, 3, False)
    assert site.users("F0911") == {("GLUSER1", DTA, "F0911", D(2026, 11, 20)): 3}
    assert second.result.rows == {"license_jde_users": 3, "license_jde_tables": 2}
    progress = [
        r.getMessage() for r in caplog.records if re.match(rf"{STEP} \d+/\d+ PS920DTA\.F0411: ", r.getMessage())
    ]
    assert len(progress) == 1 and "incremental" in progress[0], progress
    # the same as-of date again: nothing changes, only the watermark days are read
    users = site.users()
    again = site.run(nov29, run="r3")
    assert site.users() == users
    assert site.scan("F0411") == ("scanned", nov29, start, 1, 7, False)  # GLUSER1 on the 29th
    assert site.scan("F0911") == ("scanned", D(2026, 11, 20), start, 1, 3, False)
    assert again.result.rows == {"license_jde_users": 2, "license_jde_tables": 2}
    assert site.audit("r3") == [("success", 4)]


def test_backfill_and_restore_reread_the_whole_window(site: TxSite) -> None:
    e = site.source
    create_table(e, F0411)
    add_many(e, F0411, [("APCLRK1", D(2026, 11, day), 1) for day in range(1, 28)])
    add_rows(e, F0411, "GLUSER1", AS_OF, 2)
    site.run(run="r1")
    assert site.scan("F0411") == ("scanned", AS_OF, WINDOW_START, 28, 29, True)
    # a backfill of the 21st: the watermark (28th) is after its as-of date
    nov21 = D(2026, 11, 21)
    back = site.run(nov21, run="r2")
    assert site.scan("F0411") == ("scanned", nov21, D(2026, 8, 23), 21, 21, True)
    assert set(site.days("F0411")) == {D(2026, 11, day) for day in range(1, 22)}
    # reported: the table (its label, not only the slowest tables' names) and the watermark
    message = back.result.message or ""
    assert "PS920DTA.F0411" in message and "2026-11-28" in message, message
    # the run of the 28th again: from the watermark day (21st), the window's start moved later
    site.run(run="r3")
    assert site.scan("F0411") == ("scanned", AS_OF, WINDOW_START, 8, 29, False)
    # JDE restored from a backup of the 26th: the watermark day's rows are gone from the source
    delete_rows(e, F0411, AS_OF)
    delete_rows(e, F0411, D(2026, 11, 27))
    restored = site.run(D(2026, 11, 29), run="r4")
    assert site.scan("F0411") == ("scanned", D(2026, 11, 26), D(2026, 8, 31), 26, 26, True)
    assert set(site.days("F0411")) == {D(2026, 11, day) for day in range(1, 27)}
    message = restored.result.message or ""
    assert "PS920DTA.F0411" in message and "2026-11-28" in message, message


def test_a_full_reread_that_collapses_a_table_is_refused(site: TxSite) -> None:
    e = site.source
    create_table(e, F0411)
    create_table(e, F0911)
    add_many(e, F0411, [("APCLRK1", D(2026, 11, day), 1) for day in range(1, 28)])
    add_rows(e, F0411, "GLUSER1", AS_OF, 2)
    add_rows(e, F0911, "GLUSER1", D(2026, 11, 27), 1)
    site.run(run="r1")
    users, f0411 = site.users("F0411"), site.table("F0411")
    # restored from an old backup: only two days left of F0411 (29 transactions -> 2)
    kept = f"{to_julian(D(2026, 11, 2))}, {to_julian(D(2026, 11, 3))}"
    site.source_sql(f"DELETE FROM ps920dta.f0411 WHERE rpupmj NOT IN ({kept})")
    add_rows(e, F0911, "GLUSER1", D(2026, 11, 29), 1)
    with pytest.raises(Exception, match="F0411"):
        site.run(D(2026, 11, 29), run="r2")
    failed = site.table("F0411")
    assert failed["status"] == "failed" and "collapse_max_shrink" in failed["reason"], failed
    assert failed["watermark"] == f0411["watermark"] and site.users("F0411") == users
    assert site.scan("F0911")[:2] == ("scanned", D(2026, 11, 29))  # the other table went on
    site.settings(collapse_max_shrink=1)
    site.run(D(2026, 11, 29), run="r3")
    assert site.scan("F0411")[:5] == ("scanned", D(2026, 11, 3), D(2026, 8, 31), 2, 2)
    assert site.users("F0411") == {
        ("APCLRK1", DTA, "F0411", D(2026, 11, 2)): 1,
        ("APCLRK1", DTA, "F0411", D(2026, 11, 3)): 1,
    }


def test_a_table_that_fails_leaves_the_others_committed(site: TxSite) -> None:
    _three_tables(site)
    site.run(run="r1")
    f0911_before, f0911_users = site.table("F0911"), site.users("F0911")
    nov29 = D(2026, 11, 29)
    add_rows(site.source, F0411, "APCLRK1", nov29, 2)
    add_rows(site.source, F0911, "GLUSER1", nov29, 2)
    # GLUPMJ becomes a text column: comparing it with a Julian number fails on the source
    site.source_sql("ALTER TABLE ps920dta.f0911 ALTER COLUMN glupmj TYPE varchar(6) USING glupmj::text")
    with pytest.raises(Exception, match="F0911") as failed:
        site.run(nov29, run="r2", max_sessions=1)
    assert "F0411" not in str(failed.value).replace("F0911", "")
    f0911 = site.table("F0911")
    assert f0911["status"] == "failed" and f0911["reason"], f0911
    assert (f0911["watermark"], f0911["window_start"], f0911["transactions"]) == (
        f0911_before["watermark"],
        f0911_before["window_start"],
        f0911_before["transactions"],
    )
    assert site.users("F0911") == f0911_users
    # F0411 and F0005 committed, each with its watermark: F0411 read from the 28th (APCLRK1 on the
    # 28th and the 29th, the undated rows), 30 August trimmed, the 29th: 4 rows + the 2 new ones
    assert site.scan("F0411") == ("scanned", nov29, D(2026, 8, 31), 3, 13, False)
    assert site.users("F0411")["APCLRK1", DTA, "F0411", nov29] == 6
    assert site.scan("F0005", CTL)[:2] == ("scanned", AS_OF)
    assert [status for status, _ in site.audit("r2")] == ["failed"]
    # repaired: the next run completes
    site.source_sql("ALTER TABLE ps920dta.f0911 ALTER COLUMN glupmj TYPE numeric(6,0) USING glupmj::numeric")
    site.run(nov29, run="r3")
    assert site.scan("F0911") == ("scanned", nov29, D(2026, 8, 31), 3, 8, False)
    assert site.users("F0911")["GLUSER1", DTA, "F0911", nov29] == 2
    assert site.table("F0911")["reason"] is None


class Killed(BaseException):
    """Not an Exception: nothing in the step catches it, as nothing runs on after a killed worker."""


def test_killed_in_a_table_leaves_it_wholly_before(site: TxSite, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker dies inside F0911's transaction, after its rows were written: F0911 is as the
    last run left it (rows, watermark, status); every other table is wholly before or after."""
    _three_tables(site)
    site.run(run="r1")
    before, users_before = site.tables(), site.users()
    nov29 = D(2026, 11, 29)
    for table in (F0411, F0911, F0005):
        add_rows(site.source, table, "APCLRK1", nov29, 1)
    real = transactions._load_table

    def dies_in_f0911(s: Any, table: Any, window: Any) -> Any:
        scan = real(s, table, window)
        if table.table_name == "F0911":
            raise Killed
        return scan

    monkeypatch.setattr(transactions, "_load_table", dies_in_f0911)
    with pytest.raises(Killed):
        site.run(nov29, run="r2", max_sessions=1)
    monkeypatch.undo()
    site.connect()
    after, users = site.tables(), site.users()
    assert after[DTA, "F0911"] == before[DTA, "F0911"]
    assert {k: n for k, n in users.items() if k[2] == "F0911"} == {
        k: n for k, n in users_before.items() if k[2] == "F0911"
    }
    for key, row in after.items():  # each table's rows agree with its watermark and total
        mine = [(k[3], n) for k, n in users.items() if (k[1], k[2]) == key]
        assert (row["watermark"], row["transactions"]) == (max(d for d, _ in mine), sum(n for _, n in mine)), key
        assert row["watermark"] in (before[key]["watermark"], nov29), key
    site.run(nov29, run="r3")
    assert {k: v["watermark"] for k, v in site.tables().items()} == {
        (DTA, "F0411"): nov29,
        (DTA, "F0911"): nov29,
        (CTL, "F0005"): nov29,
    }
    assert site.users("F0911")["APCLRK1", DTA, "F0911", nov29] == 1


def test_max_sessions_do_not_change_the_rows(site: TxSite) -> None:
    e = site.source
    tables = [TxTable(f"F55{n:02d}01", f"Q{n}", DATA, "55") for n in range(1, 6)] + [F0005]
    for n, table in enumerate(tables, start=1):
        create_table(e, table)
        add_many(e, table, [("APCLRK1", D(2026, 11, d), d % 3 + n) for d in range(1, 28, n)] + [("GLUSER1", 0, 1)])
    results = []
    for sessions, settings in ((1, None), (3, None), (None, 2)):
        if settings is not None:
            site.settings(license_max_sessions=settings)
        with site.target.begin() as conn:
            conn.exec_driver_sql("DELETE FROM nomasx1.license_jde_users; DELETE FROM nomasx1.license_jde_tables")
        ctx = site.run(run=f"s{sessions}", max_sessions=sessions)
        assert ctx.result.details["users_tables"]["sessions"] == (sessions or settings), ctx.result.details
        scans = {k: (v["status"], v["watermark"], v["rows_read"], v["transactions"]) for k, v in site.tables().items()}
        results.append((site.users(), scans, ctx.result.rows, ctx.result.details["users_left_out"]))
    assert results[0] == results[1] == results[2]
    users, scans, rows, left_out = results[0]
    assert rows == {"license_jde_users": len(users), "license_jde_tables": 6}
    assert left_out == {"no_user": 0, "no_date": 6}
    for table in tables:
        expected = source_counts(e, table, WINDOW_START, AS_OF)
        assert {(u, d): n for (u, _, t, d), n in users.items() if t == table.name} == expected
