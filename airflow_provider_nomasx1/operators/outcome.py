"""The outcome of a run whose steps are independent (``trigger_rule: all_done`` in the spec).

Such a step runs once the step before it has finished, whatever its state: one mirror table that
fails does not keep the other tables from being refreshed. Airflow decides a run's state from its
last task alone, so a failure earlier in the chain would end in a "successful" run. The last task
therefore checks the run's other tasks once its own work is done and fails, naming the failed
steps and their tables, when any of them failed: its own work is kept (its collect_audit row says
success), the run says failed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from airflow_provider_nomasx1.errors import Nomasx1Error

#: task states that make a run failed (Airflow's State.failed_states)
FAILED_STATES = ("failed", "upstream_failed")


class EarlierStepsFailedError(Nomasx1Error):
    """The last step of a run with independent steps did its work, but an earlier step failed."""

    permanent = True  # retrying this step cannot change the earlier steps' outcome


def _may_follow_a_failure(task: Any) -> bool:
    """The DAG's last task, started whatever happened before it."""
    if getattr(task, "trigger_rule", "all_success") == "all_success" or not task.has_dag():
        return False
    return not task.get_flat_relatives(upstream=False)


def failed_steps(task: Any, context: Mapping[str, Any]) -> list[str]:
    """Task ids of this run that failed, when ``task`` is a last task that may follow a failure."""
    if not _may_follow_a_failure(task):
        return []
    ti = context.get("ti")
    run_id = str(context.get("run_id"))
    get_states = getattr(ti, "get_task_states", None)
    if get_states is None:  # not run by Airflow's task runner (a unit test's context)
        return []
    states = get_states(dag_id=task.dag_id, run_ids=[run_id]).get(run_id, {})
    return sorted(t for t, state in states.items() if t != task.task_id and str(state) in FAILED_STATES)


def _what(dag: Any, task_id: str) -> str:
    """``SYNC_F0004 (table f0004)`` for a copy step, the task id otherwise."""
    options = getattr(dag.get_task(task_id), "step_options", None) or {}
    if options.get("source_table"):
        table = options.get("target_table") or str(options["source_table"]).lower()
        return f"{task_id} (table {table})"
    return task_id


def raise_if_steps_failed(task: Any, context: Mapping[str, Any]) -> None:
    """Fail the last task of a run with independent steps when an earlier step failed."""
    failed: Sequence[str] = failed_steps(task, context)
    if failed:
        named = ", ".join(_what(task.dag, t) for t in failed)
        raise EarlierStepsFailedError(
            f"{task.task_id} did its work, but the run fails: {named} failed earlier in this run "
            "(see the failed step's log and collect_audit row, fix the cause, then clear that step)"
        )
