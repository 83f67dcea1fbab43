"""Fixtures every kind of test may use: a real PostgreSQL server (env or embedded), fresh databases,
and the helpers tests of several kinds share, as fixtures (one section per family below).

Airflow reads its configuration when first imported, so the throwaway AIRFLOW_HOME is set here, at
import time, before any test module imports Airflow (its metadata database is migrated only by the
``airflow_db`` fixture of tests/dags/). The tests are sorted by kind: tests/unit/ (no database),
tests/integration/ (PostgreSQL, LDAP) and tests/dags/ (Airflow); the data and helpers they import
live in tests/support/. A helper fixture returns the function; a test calls it as before.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

REPO = Path(__file__).resolve().parent.parent
_AIRFLOW_HOME = tempfile.mkdtemp(prefix="nomasx1-airflow-")
os.environ.update(
    {
        "AIRFLOW_HOME": _AIRFLOW_HOME,
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
    }
)

import pytest  # noqa: E402
import sqlalchemy as sa  # noqa: E402
import yaml  # noqa: E402
from sqlalchemy.engine import URL  # noqa: E402
from support import cli as cli_values  # noqa: E402
from support import reference_bundles, steps  # noqa: E402
from support import sod as sod_values  # noqa: E402
from support.quoted_commands import commands_in_message, option_names, problem  # noqa: E402

from airflow_provider_nomasx1 import testing  # noqa: E402

if TYPE_CHECKING:
    from airflow_provider_nomasx1.context import StepContext


@pytest.fixture(scope="session")
def pg_server() -> Iterator[URL]:
    """URL of the maintenance database of the test server."""
    with testing.postgres_server() as url:
        yield url


@pytest.fixture
def pg_url(pg_server: URL) -> Iterator[URL]:
    """A fresh, empty database for one test; dropped afterwards."""
    url = testing.create_database(pg_server)
    yield url
    testing.drop_database(url)


@pytest.fixture
def pg_engine(pg_url: URL) -> Iterator[sa.Engine]:
    engine = sa.create_engine(pg_url)
    yield engine
    engine.dispose()


# --------------------------------------------------------------------------------------------------
# Airflow connections in the environment (hooks, nomasx1 hook, timeouts: unit and integration)
# --------------------------------------------------------------------------------------------------


def _set_conn(monkeypatch: pytest.MonkeyPatch, conn_id: str, **fields: object) -> None:
    if isinstance(fields.get("extra"), dict):
        fields["extra"] = json.dumps(fields["extra"])
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(fields))


def _set_url_conn(monkeypatch: pytest.MonkeyPatch, conn_id: str, url: URL, **fields: object) -> None:
    conn = {
        "conn_type": "nomasx1",
        "host": url.host,
        "port": url.port,
        "login": url.username,
        "password": url.password,
        "schema": url.database,
    }
    conn |= fields
    if isinstance(conn.get("extra"), dict):
        conn["extra"] = json.dumps(conn["extra"])
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(conn))


def _connect_error(engine: sa.Engine) -> tuple[BaseException, float]:
    started = time.monotonic()
    with pytest.raises(Exception) as info, engine.connect():
        pass
    return info.value, time.monotonic() - started


@pytest.fixture(scope="session", name="set_conn")
def set_conn_fixture() -> Callable[..., None]:
    """``set_conn(monkeypatch, conn_id, **fields)``: an Airflow connection as AIRFLOW_CONN_<ID> (JSON)."""
    return _set_conn


@pytest.fixture(scope="session", name="set_url_conn")
def set_url_conn_fixture() -> Callable[..., None]:
    """``set_url_conn(monkeypatch, conn_id, url, **fields)``: a `nomasx1` connection to ``url``."""
    return _set_url_conn


@pytest.fixture(scope="session", name="connect_error")
def connect_error_fixture() -> Callable[[sa.Engine], tuple[BaseException, float]]:
    """``connect_error(engine)``: the error connecting raises, and how long it took to come."""
    return _connect_error


# --------------------------------------------------------------------------------------------------
# error messages of the `nomasx1` command (CLI errors: unit and integration)
# --------------------------------------------------------------------------------------------------


def _check_line(line: str, allow: frozenset[str] = frozenset()) -> None:
    """The message names options that exist and quotes commands that parse."""
    for command in commands_in_message(line):
        assert problem(command) is None, command
    bare = re.sub(r"`[^`]*`", "", line)
    unknown = set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", bare)) - option_names() - allow
    assert not unknown, f"{line}: options that do not exist: {unknown}"


def _one_error(err: str, *phrases: str, allow: frozenset[str] = frozenset()) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("nomasx1: error: "), err
    assert "Traceback" not in err and cli_values.SECRET not in err
    for phrase in phrases:
        assert phrase in lines[0], f"{phrase!r} not in {lines[0]!r}"
    _check_line(lines[0], allow)
    return lines[0]


def _fails(capsys: pytest.CaptureFixture[str], argv: list[str], *phrases: str, **kw) -> str:
    from airflow_provider_nomasx1.cli import main

    assert main(argv) == 2, argv
    out, err = capsys.readouterr()
    return _one_error(err, *phrases, **kw)


@pytest.fixture(scope="session", name="cli_one_error")
def cli_one_error_fixture() -> Callable[..., str]:
    """``cli_one_error(stderr, *phrases)``: stderr is ONE clean `nomasx1: error:` line holding the phrases."""
    return _one_error


@pytest.fixture(scope="session", name="cli_fails")
def cli_fails_fixture() -> Callable[..., str]:
    """``cli_fails(capsys, argv, *phrases)``: `nomasx1 ARGV` exits 2 with one clean error line."""
    return _fails


# --------------------------------------------------------------------------------------------------
# job spec files and bundle copies (dagspec: unit and dags)
# --------------------------------------------------------------------------------------------------


def _write_spec(folder: Path, data: dict | str, name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    name = name or (data["dag_id"] if isinstance(data, dict) else "broken")
    path = folder / f"{name}.yaml"
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
    return path


def _problems_of(path: Path) -> list[str]:
    from airflow_provider_nomasx1.dagspec.loader import SpecFileError, read_spec

    with pytest.raises(SpecFileError) as info:
        read_spec(path)
    return [f"{p.key}: {p.reason}" for p in info.value.problems]


def _bundle_copy(tmp_path: Path) -> Path:
    from airflow_provider_nomasx1.resources import bundle_dir

    root = tmp_path / "bundle"
    (root / "jobs").mkdir(parents=True)
    for loader in ("nomasx1_jobs.py", "nomasx1_spec_check.py"):
        shutil.copy(bundle_dir() / loader, root / loader)
    for spec in (bundle_dir() / "jobs").glob("*.yaml"):
        shutil.copy(spec, root / "jobs" / spec.name)
    return root


@pytest.fixture(scope="session", name="write_spec")
def write_spec_fixture() -> Callable[..., Path]:
    """``write_spec(folder, data, name=None)``: a job spec file (YAML of ``data``, or ``data`` as text)."""
    return _write_spec


@pytest.fixture(scope="session", name="problems_of")
def problems_of_fixture() -> Callable[[Path], list[str]]:
    """``problems_of(path)``: the ``key: reason`` problems reading the spec file raises."""
    return _problems_of


@pytest.fixture(scope="session", name="bundle_copy")
def bundle_copy_fixture() -> Callable[[Path], Path]:
    """``bundle_copy(tmp_path)``: a copy of the shipped bundle's loaders and job specs to edit."""
    return _bundle_copy


# --------------------------------------------------------------------------------------------------
# rows of a query (sync: integration and dags)
# --------------------------------------------------------------------------------------------------


def _query_rows(engine: sa.Engine, sql: str, **params: object) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql), params)]


@pytest.fixture(scope="session", name="query_rows")
def query_rows_fixture() -> Callable[..., list[tuple]]:
    """``query_rows(engine, sql, **params)``: the rows of a query as tuples."""
    return _query_rows


# --------------------------------------------------------------------------------------------------
# rows of the SoD tables of application 10 (SoD: integration and dags)
# --------------------------------------------------------------------------------------------------


def _sod_rows(engine: sa.Engine, sql: str, **params: Any) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.text(sql), {"a": sod_values.APPS, **params}).mappings()]


@pytest.fixture(scope="session", name="sod_rows")
def sod_rows_fixture() -> Callable[..., list[dict[str, Any]]]:
    """``sod_rows(engine, sql, **params)``: the rows as dicts, ``:a`` bound to the SoD tests' application."""
    return _sod_rows


# --------------------------------------------------------------------------------------------------
# step contexts and what a step leaves behind (step operator: unit, integration and dags)
# --------------------------------------------------------------------------------------------------


def _make_ctx(step: str = "STEP", apps_id: int = 10, run_id: str = "run-1", **params: object) -> StepContext:
    from airflow_provider_nomasx1.context import StepContext
    from airflow_provider_nomasx1.operators.step import HookCache

    return StepContext(
        dag_id="nomasx1-test-1",
        step=step,
        run_id=run_id,
        params={"apps_id": apps_id, "target_connector": "nomasx1", "target_schema": "nomasx1", **params},
        log=steps.LOG,
        hook_factory=HookCache(),
    )


def _airflow_context(params: dict) -> dict:
    return {
        "params": params,
        "run_id": "manual__1",
        "ti": SimpleNamespace(try_number=1),
        "dag_run": SimpleNamespace(logical_date=None, data_interval_start=None, data_interval_end=None),
    }


def _no_trace_of(engine: sa.Engine) -> tuple[list, list]:
    with engine.connect() as conn:
        audit = conn.execute(sa.text("SELECT run_id FROM nomasx1.collect_audit")).all()
        leases = conn.execute(sa.text("SELECT lock_key FROM nomasx1.job_run_locks")).all()
    return audit, leases


@pytest.fixture(scope="session", name="make_ctx")
def make_ctx_fixture() -> Callable[..., StepContext]:
    """``make_ctx(step, apps_id, run_id, **params)``: a step context of nomasx1-test-1 on `nomasx1`."""
    return _make_ctx


@pytest.fixture(scope="session", name="airflow_context")
def airflow_context_fixture() -> Callable[[dict], dict]:
    """``airflow_context(params)``: the task context the operator's execute reads (manual__1, try 1)."""
    return _airflow_context


@pytest.fixture(scope="session", name="no_trace_of")
def no_trace_of_fixture() -> Callable[[sa.Engine], tuple[list, list]]:
    """``no_trace_of(engine)``: the collect_audit run ids and the run leases (both empty: no trace)."""
    return _no_trace_of


# --------------------------------------------------------------------------------------------------
# reference bundles: the curated fixture data, the target and the step context (unit, integration
# and dags)
# --------------------------------------------------------------------------------------------------

_REFERENCE_LOG = logging.getLogger("test.reference")


def _write_fixture(folder: Path, **overrides: str | None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for table, text in {**reference_bundles.FIXTURE_CSV, **overrides}.items():
        if text is not None:
            (folder / f"{table}.csv").write_text(text, encoding="utf-8")
    return folder


def _register(engine: sa.Engine, schema: str, *apps_ids: int) -> None:
    with engine.begin() as conn:
        for apps_id in apps_ids:
            conn.execute(
                sa.text(f"INSERT INTO {schema}.settings_applications (apps_id, apps_name) VALUES (:a, :n)"),
                {"a": apps_id, "n": f"JDE {apps_id}"},
            )


def _counts(engine: sa.Engine, schema: str = "nomasx1") -> dict[str, int]:
    from airflow_provider_nomasx1.schema import nomasx1

    with engine.connect() as conn:
        return {
            name: conn.execute(sa.text(f"SELECT count(*) FROM {schema}.{name}")).scalar()
            for name in nomasx1.REFERENCE_TABLES
        }


def _reference_ctx(hooks: Any, step: str = "IMPORT_REFERENCE", **params: Any) -> StepContext:
    from airflow_provider_nomasx1.context import StepContext

    return StepContext(
        dag_id="nomasx1-import-reference" if step == "IMPORT_REFERENCE" else "nomasx1-export-reference",
        step=step,
        run_id="manual__test",
        params={"target_connector": "nomasx1", "target_schema": "nomasx1", "schema": "nomasx1", **params},
        log=_REFERENCE_LOG,
        hook_factory=hooks,
    )


@pytest.fixture(scope="session", name="write_fixture")
def write_fixture_fixture() -> Callable[..., Path]:
    """``write_fixture(folder, **overrides)``: the curated CSV files of the fixture data set, a table's
    text replaced (or, ``None``, left out) by ``overrides``."""
    return _write_fixture


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return _write_fixture(tmp_path / "data")


@pytest.fixture
def curated(tmp_path: Path, data_dir: Path) -> Path:
    """A curated bundle of the fixture data, SoD rows for applications 10 and 11."""
    from airflow_provider_nomasx1.reference import bundle as rb

    return rb.build_curated_bundle(
        tmp_path / "curated.tar.gz", apps_id=[10, 11], data_dir=data_dir, created_at=reference_bundles.WHEN
    )


@pytest.fixture(scope="session", name="register")
def register_fixture() -> Callable[..., None]:
    """``register(engine, schema, *apps_ids)``: the applications in settings_applications."""
    return _register


@pytest.fixture
def reference_target(pg_url: URL, monkeypatch: pytest.MonkeyPatch) -> Iterator[sa.Engine]:
    """A bootstrapped nomasx1 schema with applications 10 and 11, as Airflow connection `nomasx1`."""
    from airflow_provider_nomasx1.schema import bootstrap

    for key, value in testing.connection_env("nomasx1", pg_url).items():
        monkeypatch.setenv(key, value)
    engine = sa.create_engine(pg_url)
    bootstrap.init_schema(engine, "nomasx1")
    _register(engine, "nomasx1", 10, 11)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session", name="reference_counts")
def reference_counts_fixture() -> Callable[..., dict[str, int]]:
    """``reference_counts(engine, schema="nomasx1")``: the rows of every reference table."""
    return _counts


@pytest.fixture(scope="session", name="reference_ctx")
def reference_ctx_fixture() -> Callable[..., StepContext]:
    """``reference_ctx(hooks, step="IMPORT_REFERENCE", **params)``: the context of an import or export step."""
    return _reference_ctx
