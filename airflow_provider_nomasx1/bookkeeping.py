"""Run bookkeeping on the target database: the per-job advisory lock, `collect_audit` rows, and
the checks a run passes before it writes either (:func:`check_run_target`).

Both use their own autocommit connection, apart from the collector's transactions, so that the
lock is held for the whole step and an audit row survives the rollback of a failed step.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import time
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from airflow_provider_nomasx1.errors import ConfigurationError, TransientError, describe_error
from airflow_provider_nomasx1.pg.catalogue import table_exists, tolerate_missing_table
from airflow_provider_nomasx1.pg.identifiers import qualified
from airflow_provider_nomasx1.pg.locks import LOCK_NAMESPACE, session_lock_key, session_unlock, try_session_lock

__all__ = ["LOCK_NAMESPACE", "CollectAudit", "LockTimeoutError", "check_run_target", "job_lock", "lock_key"]


class LockTimeoutError(TransientError):
    """Another run of the same job on the same application held the lock for too long (retried:
    the other run may have finished by the next attempt)."""


def lock_key(apps_id: int | None, job_id: str) -> str:
    """The text the advisory lock is keyed on: one lock per (application, job)."""
    return session_lock_key(apps_id, job_id)


@contextlib.contextmanager
def job_lock(
    engine: sa.Engine,
    apps_id: int | None,
    job_id: str,
    log: logging.Logger,
    timeout_s: float = 3600,
    poll_s: float = 2.0,
) -> Iterator[None]:
    """Hold the PostgreSQL advisory lock of (apps_id, job_id) while the block runs.

    Two runs of the same job on the same application never write at the same time: the second
    waits (logging who it waits for) and fails with a clear message after ``timeout_s``.
    """
    key = lock_key(apps_id, job_id)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        deadline = time.monotonic() + timeout_s
        next_log = 0.0
        while not try_session_lock(conn, key):
            now = time.monotonic()
            if now >= deadline:
                raise LockTimeoutError(
                    f"another run of {job_id!r} on application {apps_id} still holds the job lock after "
                    f"{timeout_s:.0f}s; wait for it to finish (see the DAG's running runs) and retry"
                )
            if now >= next_log:
                log.info("waiting for another run of %s on application %s to finish", job_id, apps_id)
                next_log = now + 30
            time.sleep(poll_s)
        log.info("job lock taken: %s", key)
        try:
            yield
        finally:
            try:
                session_unlock(conn, key)
            except DBAPIError as exc:  # the session is gone, and its lock with it: keep the step's own error
                log.warning("could not release the job lock %s (%s)", key, describe_error(exc))


class CollectAudit:
    """Writes the `collect_audit` row of one step attempt (upserted on (dag_id, run_id, step))."""

    def __init__(self, engine: sa.Engine, schema: str, log: logging.Logger) -> None:
        self.engine = engine
        self.table = qualified(schema, "collect_audit")
        self.log = log

    def _upsert(self, row: dict) -> bool:
        sql = sa.text(
            f"INSERT INTO {self.table} (run_id, step, apps_id, dag_id, table_name, rows_written, "
            "started_at, finished_at, status, attempt, message, details) VALUES (:run_id, :step, "
            ":apps_id, :dag_id, :table_name, :rows_written, :started_at, :finished_at, :status, "
            ":attempt, :message, CAST(:details AS jsonb)) ON CONFLICT (dag_id, run_id, step) DO UPDATE SET "
            "apps_id = EXCLUDED.apps_id, table_name = EXCLUDED.table_name, "
            "rows_written = EXCLUDED.rows_written, started_at = EXCLUDED.started_at, "
            "finished_at = EXCLUDED.finished_at, status = EXCLUDED.status, attempt = EXCLUDED.attempt, "
            "message = EXCLUDED.message, details = EXCLUDED.details"
        )
        try:
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sql, row)
            return True
        except DBAPIError as exc:
            # the schema does not exist yet (the install jobs create it): the step decides success
            tolerate_missing_table(
                exc,
                self.log,
                "collect_audit not written (%s): no such table in %s yet (nomasx1-init-schema-1 creates a "
                "nomasx1 schema's; deploy-databases, or the sync's first step, a mirror schema's)",
                self.table.rsplit(".", 1)[0],
            )
            return False

    def started(
        self, *, run_id: str, step: str, apps_id: int | None, dag_id: str, attempt: int, started_at: dt.datetime
    ) -> bool:
        return self._upsert(
            {
                "run_id": run_id,
                "step": step,
                "apps_id": apps_id,
                "dag_id": dag_id,
                "table_name": None,
                "rows_written": 0,
                "started_at": started_at,
                "finished_at": None,
                "status": "running",
                "attempt": attempt,
                "message": None,
                "details": "{}",
            }
        )

    def finished(
        self,
        *,
        run_id: str,
        step: str,
        apps_id: int,
        dag_id: str,
        attempt: int,
        started_at: dt.datetime,
        rows: dict[str, int],
        status: str,
        message: str | None,
        details: dict | None = None,
    ) -> bool:
        tables = sorted(rows)
        return self._upsert(
            {
                "run_id": run_id,
                "step": step,
                "apps_id": apps_id,
                "dag_id": dag_id,
                "table_name": ",".join(tables)[:500] or None,
                "rows_written": sum(rows.values()),
                "started_at": started_at,
                "finished_at": dt.datetime.now(dt.UTC),
                "status": status,
                "attempt": attempt,
                "message": (message or "")[:2000] or None,
                "details": json.dumps({**(details or {}), "rows": rows}, default=str),
            }
        )


def check_run_target(
    engine: sa.Engine, schema: str, apps_id: int | None, conn_id: str, *, creates_schema: bool = False
) -> None:
    """Refuse a run before it writes any audit row or lock: the target schema must exist (unless
    the job creates it: the install jobs) and the application must be registered (when the schema
    has a registry; the mirror's has none). Raises ConfigurationError, so the task is not retried."""
    with engine.connect() as conn:
        exists = conn.execute(sa.text("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = :s)"), {"s": schema})
        if not exists.scalar():
            if creates_schema:
                return
            raise ConfigurationError(
                f"target schema {schema!r} does not exist in the database of connection {conn_id!r}: create it "
                f"with the job nomasx1-init-schema-1 (param target_schema={schema}) for a nomasx1 schema, with "
                f"the job deploy-databases (param mirror_schema={schema}) for the mirror of nomajde-daily-sync, "
                "or fix this run's target_schema param"
            )
        registry = qualified(schema, "settings_applications")
        if apps_id is None or not table_exists(conn, schema, "settings_applications"):
            return
        found = conn.execute(sa.text(f"SELECT EXISTS (SELECT 1 FROM {registry} WHERE apps_id = :a)"), {"a": apps_id})
        if not found.scalar():
            raise ConfigurationError(
                f"application {apps_id} is not registered in {schema}.settings_applications: add it with "
                f"`nomasx1 apps add --apps-id {apps_id} --name NAME --url URL` (see docs/applications.md), "
                "or run the job with the apps_id of a registered application (`nomasx1 apps list --url URL`)"
            )
