"""`make demo` / `nomasx1 demo`: the pipeline end to end on a throwaway PostgreSQL.

1. start an embedded PostgreSQL (or use ``--pg-url``, a scratch server with a superuser);
2. generate a synthetic JDE source database (`jde_demo`);
3. create a throwaway Airflow home (SQLite metadata) with the connections as environment variables;
4. run the bundled jobs through Airflow (``dag.test()``): deploy-databases, upgrade (a no-op at head),
   then, with application 10 registered, the reference import, the nomajde mirror sync and the
   view refresh, then the security collection and the SoD engine of application 10;
   then record a sample entitlement register (demo/entitlements.csv) and run the three licence
   jobs, each ending with the licence position; then, when slapd is installed, serve the demo
   site's corporate directory (application 50) and run nomasx1-ldap-1 (said skipped otherwise);
   and emulate the JDE database's Oracle dictionary (a 19c Enterprise Edition RAC, oracle/
   emulation.py) in database ``oracle_demo`` and run nomasx1-database-1 on it;
5. write the SoD, licence and database reports of application 10 as HTML in the work folder, and
   print the database findings;
6. print what was built, and leave in the work folder what `make airflow` serves again: the embedded
   server's data (``pg/``), ``demo.json`` (where the server is), the directory's (``ldap/``,
   ``directory.json``) and ``connections.json`` (the connections, in the format of ``airflow
   connections import``).

``python -m airflow_provider_nomasx1.demo.runner resume WORKDIR`` (run by `make airflow`) starts the
embedded server again from its data when it is not running, and the directory (detached), rewrites
``connections.json`` for the port it listens on, and prints shell assignments; ``... stop WORKDIR``
stops a server it started, ``... stop-directory WORKDIR`` the directory.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from airflow_provider_nomasx1.errors import Nomasx1Error
from airflow_provider_nomasx1.pg import admin as pg_admin
from airflow_provider_nomasx1.pg.admin import normalise_url
from airflow_provider_nomasx1.resources import bundle_dir
from airflow_provider_nomasx1.testing import connection_env

log = logging.getLogger("nomasx1.demo")

#: passwords with URL-hostile characters on purpose: the demo proves they work end to end
DEMO_LOGINS = {"nomasx1": ("nomasx1", "demo:p@ss/1"), "nomajde": ("nomajde", "demo:p@ss/2")}
#: run through Airflow, in order; the demo registers application 10 between the two groups
INSTALL_JOBS = ["deploy-databases", "nomasx1-upgrade-schema-1"]
APPLICATION_JOBS = ["nomasx1-import-reference", "nomajde-daily-sync", "nomasx1-refresh-views"]
DEMO_APPS_ID = 10
#: then, for application 10 (conf {"apps_id": 10}): the security collection, then the SoD engine
SECURITY_JOBS = ["nomasx1-security-1", "nomasx1-sod-1"]
#: and the licence usage: the people, who transacted, what was used (Object Usage Tracking)
LICENCE_JOBS = ["nomasx1-employees-1", "nomasx1-license-1", "nomasx1-out-1"]
#: the JDE database's Oracle dictionary, emulated in PostgreSQL (oracle/emulation.py): the 19c
#: Enterprise Edition RAC fixture in database ORACLE_DATABASE, read as `oracle-target` by
#: nomasx1-database-1 for application 10
ORACLE_DATABASE = "oracle_demo"
ORACLE_FIXTURE = "19c_ee_rac"
ORACLE_SCHEMA = f"oracle_{ORACLE_FIXTURE}"
DATABASE_JOBS = ["nomasx1-database-1"]
#: the corporate directory of the demo site (demo/directory_generator.py) on a throwaway slapd,
#: registered as application 50 and reconciled with application 10 by nomasx1-ldap-1
DIRECTORY_APPS_ID = 50
DIRECTORY_JOBS = ["nomasx1-ldap-1"]
#: the sample contract lines the demo records before the licence jobs (docs/license.md)
DEMO_ENTITLEMENTS = Path(__file__).with_name("entitlements.csv")
JDE_DATABASE = "jde_demo"
STATE_FILE = "demo.json"
#: where the demo's directory server lives (folder, ports, base DN, root password), for `make airflow`
DIRECTORY_STATE_FILE = "directory.json"
CONNECTIONS_FILE = "connections.json"


def _say(text: str) -> None:
    print(text, flush=True)


def _start_server(pg_url: str | None, workdir: Path):
    if pg_url:
        return None, normalise_url(pg_url).set(database="postgres")
    from airflow_provider_nomasx1.demo.embedded_pg import EmbeddedPostgres

    data_dir = workdir / "pg" / "data"
    shutil.rmtree(data_dir.parent, ignore_errors=True)  # a fresh cluster at each demo, kept afterwards
    server = EmbeddedPostgres.in_folder(data_dir)
    return server, make_url(server.url())


def _recreate_database(server_url: URL, name: str) -> URL:
    engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        pg_admin.drop_database(conn, name)
        pg_admin.create_database(conn, name)
    engine.dispose()
    return server_url.set(database=name)


def _airflow_env(workdir: Path) -> dict[str, str]:
    home = workdir / "airflow"
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(bundle_dir()),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "ERROR",
    }


def _connections(server_url: URL, jde_url: URL) -> dict[str, str]:
    env = connection_env("default", server_url)
    for conn_id, (login, password) in DEMO_LOGINS.items():
        env |= connection_env(
            conn_id, server_url.set(username=login, password=password, database=conn_id), conn_type="nomasx1"
        )
    env |= connection_env("jdedwards", jde_url, conn_type="jdedwards", db_type="postgres")
    oracle = server_url.set(database=ORACLE_DATABASE)
    env |= connection_env("oracle-target", oracle, emulated_dictionary=ORACLE_SCHEMA)
    return env


def _connection_fields(server_url: URL, workdir: Path | None = None) -> dict[str, dict]:
    """The demo's connections as ``airflow connections import`` reads them (conn_id -> fields),
    the directory's `ldap` among them when the demo has one."""
    env = _connections(server_url, server_url.set(database=JDE_DATABASE))
    fields = {key.removeprefix("AIRFLOW_CONN_").lower(): json.loads(value) for key, value in env.items()}
    directory = _saved_directory(workdir) if workdir is not None else None
    if directory is not None:
        fields["ldap"] = directory.connection_fields(extras=DIRECTORY_EXTRAS)
    return fields


#: the demo directory connection's search settings (the disabled accounts' OU is left out)
DIRECTORY_EXTRAS = {"excluded_ous": "OU=Disabled Users"}


def _saved_directory(workdir: Path) -> Any:
    """The demo's directory server as :func:`_directory` recorded it (not started), or None."""
    from airflow_provider_nomasx1.demo.ldap_server import DirectoryServer

    path = workdir / DIRECTORY_STATE_FILE
    if not path.exists():
        return None
    state = json.loads(path.read_text())
    folder = Path(state["workdir"])
    return DirectoryServer(
        workdir=folder,
        base_dn=state["base_dn"],
        password=state["password"],
        port=state["port"],
        ldaps_port=state["ldaps_port"],
        ca_file=Path(state["ca_file"]),
        detached=True,
    )


def _write_private(path: Path, data: dict) -> None:
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)  # the connections carry passwords
    path.write_text(json.dumps(data, indent=2) + "\n")


def save_state(workdir: Path, server_url: URL, embedded_data_dir: Path | None) -> Path:
    """Record where the demo's server is and write its connections; returns ``connections.json``."""
    state = {"server_url": server_url.render_as_string(hide_password=False), "embedded_data_dir": None}
    if embedded_data_dir is not None:
        state["embedded_data_dir"] = str(embedded_data_dir)
    _write_private(workdir / STATE_FILE, state)
    _write_private(workdir / CONNECTIONS_FILE, _connection_fields(server_url, workdir))
    return workdir / CONNECTIONS_FILE


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def resume(workdir: Path) -> tuple[Path, bool]:
    """Serve the demo's databases again: ``(connections.json, whether the embedded server was started)``."""
    from airflow_provider_nomasx1.demo.embedded_pg import EmbeddedPostgres

    state_path = workdir.resolve() / STATE_FILE
    if not state_path.exists():
        raise Nomasx1Error(f"no demo in {workdir}: run `make demo` first ({STATE_FILE} is missing)")
    state = json.loads(state_path.read_text())
    server_url = make_url(state["server_url"])
    started, data_dir = False, state["embedded_data_dir"] and Path(state["embedded_data_dir"])
    if data_dir:
        if not (data_dir / "PG_VERSION").exists():
            raise Nomasx1Error(f"the demo's PostgreSQL data is gone ({data_dir}): run `make demo` again")
        port = EmbeddedPostgres.running_port(data_dir)
        if port is None:
            port = server_url.port if server_url.port and _port_free(server_url.port) else None
            server = EmbeddedPostgres(data_dir=data_dir, **({"port": port} if port else {})).start()
            port, started = server.port, True
        server_url = server_url.set(port=port)
    return save_state(workdir.resolve(), server_url, data_dir or None), started


def resume_directory(workdir: Path) -> bool:
    """Serve the demo's directory again (detached: it outlives this command) when the demo has one
    and slapd is installed; True when it was started here (`stop-directory` stops it)."""
    from airflow_provider_nomasx1.demo import ldap_server

    directory = _saved_directory(workdir.resolve())
    if directory is None or ldap_server.slapd_path() is None or ldap_server.detached_pid(directory.workdir):
        return False
    directory.start()
    return True


def stop_directory(workdir: Path) -> None:
    """Stop the directory :func:`resume_directory` started (its data stays)."""
    from airflow_provider_nomasx1.demo import ldap_server

    directory = _saved_directory(workdir.resolve())
    if directory is not None:
        ldap_server.stop_detached(directory.workdir)


def stop(workdir: Path) -> None:
    """Stop the demo's embedded server (its data stays for the next `make airflow`)."""
    from airflow_provider_nomasx1.demo.embedded_pg import EmbeddedPostgres

    state = json.loads((workdir / STATE_FILE).read_text())
    if state["embedded_data_dir"]:
        EmbeddedPostgres(data_dir=Path(state["embedded_data_dir"])).stop()


def _migrate_airflow(env: dict[str, str]) -> None:
    airflow = Path(sys.executable).with_name("airflow")
    result = subprocess.run(
        [str(airflow), "db", "migrate"], env={**os.environ, **env}, capture_output=True, text=True, timeout=600
    )
    if result.returncode:
        raise Nomasx1Error(f"airflow db migrate failed:\n{result.stderr[-3000:]}")


def _summary(server_url: URL) -> None:
    engine = sa.create_engine(server_url.set(database="nomasx1"))
    with engine.connect() as conn:
        tables = conn.execute(
            sa.text(
                "SELECT count(*) FILTER (WHERE c.relkind = 'r'), count(*) FILTER (WHERE c.relkind = 'm') "
                "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'nomasx1'"
            )
        ).one()
        reference = {
            table: conn.execute(sa.text(f"SELECT count(*) FROM nomasx1.{table}")).scalar()
            for table in (
                "settings_lic_components",
                "settings_jde_sy",
                "settings_db_features",
                "sod_activities",
                "sod_objects",
                "sod_matrix",
            )
        }
        audit = conn.execute(
            sa.text(
                "SELECT dag_id, step, status, rows_written, finished_at - started_at, message "
                "FROM nomasx1.collect_audit ORDER BY started_at"
            )
        ).all()
    engine.dispose()
    mirror = sa.create_engine(server_url.set(database="nomajde"))
    with mirror.connect() as conn:
        refreshed = conn.execute(sa.text("SELECT table_name, rows FROM nomajde.mirror_refresh ORDER BY 1")).all()
    mirror.dispose()
    _say(f"\nnomasx1 schema: {tables[0]} tables, {tables[1]} materialised views")
    _say("nomajde mirror: " + ", ".join(f"{t} {n:,}" for t, n in refreshed))
    _say(f"reference data of application {DEMO_APPS_ID}: " + ", ".join(f"{t} {n}" for t, n in reference.items()))
    _say("collect_audit (one row per step):")
    for dag_id, step, status, rows, took, message in audit:
        seconds, note = took.total_seconds(), (message or "")[:90]
        _say(f"  {dag_id:<26} {step:<22} {status:<8} {rows:>8} rows {seconds:6.2f}s  {note}")


def _run_jobs(dag_ids: list[str], env: dict[str, str], conf: dict | None = None) -> None:
    from airflow_provider_nomasx1.testing import run_bundled_dag

    for dag_id in dag_ids:
        t0 = time.monotonic()
        outcome = run_bundled_dag(dag_id, conf=conf or {})
        _say(f"{dag_id}: {outcome.state} in {time.monotonic() - t0:.1f}s {outcome.tasks}")
        if outcome.state != "success":
            raise Nomasx1Error(f"{dag_id} failed: see the task logs under {env['AIRFLOW_HOME']}/logs")


def _register_application(server_url: URL) -> None:
    """What an administrator does once: `nomasx1 apps add --apps-id 10 ...`."""
    from airflow_provider_nomasx1.applications import Registry

    login, password = DEMO_LOGINS["nomasx1"]
    engine = sa.create_engine(server_url.set(username=login, password=password, database="nomasx1"))
    try:
        registry = Registry(engine)
        if not registry.existing({DEMO_APPS_ID}):
            registry.add(DEMO_APPS_ID, "JDE demo (synthetic)", source_conn_id="jdedwards")
        _say(f"application {DEMO_APPS_ID} registered (nomasx1 apps add --apps-id {DEMO_APPS_ID} ...)")
    finally:
        engine.dispose()


@contextlib.contextmanager
def _directory(server_url: URL, jde_url: URL, workdir: Path, as_of: dt.date) -> Iterator[object | None]:
    """The demo site's corporate directory: its entries derived from the JDE source (most users
    matched by one rule or another, some leavers, some ambiguous), served by a throwaway slapd in
    ``workdir/ldap`` as the `ldap` connection, registered as application 50 (what an administrator
    does once: `nomasx1 apps add --apps-id 50 --type LDAP ...`). None, said, without slapd."""
    from airflow_provider_nomasx1.demo import ldap_server

    if ldap_server.slapd_path() is None:
        _say(f"directory: skipped, slapd is not installed ({ldap_server.INSTALL_HINT})")
        yield None
        return
    with build_directory(workdir, jde_url, as_of) as server:
        os.environ.update(server.connection_env("ldap", **DIRECTORY_EXTRAS))
        register_directory(_nomasx1_engine(server_url))
        _say(f"directory: {server.ldaps_url} (slapd, {workdir / 'ldap'}), application {DIRECTORY_APPS_ID} registered")
        yield server


def build_directory(workdir: Path, jde_url: URL, as_of: dt.date) -> Any:
    """A running slapd in ``workdir/ldap`` holding the JDE source's synthetic directory, recorded
    in ``directory.json`` (what `make airflow` serves again); the caller stops it."""
    from airflow_provider_nomasx1.demo import ldap_server
    from airflow_provider_nomasx1.demo.directory_generator import jde_directory_entries
    from airflow_provider_nomasx1.jde.schema_map import JdeSchemaMap

    folder = workdir / "ldap"
    ldap_server.stop_detached(folder)  # a `make airflow` left running
    shutil.rmtree(folder, ignore_errors=True)
    (workdir / DIRECTORY_STATE_FILE).unlink(missing_ok=True)
    source = sa.create_engine(jde_url)
    try:
        entries = jde_directory_entries(source, JdeSchemaMap(), base_dn=ldap_server.DEFAULT_BASE_DN, as_of=as_of)
        server = ldap_server.start_directory_server(folder, entries=entries)
    finally:
        source.dispose()
    state = {"workdir": str(folder), "base_dn": server.base_dn, "password": server.password,
             "port": server.port, "ldaps_port": server.ldaps_port, "ca_file": str(server.ca_file)}  # fmt: skip
    _write_private(workdir / DIRECTORY_STATE_FILE, state)
    return server


def register_directory(engine: sa.Engine) -> None:
    """What an administrator does once: `nomasx1 apps add --apps-id 50 --type LDAP ...`, reconciled
    with application 10 (``engine`` is disposed)."""
    from airflow_provider_nomasx1.applications import Registry

    try:
        registry = Registry(engine)
        if not registry.existing({DIRECTORY_APPS_ID}):
            registry.add(DIRECTORY_APPS_ID, "Corporate directory (synthetic)", apps_type="LDAP",
                         source_conn_id="ldap", reconcile_apps=str(DEMO_APPS_ID))  # fmt: skip
    finally:
        engine.dispose()


def _nomasx1_engine(server_url: URL) -> sa.Engine:
    login, password = DEMO_LOGINS["nomasx1"]
    return sa.create_engine(server_url.set(username=login, password=password, database="nomasx1"))


def _record_entitlements(server_url: URL) -> None:
    """What a licence manager does once: `nomasx1 licence entitlement import --apps-id 10 --file
    entitlements.csv --replace` (the sample contract lines of demo/entitlements.csv)."""
    from airflow_provider_nomasx1.collectors.licence.entitlements import EntitlementStore

    engine = _nomasx1_engine(server_url)
    try:
        imported = EntitlementStore(engine).import_csv(DEMO_APPS_ID, DEMO_ENTITLEMENTS, replace=True, created_by="demo")
        _say(f"entitlement register: {imported.summary()}")
    finally:
        engine.dispose()


def _reports(server_url: URL, workdir: Path) -> list[Path]:
    """What an auditor and a licence manager run: `nomasx1 report sod|licence --apps-id 10 --format
    html` (replaced at each demo)."""
    from airflow_provider_nomasx1.reports import licence, sod

    engine = _nomasx1_engine(server_url)
    try:
        return [r.write_report(engine, DEMO_APPS_ID, "html", workdir, force=True).path for r in (sod, licence)]
    finally:
        engine.dispose()


def build_oracle_dictionary(server_url: URL) -> None:
    """The JDE database's dictionary the database job reads: Oracle cannot run here, so its views
    are emulated in PostgreSQL with a real-world shape (docs/database.md, "Testing without Oracle")."""
    from airflow_provider_nomasx1.oracle import emulation

    engine = sa.create_engine(_recreate_database(server_url, ORACLE_DATABASE))
    try:
        emulation.install_fixture(engine, ORACLE_SCHEMA, ORACLE_FIXTURE)
    finally:
        engine.dispose()
    _say(f"oracle-target: {emulation.fixture_description(ORACLE_FIXTURE)} (emulated in {ORACLE_DATABASE})")


def _database_findings(server_url: URL) -> None:
    """The database job's verdicts, as the report's Findings part lists them."""
    engine = _nomasx1_engine(server_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT product, severity, usage, finding FROM nomasx1.db_ora_licenses WHERE apps_id = :a "
                "AND as_of_date = (SELECT max(as_of_date) FROM nomasx1.db_ora_licenses WHERE apps_id = :a) "
                "AND severity IS NOT NULL ORDER BY array_position(ARRAY['risk', 'warning', 'information'], "
                "severity), product"), {"a": DEMO_APPS_ID}).all()  # fmt: skip
    finally:
        engine.dispose()
    _say(f"\nOracle database findings of application {DEMO_APPS_ID} ({len(rows)}):")
    for product, severity, usage, finding in rows:
        _say(f"  {severity:<11} {product:<28} {usage:<22} {finding}")


def _database_report(server_url: URL, workdir: Path) -> Path:
    """What a licence manager runs: `nomasx1 report database --apps-id 10 --format html`."""
    from airflow_provider_nomasx1.reports import database

    engine = _nomasx1_engine(server_url)
    try:
        return database.write_report(engine, DEMO_APPS_ID, "html", workdir, force=True).path
    finally:
        engine.dispose()


def _directory_report(server_url: URL, workdir: Path) -> Path:
    """What an access reviewer runs: `nomasx1 report directory --apps-id 50 --format html`."""
    from airflow_provider_nomasx1.reports import directory

    engine = _nomasx1_engine(server_url)
    try:
        return directory.write_report(engine, DIRECTORY_APPS_ID, "html", workdir, force=True).path
    finally:
        engine.dispose()


def run_demo(
    profile: str = "demo", workdir: Path = Path(".demo"), pg_url: str | None = None, keep: bool = False
) -> int:
    """Run the demo; returns a process exit code."""
    started = time.monotonic()
    workdir = workdir.resolve()
    shutil.rmtree(workdir / "airflow", ignore_errors=True)
    workdir.mkdir(parents=True, exist_ok=True)
    env = _airflow_env(workdir)
    os.environ.update(env)  # before Airflow is imported

    server, server_url = _start_server(pg_url, workdir)
    stack = contextlib.ExitStack()
    try:
        _say(f"PostgreSQL: {server_url.render_as_string(hide_password=True)}")
        from airflow_provider_nomasx1.demo.jde_generator import generate

        jde_url = _recreate_database(server_url, JDE_DATABASE)
        summary = generate(jde_url, profile=profile, seed=1)
        _say(str(summary).splitlines()[0])

        _migrate_airflow(env)
        os.environ.update(_connections(server_url, jde_url))
        save_state(workdir, server_url, server.data_dir if server is not None else None)  # even if a job fails

        _run_jobs(INSTALL_JOBS, env)
        _register_application(server_url)
        _run_jobs(APPLICATION_JOBS, env)
        _run_jobs(SECURITY_JOBS, env, conf={"apps_id": DEMO_APPS_ID})
        _record_entitlements(server_url)
        _run_jobs(LICENCE_JOBS, env, conf={"apps_id": DEMO_APPS_ID})
        build_oracle_dictionary(server_url)
        _run_jobs(DATABASE_JOBS, env, conf={"apps_id": DEMO_APPS_ID})
        directory = stack.enter_context(_directory(server_url, jde_url, workdir, summary.as_of))
        if directory is not None:
            _run_jobs(DIRECTORY_JOBS, env, conf={"apps_id": DIRECTORY_APPS_ID})
            save_state(workdir, server_url, server.data_dir if server is not None else None)  # with `ldap`
        sod_report, licence_report = _reports(server_url, workdir)
        directory_report = _directory_report(server_url, workdir) if directory is not None else None
        database_report = _database_report(server_url, workdir)
        _summary(server_url)
        _database_findings(server_url)
        _say(f"\nSoD report of application {DEMO_APPS_ID}: {sod_report}")
        _say(f"licence report of application {DEMO_APPS_ID}: {licence_report}")
        _say(f"database report of application {DEMO_APPS_ID}: {database_report}")
        if directory_report is not None:
            _say(f"directory report of application {DIRECTORY_APPS_ID}: {directory_report}")
        _say(f"\ndemo finished in {time.monotonic() - started:.0f}s. Explore it in the Airflow UI: make airflow")
        return 0
    finally:
        stack.close()  # the directory server: the demo's own, stopped with it
        if server is not None and keep:
            _say(f"embedded server left running: {server.url()} (data in {server.data_dir})")
        elif server is not None:
            server.stop()  # the data stays in the work folder: `make airflow` starts it again


def main(argv: list[str] | None = None) -> int:
    """`make airflow`'s entry: ``resume WORKDIR`` prints shell assignments, ``stop WORKDIR`` stops the
    embedded PostgreSQL, ``stop-directory WORKDIR`` the demo's directory."""
    parser = argparse.ArgumentParser(prog="python -m airflow_provider_nomasx1.demo.runner")
    parser.add_argument("action", choices=["resume", "stop", "stop-directory"])
    parser.add_argument("workdir", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.action == "stop":
            stop(args.workdir)
            return 0
        if args.action == "stop-directory":
            stop_directory(args.workdir)
            return 0
        connections, started = resume(args.workdir)
        directory_started = resume_directory(args.workdir)
    except Nomasx1Error as exc:
        print(f"nomasx1 demo: {exc}", file=sys.stderr)
        return 1
    print(f"DEMO_CONNECTIONS={shlex.quote(str(connections))}")
    print(f"DEMO_PG_STARTED={int(started)}")
    print(f"DEMO_LDAP_STARTED={int(directory_started)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
