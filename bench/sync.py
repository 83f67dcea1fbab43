"""Mirror sync speed: raw PostgreSQL COPY, our sql_copy with JDE coercion, GenericTransfer and dlt.

All of them move the same synthetic F0005 (UDC values, JDE physical conventions) from a source
database to a target database on the same server, in one run:

- **raw COPY**: ``COPY ps920ctl.f0005 TO STDOUT`` piped into ``COPY ... FROM STDIN`` (no coercion,
  no key, same 1 MiB write batching as ours): the anchor, the fastest PostgreSQL-to-PostgreSQL copy;
- **raw COPY + key**: the same pipe into a table of the source's column types whose key columns
  are ``NOT NULL`` and ``COLLATE "C"`` (as our mirror's), then, in the same transaction, the F0005
  primary key built (same ``maintenance_work_mem`` as ours) and ``ANALYZE``: the least a keyed
  mirror costs, printed for context only (the anchor of the last line stays the plain pipe);
- **nomasx1 sql_copy**: :func:`airflow_provider_nomasx1.collectors.sync.copy_table`, overwrite
  mode with JDE coercion (trim, DRKY stripped both sides, Julian dates, implied decimals), staging
  table and atomic swap;
- **GenericTransfer**: Airflow's common-sql operator (``get_records`` then ``insert_rows``) on the
  first ``--generic-rows`` rows (it holds them all in memory);
- **dlt**: the ``sql_table`` source of ``dlt.sources.sql_database`` into dlt's postgres destination,
  as dlt ships them (SQLAlchemy backend, ``insert_values`` load files), ``replace`` disposition (a
  full refresh like ours), on every row; it needs the ``bench`` extra (``--skip-dlt`` leaves it out).

Each copy runs in its own process, which reports its peak RSS; ``--rows`` may list several sizes
(e.g. ``1000000,5000000``) to show that our memory stays flat. The last lines give our rows/s over
raw COPY's, then over dlt's (the very last line). ``--smoke`` moves 2,000 rows: a check that the
benchmark still runs.
"""

from __future__ import annotations

import argparse
import atexit
import importlib.util
import multiprocessing as mp
import os
import resource
import shutil
import sys
import tempfile
import time
from queue import Empty
from typing import TYPE_CHECKING

if "AIRFLOW_HOME" not in os.environ:  # a throwaway Airflow home, removed at exit (children inherit it)
    os.environ["AIRFLOW_HOME"] = tempfile.mkdtemp(prefix="nomasx1-bench-")
    atexit.register(shutil.rmtree, os.environ["AIRFLOW_HOME"], ignore_errors=True)
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "ERROR")

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import URL

from airflow_provider_nomasx1 import testing

if TYPE_CHECKING:
    from dlt.destinations.impl.postgres.configuration import PostgresCredentials

SOURCE_TABLE = "ps920ctl.f0005"
SOURCE_KEY = "drsy, drrt, drky"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _conninfo(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _generate(source: URL, rows: int) -> int:
    """F0005 with ``rows`` UDC values (and the rest of a minimal synthetic JDE source)."""
    from airflow_provider_nomasx1.demo.jde_generator import Profile, generate

    types = max(1, rows // 5000)
    profile = Profile(
        name=f"bench-{rows}",
        description="bench",
        users=0,
        roles=0,
        objects=0,
        udc_types=types,
        udc_values=min(9999, max(1, rows // types)),
        dd_items=50,
    )
    summary = generate(source, profile=profile, seed=1)
    return summary.rows["F0005"]


def _raw_copy(source: URL, target: URL, keyed: bool, out: mp.Queue) -> None:
    table = "rawkey_f0005" if keyed else "raw_f0005"
    with psycopg.connect(_conninfo(source)) as src, psycopg.connect(_conninfo(target)) as dst:
        key = [k.strip() for k in SOURCE_KEY.split(",")] if keyed else []
        columns = src.execute(
            "SELECT string_agg(quote_ident(attname) || ' ' || format_type(atttypid, atttypmod) "
            "|| CASE WHEN attname = ANY(%s) THEN ' COLLATE \"C\" NOT NULL' ELSE '' END, ', ' ORDER BY attnum) "
            "FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            (key, SOURCE_TABLE),
        ).fetchone()[0]
        dst.execute(f"DROP TABLE IF EXISTS {table}")
        dst.execute(f"CREATE TABLE {table} ({columns})")
        start = time.perf_counter()
        rows = 0
        with (
            src.cursor().copy(f"COPY {SOURCE_TABLE} TO STDOUT") as reader,
            dst.cursor().copy(f"COPY {table} FROM STDIN") as writer,
        ):
            # the same transport as ours: CopyData messages handed over in ~1 MiB writes
            buffer = bytearray()
            for block in reader:
                buffer += block
                if len(buffer) >= 1 << 20:
                    writer.write(buffer)
                    buffer = bytearray()
            if buffer:
                writer.write(buffer)
        if keyed:
            from airflow_provider_nomasx1.collectors.sync import MAINTENANCE_WORK_MEM

            dst.execute(f"SET LOCAL maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
            dst.execute(f"ALTER TABLE {table} ADD PRIMARY KEY ({SOURCE_KEY})")
            dst.execute(f"ANALYZE {table}")
        dst.commit()
        seconds = time.perf_counter() - start
        rows = dst.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    out.put({"rows": rows, "seconds": seconds, "rss_mb": _peak_rss_mb()})


def _ours(source: URL, target: URL, out: mp.Queue) -> None:
    import logging

    from airflow_provider_nomasx1.collectors.sync import CopySpec, copy_table
    from airflow_provider_nomasx1.hooks.jde import JdeHook

    os.environ.update(testing.connection_env("jde_bench", source, conn_type="jdedwards", db_type="postgres"))
    hook = JdeHook("jde_bench")
    engine = sa.create_engine(target)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE SCHEMA IF NOT EXISTS nomajde")
    spec = CopySpec.from_options({"source_schema": "control", "source_table": "F0005", "strip_both_columns": ["DRKY"]})
    start = time.perf_counter()
    report = copy_table(hook, engine, "nomajde", spec, log=logging.getLogger("bench"))
    seconds = time.perf_counter() - start
    out.put({"rows": report.rows, "seconds": seconds, "rss_mb": _peak_rss_mb()})


def _generic_transfer(source: URL, target: URL, limit: int, out: mp.Queue) -> None:
    from airflow.providers.common.sql.operators.generic_transfer import GenericTransfer

    os.environ.update(testing.connection_env("gt_src", source))
    os.environ.update(testing.connection_env("gt_dst", target))
    with psycopg.connect(_conninfo(target)) as dst:
        dst.execute("DROP TABLE IF EXISTS gt_f0005")
        dst.execute("CREATE TABLE gt_f0005 AS SELECT * FROM raw_f0005 WITH NO DATA")
        dst.commit()
    operator = GenericTransfer(
        task_id="generic",
        source_conn_id="gt_src",
        destination_conn_id="gt_dst",
        destination_table="gt_f0005",
        sql=f"SELECT * FROM {SOURCE_TABLE} ORDER BY drsy, drrt, drky LIMIT {limit}",
    )
    start = time.perf_counter()
    operator.execute(context={})
    seconds = time.perf_counter() - start
    with psycopg.connect(_conninfo(target)) as dst:
        rows = dst.execute("SELECT count(*) FROM gt_f0005").fetchone()[0]
    out.put({"rows": rows, "seconds": seconds, "rss_mb": _peak_rss_mb()})


def _dlt_credentials(url: URL) -> PostgresCredentials:
    """dlt's PostgreSQL credentials for ``url`` (an empty password, as trust auth has, is given explicitly:
    dlt would otherwise refuse the URL as incomplete)."""
    from dlt.destinations.impl.postgres.configuration import PostgresCredentials

    credentials = PostgresCredentials()
    credentials.database, credentials.username, credentials.password = url.database, url.username, url.password or ""
    credentials.host, credentials.port = url.host, url.port or 5432
    return credentials


def _dlt(source: URL, target: URL, out: mp.Queue) -> None:
    """dlt's own SQL-to-PostgreSQL path, pipeline state in a throwaway folder, telemetry off; its Airflow
    secrets provider is off too (it would import Airflow's models and query Variables: not dlt's copy cost)."""
    os.environ.update({"RUNTIME__DLTHUB_TELEMETRY": "false", "PROVIDERS__ENABLE_AIRFLOW_SECRETS": "false"})
    import dlt
    from dlt.sources.sql_database import sql_table

    schema, table = SOURCE_TABLE.split(".")
    with tempfile.TemporaryDirectory(prefix="nomasx1-bench-dlt-") as state:
        pipeline = dlt.pipeline(
            pipeline_name="nomasx1_bench",
            pipelines_dir=state,
            destination=dlt.destinations.postgres(credentials=_dlt_credentials(target)),
            dataset_name="dlt_bench",
        )
        resource = sql_table(credentials=source.render_as_string(hide_password=False), schema=schema, table=table)
        start = time.perf_counter()
        pipeline.run(resource, write_disposition="replace")
        seconds = time.perf_counter() - start
    with psycopg.connect(_conninfo(target)) as dst:
        rows = dst.execute(f"SELECT count(*) FROM dlt_bench.{table}").fetchone()[0]
    out.put({"rows": rows, "seconds": seconds, "rss_mb": _peak_rss_mb()})


def _in_child(target, *args) -> dict:
    """Run ``target`` in a fresh process (its own peak RSS); a child that dies stops the benchmark at once."""
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


def _line(name: str, r: dict) -> str:
    return (
        f"{name:<23} {r['rows']:>10,} rows {r['seconds']:8.2f} s {r['rows'] / r['seconds']:>12,.0f} rows/s "
        f"peak RSS {r['rss_mb']:7.1f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1000000", help="F0005 sizes, comma-separated (e.g. 1000000,5000000)")
    parser.add_argument("--generic-rows", type=int, default=200_000, help="rows given to GenericTransfer")
    parser.add_argument("--skip-dlt", action="store_true", help="leave dlt out (it needs the bench extra)")
    parser.add_argument("--smoke", action="store_true", help="2,000 rows: does the benchmark still run")
    args = parser.parse_args()
    if args.smoke:
        args.rows, args.generic_rows = "2000", 2000
    if not args.skip_dlt and importlib.util.find_spec("dlt") is None:
        sys.exit("dlt is not installed: pip install -c constraints.txt -e '.[test,bench]', or pass --skip-dlt")
    sizes = [int(s) for s in args.rows.split(",")]
    results: dict[int, dict] = {}
    with testing.postgres_server() as server:
        for size in sizes:
            source, target = testing.create_database(server, "bench_src"), testing.create_database(server, "bench_dst")
            try:
                generated = _generate(source, size)
                raw = _in_child(_raw_copy, source, target, False)
                keyed = _in_child(_raw_copy, source, target, True)
                ours = _in_child(_ours, source, target)
                print(f"F0005, {generated:,} rows")
                print(_line("raw COPY pipe", raw))
                print(_line("raw COPY + key, ANALYZE", keyed))
                print(_line("nomasx1 sql_copy (jde)", ours))
                entry = {"raw": raw, "keyed": keyed, "ours": ours}
                if size == sizes[0]:
                    generic = _in_child(_generic_transfer, source, target, min(args.generic_rows, generated))
                    print(_line("GenericTransfer", generic))
                    entry["generic"] = generic
                    if not args.skip_dlt:
                        entry["dlt"] = _in_child(_dlt, source, target)
                        print(_line("dlt sql_table", entry["dlt"]))
                results[size] = entry
            finally:
                for url in (source, target):
                    testing.drop_database(url)
    first = results[sizes[0]]
    ours_rate = first["ours"]["rows"] / first["ours"]["seconds"]
    raw_rate = first["raw"]["rows"] / first["raw"]["seconds"]
    if "generic" in first:
        generic_rate = first["generic"]["rows"] / first["generic"]["seconds"]
        print(f"ours / GenericTransfer: {ours_rate / generic_rate:.1f}x")
    keyed_rate = first["keyed"]["rows"] / first["keyed"]["seconds"]
    print(f"context: nomasx1 sql_copy / (raw COPY + key, ANALYZE) rows per second: {ours_rate / keyed_rate:.2f}")
    if len(sizes) > 1:
        rss = ", ".join(f"{s:,} rows: {results[s]['ours']['rss_mb']:.0f} MiB" for s in sizes)
        print(f"our peak RSS by size: {rss}")
    print(f"ratio nomasx1 sql_copy / raw COPY rows per second: {ours_rate / raw_rate:.2f}")
    if "dlt" in first:
        dlt_rate = first["dlt"]["rows"] / first["dlt"]["seconds"]
        print(f"ratio nomasx1 sql_copy / dlt rows per second: {ours_rate / dlt_rate:.2f}")


if __name__ == "__main__":
    main()
