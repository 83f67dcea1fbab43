"""JDE coercion planning: pure rules, PostgreSQL and Oracle expressions (no database).

The date/time rule run on PostgreSQL is tests/integration/test_coercion_sql.py."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import oracle

from airflow_provider_nomasx1.errors import ConfigurationError
from airflow_provider_nomasx1.jde.coercion import (
    DataItem,
    SourceColumn,
    create_table_sql,
    data_item_of,
    impossible_counter_sql,
    plan_columns,
    select_sql,
    table_prefix,
)
from airflow_provider_nomasx1.jde.julian import hhmmss_int_sql, julian_int_sql

DD = {
    "KY": DataItem("KY", "S"),
    "UPMJ": DataItem("UPMJ", "D"),
    "UPMT": DataItem("UPMT", "N", 0),
    "SAL": DataItem("SAL", "9", 2),
    "AN8": DataItem("AN8", "9", 0),
    "DSTD": DataItem("DSTD", "11"),
}
COLUMNS = [
    SourceColumn("drky", sa.CHAR(10), False),
    SourceColumn("drupmj", sa.Numeric(6, 0), False),
    SourceColumn("drupmt", sa.Numeric(6, 0), False),
    SourceColumn("drsal", sa.Numeric(), False),
    SourceColumn("dran8", sa.Numeric(), False),
    SourceColumn("drdstd", sa.Numeric(), False),
    SourceColumn("drnote", sa.VARCHAR(30), True),
]


def test_prefix_and_data_item() -> None:
    assert table_prefix(["drsy", "drrt", "drky", "x"]) == "DR"
    assert data_item_of("DRKY", "DR") == "KY" and data_item_of("drupmj", "dr") == "UPMJ"
    assert data_item_of("abky", "DR") is None and data_item_of("dr", "DR") is None


def test_plan_kinds_postgresql() -> None:
    plans = {p.target_name: p for p in plan_columns(COLUMNS, DD)}
    assert {n: p.kind for n, p in plans.items()} == {
        "drky": "string",
        "drupmj": "date",
        "drupmt": "time",
        "drsal": "decimal",
        "dran8": "numeric",
        "drdstd": "date",
        "drnote": "string",
    }
    # char(n): trailing blanks only; char -> name (63 bytes) when n characters always fit
    assert plans["drky"].select_sql == '"drky"::name'
    assert plans["drnote"].select_sql == 'rtrim("drnote")'
    assert plans["drsal"].select_sql == 'trunc(("drsal" * 0.01), 2)' and plans["drsal"].scale == 2
    assert plans["drupmj"].target_type == "date" and plans["drupmt"].target_type == "time"
    # issue 10 item 4: the one rule of jde/julian.py (impossible -> NULL, counted), on the integer
    # the source SELECT's subquery computes once per row
    assert plans["drupmj"].integer_sql == '"drupmj"::int' and plans["drupmt"].integer_sql == '"drupmt"::int'
    assert plans["drupmj"].select_sql == julian_int_sql(
        '"drupmj"', on_impossible=impossible_counter_sql("nomasx1.impossible_2")
    )
    assert plans["drupmt"].select_sql == hhmmss_int_sql(
        '"drupmt"', on_impossible=impossible_counter_sql("nomasx1.impossible_3")
    )


def test_char_trim_expressions() -> None:
    columns = [SourceColumn("drsy", sa.CHAR(15)), SourceColumn("drdl01", sa.CHAR(30)), SourceColumn("drx", sa.CHAR())]
    plans = [p.select_sql for p in plan_columns(columns, DD)]
    assert plans[0] == '"drsy"::name'  # 15 characters: 60 bytes at most
    # longer: the cheap path only for values that fit a name, the others through ::text (never cut)
    guarded = 'CASE WHEN octet_length("{0}") <= 63 THEN "{0}"::name::text ELSE "{0}"::text END'
    assert plans[1:] == [guarded.format("drdl01"), guarded.format("drx")]
    # a server whose names hold fewer bytes, or none known: ::text
    (short,) = plan_columns(columns[:1], DD, name_max_bytes=31)
    assert short.select_sql.startswith("CASE WHEN")
    assert [p.select_sql for p in plan_columns(columns, DD, name_max_bytes=0)] == [
        '"drsy"::text',
        '"drdl01"::text',
        '"drx"::text',
    ]


def test_strip_both_and_preserve() -> None:
    plans = {p.target_name: p for p in plan_columns(COLUMNS, DD, strip_both_columns=["DRKY"], decimal_mode="preserve")}
    assert plans["drky"].select_sql == 'btrim("drky")'
    assert plans["drsal"].select_sql == '("drsal" * 0.01)'


def test_oracle_expressions() -> None:
    columns = [SourceColumn(c.name, c.type, c.nullable) for c in COLUMNS[:4]]
    columns[1] = SourceColumn("drupmj", oracle.NUMBER(6, 0), False)
    plans = {p.target_name: p for p in plan_columns(columns, DD, dialect="oracle", strip_both_columns=["drky"])}
    assert plans["drky"].select_sql == "TRIM(DRKY)" and plans["drky"].empty_string_for_null
    assert "TO_DATE(TO_CHAR(1900000 + (DRUPMJ)), 'YYYYDDD')" in plans["drupmj"].select_sql
    assert "LPAD(TO_CHAR(DRUPMT), 6, '0')" in plans["drupmt"].select_sql
    assert plans["drsal"].select_sql == "TRUNC((DRSAL * 0.01), 2)"
    sql = select_sql(list(plans.values()), "PS920CTL.F0005", "DRSY = '55'")
    assert sql.startswith("SELECT TRIM(DRKY), ") and sql.endswith("FROM PS920CTL.F0005 WHERE (DRSY = '55')")


def test_none_copies_as_is() -> None:
    plans = plan_columns(COLUMNS, DD, type_coercion="none")
    assert {p.kind for p in plans} == {"copy"}
    assert [p.target_type for p in plans][:3] == ['varchar COLLATE "C"', "numeric", "numeric"]
    assert plans[0].select_sql == '"drky"'


def test_without_dictionary_name_rules_apply() -> None:
    plans = {p.target_name: p.kind for p in plan_columns(COLUMNS, {})}
    assert plans["drupmj"] == "date" and plans["drupmt"] == "time" and plans["drsal"] == "numeric"


def test_errors_and_ddl() -> None:
    with pytest.raises(ConfigurationError, match="not columns"):
        plan_columns(COLUMNS, DD, strip_both_columns=["nope"])
    with pytest.raises(ConfigurationError, match="decimal_mode"):
        plan_columns(COLUMNS, DD, decimal_mode="round")
    with pytest.raises(ConfigurationError, match="dialect"):
        plan_columns(COLUMNS, DD, dialect="mssql")
    ddl = create_table_sql('"t"."f0005"', plan_columns(COLUMNS[:2], DD), ["DRKY"])
    assert ddl == 'CREATE TABLE "t"."f0005" ("drky" varchar COLLATE "C", "drupmj" date, PRIMARY KEY ("drky"))'
    ddl = create_table_sql('"t"."s"', plan_columns(COLUMNS[:2], DD), not_null=["DRKY"])
    assert ddl == 'CREATE TABLE "t"."s" ("drky" varchar COLLATE "C" NOT NULL, "drupmj" date)'
    with pytest.raises(ConfigurationError, match="key column"):
        create_table_sql('"t"."x"', plan_columns(COLUMNS[:2], DD), ["drsy"])
