"""The distributed shape as real processes: scheduler, dag-processor, api-server and two Celery workers.

One deployment for the whole module (tests/support/celery_cluster.py): a fresh PostgreSQL metadata
database (also the Celery result backend), Redis database 7 as the broker, the provider's bundle
class serving a copy of the bundle whose nomasx1-security-1 takes ``max_active_runs: 3``, and the
security target of tests/support/security.py on the tiny synthetic JDE source, with applications
A (10) and B (11) registered. Runs are triggered through the REST API v2 and the ``airflow``
CLI, as an operator would; the tests run in file order on the same deployment.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import yaml
from sqlalchemy.engine import URL
from support.celery_cluster import (
    WORKERS,
    CeleryCluster,
    airflow_env,
    flush_redis_db,
    free_port,
    redis_ping,
    wait_for,
)
from support.security import AS_OF, make_target

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.applications import Registry
from airflow_provider_nomasx1.collectors.preload import import_reference_bundle
from airflow_provider_nomasx1.demo.jde_generator import generate

BROKER = "redis://127.0.0.1:6379/7"
pytestmark = [
    pytest.mark.airflow,
    pytest.mark.distributed,
    pytest.mark.skipif(not redis_ping(), reason="no Redis on 127.0.0.1:6379 (the Celery broker of this test)"),
]

DAG_ID = "nomasx1-security-1"
APP_A, APP_B = 10, 11
#: the queue Airflow gives a task that names none (``[operators] default_queue``), the one Celery serves
DEFAULT_QUEUE = "default"
RUN_SECONDS = 240


@dataclass
class Deployment:
    cluster: CeleryCluster
    target: sa.Engine
    steps: list[str]
    #: the task instances of every run the tests triggered, by run id
    instances: dict[str, list[dict]] = field(default_factory=dict)

    def conf(self, apps_id: int) -> dict:
        return {
            "apps_id": apps_id,
            "source_connector": "jdedwards",
            "target_connector": "nomasx1",
            "as_of_date": AS_OF.isoformat(),
        }

    def rows(self, sql: str, **params: object) -> list[tuple]:
        with self.target.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql), params)]

    def rights(self, apps_id: int) -> int:
        return self.rows("SELECT count(*) FROM nomasx1.security_rights_users WHERE apps_id = :a", a=apps_id)[0][0]

    def audit(self, run_id: str) -> list[tuple]:
        """(step, status, apps_id, started_at, finished_at) of one run, in step order of time."""
        return self.rows(
            "SELECT step, status, apps_id, started_at, finished_at FROM nomasx1.collect_audit "
            "WHERE dag_id = :d AND run_id = :r ORDER BY finished_at",
            d=DAG_ID,
            r=run_id,
        )

    def lease_wait(self, run_id: str, step: str) -> float | None:
        """Seconds the step waited for another run's lease (collect_audit.details), None: no wait."""
        [(waited,)] = self.rows(
            "SELECT (details->>'lease_wait_s')::float FROM nomasx1.collect_audit "
            "WHERE dag_id = :d AND run_id = :r AND step = :s",
            d=DAG_ID,
            r=run_id,
            s=step,
        )
        return waited

    def run_all(self, runs: dict[str, int]) -> dict[str, dict]:
        """Trigger the runs (run id -> application) at once and wait for them; keep their task instances."""
        for run_id, apps_id in runs.items():
            self.cluster.trigger(DAG_ID, self.conf(apps_id), run_id)
        finished = self.cluster.wait_finished(DAG_ID, list(runs), RUN_SECONDS)
        for run_id in runs:
            self.instances[run_id] = self.cluster.task_instances(DAG_ID, run_id)
        return finished


def _test_bundle(bundle_copy, folder: Path) -> Path:
    """A copy of the bundle whose nomasx1-security-1 lets 3 runs be active at once."""
    root = bundle_copy(folder)
    path = root / "jobs" / f"{DAG_ID}.yaml"
    spec = yaml.safe_load(path.read_text())
    spec["max_active_runs"] = 3
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return root


def _target(pg_server: URL) -> tuple[URL, URL]:
    """The tiny JDE source and the nomasx1 target with applications A and B (security fixtures' setup)."""
    source = testing.create_database(pg_server, "jde_celery")
    target = testing.create_database(pg_server, "nomasx1_celery")
    generate(source, profile="tiny", seed=1, as_of=AS_OF)
    engine = sa.create_engine(target)
    try:
        with pytest.MonkeyPatch.context() as mp:
            make_target(engine, source, mp)  # schema, application A (10), curated reference data
        Registry(engine, "nomasx1").add(APP_B, "JDE tiny B", source_conn_id="jdedwards")
        import_reference_bundle(engine, "nomasx1", target_apps_ids=(APP_B,))
    finally:
        engine.dispose()
    return source, target


@pytest.fixture(scope="module")
def deployment(pg_server: URL, tmp_path_factory: pytest.TempPathFactory, bundle_copy) -> Iterator[Deployment]:
    started = time.monotonic()
    folder = tmp_path_factory.mktemp("celery")
    metadata = testing.create_database(pg_server, "airflow_celery")
    source, target = _target(pg_server)
    connections = testing.connection_env("jdedwards", source, conn_type="jdedwards", db_type="postgres")
    connections |= testing.connection_env("nomasx1", target)
    bundle = _test_bundle(bundle_copy, folder)
    home = folder / "home"
    home.mkdir()
    env = airflow_env(
        home,
        metadata.render_as_string(hide_password=False),
        BROKER,
        bundle,
        free_port(),
        connections,
        parallelism=6,
    )
    flush_redis_db(BROKER)
    cluster = CeleryCluster(env=env, log_dir=folder / "logs", concurrency=2)
    engine = sa.create_engine(target)
    try:
        cluster.airflow("db", "migrate", timeout=600)
        print(f"\nsetup (databases, source, target, db migrate): {time.monotonic() - started:.1f}s")
        cluster.start()
        wait_for(lambda: cluster.check_alive() or cluster.healthy(), 90, "the api-server's health")
        wait_for(lambda: cluster.check_alive() or cluster.dag(DAG_ID), 90, f"{DAG_ID} parsed")
        wait_for(lambda: cluster.check_alive() or cluster.workers_ready(), 60, "both Celery workers ready")
        cluster.unpause(DAG_ID)
        # unpaused, the DAG gets a run for its latest tick: let it end, so that every test starts quiet
        wait_for(lambda: _finished_scheduled_runs(cluster), RUN_SECONDS, "the scheduled run after unpausing", 2)
        spec = yaml.safe_load((bundle / "jobs" / f"{DAG_ID}.yaml").read_text())
        print(f"deployment up after {time.monotonic() - started:.1f}s; logs in {cluster.log_dir}")
        yield Deployment(cluster=cluster, target=engine, steps=[s["id"] for s in spec["steps"]])
    finally:
        left = cluster.stop()
        if left:
            print(f"processes left after the stop (killed): {left}")
        flush_redis_db(BROKER)
        engine.dispose()
        for url in (metadata, source, target):
            testing.drop_database(url)


def _finished_scheduled_runs(cluster: CeleryCluster) -> list[dict] | None:
    cluster.check_alive()
    found = cluster.api("GET", f"dags/{DAG_ID}/dagRuns?run_type=scheduled&limit=10")["dag_runs"]
    return found if found and all(r["state"] in ("success", "failed") for r in found) else None


def _hosts_and_queues(deployment: Deployment, run_id: str) -> list[tuple[str, str, str, str]]:
    return [
        (ti["task_id"], ti["state"], ti["hostname"], ti["queue"])
        for ti in sorted(deployment.instances[run_id], key=lambda ti: ti["start_date"] or "")
    ]


def _latest_tick(now: dt.datetime) -> dt.datetime:
    """The latest 03:00 Europe/Paris (the job's cron) at or before ``now``."""
    paris = now.astimezone(ZoneInfo("Europe/Paris"))
    tick = paris.replace(hour=3, minute=0, second=0, microsecond=0)
    return (tick if tick <= paris else tick - dt.timedelta(days=1)).astimezone(dt.UTC)


def test_unpausing_runs_the_latest_tick_once(deployment: Deployment) -> None:
    """docs/operations.md: unpaused after missed ticks, the DAG gets one run, for the latest tick
    (catchup=False), on the params' defaults: application 10 (A)."""
    cluster = deployment.cluster
    runs = cluster.api("GET", f"dags/{DAG_ID}/dagRuns?run_type=scheduled&limit=10")["dag_runs"]
    assert [dt.datetime.fromisoformat(r["logical_date"]) for r in runs] == [_latest_tick(dt.datetime.now(dt.UTC))]
    run_id = runs[0]["dag_run_id"]
    print(f"\n{run_id}: {runs[0]['state']} ({runs[0]['start_date']} -> {runs[0]['end_date']})")
    assert runs[0]["state"] == "success", cluster.log_tail("scheduler")
    deployment.instances[run_id] = cluster.task_instances(DAG_ID, run_id)
    assert [(s, st, a) for s, st, a, _, _ in deployment.audit(run_id)] == [
        (step, "success", APP_A) for step in deployment.steps
    ]


def test_a_run_of_application_a_runs_on_the_celery_workers(deployment: Deployment) -> None:
    started = time.monotonic()
    runs = deployment.run_all({"celery_a_1": APP_A})
    assert runs["celery_a_1"]["state"] == "success", deployment.cluster.log_tail("scheduler")
    rows = _hosts_and_queues(deployment, "celery_a_1")
    print(f"\ncelery_a_1 in {time.monotonic() - started:.1f}s\n{'task':<32} {'state':<8} {'hostname':<28} queue")
    for task_id, state, host, queue in rows:
        print(f"{task_id:<32} {state:<8} {host:<28} {queue}")
    hosts = set(deployment.cluster.worker_hosts.values())
    assert [r[0] for r in rows] == deployment.steps  # every step, in its order
    assert {state for _, state, _, _ in rows} == {"success"}
    assert {host for _, _, host, _ in rows} <= hosts
    assert {queue for _, _, _, queue in rows} == {DEFAULT_QUEUE}
    audit = deployment.audit("celery_a_1")
    assert [(step, status, apps) for step, status, apps, _, _ in audit] == [
        (step, "success", APP_A) for step in deployment.steps
    ]
    assert deployment.rights(APP_A) > 100


def test_two_applications_at_once(deployment: Deployment) -> None:
    before_a = deployment.rights(APP_A)
    started = time.monotonic()
    runs = deployment.run_all({"celery_a_2": APP_A, "celery_b_1": APP_B})
    print(f"\ncelery_a_2 and celery_b_1 in {time.monotonic() - started:.1f}s")
    assert {run_id: r["state"] for run_id, r in runs.items()} == {"celery_a_2": "success", "celery_b_1": "success"}
    spans = {}
    for run_id, apps_id in (("celery_a_2", APP_A), ("celery_b_1", APP_B)):
        audit = deployment.audit(run_id)
        assert [(s, st, a) for s, st, a, _, _ in audit] == [(s, "success", apps_id) for s in deployment.steps]
        spans[run_id] = (min(r[3] for r in audit), max(r[4] for r in audit))
        hosts = {ti["hostname"] for ti in deployment.instances[run_id]}
        assert hosts <= set(deployment.cluster.worker_hosts.values()), hosts
    # one source, one as-of date: both applications hold the same rights; A's second run changed none
    assert deployment.rights(APP_B) == deployment.rights(APP_A) == before_a > 100
    # two applications do not wait for each other: their runs overlap in time
    (a0, a1), (b0, b1) = spans["celery_a_2"], spans["celery_b_1"]
    assert a0 < b1 and b0 < a1, spans


def test_three_runs_of_one_application_are_serialized(deployment: Deployment) -> None:
    run_ids = ["celery_a_3", "celery_a_4", "celery_a_5"]
    # each trigger gets its own due time; the lease lets the waiting runs in in any order, and runs
    # of the same day do not refuse each other (run_order.py)
    started = time.monotonic()
    runs = deployment.run_all(dict.fromkeys(run_ids, APP_A))
    print(f"\nthree runs of application A in {time.monotonic() - started:.1f}s")
    assert {run_id: r["state"] for run_id, r in runs.items()} == dict.fromkeys(run_ids, "success")
    first = deployment.steps[0]
    spans, waited = [], {}
    for run_id in run_ids:
        audit = deployment.audit(run_id)
        assert [(s, st, a) for s, st, a, _, _ in audit] == [(s, "success", APP_A) for s in deployment.steps]
        # started_at is taken once the run lease is held: the spans are the runs' work
        spans.append((min(r[3] for r in audit), max(r[4] for r in audit), run_id))
        waited[run_id] = deployment.lease_wait(run_id, first)
    spans.sort()
    print("run spans:")
    for begin, end, run_id in spans:
        print(f"  {run_id}  {begin:%H:%M:%S.%f} -> {end:%H:%M:%S.%f}")
    for (_, end, earlier), (begin, _, later) in itertools.pairwise(spans):
        assert end <= begin, f"{later} began at {begin} before {earlier} ended at {end}"
    print(f"lease wait of each run's first step (s): {waited}")
    assert sum(1 for w in waited.values() if w) >= 2, waited  # two of the three waited for another run
    # three tasks at once (the two waiting first steps and the running run) need both workers
    seen = Counter(ti["hostname"] for tis in deployment.instances.values() for ti in tis)
    print(f"task instances per host over the module: {dict(seen)}")
    assert set(seen) == set(deployment.cluster.worker_hosts.values()), seen


def test_backfill_of_the_snapshot_job_is_refused(deployment: Deployment) -> None:
    cluster = deployment.cluster
    rights = deployment.rights(APP_A)
    latest = deployment.rows("SELECT max(finished_at), count(*) FROM nomasx1.collect_audit WHERE apps_id = :a", a=APP_A)
    today = dt.datetime.now(dt.UTC).date()
    started = time.monotonic()
    done = cluster.airflow(
        "backfill",
        "create",
        "--dag-id",
        DAG_ID,
        "--from-date",
        (today - dt.timedelta(days=4)).isoformat(),
        "--to-date",
        (today - dt.timedelta(days=1)).isoformat(),  # before the catch-up run, whichever its day
        "--reprocess-behavior",
        "completed",
    )
    print(f"\nairflow backfill create:\n{done.stdout[-1500:]}")

    def backfill_runs() -> list[dict] | None:
        found = cluster.api("GET", f"dags/{DAG_ID}/dagRuns?run_type=backfill&limit=50")["dag_runs"]
        return found if found and all(r["state"] in ("success", "failed") for r in found) else None

    runs = sorted(wait_for(backfill_runs, RUN_SECONDS, "the backfill runs"), key=lambda r: r["logical_date"])
    print(f"backfill runs, finished in {time.monotonic() - started:.1f}s:")
    print(f"{'run_id':<44} {'logical_date':<26} {'data_interval_start':<26} {'data_interval_end':<26} state")
    for r in runs:
        print(
            f"{r['dag_run_id']:<44} {r['logical_date']:<26} {r['data_interval_start']:<26} "
            f"{r['data_interval_end']:<26} {r['state']}"
        )
    days = [dt.datetime.fromisoformat(r["logical_date"]).date() for r in runs]
    assert days == [today - dt.timedelta(days=n) for n in (4, 3, 2)]  # 03:00 Paris of each day, to-date excluded
    assert [r["state"] for r in runs] == ["failed"] * 3
    first = deployment.steps[0]
    for r in runs:
        tis = {ti["task_id"]: ti for ti in cluster.task_instances(DAG_ID, r["dag_run_id"])}
        assert (tis[first]["state"], tis[first]["try_number"]) == ("failed", 1), tis[first]
        assert {tis[step]["state"] for step in deployment.steps[1:]} == {"upstream_failed"}
        log = cluster.task_log(DAG_ID, r["dag_run_id"], first)
        assert "snapshot job" in log and "backfill" in log, log[-3000:]
        day = dt.datetime.fromisoformat(r["logical_date"]).date()
        assert f"cannot show it as it was on {day}" in log, log[-3000:]
        assert deployment.audit(r["dag_run_id"]) == []
        print(f"{first} of {r['dag_run_id']}: {tis[first]['state']}, try {tis[first]['try_number']}: {_refusal(log)}")
    assert deployment.rights(APP_A) == rights
    assert (
        deployment.rows("SELECT max(finished_at), count(*) FROM nomasx1.collect_audit WHERE apps_id = :a", a=APP_A)
        == latest
    )
    assert deployment.rows("SELECT run_id FROM nomasx1.job_run_locks") == []


def _refusal(log: str) -> str:
    """The refusal as the log gives it: the exception type and the message's start."""
    at = log.find("RunRefusedError")
    return log[at : at + 230].replace('\\"', '"') if at >= 0 else "(no RunRefusedError in the log)"


def test_every_process_stops(deployment: Deployment) -> None:
    cluster = deployment.cluster
    members = cluster.members()
    names = {" ".join(p.cmdline()) for p in members}
    assert all(any(w in n for n in names) for w in WORKERS), names  # both workers were up to the end
    kinds = Counter(r["run_type"] for r in cluster.api("GET", f"dags/{DAG_ID}/dagRuns?limit=100")["dag_runs"])
    print(f"\nruns of {DAG_ID} by type: {dict(kinds)}")
    assert kinds == {"scheduled": 1, "manual": 6, "backfill": 3}  # one catch-up run, no other tick
    left = cluster.stop()
    assert left == [], left
    assert cluster.members() == []
