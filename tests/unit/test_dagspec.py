"""Job specs → DAGs built in memory: validation messages, params, schedules, alerts, tenants, the
bundle's spec check. Parsing the bundle with Airflow's DagBag is tests/dags/test_dagspec_bundle.py."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from airflow.sdk.definitions.param import ParamsDict
from airflow.sdk.exceptions import ParamValidationError
from support.dagspec import GOOD

from airflow_provider_nomasx1.dagspec.builder import build_dag
from airflow_provider_nomasx1.dagspec.bundle import build_bundle
from airflow_provider_nomasx1.dagspec.loader import read_spec, read_specs
from airflow_provider_nomasx1.resources import bundle_dir


def test_good_spec_builds_the_dag(tmp_path: Path, write_spec: Callable[..., Path]) -> None:
    dag = build_dag(read_spec(write_spec(tmp_path, GOOD)))
    assert dag.dag_id == "nomasx1-demo-1"
    assert dag.dag_display_name == "Demo job"
    assert [t.task_id for t in dag.tasks] == ["FIRST", "SECOND"]
    assert dag.get_task("SECOND").upstream_task_ids == {"FIRST"}
    assert dag.is_paused_upon_creation is True  # enabled defaults to false
    assert dag.max_active_runs == 1
    assert set(dag.tags) == {"nomasx1", "maintenance", "demo"}
    assert dag.default_args["retries"] == 2
    assert dag.default_args["retry_delay"] == dt.timedelta(seconds=90)
    assert "A job for the tests." in dag.doc_md and "`FIRST`" in dag.doc_md
    assert dag.catchup is False


def test_cron_schedule_runs_in_paris_time(tmp_path: Path, write_spec: Callable[..., Path]) -> None:
    from airflow.serialization.encoders import coerce_to_core_timetable
    from airflow.timetables.base import DataInterval, TimeRestriction

    dag = build_dag(read_spec(write_spec(tmp_path, GOOD)))
    timetable = coerce_to_core_timetable(dag.timetable)
    assert type(timetable).__name__ == "CronTriggerTimetable"
    assert timetable.summary == "30 2 * * *"

    def next_run_after(moment: dt.datetime) -> dt.datetime:
        last = DataInterval(moment, moment)
        info = timetable.next_dagrun_info(
            last_automated_data_interval=last, restriction=TimeRestriction(None, None, catchup=True)
        )
        return info.run_after

    utc = dt.UTC
    # winter (CET, UTC+1) and summer (CEST, UTC+2): always 02:30 in Paris
    assert next_run_after(dt.datetime(2026, 1, 10, 12, tzinfo=utc)) == dt.datetime(2026, 1, 11, 1, 30, tzinfo=utc)
    assert next_run_after(dt.datetime(2026, 7, 10, 12, tzinfo=utc)) == dt.datetime(2026, 7, 11, 0, 30, tzinfo=utc)


def test_long_run_alert_is_a_deadline_not_a_timeout(tmp_path: Path, write_spec: Callable[..., Path]) -> None:
    dag = build_dag(read_spec(write_spec(tmp_path, GOOD)))
    [alert] = dag.deadline
    assert alert.interval == dt.timedelta(minutes=30)
    assert type(alert.reference).__name__ == "DagRunQueuedAtDeadline"
    assert alert.callback.path == "airflow_provider_nomasx1.dagspec.alerts.long_run_alert"
    assert alert.callback.kwargs == {"dag_id": "nomasx1-demo-1", "minutes": 30}
    assert dag.dagrun_timeout is None


def test_deadline_can_be_switched_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write_spec: Callable[..., Path]
) -> None:
    monkeypatch.setenv("NOMASX1_DEADLINES", "off")
    assert not build_dag(read_spec(write_spec(tmp_path, GOOD))).deadline


def test_params_form_and_validation(tmp_path: Path, write_spec: Callable[..., Path]) -> None:
    dag = build_dag(read_spec(write_spec(tmp_path, GOOD)))
    params = dag.params
    assert list(params.keys()) == ["apps_id", "target_connector", "target_schema", "mode"]
    apps = params.get_param("apps_id")
    assert apps.value == 10 and apps.schema["type"] == "integer" and apps.schema["title"] == "Application id"
    assert params.get_param("mode").schema["enum"] == ["full", "delta"]
    assert params.get_param("target_connector").value == "nomasx1"
    assert isinstance(params, ParamsDict)

    def with_conf(**conf: object) -> ParamsDict:
        merged = copy.deepcopy(params)
        for key, value in conf.items():
            merged[key] = value
        return merged

    assert with_conf(apps_id=11).validate()["apps_id"] == 11
    with pytest.raises(ParamValidationError, match="'x' is not of type 'integer'"):
        with_conf(apps_id="x")
    with pytest.raises(ParamValidationError, match="'sideways' is not one of"):
        with_conf(mode="sideways")
    with pytest.raises(ParamValidationError, match="does not match"):
        with_conf(target_schema="x; drop table t")


def test_step_overrides_reach_the_operator(tmp_path: Path, write_spec: Callable[..., Path]) -> None:
    dag = build_dag(read_spec(write_spec(tmp_path, GOOD)))
    assert dag.get_task("SECOND").step_params == {"mode": "delta"}
    assert dag.get_task("FIRST").job_id == "nomasx1-demo-1"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"stepz": []}, "stepz: unknown key"),
        ({"schedule": "61 * * * *"}, "schedule: '61 * * * *' is not a valid cron expression"),
        ({"timezone": "Mars/Olympus"}, "timezone: unknown timezone 'Mars/Olympus'"),
        ({"family": "games"}, "family: Input should be"),
        ({"retries": -1}, "retries: Input should be greater than or equal to 0"),
        (
            {"steps": [{"id": "A", "callable": "airflow_provider_nomasx1.collectors.db:nope"}]},
            "steps[0].callable: cannot resolve callable 'airflow_provider_nomasx1.collectors.db:nope'",
        ),
        (
            {"steps": [{"id": "A", "callable": "no_such_package.mod:f"}]},
            "steps[0].callable: cannot resolve callable 'no_such_package.mod:f'",
        ),
        (
            {"steps": [{"id": "A", "callable": "airflow_provider_nomasx1.collectors.db"}]},
            "steps[0].callable: 'airflow_provider_nomasx1.collectors.db' is not of the form",
        ),
        (
            {
                "steps": [
                    {"id": "A", "callable": "airflow_provider_nomasx1.collectors.db:refresh_views", "colour": "red"}
                ]
            },
            "steps[0].colour: unknown key",
        ),
        (
            {
                "steps": [
                    {
                        "id": "A",
                        "callable": "airflow_provider_nomasx1.collectors.db:refresh_views",
                        "params": {"nope": 1},
                    }
                ]
            },
            "overrides param(s) ['nope'] that the job does not declare",
        ),
        ({"steps": []}, "steps: List should have at least 1 item"),
        ({"family": "licence", "schedule": None}, "kind 'interval' needs a schedule"),
        ({"kind": "sometimes"}, "kind: Input should be 'snapshot', 'interval' or 'once'"),
        ({"params": {"mystery": None}}, "param 'mystery' has no definition"),
        ({"params": {"apps_id": {"default": 1, "colour": "x"}}}, "params.apps_id.colour: unknown key"),
    ],
)
def test_bad_spec_names_key_and_reason(
    tmp_path: Path,
    change: dict,
    expected: str,
    write_spec: Callable[..., Path],
    problems_of: Callable[[Path], list[str]],
) -> None:
    problems = problems_of(write_spec(tmp_path, {**GOOD, **change}))
    assert any(expected in p for p in problems), problems


def test_missing_key_and_wrong_file_name(
    tmp_path: Path, write_spec: Callable[..., Path], problems_of: Callable[[Path], list[str]]
) -> None:
    data = {k: v for k, v in GOOD.items() if k != "display_name"}
    assert problems_of(write_spec(tmp_path, data)) == ["display_name: required key is missing"]
    renamed = write_spec(tmp_path, GOOD, name="other-name")
    assert problems_of(renamed) == ["dag_id: must equal the file name 'other-name'"]


def test_invalid_yaml_names_the_line(
    tmp_path: Path, write_spec: Callable[..., Path], problems_of: Callable[[Path], list[str]]
) -> None:
    path = write_spec(tmp_path, "dag_id: x\nsteps: [\n  - id: A\n", name="broken")
    [problem] = problems_of(path)
    assert problem.startswith("line ") and "invalid YAML" in problem


def test_tenants_stamp_per_tenant_jobs(tmp_path: Path, bundle_copy: Callable[[Path], Path]) -> None:
    root = bundle_copy(tmp_path)
    (root / "tenants.yaml").write_text(
        yaml.safe_dump(
            {
                "tenants": [
                    {"name": "nomasx1b", "apps_id": 11, "target_connector": "nomasx1b", "target_schema": "nomasx1b"},
                    {"name": "emea", "apps_id": 12, "source_connector": "jde_emea"},
                ]
            }
        )
    )
    dags, problems = build_bundle(root / "jobs")
    assert problems == []
    assert "deploy-databases" in dags  # per_tenant: false -> built once
    assert "nomasx1b.deploy-databases" not in dags
    stamped = dags["nomasx1b.nomasx1-refresh-views"]
    assert stamped.params.get_param("apps_id").value == 11
    assert stamped.params.get_param("target_schema").value == "nomasx1b"
    assert "tenant:nomasx1b" in stamped.tags
    assert dags["emea.nomasx1-refresh-views"].params.get_param("apps_id").value == 12
    assert "nomasx1-refresh-views" not in dags  # with tenants, every copy is a tenant's


def test_bad_tenants_file_is_reported_and_builds_no_tenant_job(
    tmp_path: Path, bundle_copy: Callable[[Path], Path]
) -> None:
    root = bundle_copy(tmp_path)
    (root / "tenants.yaml").write_text(yaml.safe_dump({"tenants": [{"name": "B!", "apps_id": 0}]}))
    dags, problems = build_bundle(root / "jobs")
    keys = {(str(p.path), p.key) for p in problems}
    assert ("tenants.yaml", "tenants[0].name") in keys and ("tenants.yaml", "tenants[0].apps_id") in keys
    # server-wide install jobs still load; per-tenant jobs are not built with default connections
    assert {"deploy-databases", "nomasx1-init-db"} <= set(dags)
    assert "nomasx1-refresh-views" not in dags and "nomasx1-init-schema-1" not in dags


def test_tenant_params_must_be_declared(tmp_path: Path, bundle_copy: Callable[[Path], Path]) -> None:
    root = bundle_copy(tmp_path)
    (root / "tenants.yaml").write_text(
        yaml.safe_dump({"tenants": [{"name": "b", "apps_id": 2, "params": {"colour": "red"}}]})
    )
    _dags, problems = build_bundle(root / "jobs")
    assert [(p.key, p.reason) for p in problems] == [("tenants[0].params.colour", "no job declares this param")]


def test_missing_tenants_file_and_bad_variable_are_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bundle_copy: Callable[[Path], Path]
) -> None:
    root = bundle_copy(tmp_path)
    monkeypatch.setenv("NOMASX1_TENANTS_FILE", str(tmp_path / "nope.yaml"))
    _dags, problems = build_bundle(root / "jobs")
    assert [p.reason for p in problems] == ["cannot read the tenants file: No such file or directory"]
    monkeypatch.delenv("NOMASX1_TENANTS_FILE")
    monkeypatch.setenv("NOMASX1_TENANTS_FROM_VARIABLE", "1")
    monkeypatch.setenv("AIRFLOW_VAR_NOMASX1_TENANTS", "{not json")
    _dags, problems = build_bundle(root / "jobs")
    assert [str(p.path) for p in problems] == ["Variable nomasx1_tenants"]
    assert problems[0].reason.startswith("invalid JSON")


def test_assets_produced_and_scheduled_on(tmp_path: Path, write_spec: Callable[..., Path]) -> None:
    producer = {**GOOD, "dag_id": "nomasx1-producer-1", "assets": {"produces": ["security.{apps_id}"]}}
    consumer = {**GOOD, "dag_id": "nomasx1-consumer-1", "assets": {"schedule_on": ["security.{apps_id}"]}}
    p_dag = build_dag(read_spec(write_spec(tmp_path, producer)))
    c_dag = build_dag(read_spec(write_spec(tmp_path, consumer)))
    [outlet] = p_dag.get_task("SECOND").outlets
    assert outlet.name == "security.10" and outlet.uri == "nomasx1://security/10"
    assert type(c_dag.timetable).__name__ == "AssetOrTimeSchedule"


def test_tenants_from_an_airflow_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bundle_copy: Callable[[Path], Path]
) -> None:
    root = bundle_copy(tmp_path)
    monkeypatch.setenv("AIRFLOW_VAR_NOMASX1_TENANTS", json.dumps({"tenants": [{"name": "nomasx1c", "apps_id": 13}]}))
    dags, _ = build_bundle(root / "jobs")
    assert "nomasx1c.nomasx1-refresh-views" not in dags  # the Variable is read only when asked to
    monkeypatch.setenv("NOMASX1_TENANTS_FROM_VARIABLE", "1")
    dags, problems = build_bundle(root / "jobs")
    assert problems == []
    assert dags["nomasx1c.nomasx1-refresh-views"].params.get_param("apps_id").value == 13


COPY_STEP = {
    "id": "SYNC_F0005",
    "sql_copy": {"source_schema": "control", "source_table": "F0005", "strip_both_columns": ["DRKY"]},
}


def test_sql_copy_step_becomes_a_sql_copy_operator(tmp_path: Path, write_spec: Callable[..., Path]) -> None:
    from airflow_provider_nomasx1.operators.sql_copy import SYNC_CALLABLE, SqlCopyOperator

    dag = build_dag(read_spec(write_spec(tmp_path, {**GOOD, "steps": [COPY_STEP]})))
    task = dag.get_task("SYNC_F0005")
    assert isinstance(task, SqlCopyOperator) and task.callable_path == SYNC_CALLABLE
    assert task.step_options == {
        "source_table": "F0005",
        "source_schema": "control",
        "target_table": None,
        "mode": "overwrite",
        "key": [],
        "type_coercion": "jde",
        "decimal_mode": "truncate",
        "strip_both_columns": ["DRKY"],
        "columns": [],
        "filter": None,
        "allow_empty": False,
    }
    assert "sql_copy control.F0005 (overwrite)" in dag.doc_md


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        ({**COPY_STEP, "callable": "airflow_provider_nomasx1.collectors.db:refresh_views"}, "exactly one of"),
        ({"id": "A"}, "exactly one of"),
        (
            {"id": "A", "sql_copy": {"source_schema": "control", "source_table": "F0005", "mode": "upsert"}},
            "mode 'upsert' needs a key",
        ),
        (
            {"id": "A", "sql_copy": {"source_schema": "control", "source_table": "F0005; drop"}},
            "steps[0].sql_copy.source_table: String should match pattern",
        ),
        (
            {"id": "A", "sql_copy": {"source_schema": "control", "source_table": "F0005", "columns": ["a b"]}},
            "not plain column names",
        ),
        (
            {"id": "A", "sql_copy": {"source_schema": "control", "source_table": "F0005", "mode": "merge"}},
            "steps[0].sql_copy.mode: Input should be",
        ),
        (
            {"id": "A", "sql_copy": {"source_schema": "control", "source_table": "F0005", "colour": 1}},
            "steps[0].sql_copy.colour: unknown key",
        ),
    ],
)
def test_bad_sql_copy_steps(
    tmp_path: Path, step: dict, expected: str, write_spec: Callable[..., Path], problems_of: Callable[[Path], list[str]]
) -> None:
    problems = problems_of(write_spec(tmp_path, {**GOOD, "steps": [step]}))
    assert any(expected in p for p in problems), problems


# --- validation passes only what the run accepts ---------------------------------------------------


@pytest.mark.parametrize(
    ("sql_copy", "expected"),
    [
        ({"filter": "drsy = '55'; delete from f0005"}, "steps[0].sql_copy.filter: "),
        ({"filter": "drsy = '55' /* all */"}, "give one SQL condition, without ';' or comments"),
        ({"target_table": "x" * 60}, "steps[0].sql_copy: target_table 'xxxx"),
        ({"source_table": "F" * 60}, "is too long: at most 56 bytes"),
        ({"target_table": "collect_audit"}, "a table the sync keeps itself"),
        ({"mode": "upsert", "key": ["DRSY"], "columns": ["DRKY"]}, "must be among the copied columns"),
    ],
)
def test_sql_copy_is_checked_at_parse_time_as_the_run_checks_it(
    tmp_path: Path,
    sql_copy: dict,
    expected: str,
    write_spec: Callable[..., Path],
    problems_of: Callable[[Path], list[str]],
) -> None:
    step = {"id": "A", "sql_copy": {"source_schema": "control", "source_table": "F0005", **sql_copy}}
    problems = problems_of(write_spec(tmp_path, {**GOOD, "steps": [step]}))
    assert any(expected in p for p in problems), problems


def _spec_validate(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    from airflow_provider_nomasx1.cli import main

    code = main(["spec", "validate", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_spec_validate_finds_the_jobs_of_a_bundle_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture, write_spec: Callable[..., Path], bundle_copy: Callable[[Path], Path]
) -> None:
    root = bundle_copy(tmp_path)
    bundled = len(list((root / "jobs").glob("*.yaml")))  # every bundled job builds
    write_spec(root / "jobs", {**GOOD, "dag_id": "nomasx1-bad-1", "retries": True})
    for folder in (root, root / "jobs"):  # the bundle root (dags) or its jobs folder (dags/jobs)
        code, out, err = _spec_validate(capsys, str(folder))
        assert code == 1, (out, err)
        assert "ERROR jobs/nomasx1-bad-1.yaml: retries: must be an integer, not true" in err
        assert f"{bundled} DAG(s) built from {root / 'jobs'}, 1 problem(s)" in out
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, err = _spec_validate(capsys, str(empty))
    assert (
        code == 1
        and err == f"ERROR no job spec (*.yaml) in {empty}: give the bundle folder (e.g. dags) or its jobs folder\n"
    )
    code, out, err = _spec_validate(capsys, str(tmp_path / "nope"))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and f"{tmp_path / 'nope'} does not exist: give the bundle folder" in err
    assert "Traceback" not in err


def test_duplicate_keys_in_tenants_are_errors(tmp_path: Path, bundle_copy: Callable[[Path], Path]) -> None:
    root = bundle_copy(tmp_path)
    (root / "tenants.yaml").write_text("tenants:\n  - name: b\n    apps_id: 11\n    apps_id: 12\n")
    _dags, problems = build_bundle(root / "jobs")
    assert [(str(p.path), p.key, p.reason) for p in problems] == [
        (
            "tenants.yaml",
            "tenants[0].apps_id",
            "duplicate key on line 4 (first on line 3): YAML would keep only the last value",
        )
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"retries": True}, "retries: must be an integer, not true"),
        ({"retry_delay": "300"}, 'retry_delay: must be an integer, not "300"'),
        ({"long_run_alert_minutes": 1.5}, "long_run_alert_minutes: must be an integer, not 1.5"),
        ({"max_active_runs": False}, "max_active_runs: must be an integer, not false"),
        ({"enabled": "yes"}, 'enabled: must be true or false, not "yes"'),
        ({"per_tenant": 1}, "per_tenant: must be true or false, not 1"),
        ({"schedule": 5}, "schedule: must be a string, not 5"),
        ({"params": {"n": {"type": "integer", "minimum": "1"}}}, 'params.n.minimum: must be a number, not "1"'),
        ({"params": {"apps_id": {"default": "abc"}}}, "params.apps_id: default 'abc': 'abc' is not of type 'integer'"),
        ({"params": {"apps_id": {"default": True}}}, "params.apps_id: default True: True is not of type 'integer'"),
        ({"params": {"apps_id": {"default": 0}}}, "params.apps_id: default 0: 0 is less than the minimum of 1"),
        (
            {"steps": [{**GOOD["steps"][1], "params": {"mode": "sideways"}}]},
            "step 'SECOND' overrides param 'mode' with 'sideways': 'sideways' is not one of ['full', 'delta']",
        ),
        (
            {"steps": [{**GOOD["steps"][0], "lock": "no"}]},
            'steps[0].lock: must be true or false, not "no"',
        ),
        (
            {"steps": [{**GOOD["steps"][0], "trigger_rule": "one_failed"}]},
            "steps[0].trigger_rule: Input should be 'all_success' or 'all_done'",
        ),
    ],
)
def test_numbers_and_booleans_are_strict(
    tmp_path: Path,
    change: dict,
    expected: str,
    write_spec: Callable[..., Path],
    problems_of: Callable[[Path], list[str]],
) -> None:
    problems = problems_of(write_spec(tmp_path, {**GOOD, **change}))
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize(
    ("cron", "expected"),
    [
        ("0 3 31 2 *", "schedule: '0 3 31 2 *' never fires (no date matches within 5 years)"),
        ("0 0 31 4,6,9,11 *", "never fires"),
        ("0 0 3 * * *", "schedule: '0 0 3 * * *' has 6 fields: Airflow takes five fields"),
    ],
)
def test_cron_must_fire(
    tmp_path: Path, cron: str, expected: str, write_spec: Callable[..., Path], problems_of: Callable[[Path], list[str]]
) -> None:
    problems = problems_of(write_spec(tmp_path, {**GOOD, "schedule": cron}))
    assert any(expected in p for p in problems), problems
    leap_day = read_spec(write_spec(tmp_path, {**GOOD, "schedule": "0 0 29 2 *"}))
    assert leap_day.schedule == "0 0 29 2 *"  # fires once every four years: accepted


def test_bad_tenant_value_is_blamed_on_the_tenants_file(tmp_path: Path, bundle_copy: Callable[[Path], Path]) -> None:
    root = bundle_copy(tmp_path)
    (root / "tenants.yaml").write_text(
        yaml.safe_dump({"tenants": [{"name": "b", "apps_id": 11, "target_schema": "bad name"}]})
    )
    _dags, problems = build_bundle(root / "jobs")
    assert {str(p.path) for p in problems} == {"tenants.yaml"}, problems
    [problem] = problems
    assert problem.key == "tenants[0].target_schema"
    assert problem.reason.startswith(
        "'bad name' does not match '^[A-Za-z_][A-Za-z0-9_$]{0,62}$' (param 'target_schema' of "
    )
    assert "nomasx1-security-1" in problem.reason
    (root / "tenants.yaml").write_text(yaml.safe_dump({"tenants": [{"name": "b", "apps_id": True}]}))
    _dags, problems = build_bundle(root / "jobs")
    assert [(str(p.path), p.key, p.reason) for p in problems] == [
        ("tenants.yaml", "tenants[0].apps_id", "must be an integer, not true")
    ]


def test_a_multi_line_description_reaches_the_dag_whole(tmp_path: Path, write_spec: Callable[..., Path]) -> None:
    text = "Collects the security\nof one application.\n\nSee docs/security.md\nfor the rules.\n"
    dag = build_dag(read_spec(write_spec(tmp_path, {**GOOD, "description": text, "schedule": None})))
    assert dag.description == "Collects the security of one application."  # the first paragraph, one line
    assert dag.doc_md.startswith("Collects the security\nof one application.\n\nSee docs/security.md\nfor the rules.\n")


@pytest.mark.parametrize("entry", ["security.{apps_id}", "nomasx1://security/{apps_id}"])
def test_asset_names_and_uris_are_written_once(tmp_path: Path, write_spec: Callable[..., Path], entry: str) -> None:
    spec = {**GOOD, "assets": {"produces": [entry], "schedule_on": [entry]}}
    dag = build_dag(read_spec(write_spec(tmp_path, spec)))
    [outlet] = dag.get_task("SECOND").outlets
    assert (outlet.name, outlet.uri) == ("security.10", "nomasx1://security/10")
    [scheduled] = dag.timetable.asset_condition.objects
    assert (scheduled.name, scheduled.uri) == ("security.10", "nomasx1://security/10")


def test_bundled_assets_have_one_scheme() -> None:
    dags, _problems = build_bundle(bundle_dir() / "jobs")
    [outlet] = dags["nomasx1-security-1"].tasks[-1].outlets
    assert (outlet.name, outlet.uri) == ("security.10", "nomasx1://security/10")


def test_bundled_doc_md_names_only_files_of_the_repo() -> None:
    dags, _problems = build_bundle(bundle_dir() / "jobs")
    repo = bundle_dir().parent
    named = {(dag_id, m) for dag_id, dag in dags.items() for m in re.findall(r"[\w./-]+\.md\b", dag.doc_md or "")}
    assert named, "the bundled jobs point at their docs"
    assert [(dag_id, name) for dag_id, name in sorted(named) if not (repo / name).is_file()] == []


def test_an_empty_default_the_trigger_form_would_refuse_is_a_spec_error(
    tmp_path: Path, write_spec: Callable[..., Path], problems_of: Callable[[Path], list[str]]
) -> None:
    params = {**GOOD["params"], "as_of": {"default": "", "type": "string"}}
    [problem] = problems_of(write_spec(tmp_path, {**GOOD, "params": params}))
    assert problem.startswith("params.as_of: ")
    assert 'the trigger form counts "" as missing' in problem and 'type: [string, "null"]' in problem
    params["as_of"] = {"default": "", "type": ["string", "null"]}
    assert read_spec(write_spec(tmp_path, {**GOOD, "params": params})).params["as_of"].default == ""


def test_spec_validate_dags_from_the_checkout(capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command of the issue, as typed at the top of the checkout: every bundled DAG, exit 0."""
    monkeypatch.chdir(bundle_dir().parent)
    count = len(list((bundle_dir() / "jobs").glob("*.yaml")))
    code, out, err = _spec_validate(capsys, "dags")
    assert (code, out, err) == (0, f"{count} DAG(s) built from dags/jobs, 0 problem(s)\n", "")


@pytest.mark.parametrize(
    ("change", "kind", "timetable"),
    [
        ({}, "once", "CronTriggerTimetable"),  # maintenance family
        ({"family": "security"}, "snapshot", "CronTriggerTimetable"),
        ({"family": "sync"}, "snapshot", "CronTriggerTimetable"),
        ({"family": "licence"}, "interval", "CronDataIntervalTimetable"),
        ({"family": "security", "kind": "interval"}, "interval", "CronDataIntervalTimetable"),
    ],
)
def test_the_job_kind_comes_from_the_family_and_sets_the_timetable(
    tmp_path: Path, write_spec: Callable[..., Path], change: dict, kind: str, timetable: str
) -> None:
    from airflow.serialization.encoders import coerce_to_core_timetable

    spec = read_spec(write_spec(tmp_path, {**GOOD, **change}))
    assert spec.kind == kind
    dag = build_dag(spec)
    assert type(coerce_to_core_timetable(dag.timetable)).__name__ == timetable
    assert {task.job_kind for task in dag.tasks} == {kind}  # every step refuses what the kind refuses


def test_an_interval_job_covers_the_time_since_the_previous_tick(
    tmp_path: Path, write_spec: Callable[..., Path]
) -> None:
    from airflow.serialization.encoders import coerce_to_core_timetable
    from airflow.timetables.base import TimeRestriction

    dag = build_dag(read_spec(write_spec(tmp_path, {**GOOD, "family": "licence"})))
    timetable = coerce_to_core_timetable(dag.timetable)
    start = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)
    info = timetable.next_dagrun_info(
        last_automated_data_interval=None, restriction=TimeRestriction(start, None, catchup=True)
    )
    # 02:30 Paris (01:30 UTC) on 11-28 to 02:30 on 11-29: the run of 11-29 covers the day before it
    assert info.data_interval.start == dt.datetime(2026, 11, 28, 1, 30, tzinfo=dt.UTC)
    assert info.data_interval.end == dt.datetime(2026, 11, 29, 1, 30, tzinfo=dt.UTC)


def test_bundled_snapshot_jobs_refuse_backfills() -> None:
    """The families the run order protects: a backfill of these would overwrite the current state."""
    found, problems = read_specs(bundle_dir() / "jobs")
    assert problems == []
    specs = {spec.dag_id: spec for spec in found}
    assert {d for d, s in specs.items() if s.kind == "snapshot"} == {
        "nomasx1-security-1",
        "nomasx1-ldap-1",
        "nomasx1-database-1",
        "nomasx1-sod-1",
        "nomajde-daily-sync",
    }
    assert all(s.kind == "once" for d, s in specs.items() if s.family in ("install", "preload", "maintenance"))
