"""Turn a validated :class:`JobSpec` (and optionally a tenant) into an Airflow DAG.

This is the only module of ``dagspec`` that knows Airflow's DAG-authoring API; it knows nothing
about JDE. Steps run strictly in spec order, each as one :class:`Nomasx1StepOperator`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypedDict

from airflow.sdk import DAG, Asset, Param, chain
from airflow.sdk.definitions.callback import AsyncCallback

# from their module: airflow.sdk exports them lazily and its __init__.pyi leaves them out
from airflow.sdk.definitions.deadline import DeadlineAlert, DeadlineReference

from airflow_provider_nomasx1.dagspec.alerts import deadlines_enabled
from airflow_provider_nomasx1.dagspec.model import JobSpec, StepSpec, TriggerRule
from airflow_provider_nomasx1.dagspec.tenants import TenantSpec
from airflow_provider_nomasx1.operators.sql_copy import SqlCopyOperator
from airflow_provider_nomasx1.operators.step import Nomasx1StepOperator

#: A fixed, past start date (midnight in the spec's timezone): schedules are cron triggers, catch-up is off.
START_DAY = dt.date(2024, 1, 1)
#: the scheme of the assets the jobs publish; a spec names them ``security.{apps_id}`` or by URI
ASSET_SCHEME = "nomasx1://"
ALERT_CALLBACK = "airflow_provider_nomasx1.dagspec.alerts.long_run_alert"
#: families whose jobs create their target schema: a missing schema is not an error for them (the
#: install jobs create nomasx1's and the mirror's; the sync never creates one, docs/sync.md)
SCHEMA_CREATING_FAMILIES = frozenset({"install"})
#: families whose jobs work on no application's data: apps_id only keys their lock, so it need not be registered
APPLICATION_FREE_FAMILIES = frozenset({"install", "maintenance"})


def dag_id_for(spec: JobSpec, tenant: TenantSpec | None) -> str:
    """``nomasx1-security-1`` for the default tenant, ``nomasx1b.nomasx1-security-1`` otherwise."""
    return spec.dag_id if tenant is None else f"{tenant.name}.{spec.dag_id}"


def _params(spec: JobSpec, tenant: TenantSpec | None) -> dict[str, Param]:
    overrides = tenant.param_defaults() if tenant else {}
    params = {}
    for name, p in spec.params.items():
        default = overrides.get(name, p.default)
        params[name] = Param(default, description=p.description, **p.schema_kwargs())
    return params


def _asset_names(names: list[str], params: dict[str, Param]) -> list[Asset]:
    apps_id = params["apps_id"].value if "apps_id" in params else ""
    return [_asset(n.format(apps_id=apps_id)) for n in names]


def _asset(entry: str) -> Asset:
    """``security.10`` and ``nomasx1://security/10`` are one asset: name ``security.10``, URI
    ``nomasx1://security/10`` (a producer and a consumer may spell it either way)."""
    path = entry.removeprefix(ASSET_SCHEME)
    return Asset(name=path.replace("/", "."), uri=ASSET_SCHEME + path.replace(".", "/"))


def _start_date(spec: JobSpec) -> dt.datetime:
    """Midnight of :data:`START_DAY` in the spec's timezone, the zone the cron fires in. (Airflow
    3.3's DAG details page shows ``[core] default_timezone`` whatever the start date: `make
    airflow` and docker-compose.yaml set it to Europe/Paris, docs/install.md.)"""
    import pendulum

    return pendulum.datetime(START_DAY.year, START_DAY.month, START_DAY.day, tz=spec.timezone)


def _description(spec: JobSpec) -> str:
    """The first paragraph of the spec's description on one line, and when the job runs."""
    first = spec.description.strip().split("\n\n", 1)[0]
    text = " ".join(first.split())
    return f"{text} · runs {_when(spec.schedule)} {spec.timezone}" if spec.schedule else text


def _when(cron: str) -> str:
    """``03:00`` for a daily cron at a fixed minute and hour, else the cron itself."""
    minute, hour, *days = cron.split()
    if days == ["*", "*", "*"] and minute.isdecimal() and hour.isdecimal():
        return f"{int(hour):02d}:{int(minute):02d}"
    return f"on cron `{cron}`"


def _timetable(spec: JobSpec) -> Any:
    """An interval job's runs cover the time since the previous tick (its data interval); the
    other jobs' runs stand for the instant they fire."""
    from airflow.sdk import CronDataIntervalTimetable, CronTriggerTimetable

    if not spec.schedule:
        return None
    kind = CronDataIntervalTimetable if spec.kind == "interval" else CronTriggerTimetable
    return kind(spec.schedule, timezone=spec.timezone)


def _schedule(spec: JobSpec, params: dict[str, Param]) -> Any:
    from airflow.sdk import AssetOrTimeSchedule

    timetable = _timetable(spec)
    assets = _asset_names(spec.assets.schedule_on, params)
    if assets and timetable:
        return AssetOrTimeSchedule(timetable=timetable, assets=assets)
    return assets or timetable


def _deadline(spec: JobSpec, dag_id: str) -> DeadlineAlert | None:
    if not spec.long_run_alert_minutes or not deadlines_enabled():
        return None
    kwargs: dict[str, Any] = {"dag_id": dag_id, "minutes": spec.long_run_alert_minutes}
    if spec.alerts.email:
        kwargs.update(email=list(spec.alerts.email), smtp_conn_id=spec.alerts.smtp_conn_id)
    return DeadlineAlert(
        reference=DeadlineReference.DAGRUN_QUEUED_AT,
        interval=dt.timedelta(minutes=spec.long_run_alert_minutes),
        callback=AsyncCallback(ALERT_CALLBACK, kwargs=kwargs),
        name=f"long run ({spec.long_run_alert_minutes} min)",
    )


def _what(step: StepSpec) -> str:
    if step.sql_copy is not None:
        return f"sql_copy {step.sql_copy.source_schema}.{step.sql_copy.source_table} ({step.sql_copy.mode})"
    return str(step.callable)


def _doc_md(spec: JobSpec, tenant: TenantSpec | None) -> str:
    lines = [spec.description.strip(), "", "| step | callable | writes |", "|---|---|---|"]
    lines += [f"| `{s.id}` | `{_what(s)}` | {', '.join(s.writes) or '-'} |" for s in spec.steps]
    if tenant:
        lines += ["", f"Tenant **{tenant.name}** (application {tenant.apps_id})."]
    return "\n".join(lines)


class _StepKwargs(TypedDict):
    """Operator arguments every step gets, whichever its kind."""

    task_id: str
    task_display_name: str
    step_params: dict[str, Any]
    job_id: str
    lock: bool
    audit: bool
    trigger_rule: TriggerRule
    creates_schema: bool
    needs_application: bool
    job_kind: str | None
    doc_md: str | None


def _step_operator(spec: JobSpec, step: StepSpec) -> Nomasx1StepOperator:
    """The task of one step: a collector callable, or a table copy for ``sql_copy`` steps."""
    common: _StepKwargs = {
        "task_id": step.id,
        "task_display_name": step.title or step.id,
        "step_params": dict(step.params),
        "job_id": spec.dag_id,
        "lock": step.lock,
        "audit": step.audit,
        "trigger_rule": step.trigger_rule,
        "creates_schema": spec.family in SCHEMA_CREATING_FAMILIES,
        "needs_application": spec.family not in APPLICATION_FREE_FAMILIES,
        "job_kind": spec.kind,
        "doc_md": step.description,
    }
    if step.sql_copy is not None:
        return SqlCopyOperator(copy_options=step.sql_copy.model_dump(), **common)
    if step.callable is None:  # StepSpec._one_kind refuses such a step: only a hand-built one gets here
        raise ValueError(f"step {step.id!r} needs exactly one of 'callable' or 'sql_copy'")
    return Nomasx1StepOperator(callable_path=step.callable, **common)


def build_dag(spec: JobSpec, tenant: TenantSpec | None = None) -> DAG:
    """Build the DAG of one spec; tasks are the spec's steps, chained in order."""
    dag_id = dag_id_for(spec, tenant)
    params = _params(spec, tenant)
    tags = sorted({"nomasx1", spec.family, *spec.tags, *([f"tenant:{tenant.name}"] if tenant else [])})
    display = spec.display_name if tenant is None else f"{spec.display_name} [{tenant.name}]"
    with DAG(
        dag_id=dag_id,
        dag_display_name=display,
        description=_description(spec),
        doc_md=_doc_md(spec, tenant),
        schedule=_schedule(spec, params),
        start_date=_start_date(spec),
        catchup=False,
        is_paused_upon_creation=not spec.enabled,
        auto_register=False,  # the loader file exposes the DAGs it wants Airflow to see
        max_active_runs=spec.max_active_runs,
        tags=tags,
        params=params,
        deadline=_deadline(spec, dag_id),
        default_args={
            "owner": "nomasx1",
            "retries": spec.retries,
            "retry_delay": dt.timedelta(seconds=spec.retry_delay),
        },
    ) as dag:
        tasks = [_step_operator(spec, step) for step in spec.steps]
        produced = _asset_names(spec.assets.produces, params)
        if produced:
            tasks[-1].outlets = produced
        chain(*tasks)
    return dag
