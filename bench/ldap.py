"""Directory load speed: SECURITY_LDAP against a bare ldap3 paged search of the same entries.

For each size (5,000 then 50,000 users by default), one OpenLDAP slapd (plain LDAP on loopback,
``demo/ldap_server.py``) is bulk-loaded by slapadd with that many synthetic AD users, their OUs and
groups (``demo/directory_generator.py: synthetic_entries``: seven department groups and "JDE Users"
with min(users, 5000) members, so the largest value list is the same at both sizes), and a fresh
nomasx1 schema is made with the directory application 50. Then, in a spawned child per size (a
fresh process, so its peak RSS belongs to this size alone):

- **ours**: the whole SECURITY_LDAP step, as the operator runs it (lock, audit, one target
  transaction): the real LdapHook on the ``ldap`` connection (an ``AIRFLOW_CONN_LDAP`` variable,
  plain LDAP), the paged searches of accounts and groups, the AD conversions, COPY into TEMP
  tables and the replacement of security_ldap, security_ldap_groups and security_ldap_members.
- **anchor**: bare ldap3 on the same server, with the same page size, filters and attributes
  (``DirectoryConfig.requested`` for the accounts, the group attributes for the groups), plain
  LDAP, ``get_info=NONE``: ``extend.standard.paged_search`` iterated, every value of every entry
  touched, nothing converted or written: the floor of reading those entries with ldap3. It runs in
  a fresh interpreter that imports ldap3 alone, as a script of its own would.
- **context**: the same ldap3 read inside the step's process, where the Airflow, SQLAlchemy and
  provider modules add some 200,000 objects that every full pass of Python's cyclic garbage
  collector walks (ldap3's many short-lived containers trigger such passes all along a search);
  the seconds spent in the collector are printed for it and for ours (gc.callbacks).

Each counts entries (accounts and groups) per second. The first thing the child does is our step,
with the peak resident set (VmHWM) reset just before it: that peak, and its growth over the RSS
before the step, are the step's memory. Then ``--rounds`` rounds of anchor, context and ours; the
fastest run of each counts (other work on the machine only ever slows a run down). The last line
gives the ratios at the largest size (the goals of issue 15)::

    ratios: rate=<ours/anchor> (goal >= 0.8) rss_50000/5000=<peak ratio> (goal 1.0)

    NOMASX1_TEST_PG_URL=postgresql://postgres@127.0.0.1:5432/postgres python bench/ldap.py
    python bench/ldap.py --smoke                     # 200 and 400 users, one round: run by the tests
    python bench/ldap.py --sizes 1000,10000 --page-size 1000 --rounds 5
    python bench/ldap.py --profile 50000             # cProfile of one step at that size (top functions)
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import inspect
import io
import json
import logging
import os
import pstats
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from queue import Queue
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

# bench/security.py (imported by bench/license.py) sets the throwaway Airflow environment before
# anything imports Airflow; the LdapHook reads its connection through Airflow
import sqlalchemy as sa
from license import StatementLog, in_child, peak_rss_mib
from sqlalchemy.engine import URL

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.applications import Registry
from airflow_provider_nomasx1.collectors.ldap.directory import security_ldap
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.demo.directory_generator import synthetic_entries
from airflow_provider_nomasx1.demo.ldap_server import DirectoryServer, start_directory_server
from airflow_provider_nomasx1.directory.config import DEFAULT_PAGE_SIZE, DirectoryConfig
from airflow_provider_nomasx1.hooks.ldap import LdapHook
from airflow_provider_nomasx1.operators.step import run_step
from airflow_provider_nomasx1.schema import bootstrap

BASE_DN = "dc=nomasx1,dc=test"
APPS_ID = 50
CONN_ID = "ldap"
JOB = "nomasx1-ldap-1"
PARAMS = {"apps_id": APPS_ID, "source_connector": CONN_ID, "target_connector": "nomasx1", "target_schema": "nomasx1"}
GOAL_RATE = 0.8
GOAL_RSS = 1.0
SIZES = (5_000, 50_000)
SMOKE_SIZES = (200, 400)
ROUNDS = 5
LOG = logging.getLogger("nomasx1.bench.ldap")
_KEYWORD = re.compile(r"\b(?:CREATE|INSERT|DELETE|UPDATE|ANALYZE|SELECT|WITH)\b")


# -- ours: the step, as the operator runs it --------------------------------------------------------


def run_ours(engine: sa.Engine, run_id: str) -> dict[str, Any]:
    """SECURITY_LDAP once (lock, audit, one transaction): seconds, rows written, entries read."""

    class Target:
        """The target hook the step asks for: only its engine is used."""

    Target.engine = engine  # type: ignore[attr-defined]
    handler = StatementLog()
    LOG.addHandler(handler)
    ctx = StepContext(
        dag_id=JOB,
        step="SECURITY_LDAP",
        run_id=run_id,
        params=dict(PARAMS),
        log=LOG,
        hook_factory=lambda role, conn_id: LdapHook(conn_id) if role == "ldap" else Target(),
    )
    started = time.monotonic()
    try:
        run_step(security_ldap, ctx, job_id=JOB)
    finally:
        LOG.removeHandler(handler)
    seconds = time.monotonic() - started
    details = ctx.result.details["directory"]
    return {
        "seconds": seconds,
        "rows": dict(ctx.result.rows),
        "entries": details["entries"],
        "pages": details["pages"],
        "sql_seconds": sum(t for t, _ in handler.statements),
        "slowest": sorted(handler.statements, reverse=True)[:3],
    }


# -- the anchor: bare ldap3 -------------------------------------------------------------------------


def paged_read(args: dict[str, Any]) -> dict[str, Any]:
    """The step's searches (accounts, then groups) with bare ldap3: ``args`` gives the server, the
    bind, the base DN, the page size and each search's filter and attributes; plain LDAP, no
    schema read; every value of every entry touched. Seconds, entries, values.

    Self-contained (its imports inside): :func:`bare_anchor` runs its source in a bare interpreter.
    """
    import time

    import ldap3

    server = ldap3.Server(args["host"], port=args["port"], get_info=ldap3.NONE)
    started = time.monotonic()
    entries = touched = 0
    with ldap3.Connection(server, user=args["user"], password=args["password"], read_only=True, auto_bind=True) as c:
        for search_filter, attributes in args["searches"]:
            found = c.extend.standard.paged_search(
                args["base_dn"], search_filter, ldap3.SUBTREE, attributes=attributes, paged_size=args["page_size"],
                generator=True,
            )  # fmt: skip
            for item in found:
                if item.get("type") != "searchResEntry":
                    continue
                entries += 1
                for values in item["attributes"].values():
                    touched += len(values) if isinstance(values, list) else 1
    return {"seconds": time.monotonic() - started, "entries": entries, "values": touched}


def anchor_args(hook: LdapHook) -> dict[str, Any]:
    """:func:`paged_read`'s arguments: the connection's server and bind, and the searches the step
    makes (``DirectoryConfig.requested`` for the accounts, the group attributes for the groups)."""
    config: DirectoryConfig = hook.config
    spec = config.group_attributes
    groups = sorted({spec["name"], spec["account"], spec["description"], *spec["members"]})
    conn = hook.connection
    return {
        "host": conn.host, "port": int(conn.port), "user": conn.login, "password": conn.password,
        "base_dn": config.base_dn, "page_size": config.page_size,
        "searches": [(config.search_filter, config.requested), (config.group_filter, groups)],
    }  # fmt: skip


def bare_anchor(args: dict[str, Any]) -> dict[str, Any]:
    """:func:`paged_read` in a fresh interpreter that imports ldap3 alone: the anchor as any script
    would run it, without the Airflow, SQLAlchemy and provider modules of the step's process (whose
    objects every full pass of the cyclic garbage collector walks). Arguments on stdin."""
    code = (
        f"from __future__ import annotations\nimport json, sys\n{inspect.getsource(paged_read)}\n"
        "print(json.dumps(paged_read(json.load(sys.stdin))))"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-c", code], input=json.dumps(args), capture_output=True, text=True, check=False
    )
    if done.returncode:
        sys.exit(f"the bare ldap3 anchor failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(done.stdout)


class GcTimer:
    """Seconds this process spends in the cyclic garbage collector (gc.callbacks), while installed."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started

    def timed(self, run: dict[str, Any], before: float) -> dict[str, Any]:
        return {**run, "gc_seconds": self.seconds - before}


# -- one size, in its own process -------------------------------------------------------------------


def quiet_step_log() -> None:
    """The step's debug lines (its SQL timings) go to StatementLog alone, not to stderr."""
    LOG.setLevel(logging.DEBUG)
    LOG.propagate = False


def _status_mib(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak_rss() -> bool:
    """Reset this process's VmHWM to its current RSS (Linux ``clear_refs`` 5); False if refused."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _measure(env: dict[str, str], target: URL, rounds: int, queue: Queue) -> None:
    """Our step first (its peak RSS), then ``rounds`` rounds of the bare anchor, ldap3 in this
    process and ours (spawned child)."""
    os.environ.update(env)
    quiet_step_log()
    engine = sa.create_engine(target)
    gc_timer = GcTimer()
    gc.callbacks.append(gc_timer)
    try:
        result: dict[str, Any] = {"rss_before_mib": _status_mib("VmRSS"), "peak_reset": reset_peak_rss()}
        result["first"] = run_ours(engine, "manual__bench_ldap_0")
        result["rss_peak_mib"] = peak_rss_mib()
        result["objects"] = len(gc.get_objects())
        args = anchor_args(LdapHook(CONN_ID))
        result.update(anchor=[], in_process=[], ours=[])
        for n in range(1, rounds + 1):
            result["anchor"].append(bare_anchor(args))
            before = gc_timer.seconds
            result["in_process"].append(gc_timer.timed(paged_read(args), before))
            before = gc_timer.seconds
            result["ours"].append(gc_timer.timed(run_ours(engine, f"manual__bench_ldap_{n}"), before))
    finally:
        gc.callbacks.remove(gc_timer)
        engine.dispose()
    queue.put(result)


def _profile(env: dict[str, str], target: URL, top: int, queue: Queue) -> None:
    """One step under cProfile (after an unprofiled first run): the top functions (spawned child)."""
    os.environ.update(env)
    quiet_step_log()
    engine = sa.create_engine(target)
    try:
        run_ours(engine, "manual__bench_ldap_warm")
        profiler = cProfile.Profile()
        profiler.enable()
        step = run_ours(engine, "manual__bench_ldap_profiled")
        profiler.disable()
    finally:
        engine.dispose()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    queue.put({"step": step, "profile": text.getvalue()})


# -- the directory and the target -------------------------------------------------------------------


def connection_env(server: DirectoryServer, page_size: int) -> dict[str, str]:
    """``AIRFLOW_CONN_LDAP``: the directory on plain LDAP, its base DN and the page size."""
    extra = {"tls_mode": "none", "base_dn": server.base_dn, "page_size": page_size}
    payload = {
        "conn_type": "nomasx1_ldap",
        "host": server.host,
        "port": server.port,
        "login": server.bind_dn,
        "password": server.password,
        "extra": json.dumps(extra),
    }
    return {f"AIRFLOW_CONN_{CONN_ID.upper()}": json.dumps(payload)}


@contextmanager
def site(pg: URL, users: int, page_size: int, seed: int, workdir: Path) -> Iterator[tuple[URL, dict[str, str]]]:
    """slapd holding ``users`` synthetic users and their groups, and a nomasx1 target with the
    directory application (both removed afterwards): (target, the connection's environment)."""
    started = time.monotonic()
    entries = synthetic_entries(users, base_dn=BASE_DN, seed=seed)
    with start_directory_server(workdir / f"slapd-{users}", base_dn=BASE_DN, tls=False, entries=entries) as server:
        print(
            f"  slapd: {users:,} users loaded by slapadd and started in {time.monotonic() - started:.1f} s", flush=True
        )
        target = testing.create_database(pg, "bench_ldap")
        try:
            engine = sa.create_engine(target)
            try:
                bootstrap.init_schema(engine, "nomasx1")
                Registry(engine, "nomasx1").add(APPS_ID, "Directory", apps_type="LDAP", source_conn_id=CONN_ID)
            finally:
                engine.dispose()
            yield target, connection_env(server, page_size)
        finally:
            testing.drop_database(target)


# -- report -----------------------------------------------------------------------------------------


def rate(runs: list[dict[str, Any]]) -> float:
    """Entries per second of the fastest run: other work on the machine only ever slows a run down."""
    seconds = min(r["seconds"] for r in runs)
    return runs[0]["entries"] / seconds if seconds > 0 else float("nan")


def report(users: int, r: dict[str, Any]) -> None:
    """One size's lines: the rates and their ratio, where the step's time went, its memory."""
    ours, anchor, in_process, first = r["ours"], r["anchor"], r["in_process"], r["first"]
    entries = ours[0]["entries"]
    if {entries} != {x["entries"] for x in anchor + in_process}:
        sys.exit(f"{users} users: the step read {entries} entries, the anchors {anchor[0]['entries']}")
    fastest = min(ours, key=lambda x: x["seconds"])
    print(f"  SECURITY_LDAP                 {rate(ours):8,.0f} entries/s  {entries:,} entries in {ours[0]['pages']} "
          f"pages; s: {_seconds(ours)}")  # fmt: skip
    print(f"      rows: {first['rows']}; first run, in the fresh process: {first['seconds']:.2f} s")
    print(f"      of the fastest run: target SQL after the COPY {fastest['sql_seconds']:.2f} s, cyclic GC "
          f"{fastest['gc_seconds']:.2f} s ({r['objects']:,} objects tracked in the process); slowest SQL:")  # fmt: skip
    for seconds, text in fastest["slowest"]:
        print(f"      {seconds:7.2f} s  {_statement(text)[:110]}")
    print(f"  anchor: ldap3, bare process   {rate(anchor):8,.0f} entries/s  {anchor[0]['values']:,} values touched; "
          f"s: {_seconds(anchor)}")  # fmt: skip
    gc_seconds = min(in_process, key=lambda x: x["seconds"])["gc_seconds"]
    print(f"  context: ldap3 in our process {rate(in_process):8,.0f} entries/s  cyclic GC {gc_seconds:.2f} s of the "
          f"fastest; s: {_seconds(in_process)}")  # fmt: skip
    print(f"  ratio ours/anchor {rate(ours) / rate(anchor):.2f} (goal >= {GOAL_RATE}); ours/ldap3 in our process "
          f"{rate(ours) / rate(in_process):.2f}")  # fmt: skip
    growth = r["rss_peak_mib"] - r["rss_before_mib"]
    reset = "" if r["peak_reset"] else " (VmHWM not reset: includes the start-up peak)"
    print(f"  peak RSS of the step {r['rss_peak_mib']:.1f} MiB, {growth:+.1f} MiB over the {r['rss_before_mib']:.1f} "
          f"MiB before it{reset}", flush=True)  # fmt: skip


def _statement(text: str) -> str:
    """A logged statement ("<file>: <text>") from its first keyword on, past the file's comments
    (the log keeps its first 100 characters, the comments included)."""
    name, _, sql = text.partition(": ")
    keyword = _KEYWORD.search(sql)
    return f"{name}: {sql[keyword.start() :] if keyword else sql}"


def _seconds(runs: list[dict[str, Any]]) -> str:
    return ", ".join(f"{x['seconds']:.2f}" for x in runs)


def sizes(text: str) -> tuple[int, ...]:
    values = tuple(int(v) for v in text.split(",") if v.strip())
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"--sizes wants positive user counts separated by commas, got {text!r}")
    return values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=sizes, default=SIZES, help="users per size, e.g. 5000,50000")
    parser.add_argument("--page-size", type=int, default=DEFAULT_PAGE_SIZE, help="entries per page (both sides)")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="timed rounds of anchor and ours per size")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--smoke", action="store_true", help=f"sizes {SMOKE_SIZES}, one round: does it still run")
    parser.add_argument("--profile", type=int, metavar="USERS", help="cProfile one step at USERS users instead")
    args = parser.parse_args()
    if args.smoke:
        args.sizes, args.rounds = SMOKE_SIZES, 1
    logging.basicConfig(level=logging.WARNING)
    results: dict[int, dict[str, Any]] = {}
    with testing.postgres_server() as pg, tempfile.TemporaryDirectory(prefix="nomasx1-bench-ldap-") as folder:
        if args.profile:
            with site(pg, args.profile, args.page_size, args.seed, Path(folder)) as (target, env):
                profiled = in_child(_profile, env, target, 30)
            print(f"  profiled step: {profiled['step']['seconds']:.2f} s, {profiled['step']['entries']:,} entries")
            print(profiled["profile"])
            return
        for users in args.sizes:
            print(f"{users:,} users, page size {args.page_size}", flush=True)
            with site(pg, users, args.page_size, args.seed, Path(folder)) as (target, env):
                results[users] = in_child(_measure, env, target, args.rounds)
            report(users, results[users])
    large, small = max(results), min(results)
    ratio = rate(results[large]["ours"]) / rate(results[large]["anchor"])
    rss = results[large]["rss_peak_mib"] / results[small]["rss_peak_mib"]
    print(f"ratios: rate={ratio:.2f} (goal >= {GOAL_RATE}) rss_{large}/{small}={rss:.2f} (goal {GOAL_RSS})")


if __name__ == "__main__":
    main()
