"""nomasx1-employees-1 end to end through Airflow (dag.test) on the tiny synthetic JDE source:
the fixtures' people, internal and external, the leaver marked, two extract dates kept."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import URL

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.applications import Registry
from airflow_provider_nomasx1.demo.jde_generator import generate
from airflow_provider_nomasx1.schema import bootstrap

AS_OF = dt.date(2026, 11, 28)


def _rows(engine: sa.Engine, sql: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql))]


def test_employees_job_through_airflow(pg_server: URL, airflow_db: str) -> None:
    source, target = testing.create_database(pg_server, "jde_emp"), testing.create_database(pg_server, "nomasx1_emp")
    engine = sa.create_engine(target)
    try:
        generate(source, profile="tiny", seed=1, as_of=AS_OF)
        bootstrap.init_schema(engine, "nomasx1")
        Registry(engine, "nomasx1").add(10, "JDE tiny", source_conn_id="jdedwards")
        env = testing.connection_env("jdedwards", source, conn_type="jdedwards", db_type="postgres")
        env |= testing.connection_env("nomasx1", target)

        for day in (AS_OF, AS_OF + dt.timedelta(days=7)):
            run = testing.run_bundled_dag(
                "nomasx1-employees-1", env=env, conf={"apps_id": 10, "as_of_date": day.isoformat()}
            )
            assert run.state == "success", run
            assert run.tasks == dict.fromkeys(["LICENSE_JDE_EMPLOYEES", "LICENSE_POSITION", "REFRESH_VIEWS"], "success")

        counts = _rows(
            engine,
            "SELECT extract_date, count(*), count(*) FILTER (WHERE internal), count(*) FILTER (WHERE terminated) "
            "FROM nomasx1.license_jde_employees WHERE apps_id = 10 GROUP BY 1 ORDER BY 1",
        )
        assert [c[0] for c in counts] == [AS_OF, AS_OF + dt.timedelta(days=7)]
        people, internal, terminated = counts[0][1:]
        assert people == counts[1][1] and people > 10 and 0 < internal < people and terminated >= 1
        # the named fixtures: Erin is a current employee without an account, Frank left 400 days ago
        assert _rows(
            engine,
            "SELECT address_number, name, internal, in_hr_master, terminated, termination_date, jde_users "
            "FROM nomasx1.license_jde_employees WHERE extract_date = DATE '2026-11-28' "
            "AND address_number IN (1020, 1021) ORDER BY 1",
        ) == [
            (1020, "EMPLOYEE, Erin", True, True, False, None, 0),
            (1021, "FORMER, Frank", True, True, True, AS_OF - dt.timedelta(days=400), 0),
        ]
        audit = _rows(
            engine,
            "SELECT status, rows_written FROM nomasx1.collect_audit WHERE step = 'LICENSE_JDE_EMPLOYEES' ORDER BY 1",
        )
        assert audit == [("success", people), ("success", people)]
    finally:
        engine.dispose()
        testing.drop_database(source)
        testing.drop_database(target)
