"""Where the JDE tables live: the schema map carried by the `jdedwards` connection's extras.

JDE spreads its tables over several schemas (data sources). Production Oracle installs use
upper-case names (SY920, PRODCTL, PRODDTA...); PostgreSQL test sources use lower-case names.
The defaults and what each data source holds are written here once: the connection form
(``get_provider_info.py``) is built from :func:`data_sources`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from airflow_provider_nomasx1.pg.identifiers import checked

#: extras key holding the schema map in the `jdedwards` connection
EXTRAS_KEY = "schemas"


@dataclass(frozen=True)
class JdeSchemaMap:
    """Physical schema of each JDE data source (defaults: a 9.2 Pristine/PS920 install)."""

    system: str = field(default="SY920", metadata={"holds": "System (F0092, F00950, F95921...)"})
    control: str = field(default="PS920CTL", metadata={"holds": "Control tables (F0004, F0005, F9000...)"})
    data: str = field(default="PS920DTA", metadata={"holds": "Business data (F0101, F060116...)"})
    object_librarian: str = field(default="OL920", metadata={"holds": "Object librarian (F9860, F9865)"})
    data_dictionary: str = field(default="DD920", metadata={"holds": "Data dictionary (F9200, F9202, F9210)"})
    central_objects: str = field(default="PD920", metadata={"holds": "Central objects (F983051)"})
    server_map: str = field(default="SVM920", metadata={"holds": "Server map"})
    #: schema holding F00950 (the security workbench); some sites keep it outside `system`
    security: str | None = field(
        default=None, metadata={"holds": "security workbench F00950 (if not the system schema)"}
    )

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


@dataclass(frozen=True)
class DataSource:
    """One data source of the schema map as the connection form shows it."""

    key: str  # field of JdeSchemaMap (the form's extras key is ``schema_<key>``)
    holds: str  # what the schema holds, e.g. "System (F0092, F00950, F95921...)"
    default: str | None  # default schema; None: optional (``security`` falls back on ``system``)


def data_sources() -> tuple[DataSource, ...]:
    """Every data source of :class:`JdeSchemaMap`, in declaration order, with its default."""
    return tuple(DataSource(f.name, f.metadata["holds"], f.default) for f in fields(JdeSchemaMap))
