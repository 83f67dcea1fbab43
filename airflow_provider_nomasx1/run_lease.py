"""The run lease: one run of a job works on an application at a time, from its first step to its last.

The session advisory lock of :func:`~airflow_provider_nomasx1.bookkeeping.job_lock` keeps two
*steps* of a job on an application from writing at once, but two *runs* started together would
still interleave step by step (run A's users beside run B's rights). The lease is a row of
``job_run_locks`` keyed like that lock (:func:`~airflow_provider_nomasx1.pg.locks.session_lock_key`):

- the first step of a run inserts it; later steps and retries of the same run (same dag_id and
  run_id) pass; a step of another run waits, logging who holds it, and fails after the lock
  timeout (:class:`~airflow_provider_nomasx1.bookkeeping.LockTimeoutError`, retried);
- the holder refreshes ``heartbeat_at`` at each step start and end and while a step runs;
- a holder is dead when no step holds the job's advisory lock (the lock goes with the session of
  a killed process) and its heartbeat is older than the grace period: the lease is taken over,
  with a warning;
- whoever takes the lease marks the ``running`` collect_audit rows of other runs of the same DAG
  and application ``interrupted``: no other run is alive, so those steps died without reporting;
- the step operator releases it (:class:`ReleasePolicy`): after the last step, or after a final
  failure that no downstream task will follow.

All statements use their own connections, apart from the collector's transactions. A schema
without the table (install jobs run before it exists; a schema not yet upgraded) is tolerated:
the step then runs with the advisory lock only, as before the lease existed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from airflow_provider_nomasx1.bookkeeping import LockTimeoutError
from airflow_provider_nomasx1.errors import describe_error, is_permanent
from airflow_provider_nomasx1.pg.catalogue import is_missing_relation, tolerate_missing_table
from airflow_provider_nomasx1.pg.identifiers import qualified
from airflow_provider_nomasx1.pg.locks import session_lock_held, session_lock_key

#: a holder silent for this long (and holding no step lock) is dead; Airflow setting
#: ``[nomasx1] run_lock_grace_minutes`` (env AIRFLOW__NOMASX1__RUN_LOCK_GRACE_MINUTES)
DEFAULT_GRACE_S = 15 * 60.0
#: how often a waiting step says who it waits for
LOG_EVERY_S = 30.0


def holder_name() -> str:
    """``host:pid`` of this process, as stored in ``job_run_locks.holder``."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class ReleasePolicy:
    """When a step gives its run's lease back.

    The default (one step on its own: the CLI, tests, benchmarks) releases after the step, so a
    caller that runs steps one by one behaves as before the lease. The operator builds it from the
    task's place in the DAG and its remaining tries.

    :param last_step: no task follows this one in the DAG.
    :param downstream_may_run: a task after this one runs even when this one fails (a trigger rule
        other than ``all_success`` anywhere downstream): that task releases the lease.
    :param retries_left: Airflow will try this task again after a failure that is not permanent.
    """

    last_step: bool = True
    downstream_may_run: bool = False
    retries_left: bool = False

    def release_after(self, error: BaseException | None) -> bool:
        if error is None:
            return self.last_step
        final = is_permanent(error) or not self.retries_left
        return final and not self.downstream_may_run


@dataclass(frozen=True)
class LeaseRow:
    """Who holds a lease, as read from ``job_run_locks``."""

    dag_id: str
    run_id: str
    holder: str
    acquired_at: dt.datetime
    heartbeat_at: dt.datetime

    def describe(self) -> str:
        return (
            f"run {self.run_id} of {self.dag_id} on {self.holder}, since {_when(self.acquired_at)} "
            f"(last heartbeat {_when(self.heartbeat_at)})"
        )


def _when(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


class RunLease:
    """The lease of one run (``dag_id``, ``run_id``) on (``apps_id``, ``job_id``) in ``schema``."""

    def __init__(
        self,
        engine: sa.Engine,
        schema: str,
        *,
        apps_id: int | None,
        job_id: str,
        dag_id: str,
        run_id: str,
        log: logging.Logger,
        grace_s: float = DEFAULT_GRACE_S,
        poll_s: float = 2.0,
    ) -> None:
        self.engine = engine
        self.schema = schema
        self.table = qualified(schema, "job_run_locks")
        self.audit_table = qualified(schema, "collect_audit")
        self.key = session_lock_key(apps_id, job_id)
        self.apps_id, self.job_id, self.dag_id, self.run_id = apps_id, job_id, dag_id, run_id
        self.log = log
        self.grace_s = grace_s
        self.poll_s = poll_s
        self.holder = holder_name()
        #: False when the table is missing: beat() and release() then do nothing
        self.active = False

    # --- acquiring ---------------------------------------------------------------------------

    def acquire(self, timeout_s: float) -> bool:
        """Take the lease (or re-enter it), waiting up to ``timeout_s`` for another run to end.

        Returns False, with a warning, when ``job_run_locks`` does not exist.
        """
        deadline = time.monotonic() + timeout_s
        next_log = 0.0
        while True:
            try:
                outcome, other = self._try_acquire()
            except DBAPIError as exc:
                tolerate_missing_table(
                    exc,
                    self.log,
                    "run lease not taken (%s): the schema is not created or not upgraded yet "
                    "(nomasx1-init-schema-1, nomasx1-upgrade-schema-1); the step lock still applies",
                )
                return False
            if other is None and outcome == "held":
                continue  # inserted and released by another run meanwhile: look again
            if outcome != "held":
                self.active = True
                self._after_acquire(outcome, other)
                return True
            now = time.monotonic()
            if now >= deadline:
                raise LockTimeoutError(
                    f"another run of {self.job_id!r} on application {_apps(self.apps_id)} still holds the "
                    f"run lease after {timeout_s:.0f}s: {other.describe()}. Wait for that run to finish; if it "
                    f"is dead, release its lease (docs/operations.md, lock_key {self.key!r}) and retry"
                )
            if now >= next_log:
                self.log.info("waiting for the run lease %s: held by %s", self.key, other.describe())
                next_log = now + LOG_EVERY_S
            time.sleep(min(self.poll_s, max(deadline - now, 0.05)))

    def _try_acquire(self) -> tuple[str, LeaseRow | None]:
        """One attempt, in one transaction: ``acquired``, ``reentered``, ``taken_over`` (with the
        dead holder) or ``held`` (with the live holder)."""
        ids = {"k": self.key, "dag": self.dag_id, "run": self.run_id, "holder": self.holder}
        with self.engine.begin() as conn:
            row = conn.execute(
                sa.text(
                    f"SELECT dag_id, run_id, holder, acquired_at, heartbeat_at, "
                    f"heartbeat_at < now() - make_interval(secs => :grace) AS stale "
                    f"FROM {self.table} WHERE lock_key = :k FOR UPDATE"
                ),
                {"k": self.key, "grace": self.grace_s},
            ).first()
            if row is None:
                inserted = conn.execute(
                    sa.text(
                        f"INSERT INTO {self.table} (lock_key, apps_id, job_id, dag_id, run_id, holder) "
                        "VALUES (:k, :apps, :job, :dag, :run, :holder) ON CONFLICT (lock_key) DO NOTHING"
                    ),
                    {**ids, "apps": self.apps_id, "job": self.job_id},
                ).rowcount
                # a concurrent first step inserted it: the next attempt reads who
                return ("acquired", None) if inserted else ("held", self._read(conn))
            other = LeaseRow(row.dag_id, row.run_id, row.holder, row.acquired_at, row.heartbeat_at)
            if (row.dag_id, row.run_id) == (self.dag_id, self.run_id):
                conn.execute(
                    sa.text(f"UPDATE {self.table} SET heartbeat_at = now(), holder = :holder WHERE lock_key = :k"),
                    ids,
                )
                return "reentered", other
            if row.stale and not self._step_lock_held(conn):
                conn.execute(
                    sa.text(
                        f"UPDATE {self.table} SET dag_id = :dag, run_id = :run, holder = :holder, "
                        "acquired_at = now(), heartbeat_at = now() WHERE lock_key = :k"
                    ),
                    ids,
                )
                return "taken_over", other
            return "held", other

    def _read(self, conn: sa.Connection) -> LeaseRow | None:
        row = conn.execute(
            sa.text(f"SELECT dag_id, run_id, holder, acquired_at, heartbeat_at FROM {self.table} WHERE lock_key = :k"),
            {"k": self.key},
        ).first()
        return LeaseRow(*row) if row else None

    def _step_lock_held(self, conn: sa.Connection) -> bool:
        """Whether a session of this database holds the job's step advisory lock (a live step)."""
        return session_lock_held(conn, self.key)

    def _after_acquire(self, outcome: str, other: LeaseRow | None) -> None:
        if outcome == "reentered":
            self.log.info("run lease %s: held by this run", self.key)
            return
        if outcome == "taken_over" and other is not None:
            self.log.warning(
                "run lease %s taken over from a dead holder: %s; no step of it holds the job lock and its "
                "heartbeat is older than %.0f s",
                self.key,
                other.describe(),
                self.grace_s,
            )
        else:
            self.log.info("run lease taken: %s", self.key)
        self.mark_interrupted(other if outcome == "taken_over" else None)

    def mark_interrupted(self, dead: LeaseRow | None = None) -> int:
        """Steps still ``running`` in other runs of this DAG and application (and of a dead holder's
        run) are ``interrupted``: this run holds the lease, so none of them is alive."""
        now = dt.datetime.now(dt.UTC)
        message = (
            f"interrupted: the step stopped without reporting (process killed or host lost); found still "
            f"running at {_when(now)} by run {self.run_id} of {self.dag_id} when it took the run lease"
        )
        sql = sa.text(
            f"UPDATE {self.audit_table} SET status = 'interrupted', message = :message, "
            "details = coalesce(details, '{}'::jsonb) || jsonb_build_object('interrupted_by', CAST(:run AS text), "
            "'interrupted_found_at', CAST(:now AS timestamptz)) "
            "WHERE status = 'running' AND apps_id IS NOT DISTINCT FROM :apps "
            "AND ((dag_id = :dag AND run_id <> :run) OR (dag_id = :old_dag AND run_id = :old_run))"
        )
        params = {
            "message": message,
            "run": self.run_id,
            "now": now,
            "apps": self.apps_id,
            "dag": self.dag_id,
            "old_dag": dead.dag_id if dead else None,
            "old_run": dead.run_id if dead else None,
        }
        try:
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                count = conn.execute(sql, params).rowcount
        except DBAPIError as exc:
            if not is_missing_relation(exc):
                raise
            return 0
        if count:
            self.log.warning("%s collect_audit row(s) of dead steps marked interrupted", count)
        return count

    # --- holding -----------------------------------------------------------------------------

    def beat(self) -> bool:
        """Refresh ``heartbeat_at``; False (with a warning) when this run no longer holds the lease."""
        if not self.active:
            return False
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            found = conn.execute(
                sa.text(
                    f"UPDATE {self.table} SET heartbeat_at = now(), holder = :holder "
                    "WHERE lock_key = :k AND dag_id = :dag AND run_id = :run"
                ),
                {"k": self.key, "dag": self.dag_id, "run": self.run_id, "holder": self.holder},
            ).rowcount
        if not found:
            self.log.warning("run lease %s is no longer held by run %s (released by hand?)", self.key, self.run_id)
        return bool(found)

    @contextlib.contextmanager
    def heartbeat(self, every_s: float | None = None) -> Iterator[None]:
        """Refresh the heartbeat from a background thread while the block (a step) runs."""
        if not self.active:
            yield
            return
        interval = every_s if every_s is not None else max(0.2, min(60.0, self.grace_s / 5))
        stop = threading.Event()

        def loop() -> None:
            while not stop.wait(interval):
                try:
                    self.beat()
                except Exception as exc:  # a lost beat is retried at the next interval
                    self.log.warning("run lease heartbeat failed: %s", describe_error(exc))

        thread = threading.Thread(target=loop, name=f"nomasx1-lease-{self.key}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(interval + 5)

    def release(self) -> None:
        """Give the lease back (only this run's row is ever deleted); never raises."""
        if not self.active:
            return
        try:
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(
                    sa.text(f"DELETE FROM {self.table} WHERE lock_key = :k AND dag_id = :dag AND run_id = :run"),
                    {"k": self.key, "dag": self.dag_id, "run": self.run_id},
                )
            self.active = False
            self.log.info("run lease released: %s", self.key)
        except DBAPIError as exc:  # keep the step's own outcome; a dead lease is taken over later
            self.log.warning("could not release the run lease %s (%s)", self.key, describe_error(exc))

    def end_step(self, release: bool) -> None:
        """At the end of a step: release, or refresh the heartbeat for the gap until the next step."""
        if release:
            self.release()
            return
        try:
            self.beat()
        except DBAPIError as exc:
            self.log.warning("run lease heartbeat failed: %s", describe_error(exc))


def _apps(apps_id: int | None) -> str:
    return str(apps_id) if apps_id is not None else "-"
