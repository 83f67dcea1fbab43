"""The bundle loader parsed by Airflow's DagBag: broken specs are import errors and the others load,
the shipped jobs, duplicate keys, the trigger rule of independent steps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from airflow.dag_processing.dagbag import DagBag
from support.dagspec import GOOD

from airflow_provider_nomasx1.dagspec.builder import build_dag
from airflow_provider_nomasx1.dagspec.loader import read_spec
from airflow_provider_nomasx1.resources import bundle_dir

INSTALL_DAGS = {
    "deploy-databases",
    "nomasx1-init-db",
    "nomasx1-init-schema-1",
    "nomasx1-upgrade-schema-1",
    "nomasx1-refresh-views",
}


def test_broken_specs_are_import_errors_and_the_others_load(
    tmp_path: Path, write_spec: Callable[..., Path], bundle_copy: Callable[[Path], Path]
) -> None:
    root = bundle_copy(tmp_path)
    write_spec(root / "jobs", {**GOOD, "dag_id": "nomasx1-bad-1", "colour": "red"})
    write_spec(root / "jobs", {**GOOD, "dag_id": "nomasx1-bad-2", "schedule": "every day"})
    write_spec(root / "jobs", "dag_id: [\n", name="nomasx1-bad-3")
    write_spec(root / "jobs", {**GOOD, "dag_id": "nomasx1-bad-4", "steps": [{"id": "A", "callable": "x.y:z"}]})
    bag = DagBag(dag_folder=str(root))
    assert INSTALL_DAGS <= set(bag.dags)
    assert not any(d.startswith("nomasx1-bad") for d in bag.dags)
    [(path, message)] = bag.import_errors.items()
    assert path.endswith("nomasx1_spec_check.py")  # not the file that defines the DAGs
    assert "jobs/nomasx1-bad-1.yaml: colour: unknown key" in message
    assert "jobs/nomasx1-bad-2.yaml: schedule: 'every day' is not a valid cron expression" in message
    assert "jobs/nomasx1-bad-3.yaml: line 2, column 1: invalid YAML" in message
    assert "jobs/nomasx1-bad-4.yaml: steps[0].callable: cannot resolve callable 'x.y:z'" in message


def test_shipped_bundle_loads_without_errors() -> None:
    bag = DagBag(dag_folder=str(bundle_dir()))
    assert bag.import_errors == {}
    assert INSTALL_DAGS <= set(bag.dags)
    for dag_id in INSTALL_DAGS:
        assert bag.dags[dag_id].is_paused_upon_creation, f"{dag_id} must ship disabled"
    assert "apps_id" in bag.dags["nomasx1-refresh-views"].params


def test_shipped_daily_sync_job() -> None:
    bag = DagBag(dag_folder=str(bundle_dir()))
    dag = bag.dags["nomajde-daily-sync"]
    assert [t.task_id for t in dag.tasks] == [
        f"SYNC_{t}" for t in ("F0004", "F0005", "F9200", "F9202", "F9210", "F9860", "F9865")
    ]
    assert dag.is_paused_upon_creation and dag.default_args["retries"] == 2
    assert dag.deadline[0].interval == dt.timedelta(minutes=120)
    f0005 = dag.get_task("SYNC_F0005").step_options
    assert (f0005["source_schema"], f0005["strip_both_columns"], f0005["decimal_mode"]) == (
        "control",
        ["DRKY"],
        "truncate",
    )
    assert dag.params.get_param("target_connector").value == "nomajde"


DUPLICATED = """\
dag_id: nomasx1-dup-1
family: maintenance
display_name: Duplicate keys
description: x
schedule: null
schedule: "* * * * *"
steps:
  - id: A
    callable: airflow_provider_nomasx1.collectors.db:refresh_views
    lock: false
    lock: true
"""


def test_duplicate_keys_are_errors_at_every_level(
    tmp_path: Path,
    write_spec: Callable[..., Path],
    problems_of: Callable[[Path], list[str]],
    bundle_copy: Callable[[Path], Path],
) -> None:
    path = write_spec(tmp_path, DUPLICATED, name="nomasx1-dup-1")
    assert problems_of(path) == [
        "schedule: duplicate key on line 6 (first on line 5): YAML would keep only the last value",
        "steps[0].lock: duplicate key on line 11 (first on line 10): YAML would keep only the last value",
    ]
    # keys YAML resolves to the same value are the same key; a merge key (<<) is not a duplicate
    same = write_spec(tmp_path, "a: &x {k: 1}\nb:\n  <<: *x\n  k: 2\n1: one\n0x1: again\n", name="same")
    assert problems_of(same) == ["0x1: duplicate key on line 6 (first on line 5): YAML would keep only the last value"]
    root = bundle_copy(tmp_path / "b")
    (root / "jobs" / "nomasx1-dup-1.yaml").write_text(DUPLICATED)
    bag = DagBag(dag_folder=str(root))
    [message] = bag.import_errors.values()
    assert "jobs/nomasx1-dup-1.yaml: schedule: duplicate key on line 6 (first on line 5)" in message
    assert "nomasx1-dup-1" not in bag.dags


def test_independent_steps_get_the_all_done_trigger_rule(tmp_path: Path, write_spec: Callable[..., Path]) -> None:
    steps = [GOOD["steps"][0], {**GOOD["steps"][1], "trigger_rule": "all_done"}]
    dag = build_dag(read_spec(write_spec(tmp_path, {**GOOD, "steps": steps})))
    assert [t.trigger_rule for t in dag.tasks] == ["all_success", "all_done"]
    sync = DagBag(dag_folder=str(bundle_dir())).dags["nomajde-daily-sync"]
    assert [t.trigger_rule for t in sync.tasks] == ["all_success"] + ["all_done"] * 6
