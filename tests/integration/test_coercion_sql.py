"""JDE coercion on real PostgreSQL: the mirror's dates and times follow the one table of cases."""

from __future__ import annotations

import sqlalchemy as sa
from support.jde_rule_cases import HHMMSS_CASES, JULIAN_CASES, fits_numeric_6_0

from airflow_provider_nomasx1.jde.coercion import (
    DataItem,
    SourceColumn,
    plan_columns,
    select_sql,
)

# --- issue 10 item 4: the mirror's dates and times follow the one rule, on real PostgreSQL -------


def test_mirror_coercion_follows_the_case_table(pg_engine: sa.Engine) -> None:
    """The source SELECT the sync streams (plan_columns + select_sql), run on real PostgreSQL over
    numeric(6,0) (JDE's type), unconstrained numeric and bigint columns: every case of the shared
    table, and each column's impossible values counted by the in-copy counters."""
    columns = [
        SourceColumn("xyid", sa.Integer(), False),
        SourceColumn("xyd6", sa.Numeric(6, 0)),
        SourceColumn("xydn", sa.Numeric()),
        SourceColumn("xydi", sa.BigInteger()),
        SourceColumn("xyt6upmt", sa.Numeric(6, 0)),
        SourceColumn("xytnupmt", sa.Numeric()),
    ]
    dd = {"D6": DataItem("D6", "D"), "DN": DataItem("DN", "11"), "DI": DataItem("DI", "D")}
    plans = plan_columns(columns, dd)
    assert [p.kind for p in plans] == ["integer", "date", "date", "date", "time", "time"]
    inputs: list[tuple] = []
    for n, (v, _, _) in enumerate(JULIAN_CASES):
        inputs.append((n, v if fits_numeric_6_0(v) else None, v, v if isinstance(v, int) else None, None, None))
    for n, (v, _, _) in enumerate(HHMMSS_CASES):
        inputs.append((1000 + n, None, None, None, v if fits_numeric_6_0(v) else None, v))
    raw = pg_engine.raw_connection()
    try:
        pg = raw.driver_connection
        with pg.transaction(), pg.cursor() as cur:
            cur.execute(
                "CREATE TABLE src (xyid int, xyd6 numeric(6,0), xydn numeric, xydi bigint, "
                "xyt6upmt numeric(6,0), xytnupmt numeric)"
            )
            cur.executemany("INSERT INTO src VALUES (%s, %s, %s, %s, %s, %s)", inputs)
            for p in plans:
                if p.impossible_setting:
                    cur.execute("SELECT set_config(%s, '0', true)", (p.impossible_setting,))
            got = {row[0]: row[1:] for row in cur.execute(select_sql(plans, "public.src")).fetchall()}
            counts = {
                p.target_name: int(cur.execute("SELECT current_setting(%s)", (p.impossible_setting,)).fetchone()[0])
                for p in plans
                if p.impossible_setting
            }
    finally:
        raw.close()
    expected_counts = dict.fromkeys(counts, 0)
    for row in inputs:
        n = row[0]
        cases = JULIAN_CASES if n < 1000 else HHMMSS_CASES
        _, result, impossible = cases[n % 1000]
        for name, value, out in zip(("xyd6", "xydn", "xydi", "xyt6upmt", "xytnupmt"), row[1:], got[n], strict=True):
            assert out == (None if value is None else result), (name, value)
            expected_counts[name] += value is not None and impossible
    assert counts == expected_counts
    assert counts == {"xyd6": 6, "xydn": 8, "xydi": 7, "xyt6upmt": 6, "xytnupmt": 8}
