"""DB_ORA_OPTIONS, DB_ORA_FEATURES, DB_ORA_PARTITIONS: what is installed, what the database's
own sampler saw used, and the segments that show an option in use.

Each replaces the application's row set of the run's as-of date (earlier dates stay: the
history). Rows stream from the dictionary into the table by COPY.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from airflow_provider_nomasx1.collectors.database.properties import oracle_maintained
from airflow_provider_nomasx1.collectors.database.settings import database_session, replace_rows, require_properties
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.errors import SourceUnavailableError
from airflow_provider_nomasx1.oracle import dictionary as q

_FEATURE_COLUMNS = (
    "con_id", "dbid", "name", "version", "detected_usages", "total_samples", "currently_used", "first_usage_date",
    "last_usage_date", "last_sample_date", "aux_count", "feature_info", "current_entry",
)  # fmt: skip


def db_ora_options(ctx: StepContext) -> dict[str, int]:
    """db_ora_options: GV$OPTION per instance (TRUE/FALSE as a boolean)."""
    d = ctx.hook_for("oracle").dictionary
    rows = [(int(inst), str(name), str(value).upper() == "TRUE") for inst, name, value in d.rows(q.OPTIONS)]
    with database_session(ctx) as s:
        return {"db_ora_options": replace_rows(s, "db_ora_options", ("inst_id", "parameter", "value"), rows)}


def db_ora_features(ctx: StepContext) -> dict[str, int]:
    """db_ora_features: every row set of the feature-usage statistics (CDB_ in a container
    database, per container), with the newest set of each container marked current."""
    d = ctx.hook_for("oracle").dictionary
    with database_session(ctx) as s:
        _major, cdb = require_properties(s)
        rows = replace_rows(
            s, "db_ora_features", _FEATURE_COLUMNS, _feature_rows(d.stream(q.CDB_FEATURES if cdb else q.FEATURES))
        )
        if not rows:
            raise SourceUnavailableError(
                f"{'CDB' if cdb else 'DBA'}_FEATURE_USAGE_STATISTICS returned no row on connection {d.conn_id!r}: "
                "every Oracle database since 10g has them; check the connection points at the database itself. "
                "Nothing was changed."
            )
        s.run_sql("db_ora_features")
        sampled = s.scalar(
            "SELECT count(*) FILTER (WHERE total_samples > 0) FROM {{schema}}.db_ora_features "
            "WHERE apps_id = {{apps_id}} AND as_of_date = {{as_of}} AND current_entry"
        )
        if not sampled:
            s.note(
                "the feature-usage statistics were never sampled (TOTAL_SAMPLES 0): usage unknown, see docs/database.md"
            )
    return {"db_ora_features": rows}


def _feature_rows(rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    for con_id, dbid, name, version, detected, samples, used, first, last, sample, aux, info in rows:
        yield (int(con_id or 0), int(dbid), name, version, int(detected or 0), int(samples or 0),
               str(used).upper() == "TRUE", first, last, sample, aux, info, False)  # fmt: skip


def db_ora_partitions(ctx: StepContext) -> dict[str, int]:
    """db_ora_partitions and db_ora_compression: partitioned and advanced-compressed segments of
    the user schemas (Oracle-maintained schemas and OLAP analytic workspaces left out)."""
    d = ctx.hook_for("oracle").dictionary
    maintained = oracle_maintained(d.rows(q.USERS))
    workspaces = {(str(owner), f"AW${name}") for owner, name in d.rows(q.ANALYTIC_WORKSPACES)}

    def user_owned(rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
        for row in rows:
            if str(row[0]) not in maintained and (str(row[0]), str(row[2])) not in workspaces:
                yield row

    with database_session(ctx) as s:
        require_properties(s)
        partitions = replace_rows(s, "db_ora_partitions",
                                  ("owner", "object_type", "object_name", "partitions", "min_created", "max_last_ddl"),
                                  user_owned(d.stream(q.PARTITIONED)))  # fmt: skip
        compressed_rows = [*d.rows(q.COMPRESSED_TABLES), *d.rows(q.COMPRESSED_PARTITIONS)]
        compressed = replace_rows(s, "db_ora_compression",
                                  ("owner", "object_type", "object_name", "compress_for", "segments"),
                                  user_owned(compressed_rows))  # fmt: skip
    return {"db_ora_partitions": partitions, "db_ora_compression": compressed}
