"""The LogMiner emulation and its recorder (oracle/logminer_emulation.py): the redo they write reads
back through the DBMS_LOGMNR calls and V$LOGMNR_CONTENTS as Oracle's would, and parses to the
recorder's ground truth."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from airflow_provider_nomasx1.oracle import redo
from airflow_provider_nomasx1.oracle.logminer_emulation import RedoRecorder, install_logminer

S = "lm"


def _mine(conn: sa.Connection, log: str, lo: int, hi: int) -> list[sa.Row]:
    conn.execute(sa.text(f"SELECT {S}.dbms_logmnr_add_logfile(:log, 1)"), {"log": log})
    conn.execute(sa.text(f"SELECT {S}.dbms_logmnr_start_logmnr(:lo, :hi, 0)"), {"lo": lo, "hi": hi})
    return list(
        conn.execute(
            sa.text(
                f'SELECT scn, operation, {S}.rawtohex(xid) AS xid, "ROLLBACK" AS rb, csf, sql_redo '
                f'FROM {S}."v$logmnr_contents" ORDER BY scn, recorded_order'
            )
        )
    )


@pytest.fixture
def recorded(pg_engine: sa.Engine):
    with pg_engine.begin() as conn:
        install_logminer(conn, S)
        recorder = RedoRecorder(conn, S)
        recorder.table("PRODDTA", "F0101", ["ABAN8"])
        yield conn, recorder


def test_committed_dml_reads_back_and_parses_to_the_ground_truth(recorded) -> None:
    conn, recorder = recorded
    tx = recorder.transaction()
    tx.insert("PRODDTA", "F0101", {"ABAN8": 1001, "ABALPH": "O'Brien", "ABUSER": "JDOE"})
    tx.update("PRODDTA", "F0101", {"ABAN8": 1001}, {"ABALPH": "Smith"})
    tx.commit()
    assert recorder.switch_log() == 1
    rows = _mine(conn, "/u03/arch/1_1_1.arc", 1_000_000, 2_000_000)
    assert [r.operation for r in rows] == ["START", "INSERT", "UPDATE", "COMMIT"]
    assert len({r.xid for r in rows}) == 1
    update = redo.parse(rows[2].sql_redo)
    assert update is not None
    assert update.assigned == (("ABALPH", "Smith"),)
    assert dict(update.condition) == {"ABAN8": "1001", "ABALPH": "O'Brien", "ABUSER": "JDOE"}
    truth = conn.execute(sa.text(f"SELECT operation, after_values FROM {S}.logmnr_truth ORDER BY scn")).all()
    assert truth == [
        ("INSERT", {"ABAN8": "1001", "ABALPH": "O'Brien", "ABUSER": "JDOE"}),
        ("UPDATE", {"ABALPH": "Smith"}),
    ]


def test_a_rollback_writes_undo_rows_then_the_marker_and_no_truth(recorded) -> None:
    conn, recorder = recorded
    tx = recorder.transaction()
    tx.insert("PRODDTA", "F0101", {"ABAN8": 7, "ABALPH": "gone"})
    tx.rollback()
    recorder.switch_log()
    rows = _mine(conn, "/u03/arch/1_1_1.arc", 1_000_000, 2_000_000)
    assert [(r.operation, r.rb) for r in rows] == [("START", 0), ("INSERT", 0), ("INSERT", 1), ("ROLLBACK", 0)]
    assert rows[2].sql_redo.startswith('delete from "PRODDTA"."F0101"')
    assert conn.execute(sa.text(f"SELECT count(*) FROM {S}.logmnr_truth")).scalar() == 0


def test_a_long_statement_continues_on_the_next_row(recorded) -> None:
    conn, recorder = recorded
    tx = recorder.transaction()
    tx.insert("PRODDTA", "F0101", {"ABAN8": 1, "ABRMK": "x" * 9_000})
    tx.commit()
    recorder.switch_log()
    rows = [r for r in _mine(conn, "/u03/arch/1_1_1.arc", 1_000_000, 2_000_000) if r.operation == "INSERT"]
    assert [r.csf for r in rows] == [1, 1, 0]
    statement = redo.parse("".join(r.sql_redo for r in rows))
    assert statement is not None and dict(statement.assigned)["ABRMK"] == "x" * 9_000


def test_the_emulated_calls_fail_as_oracle_does(recorded) -> None:
    conn, recorder = recorded
    recorder.switch_log()
    recorder.delete_archive(1)
    with pytest.raises(sa.exc.DBAPIError, match="ORA-01284"), conn.begin_nested():
        conn.execute(sa.text(f"SELECT {S}.dbms_logmnr_add_logfile('/u03/arch/1_1_1.arc', 1)"))
    with pytest.raises(sa.exc.DBAPIError, match="ORA-01306"), conn.begin_nested():
        conn.execute(sa.text(f'SELECT count(*) FROM {S}."v$logmnr_contents"'))
    with pytest.raises(sa.exc.DBAPIError, match="ORA-01292"), conn.begin_nested():
        conn.execute(sa.text(f"SELECT {S}.dbms_logmnr_start_logmnr(1, 2, 0)"))
