"""Tenants: the same bundled jobs stamped once per JDE instance / target database.

Without a tenants list each job is built once with its spec's defaults. With one, every job whose
spec says ``per_tenant: true`` is built once per tenant, its DAG id prefixed with the tenant name
(``nomasx1b.nomasx1-security-1``) and its param defaults replaced by the tenant's values.

The list comes from the file named by ``NOMASX1_TENANTS_FILE`` (which must exist), else from
``tenants.yaml`` beside the jobs folder, else from the Airflow Variable ``nomasx1_tenants`` (JSON),
read only when ``NOMASX1_TENANTS_FROM_VARIABLE=1`` so that parsing makes no database call by default.
Any problem with the list is an error: the per-tenant jobs are then not built at all, never built
with the default connections instead. Each tenant value is checked against the params of the jobs
it is stamped on (the JSON schema Airflow checks a run with), so a bad value is reported as
``tenants.yaml: tenants[0].target_schema: ...``, not as a failure of the job spec.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from airflow_provider_nomasx1.dagspec.loader import SpecFileError, SpecProblem, load_yaml, problems_from_validation
from airflow_provider_nomasx1.dagspec.model import JobSpec

TENANTS_FILE = "tenants.yaml"
TENANTS_VARIABLE = "nomasx1_tenants"
#: the params a tenant sets as keys of its own (the others go under ``params``)
TENANT_KEYS = ("apps_id", "source_connector", "target_connector", "target_schema")


class TenantSpec(BaseModel):
    """One tenant: its name and the param defaults its DAGs get."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,30}$")
    apps_id: int = Field(ge=1)
    source_connector: str | None = None
    target_connector: str | None = None
    target_schema: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("params")
    @classmethod
    def _no_duplicates(cls, value: dict[str, Any]) -> dict[str, Any]:
        clash = sorted(set(TENANT_KEYS) & set(value))
        if clash:
            raise ValueError(f"set {clash} as tenant keys, not under params")
        return value

    def param_defaults(self) -> dict[str, Any]:
        """The param defaults this tenant imposes on its DAGs."""
        defaults = {"apps_id": self.apps_id, **self.params}
        for key in ("source_connector", "target_connector", "target_schema"):
            if getattr(self, key) is not None:
                defaults[key] = getattr(self, key)
        return defaults


class TenantsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    tenants: list[TenantSpec] = Field(default_factory=list)

    @field_validator("tenants")
    @classmethod
    def _unique(cls, value: list[TenantSpec]) -> list[TenantSpec]:
        names = [t.name for t in value]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate tenant name(s) {dupes}")
        return value


def _parse(data: Any, origin: Path, specs: Sequence[JobSpec]) -> list[TenantSpec]:
    if data is None:
        return []
    try:
        tenants = list(TenantsFile.model_validate(data).tenants)
    except ValidationError as exc:
        raise SpecFileError(problems_from_validation(origin, exc)) from None
    declared = {name for spec in specs for name in spec.params}
    problems = [
        SpecProblem(origin, f"tenants[{i}].params.{name}", "no job declares this param")
        for i, tenant in enumerate(tenants)
        for name in sorted(set(tenant.params) - declared)
    ]
    problems += [problem for i, tenant in enumerate(tenants) for problem in _value_problems(origin, i, tenant, specs)]
    if problems:
        raise SpecFileError(problems)
    return tenants


def _value_problems(origin: Path, index: int, tenant: TenantSpec, specs: Sequence[JobSpec]) -> list[SpecProblem]:
    """Tenant values the params of its jobs would refuse, each blamed on the tenants list."""
    problems = []
    for name, value in tenant.param_defaults().items():
        refused: dict[str, list[str]] = {}
        for spec in specs:
            if spec.per_tenant and name in spec.params:
                reason = spec.params[name].problem(value)
                if reason:
                    refused.setdefault(reason, []).append(spec.dag_id)
        key = f"tenants[{index}].{name}" if name in TENANT_KEYS else f"tenants[{index}].params.{name}"
        for reason, jobs in sorted(refused.items()):
            problems.append(SpecProblem(origin, key, f"{reason} (param {name!r} of {', '.join(jobs)})"))
    return problems


def _read_file(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecFileError([SpecProblem(path, "", f"cannot read the tenants file: {exc.strerror}")]) from None
    return load_yaml(text, path)


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """json.loads hook: a key given twice is an error (JSON too would keep the last value)."""
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"duplicate key {key!r}: JSON would keep only the last value")
        seen[key] = value
    return seen


def _read_variable() -> Any:
    from airflow.sdk import Variable

    origin = Path(f"Variable {TENANTS_VARIABLE}")
    raw = Variable.get(TENANTS_VARIABLE, default=None)
    try:
        return json.loads(raw, object_pairs_hook=_unique_pairs) if raw else None
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        raise SpecFileError([SpecProblem(origin, "", f"invalid JSON: {exc}")]) from None


def load_tenants(bundle_dir: Path, specs: Sequence[JobSpec] = ()) -> list[TenantSpec]:
    """The configured tenants (empty list: build every job once with its own defaults).

    Raises :class:`SpecFileError` for any problem with the list (see the module docstring).
    """
    if os.environ.get("NOMASX1_TENANTS_FILE"):
        path = Path(os.environ["NOMASX1_TENANTS_FILE"])
        return _parse(_read_file(path), path, specs)
    if (bundle_dir / TENANTS_FILE).is_file():
        return _parse(_read_file(bundle_dir / TENANTS_FILE), bundle_dir / TENANTS_FILE, specs)
    if os.environ.get("NOMASX1_TENANTS_FROM_VARIABLE") == "1":
        return _parse(_read_variable(), Path(f"Variable {TENANTS_VARIABLE}"), specs)
    return []
