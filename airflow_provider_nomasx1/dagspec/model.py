"""The YAML job spec: one file per bundled job, validated before any DAG is built.

The model knows nothing about Airflow objects; :mod:`.builder` turns a valid spec into a DAG.
Unknown keys are errors everywhere (``extra="forbid"``) so that a typo never silently drops a
setting, and callables are resolved here so that a wrong path fails at parse time.
"""

from __future__ import annotations

import functools
import json
import logging
import pkgutil
import re
import warnings
import zoneinfo
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from airflow_provider_nomasx1.collectors.sync_spec import SqlCopySpec
from airflow_provider_nomasx1.run_order import JobKind

Family = Literal[
    "install",
    "preload",
    "sync",
    "security",
    "ldap",
    "licence",
    "sod",
    "database",
    "audit_trail",
    "maintenance",
]
FAMILIES: tuple[str, ...] = get_args(Family)

#: what a run's date means for a job of each family, when its spec does not say (``kind``):
#: snapshot jobs refuse backfills and out-of-order runs, interval jobs cover their data interval,
#: once jobs are not about a date (airflow_provider_nomasx1/run_order.py, docs/operations.md)
FAMILY_KINDS: dict[str, JobKind] = {
    "install": "once",
    "preload": "once",
    "maintenance": "once",
    "sync": "snapshot",
    "security": "snapshot",
    "sod": "snapshot",
    "ldap": "snapshot",
    "database": "snapshot",
    "licence": "interval",
    "audit_trail": "interval",
}

JsonType = Literal["string", "integer", "number", "boolean", "array", "object", "null"]

#: Params every job may declare by name only: the definitions below fill the trigger form.
COMMON_PARAMS: dict[str, dict[str, Any]] = {
    "apps_id": {
        "default": 10,
        "type": "integer",
        "minimum": 1,
        "title": "Application id",
        "description": "The source application (settings_applications.apps_id) the job works on.",
    },
    "source_connector": {
        "default": "jdedwards",
        "type": "string",
        "title": "Source connection",
        "description": "Airflow connection id of the JD Edwards database.",
    },
    "target_connector": {
        "default": "nomasx1",
        "type": "string",
        "title": "Target connection",
        "description": "Airflow connection id of the nomasx1 PostgreSQL database.",
    },
    "target_schema": {
        "default": "nomasx1",
        "type": "string",
        "pattern": r"^[A-Za-z_][A-Za-z0-9_$]{0,62}$",
        "title": "Target schema",
        "description": "PostgreSQL schema holding the nomasx1 tables.",
    },
}

_STEP_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_DAG_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_CALLABLE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")

#: step callables that moved (old path -> new path): a spec naming an old path keeps working for
#: one release, with a DeprecationWarning naming the new one
MOVED_CALLABLES: dict[str, str] = {
    "airflow_provider_nomasx1.collectors.security.sod:sod_conflict_details": (
        "airflow_provider_nomasx1.collectors.sod.conflicts:sod_conflict_details"
    ),
    "airflow_provider_nomasx1.collectors.security.sod:sod_conflict_summary": (
        "airflow_provider_nomasx1.collectors.sod.conflicts:sod_conflict_summary"
    ),
}


def current_callable(path: str) -> str:
    """The path ``path`` has now: itself, or its new path (warning) when it moved."""
    new = MOVED_CALLABLES.get(path)
    if new is None:
        return path
    message = (
        f"step callable {path!r} moved to {new!r}: name the new path in the job spec (the old one is "
        "accepted for one release)"
    )
    # the warning for tools and tests; the log line for the DAG processor's log, where Python
    # hides DeprecationWarnings by default
    warnings.warn(message, DeprecationWarning, stacklevel=2)
    logging.getLogger(__name__).warning(message)
    return new


class _Strict(BaseModel):
    """Unknown keys are errors, and values keep their YAML type: ``retries: true`` is not 1,
    ``enabled: "yes"`` is not true (pydantic's strict mode)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class ParamSpec(_Strict):
    """One trigger-form field; becomes an Airflow ``Param`` (JSON-schema validated)."""

    default: Any = None
    type: JsonType | list[JsonType] | None = None
    title: str | None = None
    description: str | None = None
    enum: list[Any] | None = None
    values_display: dict[str, str] | None = None
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    format: str | None = None
    section: str | None = None
    items: dict[str, Any] | None = None

    def schema_kwargs(self) -> dict[str, Any]:
        """The JSON-schema keywords Airflow's ``Param`` takes besides default and description."""
        keys = (
            "type",
            "title",
            "enum",
            "values_display",
            "minimum",
            "maximum",
            "pattern",
            "format",
            "section",
            "items",
        )
        return {k: getattr(self, k) for k in keys if getattr(self, k) is not None}

    def problem(self, value: Any) -> str | None:
        """Why ``value`` would be refused for this param, or None; the JSON-schema check Airflow's
        ``Param`` runs on a trigger, done at parse time for defaults, step overrides and tenants."""
        return param_problem(self.schema_kwargs(), value)

    @property
    def form_requires(self) -> bool:
        """Airflow's trigger form requires a value (and counts ``""`` as none) when the param has a
        type that does not allow null (the React UI's ``isRequired``)."""
        return self.type is not None and not (isinstance(self.type, list) and "null" in self.type)

    @model_validator(mode="after")
    def _default_fits(self) -> ParamSpec:
        # None: no default, the trigger form asks for a value
        reason = None if self.default is None else self.problem(self.default)
        if reason:
            raise ValueError(f"default {self.default!r}: {reason}")
        if self.default == "" and self.form_requires:
            raise ValueError(
                'default "": the trigger form counts "" as missing and would never submit it; for an optional '
                'param write type: [string, "null"] (the step then gets "" or None, to be read alike)'
            )
        return self


def param_problem(schema: dict[str, Any], value: Any) -> str | None:
    """The first JSON-schema error of ``value`` (format checks included, as Airflow does), or None."""
    import jsonschema

    validator = _validator(json.dumps(schema, sort_keys=True))
    if validator.is_valid(value):
        return None
    return jsonschema.exceptions.best_match(validator.iter_errors(value)).message


@functools.lru_cache(maxsize=512)
def _validator(schema_json: str) -> Any:
    """One validator per distinct param schema (the common params repeat in every job)."""
    import jsonschema

    schema = json.loads(schema_json)
    return jsonschema.validators.validator_for(schema)(schema, format_checker=jsonschema.FormatChecker())


#: how a step starts once the step before it has finished (Airflow trigger rules)
TriggerRule = Literal["all_success", "all_done"]


class StepSpec(_Strict):
    """One ordered step: a callable run by the step operator, or a table copy, with param overrides."""

    id: str
    callable: str | None = None
    sql_copy: SqlCopySpec | None = None
    title: str | None = None
    description: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    writes: list[str] = Field(default_factory=list, description="target tables, for docs and audit")
    lock: bool = Field(default=True, description="take the (apps_id, job) lock on the target database")
    audit: bool = Field(default=True, description="write the step's collect_audit row")
    trigger_rule: TriggerRule = Field(
        default="all_success",
        description="all_success: run only when the step before succeeded; all_done: run whatever its "
        "outcome (independent steps, e.g. the tables of a mirror); the run still fails if a step failed",
    )

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not _STEP_ID.match(value):
            raise ValueError(f"step id {value!r} must be letters, digits and '_' (e.g. SECURITY_USERS)")
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> StepSpec:
        if (self.callable is None) == (self.sql_copy is None):
            raise ValueError(f"step {self.id!r} needs exactly one of 'callable' or 'sql_copy'")
        return self

    @field_validator("callable")
    @classmethod
    def _check_callable(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not _CALLABLE.match(value):
            raise ValueError(f"{value!r} is not of the form 'package.module:function'")
        value = current_callable(value)
        try:
            target = pkgutil.resolve_name(value)
        except (ImportError, AttributeError, ValueError) as exc:
            raise ValueError(f"cannot resolve callable {value!r}: {exc}") from exc
        if not callable(target):
            raise ValueError(f"{value!r} resolves to a {type(target).__name__}, not a function")
        return value


class AssetSpec(_Strict):
    """Assets the job publishes (outlets of its last step) and assets it is scheduled on.

    Names may contain ``{apps_id}``, replaced by the tenant's application id.
    """

    produces: list[str] = Field(default_factory=list)
    schedule_on: list[str] = Field(default_factory=list)


class AlertSpec(_Strict):
    """Who hears about a run that is still going after ``long_run_alert_minutes``."""

    email: list[str] = Field(default_factory=list)
    smtp_conn_id: str = "smtp_default"


class JobSpec(_Strict):
    """A bundled job: the whole content of one ``dags/jobs/*.yaml`` file."""

    dag_id: str
    family: Family
    display_name: str
    description: str
    schedule: str | None = None
    timezone: str = "Europe/Paris"
    enabled: bool = False
    retries: int = Field(default=0, ge=0, le=10)
    retry_delay: int = Field(default=300, ge=0, description="seconds between attempts")
    long_run_alert_minutes: int | None = Field(default=None, ge=1)
    alerts: AlertSpec = Field(default_factory=AlertSpec)
    max_active_runs: int = Field(default=1, ge=1)
    #: snapshot / interval / once; when not given, the family's (FAMILY_KINDS)
    kind: JobKind | None = None
    per_tenant: bool = True
    tags: list[str] = Field(default_factory=list)
    #: a ``name:`` entry without a body is filled from COMMON_PARAMS before validation (or refused)
    params: dict[str, ParamSpec] = Field(default_factory=dict)
    steps: list[StepSpec] = Field(min_length=1)
    assets: AssetSpec = Field(default_factory=AssetSpec)

    @field_validator("dag_id")
    @classmethod
    def _check_dag_id(cls, value: str) -> str:
        if not _DAG_ID.match(value) or len(value) > 200:
            raise ValueError(f"dag_id {value!r} must be letters, digits, '-', '_' or '.'")
        return value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r} (use an IANA name such as Europe/Paris)") from exc
        return value

    @field_validator("schedule")
    @classmethod
    def _check_cron(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return check_cron(value)

    @field_validator("params", mode="before")
    @classmethod
    def _merge_common_params(cls, value: Any) -> Any:
        """A common param may be declared by name alone; its spec fills the missing keys."""
        if not isinstance(value, dict):
            return value
        merged = {}
        for name, spec in value.items():
            base = COMMON_PARAMS.get(name, {})
            if spec is None and not base:
                raise ValueError(f"param {name!r} has no definition and is not a common param")
            merged[name] = {**base, **(spec or {})} if isinstance(spec, dict) or spec is None else spec
        return merged

    @model_validator(mode="before")
    @classmethod
    def _default_kind(cls, value: Any) -> Any:
        """``kind`` from the family when the spec does not give it (a bad family is reported by its field)."""
        if isinstance(value, dict) and value.get("kind") is None and value.get("family") in FAMILY_KINDS:
            return {**value, "kind": FAMILY_KINDS[value["family"]]}
        return value

    @model_validator(mode="after")
    def _check_kind(self) -> JobSpec:
        """An interval job needs a schedule: its runs cover the time between two of its ticks."""
        if self.kind == "interval" and not self.schedule:
            raise ValueError(
                "kind 'interval' needs a schedule: each run covers the time between two ticks of it "
                "(give a cron, or kind: snapshot / once)"
            )
        return self

    @model_validator(mode="after")
    def _check_steps(self) -> JobSpec:
        seen: set[str] = set()
        for step in self.steps:
            if step.id in seen:
                raise ValueError(f"duplicate step id {step.id!r}")
            seen.add(step.id)
            unknown = sorted(set(step.params) - set(self.params))
            if unknown:
                raise ValueError(f"step {step.id!r} overrides param(s) {unknown} that the job does not declare")
            for name, value in step.params.items():
                reason = self.params[name].problem(value)
                if reason:
                    raise ValueError(f"step {step.id!r} overrides param {name!r} with {value!r}: {reason}")
        return self


#: a cron must fire at least once within this many years (``0 3 31 2 *`` never does)
CRON_HORIZON_YEARS = 5


def check_cron(value: str) -> str:
    """``value`` when it is a five-field cron that fires within :data:`CRON_HORIZON_YEARS` years.

    Uses croniter, the library Airflow's cron timetables run on, so that what passes here is a
    schedule Airflow accepts and that really runs.
    """
    reason = _cron_problem(value)
    if reason:
        raise ValueError(reason)
    return value


@functools.lru_cache(maxsize=256)
def _cron_problem(value: str) -> str | None:
    """Why ``value`` is not a schedule (cached: the same crons recur across jobs and tenants)."""
    import datetime as dt

    from croniter import CroniterBadDateError, croniter

    example = "five fields, e.g. '30 2 * * *'"
    if not croniter.is_valid(value):
        return f"{value!r} is not a valid cron expression ({example})"
    cron = croniter(value, dt.datetime(2024, 1, 1), max_years_between_matches=CRON_HORIZON_YEARS)
    if len(cron.expanded) != 5:
        return f"{value!r} has {len(cron.expanded)} fields: Airflow takes {example}"
    try:
        cron.get_next(dt.datetime)
    except CroniterBadDateError:
        return (
            f"{value!r} never fires (no date matches within {CRON_HORIZON_YEARS} years): check the "
            "day of month against the month (e.g. February has no 30th or 31st)"
        )
    return None
