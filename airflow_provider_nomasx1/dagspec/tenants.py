"""Tenants: the same bundled jobs stamped once per JDE instance / target database.

Without a tenants list each job is built once with its spec's defaults. With one, every job whose
spec says ``per_tenant: true`` is built once per tenant, its DAG id prefixed with the tenant name
(``nomasx1b.nomasx1-security-1``) and its param defaults replaced by the tenant's values.

The list comes from ``tenants.yaml`` beside the jobs folder, else from the file named by
``NOMASX1_TENANTS_FILE``, else from the Airflow Variable ``nomasx1_tenants`` (JSON), read only when
``NOMASX1_TENANTS_FROM_VARIABLE=1`` so that parsing makes no database call by default.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from airflow_provider_nomasx1.dagspec.loader import SpecFileError, SpecProblem, _problems_from_validation

TENANTS_FILE = "tenants.yaml"
TENANTS_VARIABLE = "nomasx1_tenants"


class TenantSpec(BaseModel):
    """One tenant: its name and the param defaults its DAGs get."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,30}$")
    apps_id: int = Field(ge=1)
    source_connector: str | None = None
    target_connector: str | None = None
    target_schema: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("params")
    @classmethod
    def _no_duplicates(cls, value: dict[str, Any]) -> dict[str, Any]:
        reserved = {"apps_id", "source_connector", "target_connector", "target_schema"}
        clash = sorted(reserved & set(value))
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
    model_config = ConfigDict(extra="forbid", frozen=True)

    tenants: list[TenantSpec] = Field(default_factory=list)

    @field_validator("tenants")
    @classmethod
    def _unique(cls, value: list[TenantSpec]) -> list[TenantSpec]:
        names = [t.name for t in value]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate tenant name(s) {dupes}")
        return value


def _parse(data: Any, origin: Path) -> list[TenantSpec]:
    if data is None:
        return []
    try:
        return list(TenantsFile.model_validate(data).tenants)
    except ValidationError as exc:
        raise SpecFileError(_problems_from_validation(origin, exc)) from None


def _from_variable() -> Any:
    from airflow.sdk import Variable

    raw = Variable.get(TENANTS_VARIABLE, default=None)
    return json.loads(raw) if raw else None


def load_tenants(bundle_dir: Path) -> list[TenantSpec]:
    """The configured tenants (empty list: build every job once with its own defaults)."""
    candidates = [bundle_dir / TENANTS_FILE]
    if os.environ.get("NOMASX1_TENANTS_FILE"):
        candidates.insert(0, Path(os.environ["NOMASX1_TENANTS_FILE"]))
    for path in candidates:
        if path.is_file():
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except yaml.YAMLError as exc:
                raise SpecFileError([SpecProblem(path, "", f"invalid YAML: {exc}")]) from None
            return _parse(data, path)
    if os.environ.get("NOMASX1_TENANTS_FROM_VARIABLE") == "1":
        return _parse(_from_variable(), Path(f"Variable {TENANTS_VARIABLE}"))
    return []
