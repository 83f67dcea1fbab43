"""Load the whole bundle (every spec and tenant) and expose it to Airflow.

Airflow tracks import errors per *Python* file, and marks every DAG defined by a file with an
import error as stale (the scheduler then skips them). So the bundle has two loader files:

- ``nomasx1_jobs.py`` builds the DAGs of the valid specs and never fails because of a bad one;
- ``nomasx1_spec_check.py`` defines no DAG: it raises when a spec is wrong, so the problems show
  up as *its* import error (each as ``file: key: reason``) while every valid DAG stays scheduled.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from airflow.dag_processing.bundles.local import LocalDagBundle
from airflow.sdk import DAG

from airflow_provider_nomasx1.dagspec.builder import build_dag, dag_id_for
from airflow_provider_nomasx1.dagspec.loader import SpecFileError, SpecProblem, read_specs
from airflow_provider_nomasx1.dagspec.tenants import TenantSpec, load_tenants
from airflow_provider_nomasx1.resources import bundle_dir

log = logging.getLogger(__name__)

JOBS_FOLDER = "jobs"
CHECK_FILE = "nomasx1_spec_check.py"


def build_bundle(jobs_dir: Path, tenants_dir: Path | None = None) -> tuple[dict[str, DAG], list[SpecProblem]]:
    """All DAGs of a jobs folder, keyed by dag_id, and the problems of the specs that failed."""
    specs, problems = read_specs(jobs_dir)
    try:
        tenants: list[TenantSpec] | None = load_tenants(tenants_dir or jobs_dir.parent, specs)
    except SpecFileError as exc:
        # never fall back to untenanted DAGs: they would run against the default connections
        problems.extend(exc.problems)
        tenants = None
    dags: dict[str, DAG] = {}
    for spec in specs:
        if spec.per_tenant and tenants is None:
            continue
        stamps = tenants if (tenants and spec.per_tenant) else [None]
        for tenant in stamps:
            try:
                dag = build_dag(spec, tenant)
            except Exception as exc:  # an Airflow-level rejection of a spec that validated
                stamped = f" (stamped for tenant {tenant.name!r})" if tenant else ""
                reason = f"{type(exc).__name__}: {exc}{stamped}"
                problems.append(SpecProblem(jobs_dir / f"{spec.dag_id}.yaml", "", reason))
                continue
            dags[dag_id_for(spec, tenant)] = dag
    root = jobs_dir.parent
    return dags, [p.relative_to(root) for p in problems]


def load_bundle(loader_file: str | Path | None = None) -> dict[str, Any]:
    """Module globals for ``nomasx1_jobs.py``: the DAGs of every valid spec (bad specs are logged)."""
    dags, problems = build_bundle(_jobs_dir(loader_file))
    for problem in problems:
        log.error("nomasx1 job spec error (reported by %s): %s", CHECK_FILE, problem)
    return {_global_name(dag_id): dag for dag_id, dag in dags.items()}


def check_bundle(loader_file: str | Path | None = None) -> None:
    """For ``nomasx1_spec_check.py``: raise :class:`SpecFileError` listing every spec problem."""
    _dags, problems = build_bundle(_jobs_dir(loader_file))
    if problems:
        raise SpecFileError(problems)


def _jobs_dir(loader_file: str | Path | None) -> Path:
    root = Path(loader_file).resolve().parent if loader_file else bundle_dir()
    return root / JOBS_FOLDER


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
