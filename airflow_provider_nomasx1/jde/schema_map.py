"""Where the JDE tables live: the schema map carried by the `jdedwards` connection's extras.

JDE spreads its tables over several schemas (data sources). Production Oracle installs use
upper-case names (SY920, PRODCTL, PRODDTA...); PostgreSQL test sources use lower-case names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from airflow_provider_nomasx1.sqlident import checked

#: extras key holding the schema map in the `jdedwards` connection
EXTRAS_KEY = "schemas"


@dataclass(frozen=True)
class JdeSchemaMap:
    """Physical schema of each JDE data source (defaults: a 9.2 Pristine/PS920 install)."""

    system: str = "SY920"
    control: str = "PS920CTL"
    data: str = "PS920DTA"
    object_librarian: str = "OL920"
    data_dictionary: str = "DD920"
    central_objects: str = "PD920"
    server_map: str = "SVM920"
    #: schema holding F00950 (the security workbench); some sites keep it outside `system`
    security: str | None = None

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None:
                checked(value, f"JDE schema for {f.name}")

    @property
    def security_schema(self) -> str:
        return self.security or self.system

    def lower(self) -> JdeSchemaMap:
        """The same map in lower case (PostgreSQL sources use unquoted lower-case names)."""
        return JdeSchemaMap(**{k: (v.lower() if v else v) for k, v in asdict(self).items()})

    @classmethod
    def from_extras(cls, extras: Mapping[str, Any] | None) -> JdeSchemaMap:
        """Build from connection extras: the form's flat ``schema_system``, ``schema_control``...
        fields, overridden by an explicit ``{"schemas": {"system": "SY920", ...}}`` object."""
        extras = extras or {}
        raw = {
            k.removeprefix("schema_"): v for k, v in extras.items() if k.startswith("schema_") and v not in (None, "")
        }
        raw.update(extras.get(EXTRAS_KEY) or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(raw) - known)
        if unknown:
            from airflow_provider_nomasx1.errors import ConfigurationError

            raise ConfigurationError(
                f"Unknown JDE schema key(s) {unknown} in the connection extras '{EXTRAS_KEY}'; "
                f"valid keys: {sorted(known)}."
            )
        return cls(**raw)

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)
