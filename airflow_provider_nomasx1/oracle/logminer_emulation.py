"""LogMiner emulated in PostgreSQL, and the recorder that writes its redo, for the tests and the demo.

Oracle cannot run where this provider is built, so the audit trail mines an emulation
(``sql/oracle/emulated_logminer.sql``): the redo-log views, the DBMS_LOGMNR calls and
V$LOGMNR_CONTENTS, in the schema of the emulated dictionary (oracle/emulation.py). The
:class:`RedoRecorder` plays the database: DML on emulated JDE tables (their rows kept in the
schema's ``jde_rows``) becomes redo records in Oracle's format, with SCNs, transaction ids,
session attribution, partial and full rollbacks (ROLLBACK = 1 rows, then the ROLLBACK marker),
statements longer than a row continued on the next (CSF = 1), log switches and archives. It also
keeps the ground truth (``logmnr_truth``: every committed change, once) that the tests compare a
capture with.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from airflow_provider_nomasx1.oracle.emulation import create_dictionary
from airflow_provider_nomasx1.pg.identifiers import quote
from airflow_provider_nomasx1.resources import fill_tokens, read_sql

#: Oracle's SQL_REDO / SQL_UNDO column width: longer statements continue on the next row (CSF = 1)
REDO_ROW_WIDTH = 4000
#: the privileges and roles a least-privileged LogMiner user holds (docs/audit-trail.md, "Grants")
MINER_PRIVILEGES = ("CREATE SESSION", "LOGMINING")
MINER_ROLES = ("SELECT_CATALOG_ROLE", "EXECUTE_CATALOG_ROLE")
_EPOCH = dt.datetime(2026, 1, 1, 8, 0, 0)
Value = str | int | float | decimal.Decimal | dt.date | dt.datetime | bytes | None

_TRUTH = """CREATE TABLE {{schema}}.logmnr_truth (
    xid varchar, commit_scn numeric, scn numeric, operation varchar, seg_owner varchar, table_name varchar,
    username varchar, before_values jsonb, after_values jsonb);
CREATE TABLE {{schema}}.jde_rows (
    owner varchar, table_name varchar, row_key varchar, row_id varchar, image jsonb,
    PRIMARY KEY (owner, table_name, row_key));
CREATE TABLE {{schema}}.emulated_tables (owner varchar, table_name varchar, key_columns varchar);
CREATE SEQUENCE {{schema}}.logmnr_ids;"""


def install_logminer(
    conn: sa.Connection,
    schema: str,
    *,
    dbid: int = 3_141_592_653,
    db_name: str = "JDEPROD",
    start_scn: int = 1_000_000,
    archivelog: bool = True,
    minimal_logging: bool = True,
) -> None:
    """(Re)create ``schema`` as a database in ARCHIVELOG mode with one thread, three online log
    groups (sequence 1 current from ``start_scn``) and a LogMiner user holding what it needs."""
    create_dictionary(conn, schema)
    name = quote(schema, "schema")
    # executed whole through the driver without parameters: its function bodies hold '%' (RAISE)
    conn.connection.driver_connection.execute(
        fill_tokens(read_sql("oracle", "emulated_logminer.sql"), {"schema": name})
    )
    conn.exec_driver_sql(fill_tokens(_TRUTH, {"schema": name}))
    conn.execute(
        sa.text(
            f'INSERT INTO {name}."v$database" (dbid, name, db_unique_name, created, log_mode, open_mode, '
            'database_role, cdb, current_scn, "RESETLOGS_CHANGE#", resetlogs_time, supplemental_log_data_min) '
            "VALUES (:dbid, :name, :name, :t, :mode, 'READ WRITE', 'PRIMARY', 'NO', :scn, 1, :t, :min)"
        ),
        {
            "dbid": dbid,
            "name": db_name,
            "t": _EPOCH,
            "scn": start_scn,
            "mode": "ARCHIVELOG" if archivelog else "NOARCHIVELOG",
            "min": "YES" if minimal_logging else "NO",
        },
    )
    for group in (1, 2, 3):
        current = group == 1
        conn.execute(
            sa.text(
                f'INSERT INTO {name}."v$log" ("GROUP#", "THREAD#", "SEQUENCE#", bytes, members, archived, status, '
                '"FIRST_CHANGE#", first_time) VALUES (:g, 1, :seq, 536870912, 1, :arch, :status, :first, :t)'
            ),
            {
                "g": group,
                "seq": 1 if current else 0,
                "arch": "NO" if current else "YES",
                "status": "CURRENT" if current else "UNUSED",
                "first": start_scn if current else 0,
                "t": _EPOCH,
            },
        )
        conn.execute(
            sa.text(
                f'INSERT INTO {name}."v$logfile" ("GROUP#", status, type, member) VALUES (:g, NULL, \'ONLINE\', :m)'
            ),
            {"g": group, "m": f"/u02/oradata/{db_name}/redo0{group}.log"},
        )
    conn.execute(
        sa.text(
            f'INSERT INTO {name}."v$thread" ("THREAD#", status, enabled, instance, "SEQUENCE#", "LAST_REDO_CHANGE#") '
            "VALUES (1, 'OPEN', 'PUBLIC', :i, 1, :scn)"
        ),
        {"i": db_name.lower(), "scn": start_scn},
    )
    grant_miner(conn, schema)


def grant_miner(conn: sa.Connection, schema: str, leave_out: Iterable[str] = ()) -> None:
    """The LogMiner user's session privileges and roles, but those in ``leave_out``."""
    name = quote(schema, "schema")
    conn.exec_driver_sql(f"DELETE FROM {name}.session_privs")
    conn.exec_driver_sql(f"DELETE FROM {name}.session_roles")
    left_out = set(leave_out)
    for privilege in MINER_PRIVILEGES:
        if privilege not in left_out:
            conn.execute(sa.text(f"INSERT INTO {name}.session_privs VALUES (:p)"), {"p": privilege})
    for role in MINER_ROLES:
        if role not in left_out:
            conn.execute(sa.text(f"INSERT INTO {name}.session_roles VALUES (:r)"), {"r": role})


def sql_literal(value: Value) -> str:
    """A value as LogMiner writes it in SQL_REDO: numbers quoted like text, dates in the miner's
    NLS format, raw as HEXTORAW, NULL bare."""
    if value is None:
        return "NULL"
    if isinstance(value, bytes):
        return f"HEXTORAW('{value.hex()}')"
    if isinstance(value, dt.datetime):
        return f"TO_DATE('{value:%Y-%m-%d %H:%M:%S}', 'YYYY-MM-DD HH24:MI:SS')"
    if isinstance(value, dt.date):
        return f"TO_DATE('{value:%Y-%m-%d} 00:00:00', 'YYYY-MM-DD HH24:MI:SS')"
    text = str(value)
    return "'" + text.replace("'", "''") + "'"


def text_value(value: Value) -> str | None:
    """The value as the parser gives it back (the literal's text)."""
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M:%S}"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d} 00:00:00"
    return str(value)


@dataclass
class RecordedTransaction:
    """One open transaction of the recorder; its records go to the redo as they happen."""

    recorder: RedoRecorder
    xid: bytes
    username: str
    os_username: str
    machine: str
    changes: list[dict[str, Any]] = field(default_factory=list)
    started: bool = False

    def insert(self, owner: str, table: str, row: Mapping[str, Value]) -> None:
        self.recorder.insert(self, owner, table, row)

    def update(self, owner: str, table: str, key: Mapping[str, Value], changes: Mapping[str, Value]) -> None:
        self.recorder.update(self, owner, table, key, changes)

    def delete(self, owner: str, table: str, key: Mapping[str, Value]) -> None:
        self.recorder.delete(self, owner, table, key)

    def unsupported(self, owner: str, table: str) -> None:
        self.recorder.unsupported(self, owner, table)

    def savepoint(self) -> int:
        return len(self.changes)

    def rollback_to(self, savepoint: int) -> None:
        self.recorder.rollback_to(self, savepoint)

    def commit(self) -> int:
        return self.recorder.commit(self)

    def rollback(self) -> None:
        self.recorder.rollback_to(self, 0, marker=True)


class RedoRecorder:
    """Writes redo into the emulated LogMiner of ``schema`` (see the module docstring).

    :param connection: an open connection; the caller commits (each call leaves the schema
        consistent, as a database would after each record).
    """

    def __init__(self, connection: sa.Connection, schema: str, clock: dt.datetime = _EPOCH) -> None:
        self.conn = connection
        self.schema = quote(schema, "schema")
        #: the database's clock: one second per record
        self.clock = clock

    # -- tables ------------------------------------------------------------------------------------

    def table(self, owner: str, table: str, key: Iterable[str], all_columns_logging: bool = True) -> None:
        """Declare an emulated JDE table (its key columns) and its supplemental log group."""
        self._exec("INSERT INTO {s}.emulated_tables VALUES (:o, :t, :k)", o=owner, t=table, k=",".join(key))
        if all_columns_logging:
            self._exec(
                "INSERT INTO {s}.dba_log_groups VALUES (:o, :g, :t, 'ALL COLUMN LOGGING', 'ALWAYS', 'GENERATED NAME')",
                o=owner,
                g=f"SYS_C00{abs(hash((owner, table))) % 10_000}",
                t=table,
            )

    # -- transactions ------------------------------------------------------------------------------

    def transaction(
        self, username: str = "JDE", os_username: str = "jdeadmin", machine: str = "e1ent01"
    ) -> RecordedTransaction:
        sequence = self._next_id()
        xid = (sequence % 10).to_bytes(2, "big") + (sequence % 37).to_bytes(2, "big") + sequence.to_bytes(4, "big")
        return RecordedTransaction(self, xid, username, os_username, machine)

    def insert(self, tx: RecordedTransaction, owner: str, table: str, row: Mapping[str, Value]) -> None:
        key = self._key(owner, table, row)
        row_id = self._row_id()
        image = {c: [sql_literal(v), text_value(v)] for c, v in row.items()}
        self._exec(
            "INSERT INTO {s}.jde_rows VALUES (:o, :t, :k, :r, CAST(:i AS jsonb))",
            o=owner,
            t=table,
            k=key,
            r=row_id,
            i=json.dumps(image),
        )
        columns = ",".join(_ident(c) for c in image)
        values = ",".join(v[0] for v in image.values())
        redo = f"insert into {_ident(owner)}.{_ident(table)}({columns}) values ({values});"
        undo = f"delete from {_ident(owner)}.{_ident(table)} where {_where(image)};"
        after = {c: v[1] for c, v in image.items()}
        self._dml(tx, 1, "INSERT", owner, table, row_id, redo, undo, None, after, (key, None))

    def update(
        self, tx: RecordedTransaction, owner: str, table: str, key: Mapping[str, Value], changes: Mapping[str, Value]
    ) -> None:
        row_key, row_id, image = self._row(owner, table, key)
        logged = image if self._all_columns(owner, table) else {c: image[c] for c in self._key_columns(owner, table)}
        new = {c: [sql_literal(v), text_value(v)] for c, v in changes.items()}
        old_of_changed = {c: image.get(c, ["NULL", None]) for c in new}
        where_redo = {**logged, **old_of_changed}
        after_image = {**image, **new}
        where_undo = {**{c: after_image[c] for c in logged}, **new}
        name = f"{_ident(owner)}.{_ident(table)}"
        redo = f"update {name} set {_set(new)} where {_where(where_redo)};"
        undo = f"update {name} set {_set(old_of_changed)} where {_where(where_undo)};"
        self._exec(
            "UPDATE {s}.jde_rows SET image = CAST(:i AS jsonb) WHERE owner = :o AND table_name = :t AND row_key = :k",
            o=owner,
            t=table,
            k=row_key,
            i=json.dumps(after_image),
        )
        before = {c: v[1] for c, v in old_of_changed.items()}
        after = {c: v[1] for c, v in new.items()}
        self._dml(tx, 3, "UPDATE", owner, table, row_id, redo, undo, before, after, (row_key, image))

    def delete(self, tx: RecordedTransaction, owner: str, table: str, key: Mapping[str, Value]) -> None:
        row_key, row_id, image = self._row(owner, table, key)
        logged = image if self._all_columns(owner, table) else {c: image[c] for c in self._key_columns(owner, table)}
        name = f"{_ident(owner)}.{_ident(table)}"
        redo = f"delete from {name} where {_where(logged)};"
        columns = ",".join(_ident(c) for c in image)
        undo = f"insert into {name}({columns}) values ({','.join(v[0] for v in image.values())});"
        self._exec(
            "DELETE FROM {s}.jde_rows WHERE owner = :o AND table_name = :t AND row_key = :k",
            o=owner,
            t=table,
            k=row_key,
        )
        before = {c: v[1] for c, v in image.items()}
        self._dml(tx, 2, "DELETE", owner, table, row_id, redo, undo, before, None, (row_key, image))

    def unsupported(self, tx: RecordedTransaction, owner: str, table: str) -> None:
        """A change LogMiner cannot rebuild (a data type it does not support)."""
        self._dml(tx, 255, "UNSUPPORTED", owner, table, self._row_id(), "Unsupported", "Unsupported", None, None, None)

    def rollback_to(self, tx: RecordedTransaction, savepoint: int, marker: bool = False) -> None:
        """Undo the changes after ``savepoint`` (ROLLBACK = 1 rows, newest first); with ``marker``
        the whole transaction ends (the ROLLBACK record)."""
        for change in reversed(tx.changes[savepoint:]):
            self._record(
                tx,
                change["code"],
                change["operation"],
                change["owner"],
                change["table"],
                change["row_id"],
                change["undo"],
                change["redo"],
                rollback=1,
            )
            self._restore(change)
        del tx.changes[savepoint:]
        if marker:
            self._record(tx, 36, "ROLLBACK", None, None, None, "rollback;", None)

    def commit(self, tx: RecordedTransaction) -> int:
        """The COMMIT record; the transaction's changes join the ground truth. Its SCN."""
        scn = self._record(tx, 7, "COMMIT", None, None, None, "commit;", None)
        for change in tx.changes:
            if change["code"] == 255:
                continue
            self._exec(
                "INSERT INTO {s}.logmnr_truth VALUES (:x, :c, :scn, :op, :o, :t, :u, "
                "CAST(:b AS jsonb), CAST(:a AS jsonb))",
                x=tx.xid.hex().upper(),
                c=scn,
                scn=change["scn"],
                op=change["operation"],
                o=change["owner"],
                t=change["table"],
                u=tx.username,
                b=json.dumps(change["before"]),
                a=json.dumps(change["after"]),
            )
        return scn

    def ddl(self, sql: str, owner: str | None = None, table: str | None = None, username: str = "SYSTEM") -> int:
        """A DDL statement (GRANT, ALTER USER, ALTER TABLE ...): its own committed transaction."""
        tx = self.transaction(username, "oracle", "dbhost01")
        scn = self._record(tx, 5, "DDL", owner, table, None, sql, None)
        self._exec(
            "INSERT INTO {s}.logmnr_truth VALUES (:x, :c, :c, 'DDL', :o, :t, :u, NULL, NULL)",
            x=tx.xid.hex().upper(),
            c=scn,
            o=owner,
            t=table,
            u=username,
        )
        self._record(tx, 7, "COMMIT", None, None, None, "commit;", None)
        return scn

    # -- logs --------------------------------------------------------------------------------------

    def switch_log(self) -> int:
        """Archive the current online log and open the next sequence; the archived sequence."""
        scn = self.current_scn() + 1
        self._set_scn(scn)
        sequence, first = self.conn.execute(
            sa.text(f'SELECT "SEQUENCE#", "FIRST_CHANGE#" FROM {self.schema}."v$log" WHERE status = \'CURRENT\'')
        ).one()
        resetlogs = self.conn.execute(sa.text(f'SELECT "RESETLOGS_CHANGE#" FROM {self.schema}."v$database"')).scalar()
        self._exec(
            'INSERT INTO {s}."v$archived_log" (recid, name, dest_id, "THREAD#", "SEQUENCE#", "RESETLOGS_CHANGE#", '
            '"FIRST_CHANGE#", first_time, "NEXT_CHANGE#", next_time, archived, applied, deleted, status) '
            "VALUES (:seq, :name, 1, 1, :seq, :r, :first, :t, :next, :t, 'YES', 'NO', 'NO', 'A')",
            seq=sequence,
            name=f"/u03/arch/1_{sequence}_{resetlogs}.arc",
            r=resetlogs,
            first=first,
            next=scn,
            t=_EPOCH,
        )
        self._exec(
            "UPDATE {s}.\"v$log\" SET status = 'INACTIVE', archived = 'YES', \"NEXT_CHANGE#\" = :scn "
            "WHERE status = 'CURRENT'",
            scn=scn,
        )
        self._exec(
            "UPDATE {s}.\"v$log\" SET status = 'CURRENT', archived = 'NO', \"SEQUENCE#\" = :seq, "
            '"FIRST_CHANGE#" = :scn, '
            '"NEXT_CHANGE#" = NULL WHERE "GROUP#" = (SELECT "GROUP#" FROM {s}."v$log" WHERE status <> \'CURRENT\' '
            'ORDER BY "SEQUENCE#" LIMIT 1)',
            seq=sequence + 1,
            scn=scn,
        )
        self._exec('UPDATE {s}."v$thread" SET "SEQUENCE#" = :seq', seq=sequence + 1)
        return int(sequence)

    def delete_archive(self, sequence: int) -> None:
        """RMAN deleted the archive of ``sequence`` (status D)."""
        self._exec(
            "UPDATE {s}.\"v$archived_log\" SET deleted = 'YES', status = 'D', name = NULL WHERE \"SEQUENCE#\" = :seq",
            seq=sequence,
        )

    def current_scn(self) -> int:
        return int(self.conn.execute(sa.text(f'SELECT current_scn FROM {self.schema}."v$database"')).scalar())

    # -- records -----------------------------------------------------------------------------------

    def _dml(self, tx, code, operation, owner, table, row_id, redo, undo, before, after, restore) -> None:
        scn = self._record(tx, code, operation, owner, table, row_id, redo, undo)
        tx.changes.append(
            {
                "code": code,
                "operation": operation,
                "owner": owner,
                "table": table,
                "row_id": row_id,
                "redo": redo,
                "undo": undo,
                "before": before,
                "after": after,
                "scn": scn,
                "restore": restore,
            }
        )

    def _record(self, tx, code, operation, owner, table, row_id, redo, undo, rollback: int = 0) -> int:
        """One redo record (several rows when the statement is longer than a row); its SCN."""
        if not tx.started and code != 5:
            tx.started = True
            self._record(tx, 6, "START", None, None, None, "set transaction read write;", None)
        scn = self.current_scn() + 1
        self._set_scn(scn)
        sequence = int(
            self.conn.execute(
                sa.text(f'SELECT "SEQUENCE#" FROM {self.schema}."v$log" WHERE status = \'CURRENT\'')
            ).scalar()
        )
        rs_id = f" 0x{sequence:06x}.{self._next_id():08x}.0010 "
        self.clock += dt.timedelta(seconds=1)
        redo_parts = _split(redo)
        undo_parts = _split(undo)
        parts = max(len(redo_parts), len(undo_parts))
        for i in range(parts):
            self._exec(
                'INSERT INTO {s}.logmnr_redo (scn, start_scn, "TIMESTAMP", xidusn, xidslt, xidsqn, xid, "THREAD#", '
                '"SEQUENCE#", rs_id, ssn, csf, operation, operation_code, "ROLLBACK", seg_owner, seg_name, table_name, '
                "seg_type_name, row_id, username, os_username, machine_name, sql_redo, sql_undo, status) VALUES "
                "(:scn, NULL, :ts, :usn, :slt, :sqn, :xid, 1, :seq, :rs, 0, :csf, :op, :code, :rb, :o, :t, :t, "
                ":segt, :rid, "
                ":u, :osu, :m, :redo, :undo, 0)",
                scn=scn,
                ts=self.clock,
                usn=int.from_bytes(tx.xid[:2], "big"),
                slt=int.from_bytes(tx.xid[2:4], "big"),
                sqn=int.from_bytes(tx.xid[4:], "big"),
                xid=tx.xid,
                seq=sequence,
                rs=rs_id,
                csf=1 if i < parts - 1 else 0,
                op=operation,
                code=code,
                rb=rollback,
                o=owner,
                t=table,
                segt="TABLE" if table else None,
                rid=row_id,
                u=tx.username,
                osu=tx.os_username,
                m=tx.machine,
                redo=redo_parts[i] if i < len(redo_parts) else None,
                undo=undo_parts[i] if i < len(undo_parts) else None,
            )
        return scn

    def _set_scn(self, scn: int) -> None:
        self._exec('UPDATE {s}."v$database" SET current_scn = :scn', scn=scn)
        self._exec('UPDATE {s}."v$thread" SET "LAST_REDO_CHANGE#" = :scn', scn=scn)

    def _restore(self, change: Mapping[str, Any]) -> None:
        if change["restore"] is None:
            return
        row_key, image = change["restore"]
        owner, table = change["owner"], change["table"]
        if image is None:  # undo an insert
            self._exec(
                "DELETE FROM {s}.jde_rows WHERE owner = :o AND table_name = :t AND row_key = :k",
                o=owner,
                t=table,
                k=row_key,
            )
            return
        self._exec(
            "INSERT INTO {s}.jde_rows VALUES (:o, :t, :k, :r, CAST(:i AS jsonb)) "
            "ON CONFLICT (owner, table_name, row_key) "
            "DO UPDATE SET image = EXCLUDED.image",
            o=owner,
            t=table,
            k=row_key,
            r=change["row_id"],
            i=json.dumps(image),
        )

    def _key_columns(self, owner: str, table: str) -> list[str]:
        columns = self.conn.execute(
            sa.text(f"SELECT key_columns FROM {self.schema}.emulated_tables WHERE owner = :o AND table_name = :t"),
            {"o": owner, "t": table},
        ).scalar()
        if columns is None:
            raise KeyError(f"{owner}.{table} is not an emulated table: declare it with RedoRecorder.table()")
        return str(columns).split(",")

    def _all_columns(self, owner: str, table: str) -> bool:
        return bool(
            self.conn.execute(
                sa.text(
                    f"SELECT 1 FROM {self.schema}.dba_log_groups WHERE owner = :o AND table_name = :t "
                    "AND log_group_type = 'ALL COLUMN LOGGING'"
                ),
                {"o": owner, "t": table},
            ).first()
        )

    def _key(self, owner: str, table: str, row: Mapping[str, Value]) -> str:
        return "|".join(str(text_value(row[c])) for c in self._key_columns(owner, table))

    def _row(self, owner: str, table: str, key: Mapping[str, Value]) -> tuple[str, str, dict[str, list]]:
        row_key = self._key(owner, table, key)
        found = self.conn.execute(
            sa.text(
                f"SELECT row_id, image FROM {self.schema}.jde_rows "
                "WHERE owner = :o AND table_name = :t AND row_key = :k"
            ),
            {"o": owner, "t": table, "k": row_key},
        ).first()
        if found is None:
            raise KeyError(f"no row {row_key!r} in emulated {owner}.{table}")
        return row_key, found[0], dict(found[1])

    def _row_id(self) -> str:
        return f"AAAS{self._next_id():014d}"

    def _next_id(self) -> int:
        return int(self.conn.execute(sa.text(f"SELECT nextval('{self.schema}.logmnr_ids')")).scalar())

    def _exec(self, sql: str, **params: Any) -> None:
        self.conn.execute(sa.text(sql.replace("{s}", self.schema)), params)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _set(values: Mapping[str, list]) -> str:
    return ", ".join(f"{_ident(c)} = {v[0]}" for c, v in values.items())


def _where(values: Mapping[str, list]) -> str:
    return " and ".join(f"{_ident(c)} IS NULL" if v[1] is None else f"{_ident(c)} = {v[0]}" for c, v in values.items())


def _split(text: str | None) -> list[str | None]:
    if text is None:
        return [None]
    return [text[i : i + REDO_ROW_WIDTH] for i in range(0, len(text), REDO_ROW_WIDTH)] or [""]
