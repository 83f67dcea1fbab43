"""The audit-column catalogue query (``sql/jde/audit_columns_<dialect>.sql``) gives the same rows on
every dialect.

Oracle and SQL Server cannot run here, so each dialect's own SQL text runs on PostgreSQL: the
PostgreSQL and SQL Server texts against PostgreSQL's real catalogue (INFORMATION_SCHEMA has the same
shape on both), the Oracle text against ALL_TABLES / ALL_TAB_COLUMNS emulated as plain tables
holding what Oracle's dictionary holds for the same physical tables (upper-case names, the schema as
OWNER). A live Oracle check of the same query is in test_oracle_live.py.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from airflow_provider_nomasx1.errors import ConfigurationError
from airflow_provider_nomasx1.jde.dictionary import audit_columns_sql

#: physical JDE tables (schema -> table -> columns); F559999 has no audit columns
TABLES = {
    "proddta": {
        "f0411": ["rpdoc", "rpuser", "rpupmj", "rppid", "rpan8"],
        "f0101": ["aban8", "abuser", "abupmj"],
        "f559999": ["zzkey", "zzdesc"],
    },
    "prodctl": {"f0005": ["drsy", "drrt", "druser", "drupmj"]},
    # a schema the query is not asked about: never listed
    "testdta": {"f0411": ["rpdoc", "rpuser", "rpupmj"]},
}
SCHEMAS = {"business_data": "proddta", "control": "prodctl"}
#: what each dialect must answer, with RPPID named as an override (its columns ending in USER or
#: UPMJ, the override, a NULL column for a table with none)
EXPECTED = sorted(
    [
        ("business_data", "F0101", "ABUPMJ"),
        ("business_data", "F0101", "ABUSER"),
        ("business_data", "F0411", "RPPID"),
        ("business_data", "F0411", "RPUPMJ"),
        ("business_data", "F0411", "RPUSER"),
        ("business_data", "F559999", None),
        ("control", "F0005", "DRUPMJ"),
        ("control", "F0005", "DRUSER"),
    ],
    key=lambda row: (row[0], row[1], row[2] or ""),
)


@pytest.fixture
def source(pg_engine: sa.Engine) -> sa.Engine:
    """The physical tables, and Oracle's dictionary views of them in schema ``oracle_dictionary``."""
    with pg_engine.begin() as conn:
        conn.execute(sa.text("CREATE SCHEMA oracle_dictionary"))
        conn.execute(sa.text("CREATE TABLE oracle_dictionary.all_tables (owner text, table_name text)"))
        conn.execute(
            sa.text("CREATE TABLE oracle_dictionary.all_tab_columns (owner text, table_name text, column_name text)")
        )
        for schema, tables in TABLES.items():
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
            for table, columns in tables.items():
                conn.execute(sa.text(f"CREATE TABLE {schema}.{table} ({', '.join(f'{c} text' for c in columns)})"))
                owner, name = schema.upper(), table.upper()
                conn.execute(
                    sa.text("INSERT INTO oracle_dictionary.all_tables VALUES (:o, :t)"), {"o": owner, "t": name}
                )
                conn.execute(
                    sa.text("INSERT INTO oracle_dictionary.all_tab_columns VALUES (:o, :t, :c)"),
                    [{"o": owner, "t": name, "c": c.upper()} for c in columns],
                )
        # a view is not a base table: listed by neither catalogue
        conn.execute(sa.text("CREATE VIEW proddta.v0411 AS SELECT rpuser, rpupmj FROM proddta.f0411"))
    return pg_engine


def _rows(engine: sa.Engine, sql: str, search_path: str = "public") -> list[tuple[str, str, str | None]]:
    with engine.connect() as conn:
        conn.execute(sa.text(f"SET search_path TO {search_path}"))
        rows = [tuple(row) for row in conn.execute(sa.text(sql))]
    return sorted(rows, key=lambda row: (row[0], row[1], row[2] or ""))


@pytest.mark.parametrize("dialect", ["postgresql", "mssql"])
def test_the_information_schema_texts_list_tables_and_candidate_columns(source: sa.Engine, dialect: str) -> None:
    assert _rows(source, audit_columns_sql(dialect, SCHEMAS, ["rppid"])) == EXPECTED


def test_the_oracle_text_reads_the_dictionary_by_owner(source: sa.Engine) -> None:
    oracle_schemas = {key: schema.upper() for key, schema in SCHEMAS.items()}
    sql = audit_columns_sql("oracle", oracle_schemas, ["rppid"])
    assert _rows(source, sql, search_path="oracle_dictionary") == EXPECTED


def test_without_overrides_only_user_and_upmj_columns_are_candidates(source: sa.Engine) -> None:
    rows = _rows(source, audit_columns_sql("oracle", {"business_data": "PRODDTA"}), search_path="oracle_dictionary")
    assert [row for row in rows if row[1] == "F0411"] == [
        ("business_data", "F0411", "RPUPMJ"),
        ("business_data", "F0411", "RPUSER"),
    ]


def test_a_name_that_is_not_an_identifier_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="Invalid audit column override"):
        audit_columns_sql("oracle", SCHEMAS, ["RPUSER' OR '1'='1"])
