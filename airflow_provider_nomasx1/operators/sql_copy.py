"""SqlCopyOperator: one table copy (the ``sql_copy`` step kind) with the step operator's lock and audit.

The copy itself (JDE coercion, COPY streaming, staging and swap, reconciliation) lives in
:mod:`airflow_provider_nomasx1.collectors.sync`; this operator only carries the copy's options.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_nomasx1.operators.step import Nomasx1StepOperator

SYNC_CALLABLE = "airflow_provider_nomasx1.collectors.sync:sync_table"


class SqlCopyOperator(Nomasx1StepOperator):
    """Copy one source table into the target (see docs/sync.md for the options).

    :param copy_options: the ``sql_copy`` block: source_table, source_schema, target_table, mode,
        key, type_coercion, decimal_mode, strip_both_columns, columns, filter, allow_empty; checked
        by :class:`~airflow_provider_nomasx1.collectors.sync_spec.SqlCopySpec` when the spec is
        parsed and again when the copy runs.
    """

    ui_color = "#e6f4ea"

    def __init__(self, *, copy_options: dict[str, Any], **kwargs: Any) -> None:
        kwargs.setdefault("callable_path", SYNC_CALLABLE)
        super().__init__(step_options=dict(copy_options), **kwargs)
