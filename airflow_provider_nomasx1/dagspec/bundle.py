"""Load the whole bundle (every spec and tenant) and expose it to Airflow.

Airflow records import errors per *Python* file, and an exception raised while the loader module
runs would hide every DAG of the bundle. So the loader never raises for one bad spec: it builds
the good ones, and reports the bad ones through :class:`SpecErrorReport`, a DAG-shaped carrier
whose ``validate()`` fails. The DAG processor validates each DAG before bagging it and records a
failure as an import error of the loader file, with our message naming each spec file, key and
reason; the carrier itself is never bagged, and the valid DAGs load as usual.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from airflow.dag_processing.bundles.local import LocalDagBundle
from airflow.sdk import DAG

from airflow_provider_nomasx1.dagspec.builder import build_dag, dag_id_for
from airflow_provider_nomasx1.dagspec.loader import SpecFileError, SpecProblem, read_specs
from airflow_provider_nomasx1.dagspec.tenants import load_tenants
from airflow_provider_nomasx1.resources import bundle_dir

log = logging.getLogger(__name__)

JOBS_FOLDER = "jobs"
ERROR_REPORT_DAG_ID = "nomasx1-spec-errors"


class SpecErrorReport(DAG):
    """Not a runnable DAG: the carrier of the bundle's spec errors (see the module docstring)."""

    problems: list[SpecProblem]

    def validate(self) -> None:
        raise SpecFileError(self.problems)


def _error_report(problems: list[SpecProblem]) -> SpecErrorReport:
    report = SpecErrorReport(dag_id=ERROR_REPORT_DAG_ID, schedule=None)
    report.problems = problems
    return report


def build_bundle(jobs_dir: Path, tenants_dir: Path | None = None) -> tuple[dict[str, DAG], list[SpecProblem]]:
    """All DAGs of a jobs folder, keyed by dag_id, and the problems of the specs that failed."""
    specs, problems = read_specs(jobs_dir)
    try:
        tenants = load_tenants(tenants_dir or jobs_dir.parent)
    except SpecFileError as exc:
        problems.extend(exc.problems)
        tenants = []
    dags: dict[str, DAG] = {}
    for spec in specs:
        stamps = tenants if (tenants and spec.per_tenant) else [None]
        for tenant in stamps:
            try:
                dag = build_dag(spec, tenant)
            except Exception as exc:  # an Airflow-level rejection of a spec that validated
                problems.append(
                    SpecProblem(jobs_dir / f"{spec.dag_id}.yaml", "", f"{type(exc).__name__}: {exc}")
                )
                continue
            dags[dag_id_for(spec, tenant)] = dag
    root = jobs_dir.parent
    return dags, [p.relative_to(root) for p in problems]


def load_bundle(loader_file: str | Path | None = None) -> dict[str, Any]:
    """Module globals for the bundle's loader file: every DAG, plus the error carrier if needed."""
    root = Path(loader_file).resolve().parent if loader_file else bundle_dir()
    dags, problems = build_bundle(root / JOBS_FOLDER)
    found: dict[str, Any] = {_global_name(dag_id): dag for dag_id, dag in dags.items()}
    if problems:
        for problem in problems:
            log.error("nomasx1 job spec error: %s", problem)
        found["_nomasx1_spec_errors"] = _error_report(problems)
    return found


def _global_name(dag_id: str) -> str:
    return "dag_" + "".join(c if c.isalnum() else "_" for c in dag_id)


class Nomasx1DagBundle(LocalDagBundle):
    """The bundled jobs, served from the installed package (no checkout needed).

    Add to ``[dag_processor] dag_bundle_config_list``::

        {"name": "nomasx1", "classpath": "airflow_provider_nomasx1.dagspec.bundle.Nomasx1DagBundle",
         "kwargs": {}}

    ``kwargs.path`` may point at a copy of the bundle (for local changes to the specs).
    """

    def __init__(self, *, path: str | None = None, **kwargs: Any) -> None:
        super().__init__(path=path or str(bundle_dir()), **kwargs)
