"""Bundle parse time: our YAML loader versus dag-factory building the same DAGs, in one run.

Both sides are parsed the way the DAG processor does it (a fresh ``DagBag`` over a folder holding
one loader file and the YAML specs). The bundle is scaled up by stamping copies of the shipped
specs (``--jobs``) so that per-DAG cost dominates. The dag-factory YAML is generated from our specs
(same dag ids, params, schedule, retries, tags, operators and step arguments); deadline alerts are
off on both sides because dag-factory cannot express one. Our side also validates every spec and
resolves every callable, which dag-factory does not. The rounds alternate between the two sides so
that a busy machine slows both alike.

Last line: ``ratio nomasx1/dag-factory parse time: R`` (below 1 means we parse faster).
``--smoke`` parses only the shipped specs, once per side: a check that the benchmark still runs.
"""

from __future__ import annotations

import argparse
import atexit
import importlib.util
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

if "AIRFLOW_HOME" not in os.environ:  # a throwaway Airflow home, removed at exit (children inherit it)
    os.environ["AIRFLOW_HOME"] = tempfile.mkdtemp(prefix="nomasx1-bench-")
    atexit.register(shutil.rmtree, os.environ["AIRFLOW_HOME"], ignore_errors=True)
os.environ.update(
    {
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "ERROR",
        "AIRFLOW__DAG_FACTORY__ENABLE_TELEMETRY": "False",
        "DO_NOT_TRACK": "1",
        "NOMASX1_DEADLINES": "off",
    }
)

import yaml
from airflow.dag_processing.dagbag import DagBag

from airflow_provider_nomasx1.dagspec.loader import read_specs
from airflow_provider_nomasx1.dagspec.model import JobSpec
from airflow_provider_nomasx1.resources import bundle_dir

OPERATOR = "airflow_provider_nomasx1.operators.step.Nomasx1StepOperator"
DAGFACTORY_LOADER = '''"""dag-factory loader (airflow dag)."""
from pathlib import Path
from dagfactory import load_yaml_dags

load_yaml_dags(globals_dict=globals(), config_filepath=str(Path(__file__).parent / "jobs.yml"))
'''


def stamped_specs(count: int) -> list[dict]:
    """``count`` spec documents: the shipped ones, then numbered copies of them."""
    specs, problems = read_specs(bundle_dir() / "jobs")
    assert not problems, problems
    base = [s.model_dump(mode="json", exclude_defaults=True) for s in specs]
    out = []
    for i in range(count):
        doc = dict(base[i % len(base)])
        if i >= len(base):
            doc["dag_id"] = f"{doc['dag_id']}-copy{i}"
        out.append(doc)
    return out


def write_ours(root: Path, docs: list[dict]) -> None:
    (root / "jobs").mkdir(parents=True)
    (root / "nomasx1_jobs.py").write_text((bundle_dir() / "nomasx1_jobs.py").read_text())
    for doc in docs:
        (root / "jobs" / f"{doc['dag_id']}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))


def to_dagfactory(spec: JobSpec) -> dict:
    """The same DAG in dag-factory's YAML dialect (``__type__`` objects for Param and timetable)."""
    params = {}
    for name, p in spec.params.items():
        params[name] = {
            "__type__": "airflow.sdk.Param",
            "default": p.default,
            "description": p.description,
            **p.schema_kwargs(),
        }
    dag: dict = {
        "dag_display_name": spec.display_name,
        "description": spec.description.strip().splitlines()[0],
        "doc_md": spec.description,
        "start_date": "2024-01-01",
        "catchup": False,
        "is_paused_upon_creation": not spec.enabled,
        "max_active_runs": spec.max_active_runs,
        "tags": sorted({"nomasx1", spec.family, *spec.tags}),
        "params": params,
        "default_args": {"owner": "nomasx1", "retries": spec.retries, "retry_delay_sec": spec.retry_delay},
        "schedule": (
            {"__type__": "airflow.sdk.CronTriggerTimetable", "expression": spec.schedule, "timezone": spec.timezone}
            if spec.schedule
            else None
        ),
        "tasks": [],
    }
    previous = None
    for step in spec.steps:
        task = {
            "task_id": step.id,
            "operator": OPERATOR,
            "callable_path": step.callable,
            "step_params": dict(step.params),
            "job_id": spec.dag_id,
            "lock": step.lock,
            "audit": step.audit,
        }
        if previous:
            task["dependencies"] = [previous]
        dag["tasks"].append(task)
        previous = step.id
    return dag


def write_dagfactory(root: Path, docs: list[dict]) -> None:
    root.mkdir(parents=True)
    (root / "dagfactory_jobs.py").write_text(DAGFACTORY_LOADER)
    config = {doc["dag_id"]: to_dagfactory(JobSpec.model_validate(doc)) for doc in docs}
    (root / "jobs.yml").write_text(yaml.safe_dump(config, sort_keys=False))


def parse_seconds(folder: Path, expected: int) -> float:
    """One fresh ``DagBag`` over ``folder``; exits when it does not hold exactly the expected DAGs."""
    start = time.perf_counter()
    bag = DagBag(dag_folder=str(folder))
    seconds = time.perf_counter() - start
    if len(bag.dags) != expected or bag.import_errors:
        sys.exit(f"{folder}: {len(bag.dags)} DAGs (expected {expected}), errors {bag.import_errors}")
    return seconds


def median_seconds(folders: tuple[Path, ...], expected: int, rounds: int) -> list[float]:
    """Median parse time of each folder, the folders taking turns within every round."""
    times: list[list[float]] = [[] for _ in folders]
    for _ in range(rounds):
        for i, folder in enumerate(folders):
            times[i].append(parse_seconds(folder, expected))
    return [statistics.median(t) for t in times]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100, help="DAGs in the bundle (stamped copies)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--smoke", action="store_true", help="shipped specs only, one round: does it still run")
    args = parser.parse_args()
    if importlib.util.find_spec("dagfactory") is None:
        sys.exit("dag-factory (the anchor) is not installed: pip install -c constraints.txt -e '.[test,bench]'")
    if args.smoke:
        args.jobs, args.rounds = len(read_specs(bundle_dir() / "jobs")[0]), 1
    docs = stamped_specs(args.jobs)
    with tempfile.TemporaryDirectory() as tmp:
        ours, theirs = Path(tmp) / "nomasx1", Path(tmp) / "dagfactory"
        write_ours(ours, docs)
        write_dagfactory(theirs, docs)
        median_seconds((ours, theirs), args.jobs, 1)  # warm imports for both sides
        t_ours, t_theirs = median_seconds((ours, theirs), args.jobs, args.rounds)
    print(f"DAGs: {args.jobs}, rounds: {args.rounds} (median)")
    print(f"nomasx1 bundle:  {t_ours * 1000:8.1f} ms  ({t_ours / args.jobs * 1000:.2f} ms per DAG)")
    print(f"dag-factory:     {t_theirs * 1000:8.1f} ms  ({t_theirs / args.jobs * 1000:.2f} ms per DAG)")
    print(f"ratio nomasx1/dag-factory parse time: {t_ours / t_theirs:.2f}")


if __name__ == "__main__":
    main()
