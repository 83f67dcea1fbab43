"""The PostgreSQL target mechanics of ``pg/`` against a real server: locks, catalogue look-ups
on both a SQLAlchemy connection and a psycopg cursor, and stage-then-swap keeping what the table had."""

from __future__ import annotations

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from airflow_provider_nomasx1.pg import catalogue, locks, swap

S = "pgt"


@pytest.fixture
def engine(pg_engine: sa.Engine) -> sa.Engine:
    with pg_engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {S}")
        conn.exec_driver_sql(f"CREATE TABLE {S}.t (id integer PRIMARY KEY, code text NOT NULL, note text)")
        conn.exec_driver_sql(f"CREATE INDEX t_code ON {S}.t (code) WHERE note IS NOT NULL")
        conn.exec_driver_sql(f"INSERT INTO {S}.t VALUES (1, 'a', 'x'), (2, 'b', NULL)")
        conn.exec_driver_sql(f"COMMENT ON TABLE {S}.t IS 'kept 100%%'")  # SQLAlchemy always sends parameters
        conn.exec_driver_sql("DROP ROLE IF EXISTS pgt_reader")
        conn.exec_driver_sql("CREATE ROLE pgt_reader NOLOGIN")
        conn.exec_driver_sql(f"GRANT SELECT ON {S}.t TO pgt_reader")
    yield pg_engine
    with pg_engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {S} CASCADE")
        conn.exec_driver_sql("DROP ROLE pgt_reader")


def _psycopg(url: URL) -> psycopg.Connection:
    return psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))


def test_xact_lock_is_held_until_the_transaction_ends(engine: sa.Engine, pg_url: URL) -> None:
    key = locks.advisory_key("test", 1)
    held = (
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1 "
        "AND objid = (hashtext(%s)::bigint & 4294967295)::oid"
    )
    with engine.begin() as conn:
        locks.xact_lock(conn, "test", 1)
        with _psycopg(pg_url) as other:  # a psycopg connection may not take it meanwhile
            assert other.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", (key,)).fetchone()[0] is False
            assert other.execute(held, (key,)).fetchone()[0] == 1
    with _psycopg(pg_url) as other, other.cursor() as cur:  # released at commit; a cursor takes it too
        locks.xact_lock(cur, "test", 1)
        assert cur.execute(held, (key,)).fetchone()[0] == 1


def test_session_lock_is_seen_by_other_sessions(engine: sa.Engine) -> None:
    key = locks.session_lock_key(1, "job")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as holder, engine.connect() as other:
        assert locks.try_session_lock(holder, key)
        assert not locks.try_session_lock(other, key)
        assert locks.session_lock_held(other, key)
        locks.session_unlock(holder, key)
        assert not locks.session_lock_held(other, key)


def test_table_exists_on_a_connection_and_a_cursor(engine: sa.Engine, pg_url: URL) -> None:
    with engine.connect() as conn:
        assert catalogue.table_exists(conn, S, "t")
        assert not catalogue.table_exists(conn, S, "missing")
        assert not catalogue.table_exists(conn, "no_such_schema", "t")
        assert not catalogue.table_exists(conn, S, 'odd "name')  # never valid SQL, never an error
    with _psycopg(pg_url) as raw, raw.cursor() as cur:
        assert catalogue.table_exists(cur, S, "t")
        assert not catalogue.table_exists(cur, S, "missing")


def test_columns_grants_comment_and_views(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        assert catalogue.columns(conn, S, "t") == {"id": "integer", "code": "text", "note": "text"}
        assert catalogue.columns(conn, S, "missing") is None
        assert catalogue.table_grants(conn, S, "t") == [catalogue.TableGrant("pgt_reader", "SELECT", False)]
        assert catalogue.table_comment(conn, S, "t") == "kept 100%"
        assert not catalogue.has_dependent_views(conn, S, "t")
        conn.exec_driver_sql(f"CREATE VIEW {S}.v AS SELECT id FROM {S}.t")
        assert catalogue.has_dependent_views(conn, S, "t")


def test_index_definitions_of_a_primary_key_and_an_index(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        code, pkey = catalogue.index_definitions(conn, S, "t")  # by name
        assert catalogue.index_definitions(conn, S, "missing") == []
    assert (pkey.name, pkey.primary, pkey.constraint, pkey.unique) == ("t_pkey", True, "p", True)
    assert pkey.body == " USING btree (id)"
    assert pkey.key == "(id)"
    assert (code.name, code.primary, code.constraint, code.unique) == ("t_code", False, None, False)
    assert code.body == " USING btree (code) WHERE (note IS NOT NULL)"
    assert (
        code.create_sql('"i2"', '"pgt"."u"')
        == 'CREATE INDEX "i2" ON "pgt"."u" USING btree (code) WHERE (note IS NOT NULL)'
    )


def test_swap_keeps_indexes_grants_and_comment(engine: sa.Engine, pg_url: URL) -> None:
    with _psycopg(pg_url) as raw, raw.transaction(), raw.cursor() as cur:
        swap.drop_stage(cur, S, "t__stage")
        swap.create_stage(cur, S, "t", "t__stage", including=("DEFAULTS", "CONSTRAINTS"))
        assert catalogue.index_definitions(cur, S, "t__stage") == []  # loaded without indexes
        cur.execute(f"INSERT INTO {S}.t__stage VALUES (3, 'c', 'y')")
        assert not swap.swap_table(cur, S, "t", "t__stage", ["id", "code", "note"], suffix="__stage")
    with engine.connect() as conn:
        assert conn.exec_driver_sql(f"SELECT id FROM {S}.t").scalars().all() == [3]
        assert not catalogue.table_exists(conn, S, "t__stage")
        indexes = catalogue.index_definitions(conn, S, "t")
        assert [(i.name, i.constraint) for i in indexes] == [("t_code", None), ("t_pkey", "p")]
        assert indexes[0].body == " USING btree (code) WHERE (note IS NOT NULL)"
        assert catalogue.table_grants(conn, S, "t") == [catalogue.TableGrant("pgt_reader", "SELECT", False)]
        assert catalogue.table_comment(conn, S, "t") == "kept 100%"


def test_swap_replaces_rows_in_place_under_a_view(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE VIEW {S}.v AS SELECT id FROM {S}.t")
        swap.create_stage(conn, S, "t", "t__stage", including=("DEFAULTS",))
        conn.exec_driver_sql(f"INSERT INTO {S}.t__stage VALUES (5, 'e', NULL)")
        assert swap.swap_table(conn, S, "t", "t__stage", ["id", "code", "note"], suffix="__stage")
    with engine.connect() as conn:
        assert conn.exec_driver_sql(f"SELECT id FROM {S}.v").scalars().all() == [5]
        assert not catalogue.table_exists(conn, S, "t__stage")


def test_unknown_like_option_is_refused(engine: sa.Engine) -> None:
    with engine.connect() as conn, pytest.raises(ValueError, match="LIKE option"):
        swap.create_stage(conn, S, "t", "t__stage", including=("INDEXES; DROP",))
