"""nomasx1-out-1 end to end through Airflow (dag.test) on the tiny synthetic JDE source.

The synthetic generator does not create F98911 yet: the test (re)creates sy920.f98911 by hand in
the generated source with the catalogue's physical columns and a few rows (tests/support/out.py).
First run: every step succeeds, the usage is loaded, aggregated per object and per user and day,
the raw rows beyond the retention purged. Second run with new rows on the watermark day: the uses
stay exact.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import URL
from support.out import add_usage, create_f98911, f98911_rows

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.applications import Registry
from airflow_provider_nomasx1.demo.jde_generator import generate
from airflow_provider_nomasx1.schema import bootstrap

AS_OF = dt.date(2026, 11, 28)
STEPS = [
    "LICENSE_JDE_OUT",
    "LICENSE_JDE_OUT_OBJECTS",
    "LICENSE_JDE_OUT_USERS",
    "LICENSE_JDE_OUT_PURGE",
    "LICENSE_POSITION",
    "REFRESH_VIEWS",
]


def _rows(engine: sa.Engine, sql: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql))]


def test_out_job_through_airflow(pg_server: URL, airflow_db: str) -> None:
    source, target = testing.create_database(pg_server, "jde_out"), testing.create_database(pg_server, "nomasx1_out")
    engine, src = sa.create_engine(target), sa.create_engine(source)
    try:
        generate(source, profile="tiny", seed=1, as_of=AS_OF)
        create_f98911(src)
        add_usage(src, "APCLRK1", "P0411", dt.date(2026, 6, 1), 3, form="W0411A", version="ZJDE0001", role="APCLERK")
        add_usage(src, "APCLRK1", "P0411", dt.date(2026, 11, 27), 2, form="W0411A", version="ZJDE0001", role="APCLERK")
        add_usage(src, "GLUSER1", "R09801", dt.date(2026, 11, 27), 1, version="XJDE0001", kind="UBE", time=143000)
        bootstrap.init_schema(engine, "nomasx1")
        Registry(engine, "nomasx1").add(10, "JDE tiny", source_conn_id="jdedwards")
        env = testing.connection_env("jdedwards", source, conn_type="jdedwards", db_type="postgres")
        env |= testing.connection_env("nomasx1", target)
        conf = {"apps_id": 10, "as_of_date": AS_OF.isoformat()}

        first = testing.run_bundled_dag("nomasx1-out-1", env=env, conf=conf)
        assert first.state == "success", first
        assert first.tasks == dict.fromkeys(STEPS, "success")
        assert _rows(
            engine,
            "SELECT object_name, user_id, object_type, first_used, last_used, uses FROM nomasx1.license_jde_out "
            "ORDER BY 1",
        ) == [
            ("P0411", "APCLRK1", "APPL", dt.date(2026, 6, 1), dt.date(2026, 11, 27), 5),
            ("R09801", "GLUSER1", "UBE", dt.date(2026, 11, 27), dt.date(2026, 11, 27), 1),
        ]
        assert _rows(engine, "SELECT object_name, users, uses FROM nomasx1.license_jde_out_objects ORDER BY 1") == [
            ("P0411", 1, 5),
            ("R09801", 1, 1),
        ]
        assert _rows(
            engine, "SELECT user_id, usage_date, role, objects, uses FROM nomasx1.license_jde_out_users ORDER BY 1, 2"
        ) == [
            ("APCLRK1", dt.date(2026, 6, 1), "APCLERK", 1, 3),
            ("APCLRK1", dt.date(2026, 11, 27), "APCLERK", 1, 2),
            ("GLUSER1", dt.date(2026, 11, 27), "*ALL", 1, 1),
        ]
        # the raw rows of June are beyond the 90 days retained: purged once aggregated
        assert _rows(engine, "SELECT DISTINCT usage_date FROM nomasx1.license_jde_out_daily") == [
            (dt.date(2026, 11, 27),)
        ]
        assert _rows(
            engine,
            "SELECT watermark_date, watermark_time, users_through, purged_through FROM nomasx1.license_jde_out_state",
        ) == [(dt.date(2026, 11, 27), 143000, dt.date(2026, 11, 27), dt.date(2026, 8, 30))]
        assert f98911_rows(src) == 6  # read-only on JDE by default
        assert _rows(
            engine,
            "SELECT step, status FROM nomasx1.collect_audit WHERE dag_id = 'nomasx1-out-1' ORDER BY started_at",
        ) == [(step, "success") for step in STEPS]

        add_usage(src, "APCLRK1", "P0411", dt.date(2026, 11, 27), 1, form="W0411A", version="ZJDE0001", role="APCLERK")
        second = testing.run_bundled_dag("nomasx1-out-1", env=env, conf=conf)
        assert second.state == "success", second
        assert _rows(engine, "SELECT object_name, uses FROM nomasx1.license_jde_out ORDER BY 1") == [
            ("P0411", 6),
            ("R09801", 1),
        ]
        assert _rows(
            engine, "SELECT uses FROM nomasx1.license_jde_out_users WHERE user_id = 'APCLRK1' ORDER BY usage_date"
        ) == [(3,), (3,)]
        assert _rows(engine, "SELECT rows_read FROM nomasx1.license_jde_out_state") == [(2,)]
    finally:
        engine.dispose()
        src.dispose()
        testing.drop_database(source)
        testing.drop_database(target)
