"""Licence position speed: LICENSE_POSITION on the large profile and on half of it.

For each size (``large`` and half of it by default: bench/security.py's half, with half the users,
roles, objects and menu leaves, and here also half the transaction and object usage rows, so that
every input of the position is halved), a synthetic JDE source is generated and a fresh nomasx1
schema is created with application 10 and the curated reference data (bench/security.py). Then,
untimed (their seconds are printed for context), the 18 steps of nomasx1-security-1 (the user
rights: ~38.6M rows of security_rights_users on the large profile), LICENSE_JDE_EMPLOYEES,
LICENSE_JDE_USERS over 365 days (so the 12-month transacting counts are real) and LICENSE_JDE_OUT,
each as the operator runs it (lock, audit, one transaction); and three entitlement lines written
in license_entitlements (System Foundation and Financials on Application User, Payroll on
Employee). Then, in a spawned child (its peak RSS, VmHWM, is the step's process alone), the
timed part: LICENSE_POSITION three times, each a full recompute under the lock and audit; the
median counts, with the rows it wrote and its slowest SQL statements (the step's debug log).
``--explain S`` adds an untimed fourth run whose statements slower than S seconds are explained
(auto_explain, ANALYZE and BUFFERS) and printed.

The last line gives the scaling ratio and the full size's median (the goals of issue 14)::

    ratio license_position time(full) / time(half) = <x> (goal <= 2.2); full <s> s (goal < 30 s)

    NOMASX1_TEST_PG_URL=postgresql://postgres@127.0.0.1:5432/postgres python bench/license_position.py
    python bench/license_position.py --profile demo   # half-demo and demo: a check of the benchmark itself
    python bench/license_position.py --smoke          # tiny profile alone: the quickest check, run by the tests
    python bench/license_position.py --explain 1      # also the plans of the statements over 1 s
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import multiprocessing as mp
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

# bench/security.py (imported by bench/license.py) sets the throwaway Airflow environment before
# anything imports Airflow
import sqlalchemy as sa
from license import LOG, SOURCE_CONN, in_child, peak_rss_mib, run
from security import AS_OF, PARAMS, STEPS, _half, run_steps, synthetic_site
from sqlalchemy.engine import URL

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.collectors.licence import employees, out, position, transactions
from airflow_provider_nomasx1.demo.jde_generator import PROFILES, Profile
from airflow_provider_nomasx1.hooks.jde import JdeHook

GOAL_RATIO = 2.2
GOAL_SECONDS = 30.0
RUNS = 3
#: LICENSE_JDE_USERS's window: 365 days, so that the position's 12-month transacting counts are real
WINDOW_DAYS = 365
LICENCE_JOB = "nomasx1-license-1"
DAY = {"as_of_date": AS_OF.isoformat()}
#: the entitlement lines written: (component, metric, quantity as a share of the enabled users)
ENTITLEMENTS = (
    (1504, 10, 1.0),  # System Foundation, Application User
    (1501, 10, 0.5),  # Financials, Application User
    (1702, 30, 0.1),  # Payroll, Employee
)
SLOWEST = 6


# -- one size: the inputs, untimed -------------------------------------------------------------


def half_of(profile_name: str) -> Profile:
    """bench/security.py's half of the profile, with half its transaction and usage rows too."""
    full = PROFILES[profile_name]
    return dataclasses.replace(
        _half(profile_name), activity_rows=full.activity_rows // 2, usage_rows=full.usage_rows // 2
    )


def _inputs(hook: JdeHook, engine: sa.Engine) -> None:
    """What the position reads: the security job's rights, the employees, the transactions over
    365 days and the object usage (each step as the operator runs it), then the entitlement lines."""
    started = time.monotonic()
    security = run_steps("nomasx1-security-1", STEPS, hook, engine, PARAMS, echo=False)
    rights = security["SECURITY_RIGHTS_ACTIONS_USERS"][1].get("security_rights_users", 0)
    print(
        f"  security job, {len(STEPS)} steps     {time.monotonic() - started:8.1f} s  {rights:,} user rights",
        flush=True,
    )
    licence_steps = (
        ("nomasx1-employees-1", "LICENSE_JDE_EMPLOYEES", employees.license_jde_employees, DAY),
        (LICENCE_JOB, "LICENSE_JDE_USERS", transactions.license_jde_users, {**DAY, "window_days": WINDOW_DAYS}),
        ("nomasx1-out-1", "LICENSE_JDE_OUT", out.license_jde_out, DAY),
    )
    for dag_id, step_id, function, params in licence_steps:
        step = run(dag_id, step_id, function, hook, engine, params, f"bench__{step_id.lower()}")
        print(f"  {step_id:30s} {step.seconds:8.1f} s  {step.rows}", flush=True)
    print(f"  entitlement lines written: {_entitle(engine)}", flush=True)


def _entitle(engine: sa.Engine) -> int:
    """The ENTITLEMENTS lines, active on the as-of date, quantities in proportion to the enabled users."""
    values = ", ".join(
        f"({n}, {component}, {metric}, {share})" for n, (component, metric, share) in enumerate(ENTITLEMENTS, 1)
    )
    with engine.begin() as conn:
        return conn.execute(
            sa.text(
                "INSERT INTO nomasx1.license_entitlements "
                "(apps_id, entitlement_id, csi, component_id, metric_id, quantity, start_date, created_by) "
                "SELECT :a, 'ENT-' || :a || '-' || v.n, 'CSI-BENCH', v.component, v.metric, "
                "round(v.share * (SELECT count(*) FROM nomasx1.security_users WHERE apps_id = :a AND enabled)), "
                f"CAST(:start AS date), 'bench' FROM (VALUES {values}) AS v(n, component, metric, share)"
            ),
            {"a": PARAMS["apps_id"], "start": AS_OF.replace(year=AS_OF.year - 1).isoformat()},
        ).rowcount


# -- the timed part, in a spawned child --------------------------------------------------------


def _position(target: URL, explain: float | None, queue: mp.Queue) -> None:
    """LICENSE_POSITION RUNS times (run in a spawned child), then the optional explained run."""
    LOG.setLevel(logging.DEBUG)
    LOG.propagate = False  # the statement timings are for StatementLog, not stderr
    hook, engine = JdeHook(SOURCE_CONN), sa.create_engine(target)
    try:
        runs = [
            asdict(
                run(LICENCE_JOB, "LICENSE_POSITION", position.license_position, hook, engine, DAY, f"bench__pos_{i}")
            )
            for i in range(1, RUNS + 1)
        ]
        result: dict[str, Any] = {"runs": runs, "rss_mib": peak_rss_mib()}
        result["plans"] = _explained(target, hook, explain) if explain is not None else []
    finally:
        hook.dispose()
        engine.dispose()
    queue.put(result)  # plain values: the parent cannot unpickle this module's classes (__mp_main__)


def _explained(target: URL, hook: JdeHook, min_seconds: float) -> list[str]:
    """One more run of the step, on sessions with auto_explain: the plans (with actual times and
    buffers) of its statements slower than ``min_seconds``, as the server sent them."""
    options = " ".join(
        f"-c {name}={value}"
        for name, value in (
            ("session_preload_libraries", "auto_explain"),
            ("auto_explain.log_min_duration", f"{int(min_seconds * 1000)}ms"),
            ("auto_explain.log_analyze", "on"),
            ("auto_explain.log_buffers", "on"),
            ("auto_explain.log_level", "notice"),
        )
    )
    engine = sa.create_engine(target, connect_args={"options": options})
    plans: list[str] = []

    @sa.event.listens_for(engine, "connect")
    def collect(dbapi_connection: Any, _record: Any) -> None:
        if hasattr(dbapi_connection, "add_notice_handler"):  # psycopg 3
            dbapi_connection.add_notice_handler(lambda diagnostic: plans.append(diagnostic.message_primary or ""))
        else:  # psycopg2: any object with append(); a list would be trimmed to its last 50 notices
            dbapi_connection.notices = _Sink(plans)

    try:
        run(LICENCE_JOB, "LICENSE_POSITION", position.license_position, hook, engine, DAY, "bench__pos_explain")
    finally:
        engine.dispose()
    return [plan for plan in plans if "plan:" in plan]


class _Sink:
    """psycopg2's notices target: every notice kept, in order."""

    def __init__(self, into: list[str]) -> None:
        self.into = into

    def append(self, notice: str) -> None:
        self.into.append(notice.removeprefix("NOTICE:  ").strip())


# -- report ------------------------------------------------------------------------------------


def median_run(result: dict[str, Any]) -> dict[str, Any]:
    """The run of median seconds."""
    return sorted(result["runs"], key=lambda r: r["seconds"])[len(result["runs"]) // 2]


def report(result: dict[str, Any]) -> None:
    """One size's lines: each run, then the median run's rows, message and slowest statements."""
    for i, step in enumerate(result["runs"], 1):
        print(f"  LICENSE_POSITION run {i}             {step['seconds']:8.2f} s", flush=True)
    step = median_run(result)
    print(f"  median                             {step['seconds']:8.2f} s  {step['rows']}")
    print(f"      step message: {step['message']}")
    statements = step["statements"]
    print(f"      slowest statements of the median run (of {len(statements)}):")
    for seconds, text in sorted(statements, reverse=True)[:SLOWEST]:
        print(f"      {seconds:7.2f} s  {text[:120]}")
    per_file: dict[str, float] = {}
    for seconds, text in statements:
        name = text.split(":", 1)[0]
        per_file[name] = per_file.get(name, 0.0) + seconds
    on_target = sum(per_file.values())
    files = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in per_file.items())
    print(
        f"      SQL files {on_target:.2f} s ({files}); the rest (plausibility checks, report queries, lock, "
        f"audit) {step['seconds'] - on_target:.2f} s"
    )
    print(f"  peak RSS (VmHWM of the step's process) {result['rss_mib']:.0f} MiB", flush=True)
    for plan in result["plans"]:
        print("\n".join(f"      | {line}" for line in plan.splitlines()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--profile", default="large", choices=sorted(PROFILES), help="full-size profile")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--smoke", action="store_true", help="tiny profile alone: does the benchmark still run")
    parser.add_argument(
        "--explain", type=float, metavar="S", help="plans of the statements slower than S s (an extra, untimed run)"
    )
    args = parser.parse_args()
    sizes = (
        [("tiny", PROFILES["tiny"])]
        if args.smoke
        else [("half", half_of(args.profile)), ("full", PROFILES[args.profile])]
    )
    logging.basicConfig(level=logging.WARNING)
    results: dict[str, dict[str, Any]] = {}
    with testing.postgres_server() as server:
        for label, profile in sizes:
            print(f"{label}: profile {profile.name}", flush=True)
            with synthetic_site(server, profile, args.seed, "bench_pos") as (hook, engine):
                _inputs(hook, engine)
                results[label] = in_child(_position, engine.url, args.explain)
            report(results[label])
    medians = {label: median_run(r)["seconds"] for label, r in results.items()}
    print(f"\n{'LICENSE_POSITION':24s}" + "".join(f"{label:>10s}" for label in results))
    for i in range(RUNS):
        print(f"{f'run {i + 1} s':24s}" + "".join(f"{r['runs'][i]['seconds']:10.2f}" for r in results.values()))
    print(f"{'median s':24s}" + "".join(f"{medians[label]:10.2f}" for label in results))
    print(f"{'peak RSS MiB':24s}" + "".join(f"{r['rss_mib']:10.0f}" for r in results.values()))
    first, last = sizes[0][0], sizes[-1][0]
    ratio = medians[last] / medians[first] if medians[first] > 0 else float("nan")
    print(
        f"ratio license_position time({last}) / time({first}) = {ratio:.2f} (goal <= {GOAL_RATIO}); "
        f"{last} {medians[last]:.1f} s (goal < {GOAL_SECONDS:.0f} s)"
    )


if __name__ == "__main__":
    main()
