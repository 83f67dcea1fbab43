"""SQLAlchemy Core tables of the ``nomajde`` mirror: JDE control and data-dictionary tables.

The mirror keeps JDE's lower-case physical column names (``drsy``, ``drrt``, ``drky``...) with the
JDE types coerced by the sync (``nomajde-daily-sync``, ``type_coercion: jde``):

- Julian ``CYYDDD`` numbers (the ``..upmj`` audit dates) become ``date`` (0 becomes null);
- blank-padded ``NCHAR`` strings become trimmed ``varchar``;
- other numbers (times ``HHMMSS``, sizes, ids) stay ``numeric`` (implied decimals scaled by the data
  dictionary and truncated when ``decimal_mode: truncate``).

Primary keys follow JDE's unique keys. Tables are defined without a schema (``schema=None``);
callers use ``schema_translate_map={None: "nomajde"}`` (or another mirror schema).

The mirror is **not versioned** by alembic: ``bootstrap.init_mirror`` creates the missing tables
with ``create_all``; the sync rewrites their content on every run. ``mirror_refresh`` records the
last refresh of each mirrored table.
"""

from __future__ import annotations

import sqlalchemy as sa

from airflow_provider_nomasx1.schema.nomasx1 import NAMING_CONVENTION

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

#: the mirrored JDE tables, in the order the sync runs them
MIRROR_TABLES = ("f0004", "f0005", "f9200", "f9202", "f9210", "f9860", "f9865")

#: source data source (JdeSchemaMap field) of each mirrored table
SOURCE_SCHEMA_KEY = {
    "f0004": "control",
    "f0005": "control",
    "f9200": "data_dictionary",
    "f9202": "data_dictionary",
    "f9210": "data_dictionary",
    "f9860": "object_librarian",
    "f9865": "object_librarian",
}


def _v(name: str, key: bool = False) -> sa.Column:
    """A JDE string column (trimmed varchar)."""
    return sa.Column(name, sa.String, nullable=not key)


def _n(name: str, key: bool = False) -> sa.Column:
    """A JDE numeric column."""
    return sa.Column(name, sa.Numeric, nullable=not key)


def _d(name: str) -> sa.Column:
    """A JDE Julian date column, coerced to a date (0 = null)."""
    return sa.Column(name, sa.Date, nullable=True)


def _audit(prefix: str) -> list[sa.Column]:
    """The standard JDE audit columns: user, program, date (Julian), job, time (HHMMSS)."""
    return [
        _v(f"{prefix}user"),
        _v(f"{prefix}pid"),
        _d(f"{prefix}upmj"),
        _v(f"{prefix}jobn"),
        _n(f"{prefix}upmt"),
    ]


f0004 = sa.Table(
    "f0004",
    metadata,
    _v("dtsy", key=True),  # system code
    _v("dtrt", key=True),  # UDC type
    _v("dtdl01"),  # description
    _n("dtuseq"),  # sequence
    _v("dtucd1"),
    _n("dtcdl"),  # code length
    _v("dtln2"),  # 2-line flag
    _v("dtcnum"),  # numeric flag
    _v("dtmrct"),
    _v("dtmrty"),
    *_audit("dt"),
    sa.PrimaryKeyConstraint("dtsy", "dtrt"),
    comment="JDE F0004: user defined code types",
)

f0005 = sa.Table(
    "f0005",
    metadata,
    _v("drsy", key=True),  # system code
    _v("drrt", key=True),  # UDC type
    _v("drky", key=True),  # code (trimmed on both sides)
    _v("drdl01"),  # description 1
    _v("drdl02"),  # description 2
    _v("drsphd"),  # special handling
    _v("drudco"),
    _v("drhrdc"),  # hard coded Y/N
    *_audit("dr"),
    sa.PrimaryKeyConstraint("drsy", "drrt", "drky"),
    comment="JDE F0005: user defined code values",
)

f9200 = sa.Table(
    "f9200",
    metadata,
    _v("frdtai", key=True),  # data item alias
    _v("frsy"),  # system code
    _v("frsyr"),  # reporting system code
    _v("frgg"),  # glossary group
    *_audit("fr"),
    sa.PrimaryKeyConstraint("frdtai"),
    comment="JDE F9200: data item master",
)

f9202 = sa.Table(
    "f9202",
    metadata,
    _v("frdtai", key=True),
    _v("frlngp", key=True),  # language ('' = base)
    _v("frsyr", key=True),  # system code / reporting
    _v("frch1"),
    _v("frch2"),
    _v("frch3"),
    _v("frdscr"),  # description
    sa.PrimaryKeyConstraint("frdtai", "frlngp", "frsyr"),
    comment="JDE F9202: data item text per language",
)

# F9210: data field specifications (47 columns)
_F9210_STRINGS_BEFORE_AUDIT = (
    ("frclas", "v"),  # class
    ("frdtat", "v"),  # data type
    ("frdtas", "n"),  # size
    ("frdtad", "n"),  # decimals (stored)
    ("frpdta", "v"),  # parent data item
    ("frarrn", "n"),  # array elements
    ("frdval", "v"),  # default value
    ("frlr", "v"),  # justification
    ("frcdec", "v"),  # display decimals (scales implied-decimal numbers)
    ("frdrul", "v"),  # display rule (UDC 98/DR)
    ("frdro1", "v"),
    ("frerul", "v"),  # edit rule
    ("frero1", "v"),  # edit rule parameter 1 (UDC system code for UDC edits)
    ("frero2", "v"),  # edit rule parameter 2 (UDC type)
    ("frhlp1", "v"),
    ("frhlp2", "v"),
    ("frnnix", "n"),  # next number index
    ("frnsy", "v"),  # next number system
    ("frrls", "v"),  # release
)
_F9210_AFTER_AUDIT = (
    "frowdi",  # OneWorld data item
    "frowtp",  # OneWorld type
    "frcntt",
    "frscfg",
    "fruper",  # upper case only
    "fralbk",  # allow blank
    "frower",  # OneWorld edit rule
    "froer1",
    "froer2",
    "frowdr",  # OneWorld display rule
    "frodr1",
    "frdbid",
    "frbfdn",
    "frebid",
    "frbfen",
    "frsfid",
    "frsfmn",
    "frbvid",
    "frbvnm",
    "frplfg",
    "frddid",
    "frauin",
)

f9210 = sa.Table(
    "f9210",
    metadata,
    _v("frdtai", key=True),
    *(_n(name) if kind == "n" else _v(name) for name, kind in _F9210_STRINGS_BEFORE_AUDIT),
    *_audit("fr"),
    *(_v(name) for name in _F9210_AFTER_AUDIT),
    sa.PrimaryKeyConstraint("frdtai"),
    comment="JDE F9210: data field specifications (type, size, decimals, edit and display rules)",
)

f9860 = sa.Table(
    "f9860",
    metadata,
    _v("siobnm", key=True),  # object name
    _v("simd"),  # description
    _v("sisy"),  # system (product) code
    _v("sisyr"),  # reporting system code
    _v("sifuno"),  # object type: APPL, UBE, BSFN, TBLE, BSVW, DSTR...
    _v("sifunu"),  # function use
    _v("sipfx"),  # column prefix (tables)
    _v("sisrclng"),  # source language
    _v("sicpyd"),  # copy data
    _v("sipardll"),  # parent DLL
    _v("simid1"),  # template / link name
    _n("siapplid"),  # application id
    _v("sicato"),  # category
    *_audit("si"),
    sa.PrimaryKeyConstraint("siobnm"),
    sa.Index(None, "sisy"),
    sa.Index(None, "sifuno"),
    comment="JDE F9860: object librarian master (object -> system code, type)",
)

f9865 = sa.Table(
    "f9865",
    metadata,
    _v("swfmnm", key=True),  # form name
    _n("swfmid"),  # form id
    _v("swmd"),  # description
    _v("swfmpt"),  # form type (FI, BR, MB...)
    _v("swsy"),  # system code
    _v("swfuno"),  # object type of the owner
    _v("swobnm"),  # owning application
    _v("swentrypt"),  # 1 = entry point form
    _n("swhelpid1"),
    *_audit("sw"),
    sa.PrimaryKeyConstraint("swfmnm"),
    sa.Index(None, "swobnm"),
    comment="JDE F9865: form information (form -> application)",
)

mirror_refresh = sa.Table(
    "mirror_refresh",
    metadata,
    sa.Column("table_name", sa.String, nullable=False, comment="mirror table (f0005...)"),
    sa.Column("rows", sa.BigInteger, nullable=True, comment="rows after the refresh"),
    sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
    sa.Column("run_id", sa.String, nullable=True),
    sa.Column("source", sa.String, nullable=True, comment="source schema.table read"),
    sa.PrimaryKeyConstraint("table_name"),
    comment="last refresh of each mirrored table",
)
