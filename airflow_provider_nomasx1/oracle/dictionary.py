"""The Oracle dictionary queries of nomasx1-database-1, the grant each one needs, and reading them.

Each query reads ONE dictionary view, so a missing privilege names exactly the view and the
GRANT to ask the DBA for (docs/database.md, "Grants"). Joins and rules run afterwards on the
nomasx1 side, in SQL. A query that needs a column newer releases have (``V$INSTANCE.VERSION_FULL``
from 18c, ``DBA_USERS.ORACLE_MAINTAINED`` and ``V$DATABASE.CDB`` from 12c) carries the spelling
for older releases, tried when the column is unknown.

The SQL is the same for Oracle and for the dictionary emulated in PostgreSQL
(:mod:`airflow_provider_nomasx1.oracle.emulation`); the differences are the adapter's
(:mod:`airflow_provider_nomasx1.oracle.dialect`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from airflow_provider_nomasx1.errors import ConfigurationError, SourceUnavailableError
from airflow_provider_nomasx1.oracle.dialect import Dialect

#: compression of a table or partition that needs Advanced Compression (BASIC is free; QUERY /
#: ARCHIVE are Hybrid Columnar Compression, a storage feature)
ADVANCED_COMPRESSION = ("ADVANCED", "OLTP", "FOR ALL OPERATIONS")
#: Oracle-maintained schemas of releases without DBA_USERS.ORACLE_MAINTAINED (11g)
ORACLE_SCHEMAS_11G = (
    "ANONYMOUS", "APEX_PUBLIC_USER", "APPQOSSYS", "AUDSYS", "CTXSYS", "DBSNMP", "DIP", "DMSYS", "EXFSYS",
    "FLOWS_FILES", "LBACSYS", "MDDATA", "MDSYS", "MGMT_VIEW", "OLAPSYS", "ORACLE_OCM", "ORDDATA", "ORDPLUGINS",
    "ORDSYS", "OUTLN", "OWBSYS", "SI_INFORMTN_SCHEMA", "SPATIAL_CSW_ADMIN_USR", "SPATIAL_WFS_ADMIN_USR", "SYS",
    "SYSMAN", "SYSTEM", "TSMSYS", "WMSYS", "XDB", "XS$NULL",
)  # fmt: skip


@dataclass(frozen=True)
class Query:
    """One dictionary query: the view it reads, its SQL, and the SQL for older releases."""

    view: str
    sql: str
    #: the same query without the columns older releases lack (None: none needed)
    older: str | None = None
    #: False: a view that may not exist (an option not installed); unreadable reads as no rows
    required: bool = True


_FEATURE_COLUMNS = (
    "dbid, name, version, detected_usages, total_samples, currently_used, first_usage_date, last_usage_date, "
    "last_sample_date, aux_count, feature_info"
)
_ADVANCED = ", ".join(f"'{c}'" for c in ADVANCED_COMPRESSION)

DATABASE = Query(
    "V$DATABASE",
    "SELECT dbid, name, db_unique_name, database_role, open_mode, log_mode, cdb FROM v$database",
    older="SELECT dbid, name, db_unique_name, database_role, open_mode, log_mode, 'NO' AS cdb FROM v$database",
)
VERSION = Query("V$VERSION", "SELECT banner FROM v$version")
INSTANCE = Query(
    "V$INSTANCE",
    "SELECT instance_name, host_name, version, version_full FROM v$instance",
    older="SELECT instance_name, host_name, version, version AS version_full FROM v$instance",
)
INSTANCES = Query("GV$INSTANCE", "SELECT inst_id, instance_name, host_name FROM gv$instance")
PARAMETERS = Query(
    "V$PARAMETER",
    "SELECT name, value FROM v$parameter WHERE name IN "
    "('cpu_count', 'control_management_pack_access', 'enable_ddl_logging', 'cluster_database')",
)
OSSTAT = Query(
    "V$OSSTAT",
    "SELECT stat_name, value FROM v$osstat WHERE stat_name IN ('NUM_CPUS', 'NUM_CPU_CORES', 'NUM_CPU_SOCKETS')",
)
USERS = Query(
    "DBA_USERS",
    "SELECT username, account_status, oracle_maintained FROM dba_users",
    older="SELECT username, account_status, NULL AS oracle_maintained FROM dba_users",
)
ARCHIVE_DESTS = Query("V$ARCHIVE_DEST", "SELECT dest_id, status, target, db_unique_name FROM v$archive_dest")
ARCHIVE_DEST_STATUS = Query(
    "V$ARCHIVE_DEST_STATUS",
    "SELECT dest_id, status, type, database_mode, recovery_mode FROM v$archive_dest_status",
)
PDBS = Query("CDB_PDBS", "SELECT pdb_id, pdb_name, status FROM cdb_pdbs")
SEGMENT_BYTES = Query("DBA_SEGMENTS", "SELECT SUM(bytes) FROM dba_segments")
OPTIONS = Query("GV$OPTION", "SELECT inst_id, parameter, value FROM gv$option")
FEATURES = Query(
    "DBA_FEATURE_USAGE_STATISTICS",
    f"SELECT 0 AS con_id, {_FEATURE_COLUMNS} FROM dba_feature_usage_statistics",
)
CDB_FEATURES = Query(
    "CDB_FEATURE_USAGE_STATISTICS", f"SELECT con_id, {_FEATURE_COLUMNS} FROM cdb_feature_usage_statistics"
)
PARTITIONED = Query(
    "DBA_OBJECTS",
    "SELECT owner, object_type, object_name, COUNT(*), MIN(created), MAX(last_ddl_time) FROM dba_objects "
    "WHERE object_type LIKE '%PARTITION%' GROUP BY owner, object_type, object_name",
)
ANALYTIC_WORKSPACES = Query("DBA_AWS", "SELECT owner, aw_name FROM dba_aws", required=False)
COMPRESSED_TABLES = Query(
    "DBA_TABLES",
    f"SELECT owner, 'TABLE', table_name, compress_for, COUNT(*) FROM dba_tables WHERE compress_for IN ({_ADVANCED}) "
    "GROUP BY owner, table_name, compress_for",
)
COMPRESSED_PARTITIONS = Query(
    "DBA_TAB_PARTITIONS",
    f"SELECT table_owner, 'TABLE PARTITION', table_name, compress_for, COUNT(*) FROM dba_tab_partitions "
    f"WHERE compress_for IN ({_ADVANCED}) GROUP BY table_owner, table_name, compress_for",
)

#: every query, in the order the steps read them (docs/database.md lists their grants)
QUERIES = (
    DATABASE, VERSION, INSTANCE, INSTANCES, PARAMETERS, OSSTAT, USERS, ARCHIVE_DESTS, ARCHIVE_DEST_STATUS, PDBS,
    SEGMENT_BYTES, OPTIONS, FEATURES, CDB_FEATURES, PARTITIONED, ANALYTIC_WORKSPACES, COMPRESSED_TABLES,
    COMPRESSED_PARTITIONS,
)  # fmt: skip


def grant_object(view: str) -> str:
    """The SYS object a GRANT names for ``view``: V$ / GV$ views are public synonyms of
    ``SYS.V_$...`` / ``SYS.GV_$...``; DBA_ and CDB_ views are granted as they are named."""
    name = view.upper()
    for prefix, target in (("GV$", "GV_$"), ("V$", "V_$")):
        if name.startswith(prefix):
            return f"SYS.{target}{name[len(prefix) :]}"
    return f"SYS.{name}"


def grants_script(user: str) -> str:
    """The GRANT statements giving ``user`` every view the job reads (least privilege)."""
    views = sorted({q.view for q in QUERIES})
    return "\n".join(f"GRANT SELECT ON {grant_object(v)} TO {user};" for v in views)


class MissingPrivilegeError(ConfigurationError):
    """The database user may not read a dictionary view: retrying cannot help until the DBA grants it."""


@dataclass(frozen=True)
class Dictionary:
    """Runs the dictionary queries on one database; every failure names the connection."""

    engine: sa.Engine
    dialect: Dialect
    conn_id: str
    user: str

    def rows(self, query: Query) -> list[tuple[Any, ...]]:
        """Every row of ``query`` (the views read whole are small: a few hundred rows)."""
        return list(self.stream(query))

    def stream(self, query: Query) -> Iterator[tuple[Any, ...]]:
        """The rows of ``query`` one by one, values through the dialect adapter."""
        try:
            yield from self._run(query, query.sql)
        except sa.exc.DBAPIError as exc:
            if query.older is not None and self.dialect.unknown_column(exc):
                yield from self._guarded(query, query.older)
                return
            yield from self._failed(query, exc)

    def _guarded(self, query: Query, sql: str) -> Iterator[tuple[Any, ...]]:
        try:
            yield from self._run(query, sql)
        except sa.exc.DBAPIError as exc:
            yield from self._failed(query, exc)

    def _run(self, query: Query, sql: str) -> Iterator[tuple[Any, ...]]:
        with self.engine.connect() as conn:
            # as text(): the driver's parameter style (psycopg's %, oracledb's :name) is SQLAlchemy's
            # business, so LIKE '%PARTITION%' reaches both databases as written
            result = conn.execution_options(stream_results=True).execute(sa.text(sql))
            for row in result:
                yield self.dialect.row(row)

    def _failed(self, query: Query, exc: sa.exc.DBAPIError) -> Iterator[tuple[Any, ...]]:
        if not self.dialect.cannot_read(exc):
            raise exc
        if not query.required:
            return
        grant = f"GRANT SELECT ON {grant_object(query.view)} TO {self.user.upper()};"
        raise MissingPrivilegeError(
            f"connection {self.conn_id!r}: user {self.user!r} cannot read {query.view} ({_first_line(exc)}). "
            f"Ask the DBA for `{grant}` (or SELECT_CATALOG_ROLE for every view the job reads; the full list is in "
            'docs/database.md, "Grants"). Nothing was changed.'
        ) from None

    def one(self, query: Query) -> tuple[Any, ...]:
        """The single row ``query`` must return (V$DATABASE, V$INSTANCE)."""
        rows = self.rows(query)
        if not rows:
            raise SourceUnavailableError(
                f"connection {self.conn_id!r}: {query.view} returned no row: is this an Oracle database (or its "
                "emulated dictionary)? Nothing was changed."
            )
        return rows[0]


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", exc)).strip()
    return (text.splitlines() or [type(exc).__name__])[0]
