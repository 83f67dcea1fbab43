"""Licence collection speed: LICENSE_JDE_OUT and LICENSE_JDE_USERS against the physical floor of their reads.

For each size (``demo`` then ``large`` by default), a synthetic JDE source is generated (large:
~4M F98911 usage rows, ~4M transaction rows in the F9860 TBLE tables) with a fresh nomasx1 schema
holding application 10; every source table is read once (a cache warm-up, so the steps and their
anchors all read warm pages). Then, in a subprocess of its own per size (its peak RSS, VmHWM, read
in the child at the end):

- **OUT**: LICENSE_JDE_OUT, the first load (every F98911 row up to the as-of date), exactly as the
  operator runs it (lock, audit, one transaction), against its anchor: the step's own source
  aggregation (:func:`~airflow_provider_nomasx1.collectors.licence.out.source_query`) run bare on the
  source through a server-side cursor fetching every row (the floor of reading the aggregate: no
  COPY into the target, no merge). The step's slowest SQL statements come from its debug log.
- **USERS, full**: LICENSE_JDE_USERS's first run (window 90 days, the application's
  license_max_sessions or ``--sessions``) against ``SELECT count(<prefix>UPMJ)`` of each table it
  scanned, on as many threads as the step has sessions: one heap scan per table, the least any
  reader pays where JDE has no index on UPMJ.
- **USERS, incremental**: the next day's run (as-of + 1) after one day of rows is written in each
  scanned table (the rows of its busiest day of the window re-dated), as a share of the first
  run; then the same again the day after with an index on each table's UPMJ column (JDE ships
  none, a site may add one): that variant is informational.

The last line gives the ratios at the full size (the goals of issue 13)::

    ratios: users_full=<x> (goal 1.3) users_incremental=<y> (goal 0.10) out=<z> (goal 1.5) rss_large/demo=<w>

    NOMASX1_TEST_PG_URL=postgresql://postgres@127.0.0.1:5432/postgres python bench/license.py
    python bench/license.py --profile demo   # demo against tiny: a quick check of the benchmark itself
    python bench/license.py --smoke          # tiny profile alone: the quickest check, run by the tests
    python bench/license.py --sessions 8     # LICENSE_JDE_USERS's max_sessions (and the anchor's threads)
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import multiprocessing as mp
import os
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from queue import Empty
from typing import Any, cast

sys.path.insert(0, str(Path(__file__).resolve().parent))

# bench/security.py sets the throwaway Airflow environment before anything imports Airflow
import psycopg
import sqlalchemy as sa
from security import AS_OF
from sqlalchemy.engine import URL

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.applications import Registry
from airflow_provider_nomasx1.collectors.licence import out, transactions
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.demo.jde_generator import PROFILES, generate
from airflow_provider_nomasx1.hooks.jde import JdeHook
from airflow_provider_nomasx1.jde.catalogue import F98911
from airflow_provider_nomasx1.jde.julian import to_julian
from airflow_provider_nomasx1.jde.reader import JdeReader
from airflow_provider_nomasx1.operators.step import run_step
from airflow_provider_nomasx1.schema import bootstrap

APPS_ID = 10
SOURCE_CONN = "jdedwards"
PARAMS = {
    "apps_id": APPS_ID,
    "source_connector": SOURCE_CONN,
    "target_connector": "nomasx1",
    "target_schema": "nomasx1",
}
GOAL_OUT = 1.5
GOAL_USERS_FULL = 1.3
GOAL_USERS_INCREMENTAL = 0.10
WINDOW_DAYS = 90
#: license_max_sessions when the application's settings_jdedwards row does not say
DEFAULT_SESSIONS = 4
#: rows per fetch of the anchors' server-side cursor (the rows are counted, never kept)
FETCH_ROWS = 10_000
LOG = logging.getLogger("nomasx1.bench.license")


# -- the steps, as the operator runs them ------------------------------------------------------


class StatementLog(logging.Handler):
    """Keeps the step's debug lines "<file>: <seconds> s: <statement>" (collectors/session.py
    run_statements), so the bench can name the slowest statements."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[tuple[float, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno == logging.DEBUG and record.msg == "%s: %.2f s: %s":
            name, seconds, text = cast(tuple[str, float, str], record.args)
            self.statements.append((seconds, f"{name}: {text}"))


@dataclass
class StepRun:
    """One timed step: seconds, rows written, its message and its SQL statements' timings."""

    seconds: float
    rows: dict[str, int]
    message: str | None
    statements: list[tuple[float, str]] = field(default_factory=list)


def run(
    dag_id: str,
    step_id: str,
    function: Callable[[StepContext], Any],
    hook: JdeHook,
    engine: sa.Engine,
    params: dict[str, Any],
    run_id: str,
) -> StepRun:
    """Run one step under the lock and audit, as the operator runs an interval job's step."""

    class Target:
        """The target hook the steps ask for: only its engine is used."""

    Target.engine = engine  # type: ignore[attr-defined]
    handler = StatementLog()
    LOG.addHandler(handler)
    try:
        ctx = StepContext(
            dag_id=dag_id,
            step=step_id,
            run_id=run_id,
            params={**PARAMS, **params},
            log=LOG,
            hook_factory=lambda role, conn_id: hook if role == "jde" else Target(),
        )
        started = time.monotonic()
        run_step(function, ctx, job_id=dag_id, job_kind="interval")
        seconds = time.monotonic() - started
    finally:
        LOG.removeHandler(handler)
    return StepRun(seconds, dict(ctx.result.rows), ctx.result.message, handler.statements)


# -- the anchors -------------------------------------------------------------------------------


def conninfo(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def fetch_all(source: URL, query: str) -> tuple[float, int]:
    """``query`` on the source through a server-side cursor, every row fetched and counted:
    (seconds, rows)."""
    with psycopg.connect(conninfo(source)) as conn, conn.cursor(name="anchor") as cur:
        started = time.monotonic()
        cur.execute(query)
        rows = 0
        while batch := cur.fetchmany(FETCH_ROWS):
            rows += len(batch)
        return time.monotonic() - started, rows


def out_anchor(source: URL, hook: JdeHook) -> tuple[float, int]:
    """The step's source aggregation of F98911 up to the as-of date, run bare."""
    reader = JdeReader(hook, LOG)
    with hook.engine.connect() as conn:
        columns = reader.present_columns(conn, F98911)
    return fetch_all(source, out.source_query(columns, reader.qualified(F98911), None, AS_OF))


@dataclass(frozen=True)
class Scanned:
    """A table LICENSE_JDE_USERS scanned (license_jde_tables), by its physical PostgreSQL names."""

    table: str  # schema.table
    user_column: str
    date_column: str


def scanned_tables(engine: sa.Engine) -> list[Scanned]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT schema_name, table_name, user_column, date_column FROM nomasx1.license_jde_tables "
                "WHERE apps_id = :a AND status = 'scanned' ORDER BY schema_name, table_name"
            ),
            {"a": APPS_ID},
        ).all()
    return [Scanned(f"{schema}.{table}".lower(), user.lower(), date.lower()) for schema, table, user, date in rows]


def users_anchor(source: URL, tables: list[Scanned], threads: int) -> tuple[float, int]:
    """count(<prefix>UPMJ) of every scanned table, ``threads`` at a time: (seconds, rows counted).

    count(UPMJ), not count(*): PostgreSQL may answer count(*) from a smaller index (an index-only
    scan of any index, with the visibility map set) without reading a row, whereas counting the
    column's non-null values reads every heap tuple's UPMJ, as the step's GROUP BY on it must."""

    def count(table: Scanned) -> int:
        with psycopg.connect(conninfo(source), autocommit=True) as conn:
            return int(conn.execute(f"SELECT count({table.date_column}) FROM {table.table}").fetchall()[0][0])

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        rows = sum(pool.map(count, tables))
    return time.monotonic() - started, rows


def users_source_bare(source: URL, tables: list[Scanned], threads: int) -> tuple[float, int]:
    """Context, not an anchor: the step's own per-table source counts over the window
    (:func:`~airflow_provider_nomasx1.collectors.licence.transactions.source_query`), every group
    fetched, ``threads`` at a time: what the source side of the first run costs by itself."""
    start = AS_OF - dt.timedelta(days=WINDOW_DAYS)

    def read(t: Scanned) -> int:
        return fetch_all(source, transactions.source_query(t.user_column, t.date_column, t.table, start, AS_OF))[1]

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        groups = sum(pool.map(read, tables))
    return time.monotonic() - started, groups


def add_day(source: URL, tables: list[Scanned], day: dt.date) -> int:
    """One more day of activity in each scanned table: the rows of its busiest day of the window
    written again on ``day``. JDE stamps UPMJ on every write, so re-dating rows is what a day of
    updates does; it also keeps keyed tables valid (copies would collide with F0005's primary key).
    The table's last day up to the as-of date (its watermark) is never the one emptied: a watermark
    day gone from the source is what the step takes for a restored table (a whole-window re-read).
    Returns the rows re-dated."""
    low, high = to_julian(AS_OF - dt.timedelta(days=WINDOW_DAYS)), to_julian(AS_OF)
    written = 0
    with psycopg.connect(conninfo(source)) as conn:
        for t in tables:
            last = f"SELECT max({t.date_column}) FROM {t.table} WHERE {t.date_column} <= {high}"
            busiest = (
                f"SELECT {t.date_column} FROM {t.table} WHERE {t.date_column} BETWEEN {low} AND {high} "
                f"AND {t.date_column} < ({last}) GROUP BY 1 ORDER BY count(*) DESC, 1 DESC LIMIT 1"
            )
            written += conn.execute(
                f"UPDATE {t.table} SET {t.date_column} = {to_julian(day)} WHERE {t.date_column} = ({busiest})"
            ).rowcount
    return written


def index_dates(source: URL, tables: list[Scanned]) -> None:
    """An index on each scanned table's UPMJ column (JDE ships none; a site may add one)."""
    with psycopg.connect(conninfo(source)) as conn:
        for t in tables:
            conn.execute(f"CREATE INDEX ON {t.table} ({t.date_column})")


# -- one size, in its own process --------------------------------------------------------------


def peak_rss_mib() -> float:
    """This process's peak resident set (VmHWM): a spawned child's own, unlike getrusage's
    ru_maxrss, which a spawned child inherits from its parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _measure(source: URL, target: URL, env: dict[str, str], sessions: int | None, queue: mp.Queue) -> None:
    """The steps and their anchors on one generated site (run in a spawned child)."""
    os.environ.update(env)
    LOG.setLevel(logging.DEBUG)
    LOG.propagate = False  # the statement timings are for StatementLog, not stderr
    hook, engine = JdeHook(SOURCE_CONN), sa.create_engine(target)
    try:
        result: dict[str, Any] = {}
        day = {"as_of_date": AS_OF.isoformat()}
        result["out"] = asdict(
            run("nomasx1-out-1", "LICENSE_JDE_OUT", out.license_jde_out, hook, engine, day, "bench__out")
        )
        result["out_anchor"] = out_anchor(source, hook)
        result.update(_measure_users(source, engine, hook, sessions))
        result["rss_mib"] = peak_rss_mib()
    finally:
        hook.dispose()
        engine.dispose()
    queue.put(result)  # plain values: the parent cannot unpickle this module's classes (__mp_main__)


def _measure_users(source: URL, engine: sa.Engine, hook: JdeHook, sessions: int | None) -> dict[str, Any]:
    """LICENSE_JDE_USERS: the first run and its anchor, then the next day's run, without and with
    an index on UPMJ."""
    threads = sessions or Registry(engine, "nomasx1").show(APPS_ID).get("license_max_sessions") or DEFAULT_SESSIONS
    result: dict[str, Any] = {"sessions": threads}

    def users(day: dt.date, run_id: str) -> dict[str, Any]:
        params = {"as_of_date": day.isoformat(), "window_days": WINDOW_DAYS, "max_sessions": sessions}
        step = run(
            "nomasx1-license-1", "LICENSE_JDE_USERS", transactions.license_jde_users, hook, engine, params, run_id
        )
        with engine.connect() as conn:
            read, full = conn.execute(
                sa.text(
                    "SELECT coalesce(sum(rows_read), 0), count(*) FILTER (WHERE full_scan) "
                    "FROM nomasx1.license_jde_tables WHERE apps_id = :a AND status = 'scanned'"
                ),
                {"a": APPS_ID},
            ).one()
        return {**asdict(step), "rows_read": int(read), "full_scans": int(full)}

    result["users_full"] = users(AS_OF, "bench__users_1")
    tables = scanned_tables(engine)
    result["users_tables"] = len(tables)
    result["users_anchor"] = users_anchor(source, tables, threads)
    result["users_source_bare"] = users_source_bare(source, tables, threads)
    next_day = AS_OF + dt.timedelta(days=1)
    result["added"] = add_day(source, tables, next_day)
    result["users_next"] = users(next_day, "bench__users_2")
    index_dates(source, tables)
    indexed_day = next_day + dt.timedelta(days=1)
    result["added_indexed"] = add_day(source, tables, indexed_day)
    result["users_indexed"] = users(indexed_day, "bench__users_3")
    return result


def in_child(target: Callable[..., None], *args: Any) -> dict[str, Any]:
    """Run ``target`` in a fresh process; a child that dies stops the benchmark at once."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, queue))
    proc.start()
    while True:
        try:
            result = queue.get(timeout=1)
            break
        except Empty:
            if not proc.is_alive() and queue.empty():
                sys.exit(f"{target.__name__} failed with exit code {proc.exitcode}")
    proc.join()
    if proc.exitcode:
        sys.exit(f"{target.__name__} failed with exit code {proc.exitcode}")
    return result


@contextmanager
def site(server: URL, profile_name: str, seed: int) -> Iterator[tuple[URL, URL, dict[str, str]]]:
    """A generated JDE source and a nomasx1 target with application 10 (dropped afterwards):
    (source, target, the environment naming the source connection)."""
    source = testing.create_database(server, "bench_lic_jde")
    target = testing.create_database(server, "bench_lic")
    try:
        started = time.monotonic()
        summary = generate(source, profile=profile_name, seed=seed, as_of=AS_OF)
        print(
            f"  generated {profile_name} in {time.monotonic() - started:.0f} s: F98911 {summary.rows['F98911']:,} rows",
            flush=True,
        )
        engine = sa.create_engine(target)
        try:
            bootstrap.init_schema(engine, "nomasx1")
            Registry(engine, "nomasx1").add(APPS_ID, "bench", source_conn_id=SOURCE_CONN)
        finally:
            engine.dispose()
        warm(source)
        yield source, target, testing.connection_env(SOURCE_CONN, source, conn_type="jdedwards", db_type="postgres")
    finally:
        testing.drop_database(source)
        testing.drop_database(target)


def warm(source: URL) -> None:
    """Read every source table once, so the steps and the anchors all start on warm pages."""
    with psycopg.connect(conninfo(source), autocommit=True) as conn:
        tables = conn.execute(
            "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
        for (table,) in tables:
            conn.execute(f"SELECT count(*) FROM {table}")


# -- report ------------------------------------------------------------------------------------


def ratio(step: float, anchor: float) -> float:
    return step / anchor if anchor > 0 else float("nan")


def _statements(step: dict[str, Any], n: int = 3, sessions: int = 1) -> None:
    """The step's slowest SQL statements on the target, and what the rest of its time went to
    (with several sessions, their statements overlap: only their sum is given)."""
    statements = step["statements"]
    for seconds, text in sorted(statements, reverse=True)[:n]:
        print(f"      {seconds:7.2f} s  {text[:110]}")
    on_target = sum(seconds for seconds, _ in statements)
    if sessions > 1:
        print(f"      target SQL {on_target:.2f} s in {len(statements)} statements, summed over the sessions")
        return
    print(
        f"      target SQL {on_target:.2f} s in {len(statements)} statements; the rest (source reads into TEMP, "
        f"lock, audit) {step['seconds'] - on_target:.2f} s"
    )


def report(r: dict[str, Any]) -> None:
    """One size's lines: each step, its anchor and their ratio."""
    step, (anchor_s, groups) = r["out"], r["out_anchor"]
    print(f"  LICENSE_JDE_OUT, first load               {step['seconds']:8.2f} s  {step['rows']}")
    print(
        f"  anchor: its source aggregation bare       {anchor_s:8.2f} s  {groups:,} groups fetched; "
        f"ratio {ratio(step['seconds'], anchor_s):.2f}"
    )
    _statements(step)
    full, (anchor_s, counted) = r["users_full"], r["users_anchor"]
    print(
        f"  LICENSE_JDE_USERS, first run              {full['seconds']:8.2f} s  {full['rows']}, "
        f"{full['rows_read']:,} groups read, {r['users_tables']} tables, {r['sessions']} sessions"
    )
    print(
        f"  anchor: count(UPMJ) of those tables       {anchor_s:8.2f} s  {counted:,} rows, {r['sessions']} threads; "
        f"ratio {ratio(full['seconds'], anchor_s):.2f}"
    )
    bare, groups = r["users_source_bare"]
    print(
        f"  context: its source counts bare           {bare:8.2f} s  {groups:,} groups fetched, {r['sessions']} threads"
    )
    print(f"      step message: {full['message']}")
    _statements(full, sessions=r["sessions"])
    for label, key, added in (
        ("next day", "users_next", r["added"]),
        ("next day, UPMJ indexed", "users_indexed", r["added_indexed"]),
    ):
        step = r[key]
        print(
            f"  LICENSE_JDE_USERS, {label:22s} {step['seconds']:8.2f} s  {step['rows']}, {step['rows_read']:,} groups "
            f"read, {step['full_scans']} whole-window reads, after {added:,} rows written; "
            f"{ratio(step['seconds'], full['seconds']):.1%} of the first run"
        )
        print(f"      step message: {step['message']}")
        _statements(step, sessions=r["sessions"])
    print(f"  peak RSS (VmHWM of the steps' process) {r['rss_mib']:.0f} MiB", flush=True)


def summary(results: dict[str, dict[str, Any]]) -> None:
    """Seconds per step and size, side by side."""
    names = list(results)
    print(f"\n{'seconds':34s}" + "".join(f"{n:>10s}" for n in names))
    rows = (
        ("LICENSE_JDE_OUT first load", lambda r: r["out"]["seconds"]),
        ("  anchor: bare aggregation", lambda r: r["out_anchor"][0]),
        ("LICENSE_JDE_USERS first run", lambda r: r["users_full"]["seconds"]),
        ("  anchor: count(UPMJ)", lambda r: r["users_anchor"][0]),
        ("  context: source counts bare", lambda r: r["users_source_bare"][0]),
        ("LICENSE_JDE_USERS next day", lambda r: r["users_next"]["seconds"]),
        ("LICENSE_JDE_USERS next day, index", lambda r: r["users_indexed"]["seconds"]),
        ("peak RSS MiB", lambda r: r["rss_mib"]),
    )
    for label, value in rows:
        print(f"{label:34s}" + "".join(f"{value(results[n]):10.2f}" for n in names))


def sizes(profile: str) -> list[str]:
    """The sizes run: the profile below ``profile`` (demo for large, tiny for demo), then ``profile``."""
    below = {"large": "demo", "demo": "tiny"}.get(profile)
    return [below, profile] if below else [profile]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--profile", default="large", choices=sorted(PROFILES), help="full-size profile")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sessions", type=int, help="max_sessions of LICENSE_JDE_USERS (default: the setting, 4)")
    parser.add_argument("--smoke", action="store_true", help="tiny profile alone: does the benchmark still run")
    args = parser.parse_args()
    names = ["tiny"] if args.smoke else sizes(args.profile)
    logging.basicConfig(level=logging.WARNING)
    results: dict[str, dict[str, Any]] = {}
    with testing.postgres_server() as server:
        for name in names:
            print(f"profile {name}", flush=True)
            with site(server, name, args.seed) as (source, target, env):
                results[name] = in_child(_measure, source, target, env, args.sessions)
            report(results[name])
    summary(results)
    full, small = results[names[-1]], results[names[0]]
    users_full = ratio(full["users_full"]["seconds"], full["users_anchor"][0])
    incremental = ratio(full["users_next"]["seconds"], full["users_full"]["seconds"])
    out_ratio = ratio(full["out"]["seconds"], full["out_anchor"][0])
    print(
        f"ratios: users_full={users_full:.2f} (goal {GOAL_USERS_FULL}) users_incremental={incremental:.2f} "
        f"(goal {GOAL_USERS_INCREMENTAL:.2f}) out={out_ratio:.2f} (goal {GOAL_OUT}) "
        f"rss_{names[-1]}/{names[0]}={full['rss_mib'] / small['rss_mib']:.2f}"
    )


if __name__ == "__main__":
    main()
