"""DB_ORA_PROPERTIES: the database's identity, edition, version, cluster, standby, PDBs and size.

One row per application and as-of date. Every value comes from the standard views (oracle/
dictionary.py); what they mean (an edition in a banner, an Active Data Guard standby) is
oracle/properties.py. An edition the banner does not name is kept as ``Unknown`` and reported.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from airflow_provider_nomasx1.collectors.database.settings import database_session, replace_rows
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.oracle import dictionary as q
from airflow_provider_nomasx1.oracle import properties as p
from airflow_provider_nomasx1.oracle.dictionary import Dictionary

COLUMNS = (
    "dbid", "db_name", "db_unique_name", "database_role", "open_mode", "log_mode", "cdb", "product", "edition",
    "full_version", "major_version", "host_name", "instance_count", "cpu_count", "cpu_cores", "cpu_sockets",
    "total_users", "open_users", "oracle_maintained_users", "data_guard", "active_data_guard", "user_pdbs",
    "management_pack_access", "cloud_package", "size_gb",
)  # fmt: skip
_GB = Decimal(1024**3)


def db_ora_properties(ctx: StepContext) -> dict[str, int]:
    """db_ora_properties: the run's row for the application's database."""
    hook = ctx.hook_for("oracle")
    properties = read_properties(hook.dictionary)
    with database_session(ctx) as s:
        rows = replace_rows(s, "db_ora_properties", COLUMNS, [tuple(properties[c] for c in COLUMNS)])
        if properties["edition"] == p.UNKNOWN_EDITION:
            s.note(f"the V$VERSION banner names no edition: {properties['product']!r} (edition kept as Unknown)")
        shown = ("db_name", "edition", "full_version", "instance_count", "database_role")
        ctx.result.details["database"] = {k: _plain(properties[k]) for k in shown}
        ctx.log.info(
            "db_ora_properties: %s (DBID %s) %s %s, %s instance(s), role %s, %s users",
            properties["db_name"], properties["dbid"], properties["edition"], properties["full_version"],
            properties["instance_count"], properties["database_role"], properties["total_users"],
        )  # fmt: skip
    return {"db_ora_properties": rows}


def read_properties(d: Dictionary) -> dict[str, Any]:
    """The properties row, read view by view (each failure names its view and grant)."""
    dbid, name, unique_name, role, open_mode, log_mode, cdb = d.one(q.DATABASE)
    banner = p.database_banner(str(row[0]) for row in d.rows(q.VERSION))
    _instance, host, version, version_full = d.one(q.INSTANCE)
    parameters = {str(k).lower(): v for k, v in d.rows(q.PARAMETERS)}
    osstat = {str(k).upper(): v for k, v in d.rows(q.OSSTAT)}
    users = d.rows(q.USERS)
    is_cdb = str(cdb or "NO").upper() == "YES"
    size = d.one(q.SEGMENT_BYTES)[0]
    return {
        "dbid": int(dbid), "db_name": name, "db_unique_name": unique_name, "database_role": role,
        "open_mode": open_mode, "log_mode": log_mode, "cdb": is_cdb, "product": banner,
        "edition": p.edition_of(banner), "full_version": version_full or version,
        "major_version": p.major_version(str(version)), "host_name": host,
        "instance_count": len(d.rows(q.INSTANCES)), "cpu_count": _int(parameters.get("cpu_count")),
        "cpu_cores": _int(osstat.get("NUM_CPU_CORES")), "cpu_sockets": _int(osstat.get("NUM_CPU_SOCKETS")),
        "total_users": len(users), "open_users": sum(1 for u in users if str(u[1]).upper() == "OPEN"),
        "oracle_maintained_users": len(oracle_maintained(users)),
        "data_guard": p.data_guard(role, d.rows(q.ARCHIVE_DESTS)),
        "active_data_guard": p.active_data_guard(role, open_mode, d.rows(q.ARCHIVE_DEST_STATUS)),
        "user_pdbs": p.user_pdbs(d.rows(q.PDBS)) if is_cdb else None,
        "management_pack_access": parameters.get("control_management_pack_access"),
        "cloud_package": p.is_cloud_package(banner),
        "size_gb": round(Decimal(size) / _GB, 2) if size is not None else None,
    }  # fmt: skip


def oracle_maintained(users: list[tuple[Any, ...]]) -> set[str]:
    """Oracle's own schemas: DBA_USERS.ORACLE_MAINTAINED (12c+), else the 11g list."""
    return {
        str(name)
        for name, _status, maintained in users
        if maintained == "Y" or (maintained is None and str(name).upper() in q.ORACLE_SCHEMAS_11G)
    }


def _int(value: Any) -> int | None:
    return None if value in (None, "") else int(Decimal(str(value)))


def _plain(value: Any) -> Any:
    return value if isinstance(value, (str, int, bool)) or value is None else str(value)
