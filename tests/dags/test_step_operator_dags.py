"""The step operator in the parsed bundle and through Airflow: undeclared params refused, the install
jobs alone create their schema, an unregistered application fails at once without a retry."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from airflow.dag_processing.dagbag import DagBag
from airflow.sdk.exceptions import AirflowFailException
from sqlalchemy.engine import URL

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.errors import (
    ConfigurationError,
)
from airflow_provider_nomasx1.resources import bundle_dir
from airflow_provider_nomasx1.schema import bootstrap


def test_params_the_dag_does_not_declare_are_refused(airflow_context: Callable[[dict], dict]) -> None:
    """apps_id given to the mirror sync (which has none): refused at once, listing what it takes."""
    sync = DagBag(dag_folder=str(bundle_dir())).dags["nomajde-daily-sync"]
    task = sync.get_task("SYNC_F0004")
    params = {"apps_id": "abc", "source_connector": "jdedwards", "target_connector": "nomajde"}
    with pytest.raises(
        AirflowFailException,
        match=r"nomajde-daily-sync does not take param\(s\) apps_id: it accepts source_connector, "
        r"target_connector, target_schema; remove them from the run's conf",
    ) as err:
        task.execute(airflow_context({**params, "target_schema": "nomajde"}))
    assert isinstance(err.value.__cause__, ConfigurationError)


def test_only_the_install_jobs_create_their_schema() -> None:
    bag = DagBag(dag_folder=str(bundle_dir())).dags
    assert {t.creates_schema for t in bag["nomasx1-security-1"].tasks} == {False}
    assert {t.creates_schema for t in bag["nomasx1-sod-1"].tasks} == {False}
    assert {t.creates_schema for t in bag["nomasx1-init-schema-1"].tasks} == {True}
    assert {t.creates_schema for t in bag["nomasx1-upgrade-schema-1"].tasks} == {True}
    assert {t.creates_schema for t in bag["nomajde-daily-sync"].tasks} == {False}


def test_an_unregistered_application_fails_at_once_through_airflow(
    pg_server: URL,
    airflow_db: str,
    capfd: pytest.CaptureFixture,
    no_trace_of: Callable[[sa.Engine], tuple[list, list]],
) -> None:
    """nomasx1-security-1 has retries 1, retry_delay 300 s: a retry would take over five minutes."""
    url = testing.create_database(pg_server, "nomasx1_unreg")
    engine = sa.create_engine(url)
    try:
        bootstrap.init_schema(engine, "nomasx1")
        env = testing.connection_env("nomasx1", url)
        env |= testing.connection_env("jdedwards", url, conn_type="jdedwards", db_type="postgres")
        started = time.monotonic()
        outcome = testing.run_bundled_dag("nomasx1-security-1", env=env, conf={"apps_id": 999})
        elapsed = time.monotonic() - started
        assert outcome.state == "failed"
        assert outcome.tasks["JDE_OBJECTS"] == "failed" and outcome.tries["JDE_OBJECTS"] == 1
        assert set(outcome.tasks.values()) == {"failed", "upstream_failed"}
        assert elapsed < 200, f"{elapsed:.0f} s: the task was retried"
        out = capfd.readouterr()
        assert (
            "AirflowFailException: ConfigurationError: application 999 is not registered in "
            "nomasx1.settings_applications" in out.out + out.err
        )
        assert no_trace_of(engine) == ([], [])
    finally:
        engine.dispose()
        testing.drop_database(url)
