"""Nomasx1StepOperator: runs one collector callable as one task.

It resolves the callable, refuses params the DAG does not declare, merges the run's params with
the step's overrides, builds the :class:`StepContext` (hooks created on demand, closed at the end),
takes the run's lease and the job's advisory lock on the target database, and writes the step's
`collect_audit` row (running, then success/failed). A permanent error (a configuration error, a
missing table, a wrong password: :func:`~airflow_provider_nomasx1.errors.is_permanent`) fails the
task at once, without Airflow's retries; transient ones keep them.
"""

from __future__ import annotations

import datetime as dt
import logging
import pkgutil
import time
from collections.abc import Mapping, Sequence
from typing import Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowFailException

from airflow_provider_nomasx1.bookkeeping import CollectAudit, check_run_target, job_lock
from airflow_provider_nomasx1.context import StepContext, StepResult
from airflow_provider_nomasx1.errors import (
    ConfigurationError,
    Nomasx1Error,
    RunRefusedError,
    describe_error,
    is_permanent,
)
from airflow_provider_nomasx1.hooks.roles import hook_role
from airflow_provider_nomasx1.operators.outcome import raise_if_steps_failed
from airflow_provider_nomasx1.run_lease import DEFAULT_GRACE_S, ReleasePolicy, RunLease
from airflow_provider_nomasx1.run_order import accept_snapshot_run, refuse_backfill

#: Airflow setting of the run lease's grace period: ``[nomasx1] run_lock_grace_minutes``
GRACE_SETTING = ("nomasx1", "run_lock_grace_minutes")


class HookCache:
    """Creates hooks by role (:data:`~airflow_provider_nomasx1.hooks.roles.HOOK_ROLES`) on first use
    and disposes of their engines afterwards."""

    def __init__(self) -> None:
        self._hooks: dict[tuple[str, str], Any] = {}

    def __call__(self, role: str, conn_id: str) -> Any:
        key = (role, conn_id)
        if key not in self._hooks:
            self._hooks[key] = self._make(role, conn_id)
        return self._hooks[key]

    @staticmethod
    def _make(role: str, conn_id: str) -> Any:
        return hook_role(role).create(conn_id)

    def close(self) -> None:
        for hook in self._hooks.values():
            try:
                hook.dispose()
            except Exception:  # one broken pool must not keep the others open
                logging.getLogger(__name__).warning("could not dispose of %r", hook, exc_info=True)
        self._hooks.clear()


def _run_type(dag_run: Any) -> str | None:
    """``backfill``, ``scheduled``, ``manual``, ... (Airflow's DagRunType is a str enum)."""
    run_type = getattr(dag_run, "run_type", None)
    return None if run_type is None else str(getattr(run_type, "value", run_type))


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
        result.details.update(returned.details)
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
    :param lock: take the run lease and the (apps_id, job) advisory lock on the target database.
    :param audit: write the step's `collect_audit` row.
    :param creates_schema: the job creates its target schema (install jobs): a missing schema is
        not an error.
    :param needs_application: the job works on the application's data, so ``apps_id`` must be
        registered (install and maintenance jobs use it only for their lock).
    :param job_kind: ``snapshot``, ``interval`` or ``once``: which runs the job accepts (backfills,
        runs older than the current state; see :mod:`airflow_provider_nomasx1.run_order`); None
        accepts every run.
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
        creates_schema: bool = False,
        needs_application: bool = True,
        job_kind: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.job_kind = job_kind
        self.creates_schema = creates_schema
        self.needs_application = needs_application
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
            run_type=_run_type(dag_run),
            run_after=getattr(dag_run, "run_after", None),
            step_options=self.step_options,
        )

    def _check_declared(self, params: Mapping[str, Any]) -> None:
        """Refuse params the DAG does not declare (a typo, or a param of another job): nothing reads
        them, so the run would silently do something else than asked."""
        if not self.has_dag():
            return
        declared = sorted(self.dag.params)
        unknown = sorted(set(params) - set(declared))
        if unknown:
            raise ConfigurationError(
                f"{self.dag_id} does not take param(s) {', '.join(unknown)}: it accepts "
                f"{', '.join(declared) or 'no params'}; remove them from the run's conf"
            )

    def _release_policy(self, ti: Any, attempt: int) -> ReleasePolicy:
        """When this task gives the run lease back: after the DAG's last task, or after a final
        failure when no downstream task will run (they all need ``all_success``)."""
        downstream = self.get_flat_relatives(upstream=False) if self.has_dag() else []
        max_tries = getattr(ti, "max_tries", None)
        max_tries = max_tries if isinstance(max_tries, int) else self.retries or 0
        return ReleasePolicy(
            last_step=not downstream,
            downstream_may_run=any(task.trigger_rule != "all_success" for task in downstream),
            retries_left=attempt <= max_tries,
        )

    def _lease_grace_s(self) -> float:
        """The Airflow setting (default 15 minutes), never below twice the retry delay: a run
        waiting for its retry is not dead."""
        from airflow.sdk.configuration import conf

        minutes = conf.getfloat(*GRACE_SETTING, fallback=DEFAULT_GRACE_S / 60)
        return max(minutes * 60, 2 * self.retry_delay.total_seconds())

    def execute(self, context: Mapping[str, Any]) -> dict[str, Any]:
        try:
            return self._run(context)
        except Exception as exc:
            if is_permanent(exc):  # retrying cannot help: fail now, with the same message
                raise AirflowFailException(describe_error(exc)) from exc
            raise

    def _run(self, context: Mapping[str, Any]) -> dict[str, Any]:
        function = resolve_callable(self.callable_path)
        self._check_declared(context.get("params") or {})
        hooks = HookCache()
        try:
            ctx = self._step_context(context, hooks)
            ti = context.get("ti")
            attempt = int(getattr(ti, "try_number", 1) or 1)
            outcome = run_step(
                function,
                ctx,
                job_id=self.job_id or self.dag_id.split(".")[-1],
                attempt=attempt,
                lock=self.lock,
                audit=self.audit,
                lock_timeout_s=self.lock_timeout_s,
                release=self._release_policy(ti, attempt),
                lease_grace_s=self._lease_grace_s(),
                creates_schema=self.creates_schema,
                needs_application=self.needs_application,
                job_kind=self.job_kind,
            )
            raise_if_steps_failed(self, context)  # the last of independent steps: an earlier failure fails the run
            return outcome
        finally:
            hooks.close()


def _after_waiting(ctx: StepContext, called_at: dt.datetime) -> dt.datetime:
    """The step's start, once the lease is held: the wait for another run is not the step's time
    (collect_audit's started_at..finished_at spans the work); a wait over a second is kept in
    ``details["lease_wait_s"]``."""
    now = dt.datetime.now(dt.UTC)
    waited = (now - called_at).total_seconds()
    if waited >= 1:
        ctx.result.details["lease_wait_s"] = round(waited, 1)
    return now


def run_step(
    function: Any,
    ctx: StepContext,
    *,
    job_id: str,
    attempt: int = 1,
    lock: bool = True,
    audit: bool = True,
    lock_timeout_s: float = 3600,
    release: ReleasePolicy | None = None,
    lease_grace_s: float = DEFAULT_GRACE_S,
    creates_schema: bool = False,
    needs_application: bool = True,
    job_kind: str | None = None,
) -> dict[str, Any]:
    """Run one collector under its run's lease and the job's step lock, with its audit row; usable
    without Airflow (CLI, tests).

    Nothing is written before ``apps_id`` and the target are checked (:func:`check_run_target`;
    ``creates_schema``: the job creates its schema, as the install jobs do; ``needs_application``:
    the application must be registered). With ``lock`` the run
    lease is taken or re-entered first (waiting for another run of the job on the application,
    see :mod:`airflow_provider_nomasx1.run_lease`), then the audit row says ``running`` and the
    step holds the advisory lock while it runs. ``release`` says when the lease is given back
    (default: after this step, for callers that run steps one at a time). ``job_kind`` refuses the
    runs the job does not accept (:mod:`airflow_provider_nomasx1.run_order`): a backfill before
    anything is checked, a snapshot run older than the current state once the lease is held, both
    without an audit row.
    """
    started = dt.datetime.now(dt.UTC)
    apps_id = ctx.apps_id  # a bad value fails here, before any lock key or audit row holds it
    refuse_backfill(job_kind, ctx.run_type, ctx.dag_id, ctx.run_moment)
    ids = {"run_id": ctx.run_id, "step": ctx.step, "apps_id": apps_id, "dag_id": ctx.dag_id, "attempt": attempt}
    target_engine = ctx.target().engine if (lock or audit) else None
    if target_engine is not None:
        conn_id = str(ctx.param("target_connector"))
        check_run_target(
            target_engine, ctx.schema, apps_id if needs_application else None, conn_id, creates_schema=creates_schema
        )
    auditor = CollectAudit(target_engine, ctx.schema, ctx.log) if audit else None
    lease = None
    if lock:
        lease = RunLease(
            target_engine,
            ctx.schema,
            apps_id=apps_id,
            job_id=job_id,
            dag_id=ctx.dag_id,
            run_id=ctx.run_id,
            log=ctx.log,
            grace_s=lease_grace_s,
        )
    policy = release or ReleasePolicy()
    deadline = time.monotonic() + lock_timeout_s
    try:
        if lease:
            lease.acquire(lock_timeout_s)
        if lease and job_kind == "snapshot":
            accept_snapshot_run(lease, ctx.run_moment or started)
        started = _after_waiting(ctx, started)
        if auditor:
            auditor.started(started_at=started, **ids)
        if lease:
            remaining = max(deadline - time.monotonic(), 1.0)
            with lease.heartbeat(), job_lock(target_engine, apps_id, job_id, ctx.log, timeout_s=remaining):
                merge_result(ctx.result, function(ctx))
        else:
            merge_result(ctx.result, function(ctx))
    except BaseException as exc:
        if auditor and not isinstance(exc, RunRefusedError):
            try:
                auditor.finished(
                    started_at=started,
                    rows=ctx.result.rows,
                    status="failed",
                    message=describe_error(exc),
                    details=ctx.result.details,
                    **ids,
                )
            except Exception:  # never hide the step's own error behind an audit failure
                ctx.log.exception("collect_audit row of the failed step not written")
        if lease:
            lease.end_step(policy.release_after(exc))
        raise
    if auditor:
        auditor.finished(
            started_at=started,
            rows=ctx.result.rows,
            status="success",
            message=ctx.result.message,
            details=ctx.result.details,
            **ids,
        )
    if lease:
        lease.end_step(policy.release_after(None))
    seconds = (dt.datetime.now(dt.UTC) - started).total_seconds()
    ctx.log.info("%s done in %.1fs: %s rows %s", ctx.step, seconds, f"{ctx.result.total_rows:,}", ctx.result.rows or "")
    return {"rows": ctx.result.rows, "message": ctx.result.message, "seconds": round(seconds, 3)}
