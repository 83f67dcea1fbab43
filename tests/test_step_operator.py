"""The step operator: context, collect_audit rows, and the (apps_id, job) advisory lock."""

from __future__ import annotations

import logging
import threading
import time
from types import SimpleNamespace

import psycopg
import pytest
import sqlalchemy as sa
from airflow.dag_processing.dagbag import DagBag
from airflow.sdk import DAG
from airflow.sdk.exceptions import AirflowFailException
from sqlalchemy.engine import URL

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.bookkeeping import LOCK_NAMESPACE, LockTimeoutError, lock_key
from airflow_provider_nomasx1.collectors.sync import EmptySourceError
from airflow_provider_nomasx1.context import StepContext, StepResult
from airflow_provider_nomasx1.errors import (
    ConfigurationError,
    MissingConnectionError,
    Nomasx1Error,
    SourceUnavailableError,
    error_code,
    is_permanent,
)
from airflow_provider_nomasx1.jde.julian import JdeValueError
from airflow_provider_nomasx1.operators.step import HookCache, Nomasx1StepOperator, run_step
from airflow_provider_nomasx1.reference.bundle import BundleError
from airflow_provider_nomasx1.registry import ApplicationNotFoundError, Registry
from airflow_provider_nomasx1.resources import bundle_dir
from airflow_provider_nomasx1.schema import bootstrap

LOG = logging.getLogger("test")


@pytest.fixture
def target(pg_url: URL, monkeypatch: pytest.MonkeyPatch) -> sa.Engine:
    """A bootstrapped nomasx1 schema reachable through the Airflow connection `nomasx1`, with
    applications 10 and 11 registered (a step refuses an unregistered one)."""
    for key, value in testing.connection_env("nomasx1", pg_url).items():
        monkeypatch.setenv(key, value)
    engine = sa.create_engine(pg_url)
    bootstrap.init_schema(engine, "nomasx1")
    for apps_id in (10, 11):
        Registry(engine, "nomasx1").add(apps_id, f"JDE {apps_id}")
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


#: what the test DAGs declare (a run's params must be declared by its DAG)
PARAMS = {"apps_id": 10, "target_connector": "nomasx1", "target_schema": "nomasx1", "mode": "full"}


def test_operator_merges_step_overrides(target: sa.Engine) -> None:
    with DAG("nomasx1-test-1", schedule=None, params=PARAMS):
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
    with DAG("nomasx1-test-2", schedule=None, params=PARAMS):
        op = Nomasx1StepOperator(task_id="REC", callable_path=f"{__name__}:record_params")
    # a missing connection is permanent: the task fails at once (AirflowFailException, no retry)
    with pytest.raises(AirflowFailException, match="'nomasx1_missing'.*airflow connections add nomasx1_missing") as err:
        op.execute(_airflow_context({"apps_id": 10, "target_connector": "nomasx1_missing"}))
    assert isinstance(err.value.__cause__, MissingConnectionError)


# --- bad params, a missing target schema, permanent and transient errors (issue 10) ------------


def _no_trace_of(engine: sa.Engine) -> tuple[list, list]:
    with engine.connect() as conn:
        audit = conn.execute(sa.text("SELECT run_id FROM nomasx1.collect_audit")).all()
        leases = conn.execute(sa.text("SELECT lock_key FROM nomasx1.job_run_locks")).all()
    return audit, leases


@pytest.mark.parametrize("value", ["abc", -1, 0, "1.5", True, "", 2.5])
def test_apps_id_must_be_a_whole_number_from_1(value: object) -> None:
    with pytest.raises(ConfigurationError, match=r"param apps_id must be a registered application id, .* got "):
        make_ctx(apps_id=value).apps_id  # noqa: B018
    assert make_ctx(apps_id="12").apps_id == 12 and make_ctx(apps_id=None).apps_id is None


@pytest.mark.parametrize(
    ("apps_id", "message"),
    [
        (
            999,
            r"application 999 is not registered in nomasx1.settings_applications: add it with "
            r"`nomasx1 apps add --apps-id 999 --name NAME --url URL`",
        ),
        (-1, "param apps_id must be a registered application id"),
        ("abc", "param apps_id must be a registered application id"),
    ],
)
def test_a_bad_or_unregistered_apps_id_writes_no_audit_row_nor_lock(
    target: sa.Engine, apps_id: object, message: str
) -> None:
    ran: list = []
    with pytest.raises(ConfigurationError, match=message):
        run_step(lambda ctx: ran.append(1), make_ctx(apps_id=apps_id), job_id="nomasx1-test-1")
    assert ran == []
    assert _no_trace_of(target) == ([], [])


def test_params_the_dag_does_not_declare_are_refused() -> None:
    """apps_id given to the mirror sync (which has none): refused at once, listing what it takes."""
    sync = DagBag(dag_folder=str(bundle_dir())).dags["nomajde-daily-sync"]
    task = sync.get_task("SYNC_F0004")
    params = {"apps_id": "abc", "source_connector": "jdedwards", "target_connector": "nomajde"}
    with pytest.raises(
        AirflowFailException,
        match=r"nomajde-daily-sync does not take param\(s\) apps_id: it accepts source_connector, "
        r"target_connector, target_schema; remove them from the run's conf",
    ) as err:
        task.execute(_airflow_context({**params, "target_schema": "nomajde"}))
    assert isinstance(err.value.__cause__, ConfigurationError)


def test_a_missing_target_schema_fails_at_once_unless_the_job_creates_it(target: sa.Engine) -> None:
    ran: list = []
    with pytest.raises(
        ConfigurationError,
        match=r"^target schema 'nomasx1_typo' does not exist in the database of connection 'nomasx1': create "
        r"it with the job nomasx1-init-schema-1 \(param target_schema=nomasx1_typo\) for a nomasx1 schema, .*"
        r"or fix this run's target_schema param$",
    ):
        run_step(lambda ctx: ran.append(1), make_ctx(target_schema="nomasx1_typo"), job_id="nomasx1-test-1")
    assert ran == []
    with target.connect() as conn:
        assert conn.execute(sa.text("SELECT to_regnamespace('nomasx1_typo')")).scalar() is None

    def create_schema(ctx: StepContext) -> None:  # what the install jobs do
        with ctx.target().engine.begin() as conn:
            conn.execute(sa.text("CREATE SCHEMA fresh"))
        ran.append(ctx.schema)

    run_step(create_schema, make_ctx(apps_id=None, target_schema="fresh"), job_id="init", creates_schema=True)
    assert ran == ["fresh"]


def test_only_the_install_jobs_create_their_schema() -> None:
    bag = DagBag(dag_folder=str(bundle_dir())).dags
    assert {t.creates_schema for t in bag["nomasx1-security-1"].tasks} == {False}
    assert {t.creates_schema for t in bag["nomasx1-sod-1"].tasks} == {False}
    assert {t.creates_schema for t in bag["nomasx1-init-schema-1"].tasks} == {True}
    assert {t.creates_schema for t in bag["nomasx1-upgrade-schema-1"].tasks} == {True}
    assert {t.creates_schema for t in bag["nomajde-daily-sync"].tasks} == {False}


def _db_error(engine: sa.Engine, sql: str) -> BaseException:
    with engine.connect() as conn, pytest.raises(sa.exc.DBAPIError) as err:
        conn.execute(sa.text(sql))
    return err.value


def _connect_error(url: URL) -> BaseException:
    engine = sa.create_engine(url)
    with pytest.raises(sa.exc.OperationalError) as err:
        engine.connect()
    engine.dispose()
    return err.value


def _lock_timeout(engine: sa.Engine) -> BaseException:
    with engine.connect() as holder:
        holder.execute(sa.text("LOCK TABLE nomasx1.collect_audit IN ACCESS EXCLUSIVE MODE"))
        with engine.connect() as waiter:
            waiter.execute(sa.text("SET lock_timeout = '100ms'"))
            with pytest.raises(sa.exc.DBAPIError) as err:
                waiter.execute(sa.text("LOCK TABLE nomasx1.collect_audit"))
        holder.rollback()
    return err.value


def test_permanent_and_transient_errors(target: sa.Engine, pg_url: URL) -> None:
    permanent = {
        "undefined table": _db_error(target, "SELECT * FROM nomasx1.no_such_table"),
        "undefined column": _db_error(target, "SELECT no_such_column FROM nomasx1.collect_audit"),
        "syntax": _db_error(target, "SELEC 1"),
        "invalid schema": _db_error(target, "CREATE TABLE no_such_schema.t (a int)"),
        "missing database": _connect_error(pg_url.set(database="nope_db")),
        "configuration": ConfigurationError("bad"),
        "connection": MissingConnectionError("nomasx1_missing", "target"),
        "source": SourceUnavailableError("F0092 missing"),
        "empty source": EmptySourceError("F0005 is empty"),
        "bad date": JdeValueError("125000 is not a Julian date"),
        "bad bundle": BundleError("x.tar.gz", "bad manifest"),
        "unregistered": ApplicationNotFoundError(999),
        "diagnosed from a missing table": _raised_from(
            Nomasx1Error("step failed"), _db_error(target, "SELECT * FROM x")
        ),
    }
    transient = {
        "lock timeout 55P03": _lock_timeout(target),
        "serialization 40001": sa.exc.OperationalError("SELECT 1", {}, psycopg.errors.lookup("40001")("conflict")),
        "deadlock 40P01": sa.exc.OperationalError("SELECT 1", {}, psycopg.errors.lookup("40P01")("deadlock")),
        "admin shutdown 57P01": sa.exc.OperationalError("SELECT 1", {}, psycopg.errors.lookup("57P01")("shutdown")),
        "refused connection": _connect_error(pg_url.set(port=1)),
        "job lock": LockTimeoutError("another run holds the lock"),
        "unexpected": RuntimeError("boom"),
    }
    assert {name: is_permanent(exc) for name, exc in permanent.items()} == dict.fromkeys(permanent, True)
    assert {name: is_permanent(exc) for name, exc in transient.items()} == dict.fromkeys(transient, False)
    assert error_code(permanent["missing database"]) == "3D000"
    assert error_code(transient["lock timeout 55P03"]) == "55P03"


def _raised_from(error: BaseException, cause: BaseException) -> BaseException:
    error.__cause__ = cause
    return error


def lost_connection(ctx: StepContext) -> None:
    raise sa.exc.OperationalError("SELECT 1", {}, psycopg.OperationalError("server closed the connection unexpectedly"))


def undefined_table(ctx: StepContext) -> None:
    with ctx.target().engine.connect() as conn:
        conn.execute(sa.text("SELECT * FROM nomasx1.no_such_table"))


def test_the_operator_fails_at_once_on_permanent_errors_only(target: sa.Engine) -> None:
    with DAG("nomasx1-test-1", schedule=None, params=PARAMS, default_args={"retries": 2}):
        transient = Nomasx1StepOperator(task_id="LOST", callable_path=f"{__name__}:lost_connection")
        permanent = Nomasx1StepOperator(task_id="TABLE", callable_path=f"{__name__}:undefined_table")
    # Airflow retries what the operator lets through as is
    with pytest.raises(sa.exc.OperationalError, match="server closed the connection"):
        transient.execute(_airflow_context(PARAMS))
    with pytest.raises(
        AirflowFailException, match=r'^ProgrammingError: relation "nomasx1.no_such_table" does not exist'
    ):
        permanent.execute(_airflow_context(PARAMS))
    statuses = {row["step"]: row["status"] for row in audit_rows(target)}
    assert statuses == {"LOST": "failed", "TABLE": "failed"}


def test_an_unregistered_application_fails_at_once_through_airflow(
    pg_server: URL, airflow_db: str, capfd: pytest.CaptureFixture
) -> None:
    """nomasx1-security-1 has retries 1, retry_delay 300 s: a retry would take over five minutes."""
    url = testing.create_database(pg_server, "nomasx1_unreg")
    engine = sa.create_engine(url)
    try:
        bootstrap.init_schema(engine, "nomasx1")
        env = testing.connection_env("nomasx1", url)
        env |= testing.connection_env("jdedwards", url, conn_type="jdedwards", db_type="postgres")
        started = time.monotonic()
        outcome = testing.run_bundled_dag("nomasx1-security-1", env=env, conf={"apps_id": 999})
        elapsed = time.monotonic() - started
        assert outcome.state == "failed"
        assert outcome.tasks["JDE_OBJECTS"] == "failed" and outcome.tries["JDE_OBJECTS"] == 1
        assert set(outcome.tasks.values()) == {"failed", "upstream_failed"}
        assert elapsed < 200, f"{elapsed:.0f} s: the task was retried"
        out = capfd.readouterr()
        assert (
            "AirflowFailException: ConfigurationError: application 999 is not registered in "
            "nomasx1.settings_applications" in out.out + out.err
        )
        assert _no_trace_of(engine) == ([], [])
    finally:
        engine.dispose()
        testing.drop_database(url)
