"""The ways users come in, without a browser: every bundled DAG's trigger form submits with its
defaults, and schedules are read in the spec's timezone (issue 12, items 1 and 4)."""

from __future__ import annotations

import copy
import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from airflow.sdk import DAG
from airflow.sdk.definitions.param import ParamsDict
from support.dagspec import GOOD

from airflow_provider_nomasx1.dagspec.builder import build_dag
from airflow_provider_nomasx1.dagspec.bundle import build_bundle
from airflow_provider_nomasx1.dagspec.loader import read_spec
from airflow_provider_nomasx1.resources import bundle_dir

PARIS = "Europe/Paris"


def _bundled_dags() -> dict[str, DAG]:
    dags, problems = build_bundle(bundle_dir() / "jobs")
    assert problems == []
    return dags


def form_requires(schema: dict[str, Any]) -> bool:
    """The React trigger form's rule (airflow/ui, ``isRequired``): a param is required when its
    schema has a type and that type is not a list holding ``"null"``."""
    kind = schema.get("type")
    return bool(kind) and not (isinstance(kind, list) and "null" in kind)


def form_counts_missing(value: Any) -> bool:
    """The form blocks the Trigger button on a required param whose value is null, absent or ``""``
    (and a field the user clears sends null)."""
    return value is None or value == ""


def _with_conf(params: ParamsDict, conf: dict[str, Any]) -> dict[str, Any]:
    """What the API does with the submitted conf: the DAG's params updated, then validated."""
    merged = copy.deepcopy(params)
    merged.update(conf)
    return merged.validate()


@pytest.mark.parametrize("dag_id", sorted(_bundled_dags()))
def test_every_bundled_trigger_form_submits_with_its_defaults(dag_id: str) -> None:
    params = _bundled_dags()[dag_id].params
    blocked = [
        name
        for name in params
        if form_requires(params.get_param(name).schema) and form_counts_missing(params.get_param(name).value)
    ]
    assert blocked == [], f"{dag_id}: the trigger form would refuse its defaults for {blocked}"
    defaults = params.dump()
    assert _with_conf(params, defaults) == defaults  # the form submits the defaults untouched
    # an empty field the user cleared is sent as null, and must be accepted too
    cleared = {name: None for name, value in defaults.items() if value == ""}
    assert _with_conf(params, {**defaults, **cleared}) == {**defaults, **cleared}


def test_the_optional_params_of_the_issue_accept_empty_and_null() -> None:
    dags = _bundled_dags()
    for dag_id, name in [
        ("nomasx1-security-1", "as_of_date"),
        ("nomasx1-sod-1", "as_of_date"),
        ("nomasx1-import-reference", "bundle_path"),
        ("nomasx1-import-reference", "target_apps_ids"),
    ]:
        param = dags[dag_id].params.get_param(name)
        assert not form_requires(param.schema), (dag_id, name, param.schema)
        assert param.value == ""
        assert param.resolve(None) is None and param.resolve("") == ""


def test_the_collectors_read_empty_and_null_alike() -> None:
    from airflow_provider_nomasx1.collectors.preload import parse_apps_ids
    from airflow_provider_nomasx1.collectors.security.base import as_of_date
    from airflow_provider_nomasx1.context import StepContext

    def ctx(value: Any) -> StepContext:
        logical = dt.datetime(2026, 1, 10, 23, 30, tzinfo=dt.UTC)  # 00:30 on the 11th in Paris
        params = {"as_of_date": value}
        return StepContext("d", "s", "r", params, logging.getLogger(__name__), lambda *_: None, logical_date=logical)

    assert as_of_date(ctx(None)) == as_of_date(ctx("")) == dt.date(2026, 1, 11)
    assert parse_apps_ids(None) == parse_apps_ids("") == ()


def _next_runs(dag: DAG, count: int) -> list[dt.datetime]:
    """The first scheduled runs from the DAG's own start date, as the scheduler computes them."""
    from airflow.serialization.encoders import coerce_to_core_timetable
    from airflow.timetables.base import TimeRestriction

    timetable = coerce_to_core_timetable(dag.timetable)
    restriction = TimeRestriction(dag.start_date, None, catchup=True)
    runs, last = [], None
    for _ in range(count):
        info = timetable.next_dagrun_info(last_automated_data_interval=last, restriction=restriction)
        runs.append(info.run_after)
        last = info.data_interval
    return runs


def test_a_dag_lives_in_its_spec_timezone(tmp_path: Path, write_spec: Callable[..., Path]) -> None:
    dag = build_dag(read_spec(write_spec(tmp_path, {**GOOD, "schedule": "0 3 * * *"})))
    assert dag.timezone.name == PARIS
    first, second = _next_runs(dag, 2)
    assert first == dt.datetime(2024, 1, 1, 2, tzinfo=dt.UTC)  # 03:00 in Paris in winter
    assert first.astimezone(dt.timezone(dt.timedelta(hours=1))).hour == 3
    assert second == first + dt.timedelta(days=1)
    assert dag.description.endswith(" · runs 03:00 Europe/Paris")
    other = build_dag(read_spec(write_spec(tmp_path, {**GOOD, "schedule": "0 3 * * *", "timezone": "Asia/Tokyo"})))
    assert other.timezone.name == "Asia/Tokyo"
    # the start date is midnight in Tokyo, so the first run is 03:00 on 1 January there (not the 2nd)
    assert _next_runs(other, 1) == [dt.datetime(2023, 12, 31, 18, tzinfo=dt.UTC)]
    assert other.description.endswith(" · runs 03:00 Asia/Tokyo")


def test_bundled_schedules_name_their_timezone() -> None:
    dags = _bundled_dags()
    assert dags["nomasx1-security-1"].description.endswith(" · runs 03:00 Europe/Paris")
    assert dags["nomasx1-sod-1"].description.endswith(" · runs 04:30 Europe/Paris")
    assert dags["nomajde-daily-sync"].description.endswith(" · runs 02:30 Europe/Paris")
    for dag in dags.values():
        assert dag.timezone.name == PARIS
    assert "runs" not in dags["deploy-databases"].description  # manual only
