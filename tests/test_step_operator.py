"""The step operator: context, collect_audit rows, and the (apps_id, job) advisory lock."""

from __future__ import annotations

import logging
import threading
import time
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from airflow.sdk import DAG
from sqlalchemy.engine import URL

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.bookkeeping import LOCK_NAMESPACE, LockTimeoutError, lock_key
from airflow_provider_nomasx1.context import StepContext, StepResult
from airflow_provider_nomasx1.errors import MissingConnectionError
from airflow_provider_nomasx1.operators.step import HookCache, Nomasx1StepOperator, run_step
from airflow_provider_nomasx1.schema import bootstrap

LOG = logging.getLogger("test")


@pytest.fixture
def target(pg_url: URL, monkeypatch: pytest.MonkeyPatch) -> sa.Engine:
    """A bootstrapped nomasx1 schema reachable through the Airflow connection `nomasx1`."""
    for key, value in testing.connection_env("nomasx1", pg_url).items():
        monkeypatch.setenv(key, value)
    engine = sa.create_engine(pg_url)
    bootstrap.init_schema(engine, "nomasx1")
    yield engine
    engine.dispose()


def make_ctx(step: str = "STEP", apps_id: int = 10, run_id: str = "run-1", **params: object) -> StepContext:
    return StepContext(
        dag_id="nomasx1-test-1",
        step=step,
        run_id=run_id,
        params={"apps_id": apps_id, "target_connector": "nomasx1", "target_schema": "nomasx1", **params},
        log=LOG,
        hook_factory=HookCache(),
    )


def audit_rows(engine: sa.Engine) -> list[dict]:
    with engine.connect() as conn:
        return [
            dict(r._mapping)
            for r in conn.execute(
                sa.text(
                    "SELECT run_id, step, apps_id, dag_id, table_name, rows_written, status, attempt, message, "
                    "details, "
                    "finished_at >= started_at AS ordered FROM nomasx1.collect_audit ORDER BY run_id, step"
                )
            )
        ]


def test_success_writes_the_audit_row(target: sa.Engine) -> None:
    def collector(ctx: StepContext) -> dict[str, int]:
        ctx.result.add("security_users", 20)
        return {"security_roles": 6}

    out = run_step(collector, make_ctx(), job_id="nomasx1-test-1", attempt=2)
    assert out["rows"] == {"security_users": 20, "security_roles": 6}
    [row] = audit_rows(target)
    assert row["status"] == "success" and row["rows_written"] == 26 and row["attempt"] == 2
    assert row["table_name"] == "security_roles,security_users"
    assert row["details"] == {"rows": {"security_users": 20, "security_roles": 6}}
    assert row["ordered"] is True and row["apps_id"] == 10


def test_failure_is_audited_and_raised(target: sa.Engine) -> None:
    def collector(ctx: StepContext) -> None:
        ctx.result.add("security_users", 3)
        raise RuntimeError("source table F0092 is missing")

    with pytest.raises(RuntimeError, match="F0092"):
        run_step(collector, make_ctx(), job_id="nomasx1-test-1")
    [row] = audit_rows(target)
    assert row["status"] == "failed"
    assert row["message"] == "RuntimeError: source table F0092 is missing"
    assert row["rows_written"] == 3


def test_retry_overwrites_the_attempt(target: sa.Engine) -> None:
    with pytest.raises(ValueError):
        run_step(lambda ctx: (_ for _ in ()).throw(ValueError("boom")), make_ctx(), job_id="j", attempt=1)
    run_step(lambda ctx: StepResult({"t": 1}, "ok"), make_ctx(), job_id="j", attempt=2)
    [row] = audit_rows(target)
    assert (row["status"], row["attempt"], row["message"]) == ("success", 2, "ok")


def _timed_run(apps_id: int, spans: list, run_id: str) -> None:
    def collector(ctx: StepContext) -> None:
        start = time.monotonic()
        time.sleep(0.8)
        spans.append((start, time.monotonic()))

    run_step(collector, make_ctx(apps_id=apps_id, run_id=run_id), job_id="nomasx1-test-1")


def test_lock_serializes_runs_on_the_same_application(target: sa.Engine) -> None:
    spans: list = []
    threads = [threading.Thread(target=_timed_run, args=(10, spans, f"run-{i}")) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    (s1, e1), (s2, e2) = sorted(spans)
    assert s2 >= e1, "the second run started before the first finished"


def test_other_applications_run_in_parallel(target: sa.Engine) -> None:
    spans: list = []
    threads = [threading.Thread(target=_timed_run, args=(apps, spans, f"run-{apps}")) for apps in (10, 11)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    (s1, e1), (s2, e2) = sorted(spans)
    assert s2 < e1, "runs of different applications should overlap"


def test_lock_timeout_says_who_holds_it(target: sa.Engine) -> None:
    with target.connect() as holder:
        holder.execute(
            sa.text("SELECT pg_advisory_lock(:ns, hashtext(:k))"),
            {"ns": LOCK_NAMESPACE, "k": lock_key(10, "nomasx1-test-1")},
        )
        ran = []
        with pytest.raises(LockTimeoutError, match="another run of 'nomasx1-test-1' on application 10"):
            run_step(lambda ctx: ran.append(1), make_ctx(), job_id="nomasx1-test-1", lock_timeout_s=1)
        assert ran == []
        holder.rollback()
    [row] = audit_rows(target)
    assert row["status"] == "failed" and "LockTimeoutError" in row["message"]


def _airflow_context(params: dict) -> dict:
    return {
        "params": params,
        "run_id": "manual__1",
        "ti": SimpleNamespace(try_number=1),
        "dag_run": SimpleNamespace(logical_date=None, data_interval_start=None, data_interval_end=None),
    }


seen: dict = {}


def record_params(ctx: StepContext) -> None:
    seen.update(ctx.params)
    seen["schema"] = ctx.schema


def test_operator_merges_step_overrides(target: sa.Engine) -> None:
    with DAG("nomasx1-test-1", schedule=None):
        op = Nomasx1StepOperator(
            task_id="REC",
            callable_path=f"{__name__}:record_params",
            step_params={"mode": "delta"},
            job_id="nomasx1-test-1",
        )
    result = op.execute(
        _airflow_context({"apps_id": 10, "target_connector": "nomasx1", "target_schema": "nomasx1", "mode": "full"})
    )
    assert seen["mode"] == "delta" and seen["apps_id"] == 10 and seen["schema"] == "nomasx1"
    assert result["rows"] == {}
    [row] = audit_rows(target)
    assert (row["run_id"], row["step"], row["status"]) == ("manual__1", "REC", "success")


def test_missing_target_connection_fails_clearly() -> None:
    with DAG("nomasx1-test-2", schedule=None):
        op = Nomasx1StepOperator(task_id="REC", callable_path=f"{__name__}:record_params")
    with pytest.raises(MissingConnectionError, match="'nomasx1_missing'.*airflow connections add nomasx1_missing"):
        op.execute(_airflow_context({"apps_id": 10, "target_connector": "nomasx1_missing"}))
