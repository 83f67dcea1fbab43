"""Which runs a job accepts, by the kind of job: backfills, and runs older than the current state.

A job's ``kind`` (spec key ``kind``, by default from its family: ``dagspec/model.py``) says what a
run's date means (docs/operations.md, "Backfills"):

- ``snapshot`` (security, SoD, mirror sync, directory, database properties): the run records the
  source *as it is when it reads it* into the current tables, and the rights audit compares it
  with the run before. A past date cannot be read back from a JDE source, so a backfill run is
  refused, and so is any run older than the one whose results the current tables hold (an old
  run cleared and run again, a trigger with a past logical date): it would make the current state
  older and the audit compare out of order.
- ``interval`` (licence usage, OUT, activity log, audit trail, employee snapshots): each run covers
  its data interval, so backfills are how past intervals are filled; nothing is refused here.
- ``once`` (install, reference data, maintenance): not about a date; a backfill run is refused.

The newest accepted run of a snapshot job is a row of ``job_current_runs`` (keyed like the run
lease, :class:`~airflow_provider_nomasx1.run_lease.RunLease`), written under the lease
before the run's first write. Runs are ordered by their day (:func:`run_day`, the as-of date they
write), not by the instant: two runs of one day read the same source and write the same as-of
date, and the run lease lets waiting runs in no particular order, so neither refuses the other.
A schema without the table (not upgraded to 0009 yet) is tolerated with a warning: the run is
then accepted as before.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, get_args
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from airflow_provider_nomasx1.errors import RunRefusedError
from airflow_provider_nomasx1.pg.catalogue import tolerate_missing_table
from airflow_provider_nomasx1.pg.identifiers import qualified
from airflow_provider_nomasx1.run_lease import RunLease

JobKind = Literal["snapshot", "interval", "once"]
JOB_KINDS: tuple[str, ...] = get_args(JobKind)
#: Airflow's run type of the runs ``airflow backfill create`` makes (DagRunType.BACKFILL_JOB)
BACKFILL_RUN_TYPE = "backfill"
#: the zone of the day a run stands for: the bundled jobs' schedules and as-of dates are in Paris time
RUN_DAY_TIMEZONE = ZoneInfo("Europe/Paris")


def run_day(moment: dt.datetime) -> dt.date:
    """The day a run stands for (its as-of date by default): ``moment`` in :data:`RUN_DAY_TIMEZONE`
    (a naive moment is UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(RUN_DAY_TIMEZONE).date()


def refuse_backfill(kind: str | None, run_type: str | None, dag_id: str, moment: dt.datetime | None) -> None:
    """Raise :class:`RunRefusedError` for a backfill run of a job that is not an interval job.

    Called before a step checks or writes anything, so a refused backfill leaves no trace but the
    failed task and its message."""
    if run_type != BACKFILL_RUN_TYPE or kind in (None, "interval"):
        return
    when = _day(moment)
    if kind == "snapshot":
        raise RunRefusedError(
            f"{dag_id} is a snapshot job: it records the JD Edwards source as it is when it runs, and the "
            f"source cannot show it as it was on {when}. This backfill run would store today's data under "
            f"{when} and make the current tables and the rights audit older; it is refused and nothing was "
            f"written. Trigger the DAG instead (a run now); backfills are for interval jobs "
            f"(docs/operations.md, Backfills)."
        )
    raise RunRefusedError(
        f"{dag_id} is not tied to a date (install, reference data or maintenance job): a backfill run for "
        f"{when} has nothing to fill; it is refused and nothing was written. Trigger the DAG instead "
        f"(docs/operations.md, Backfills)."
    )


def accept_snapshot_run(lease: RunLease, moment: dt.datetime) -> None:
    """Record the run holding ``lease`` as the one the current tables now follow, or refuse it
    when a run of a later day already wrote them. Call it once the lease is held, before the step
    writes anything.

    The same run (a later step, a retry, the run cleared and run again) is always accepted, and so
    is another run of the same day, in whichever order the lease lets them in."""
    apps_id, job_id, dag_id, run_id, key = lease.apps_id, lease.job_id, lease.dag_id, lease.run_id, lease.key
    table = qualified(lease.schema, "job_current_runs")
    try:
        with lease.engine.begin() as conn:
            current = conn.execute(
                sa.text(f"SELECT dag_id, run_id, run_moment FROM {table} WHERE lock_key = :k FOR UPDATE"),
                {"k": key},
            ).first()
            other_run = current is not None and (current.dag_id, current.run_id) != (dag_id, run_id)
            if other_run and run_day(current.run_moment) > run_day(moment):
                raise RunRefusedError(_out_of_order(dag_id, run_id, moment, current, apps_id))
            conn.execute(
                sa.text(
                    f"INSERT INTO {table} (lock_key, apps_id, job_id, dag_id, run_id, run_moment) "
                    "VALUES (:k, :apps, :job, :dag, :run, :moment) ON CONFLICT (lock_key) DO UPDATE SET "
                    "dag_id = EXCLUDED.dag_id, run_id = EXCLUDED.run_id, run_moment = EXCLUDED.run_moment, "
                    "accepted_at = now()"
                ),
                {"k": key, "apps": apps_id, "job": job_id, "dag": dag_id, "run": run_id, "moment": moment},
            )
    except DBAPIError as exc:
        tolerate_missing_table(
            exc,
            lease.log,
            "run order not checked (%s): the schema is not upgraded to 0009 yet (nomasx1-upgrade-schema-1)",
        )


def _out_of_order(dag_id: str, run_id: str, moment: dt.datetime, current: sa.Row, apps_id: int | None) -> str:
    scope = f"application {apps_id}" if apps_id is not None else "its target"
    return (
        f"run {run_id} of {dag_id} stands for {run_day(moment)}, before run {current.run_id} "
        f"({run_day(current.run_moment)}) whose results the current tables of {scope} already hold. A snapshot "
        f"job only moves forward: this run would make the current state older and the rights audit compare "
        f"out of order; it is refused and nothing was written. Trigger the DAG for a run now "
        f"(docs/operations.md, Backfills)."
    )


def _day(moment: dt.datetime | None) -> str:
    return run_day(moment).isoformat() if moment is not None else "a past date"
