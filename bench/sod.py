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
    python bench/sod.py --smoke             # tiny profile: the quickest check, run by the tests
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# bench/security.py sets the throwaway Airflow environment before anything imports Airflow
from security import PARAMS, STEPS, _half, run_steps, synthetic_site
from sqlalchemy.engine import URL

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.collectors.sod import conflicts as sod
from airflow_provider_nomasx1.demo.jde_generator import PROFILES

#: the security steps the SoD engine needs (the rights audit and the view refresh do not feed it)
RIGHTS_STEPS = tuple((sid, fn) for sid, fn in STEPS if sid not in ("SECURITY_RIGHTS_AUDIT", "REFRESH_VIEWS"))
SOD_STEPS = (
    ("SOD_CONFLICT_DETAILS", sod.sod_conflict_details),
    ("SOD_CONFLICT_SUMMARY", sod.sod_conflict_summary),
)
GOAL_RATIO = 2.2
GOAL_SECONDS = 20.0


def _run(server: URL, profile, seed: int) -> dict[str, tuple[float, dict[str, int]]]:
    with synthetic_site(server, profile, seed, "bench_sod") as (hook, engine):
        started = time.monotonic()
        security = run_steps("nomasx1-security-1", RIGHTS_STEPS, hook, engine, PARAMS, echo=False)
        rights = security["SECURITY_RIGHTS_ACTIONS_USERS"][1].get("security_rights_users", 0)
        print(f"  security job: {time.monotonic() - started:.0f} s, {rights:,} user rights (untimed here)", flush=True)
        sod_params = {k: v for k, v in PARAMS.items() if k != "source_connector"}
        results = run_steps("nomasx1-sod-1", SOD_STEPS, hook, engine, sod_params, echo=False)
    for step_id, (seconds, rows) in results.items():
        print(f"  {step_id:24s} {seconds:8.2f} s  {rows}", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--profile", default="large", choices=sorted(PROFILES), help="full-size profile")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--smoke", action="store_true", help="tiny profile: does the benchmark still run")
    args = parser.parse_args()
    if args.smoke:
        args.profile = "tiny"
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
