"""Security collection speed: the whole nomasx1-security-1 job on the large profile and on half of it.

For each size, a synthetic JDE source is generated (``large``: 10,000 users, 1,500 roles, 60,000
objects, ~2M security records; ``half``: the same profile with half the users, roles, objects and
menu leaves), a fresh nomasx1 schema is created with application 10 and the curated reference
data, and the 18 steps run in order, exactly as the operator runs them (lock, audit, one
transaction per step). Prints seconds per step for both sizes, the rows written, and, on the last
line, the scaling ratio time(large) / time(half) (goal: <= 2.2, i.e. about linear).

Anchor: the job must write every user right; ``--anchor`` also times a ``CREATE TABLE AS`` of as
many rows of the same shape as security_rights_users plus its primary key, the floor any engine
pays for that output on this machine.

    NOMASX1_TEST_PG_URL=postgresql://postgres@127.0.0.1:5432/postgres python bench/security.py
    python bench/security.py --smoke        # tiny profile, with the anchor: does it still run
"""

from __future__ import annotations

import argparse
import atexit
import dataclasses
import datetime as dt
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

if "AIRFLOW_HOME" not in os.environ:  # a throwaway Airflow home, removed at exit (children inherit it)
    os.environ["AIRFLOW_HOME"] = tempfile.mkdtemp(prefix="nomasx1-bench-")
    atexit.register(shutil.rmtree, os.environ["AIRFLOW_HOME"], ignore_errors=True)
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "ERROR")

import sqlalchemy as sa
from sqlalchemy.engine import URL

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.applications import Registry
from airflow_provider_nomasx1.collectors.db import refresh_views
from airflow_provider_nomasx1.collectors.preload import import_reference_bundle
from airflow_provider_nomasx1.collectors.security import audit, menus, objects, principals, rights
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.demo.jde_generator import PROFILES, generate
from airflow_provider_nomasx1.hooks.jde import JdeHook
from airflow_provider_nomasx1.operators.step import run_step
from airflow_provider_nomasx1.schema import bootstrap

AS_OF = dt.date(2026, 11, 28)
STEPS = (
    ("JDE_OBJECTS", objects.jde_objects),
    ("JDE_OBJECTS_VERSIONS", objects.jde_objects_versions),
    ("JDE_SEC_OBJECTS", objects.jde_sec_objects),
    ("JDE_SEC_MENUS", rights.jde_sec_menus),
    ("JDE_TASKS", menus.jde_tasks),
    ("JDE_MENUS", menus.jde_menus),
    ("SECURITY_USERS", principals.security_users),
    ("SECURITY_USERS_DATA", principals.security_users_data),
    ("SECURITY_ROLES", principals.security_roles),
    ("SECURITY_ASSIGNMENTS", principals.security_assignments),
    ("SECURITY_MENUS", menus.security_menus),
    ("SECURITY_RIGHTS_MENUS", rights.security_rights_menus),
    ("SECURITY_RIGHTS_APPS", rights.security_rights_apps),
    ("SECURITY_RIGHTS_ACTIONS", rights.security_rights_actions),
    ("SECURITY_RIGHTS_APPS_USERS", rights.security_rights_apps_users),
    ("SECURITY_RIGHTS_ACTIONS_USERS", rights.security_rights_actions_users),
    ("SECURITY_RIGHTS_AUDIT", audit.security_rights_audit),
    ("REFRESH_VIEWS", refresh_views),
)
LOG = logging.getLogger("nomasx1.bench.security")


def _half(profile_name: str = "large"):
    large = PROFILES[profile_name]
    return dataclasses.replace(
        large,
        name=f"half-{profile_name}",
        description=f"half of {profile_name}",
        users=large.users // 2,
        roles=large.roles // 2,
        objects=large.objects // 2,
        menu_leaves=large.menu_leaves // 2,
    )


PARAMS = {
    "apps_id": 10,
    "source_connector": "jdedwards",
    "target_connector": "nomasx1",
    "target_schema": "nomasx1",
    "as_of_date": AS_OF.isoformat(),
}


def run_steps(dag_id: str, steps, hook, engine: sa.Engine, params: dict, echo: bool = True) -> dict:
    """Run ``steps`` in order as the operator does (lock, audit): {step: (seconds, rows written)}."""

    class Target:
        pass

    Target.engine = engine
    results: dict[str, tuple[float, dict[str, int]]] = {}
    for step_id, function in steps:
        ctx = StepContext(
            dag_id=dag_id,
            step=step_id,
            run_id="bench__1",
            params=params,
            log=LOG,
            hook_factory=lambda role, conn_id, hook=hook: hook if role == "jde" else Target(),
        )
        t0 = time.monotonic()
        run_step(function, ctx, job_id=dag_id)
        results[step_id] = (time.monotonic() - t0, dict(ctx.result.rows))
        if echo:
            print(f"  {step_id:32s} {results[step_id][0]:8.1f} s  {ctx.result.rows}", flush=True)
    return results


@contextmanager
def synthetic_site(server: URL, profile, seed: int, prefix: str) -> Iterator[tuple[JdeHook, sa.Engine]]:
    """A generated JDE source and a fresh nomasx1 target (application 10, curated reference data,
    i.e. the baseline SoD ruleset); both databases are dropped afterwards."""
    source = testing.create_database(server, "bench_jde")
    target = testing.create_database(server, prefix)
    engine = sa.create_engine(target)
    try:
        started = time.monotonic()
        generate(source, profile=profile, seed=seed, as_of=AS_OF)
        print(f"  generated {profile.name} in {time.monotonic() - started:.0f} s", flush=True)
        bootstrap.init_schema(engine, "nomasx1")
        Registry(engine, "nomasx1").add(10, "bench", source_conn_id="jdedwards")
        import_reference_bundle(engine, "nomasx1", target_apps_ids=(10,))
        env = testing.connection_env("jdedwards", source, conn_type="jdedwards", db_type="postgres")
        with testing.patched_env(env):
            hook = JdeHook("jdedwards")
            try:
                yield hook, engine
            finally:
                hook.dispose()
    finally:
        engine.dispose()
        testing.drop_database(source)
        testing.drop_database(target)


def _run_job(server: URL, profile, seed: int) -> dict[str, tuple[float, dict[str, int]]]:
    with synthetic_site(server, profile, seed, "bench_sec") as (hook, engine):
        return run_steps("nomasx1-security-1", STEPS, hook, engine, PARAMS)


def _anchor(server: URL, rows: int) -> float:
    """CREATE TABLE AS of ``rows`` rows shaped like security_rights_users, plus its primary key."""
    url = testing.create_database(server, "bench_anchor")
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            t0 = time.monotonic()
            conn.exec_driver_sql(
                f"""CREATE TABLE w AS
                SELECT 10 AS apps_id, 'USER' || mod(g, 10000) AS user_id, 'P' || (g / 10000) AS object_name,
                       ''::text AS form_name, ''::text AS version, true AS can_run, true AS can_add,
                       false AS can_change, true AS can_delete, true AS can_ok, true AS can_copy, true AS can_scroll,
                       'ROLE'::text AS decided_level, 'R' || mod(g, 1500) AS decided_by,
                       'P' || (g / 10000) AS decided_object,
                       ''::text AS decided_form, ''::text AS decided_version, 'ROLE'::text AS action_decided_level,
                       'R' || mod(g, 1500) AS action_decided_by, 'P' || (g / 10000) AS action_decided_object,
                       ''::text AS action_decided_form, ''::text AS action_decided_version,
                       date '2026-11-28' AS as_of_date, now() AS refreshed_at, 'bench__1'::text AS run_id
                FROM generate_series(1, {int(rows)}) AS g"""
            )
            conn.exec_driver_sql("ALTER TABLE w ADD PRIMARY KEY (apps_id, user_id, object_name, form_name, version)")
            return time.monotonic() - t0
    finally:
        engine.dispose()
        testing.drop_database(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--profile", default="large", choices=sorted(PROFILES), help="full-size profile")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--smoke", action="store_true", help="tiny profile: does the benchmark still run")
    parser.add_argument("--anchor", action="store_true", help="also time writing the user rights alone")
    args = parser.parse_args()
    if args.smoke:
        args.profile, args.anchor = "tiny", True
    logging.basicConfig(level=logging.WARNING)
    with testing.postgres_server() as server:
        timings = {}
        for label, profile in (("half", _half(args.profile)), ("full", PROFILES[args.profile])):
            print(f"{label}: profile {profile.name}", flush=True)
            timings[label] = _run_job(server, profile, args.seed)
        print(f"\n{'step':32s} {'half s':>9s} {'full s':>9s} {'ratio':>6s}")
        for step_id, _ in STEPS:
            half, full = timings["half"][step_id][0], timings["full"][step_id][0]
            print(f"{step_id:32s} {half:9.1f} {full:9.1f} {full / half if half > 0.05 else float('nan'):6.2f}")
        total = {label: sum(t for t, _ in steps.values()) for label, steps in timings.items()}
        user_rights = timings["full"]["SECURITY_RIGHTS_ACTIONS_USERS"][1].get("security_rights_users", 0)
        print(f"{'total':32s} {total['half']:9.1f} {total['full']:9.1f}")
        print(f"user rights written at full size: {user_rights:,}")
        if args.anchor:
            print(
                f"anchor: writing {user_rights:,} rows of that shape + primary key alone: "
                f"{_anchor(server, user_rights):.1f} s"
            )
        print(f"scaling ratio time(full) / time(half) = {total['full'] / total['half']:.2f} (goal <= 2.2)")


if __name__ == "__main__":
    main()
