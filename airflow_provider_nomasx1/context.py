"""What a collector receives: the run's identity, its params, hooks and a progress logger.

Collectors never look up connections themselves; the step operator (or a test, or the CLI) builds
a :class:`StepContext` and hands it over. Nothing here imports Airflow.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from airflow_provider_nomasx1.hooks.roles import hook_role
from airflow_provider_nomasx1.pg.identifiers import checked


@dataclass
class Progress:
    """Logs ``rows done / total`` and the rate, at most every ``every_seconds``."""

    log: logging.Logger
    label: str
    total: int | None = None
    every_seconds: float = 10.0
    done: int = 0
    _started: float = field(default_factory=time.monotonic)
    _last: float = 0.0

    def advance(self, rows: int) -> None:
        self.done += rows
        now = time.monotonic()
        if now - self._last >= self.every_seconds:
            self._last = now
            self._emit(now)

    def finish(self) -> None:
        self._emit(time.monotonic())

    def _emit(self, now: float) -> None:
        elapsed = max(now - self._started, 1e-6)
        of_total = f"/{self.total:,}" if self.total is not None else ""
        self.log.info("%s: %s%s rows, %.0f rows/s", self.label, f"{self.done:,}", of_total, self.done / elapsed)


@dataclass
class StepResult:
    """What a step reports for the audit trail: rows written per target table, and a message."""

    rows: dict[str, int] = field(default_factory=dict)
    message: str | None = None
    #: step metrics and findings for collect_audit.details, next to ``rows`` (JSON-serialisable)
    details: dict[str, Any] = field(default_factory=dict)

    def add(self, table: str, rows: int) -> None:
        self.rows[table] = self.rows.get(table, 0) + rows

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


@dataclass
class StepContext:
    """Everything one step of one job run may use."""

    dag_id: str
    step: str
    run_id: str
    params: Mapping[str, Any]
    log: logging.Logger
    #: factories, so that a step that needs no source never opens one
    hook_factory: Callable[[str, str], Any]
    logical_date: dt.datetime | None = None
    data_interval_start: dt.datetime | None = None
    data_interval_end: dt.datetime | None = None
    #: Airflow's run type (``scheduled``, ``manual``, ``backfill``, ``asset_triggered``); None outside Airflow
    run_type: str | None = None
    #: when the run was due (Airflow 3 sets it even for a manual run without a logical date)
    run_after: dt.datetime | None = None
    #: configuration of a step kind other than a plain callable (e.g. the ``sql_copy`` block)
    step_options: Mapping[str, Any] = field(default_factory=dict)
    result: StepResult = field(default_factory=StepResult)

    @property
    def apps_id(self) -> int | None:
        """The application (param ``apps_id``); None for jobs not tied to one (install jobs).

        Raises ConfigurationError for anything but a whole number >= 1 (``"10"`` is accepted: a
        run's conf may carry it as text), so a bad value never reaches a lock key or an audit row."""
        value = self.params.get("apps_id")
        if value is None:
            return None
        text = str(value).strip()
        if isinstance(value, bool) or not text.isdecimal() or int(text) < 1:
            from airflow_provider_nomasx1.errors import ConfigurationError

            raise ConfigurationError(
                f"param apps_id must be a registered application id, a whole number >= 1; got {value!r}"
            )
        return int(text)

    @property
    def run_moment(self) -> dt.datetime | None:
        """The instant the run stands for: its logical date, else when it was due (a manual run
        without a logical date), else None (outside Airflow)."""
        return self.logical_date or self.run_after

    @property
    def schema(self) -> str:
        """The validated target schema: param ``target_schema``, or ``schema`` for the jobs that
        name it so (the seed's preload jobs), else ``nomasx1``. Audit rows and the lock go there."""
        value = self.params.get("target_schema") or self.params.get("schema") or "nomasx1"
        return checked(value, "target schema")

    def param(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)

    def hook(self, param_name: str, role: str, default: str | None = None) -> Any:
        """The hook of ``role`` (see :data:`~airflow_provider_nomasx1.hooks.roles.HOOK_ROLES`) for
        the connection id held by param ``param_name`` (``default`` when the param is not given)."""
        conn_id = self.params.get(param_name, default)
        if not conn_id:
            from airflow_provider_nomasx1.errors import ConfigurationError

            raise ConfigurationError(f"param {param_name!r} is empty: give the Airflow connection id to use")
        return self.hook_factory(role, conn_id)

    def hook_for(self, role: str) -> Any:
        """The hook of ``role`` on the connection named by the role's own param (``target`` ->
        ``target_connector``, ``admin`` -> ``admin_connector`` or ``default``, ...)."""
        spec = hook_role(role)
        return self.hook(spec.param, role, spec.default_conn_id)

    def target(self) -> Any:
        """The nomasx1 target hook (param ``target_connector``)."""
        return self.hook_for("target")

    def source(self) -> Any:
        """The JDE source hook (param ``source_connector``)."""
        return self.hook_for("jde")

    def progress(self, label: str, total: int | None = None) -> Progress:
        return Progress(self.log, label, total)
