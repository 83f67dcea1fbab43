"""Nomasx1StepOperator: runs one collector callable as one task.

It resolves the callable, merges the run's params with the step's overrides, builds the
:class:`StepContext` (hooks created on demand, closed at the end), takes the job's advisory lock on
the target database, and writes the step's `collect_audit` row (running, then success/failed).
"""

from __future__ import annotations

import datetime as dt
import logging
import pkgutil
from collections.abc import Mapping, Sequence
from typing import Any

from airflow.sdk import BaseOperator

from airflow_provider_nomasx1.bookkeeping import CollectAudit, job_lock
from airflow_provider_nomasx1.context import StepContext, StepResult
from airflow_provider_nomasx1.errors import ConfigurationError, Nomasx1Error, describe_error


class HookCache:
    """Creates hooks by role on first use and disposes of their engines afterwards."""

    def __init__(self) -> None:
        self._hooks: dict[tuple[str, str], Any] = {}

    def __call__(self, role: str, conn_id: str) -> Any:
        key = (role, conn_id)
        if key not in self._hooks:
            self._hooks[key] = self._make(role, conn_id)
        return self._hooks[key]

    @staticmethod
    def _make(role: str, conn_id: str) -> Any:
        if role == "jde":
            from airflow_provider_nomasx1.hooks.jde import JdeHook

            return JdeHook(conn_id)
        if role in ("target", "admin"):
            from airflow_provider_nomasx1.hooks.nomasx1 import Nomasx1Hook

            purpose = "admin PostgreSQL (CREATE ROLE / DATABASE)" if role == "admin" else None
            return Nomasx1Hook(conn_id, **({"purpose": purpose} if purpose else {}))
        raise ConfigurationError(f"unknown hook role {role!r}")

    def close(self) -> None:
        for hook in self._hooks.values():
            try:
                hook.dispose()
            except Exception:  # one broken pool must not keep the others open
                logging.getLogger(__name__).warning("could not dispose of %r", hook, exc_info=True)
        self._hooks.clear()


def resolve_callable(path: str) -> Any:
    try:
        return pkgutil.resolve_name(path)
    except (ImportError, AttributeError, ValueError) as exc:
        raise ConfigurationError(f"cannot import step callable {path!r}: {exc}") from exc


def merge_result(result: StepResult, returned: Any) -> None:
    """Accept what a collector returns: None, a StepResult, or ``{table: rows}``."""
    if returned is None or returned is result:
        return
    if isinstance(returned, StepResult):
        for table, rows in returned.rows.items():
            result.add(table, rows)
        result.message = returned.message or result.message
    elif isinstance(returned, Mapping):
        for table, rows in returned.items():
            result.add(str(table), int(rows))
    else:
        raise Nomasx1Error(f"a step callable returned {type(returned).__name__}; expected StepResult or dict")


class Nomasx1StepOperator(BaseOperator):
    """Run ``callable_path`` (``package.module:function``) with a :class:`StepContext`.

    :param callable_path: the collector to run; it takes the context and returns rows written.
    :param step_params: values that override the run's params for this step only.
    :param job_id: the job whose lock this step takes (default: the DAG id without tenant prefix).
    :param lock: take the (apps_id, job) advisory lock on the target database.
    :param audit: write the step's `collect_audit` row.
    """

    template_fields: Sequence[str] = ("step_params",)
    ui_color = "#e8f0fe"

    def __init__(
        self,
        *,
        callable_path: str,
        step_params: dict[str, Any] | None = None,
        job_id: str | None = None,
        lock: bool = True,
        audit: bool = True,
        lock_timeout_s: float = 3600,
        step_options: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.step_options = step_options or {}
        self.callable_path = callable_path
        self.step_params = step_params or {}
        self.job_id = job_id
        self.lock = lock
        self.audit = audit
        self.lock_timeout_s = lock_timeout_s

    def _step_context(self, context: Mapping[str, Any], hooks: HookCache) -> StepContext:
        dag_run = context.get("dag_run")
        return StepContext(
            dag_id=self.dag_id,
            step=self.task_id,
            run_id=str(context.get("run_id")),
            params={**dict(context.get("params") or {}), **self.step_params},
            log=logging.getLogger(f"nomasx1.{self.task_id}"),
            hook_factory=hooks,
            logical_date=getattr(dag_run, "logical_date", None),
            data_interval_start=getattr(dag_run, "data_interval_start", None),
            data_interval_end=getattr(dag_run, "data_interval_end", None),
            step_options=self.step_options,
        )

    def execute(self, context: Mapping[str, Any]) -> dict[str, Any]:
        function = resolve_callable(self.callable_path)
        hooks = HookCache()
        try:
            ctx = self._step_context(context, hooks)
            ti = context.get("ti")
            return run_step(
                function,
                ctx,
                job_id=self.job_id or self.dag_id.split(".")[-1],
                attempt=int(getattr(ti, "try_number", 1) or 1),
                lock=self.lock,
                audit=self.audit,
                lock_timeout_s=self.lock_timeout_s,
            )
        finally:
            hooks.close()


def run_step(
    function: Any,
    ctx: StepContext,
    *,
    job_id: str,
    attempt: int = 1,
    lock: bool = True,
    audit: bool = True,
    lock_timeout_s: float = 3600,
) -> dict[str, Any]:
    """Run one collector with lock and audit; usable without Airflow (CLI, tests)."""
    started = dt.datetime.now(dt.UTC)
    ids = {
        "run_id": ctx.run_id,
        "step": ctx.step,
        "apps_id": ctx.apps_id,
        "dag_id": ctx.dag_id,
        "attempt": attempt,
    }
    target_engine = ctx.target().engine if (lock or audit) else None
    auditor = CollectAudit(target_engine, ctx.schema, ctx.log) if audit else None
    if auditor:
        auditor.started(started_at=started, **ids)
    try:
        if lock:
            with job_lock(target_engine, ctx.apps_id, job_id, ctx.log, timeout_s=lock_timeout_s):
                merge_result(ctx.result, function(ctx))
        else:
            merge_result(ctx.result, function(ctx))
    except BaseException as exc:
        if auditor:
            try:
                auditor.finished(
                    started_at=started, rows=ctx.result.rows, status="failed", message=describe_error(exc), **ids
                )
            except Exception:  # never hide the step's own error behind an audit failure
                ctx.log.exception("collect_audit row of the failed step not written")
        raise
    if auditor:
        auditor.finished(started_at=started, rows=ctx.result.rows, status="success", message=ctx.result.message, **ids)
    seconds = (dt.datetime.now(dt.UTC) - started).total_seconds()
    ctx.log.info("%s done in %.1fs: %s rows %s", ctx.step, seconds, f"{ctx.result.total_rows:,}", ctx.result.rows or "")
    return {"rows": ctx.result.rows, "message": ctx.result.message, "seconds": round(seconds, 3)}
