"""The mirror sync job through Airflow: the seven tables are independent (one failing table does not
stop the others) and the last independent step names the failed tables."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL
from support.sync import AS_OF

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.demo.jde_generator import generate

# --- the seven tables are independent (through Airflow) --------------------------------------------


def _sync_bundle(folder: Path) -> Path:
    """The shipped bundle with the sync's retries off (a failed table is final at once)."""
    from airflow_provider_nomasx1.resources import bundle_dir

    shutil.copytree(bundle_dir(), folder, ignore=shutil.ignore_patterns("__pycache__"))
    spec = folder / "jobs" / "nomajde-daily-sync.yaml"
    text = spec.read_text()
    assert "\nretries: 2\n" in text
    spec.write_text(text.replace("\nretries: 2\n", "\nretries: 0\n"))
    return folder


def test_one_failing_table_does_not_stop_the_others(
    pg_server: URL,
    airflow_db: str,
    tmp_path: Path,
    query_rows: Callable[..., list[tuple]],
    checksum_of: Callable[[sa.Engine, str], tuple[int, str]],
) -> None:
    source, mirror = testing.create_database(pg_server, "jde_sync_e2e"), testing.create_database(pg_server, "nomajde")
    src, engine = sa.create_engine(source), sa.create_engine(mirror)
    folder = _sync_bundle(tmp_path / "bundle")
    tables = ("f0004", "f0005", "f9200", "f9202", "f9210", "f9860", "f9865")
    try:
        generate(source, profile="tiny", seed=1, as_of=AS_OF)
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE SCHEMA nomajde"))  # as deploy-databases does
        env = testing.connection_env("jdedwards", source, conn_type="jdedwards", db_type="postgres")
        env |= testing.connection_env("nomajde", mirror)
        first = testing.run_bundled_dag("nomajde-daily-sync", env=env, dag_folder=folder)
        assert first.state == "success", first
        f0004_before = checksum_of(engine, "nomajde.f0004")
        assert f0004_before[0] > 0

        with src.begin() as conn:
            conn.execute(sa.text("DELETE FROM ps920ctl.f0004"))  # an empty source table is refused
        second = testing.run_bundled_dag("nomajde-daily-sync", env=env, dag_folder=folder)
        assert second.state == "failed", second
        assert second.tasks["SYNC_F0004"] == "failed"
        assert all(second.tasks[f"SYNC_{t.upper()}"] == "success" for t in tables[1:-1]), second.tasks
        assert second.tasks["SYNC_F9865"] == "failed"  # its copy done, then it fails the run (see below)
        refreshed = dict(query_rows(engine, "SELECT table_name, run_id FROM nomajde.mirror_refresh"))
        assert {t: refreshed[t] for t in tables} == {"f0004": first.run_id, **{t: second.run_id for t in tables[1:]}}
        assert checksum_of(engine, "nomajde.f0004") == f0004_before  # the previous mirror kept
        audit = dict(
            query_rows(
                engine,
                "SELECT step, status || ': ' || coalesce(message, '') FROM nomajde.collect_audit WHERE run_id = :r",
                r=second.run_id,
            )
        )
        assert audit["SYNC_F0004"].startswith("failed: EmptySourceError: JDE table ps920ctl.f0004 is empty")
        assert all(audit[f"SYNC_{t.upper()}"].startswith("success") for t in tables[1:]), audit

        typo = testing.run_bundled_dag(
            "nomajde-daily-sync", env=env, dag_folder=folder, conf={"target_schema": "nomajdx"}
        )
        assert typo.state == "failed" and set(typo.tasks.values()) == {"failed"}, typo
        assert query_rows(engine, "SELECT count(*) FROM pg_namespace WHERE nspname = 'nomajdx'") == [(0,)]
    finally:
        src.dispose()
        engine.dispose()
        testing.drop_database(source)
        testing.drop_database(mirror)


@pytest.fixture(scope="session", name="checksum_of")
def checksum_of_fixture(query_rows: Callable[..., list[tuple]]) -> Callable[[sa.Engine, str], tuple[int, str]]:
    """``checksum_of(engine, table)``: the row count and an md5 of the rows of ``table``."""

    def _checksum_of(engine: sa.Engine, table: str) -> tuple[int, str]:
        digest = "md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
        return query_rows(engine, f"SELECT count(*), {digest} FROM {table} t")[0]

    return _checksum_of


def test_last_independent_step_names_the_failed_tables() -> None:
    from airflow.dag_processing.dagbag import DagBag

    from airflow_provider_nomasx1.operators.outcome import EarlierStepsFailedError, raise_if_steps_failed
    from airflow_provider_nomasx1.resources import bundle_dir

    dag = DagBag(dag_folder=str(bundle_dir())).dags["nomajde-daily-sync"]
    assert [t.trigger_rule for t in dag.tasks] == ["all_success"] + ["all_done"] * 6

    class TaskInstance:
        states = {"SYNC_F0004": "failed", "SYNC_F0005": "success", "SYNC_F9202": "failed", "SYNC_F9865": "running"}

        def get_task_states(self, dag_id: str, run_ids: list[str]) -> dict:
            assert dag_id == "nomajde-daily-sync"
            return {run_ids[0]: self.states}

    context = {"ti": TaskInstance(), "run_id": "manual__1"}
    with pytest.raises(EarlierStepsFailedError) as info:
        raise_if_steps_failed(dag.get_task("SYNC_F9865"), context)
    assert "SYNC_F0004 (table f0004), SYNC_F9202 (table f9202) failed" in str(info.value)
    raise_if_steps_failed(dag.get_task("SYNC_F9860"), context)  # not the last step: nothing to say
    TaskInstance.states = {"SYNC_F0004": "success"}
    raise_if_steps_failed(dag.get_task("SYNC_F9865"), context)
