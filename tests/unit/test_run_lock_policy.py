"""The run lease's release policy: what the operator derives from the DAG, and the default
(no database; the lease itself runs on PostgreSQL in tests/integration/test_run_lock.py)."""

from __future__ import annotations

from types import SimpleNamespace

from airflow.sdk import DAG, chain
from support.run_lease import KEEP

from airflow_provider_nomasx1.operators.step import Nomasx1StepOperator
from airflow_provider_nomasx1.run_lease import ReleasePolicy


def test_the_operator_derives_the_release_from_the_dag() -> None:
    with DAG("nomasx1-test-1", schedule=None, default_args={"retries": 1}):
        first = Nomasx1StepOperator(task_id="S1", callable_path="support.steps:record_params")
        middle = Nomasx1StepOperator(task_id="S2", callable_path="support.steps:record_params", trigger_rule="all_done")
        last = Nomasx1StepOperator(task_id="S3", callable_path="support.steps:record_params")
        chain(first, middle, last)
    ti = SimpleNamespace(max_tries=1)
    assert first._release_policy(ti, 1) == ReleasePolicy(last_step=False, downstream_may_run=True, retries_left=True)
    assert middle._release_policy(ti, 1) == ReleasePolicy(last_step=False, downstream_may_run=False, retries_left=True)
    assert last._release_policy(ti, 2) == ReleasePolicy(last_step=True, downstream_may_run=False, retries_left=False)
    failure = RuntimeError("lost connection")
    assert not first._release_policy(ti, 2).release_after(failure)  # S2 still runs and releases
    assert middle._release_policy(ti, 2).release_after(failure)  # S3 needs all_success: it will not run
    assert not middle._release_policy(ti, 1).release_after(failure)  # a retry follows
    assert last._release_policy(ti, 1).release_after(None)


def test_release_policy_defaults_to_one_step_at_a_time() -> None:
    """Callers that run one step on its own (the CLI, tests, benchmarks) release after it."""
    assert ReleasePolicy().release_after(None) and ReleasePolicy().release_after(RuntimeError())
    assert not KEEP.release_after(None)
