"""The step operator on real PostgreSQL: context, collect_audit rows, the (apps_id, job) advisory lock,
bad params and a missing target schema, permanent and transient errors."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import psycopg
import pytest
import sqlalchemy as sa
from airflow.sdk import DAG
from airflow.sdk.exceptions import AirflowFailException
from sqlalchemy.engine import URL
from support.steps import PARAMS, record_params, seen  # noqa: F401  (record_params: resolved as f"{__name__}:record_params")

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.applications import ApplicationNotFoundError, Registry
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
from airflow_provider_nomasx1.operators.step import Nomasx1StepOperator, run_step
from airflow_provider_nomasx1.reference.bundle import BundleError
from airflow_provider_nomasx1.schema import bootstrap


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


def test_success_writes_the_audit_row(target: sa.Engine, make_ctx: Callable[..., StepContext]) -> None:
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


def test_failure_is_audited_and_raised(target: sa.Engine, make_ctx: Callable[..., StepContext]) -> None:
    def collector(ctx: StepContext) -> None:
        ctx.result.add("security_users", 3)
        raise RuntimeError("source table F0092 is missing")

    with pytest.raises(RuntimeError, match="F0092"):
        run_step(collector, make_ctx(), job_id="nomasx1-test-1")
    [row] = audit_rows(target)
    assert row["status"] == "failed"
    assert row["message"] == "RuntimeError: source table F0092 is missing"
    assert row["rows_written"] == 3


def test_retry_overwrites_the_attempt(target: sa.Engine, make_ctx: Callable[..., StepContext]) -> None:
    with pytest.raises(ValueError):
        run_step(lambda ctx: (_ for _ in ()).throw(ValueError("boom")), make_ctx(), job_id="j", attempt=1)
    run_step(lambda ctx: StepResult({"t": 1}, "ok"), make_ctx(), job_id="j", attempt=2)
    [row] = audit_rows(target)
    assert (row["status"], row["attempt"], row["message"]) == ("success", 2, "ok")


@pytest.fixture(name="timed_run")
def timed_run_fixture(make_ctx: Callable[..., StepContext]) -> Callable[[int, list, str], None]:
    """``timed_run(apps_id, spans, run_id)``: a step that sleeps 0.8 s under the lock, recording its span."""

    def _timed_run(apps_id: int, spans: list, run_id: str) -> None:
        def collector(ctx: StepContext) -> None:
            start = time.monotonic()
            time.sleep(0.8)
            spans.append((start, time.monotonic()))

        run_step(collector, make_ctx(apps_id=apps_id, run_id=run_id), job_id="nomasx1-test-1")

    return _timed_run


def test_lock_serializes_runs_on_the_same_application(
    target: sa.Engine, timed_run: Callable[[int, list, str], None]
) -> None:
    spans: list = []
    threads = [threading.Thread(target=timed_run, args=(10, spans, f"run-{i}")) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    (s1, e1), (s2, e2) = sorted(spans)
    assert s2 >= e1, "the second run started before the first finished"


def test_other_applications_run_in_parallel(target: sa.Engine, timed_run: Callable[[int, list, str], None]) -> None:
    spans: list = []
    threads = [threading.Thread(target=timed_run, args=(apps, spans, f"run-{apps}")) for apps in (10, 11)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    (s1, e1), (s2, e2) = sorted(spans)
    assert s2 < e1, "runs of different applications should overlap"


def test_lock_timeout_says_who_holds_it(target: sa.Engine, make_ctx: Callable[..., StepContext]) -> None:
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


def test_operator_merges_step_overrides(target: sa.Engine, airflow_context: Callable[[dict], dict]) -> None:
    with DAG("nomasx1-test-1", schedule=None, params=PARAMS):
        op = Nomasx1StepOperator(
            task_id="REC",
            callable_path=f"{__name__}:record_params",
            step_params={"mode": "delta"},
            job_id="nomasx1-test-1",
        )
    result = op.execute(
        airflow_context({"apps_id": 10, "target_connector": "nomasx1", "target_schema": "nomasx1", "mode": "full"})
    )
    assert seen["mode"] == "delta" and seen["apps_id"] == 10 and seen["schema"] == "nomasx1"
    assert result["rows"] == {}
    [row] = audit_rows(target)
    assert (row["run_id"], row["step"], row["status"]) == ("manual__1", "REC", "success")


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
    target: sa.Engine,
    apps_id: object,
    message: str,
    make_ctx: Callable[..., StepContext],
    no_trace_of: Callable[[sa.Engine], tuple[list, list]],
) -> None:
    ran: list = []
    with pytest.raises(ConfigurationError, match=message):
        run_step(lambda ctx: ran.append(1), make_ctx(apps_id=apps_id), job_id="nomasx1-test-1")
    assert ran == []
    assert no_trace_of(target) == ([], [])


def test_a_missing_target_schema_fails_at_once_unless_the_job_creates_it(
    target: sa.Engine, make_ctx: Callable[..., StepContext]
) -> None:
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


def test_the_operator_fails_at_once_on_permanent_errors_only(
    target: sa.Engine, airflow_context: Callable[[dict], dict]
) -> None:
    with DAG("nomasx1-test-1", schedule=None, params=PARAMS, default_args={"retries": 2}):
        transient = Nomasx1StepOperator(task_id="LOST", callable_path=f"{__name__}:lost_connection")
        permanent = Nomasx1StepOperator(task_id="TABLE", callable_path=f"{__name__}:undefined_table")
    # Airflow retries what the operator lets through as is
    with pytest.raises(sa.exc.OperationalError, match="server closed the connection"):
        transient.execute(airflow_context(PARAMS))
    with pytest.raises(
        AirflowFailException, match=r'^ProgrammingError: relation "nomasx1.no_such_table" does not exist'
    ):
        permanent.execute(airflow_context(PARAMS))
    statuses = {row["step"]: row["status"] for row in audit_rows(target)}
    assert statuses == {"LOST": "failed", "TABLE": "failed"}
