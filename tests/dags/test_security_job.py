"""nomasx1-security-1 end to end through Airflow (dag.test) on the tiny synthetic JDE source.

First run: every step succeeds, rights are computed with their deciding records, the audit only
takes its baseline. Second run with no JDE change: no audit rows. Then a role is revoked in
JDE: the third run reports REVOKED rows for that user.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import URL

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.applications import Registry
from airflow_provider_nomasx1.collectors.preload import import_reference_bundle
from airflow_provider_nomasx1.demo.jde_generator import generate
from airflow_provider_nomasx1.schema import bootstrap

AS_OF = dt.date(2026, 11, 28)
STEPS = 18


def _rows(engine: sa.Engine, sql: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql))]


def test_security_job_through_airflow(pg_server: URL, airflow_db: str) -> None:
    source, target = testing.create_database(pg_server, "jde_sec"), testing.create_database(pg_server, "nomasx1_sec")
    engine = sa.create_engine(target)
    try:
        generate(source, profile="tiny", seed=1, as_of=AS_OF)
        bootstrap.init_schema(engine, "nomasx1")
        Registry(engine, "nomasx1").add(10, "JDE tiny", source_conn_id="jdedwards")
        import_reference_bundle(engine, "nomasx1", target_apps_ids=(10,))
        env = testing.connection_env("jdedwards", source, conn_type="jdedwards", db_type="postgres")
        env |= testing.connection_env("nomasx1", target)
        conf = {"apps_id": 10, "as_of_date": AS_OF.isoformat()}

        first = testing.run_bundled_dag("nomasx1-security-1", env=env, conf=conf)
        assert first.state == "success", first
        assert len(first.tasks) == STEPS and set(first.tasks.values()) == {"success"}

        # MULTI1: APCLERK (10), PURCHASE (50), AUDITRO (60) active and in *ALL; GLACCT expires in
        # 180 days (active); SALESREP not in *ALL. P0911: APCLERK denies it first (sequence 10).
        assert _rows(
            engine,
            "SELECT can_run, decided_level, decided_by, decided_object FROM nomasx1.security_rights_users "
            "WHERE user_id = 'MULTI1' AND object_name = 'P0911' AND form_name = '' AND version = ''",
        ) == [(False, "ROLE", "APCLERK", "P0911")]
        # APCLRK2 has a user-level *ALL run Y: it beats every role record
        assert _rows(
            engine,
            "SELECT DISTINCT decided_level, decided_by, decided_object FROM nomasx1.security_rights_users "
            "WHERE user_id = 'APCLRK2'",
        ) == [("USER", "APCLRK2", "*ALL")]
        # FORMUSR1's form-specific user record on W4210E
        assert _rows(
            engine,
            "SELECT can_run, decided_level, decided_form FROM nomasx1.security_rights_users "
            "WHERE user_id = 'FORMUSR1' AND object_name = 'P4210' AND form_name = 'W4210E' ORDER BY version",
        ) == [(False, "USER", "W4210E"), (False, "USER", "W4210E")]  # object level and the menu's ZJDE0001
        audit = _rows(engine, "SELECT count(*) FROM nomasx1.security_rights_audit")
        assert audit == [(0,)]  # the first run is the baseline
        snapshot = _rows(engine, "SELECT count(*) FROM nomasx1.security_rights_snapshot")[0][0]
        assert snapshot > 100
        assert _rows(
            engine,
            "SELECT count(*) FROM nomasx1.collect_audit WHERE dag_id = 'nomasx1-security-1' AND status = 'success'",
        ) == [(STEPS,)]

        second = testing.run_bundled_dag("nomasx1-security-1", env=env, conf=conf)
        assert second.state == "success", second
        assert _rows(engine, "SELECT count(*) FROM nomasx1.security_rights_audit") == [(0,)]

        src = sa.create_engine(source)
        with src.begin() as conn:
            conn.execute(sa.text("DELETE FROM sy920.f95921 WHERE rltorole = 'APCLRK1' AND rlfrrole = 'APCLERK'"))
        src.dispose()
        third = testing.run_bundled_dag("nomasx1-security-1", env=env, conf=conf)
        assert third.state == "success", third
        changes = _rows(
            engine,
            "SELECT principal, change, count(*) FROM nomasx1.security_rights_audit GROUP BY 1, 2 ORDER BY 1, 2",
        )
        assert changes and {p for p, _, _ in changes} == {"APCLRK1"}
        assert ("APCLRK1", "REVOKED") in {(p, c) for p, c, _ in changes}
        # R04570 came from APCLERK only; it stays a key (bound to an SoD activity), now closed by *PUBLIC *ALL N
        assert _rows(
            engine,
            "SELECT change, before_can_run, after_can_run FROM nomasx1.security_rights_audit "
            "WHERE principal = 'APCLRK1' AND object_name = 'R04570' AND form_name = '' AND version = ''",
        ) == [("REVOKED", True, False)]
        # a scroll-to-end change on a role's action record is audited too (flag before and after)
        src = sa.create_engine(source)
        with src.begin() as conn:
            conn.execute(
                sa.text(
                    "UPDATE sy920.f00950 SET fsscrl = 'N' "
                    "WHERE fsuser = 'APCLERK' AND fsobnm = 'P0411' AND fssety = '2'"
                )
            )
        src.dispose()
        fourth = testing.run_bundled_dag("nomasx1-security-1", env=env, conf=conf)
        assert fourth.state == "success", fourth
        assert _rows(
            engine,
            "SELECT change, before_can_scroll, after_can_scroll, before_can_add, after_can_add "
            "FROM nomasx1.security_rights_audit WHERE principal = 'APCLERK' AND principal_type = 'ROLE' "
            "AND object_name = 'P0411' AND form_name = '' AND version = ''",
        ) == [("REVOKED", True, False, True, True)]
    finally:
        engine.dispose()
        testing.drop_database(source)
        testing.drop_database(target)
