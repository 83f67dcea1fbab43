"""The run lease and the run order: whole runs of a job on an application are serialized through
the target database, and a snapshot job refuses backfill runs and runs older than its current state.

Runs are driven through ``run_step`` (the operator's engine) from threads and from a subprocess
killed with SIGKILL, against a real PostgreSQL. See airflow_provider_nomasx1/run_lease.py and
run_order.py.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL
from support.run_lease import KEEP, LAST

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.applications import Registry
from airflow_provider_nomasx1.bookkeeping import LOCK_NAMESPACE, LockTimeoutError, lock_key
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.errors import ConfigurationError, RunRefusedError, is_permanent
from airflow_provider_nomasx1.operators.step import HookCache, run_step
from airflow_provider_nomasx1.run_lease import ReleasePolicy
from airflow_provider_nomasx1.schema import bootstrap

LOG = logging.getLogger("nomasx1.tests.run_lock")
JOB = "nomasx1-test-1"
KEY = lock_key(10, JOB)


@pytest.fixture
def target(pg_url: URL, monkeypatch: pytest.MonkeyPatch) -> Iterator[sa.Engine]:
    """A nomasx1 schema at head with application 10, reachable through the connection `nomasx1`."""
    for key, value in testing.connection_env("nomasx1", pg_url).items():
        monkeypatch.setenv(key, value)
    engine = sa.create_engine(pg_url)
    bootstrap.init_schema(engine, "nomasx1")
    Registry(engine, "nomasx1").add(10, "JDE 10")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE public.trace (run_id text, step text, at timestamptz)"))
    yield engine
    engine.dispose()


def step(
    function: Callable[[StepContext], Any],
    run_id: str,
    name: str,
    policy: ReleasePolicy = LAST,
    run: dict[str, Any] | None = None,
    **options: Any,
) -> dict[str, Any]:
    """One step of ``run_id`` through run_step, as the operator runs it (``run``: the run's
    ``logical_date``, ``run_type``, ... as the operator reads them from the dag run)."""
    hooks = HookCache()
    ctx = StepContext(
        dag_id=JOB,
        step=name,
        run_id=run_id,
        params={"apps_id": 10, "target_connector": "nomasx1", "target_schema": "nomasx1"},
        log=LOG,
        hook_factory=hooks,
        **(run or {}),
    )
    try:
        return run_step(function, ctx, job_id=JOB, release=policy, **options)
    finally:
        hooks.close()


def tracing(ctx: StepContext) -> dict[str, int]:
    """A slow step that records which run ran it, and when."""
    with ctx.target().engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO public.trace VALUES (:r, :s, clock_timestamp())"), {"r": ctx.run_id, "s": ctx.step}
        )
    time.sleep(0.3)
    return {"trace": 1}


def rows(engine: sa.Engine, sql: str, **params: Any) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql), params)]


def lease(engine: sa.Engine) -> list[tuple]:
    return rows(engine, "SELECT lock_key, dag_id, run_id FROM nomasx1.job_run_locks")


def whole_run(run_id: str, gap_s: float, errors: list) -> None:
    """Three steps with a pause between them (Airflow schedules the next task some time later)."""
    try:
        for i, name in enumerate(("S1", "S2", "S3")):
            if i:
                time.sleep(gap_s)
            step(tracing, run_id, name, LAST if name == "S3" else KEEP)
    except Exception as exc:  # reported by the test
        errors.append(exc)


def test_two_runs_are_serialized_as_whole_runs(target: sa.Engine, caplog: pytest.LogCaptureFixture) -> None:
    """Run B starts while run A is between two steps: it waits for A's last step, then runs all of
    its own steps; with a per-step lock only, B's steps would slip into A's gaps."""
    caplog.set_level(logging.INFO)
    errors: list = []
    first = threading.Thread(target=whole_run, args=("run-A", 2.2, errors))
    second = threading.Thread(target=whole_run, args=("run-B", 2.2, errors))
    first.start()
    time.sleep(0.2)
    second.start()
    first.join(60)
    second.join(60)
    assert errors == []
    order = rows(target, "SELECT run_id, step FROM public.trace ORDER BY at")
    assert order == [(r, s) for r in ("run-A", "run-B") for s in ("S1", "S2", "S3")]
    # every audit row carries the run that wrote it, none is left running
    assert rows(target, "SELECT run_id, step, status FROM nomasx1.collect_audit ORDER BY finished_at") == [
        (r, s, "success") for r in ("run-A", "run-B") for s in ("S1", "S2", "S3")
    ]
    assert lease(target) == []  # released by the last step
    assert f"waiting for the run lease {KEY}: held by run run-A of {JOB}" in caplog.text
    # the audit spans the work, not the wait: B's first step starts after A's last one ended
    (_, _, a_end), (_, b_start, _) = rows(
        target,
        "SELECT run_id, min(started_at), max(finished_at) FROM nomasx1.collect_audit GROUP BY run_id ORDER BY 1",
    )
    assert a_end <= b_start
    [(waited,)] = rows(
        target,
        "SELECT (details->>'lease_wait_s')::float FROM nomasx1.collect_audit WHERE run_id = 'run-B' AND step = 'S1'",
    )
    assert waited >= 1


def test_the_same_run_reenters_and_other_runs_wait(target: sa.Engine) -> None:
    step(tracing, "run-A", "S1", KEEP)
    assert lease(target) == [(KEY, JOB, "run-A")]
    before = rows(target, "SELECT acquired_at, heartbeat_at FROM nomasx1.job_run_locks")[0]

    started = time.monotonic()
    step(tracing, "run-A", "S2", KEEP)  # a later step of the same run passes at once
    assert time.monotonic() - started < 1.5
    acquired, beat = rows(target, "SELECT acquired_at, heartbeat_at FROM nomasx1.job_run_locks")[0]
    assert acquired == before[0] and beat > before[1]

    ran: list = []
    with pytest.raises(LockTimeoutError, match=r"another run of 'nomasx1-test-1' on application 10 still holds") as err:
        step(lambda ctx: ran.append(1), "run-B", "S1", KEEP, lock_timeout_s=1)
    assert ran == []
    assert f"run run-A of {JOB} on " in str(err.value) and "since " in str(err.value)
    assert lease(target) == [(KEY, JOB, "run-A")]  # the waiting run never touches the holder's lease
    assert rows(target, "SELECT status FROM nomasx1.collect_audit WHERE run_id = 'run-B'") == [("failed",)]

    step(tracing, "run-A", "S2", KEEP, attempt=2)  # a retry of the same run passes too
    step(tracing, "run-A", "S3", LAST)
    assert lease(target) == []
    step(tracing, "run-B", "S1", LAST)  # now free


def failing(error: BaseException) -> Callable[[StepContext], None]:
    def collector(ctx: StepContext) -> None:
        raise error

    return collector


def test_release_after_a_final_failure_only(target: sa.Engine) -> None:
    boom = failing(RuntimeError("lost the source"))
    with pytest.raises(RuntimeError):
        step(boom, "run-A", "S1", ReleasePolicy(last_step=False, retries_left=True))
    assert lease(target) == [(KEY, JOB, "run-A")]  # Airflow will retry: the run keeps its lease
    with pytest.raises(RuntimeError):
        step(boom, "run-A", "S1", ReleasePolicy(last_step=False, retries_left=False), attempt=2)
    assert lease(target) == []  # no retry left and nothing downstream will run

    # a permanent error is final even with retries left (the operator fails the task at once)
    with pytest.raises(ConfigurationError):
        step(failing(ConfigurationError("bad")), "run-C", "S1", ReleasePolicy(last_step=False, retries_left=True))
    assert lease(target) == []

    # a downstream task runs whatever happens (trigger rule all_done): it releases, not this one
    with pytest.raises(RuntimeError):
        step(boom, "run-D", "S1", ReleasePolicy(last_step=False, downstream_may_run=True))
    assert lease(target) == [(KEY, JOB, "run-D")]
    with pytest.raises(RuntimeError):
        step(boom, "run-D", "S2", ReleasePolicy(last_step=True, retries_left=True))
    assert lease(target) == [(KEY, JOB, "run-D")]  # the last task, but it will be retried
    step(tracing, "run-D", "S2", LAST, attempt=2)
    assert lease(target) == []


def _audit_running(engine: sa.Engine, run_id: str, name: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO nomasx1.collect_audit (run_id, step, apps_id, dag_id, status, started_at) "
                "VALUES (:r, :s, 10, :d, 'running', now() - interval '2 hours')"
            ),
            {"r": run_id, "s": name, "d": JOB},
        )


def _lease_of(engine: sa.Engine, run_id: str, heartbeat_age: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO nomasx1.job_run_locks (lock_key, apps_id, job_id, dag_id, run_id, holder, "
                "acquired_at, heartbeat_at) VALUES (:k, 10, :j, :j, :r, 'oldhost:4242', "
                "now() - interval '3 hours', now() - CAST(:age AS interval))"
            ),
            {"k": KEY, "j": JOB, "r": run_id, "age": heartbeat_age},
        )


def test_a_dead_holder_is_taken_over_and_its_steps_marked_interrupted(
    target: sa.Engine, caplog: pytest.LogCaptureFixture
) -> None:
    _lease_of(target, "run-dead", "1 hour")
    _audit_running(target, "run-dead", "S2")
    caplog.set_level(logging.INFO)
    step(tracing, "run-new", "S1", KEEP, lease_grace_s=900, lock_timeout_s=10)

    assert lease(target) == [(KEY, JOB, "run-new")]
    assert "taken over from a dead holder: run run-dead of nomasx1-test-1 on oldhost:4242" in caplog.text
    [(status, message, finished, by)] = rows(
        target,
        "SELECT status, message, finished_at, details->>'interrupted_by' FROM nomasx1.collect_audit "
        "WHERE run_id = 'run-dead'",
    )
    assert status == "interrupted" and by == "run-new" and finished is None
    assert message.startswith("interrupted: the step stopped without reporting")
    assert "by run run-new of nomasx1-test-1 when it took the run lease" in message


def test_a_silent_holder_within_the_grace_or_holding_the_step_lock_is_alive(target: sa.Engine) -> None:
    _lease_of(target, "run-idle", "1 minute")  # between two steps: heartbeat within the grace period
    with pytest.raises(LockTimeoutError, match="run run-idle of nomasx1-test-1 on oldhost:4242"):
        step(tracing, "run-new", "S1", KEEP, lease_grace_s=900, lock_timeout_s=1)

    with target.begin() as conn:
        conn.execute(sa.text("UPDATE nomasx1.job_run_locks SET heartbeat_at = now() - interval '1 hour'"))
    with target.connect() as holder:  # a step of run-idle is running (its heartbeat thread hangs)
        holder.execute(sa.text("SELECT pg_advisory_lock(:ns, hashtext(:k))"), {"ns": LOCK_NAMESPACE, "k": KEY})
        with pytest.raises(LockTimeoutError, match="run run-idle"):
            step(tracing, "run-new", "S1", KEEP, lease_grace_s=900, lock_timeout_s=1)
        holder.rollback()
    assert lease(target) == [(KEY, JOB, "run-idle")]
    assert rows(target, "SELECT count(*) FROM public.trace") == [(0,)]


def test_taking_a_free_lease_marks_other_runs_running_rows_interrupted(target: sa.Engine) -> None:
    _audit_running(target, "run-old", "S3")  # e.g. killed before it could release
    with target.begin() as conn:  # another job's and another application's rows are not touched
        conn.execute(
            sa.text(
                "INSERT INTO nomasx1.collect_audit (run_id, step, apps_id, dag_id, status) VALUES "
                "('run-x', 'S1', 10, 'nomasx1-other-1', 'running'), ('run-y', 'S1', 11, :d, 'running')"
            ),
            {"d": JOB},
        )
    step(tracing, "run-new", "S1", LAST)
    assert rows(target, "SELECT run_id, status FROM nomasx1.collect_audit ORDER BY run_id") == [
        ("run-new", "success"),
        ("run-old", "interrupted"),
        ("run-x", "running"),
        ("run-y", "running"),
    ]


KILLED_STEP = """
import logging, sys, time
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.operators.step import HookCache, run_step
from airflow_provider_nomasx1.run_lease import ReleasePolicy

def stuck(ctx):
    time.sleep(300)

ctx = StepContext(
    dag_id="nomasx1-test-1", step="S1", run_id="run-killed",
    params={"apps_id": 10, "target_connector": "nomasx1", "target_schema": "nomasx1"},
    log=logging.getLogger("killed"), hook_factory=HookCache(),
)
run_step(stuck, ctx, job_id="nomasx1-test-1", release=ReleasePolicy(last_step=False), lease_grace_s=1.0)
"""


def _step_lock_held(engine: sa.Engine) -> bool:
    return rows(
        engine,
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = CAST(:ns AS bigint)::oid",
        ns=LOCK_NAMESPACE,
    ) == [(1,)]


def _audit_row_written(engine: sa.Engine, run_id: str) -> bool:
    return rows(engine, "SELECT count(*) FROM nomasx1.collect_audit WHERE run_id = :r", r=run_id) == [(1,)]


def test_a_sigkilled_step_is_marked_interrupted_by_the_next_run(target: sa.Engine) -> None:
    proc = subprocess.Popen([sys.executable, "-c", KILLED_STEP], env=dict(os.environ))
    try:
        deadline = time.monotonic() + 90
        # the step is running once its audit row is committed and it holds the step lock (an
        # advisory lock in that namespace is also held while the lease is taken, before the audit
        # row exists: waiting for the lock alone races the kill)
        while not (_step_lock_held(target) and _audit_row_written(target, "run-killed")):
            assert proc.poll() is None, "the step process ended before it was killed"
            assert time.monotonic() < deadline, "the step process never started its step"
            time.sleep(0.2)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert rows(target, "SELECT status FROM nomasx1.collect_audit WHERE run_id = 'run-killed'") == [("running",)]
    assert lease(target) == [(KEY, JOB, "run-killed")]  # the kill left both behind

    step(tracing, "run-next", "S1", LAST, lease_grace_s=1.0, lock_timeout_s=30)
    [(status, message)] = rows(target, "SELECT status, message FROM nomasx1.collect_audit WHERE run_id = 'run-killed'")
    assert status == "interrupted" and "by run run-next of nomasx1-test-1" in message
    assert rows(target, "SELECT status FROM nomasx1.collect_audit WHERE run_id = 'run-next'") == [("success",)]
    assert lease(target) == []


# --- the run order: which runs a job accepts (run_order.py) -----------------------------------------


def _day(day: int) -> dict[str, Any]:
    """The dag run of the 03:00 Paris cron on 2026-12-``day`` (02:00 UTC)."""
    return {"logical_date": dt.datetime(2026, 12, day, 2, 0, tzinfo=dt.UTC), "run_type": "scheduled"}


def current_run(engine: sa.Engine) -> list[tuple]:
    return rows(engine, "SELECT lock_key, run_id, run_moment FROM nomasx1.job_current_runs")


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("snapshot", "is a snapshot job: it records the JD Edwards source as it is when it runs"),
        ("once", "is not tied to a date"),
    ],
)
def test_a_backfill_run_of_a_snapshot_or_once_job_is_refused_before_anything(
    target: sa.Engine, kind: str, reason: str, no_trace_of: Callable[[sa.Engine], tuple[list, list]]
) -> None:
    backfill = {"logical_date": dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC), "run_type": "backfill"}
    with pytest.raises(RunRefusedError, match=reason) as err:
        step(tracing, "backfill__2026-11-28T02:00:00+00:00", "S1", run=backfill, job_kind=kind)
    assert "2026-11-28" in str(err.value) and "nothing was written" in str(err.value)
    assert is_permanent(err.value)  # the operator fails the task at once, no retry
    assert rows(target, "SELECT * FROM public.trace") == []  # the step never ran
    assert no_trace_of(target) == ([], [])  # no audit row, no lease
    assert current_run(target) == []


def test_a_backfill_run_of_an_interval_job_runs(target: sa.Engine) -> None:
    backfill = {"logical_date": dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC), "run_type": "backfill"}
    assert step(tracing, "backfill__1", "S1", run=backfill, job_kind="interval")["rows"] == {"trace": 1}


def test_a_snapshot_run_older_than_the_current_state_is_refused(
    target: sa.Engine, caplog: pytest.LogCaptureFixture
) -> None:
    step(tracing, "scheduled__12-02", "S1", KEEP, run=_day(2), job_kind="snapshot")
    step(tracing, "scheduled__12-02", "S2", LAST, run=_day(2), job_kind="snapshot")  # its next step passes
    assert current_run(target) == [(KEY, "scheduled__12-02", _day(2)["logical_date"])]

    # an older run cleared and run again from the grid (its run type stays scheduled)
    with pytest.raises(RunRefusedError) as err:
        step(tracing, "scheduled__12-01", "S1", run=_day(1), job_kind="snapshot")
    assert str(err.value).startswith(
        "run scheduled__12-01 of nomasx1-test-1 stands for 2026-12-01, before run scheduled__12-02 "
        "(2026-12-02) whose results the current tables of application 10 already hold."
    )
    assert rows(target, "SELECT DISTINCT run_id FROM public.trace") == [("scheduled__12-02",)]
    assert rows(target, "SELECT count(*) FROM nomasx1.collect_audit WHERE run_id = 'scheduled__12-01'") == [(0,)]
    assert lease(target) == []  # the refused run gave the lease back

    step(tracing, "scheduled__12-02", "S1", run=_day(2), job_kind="snapshot")  # the latest run again: accepted
    # a manual run of the same day, due earlier than the scheduled one, let in after it: accepted
    early = {"logical_date": dt.datetime(2026, 12, 2, 0, 30, tzinfo=dt.UTC), "run_type": "manual"}
    step(tracing, "manual__12-02-early", "S1", run=early, job_kind="snapshot")
    assert current_run(target) == [(KEY, "manual__12-02-early", early["logical_date"])]
    manual = {"logical_date": None, "run_after": dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC), "run_type": "manual"}
    step(tracing, "manual__12-03", "S1", run=manual, job_kind="snapshot")  # no logical date: when it was due
    assert current_run(target) == [(KEY, "manual__12-03", manual["run_after"])]


def test_without_the_run_order_table_a_snapshot_run_is_accepted_with_a_warning(
    target: sa.Engine, caplog: pytest.LogCaptureFixture
) -> None:
    with target.begin() as conn:
        conn.execute(sa.text("DROP TABLE nomasx1.job_current_runs"))
    assert step(tracing, "scheduled__12-02", "S1", run=_day(2), job_kind="snapshot")["rows"] == {"trace": 1}
    assert "run order not checked" in caplog.text and "0009" in caplog.text
