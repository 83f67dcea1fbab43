"""JDE objects and security records: steps JDE_OBJECTS, JDE_OBJECTS_VERSIONS, JDE_SEC_OBJECTS.

Each step reads one JDE table into a TEMP table (:meth:`SecuritySession.extract`) and replaces the
application's rows of its target table in one transaction (``sql/security/<table>.sql``):

- ``jde_objects`` (F9860): trimmed; ``system_code`` is the code of ``settings_jde_rclst`` when the
  object is listed there (``reclassified`` = true, whether or not the code differs), else SISY;
  ``source_system_code`` keeps SISY as found;
- ``jde_objects_versions`` (F983051): system code and object type from ``jde_objects`` of the same
  application (run JDE_OBJECTS first); a version of an unknown program keeps nulls;
- ``jde_sec_objects`` (F00950): every record of every security type, typed by the application's
  FSSETY code map (unknown code -> ``unknown:<code>``, counted and reported), flags read with the
  application's ``security_flag_values`` (allowed -> true, secured -> false, not applicable and
  unknown codes -> null, unknown codes counted and reported). F00950 has no id:
  ``record_no`` is the record's rank in the order of its trimmed key columns (principal, object,
  form, version, type) then of its other columns, in byte order, so the same source always gives
  the same numbers.

An empty F9860 or F00950 fails (:class:`SourceUnavailableError`, raised by
:meth:`SecuritySession.extract` for every ``never_empty`` table): a JDE system always has objects
and security records, so an empty one means the wrong schema or environment, and replacing the
rows by nothing would hide it; so does one that collapsed since the last run, and so do
``jde_objects`` / ``jde_sec_objects`` shrinking by more than the application's
``collapse_max_shrink``. Security records whose flags are all unknown codes, or whose FSSETY codes
are all unmapped, are refused too. A missing table or column fails with its physical name (the
reader checks them before reading). Either way nothing is changed.
"""

from __future__ import annotations

import json

from airflow_provider_nomasx1.collectors.security.base import SecuritySession, security_session
from airflow_provider_nomasx1.collectors.session import require_source_rows
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.errors import ConfigurationError
from airflow_provider_nomasx1.jde.catalogue import F00950, F9860, F983051

__all__ = ["jde_objects", "jde_objects_versions", "jde_sec_objects", "require_source_rows", "warn_duplicates"]

#: the F00950 flag columns (logical names of the temp table src_f00950)
FLAG_COLUMNS = ["can_run", "can_view", "can_add", "can_change", "can_delete", "can_ok", "can_copy", "can_scroll"]


def warn_duplicates(s: SecuritySession, temp: str, key: str, what: str) -> int:
    """Log (and return) how many rows of ``temp`` repeat a key (``key``: SQL of trimmed columns)."""
    duplicates = s.scalar(f"SELECT count(*) - count(DISTINCT ({key})) FROM {temp}") or 0
    if duplicates:
        s.ctx.log.warning("%s: %s rows repeat a key already read; the first row of each key is kept", what, duplicates)
    return int(duplicates)


def jde_objects(ctx: StepContext) -> dict[str, int]:
    """F9860 -> jde_objects, with the system-code reclassification of settings_jde_rclst."""
    with security_session(ctx) as s:
        s.extract("src_f9860", F9860)
        warn_duplicates(s, "src_f9860", "btrim(object_name)", "F9860")
        before, since = s.table_rows("jde_objects")
        counts = s.run_sql("jde_objects")
        s.guard_collapse(f"{s.schema}.jde_objects", before, counts.get("jde_objects", 0), since)
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
        s.extract("src_f00950", F00950)
        codes = {str(k).strip(): str(v) for k, v in s.settings.security_type_codes.items()}
        _check_type_codes(s, codes)
        _check_flags(s)
        before, since = s.table_rows("jde_sec_objects")
        counts = s.run_sql("jde_sec_objects", {"type_codes": json.dumps(codes, sort_keys=True)})
        s.guard_collapse(f"{s.schema}.jde_sec_objects", before, counts.get("jde_sec_objects", 0), since)
        return counts


def _check_type_codes(s: SecuritySession, codes: dict[str, str]) -> None:
    """FSSETY codes missing from the code map: typed 'unknown:<code>', counted and reported; every
    record unknown is refused (no record would take part in the resolution)."""
    found = dict(
        s.conn.exec_driver_sql("SELECT btrim(type_code) AS code, count(*) FROM src_f00950 GROUP BY 1 ORDER BY 1").all()
    )
    unknown = {code: int(n) for code, n in found.items() if code not in codes}
    if not unknown:
        return
    s.ctx.result.details.setdefault("unknown_coded_values", {})["security_type_codes"] = {
        "column": "F00950.FSSETY",
        "rows": sum(unknown.values()),
        "values": unknown,
    }
    s.note(
        f"F00950: security type codes (FSSETY) missing from application {s.apps_id}'s code map, typed "
        f"'unknown:<code>': {', '.join(f'{code!r} ({n} records)' for code, n in unknown.items())}. Add them to "
        "settings_applications.security_type_codes."
    )
    if len(unknown) == len(found):
        example = json.dumps(dict(sorted(codes.items())) or {"1": "application", "2": "action"})
        raise ConfigurationError(
            f"all {sum(unknown.values()):,} F00950 records have an FSSETY code outside application {s.apps_id}'s "
            f"security_type_codes (found {', '.join(repr(c) for c in unknown)}): none would take part in the "
            f"resolution. Map your site's codes with `nomasx1 apps update --apps-id {s.apps_id} "
            f"--security-type-codes '{example}'` edited to your codes. Nothing was changed."
        )


def _check_flags(s: SecuritySession) -> None:
    """Flag codes outside security_flag_values: counted and reported; refused when no flag of any
    record is allowed or secured although some are set (the site spells its flags otherwise)."""
    counts = s.value_counts("src_f00950", FLAG_COLUMNS)
    blank = set(s.settings.coded_values.accepted("security_flag_values", "not_applicable"))
    s.check_codes(
        "security_flag_values",
        {code: n for code, n in counts.items() if code not in blank},
        ("allowed", "secured"),
        "no F00950 flag of the {n:,} set is allowed or secured",
    )
