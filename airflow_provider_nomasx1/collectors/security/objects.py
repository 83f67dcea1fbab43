"""JDE objects and security records: steps JDE_OBJECTS, JDE_OBJECTS_VERSIONS, JDE_SEC_OBJECTS.

Each step reads one JDE table into a TEMP table (:meth:`SecuritySession.extract`) and replaces the
application's rows of its target table in one transaction (``sql/security/<table>.sql``):

- ``jde_objects`` (F9860): trimmed; ``system_code`` is the code of ``settings_jde_rclst`` when the
  object is listed there (``reclassified`` = true, whether or not the code differs), else SISY;
  ``source_system_code`` keeps SISY as found;
- ``jde_objects_versions`` (F983051): system code and object type from ``jde_objects`` of the same
  application (run JDE_OBJECTS first); a version of an unknown program keeps nulls;
- ``jde_sec_objects`` (F00950): every record of every security type, typed by the application's
  FSSETY code map (unknown code -> ``unknown:<code>``, logged as a warning). F00950 has no id:
  ``record_no`` is the record's rank in the order of its trimmed key columns (principal, object,
  form, version, type) then of its other columns, in byte order, so the same source always gives
  the same numbers.

An empty F9860 or F00950 fails (:class:`SourceUnavailableError`): a JDE system always has objects
and security records, so an empty one means the wrong schema or environment, and replacing the
rows by nothing would hide it. A missing table or column fails with its physical name (the
reader checks them before reading). Either way nothing is changed.
"""

from __future__ import annotations

import json

from airflow_provider_nomasx1.collectors.extract import SourceTable
from airflow_provider_nomasx1.collectors.security.base import SecuritySession, security_session
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.errors import SourceUnavailableError
from airflow_provider_nomasx1.jde.catalogue import F00950, F9860, F983051


def require_source_rows(s: SecuritySession, table: SourceTable, rows: int, target: str) -> None:
    """Fail when a JDE table that is never empty in a real system returned no rows."""
    if rows:
        return
    raise SourceUnavailableError(
        f"JDE table {s.source_table(table)} ({table.name}) returned no rows through connection "
        f"{s.reader.conn_id!r}: the source looks empty (wrong schema map, wrong environment, or a "
        f"refresh in progress). {target} of application {s.apps_id} was not changed; check the "
        "connection's schema map and the table, then re-run."
    )


def warn_duplicates(s: SecuritySession, temp: str, key: str, what: str) -> int:
    """Log (and return) how many rows of ``temp`` repeat a key (``key``: SQL of trimmed columns)."""
    duplicates = s.scalar(f"SELECT count(*) - count(DISTINCT ({key})) FROM {temp}") or 0
    if duplicates:
        s.ctx.log.warning("%s: %s rows repeat a key already read; the first row of each key is kept", what, duplicates)
    return int(duplicates)


def jde_objects(ctx: StepContext) -> dict[str, int]:
    """F9860 -> jde_objects, with the system-code reclassification of settings_jde_rclst."""
    with security_session(ctx) as s:
        rows = s.extract("src_f9860", F9860)
        require_source_rows(s, F9860, rows, "jde_objects")
        warn_duplicates(s, "src_f9860", "btrim(object_name)", "F9860")
        counts = s.run_sql("jde_objects")
        reclassified = s.scalar(
            "SELECT count(*) FROM {{schema}}.jde_objects WHERE apps_id = {{apps_id}} AND reclassified"
        )
        ctx.log.info("jde_objects: %s objects, %s reclassified", counts.get("jde_objects", 0), reclassified)
        return counts


def jde_objects_versions(ctx: StepContext) -> dict[str, int]:
    """F983051 -> jde_objects_versions (system code and type from jde_objects)."""
    with security_session(ctx) as s:
        s.extract("src_f983051", F983051)
        warn_duplicates(s, "src_f983051", "btrim(object_name), btrim(version)", "F983051")
        counts = s.run_sql("jde_objects_versions")
        unknown = s.scalar(
            "SELECT count(*) FROM {{schema}}.jde_objects_versions WHERE apps_id = {{apps_id}} AND object_type IS NULL"
        )
        if unknown:
            ctx.log.warning(
                "jde_objects_versions: %s versions belong to programs missing from jde_objects "
                "(system code and type left null; was JDE_OBJECTS run first?)",
                unknown,
            )
        return counts


def jde_sec_objects(ctx: StepContext) -> dict[str, int]:
    """F00950 -> jde_sec_objects: every record, typed by the application's FSSETY code map."""
    with security_session(ctx) as s:
        rows = s.extract("src_f00950", F00950)
        require_source_rows(s, F00950, rows, "jde_sec_objects")
        codes = {str(k).strip(): str(v) for k, v in s.settings.security_type_codes.items()}
        found = s.conn.exec_driver_sql(
            "SELECT btrim(type_code) AS code, count(*) FROM src_f00950 GROUP BY 1 ORDER BY 1"
        ).all()
        unknown = {code: n for code, n in found if code not in codes}
        if unknown:
            ctx.log.warning(
                "F00950: security type codes (FSSETY) missing from application %s's code map, typed "
                "'unknown:<code>': %s. Add them to settings_applications.security_type_codes.",
                s.apps_id,
                ", ".join(f"{code!r} ({n} records)" for code, n in unknown.items()),
            )
        return s.run_sql("jde_sec_objects", {"type_codes": json.dumps(codes, sort_keys=True)})
