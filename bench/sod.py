"""SoD engine speed: the two nomasx1-sod-1 steps on the large profile and on half of it.

For each size, a synthetic JDE source is generated (``large``, and the same profile with half the
users, roles, objects and menu leaves, as in bench/security.py), a fresh nomasx1 schema is created
with application 10 and the curated reference data (the baseline SoD ruleset), the 18 steps of
nomasx1-security-1 that compute the rights run in order (untimed here: bench/security.py
times them; the audit and the view refresh, which SoD does not read, are skipped), then the two SoD
steps SOD_CONFLICT_DETAILS and SOD_CONFLICT_SUMMARY are timed, exactly as the operator runs them
(lock, audit, one transaction per step). Prints seconds per step for both sizes and the rows
written; the last line gives the scaling ratio time(full) / time(half) (goal: <= 2.2) and whether
the full size finished under 20 s (the goal at the large profile).

    NOMASX1_TEST_PG_URL=postgresql://postgres@127.0.0.1:5432/postgres python bench/sod.py
    python bench/sod.py --profile demo      # a quick check of the benchmark itself
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# bench/security.py sets the throwaway Airflow environment before anything imports Airflow
import sqlalchemy as sa
from security import AS_OF, STEPS, _half
from sqlalchemy.engine import URL

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.collectors.preload import import_reference_bundle
from airflow_provider_nomasx1.collectors.security import sod
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.demo.jde_generator import PROFILES, generate
from airflow_provider_nomasx1.hooks.jde import JdeHook
from airflow_provider_nomasx1.operators.step import run_step
from airflow_provider_nomasx1.registry import Registry
from airflow_provider_nomasx1.schema import bootstrap

#: the security steps the SoD engine needs (the rights audit and the view refresh do not feed it)
RIGHTS_STEPS = tuple((sid, fn) for sid, fn in STEPS if sid not in ("SECURITY_RIGHTS_AUDIT", "REFRESH_VIEWS"))
SOD_STEPS = (
    ("SOD_CONFLICT_DETAILS", sod.sod_conflict_details),
    ("SOD_CONFLICT_SUMMARY", sod.sod_conflict_summary),
)
GOAL_RATIO = 2.2
GOAL_SECONDS = 20.0
LOG = logging.getLogger("nomasx1.bench.sod")


def _run_steps(dag_id: str, steps, hook, engine: sa.Engine, params: dict) -> dict[str, tuple[float, dict[str, int]]]:
    """Run ``steps`` in order as the operator does; seconds and rows written per step."""

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
    return results


def _run(server: URL, profile, seed: int) -> dict[str, tuple[float, dict[str, int]]]:
    source = testing.create_database(server, "bench_jde")
    target = testing.create_database(server, "bench_sod")
    engine = sa.create_engine(target)
    try:
        started = time.monotonic()
        generate(source, profile=profile, seed=seed, as_of=AS_OF)
        print(f"  generated {profile.name} in {time.monotonic() - started:.0f} s", flush=True)
        bootstrap.init_schema(engine, "nomasx1")
        Registry(engine, "nomasx1").add(10, "bench", source_conn_id="jdedwards")
        import_reference_bundle(engine, "nomasx1", target_apps_ids=(10,))  # the baseline ruleset
        params = {
            "apps_id": 10,
            "source_connector": "jdedwards",
            "target_connector": "nomasx1",
            "target_schema": "nomasx1",
            "as_of_date": AS_OF.isoformat(),
        }
        env = testing.connection_env("jdedwards", source, conn_type="jdedwards", db_type="postgres")
        with testing.patched_env(env):
            hook = JdeHook("jdedwards")
            try:
                started = time.monotonic()
                security = _run_steps("nomasx1-security-1", RIGHTS_STEPS, hook, engine, params)
                rights = security["SECURITY_RIGHTS_ACTIONS_USERS"][1].get("security_rights_users", 0)
                print(
                    f"  security job: {time.monotonic() - started:.0f} s, {rights:,} user rights (untimed here)",
                    flush=True,
                )
                sod_params = {k: v for k, v in params.items() if k != "source_connector"}
                results = _run_steps("nomasx1-sod-1", SOD_STEPS, hook, engine, sod_params)
            finally:
                hook.dispose()
        for step_id, (seconds, rows) in results.items():
            print(f"  {step_id:24s} {seconds:8.2f} s  {rows}", flush=True)
        return results
    finally:
        engine.dispose()
        testing.drop_database(source)
        testing.drop_database(target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--profile", default="large", choices=sorted(PROFILES), help="full-size profile")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with testing.postgres_server() as server:
        timings = {}
        for label, profile in (("half", _half(args.profile)), ("full", PROFILES[args.profile])):
            print(f"{label}: profile {profile.name}", flush=True)
            timings[label] = _run(server, profile, args.seed)
    print(f"\n{'step':24s} {'half s':>9s} {'full s':>9s} {'ratio':>6s}")
    for step_id, _ in SOD_STEPS:
        half, full = timings["half"][step_id][0], timings["full"][step_id][0]
        print(f"{step_id:24s} {half:9.2f} {full:9.2f} {full / half if half > 0.05 else float('nan'):6.2f}")
    total = {label: sum(t for t, _ in steps.values()) for label, steps in timings.items()}
    print(f"{'total':24s} {total['half']:9.2f} {total['full']:9.2f}")
    details = timings["full"]["SOD_CONFLICT_DETAILS"][1].get("sod_conflict_details", 0)
    print(f"conflict details written at full size ({args.profile}): {details:,}")
    ratio = total["full"] / total["half"] if total["half"] > 0 else float("nan")
    under = "yes" if total["full"] < GOAL_SECONDS else "no"
    print(
        f"scaling ratio time(full) / time(half) = {ratio:.2f} (goal <= {GOAL_RATIO}); "
        f"{args.profile} in {total['full']:.1f} s, under {GOAL_SECONDS:.0f} s: {under}"
    )


if __name__ == "__main__":
    main()
