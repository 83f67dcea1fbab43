"""Install jobs run through real Airflow (`airflow dags test`, `dag.test()`) on a real PostgreSQL."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.collectors import db as db_collectors
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.errors import ConfigurationError
from airflow_provider_nomasx1.operators.step import HookCache
from airflow_provider_nomasx1.schema import bootstrap

pytestmark = pytest.mark.airflow
AIRFLOW = str(Path(sys.executable).with_name("airflow"))
REPO_DAGS = Path(__file__).resolve().parents[2] / "dags"
INSTALL_DAGS = [
    "deploy-databases",
    "nomasx1-init-db",
    "nomasx1-init-schema-1",
    "nomasx1-refresh-views",
    "nomasx1-upgrade-schema-1",
]


@pytest.fixture
def install_env(pg_server: URL, airflow_db: str) -> Iterator[dict]:
    """Connections for a deploy with unique role/database names; everything dropped afterwards."""
    tag = uuid.uuid4().hex[:8]
    names = {"nomasx1": f"nx_{tag}", "nomajde": f"nj_{tag}"}
    passwords = {"nomasx1": "p@ss:w/rd#1%", "nomajde": "x'y@z:/2"}
    env = testing.connection_env("default", pg_server)
    for conn_id, name in names.items():
        url = pg_server.set(username=name, password=passwords[conn_id], database=name)
        env |= testing.connection_env(conn_id, url, conn_type="nomasx1")
    yield {"env": env, "names": names, "server": pg_server}
    admin = sa.create_engine(pg_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names.values():
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.exec_driver_sql(f"DROP ROLE IF EXISTS {name}_reader")
            conn.exec_driver_sql(f"DROP ROLE IF EXISTS {name}")
    admin.dispose()


def server_snapshot(server: URL, names: dict[str, str]) -> dict:
    """Everything deploy-databases creates, with the object ids, to prove a rerun changed nothing."""
    admin = sa.create_engine(server)
    with admin.connect() as conn:
        roles = conn.execute(
            sa.text(
                "SELECT rolname, oid, rolcanlogin, rolsuper, rolcreatedb, rolcreaterole FROM pg_roles "
                "WHERE rolname = ANY(:n) ORDER BY 1"
            ),
            {"n": [*names.values(), *(f"{n}_reader" for n in names.values())]},
        ).all()
        dbs = conn.execute(
            sa.text("SELECT datname, oid, pg_get_userbyid(datdba) FROM pg_database WHERE datname = ANY(:n) ORDER BY 1"),
            {"n": list(names.values())},
        ).all()
    admin.dispose()
    target = sa.create_engine(server.set(database=names["nomasx1"]))
    with target.connect() as conn:
        tables = conn.execute(
            sa.text(
                "SELECT c.relname, c.oid FROM pg_class c JOIN pg_namespace n "
                "ON n.oid = c.relnamespace WHERE n.nspname = 'nomasx1' ORDER BY 1"
            )
        ).all()
    target.dispose()
    return {"roles": [tuple(r) for r in roles], "dbs": [tuple(d) for d in dbs], "tables": [tuple(t) for t in tables]}


def cli_json(stdout: str) -> list:
    """The JSON document of an `airflow ... -o json` run (warnings may precede it on stdout)."""
    return json.loads(next(line for line in stdout.splitlines() if line.startswith("[")))


def airflow_dags_test(dag_id: str, env: dict, conf: dict | None = None) -> subprocess.CompletedProcess:
    import os

    full_env = {
        **os.environ,
        **env,
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
    }
    cmd = [AIRFLOW, "dags", "test", dag_id]
    if conf:
        cmd += ["-c", json.dumps(conf)]
    return subprocess.run(cmd, env=full_env, capture_output=True, text=True, timeout=300)


def test_deploy_databases_cli_twice_changes_nothing(install_env: dict) -> None:
    env, names, server = install_env["env"], install_env["names"], install_env["server"]
    first = airflow_dags_test("deploy-databases", env)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert "state=success" in first.stdout + first.stderr
    snap = server_snapshot(server, names)
    roles = {r[0]: r for r in snap["roles"]}
    assert set(roles) == {*names.values(), *(f"{n}_reader" for n in names.values())}
    nx = roles[names["nomasx1"]]
    assert nx[2:] == (True, False, False, False)  # login, no superuser / createdb / createrole
    assert [d[0] for d in snap["dbs"]] == sorted(names.values())
    assert all(d[2] == d[0] for d in snap["dbs"]), "each database is owned by its login role"
    table_names = {t[0] for t in snap["tables"]}
    assert {"collect_audit", "security_users", "security_rights_users", "alembic_version"} <= table_names
    # the password in the connection really logs in (SCRAM verifier made client-side)
    login = sa.create_engine(server.set(username=names["nomajde"], password="x'y@z:/2", database=names["nomajde"]))
    with login.connect() as conn:
        assert conn.execute(sa.text("SELECT current_user")).scalar() == names["nomajde"]
    login.dispose()
    assert "p@ss:w/rd#1%" not in first.stdout + first.stderr

    second = airflow_dags_test("deploy-databases", env)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert "left unchanged" in second.stdout + second.stderr
    assert server_snapshot(server, names) == snap


def test_missing_privilege_gives_the_fix_and_creates_nothing(install_env: dict, monkeypatch) -> None:
    names, server = install_env["names"], install_env["server"]
    weak = f"weak_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {weak} LOGIN PASSWORD 'weak-pw'")
    try:
        env = {
            **install_env["env"],
            **testing.connection_env("weak_admin", server.set(username=weak, password="weak-pw")),
        }
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        ctx = StepContext(
            dag_id="deploy-databases",
            step="CREATE",
            run_id="r",
            log=logging.getLogger("t"),
            hook_factory=HookCache(),
            params={"admin_connector": "weak_admin", "targets": ["nomasx1"], "create_roles": True},
        )
        with pytest.raises(ConfigurationError, match=rf"may not create roles or databases.*ALTER ROLE {weak} CREATEDB"):
            db_collectors.create_databases(ctx)
        assert server_snapshot_roles(server, names) == []
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP ROLE {weak}")
        admin.dispose()


def server_snapshot_roles(server: URL, names: dict) -> list:
    admin = sa.create_engine(server)
    with admin.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT rolname FROM pg_roles WHERE rolname = ANY(:n)"), {"n": list(names.values())}
        ).all()
    admin.dispose()
    return rows


@pytest.fixture
def target_env(pg_url: URL, airflow_db: str) -> dict:
    return testing.connection_env("nomasx1", pg_url)


def test_init_upgrade_refresh_through_airflow(target_env: dict, pg_engine: sa.Engine) -> None:
    init = testing.run_bundled_dag("nomasx1-init-schema-1", env=target_env)
    assert init.state == "success", init
    assert bootstrap.current_revision(pg_engine, "nomasx1") == bootstrap.head_revision()

    upgrade = testing.run_bundled_dag("nomasx1-upgrade-schema-1", env=target_env)
    assert upgrade.state == "success" and upgrade.tasks == {"UPGRADE_SCHEMA": "success"}
    refresh = testing.run_bundled_dag("nomasx1-refresh-views", env=target_env, conf={"apps_id": 10})
    assert refresh.state == "success"
    with pg_engine.connect() as conn:
        audit = dict(
            conn.execute(sa.text("SELECT step, message FROM nomasx1.collect_audit WHERE status = 'success'")).all()
        )
        populated = conn.execute(
            sa.text("SELECT bool_and(ispopulated) FROM pg_matviews WHERE schemaname = 'nomasx1'")
        ).scalar()
    assert audit["UPGRADE_SCHEMA"] == f"schema nomasx1: already at head {bootstrap.head_revision()}, nothing to do"
    assert "revision" in audit["INIT_SCHEMA"]
    assert populated is True


def test_bad_param_is_rejected_before_running(target_env: dict) -> None:
    with pytest.raises(Exception, match="'x' is not of type 'integer'|apps_id"):
        testing.run_bundled_dag("nomasx1-refresh-views", env=target_env, conf={"apps_id": "x"})


def test_dags_list_shows_paused_install_dags_with_params(airflow_env: dict) -> None:
    run = subprocess.run([AIRFLOW, "dags", "reserialize"], env=airflow_env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    listed = subprocess.run(
        [AIRFLOW, "dags", "list", "-o", "json"], env=airflow_env, capture_output=True, text=True, timeout=300
    )
    dags = {d["dag_id"]: d for d in cli_json(listed.stdout)}
    for dag_id in INSTALL_DAGS:
        assert dag_id in dags, sorted(dags)
        assert str(dags[dag_id]["is_paused"]).lower() == "true"
    from airflow.models.serialized_dag import SerializedDagModel

    params = SerializedDagModel.get_dag("deploy-databases").params
    assert params.get_param("create_roles").schema == {"type": "boolean", "title": "Create login roles"}
    assert params.get_param("targets").value == ["nomasx1", "nomajde"]


def test_bundle_class_serves_the_jobs_from_the_package(airflow_env: dict) -> None:
    config = [
        {"name": "nomasx1", "classpath": "airflow_provider_nomasx1.dagspec.bundle.Nomasx1DagBundle", "kwargs": {}}
    ]
    env = {**airflow_env, "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST": json.dumps(config)}
    run = subprocess.run(
        [AIRFLOW, "dags", "reserialize", "-B", "nomasx1"], env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr[-2000:]
    listed = subprocess.run(
        [AIRFLOW, "dags", "list", "-o", "json", "-B", "nomasx1"], env=env, capture_output=True, text=True, timeout=300
    )
    dags = {d["dag_id"]: d for d in cli_json(listed.stdout)}
    assert set(INSTALL_DAGS) <= set(dags)
    assert {d["bundle_name"] for d in dags.values()} == {"nomasx1"}


@pytest.fixture
def api_server(airflow_env: dict) -> Iterator[str]:
    """A real Airflow api-server on loopback (no login: simple auth manager, all admins)."""
    import socket
    import time

    import requests

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**airflow_env, "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True"}
    proc = subprocess.Popen(
        [AIRFLOW, "api-server", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(f"{url}/api/v2/version", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("airflow api-server did not start")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_init_db_clones_a_tenant_and_refuses_a_second_time(install_env: dict, api_server: str) -> None:
    import requests

    server, names = install_env["server"], install_env["names"]
    env = dict(install_env["env"])
    first_deploy = testing.run_bundled_dag("deploy-databases", env=env)
    assert first_deploy.state == "success", first_deploy
    tag = uuid.uuid4().hex[:6]
    new_conn, new_db = f"nomasx1b_{tag}", f"nxb_{tag}"
    env["AIRFLOW_CONN_AIRFLOW_API"] = json.dumps({"conn_type": "http", "host": api_server})
    conf = {"new_connection": new_conn, "new_database": new_db, "target_connector": new_conn}
    try:
        run = testing.run_bundled_dag("nomasx1-init-db", env=env, conf=conf)
        assert run.tasks == {
            "PRECHECK": "success",
            "CREATE_DATABASE": "success",
            "CLONE_CONNECTION": "success",
            "INIT_SCHEMA": "success",
        }, run
        created = requests.get(f"{api_server}/api/v2/connections/{new_conn}", timeout=10).json()
        assert created["schema"] == new_db and created["login"] == names["nomasx1"]
        tenant = sa.create_engine(server.set(database=new_db))
        assert bootstrap.current_revision(tenant, "nomasx1") == bootstrap.head_revision()
        tenant.dispose()

        again = testing.run_bundled_dag("nomasx1-init-db", env=env, conf=conf)
        assert again.state == "failed" and again.tasks["PRECHECK"] == "failed"
        assert again.tasks["CREATE_DATABASE"] == "upstream_failed"
    finally:
        requests.delete(f"{api_server}/api/v2/connections/{new_conn}", timeout=10)
        admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {new_db} WITH (FORCE)")
        admin.dispose()


def test_a_broken_spec_leaves_the_other_dags_scheduled(tmp_path: Path, airflow_env: dict) -> None:
    """Through the metadata database: the valid DAGs are neither stale nor flagged with import errors."""
    import shutil

    bundle = tmp_path / "bundle"
    shutil.copytree(REPO_DAGS, bundle)
    (bundle / "jobs" / "nomasx1-broken-1.yaml").write_text("dag_id: nomasx1-broken-1\nfamily: games\n")
    home = tmp_path / "airflow"
    env = {**airflow_env, "AIRFLOW_HOME": str(home), "AIRFLOW__CORE__DAGS_FOLDER": str(bundle)}
    for cmd in (["db", "migrate"], ["dags", "reserialize"]):
        run = subprocess.run([AIRFLOW, *cmd], env=env, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr[-2000:]
    errors = subprocess.run(
        [AIRFLOW, "dags", "list-import-errors", "-o", "json"], env=env, capture_output=True, text=True, timeout=300
    )
    [error] = cli_json(errors.stdout)
    assert error["filepath"].endswith("nomasx1_spec_check.py")
    assert "jobs/nomasx1-broken-1.yaml: family: Input should be" in error["error"]
    assert "jobs/nomasx1-broken-1.yaml: display_name: required key is missing" in error["error"]
    import sqlite3

    with sqlite3.connect(home / "airflow.db") as db:
        rows = dict(db.execute("SELECT dag_id, is_stale OR has_import_errors FROM dag").fetchall())
    assert set(INSTALL_DAGS) <= set(rows)
    assert not any(rows[d] for d in INSTALL_DAGS), rows


def test_daily_sync_through_airflow(pg_server: URL, airflow_db: str) -> None:
    """nomajde-daily-sync end to end: seven sql_copy steps, audit rows, mirror_refresh."""
    import datetime as dt

    from airflow_provider_nomasx1.demo.jde_generator import generate

    source, mirror = testing.create_database(pg_server, "jde_src"), testing.create_database(pg_server, "nomajde")
    try:
        generate(source, profile="tiny", seed=1, as_of=dt.date(2025, 6, 30))
        setup = sa.create_engine(mirror)
        with setup.begin() as conn:  # as deploy-databases does: the sync never creates its schema
            conn.execute(sa.text("CREATE SCHEMA nomajde"))
        setup.dispose()
        env = testing.connection_env("jdedwards", source, conn_type="jdedwards", db_type="postgres")
        env |= testing.connection_env("nomajde", mirror)
        run = testing.run_bundled_dag("nomajde-daily-sync", env=env)
        assert run.state == "success", run
        engine = sa.create_engine(mirror)
        with engine.connect() as conn:
            refreshed = dict(conn.execute(sa.text("SELECT table_name, rows FROM nomajde.mirror_refresh")).all())
            audit = conn.execute(
                sa.text("SELECT count(*) FROM nomajde.collect_audit WHERE status = 'success'")
            ).scalar()
            udc = conn.execute(sa.text("SELECT count(*) FROM nomajde.f0005")).scalar()
        engine.dispose()
        assert set(refreshed) == {"f0004", "f0005", "f9200", "f9202", "f9210", "f9860", "f9865"}
        assert refreshed["f0005"] == udc > 0
        assert audit == 7
    finally:
        testing.drop_database(source)
        testing.drop_database(mirror)
