"""nomasx1-out-1 (Object Usage Tracking, F98911) step by step on a hand-built F98911.

The JDE source is a PostgreSQL database holding only sy920.f98911 with the catalogue's physical
columns (tests/support/out.py); the target is a fresh nomasx1 schema with application 10, two
known users (APCLRK1, GLUSER1) and three objects in jde_objects.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL
from support.out import add_usage, create_f98911, f98911_rows

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.applications import Registry
from airflow_provider_nomasx1.collectors.licence import out
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.errors import ConfigurationError, SourceUnavailableError
from airflow_provider_nomasx1.hooks.roles import hook_role
from airflow_provider_nomasx1.operators.step import run_step
from airflow_provider_nomasx1.schema import bootstrap

APPS_ID = 10
AS_OF = dt.date(2026, 11, 28)
LOG = logging.getLogger("nomasx1.tests.out")
D = dt.date


@dataclass
class OutSite:
    target: sa.Engine
    source: sa.Engine
    source_url: URL

    def run(self, function: Callable[[StepContext], Any], as_of: dt.date = AS_OF, run: str = "r1") -> StepContext:
        """One step on application 10, under the lock and audit as the operator runs it."""
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
            dag_id="nomasx1-out-1",
            step=function.__name__.upper(),
            run_id=f"manual__{run}_{function.__name__}",
            params={
                "apps_id": APPS_ID,
                "source_connector": "jdedwards",
                "target_connector": "nomasx1",
                "target_schema": "nomasx1",
                "as_of_date": as_of.isoformat(),
            },
            log=LOG,
            hook_factory=factory,
        )
        try:
            run_step(function, ctx, job_id="nomasx1-out-1", job_kind="interval")
        finally:
            for hook in hooks.values():
                hook.dispose()
        return ctx

    def load(self, as_of: dt.date = AS_OF, run: str = "r1") -> StepContext:
        return self.run(out.license_jde_out, as_of, run)

    def rows(self, sql: str, **params: Any) -> list[tuple]:
        with self.target.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql), params)]

    def state(self) -> tuple:
        return self.rows(
            "SELECT watermark_date, watermark_time, users_through, rows_read, purged_through "
            f"FROM nomasx1.license_jde_out_state WHERE apps_id = {APPS_ID}"
        )[0]

    def usage(self) -> dict[tuple, tuple]:
        """license_jde_out: (object, form, version, user) -> (type, first, last, uses)."""
        found = self.rows(
            "SELECT object_name, form_name, version, user_id, object_type, first_used, last_used, uses "
            "FROM nomasx1.license_jde_out WHERE apps_id = 10"
        )
        return {r[:4]: r[4:] for r in found}

    def daily_days(self) -> dict[dt.date, int]:
        return dict(
            self.rows(
                "SELECT usage_date, sum(uses)::int FROM nomasx1.license_jde_out_daily WHERE apps_id = 10 GROUP BY 1"
            )
        )

    def settings(self, **values: Any) -> None:
        Registry(self.target, "nomasx1").update(APPS_ID, **values)

    def source_sql(self, sql: str) -> None:
        with self.source.begin() as conn:
            conn.exec_driver_sql(sql)


@pytest.fixture
def site(pg_server: URL, pg_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[OutSite]:
    source_url = testing.create_database(pg_server, prefix="nomasx1_out_src")
    source = sa.create_engine(source_url)
    for key, value in testing.connection_env(
        "jdedwards", source_url, conn_type="jdedwards", db_type="postgres"
    ).items():
        monkeypatch.setenv(key, value)
    try:
        create_f98911(source)
        bootstrap.init_schema(pg_engine, "nomasx1")
        Registry(pg_engine, "nomasx1").add(APPS_ID, "JDE test", source_conn_id="jdedwards")
        with pg_engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO nomasx1.security_users (apps_id, user_id) VALUES (10, 'APCLRK1'), (10, 'GLUSER1')"
            )
            conn.exec_driver_sql(
                "INSERT INTO nomasx1.jde_objects (apps_id, object_name, system_code, object_type) VALUES "
                "(10, 'P0411', '04', 'APPL'), (10, 'P0911', '09', 'APPL'), (10, 'P04012', '04', 'APPL')"
            )
        yield OutSite(pg_engine, source, source_url)
    finally:
        source.dispose()
        testing.drop_database(source_url)


def _usage_of_november(site: OutSite) -> None:
    """APCLRK1 on P0411 (3 days), GLUSER1 on P0911 (type blank in F98911), the deleted account
    EXUSER1 on R04570, and rows never loaded: after the as-of date, dated 0, impossible date."""
    e = site.source
    add_usage(e, "APCLRK1", "P0411", D(2026, 11, 1), 2, form="W0411A", version="ZJDE0001", role="APCLERK")
    add_usage(e, "APCLRK1", "P0411", D(2026, 11, 20), 1, form="W0411A", version="ZJDE0001", role="APCLERK")
    add_usage(e, "APCLRK1", "P0411", D(2026, 11, 27), 3, form="W0411A", version="ZJDE0001", role="APCLERK", time=143000)
    add_usage(e, "APCLRK1", "P04012", D(2026, 11, 27), 1, form="W04012B", version="ZJDE0001", role="APCLERK")
    add_usage(e, "GLUSER1", "P0911", D(2026, 11, 27), 1, form="W0911A", kind="")
    add_usage(e, "EXUSER1", "R04570", D(2026, 11, 26), 2, version="XJDE0001", kind="UBE", env="JDV920")
    add_usage(e, "GLUSER1", "P0911", D(2026, 11, 29), 5, form="W0911A")  # after the as-of date
    add_usage(e, "GLUSER1", "P0911", 0, 4, form="W0911A")  # no date
    add_usage(e, "GLUSER1", "P0911", 126000, 1, form="W0911A")  # day 0 of 2026: impossible


P0411 = ("P0411", "W0411A", "ZJDE0001", "APCLRK1")
P04012 = ("P04012", "W04012B", "ZJDE0001", "APCLRK1")
P0911 = ("P0911", "W0911A", "", "GLUSER1")
R04570 = ("R04570", "", "XJDE0001", "EXUSER1")


def test_first_run_reads_everything_up_to_the_as_of_date(site: OutSite) -> None:
    _usage_of_november(site)
    ctx = site.load()
    assert ctx.result.rows == {"license_jde_out_daily": 6, "license_jde_out": 4}
    assert site.usage() == {
        P0411: ("APPL", D(2026, 11, 1), D(2026, 11, 27), 6),
        P04012: ("APPL", D(2026, 11, 27), D(2026, 11, 27), 1),
        P0911: ("APPL", D(2026, 11, 27), D(2026, 11, 27), 1),  # type from jde_objects (F9860)
        R04570: ("UBE", D(2026, 11, 26), D(2026, 11, 26), 2),  # unknown user kept
    }
    # groups read: P0411 x3 days, P04012, P0911, R04570, the impossible date (the 0 and the 29th are not read)
    assert site.state() == (D(2026, 11, 27), 143002, None, 7, None)
    assert site.daily_days() == {D(2026, 11, 1): 2, D(2026, 11, 20): 1, D(2026, 11, 26): 2, D(2026, 11, 27): 5}
    assert site.rows(
        "SELECT role, environment, object_type, uses FROM nomasx1.license_jde_out_daily WHERE user_id = 'EXUSER1'"
    ) == [("*ALL", "JDV920", "UBE", 2)]
    assert ctx.result.details["out_unknown_users"] == {"count": 1, "first": ["EXUSER1"]}
    assert ctx.result.details["out_skipped_rows"]["no_date_uses"] == 1
    assert "1 with an impossible date" in ctx.result.message
    assert site.rows("SELECT status, rows_written FROM nomasx1.collect_audit WHERE step = 'LICENSE_JDE_OUT'") == [
        ("success", 10)
    ]


def test_rerun_is_idempotent_and_the_watermark_day_is_replaced(site: OutSite) -> None:
    _usage_of_november(site)
    site.load(run="r1")
    first = site.usage()
    again = site.load(run="r2")
    assert site.usage() == first  # uses exact after re-reading the watermark day
    assert again.result.rows == {"license_jde_out_daily": 3, "license_jde_out": 0}  # nothing changed
    assert site.state()[3] == 3  # only the watermark day (27th) was read: P0411, P04012, P0911
    # new rows on the watermark day and the day after
    add_usage(site.source, "APCLRK1", "P0411", D(2026, 11, 27), 2, form="W0411A", version="ZJDE0001",
              role="APCLERK", time=170000)  # fmt: skip
    add_usage(site.source, "GLUSER1", "P0911", D(2026, 11, 28), 1, form="W0911A", time=80000)
    third = site.load(run="r3")
    assert site.usage()[P0411] == ("APPL", D(2026, 11, 1), D(2026, 11, 27), 8)
    assert site.usage()[P0911] == ("APPL", D(2026, 11, 27), D(2026, 11, 28), 2)
    assert site.usage()[R04570] == first[R04570]
    assert third.result.details["out_window"]["license_jde_out_changed"] == 2
    assert site.state()[:2] == (D(2026, 11, 28), 80000) and site.state()[3] == 4
    assert site.daily_days()[D(2026, 11, 27)] == 7
    # the next day: only the rows from the watermark day (28th) on are read
    add_usage(site.source, "GLUSER1", "P0911", D(2026, 11, 30), 2, form="W0911A")
    site.load(D(2026, 11, 30), run="r4")
    state = site.state()
    assert (state[0], state[3]) == (D(2026, 11, 30), 3)  # P0911 on the 28th, 29th (5 rows) and 30th
    assert site.usage()[P0911] == ("APPL", D(2026, 11, 27), D(2026, 11, 30), 9)
    assert site.usage()[P0411] == ("APPL", D(2026, 11, 1), D(2026, 11, 27), 8)


def test_objects_and_users_aggregation(site: OutSite) -> None:
    _usage_of_november(site)
    site.load()
    objects = site.run(out.license_jde_out_objects)
    assert objects.result.rows == {"license_jde_out_objects": 4}
    assert site.rows(
        "SELECT object_name, object_type, system_code, users, uses, first_used, last_used "
        "FROM nomasx1.license_jde_out_objects WHERE apps_id = 10 ORDER BY 1"
    ) == [
        ("P04012", "APPL", "04", 1, 1, D(2026, 11, 27), D(2026, 11, 27)),
        ("P0411", "APPL", "04", 1, 6, D(2026, 11, 1), D(2026, 11, 27)),
        ("P0911", "APPL", "09", 1, 1, D(2026, 11, 27), D(2026, 11, 27)),
        ("R04570", "UBE", None, 1, 2, D(2026, 11, 26), D(2026, 11, 26)),
    ]
    add_usage(site.source, "GLUSER1", "P0411", D(2026, 11, 27), 1, form="W0411A", version="ZJDE0001")
    site.load(run="r2")
    site.run(out.license_jde_out_objects, run="r2")
    assert site.rows("SELECT users, uses FROM nomasx1.license_jde_out_objects WHERE object_name = 'P0411'") == [(2, 7)]
    users = site.run(out.license_jde_out_users)
    assert users.result.rows == {"license_jde_out_users": 5}
    assert site.rows(
        "SELECT user_id, usage_date, role, environment, objects, uses FROM nomasx1.license_jde_out_users "
        "WHERE apps_id = 10 ORDER BY 1, 2, 3"
    ) == [
        ("APCLRK1", D(2026, 11, 1), "APCLERK", "JPD920", 1, 2),
        ("APCLRK1", D(2026, 11, 20), "APCLERK", "JPD920", 1, 1),
        ("APCLRK1", D(2026, 11, 27), "APCLERK", "JPD920", 2, 4),  # P0411 x3 and P04012
        ("EXUSER1", D(2026, 11, 26), "*ALL", "JDV920", 1, 2),
        ("GLUSER1", D(2026, 11, 27), "*ALL", "JPD920", 2, 2),  # P0911 and P0411
    ]
    assert site.state()[2] == D(2026, 11, 27)
    # two loads without the users step (it failed, say): the next one catches both up
    add_usage(site.source, "APCLRK1", "P0411", D(2026, 11, 27), 1, form="W0411A", version="ZJDE0001", role="APCLERK")
    site.load(run="r3")
    add_usage(site.source, "APCLRK1", "P0411", D(2026, 11, 29), 2, form="W0411A", version="ZJDE0001", role="APCLERK")
    site.load(D(2026, 11, 29), run="r4")
    again = site.run(out.license_jde_out_users, D(2026, 11, 29), run="r4")
    assert again.result.details["out_users_window"] == {"from": "2026-11-27", "through": "2026-11-29"}
    assert site.rows(
        "SELECT usage_date, objects, uses FROM nomasx1.license_jde_out_users WHERE user_id = 'APCLRK1' "
        "AND usage_date >= '2026-11-27' ORDER BY 1"
    ) == [(D(2026, 11, 27), 2, 5), (D(2026, 11, 29), 1, 2)]
    # GLUSER1's P0911 rows of the 29th were in F98911 before the as-of date moved: read now too
    assert site.rows(
        "SELECT uses FROM nomasx1.license_jde_out_users WHERE user_id = 'GLUSER1' AND usage_date = '2026-11-29'"
    ) == [(5,)]
    assert site.state()[2] == D(2026, 11, 29)


def test_purge_by_retention_keeps_days_not_aggregated(site: OutSite) -> None:
    _usage_of_november(site)
    site.load(D(2026, 11, 20), run="r1")  # 1st and 20th
    site.run(out.license_jde_out_users, D(2026, 11, 20), run="r1")  # aggregated through the 20th
    site.load(AS_OF, run="r2")  # 20th (re-read) to 28th, users not aggregated since
    site.settings(out_retention_days=1)  # cutoff: 27th
    before = site.usage()
    purge = site.run(out.license_jde_out_purge, run="r2")
    assert purge.result.rows == {"license_jde_out_daily": 1}  # the 1st only
    # the 20th (users_through: re-aggregated next time) and the 26th (not aggregated yet) stay
    assert site.daily_days() == {D(2026, 11, 20): 1, D(2026, 11, 26): 2, D(2026, 11, 27): 5}
    assert purge.result.details["out_purge"] == {"before": "2026-11-20", "deleted": 1, "kept_unaggregated": 2}
    assert "2 raw OUT rows older than 2026-11-27 kept" in purge.result.message
    assert site.state()[4] == D(2026, 11, 20)
    assert site.usage() == before  # the last usage is kept beyond the purge
    assert f98911_rows(site.source) == 20  # the JDE purge is off by default: F98911 untouched
    site.run(out.license_jde_out_users, run="r3")
    site.run(out.license_jde_out_purge, run="r3")
    assert site.daily_days() == {D(2026, 11, 27): 5}  # aggregated now: only the watermark day stays
    site.load(run="r4")
    assert site.usage() == before  # uses stay exact after the purge
    site.settings(out_purge=False, out_retention_days=1)
    add_usage(site.source, "APCLRK1", "P0411", D(2026, 11, 28), 1, form="W0411A", version="ZJDE0001", role="APCLERK")
    site.load(D(2026, 11, 30), run="r5")
    site.run(out.license_jde_out_users, D(2026, 11, 30), run="r5")
    assert site.run(out.license_jde_out_purge, D(2026, 11, 30), run="r5").result.rows == {"license_jde_out_daily": 0}
    assert set(site.daily_days()) == {D(2026, 11, 27), D(2026, 11, 28), D(2026, 11, 29)}


@pytest.fixture
def purge_conn(site: OutSite, monkeypatch: pytest.MonkeyPatch) -> str:
    """`jde_out_admin`: a connection to the same JDE database, allowed to delete (superuser)."""
    for key, value in testing.connection_env(
        "jde_out_admin", site.source_url, conn_type="jdedwards", db_type="postgres"
    ).items():
        monkeypatch.setenv(key, value)
    return "jde_out_admin"


def test_jde_purge_deletes_only_loaded_rows_older_than_the_retention(
    site: OutSite, purge_conn: str, caplog: pytest.LogCaptureFixture
) -> None:
    _usage_of_november(site)
    site.load()  # watermark: 27th
    site.settings(jde_out_purge=True, jde_out_purge_connector=purge_conn, jde_out_retention_days=10)  # before 18th
    with caplog.at_level(logging.INFO, logger="nomasx1.tests.out"):
        purge = site.run(out.license_jde_out_purge)
    # the 1st (2 rows) and the impossible date 126000 (read and reported, before the limit); the 0 stays
    assert purge.result.details["jde_out_purge"] == {
        "connection": "jde_out_admin",
        "table": "sy920.f98911",
        "before": "2026-11-18",
        "deleted": 3,
    }
    assert any(
        "deleting 3 F98911 rows of sy920.f98911 dated before 2026-11-18" in r.getMessage() for r in caplog.records
    )
    assert f98911_rows(site.source) == 17
    with site.source.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM sy920.f98911 WHERE ouupmj = 0").scalar() == 4
    # retention 1 day on the 30th: only rows before the watermark day (27th) go, never one not loaded yet
    add_usage(site.source, "APCLRK1", "P0411", D(2026, 11, 28), 1, form="W0411A", version="ZJDE0001")
    site.settings(jde_out_retention_days=1)
    purge = site.run(out.license_jde_out_purge, D(2026, 11, 30), run="r2")
    assert purge.result.details["jde_out_purge"]["deleted"] == 3  # the 20th and the 26th (x2)
    with site.source.connect() as conn:
        left = conn.exec_driver_sql("SELECT ouupmj, count(*) FROM sy920.f98911 GROUP BY 1 ORDER BY 1").all()
    assert [(int(d), n) for d, n in left] == [(0, 4), (126331, 5), (126332, 1), (126333, 5)]
    assert "F98911 rows dated before 2026-11-27 deleted in JDE" in purge.result.message
    assert site.usage()[P0411][3] == 6  # nomasx1 keeps the usage


def test_jde_purge_without_connector_or_grant_is_refused_changing_nothing(
    site: OutSite, purge_conn: str, pg_server: URL, monkeypatch: pytest.MonkeyPatch
) -> None:
    _usage_of_november(site)
    site.load()
    site.run(out.license_jde_out_users)
    site.settings(out_retention_days=1)
    with pytest.raises(ConfigurationError, match="jde_out_purge needs jde_out_purge_connector"):
        site.settings(jde_out_purge=True)  # the registry refuses it
    with site.target.begin() as conn:  # set by hand anyway
        conn.exec_driver_sql("UPDATE nomasx1.settings_jdedwards SET jde_out_purge = true WHERE apps_id = 10")
    days = site.daily_days()
    with pytest.raises(ConfigurationError, match="jde_out_purge is on but jde_out_purge_connector is empty"):
        site.run(out.license_jde_out_purge)
    assert site.daily_days() == days and f98911_rows(site.source) == 20
    # a connection whose login may read F98911 but not delete from it
    role = f"out_ro_{site.source_url.database[-10:]}"
    admin = sa.create_engine(pg_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN PASSWORD 'ro'")
    try:
        site.source_sql(f"GRANT USAGE ON SCHEMA sy920 TO {role}; GRANT SELECT ON sy920.f98911 TO {role}")
        url = site.source_url.set(username=role, password="ro")
        for key, value in testing.connection_env("jde_ro", url, conn_type="jdedwards", db_type="postgres").items():
            monkeypatch.setenv(key, value)
        site.settings(jde_out_purge=True, jde_out_purge_connector="jde_ro", jde_out_retention_days=10)
        with pytest.raises(ConfigurationError) as refused:
            site.run(out.license_jde_out_purge)
        message = str(refused.value)
        assert "connection 'jde_ro' (jde_out_purge_connector) may not delete from sy920.f98911" in message
        assert f"GRANT DELETE ON sy920.f98911 TO {role}" in message and "--no-jde-out-purge" in message
        assert site.daily_days() == days and f98911_rows(site.source) == 20  # the nomasx1 purge rolled back too
        assert site.rows("SELECT status FROM nomasx1.collect_audit WHERE step = 'LICENSE_JDE_OUT_PURGE'")[-1] == (
            "failed",
        )
    finally:
        site.source_sql(f"REVOKE ALL ON sy920.f98911 FROM {role}; REVOKE ALL ON SCHEMA sy920 FROM {role}")
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP ROLE {role}")
        admin.dispose()


def test_missing_column_table_and_empty_first_run(site: OutSite) -> None:
    site.source_sql("ALTER TABLE sy920.f98911 RENAME COLUMN ouuser TO ouusr")
    with pytest.raises(SourceUnavailableError) as missing:
        site.load()
    message = str(missing.value)
    assert "sy920.f98911 has no column ouuser (user_id)" in message
    assert '"catalogue": {"F98911.user_id": "<COLUMN>"}' in message
    assert "unverified" in message and "docs/license.md" in message
    site.source_sql("ALTER TABLE sy920.f98911 DROP COLUMN ourole, DROP COLUMN ouusr, ADD COLUMN ouuser char(10)")
    add_usage_raw = "INSERT INTO sy920.f98911 (ouobnm, ouuser, ouupmj, ouupmt) VALUES ('P0411', 'APCLRK1', 126331, 1)"
    site.source_sql(add_usage_raw)
    ctx = site.load()  # an optional column missing: read as empty, said
    assert "F98911 has no column ourole (role): sign-on role read as empty" in ctx.result.message
    assert site.rows("SELECT role, uses FROM nomasx1.license_jde_out_daily") == [("", 1)]
    site.source_sql("DROP TABLE sy920.f98911")
    with pytest.raises(SourceUnavailableError, match=r"Object Usage Tracking not found: .*P980042T.*pause this job"):
        site.load(run="r2")


def test_empty_f98911_on_the_first_run_is_reported_not_failed(site: OutSite) -> None:
    ctx = site.load()
    assert ctx.result.rows == {"license_jde_out_daily": 0, "license_jde_out": 0}
    assert "holds no usage row up to 2026-11-28: Object Usage Tracking may not be enabled" in ctx.result.message
    assert site.state() == (None, None, None, 0, None)
    assert site.rows("SELECT status, message LIKE '%P980042T%' FROM nomasx1.collect_audit") == [("success", True)]


def test_killed_run_leaves_watermark_and_rows_unchanged(site: OutSite, monkeypatch: pytest.MonkeyPatch) -> None:
    _usage_of_november(site)
    site.load()
    state, usage, days = site.state(), site.usage(), site.daily_days()
    add_usage(site.source, "APCLRK1", "P0411", D(2026, 11, 28), 4, form="W0411A", version="ZJDE0001")

    def killed(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("worker killed")

    with monkeypatch.context() as patched, pytest.raises(RuntimeError, match="worker killed"):
        patched.setattr(out, "move_watermark", killed)  # after the rows, before the watermark
        site.load(run="r2")
    assert (site.state(), site.usage(), site.daily_days()) == (state, usage, days)
    assert site.rows("SELECT status FROM nomasx1.collect_audit WHERE run_id = 'manual__r2_license_jde_out'") == [
        ("failed",)
    ]
    site.load(run="r3")
    assert site.usage()[P0411] == ("APPL", D(2026, 11, 1), D(2026, 11, 28), 10)


def test_watermark_ahead_of_the_source_rereads_the_raw_days(site: OutSite) -> None:
    _usage_of_november(site)
    site.load()
    before = site.usage()
    # a backfill of the 21st: the watermark (27th) is after it; the raw days up to the 21st are re-read
    back = site.load(D(2026, 11, 21), run="r2")
    assert "re-reading from the earliest day still in license_jde_out_daily, 2026-11-01, to 2026-11-21" in (
        back.result.message
    )
    assert site.usage() == before and site.state()[0] == D(2026, 11, 20)
    site.load(run="r3")
    assert site.usage() == before and site.state()[0] == D(2026, 11, 27)
    # JDE restored from a backup of the 21st: the watermark day is gone from F98911
    site.source_sql("DELETE FROM sy920.f98911 WHERE ouupmj >= 126325")
    restored = site.load(run="r4")
    assert "no row on or after the watermark day 2026-11-27" in restored.result.message
    assert site.usage()[P0411] == ("APPL", D(2026, 11, 1), D(2026, 11, 27), 3)  # uses now those of F98911
    assert site.daily_days() == {D(2026, 11, 1): 2, D(2026, 11, 20): 1}
    assert site.state()[0] == D(2026, 11, 20)
    # F98911 emptied outside nomasx1: nothing replaced, the usage loaded is kept
    site.source_sql("DELETE FROM sy920.f98911")
    emptied = site.load(run="r5")
    assert "nothing was replaced" in emptied.result.message
    assert site.daily_days() == {D(2026, 11, 1): 2, D(2026, 11, 20): 1} and site.state()[0] == D(2026, 11, 20)
