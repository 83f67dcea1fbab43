"""What the step-operator tests share: the params their DAGs declare, their log, and the step
callable ``record_params`` with what it saw. A step callable is named by import path
(``module:function``), so it lives in a module, not in a fixture."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from airflow_provider_nomasx1.context import StepContext

LOG = logging.getLogger("test")
#: what the test DAGs declare (a run's params must be declared by its DAG)
PARAMS = {"apps_id": 10, "target_connector": "nomasx1", "target_schema": "nomasx1", "mode": "full"}

seen: dict = {}


def record_params(ctx: StepContext) -> None:
    seen.update(ctx.params)
    seen["schema"] = ctx.schema
