"""JDE type coercion for table copies: decide, per source column, the SELECT expression and target type.

Pure functions (no database access): the sync (``collectors/sync.py``) reads the source columns
with the SQLAlchemy inspector and the data dictionary rows (F9210) of their data items, and asks
:func:`plan_columns` for a :class:`ColumnPlan` per column. All coercion runs **in the source
SELECT**, so the rows arrive ready for ``COPY ... FROM STDIN``.

Rules with ``type_coercion: jde`` (the data item of a column is its name without the two-character
table prefix: ``DRKY`` -> ``KY``, ``DRUPMJ`` -> ``UPMJ``; see docs/sync.md):

==========================  ===========================================  ==========================
source column               condition                                    target
==========================  ===========================================  ==========================
string (``char``/``nchar``  always                                       ``varchar``, ``rtrim``:
/``varchar``)                                                            leading blanks kept
string                      listed in ``strip_both_columns``             ``varchar``, ``btrim``
number                      time: data item ends with ``UPMT`` or        ``time`` (HHMMSS, 93015 ->
                            ``TDAY``, or the DD class contains ``TIME``  09:30:15; impossible ->
                                                                         NULL, counted)
number                      date: DD type ``11`` / ``D`` (or FROWTP      ``date`` (CYYDDD, 0 and
                            11), or no DD row and the item ends ``UPMJ``  NULL -> NULL; impossible
                                                                         -> NULL, counted)
number without scale        math numeric with display decimals           ``numeric`` = value *
                            (FRCDEC) > 0                                 10^-FRCDEC, ``trunc`` to
                                                                         FRCDEC digits (truncate)
                                                                         or exact (preserve)
other number                                                             ``numeric`` / ``bigint`` /
                                                                         ``double precision``
==========================  ===========================================  ==========================

``type_coercion: none`` copies the values as they are (types mapped to PostgreSQL, names
lower-cased). Target column names are always the lower-case source names.

Dates and times follow the one rule of :mod:`airflow_provider_nomasx1.jde.julian` (its SQL
spellings are generated there). On PostgreSQL the source value is turned into an integer once per
row, in a subquery (:attr:`ColumnPlan.integer_sql`), and each impossible value bumps a
transaction-local setting (:attr:`ColumnPlan.impossible_setting`) that the sync reads after the
copy: the anomalies are counted in the copy itself, with no second pass. On Oracle the sync counts
them with :attr:`ColumnPlan.impossible_sql` in its row count, in the same snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from airflow_provider_nomasx1.errors import ConfigurationError
from airflow_provider_nomasx1.jde.julian import (
    hhmmss_impossible_sql,
    hhmmss_int_sql,
    hhmmss_to_time_sql,
    jde_integer_sql,
    julian_impossible_sql,
    julian_int_sql,
    julian_to_date_sql,
)
from airflow_provider_nomasx1.pg.identifiers import checked

#: the SQLAlchemy dialects the coercion spells (the mirror sync reads these sources only)
DIALECTS = ("postgresql", "oracle")
#: the values of :func:`plan_columns` (and of a ``sql_copy`` step's options, collectors/sync_spec.py)
TYPE_COERCIONS = ("jde", "none")
DECIMAL_MODES = ("truncate", "preserve")

#: bytes of a PostgreSQL ``name`` (NAMEDATALEN - 1, the server's ``max_identifier_length``)
NAME_MAX_BYTES = 63
#: data item suffixes holding HHMMSS times (JDE audit time ``UPMT``, time of day ``TDAY``)
TIME_ITEM_SUFFIXES = ("UPMT", "TDAY")
#: data item suffixes taken as Julian dates when the data dictionary has no row for the item
DATE_ITEM_SUFFIXES = ("UPMJ",)
#: prefix of the transaction-local settings counting impossible dates/times during a copy
IMPOSSIBLE_SETTING_PREFIX = "nomasx1.impossible_"

# F9210.FRDTAT: JDE writes numeric codes ('1' character, '2' string, '9' math numeric, '11' date,
# '15' integer); some installs (and the synthetic source) use the letters C, S, N, D.
_DATE_TYPES = {"11", "D"}
_NUMERIC_TYPES = {"9", "N", "15", "7"}
_STRING_TYPES = {"1", "2", "S", "C"}
# F9210.FROWTP (OneWorld runtime type) as a fallback when FRDTAT is blank or unknown
_OWTP = {"1": "string", "2": "string", "9": "numeric", "11": "date", "15": "numeric"}


@dataclass(frozen=True)
class SourceColumn:
    """A column of the source table as the inspector reports it."""

    name: str
    type: Any  # a SQLAlchemy type instance
    nullable: bool = True

    @classmethod
    def from_inspector(cls, info: Mapping[str, Any]) -> SourceColumn:
        return cls(name=str(info["name"]), type=info["type"], nullable=bool(info.get("nullable", True)))


@dataclass(frozen=True)
class DataItem:
    """The F9210 row of a data item (blank-trimmed strings)."""

    alias: str
    data_type: str = ""  # FRDTAT
    display_decimals: int | None = None  # FRCDEC (blank -> None)
    klass: str = ""  # FRCLAS
    runtime_type: str = ""  # FROWTP

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> DataItem:
        def text(key: str) -> str:
            value = row.get(key)
            if value is None:
                return ""
            return str(int(value)) if not isinstance(value, str) else value.strip()

        cdec = text("frcdec")
        return cls(
            alias=text("frdtai").upper(),
            data_type=text("frdtat").upper(),
            display_decimals=int(cdec) if cdec.isdigit() else None,
            klass=text("frclas").upper(),
            runtime_type=text("frowtp"),
        )

    @property
    def kind(self) -> str:
        """``date``, ``numeric``, ``string`` or ``""`` (unknown)."""
        if self.data_type in _DATE_TYPES:
            return "date"
        if self.data_type in _NUMERIC_TYPES:
            return "numeric"
        if self.data_type in _STRING_TYPES:
            return "string"
        return _OWTP.get(self.runtime_type, "")


@dataclass(frozen=True)
class ColumnPlan:
    """How one column is read and written.

    ``kind``: ``string``, ``date``, ``time``, ``decimal`` (implied decimals scaled), ``numeric``,
    ``integer``, ``float`` or ``copy`` (other types, copied as they are).
    """

    source_name: str
    target_name: str
    kind: str
    select_sql: str
    target_type: str  # PostgreSQL type for DDL
    data_item: str | None = None
    scale: int | None = None  # implied decimals applied (decimal)
    #: Oracle only: the source column is NOT NULL, so an Oracle NULL from RTRIM means ''
    empty_string_for_null: bool = False
    #: PostgreSQL dates/times: the source value as an integer, computed once per row in a subquery
    #: of the source SELECT (``select_sql`` then reads the integer under the source column's name)
    integer_sql: str | None = None
    #: PostgreSQL dates/times: the setting counting this column's impossible values during the copy
    impossible_setting: str | None = None
    #: dates/times: condition on the source column true for an impossible value (Oracle's count)
    impossible_sql: str | None = None

    def raw(self, dialect: str) -> ColumnPlan:
        """The same column copied without conversion (when an existing target keeps the JDE number)."""
        return ColumnPlan(
            self.source_name,
            self.target_name,
            "numeric",
            source_ident(self.source_name, dialect),
            "numeric",
            self.data_item,
        )


def source_ident(name: str, dialect: str) -> str:
    """The column as written in the source SELECT: quoted lower-case for PostgreSQL, unquoted
    (so upper-case) for Oracle (the inspector reports Oracle's upper-case names in lower case)."""
    checked(name, "source column name")
    if dialect == "postgresql":
        return '"' + name + '"'
    if dialect == "oracle":
        return name.upper()
    raise ConfigurationError(f"Unsupported source dialect {dialect!r}: use one of {list(DIALECTS)}.")


def table_prefix(columns: Iterable[str]) -> str | None:
    """The two-character JDE column prefix shared by most columns (``DR`` for F0005), or None."""
    counts: dict[str, int] = {}
    names = [c for c in columns if len(c) > 2]
    for name in names:
        counts[name[:2].upper()] = counts.get(name[:2].upper(), 0) + 1
    if not counts:
        return None
    prefix, count = max(counts.items(), key=lambda kv: kv[1])
    return prefix if count * 2 > len(names) else None


def data_item_of(column: str, prefix: str | None) -> str | None:
    """``DRKY`` -> ``KY`` when the column starts with the table prefix, else None."""
    if prefix is None or len(column) <= 2 or column[:2].upper() != prefix.upper():
        return None
    return column[2:].upper()


def _is_string(t: Any) -> bool:
    return isinstance(t, sa.types.String)


def _numeric_shape(t: Any) -> tuple[str, int | None]:
    """(``integer``|``float``|``numeric``|``"")``, scale) of a source type."""
    if isinstance(t, sa.types.Integer):
        return "integer", 0
    if isinstance(t, sa.types.Float):
        return "float", None
    if isinstance(t, sa.types.Numeric):
        scale = getattr(t, "scale", None)
        # Oracle NUMBER(p) / NUMBER(p, 0) and PostgreSQL numeric(p, 0) are whole numbers
        return "numeric", scale
    return "", None


def _passthrough_type(t: Any) -> str:
    """The PostgreSQL type for a non-JDE-coerced column."""
    if _is_string(t):
        return STRING_TYPE
    shape, _scale = _numeric_shape(t)
    if shape == "integer":
        return "bigint"
    if shape == "float":
        return "double precision"
    if shape == "numeric":
        return "numeric"
    if isinstance(t, sa.types.DateTime):
        return "timestamp"
    if isinstance(t, sa.types.Date):
        # Oracle DATE carries a time of day
        return "timestamp" if t.__class__.__module__.startswith("sqlalchemy.dialects.oracle") else "date"
    if isinstance(t, sa.types.Time):
        return "time"
    if isinstance(t, sa.types.LargeBinary):
        return "bytea"
    if isinstance(t, sa.types.Boolean):
        return "boolean"
    return "text"


def _scaled_sql(col: str, scale: int, decimal_mode: str, dialect: str) -> str:
    """``col * 10^-scale`` (a decimal literal: exact), truncated to ``scale`` digits for truncate."""
    factor = "0." + "0" * (scale - 1) + "1"
    product = f"({col} * {factor})"
    if decimal_mode == "preserve":
        return product
    return f"TRUNC({product}, {scale})" if dialect == "oracle" else f"trunc({product}, {scale})"


def impossible_counter_sql(setting: str) -> str:
    """SQL adding 1 to the transaction-local ``setting`` (a ``set_config`` call, allowed in the
    source's read-only snapshot); evaluated only for impossible values, so valid rows pay nothing."""
    checked(setting.replace(".", "_"), "setting name")
    current = f"coalesce(nullif(current_setting('{setting}', true), ''), '0')::int"
    return f"set_config('{setting}', ({current} + 1)::text, true)"


def _moment_plan(
    column: SourceColumn, target: str, alias: str | None, kind: str, dialect: str, position: int, integral: bool
) -> ColumnPlan:
    """The plan of a Julian date (``kind`` date) or HHMMSS time column, under the rule of
    :mod:`~airflow_provider_nomasx1.jde.julian`.

    PostgreSQL: the subquery turns the ``numeric(6,0)`` into an ``int`` once (each ``numeric -> int``
    cast costs about as much as the rest of the rule: repeating it per use in one expression made a
    time about 60% dearer), the rule then reads that integer; an impossible value bumps the
    column's counter. Oracle: the rule on the number itself. ``integral``: the column cannot hold
    a fraction (integer type or scale 0); an unconstrained ``numeric`` is checked for one."""
    col = source_ident(column.name, dialect)
    date = kind == "date"
    check = julian_impossible_sql(col, dialect) if date else hhmmss_impossible_sql(col, dialect)
    if dialect != "postgresql":
        expr = julian_to_date_sql(col, dialect) if date else hhmmss_to_time_sql(col, dialect)
        return ColumnPlan(column.name, target, kind, expr, kind, alias, impossible_sql=check)
    setting = f"{IMPOSSIBLE_SETTING_PREFIX}{position}"
    counter = impossible_counter_sql(setting)
    expr = julian_int_sql(col, on_impossible=counter) if date else hhmmss_int_sql(col, on_impossible=counter)
    digits = getattr(column.type, "precision", None)
    integer = jde_integer_sql(col, digits=digits if isinstance(digits, int) else None, whole=integral)
    return ColumnPlan(
        column.name,
        target,
        kind,
        expr,
        kind,
        alias,
        integer_sql=integer,
        impossible_setting=setting,
        impossible_sql=check,
    )


def _char_rtrim_sql(col: str, length: int | None, name_max_bytes: int) -> str:
    """PostgreSQL ``char(n)`` without its trailing blanks (leading blanks kept), as ``rtrim`` gives it.

    ``char(n)::text`` (and ``rtrim``) trim through the general multibyte trim routine, which in a
    UTF-8 database records every character's start and length first: about 0.15 s per column per
    million rows. ``char(n)::name`` drops the trailing blanks with a plain byte loop (a blank byte
    never occurs inside a multibyte character, so the result is the same) at a fifth of that, but a
    ``name`` holds at most ``name_max_bytes`` (63) bytes and would cut longer values. So: ``::name``
    when ``n`` characters always fit (4 bytes a character at most), else ``::name`` only for the
    values whose padded bytes fit, ``::text`` for the others."""
    if name_max_bytes <= 0:
        return f"{col}::text"
    if length is not None and length * 4 <= name_max_bytes:
        return f"{col}::name"
    return f"CASE WHEN octet_length({col}) <= {name_max_bytes} THEN {col}::name::text ELSE {col}::text END"


def plan_columns(
    columns: Sequence[SourceColumn],
    data_items: Mapping[str, DataItem],
    *,
    dialect: str = "postgresql",
    type_coercion: str = "jde",
    decimal_mode: str = "truncate",
    strip_both_columns: Iterable[str] = (),
    prefix: str | None = None,
    name_max_bytes: int = NAME_MAX_BYTES,
) -> list[ColumnPlan]:
    """The plan of each source column, in order (see the module docstring for the rules).

    :param data_items: F9210 rows by upper-case alias (may miss items: name rules then apply).
    :param prefix: the table's column prefix (default: :func:`table_prefix` of the columns).
    :param name_max_bytes: bytes a PostgreSQL ``name`` holds on the source server (its
        ``max_identifier_length``, 63 unless the server was built otherwise; 0 disables the cheap
        ``char(n)`` trim, see :func:`_char_rtrim_sql`).
    """
    if dialect not in DIALECTS:
        raise ConfigurationError(f"Unsupported source dialect {dialect!r}: use one of {list(DIALECTS)}.")
    if type_coercion not in TYPE_COERCIONS:
        raise ConfigurationError(f"type_coercion {type_coercion!r}: use one of {list(TYPE_COERCIONS)}.")
    if decimal_mode not in DECIMAL_MODES:
        raise ConfigurationError(f"decimal_mode {decimal_mode!r}: use one of {list(DECIMAL_MODES)}.")
    strip_both = {c.lower() for c in strip_both_columns}
    known = {c.name.lower() for c in columns}
    unknown = sorted(strip_both - known)
    if unknown:
        raise ConfigurationError(f"strip_both_columns {unknown} are not columns of the source table")
    if prefix is None:
        prefix = table_prefix(c.name for c in columns)
    plans = []
    for position, column in enumerate(columns, start=1):
        plans.append(
            _plan_one(
                column,
                data_items,
                dialect,
                type_coercion,
                decimal_mode,
                column.name.lower() in strip_both,
                prefix,
                name_max_bytes,
                position,
            )
        )
    return plans


def _plan_one(
    column: SourceColumn,
    data_items: Mapping[str, DataItem],
    dialect: str,
    type_coercion: str,
    decimal_mode: str,
    strip_both: bool,
    prefix: str | None,
    name_max_bytes: int = NAME_MAX_BYTES,
    position: int = 1,
) -> ColumnPlan:
    target = checked(column.name.lower(), "column name")
    col = source_ident(column.name, dialect)
    alias = data_item_of(column.name, prefix)
    item = data_items.get(alias) if alias else None

    if type_coercion == "none":
        return ColumnPlan(column.name, target, "copy", col, _passthrough_type(column.type), alias)

    if _is_string(column.type):
        if dialect == "oracle":
            expr = f"TRIM({col})" if strip_both else f"RTRIM({col})"
        elif strip_both:
            expr = f"btrim({col})"
        elif isinstance(column.type, sa.CHAR):
            expr = _char_rtrim_sql(col, getattr(column.type, "length", None), name_max_bytes)
        else:
            expr = f"rtrim({col})"
        return ColumnPlan(
            column.name,
            target,
            "string",
            expr,
            STRING_TYPE,
            alias,
            empty_string_for_null=(dialect == "oracle" and not column.nullable),
        )

    shape, scale = _numeric_shape(column.type)
    if not shape:
        return ColumnPlan(column.name, target, "copy", col, _passthrough_type(column.type), alias)
    if shape == "float":
        return ColumnPlan(column.name, target, "float", col, "double precision", alias)

    whole = scale in (None, 0)
    integral = shape == "integer" or scale == 0
    kind = item.kind if item else ""
    is_time = alias is not None and (
        alias.endswith(TIME_ITEM_SUFFIXES) or (item is not None and "TIME" in item.klass and kind != "date")
    )
    if whole and is_time:
        return _moment_plan(column, target, alias, "time", dialect, position, integral)
    is_date = kind == "date" or (item is None and alias is not None and alias.endswith(DATE_ITEM_SUFFIXES))
    if whole and is_date:
        return _moment_plan(column, target, alias, "date", dialect, position, integral)
    cdec = item.display_decimals if item is not None and kind in ("numeric", "") else None
    if scale is None and cdec:
        return ColumnPlan(
            column.name, target, "decimal", _scaled_sql(col, cdec, decimal_mode, dialect), "numeric", alias, cdec
        )
    if shape == "integer":
        return ColumnPlan(column.name, target, "integer", col, "bigint", alias)
    return ColumnPlan(column.name, target, "numeric", col, "numeric", alias)


def select_sql(plans: Sequence[ColumnPlan], from_clause: str, where: str | None = None) -> str:
    """``SELECT <coerced> ... FROM <from_clause> [WHERE (<where>)]``.

    When a plan has an :attr:`~ColumnPlan.integer_sql` (PostgreSQL dates/times), the table is read
    through ``(SELECT <integer_sql> AS <column>, <other columns> FROM ... WHERE ... OFFSET 0)``:
    ``OFFSET 0`` keeps PostgreSQL from merging the subquery back, which would repeat the cast at
    every use. Output names are not quoted (COPY and the fetch path go by position)."""
    if not plans:
        raise ConfigurationError("no column to copy")
    items = ", ".join(plan.select_sql for plan in plans)
    source = from_clause
    condition = f" WHERE ({where})" if where else ""
    if any(plan.integer_sql for plan in plans):
        inner = ", ".join(
            f"{plan.integer_sql} AS {source_ident(plan.source_name, 'postgresql')}"
            if plan.integer_sql
            else source_ident(plan.source_name, "postgresql")
            for plan in plans
        )
        source = f"(SELECT {inner} FROM {from_clause}{condition} OFFSET 0) AS jde_source"
        condition = ""
    return f"SELECT {items} FROM {source}{condition}"


#: target type of JDE strings: byte-order collation, as JDE's own (Oracle BINARY sort); it also
#: makes the mirror's key indexes markedly cheaper to build than a linguistic collation
STRING_TYPE = 'varchar COLLATE "C"'


def create_table_sql(
    qualified_table: str, plans: Sequence[ColumnPlan], primary_key: Sequence[str] = (), not_null: Sequence[str] = ()
) -> str:
    """``CREATE TABLE`` for the target (PostgreSQL), with the primary key when given; ``not_null``
    columns are declared NOT NULL (a stage whose key is added after the load: adding the primary
    key then needs no extra scan to check for NULLs)."""
    required = {c.lower() for c in not_null}
    cols = []
    for p in plans:
        col = f'"{checked(p.target_name, "column name")}" {p.target_type}'
        cols.append(col + " NOT NULL" if p.target_name in required else col)
    if primary_key:
        names = {p.target_name for p in plans}
        missing = [k for k in primary_key if k.lower() not in names]
        if missing:
            raise ConfigurationError(f"key column(s) {missing} are not among the copied columns")
        cols.append("PRIMARY KEY (" + ", ".join(f'"{checked(k.lower(), "key column")}"' for k in primary_key) + ")")
    return f"CREATE TABLE {qualified_table} (" + ", ".join(cols) + ")"
