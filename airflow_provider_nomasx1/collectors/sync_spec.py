"""The ``sql_copy`` step's options: one model, checked when the spec is parsed and again when it runs.

:class:`SqlCopySpec` is the block as written in a job spec (``sql_copy:``). Every rule lives here:
plain identifiers, a target name that still fits PostgreSQL's 63 bytes once staged as
``<table>__stage``, one SQL condition as filter, a key for ``upsert`` that is among the copied
columns, strict booleans. The spec model (:mod:`airflow_provider_nomasx1.dagspec.model`) embeds it,
so ``nomasx1 spec validate`` and the DAG import error report what the run would refuse; the engine
(:mod:`airflow_provider_nomasx1.collectors.sync`) runs on :class:`CopySpec`, its normalised form,
built only through this model. Nothing here imports Airflow.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from airflow_provider_nomasx1.errors import ConfigurationError
from airflow_provider_nomasx1.jde.coercion import DECIMAL_MODES, TYPE_COERCIONS

MODES = ("overwrite", "append", "upsert")
#: suffix of the table an ``overwrite`` loads before the swap
STAGE_SUFFIX = "__stage"
#: PostgreSQL's identifier limit (NAMEDATALEN - 1)
MAX_NAME_BYTES = 63
#: tables of the mirror schema the sync itself keeps: a copy must never replace them
BOOKKEEPING_TABLES = ("mirror_refresh", "collect_audit")
#: filter text that could end the condition or hide the rest of it
FILTER_FORBIDDEN = (";", "--", "/*")

_IDENT = r"^[A-Za-z_][A-Za-z0-9_$]{0,62}$"
_IDENT_RE = re.compile(_IDENT)
_COLUMN_LISTS = ("key", "strip_both_columns", "columns")


class SqlCopySpec(BaseModel):
    """A table copy step (``sql_copy:``), run by the SqlCopyOperator; see docs/sync.md."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    source_table: str = Field(pattern=_IDENT, description="JDE table, e.g. F0005")
    source_schema: str = Field(
        pattern=_IDENT, description="JDE data source of the schema map (control, data_dictionary...) or a schema"
    )
    target_table: str | None = Field(default=None, pattern=_IDENT)
    mode: Literal[MODES] = "overwrite"  # type: ignore[valid-type]
    key: list[str] = Field(default_factory=list)
    type_coercion: Literal[TYPE_COERCIONS] = "jde"  # type: ignore[valid-type]
    decimal_mode: Literal[DECIMAL_MODES] = "truncate"  # type: ignore[valid-type]
    strip_both_columns: list[str] = Field(default_factory=list)
    columns: list[str] = Field(default_factory=list)
    filter: str | None = None
    allow_empty: bool = False

    @field_validator(*_COLUMN_LISTS)
    @classmethod
    def _identifiers(cls, value: list[str]) -> list[str]:
        bad = [v for v in value if not _is_identifier(v)]
        if bad:
            raise ValueError(f"not plain column names: {bad}")
        lower = [v.lower() for v in value]
        repeated = sorted({v for v in lower if lower.count(v) > 1})
        if repeated:
            raise ValueError(f"column(s) {repeated} listed twice (names are case-insensitive)")
        return value

    @field_validator("filter")
    @classmethod
    def _one_condition(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.strip():
            raise ValueError("must be a non-empty SQL condition (or left out)")
        if any(bad in value for bad in FILTER_FORBIDDEN):
            raise ValueError(f"{value!r}: give one SQL condition, without ';' or comments")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> SqlCopySpec:
        self._check_target()
        if self.mode == "upsert" and not self.key:
            raise ValueError("mode 'upsert' needs a key (the target columns to match on)")
        if self.columns:
            copied = {c.lower() for c in self.columns}
            outside = [k for k in self.key if k.lower() not in copied]
            if outside:
                raise ValueError(f"key column(s) {outside} must be among the copied columns")
        return self

    def _check_target(self) -> None:
        name = self.target_name
        origin = "target_table" if self.target_table else "target_table (the source_table in lower case)"
        room = MAX_NAME_BYTES - len(STAGE_SUFFIX)
        if len(name.encode("utf-8")) > room:
            raise ValueError(
                f"{origin} {name!r} is too long: at most {room} bytes, as the load stages it as "
                f"'<table>{STAGE_SUFFIX}' within PostgreSQL's {MAX_NAME_BYTES}; set a shorter target_table"
            )
        if name.lower().endswith(STAGE_SUFFIX):
            raise ValueError(f"{origin} {name!r} may not end in {STAGE_SUFFIX!r} (the name of the load's stage)")
        if name.lower() in BOOKKEEPING_TABLES:
            raise ValueError(f"{origin} {name!r} is a table the sync keeps itself: choose another target_table")

    @property
    def target_name(self) -> str:
        """The table written: ``target_table``, else the source table in lower case."""
        return self.target_table or self.source_table.lower()

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> SqlCopySpec:
        """Validate a step's ``sql_copy`` block (a None value means the option's default)."""
        if not isinstance(options, Mapping):
            raise ConfigurationError(f"sql_copy options must be a mapping, got {type(options).__name__}")
        values = {k: v for k, v in options.items() if v is not None}
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            raise _configuration_error(exc) from None

    def copy_spec(self) -> CopySpec:
        """The normalised form the engine runs on (column names lower-cased, target table resolved)."""
        return CopySpec(
            source_table=self.source_table,
            source_schema=self.source_schema,
            target_table=self.target_name,
            mode=self.mode,
            key=tuple(c.lower() for c in self.key),
            type_coercion=self.type_coercion,
            decimal_mode=self.decimal_mode,
            strip_both_columns=tuple(c.lower() for c in self.strip_both_columns),
            columns=tuple(c.lower() for c in self.columns),
            filter=self.filter,
            allow_empty=self.allow_empty,
        )


@dataclass(frozen=True)
class CopySpec:
    """One ``sql_copy`` step as the engine runs it: column names lower-case, ``target_table`` set.

    Build it with :meth:`from_options` (or :meth:`SqlCopySpec.copy_spec`); a direct construction is
    checked by the same model, so no copy runs on options the spec check would refuse.
    """

    source_table: str
    source_schema: str
    target_table: str = ""
    mode: str = "overwrite"
    key: tuple[str, ...] = ()
    type_coercion: str = "jde"
    decimal_mode: str = "truncate"
    strip_both_columns: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    filter: str | None = None
    allow_empty: bool = False

    def __post_init__(self) -> None:
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        for name in _COLUMN_LISTS:
            if isinstance(values[name], tuple):
                values[name] = list(values[name])
        SqlCopySpec.from_options({**values, "target_table": self.target_table or None})

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> CopySpec:
        """Build from the step's ``sql_copy`` block; unknown, missing or invalid options are errors."""
        return SqlCopySpec.from_options(options).copy_spec()


def _is_identifier(value: str) -> bool:
    return _IDENT_RE.match(value) is not None


def _configuration_error(exc: ValidationError) -> ConfigurationError:
    """One ConfigurationError for the run: unknown and missing options first, then each reason."""
    errors = exc.errors()
    unknown = sorted(str(e["loc"][0]) for e in errors if e["type"] == "extra_forbidden")
    if unknown:
        return ConfigurationError(
            f"Unknown sql_copy option(s) {unknown}; valid options: {sorted(SqlCopySpec.model_fields)}"
        )
    missing = [str(e["loc"][0]) for e in errors if e["type"] == "missing"]
    if missing:
        return ConfigurationError(f"sql_copy needs {missing} (e.g. source_schema: control, source_table: F0005)")
    reasons = []
    for err in errors:
        where = ".".join(str(p) for p in err["loc"])
        reasons.append(f"{where}: {error_reason(err)}" if where else error_reason(err))
    return ConfigurationError("Invalid sql_copy options: " + "; ".join(reasons))


#: strict-mode type errors: what the key takes (the value given is appended)
_TYPE_ERRORS = {
    "int_type": "an integer",
    "bool_type": "true or false",
    "float_type": "a number",
    "string_type": "a string",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
}


def _given(value: Any) -> str:
    """A value as the YAML author wrote it (``true``, ``"yes"``, ``3``)."""
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)


def error_reason(err: Mapping[str, Any]) -> str:
    """The reason of one pydantic error, worded for a spec author; the spec check and the run
    word it alike (``must be true or false, not "yes"``)."""
    if err["type"] in _TYPE_ERRORS:
        return f"must be {_TYPE_ERRORS[err['type']]}, not {_given(err.get('input'))}"
    return str(err["msg"]).removeprefix("Value error, ")
