"""Segregation of duties (nomasx1-sod-1) end to end through Airflow: the security job then the SoD job
on the tiny synthetic JDE source with the curated matrix, then again after an exception is recorded.
The hand-built cases of each rule are tests/integration/test_sod.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL
from support.sod import APPS, AS_OF

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.applications import Registry
from airflow_provider_nomasx1.schema import bootstrap

# --- end to end through Airflow ------------------------------------------------------------------


def test_sod_job_through_airflow_on_the_tiny_source(
    pg_server: URL, airflow_db: str, sod_rows: Callable[..., list[dict[str, Any]]]
) -> None:
    """nomasx1-security-1 then nomasx1-sod-1 on the tiny synthetic JDE (named fixtures) with the
    curated matrix; then an exception is recorded and the SoD job runs again. (The refusal to run
    before the security job is tested above: through Airflow its retry would wait 5 minutes.)"""
    from airflow_provider_nomasx1.collectors.preload import import_reference_bundle
    from airflow_provider_nomasx1.demo.jde_generator import generate

    source, target = testing.create_database(pg_server, "jde_sod"), testing.create_database(pg_server, "nomasx1_sod")
    engine = sa.create_engine(target)
    try:
        generate(source, profile="tiny", seed=1, as_of=AS_OF)
        bootstrap.init_schema(engine, "nomasx1")
        Registry(engine, "nomasx1").add(APPS, "JDE tiny", source_conn_id="jdedwards")
        import_reference_bundle(engine, "nomasx1", target_apps_ids=(APPS,))
        env = testing.connection_env("jdedwards", source, conn_type="jdedwards", db_type="postgres")
        env |= testing.connection_env("nomasx1", target)
        conf = {"apps_id": APPS, "as_of_date": AS_OF.isoformat()}

        security = testing.run_bundled_dag("nomasx1-security-1", env=env, conf=conf)
        assert security.state == "success", security
        first = testing.run_bundled_dag("nomasx1-sod-1", env=env, conf=conf)
        assert first.state == "success", first
        assert first.tasks == dict.fromkeys(
            ("SOD_CONFLICT_DETAILS", "SOD_CONFLICT_SUMMARY", "REFRESH_VIEWS"), "success"
        )

        def rules_of(user: str) -> set[tuple[str, str]]:
            return {
                (r["activity1_id"], r["activity2_id"])
                for r in sod_rows(
                    engine,
                    "SELECT activity1_id, activity2_id FROM nomasx1.sod_conflict_details "
                    "WHERE apps_id = :a AND user_id = :u",
                    u=user,
                )
            }

        def detail(user: str, a1: str, a2: str, o1: str, o2: str) -> tuple:
            found = sod_rows(
                engine,
                "SELECT role1, grant1_level, role2, grant2_level, risk_id, risk_level, risk_score, mitigated, "
                "exception_id FROM nomasx1.sod_conflict_details WHERE apps_id = :a AND user_id = :u "
                "AND activity1_id = :a1 AND activity2_id = :a2 AND object1 = :o1 AND object2 = :o2",
                u=user,
                a1=a1,
                a2=a2,
                o1=o1,
                o2=o2,
            )
            assert len(found) == 1, (user, a1, a2, o1, o2)
            return tuple(found[0].values())

        # APCLRK1 (APCLERK 10, GLACCT 30): enters vouchers (P0411 add) and pays (R04570) through
        # APCLERK alone; changes address book (P01012: *PUBLIC runs it, APCLERK's action record
        # allows change) -> 3 P2P rules
        assert rules_of("APCLRK1") == {("P2P01", "P2P02"), ("P2P01", "P2P04"), ("P2P02", "P2P04")}
        assert detail("APCLRK1", "P2P02", "P2P04", "P0411", "R04570") == (
            "APCLERK", "ROLE", "APCLERK", "ROLE", "P2PR03", "High", 100, False, None
        )  # fmt: skip
        assert detail("APCLRK1", "P2P01", "P2P02", "P01012", "P0411")[:4] == ("APCLERK", "ROLE", "APCLERK", "ROLE")
        # GLACCT alone journals (P0911 add) and posts (R09801): a self-conflicting role, yet
        # APCLRK1 is not in R2R conflict: APCLERK's P0911 run N comes first in sequence
        assert ("R2R01", "R2R02") not in rules_of("APCLRK1")
        roles = {
            (r["role_id"], r["activity1_id"], r["activity2_id"], r["object1"], r["object2"])
            for r in sod_rows(engine, "SELECT * FROM nomasx1.sod_role_conflicts WHERE apps_id = :a")
        }
        assert ("GLACCT", "R2R01", "R2R02", "P0911", "R09801") in roles
        assert {r for r in roles if r[0] == "APCLERK"} == {("APCLERK", "P2P02", "P2P04", "P0411", "R04570")}
        # APCLRK2's user-level *ALL run Y: user-direct paths
        assert detail("APCLRK2", "P2P01", "P2P03", "P04012", "P4314")[:4] == ("APCLRK2", "USER", "APCLRK2", "USER")
        # MULTI1: its own P4310 action record, receipts through AUDITRO (run everything)
        assert detail("MULTI1", "P2P06", "P2P08", "P4310", "P4312")[:7] == (
            "MULTI1", "USER", "AUDITRO", "ROLE", "P2PR06", "Medium", 50
        )  # fmt: skip
        # disabled accounts never appear: NOSIGNON has the same single role as DORMANT1
        assert rules_of("DORMANT1") and rules_of("NOSIGNON") == set() and rules_of("BUYER1") == set()
        # expired / future roles give nothing: AUDITOR1's APSUPER expired -> only AUDITRO's rules;
        # APMGR1's APSUPER starts in 10 days -> APCLERK's; GLUSER1's GLACCT expired today
        assert rules_of("AUDITOR1") == rules_of("DORMANT1")
        assert rules_of("APMGR1") == rules_of("APCLRK1")
        assert rules_of("GLUSER1") == set()

        summary = sod_rows(
            engine,
            "SELECT users_count, mitigated_count FROM nomasx1.sod_conflict_summary "
            "WHERE apps_id = :a AND process_id = 'P2P' AND activity1_id = 'P2P02' AND activity2_id = 'P2P04'",
        )
        assert summary == [{"users_count": 6, "mitigated_count": 0}]  # APCLRK1/2, APMGR1, MULTI1, ADMIN1, JDE
        assert sod_rows(
            engine,
            "SELECT count(*) AS n, count(DISTINCT run_id) AS runs FROM nomasx1.sod_conflict_history WHERE apps_id = :a",
        ) == [{"n": 68, "runs": 1}]  # one row per rule of the curated matrix

        # a mitigation for APCLRK1 on P2P-03, valid from today: the next run marks it
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO nomasx1.sod_exceptions (apps_id, exception_id, user_id, process_id, activity1_id, "
                    "activity2_id, valid_from, control_id, approver, justification, created_by) VALUES "
                    "(:a, 'EX-1', 'APCLRK1', 'P2P', 'P2P02', 'P2P04', :d, 'PAYEE-CTRL', 'CFO', 'small site', 'tests')"
                ),
                {"a": APPS, "d": AS_OF},
            )
        second = testing.run_bundled_dag("nomasx1-sod-1", env=env, conf=conf)
        assert second.state == "success", second
        assert detail("APCLRK1", "P2P02", "P2P04", "P0411", "R04570")[-2:] == (True, "EX-1")
        assert sod_rows(
            engine,
            "SELECT run_id, users_count, mitigated_count FROM nomasx1.sod_conflict_history WHERE apps_id = :a "
            "AND activity1_id = 'P2P02' AND activity2_id = 'P2P04' ORDER BY computed_at",
        ) == [
            {"run_id": first.run_id, "users_count": 6, "mitigated_count": 0},
            {"run_id": second.run_id, "users_count": 6, "mitigated_count": 1},
        ]
        overview = sod_rows(
            engine,
            "SELECT conflicts_count, conflict_rules_count FROM nomasx1.security_user_overview "
            "WHERE apps_id = :a AND user_id = 'APCLRK1'",
        )
        assert overview == [{"conflicts_count": 3, "conflict_rules_count": 3}]  # REFRESH_VIEWS ran
    finally:
        engine.dispose()
        testing.drop_database(source)
        testing.drop_database(target)
