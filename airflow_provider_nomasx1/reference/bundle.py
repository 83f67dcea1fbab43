"""Reference bundles: the curated catalogue (licences, system codes, Oracle options, SoD baseline) as one file.

A bundle is a ``.tar.gz`` holding, at its top level and in this order:

- ``manifest.json``: ``format`` (``nomasx1-reference``), ``format_version`` (1), ``schema_revision``
  (alembic revision of the schema the rows come from), ``created_at`` (ISO UTC), ``source`` (where
  the rows come from), ``provider_version``, and ``tables``: one entry per table, in dependency order,
  with ``name``, ``file``, ``columns``, ``rows`` and the ``sha256`` of the member;
- one JSON Lines member per table (``<table>.jsonl``): one JSON object per row, keyed by column,
  with typed values (integers, strings, booleans, null; dates and timestamps as ISO strings).

:class:`BundleWriter` streams rows into a bundle (rows in, never a table as a list), hashes each
member while writing it and replaces the output atomically; members carry a fixed owner, mode and
mtime and the gzip header no name or time, so the same rows and ``created_at`` give the same bytes.

:func:`open_bundle` verifies a bundle completely before anyone reads a row from it, and refuses it
with a :class:`BundleError` that says what is wrong: not gzip, truncated or corrupt, member paths
that are absolute, contain ``..`` or are not plain regular files (links, devices, fifos, directory
entries), members missing from or absent in the manifest, sha256 or row-count mismatches, tables
that are not reference tables, columns the target tables do not have, values of the wrong type.
Members are read by name into a stream (never extracted to disk), each capped at
:data:`MAX_MEMBER_BYTES`.

:func:`build_curated_bundle` turns the curated CSV files of ``reference/data/`` into a bundle.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import decimal
import gzip
import hashlib
import io
import json
import logging
import os
import re
import tarfile
import tempfile
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa

from airflow_provider_nomasx1 import __version__
from airflow_provider_nomasx1.errors import ConfigurationError
from airflow_provider_nomasx1.schema import nomasx1

log = logging.getLogger(__name__)

FORMAT = "nomasx1-reference"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
#: largest member accepted (and written); reference tables are a few kB each
MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_MANIFEST_BYTES = 1024 * 1024
#: largest uncompressed archive accepted (guards against gzip bombs)
MAX_ARCHIVE_BYTES = 1024 * 1024 * 1024
#: members accepted in one archive (14 tables and the manifest in practice)
MAX_MEMBERS = 64
#: the curated CSV files shipped with the package (one ``<table>.csv`` per reference table)
DEFAULT_DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_APPS_ID = 10
#: columns that make a table application-scoped (its rows belong to one application)
APPS_COLUMN = "apps_id"

_REQUIRED_MANIFEST_KEYS = ("format", "format_version", "schema_revision", "created_at", "source", "tables")
_REQUIRED_TABLE_KEYS = ("name", "file", "columns", "rows", "sha256")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_INT_TEXT = re.compile(r"^[+-]?[0-9]+$")
_CHUNK = 1024 * 1024


class BundleError(ConfigurationError):
    """The file is not a valid reference bundle: refused before anything was changed."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"reference bundle {self.path} refused: {reason}. Nothing was changed.")


# --------------------------------------------------------------------------------------------------
# tables and typed values
# --------------------------------------------------------------------------------------------------


def reference_table(name: str) -> sa.Table:
    """The model table of a reference table (one of :data:`nomasx1.REFERENCE_TABLES`)."""
    if name not in nomasx1.REFERENCE_TABLES:
        raise ConfigurationError(
            f"{name!r} is not a reference table; the reference tables are {', '.join(nomasx1.REFERENCE_TABLES)}"
        )
    return nomasx1.metadata.tables[name]


def is_app_scoped(table: sa.Table | str) -> bool:
    """True for the tables whose rows belong to one application (``apps_id`` column: the sod_* ones)."""
    table = reference_table(table) if isinstance(table, str) else table
    return APPS_COLUMN in table.columns


def required_columns(table: sa.Table) -> list[str]:
    """Columns a bundle must carry: NOT NULL without a server default (primary keys included)."""
    return [c.name for c in table.columns if not c.nullable and c.server_default is None]


def dependency_rank(name: str) -> int:
    return nomasx1.REFERENCE_TABLES.index(name)


_INT_RANGES = {sa.SmallInteger: 2**15, sa.BigInteger: 2**63, sa.Integer: 2**31}


def _kind(column: sa.Column) -> str:
    """The value kind of a column: int, bool, str, date, datetime, time, decimal, float."""
    t = column.type
    if isinstance(t, sa.Boolean):
        return "bool"
    if isinstance(t, sa.Integer):
        return "int"
    if isinstance(t, sa.String):  # Text, Unicode, VARCHAR...
        return "str"
    if isinstance(t, sa.DateTime):
        return "datetime"
    if isinstance(t, sa.Date):
        return "date"
    if isinstance(t, sa.Time):
        return "time"
    if isinstance(t, sa.Float):
        return "float"
    if isinstance(t, sa.Numeric):
        return "decimal"
    raise ConfigurationError(
        f"column {column.table.name}.{column.name} has type {t!r}, which reference bundles do not carry"
    )


def _int_limit(column: sa.Column) -> int:
    for klass, limit in _INT_RANGES.items():
        if isinstance(column.type, klass):
            return limit
    return 2**63  # pragma: no cover - every Integer subclass is listed


class _Codec:
    """Converts one column's values between Python (database side) and JSON (bundle side)."""

    def __init__(self, column: sa.Column) -> None:
        self.column = column
        self.name = column.name
        self.kind = _kind(column)
        self.nullable = bool(column.nullable)
        self.limit = _int_limit(column) if self.kind == "int" else 0

    def _type_error(self, value: Any) -> str:
        expected = {
            "int": "an integer",
            "bool": "true or false",
            "str": "a string",
            "date": "an ISO date string (YYYY-MM-DD)",
            "datetime": "an ISO timestamp string",
            "time": "an ISO time string",
            "decimal": "a number or a numeric string",
            "float": "a number",
        }[self.kind]
        shown = repr(value)
        return f"column {self.name!r}: expected {expected}, got {shown[:60] + '...' if len(shown) > 60 else shown}"

    def encode(self, value: Any) -> Any:
        """A Python value (from the database or a CSV cell) -> its JSON form; raises ValueError."""
        if value is None:
            if not self.nullable:
                raise ValueError(f"column {self.name!r} is NOT NULL but the value is null")
            return None
        kind = self.kind
        if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
            return self._check_int(value)
        if kind == "bool" and isinstance(value, bool):
            return value
        if kind == "str" and isinstance(value, str):
            return self._check_str(value)
        if kind == "datetime" and isinstance(value, dt.datetime):
            return value.isoformat()
        if kind == "date" and isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value.isoformat()
        if kind == "time" and isinstance(value, dt.time):
            return value.isoformat()
        if kind == "decimal" and isinstance(value, (decimal.Decimal, int)) and not isinstance(value, bool):
            return str(value)
        if kind == "float" and isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise ValueError(self._type_error(value))

    def decode(self, value: Any) -> Any:
        """A JSON value read from a bundle -> the Python value to write; raises ValueError."""
        if value is None:
            if not self.nullable:
                raise ValueError(f"column {self.name!r} is NOT NULL but the value is null")
            return None
        kind = self.kind
        try:
            if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
                return self._check_int(value)
            if kind == "bool" and isinstance(value, bool):
                return value
            if kind == "str" and isinstance(value, str):
                return self._check_str(value)
            if kind == "datetime" and isinstance(value, str):
                return dt.datetime.fromisoformat(value)
            if kind == "date" and isinstance(value, str):
                return dt.date.fromisoformat(value)
            if kind == "time" and isinstance(value, str):
                return dt.time.fromisoformat(value)
            if kind == "decimal" and isinstance(value, (str, int)) and not isinstance(value, bool):
                return decimal.Decimal(value)
            if kind == "float" and isinstance(value, (int, float)) and not isinstance(value, bool):
                return float(value)
        except (ValueError, decimal.InvalidOperation):
            pass
        raise ValueError(self._type_error(value))

    def _check_int(self, value: int) -> int:
        if not -self.limit <= value < self.limit:
            raise ValueError(f"column {self.name!r}: {value} is out of range for {self.column.type}")
        return value

    def _check_str(self, value: str) -> str:
        if "\x00" in value:
            raise ValueError(f"column {self.name!r}: NUL characters cannot be stored in PostgreSQL text")
        return value

    def from_csv(self, text: str) -> Any:
        """A CSV cell -> Python value (empty: NULL, '' or the column's literal server default)."""
        if text == "":
            if self.nullable:
                return None
            default = literal_server_default(self.column)
            if default is not _NO_DEFAULT:
                return default
            raise ValueError(f"column {self.name!r} is required (NOT NULL) but the cell is empty")
        kind = self.kind
        try:
            if kind == "int":
                if not _INT_TEXT.match(text.strip()):
                    raise ValueError
                return self._check_int(int(text.strip()))
            if kind == "bool":
                lowered = text.strip().lower()
                if lowered not in ("true", "false"):
                    raise ValueError
                return lowered == "true"
            if kind == "str":
                return self._check_str(text)
            if kind == "datetime":
                return dt.datetime.fromisoformat(text.strip())
            if kind == "date":
                return dt.date.fromisoformat(text.strip())
            if kind == "time":
                return dt.time.fromisoformat(text.strip())
            if kind == "decimal":
                return decimal.Decimal(text.strip())
            return float(text.strip())
        except (ValueError, decimal.InvalidOperation) as exc:
            if str(exc).startswith("column "):
                raise
            raise ValueError(self._type_error(text)) from None


_NO_DEFAULT = object()


def literal_server_default(column: sa.Column) -> Any:
    """The constant server default of a column (``''``, ``'run'``, ``true``, ``0``), else a sentinel."""
    default = column.server_default
    text = getattr(getattr(default, "arg", None), "text", None)
    if not isinstance(text, str):
        return _NO_DEFAULT
    text = text.strip()
    if re.fullmatch(r"'(?:[^']|'')*'", text):
        return text[1:-1].replace("''", "'")
    if text in ("true", "false"):
        return text == "true"
    if _INT_TEXT.match(text):
        return int(text)
    return _NO_DEFAULT


# --------------------------------------------------------------------------------------------------
# manifest
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableEntry:
    """One table of a bundle, as listed in its manifest."""

    name: str
    file: str
    columns: tuple[str, ...]
    rows: int
    sha256: str

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "file": self.file,
            "columns": list(self.columns),
            "rows": self.rows,
            "sha256": self.sha256,
        }


@dataclass(frozen=True)
class Manifest:
    """The content of ``manifest.json``."""

    schema_revision: str | None
    created_at: str
    source: str
    tables: tuple[TableEntry, ...]
    provider_version: str | None = None
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "format_version": self.format_version,
            "schema_revision": self.schema_revision,
            "created_at": self.created_at,
            "source": self.source,
            "provider_version": self.provider_version,
            "tables": [t.to_json() for t in self.tables],
        }

    def table(self, name: str) -> TableEntry:
        for entry in self.tables:
            if entry.name == name:
                return entry
        raise KeyError(name)

    @property
    def total_rows(self) -> int:
        return sum(t.rows for t in self.tables)


def _parse_manifest(path: Path, data: bytes) -> Manifest:
    """Validate the manifest's JSON: keys, types, format and version, tables and columns."""
    try:
        doc = json.loads(data.decode("utf-8"), parse_constant=_refuse_constant, object_pairs_hook=_unique_keys)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BundleError(path, f"{MANIFEST_NAME} is not valid JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise BundleError(path, f"{MANIFEST_NAME} must hold a JSON object, not {type(doc).__name__}")
    missing = [k for k in _REQUIRED_MANIFEST_KEYS if k not in doc]
    if missing:
        raise BundleError(path, f"{MANIFEST_NAME} lacks the key(s) {', '.join(missing)}")
    if doc["format"] != FORMAT:
        raise BundleError(path, f"unknown format {doc['format']!r} in {MANIFEST_NAME} (expected {FORMAT!r})")
    version = doc["format_version"]
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise BundleError(
            path,
            f"unknown format_version {version!r} (this provider reads version {FORMAT_VERSION}; "
            "a newer bundle needs a newer provider)",
        )
    for key in ("created_at", "source"):
        if not isinstance(doc[key], str):
            raise BundleError(path, f"{MANIFEST_NAME}: {key} must be a string")
    if doc["schema_revision"] is not None and not isinstance(doc["schema_revision"], str):
        raise BundleError(path, f"{MANIFEST_NAME}: schema_revision must be a string or null")
    if not isinstance(doc["tables"], list):
        raise BundleError(path, f"{MANIFEST_NAME}: tables must be a list")
    entries: list[TableEntry] = []
    names: set[str] = set()
    files: set[str] = set()
    for i, item in enumerate(doc["tables"]):
        where = f"{MANIFEST_NAME}: tables[{i}]"
        if not isinstance(item, dict):
            raise BundleError(path, f"{where} must be an object")
        missing = [k for k in _REQUIRED_TABLE_KEYS if k not in item]
        if missing:
            raise BundleError(path, f"{where} lacks the key(s) {', '.join(missing)}")
        name, file, columns, rows, digest = (item[k] for k in _REQUIRED_TABLE_KEYS)
        if not isinstance(name, str) or name not in nomasx1.REFERENCE_TABLES:
            raise BundleError(
                path,
                f"{where}: table {name!r} is not a reference table (expected one of "
                f"{', '.join(nomasx1.REFERENCE_TABLES)})",
            )
        if name in names:
            raise BundleError(path, f"{where}: table {name} is listed twice")
        if not isinstance(file, str) or file == MANIFEST_NAME:
            raise BundleError(path, f"{where}: file must be a member name other than {MANIFEST_NAME}")
        _check_member_name(path, file)
        if file in files:
            raise BundleError(path, f"{where}: file {file} is listed twice")
        if not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
            raise BundleError(path, f"{where}: rows must be a non-negative integer")
        if not isinstance(digest, str) or not _SHA256.match(digest):
            raise BundleError(path, f"{where}: sha256 must be 64 lower-case hexadecimal digits")
        if not isinstance(columns, list) or not columns or not all(isinstance(c, str) for c in columns):
            raise BundleError(path, f"{where}: columns must be a non-empty list of column names")
        _check_columns(path, name, columns)
        names.add(name)
        files.add(file)
        entries.append(TableEntry(name, file, tuple(columns), rows, digest))
    entries.sort(key=lambda e: dependency_rank(e.name))
    provider_version = doc.get("provider_version")
    return Manifest(
        schema_revision=doc["schema_revision"],
        created_at=doc["created_at"],
        source=doc["source"],
        tables=tuple(entries),
        provider_version=provider_version if isinstance(provider_version, str) else None,
    )


def column_problem(name: str, columns: Sequence[str]) -> str | None:
    """Why ``columns`` cannot be a bundle's columns of table ``name`` (unknown, twice, required missing)."""
    table = reference_table(name)
    dupes = sorted({c for c in columns if list(columns).count(c) > 1})
    if dupes:
        return f"table {name}: column(s) {', '.join(dupes)} listed twice"
    unknown = [c for c in columns if c not in table.columns]
    if unknown:
        return (
            f"table {name} has no column(s) {', '.join(unknown)} in this provider's schema "
            f"(its columns: {', '.join(table.columns.keys())})"
        )
    lacking = [c for c in required_columns(table) if c not in columns]
    if lacking:
        return f"table {name}: required column(s) {', '.join(lacking)} missing"
    return None


def _check_columns(path: Path | str, name: str, columns: Sequence[str]) -> None:
    problem = column_problem(name, columns)
    if problem:
        raise BundleError(path, problem)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid JSON value")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        dupes = sorted({k for k, _ in pairs if [p for p, _ in pairs].count(k) > 1})
        raise ValueError(f"key(s) {', '.join(dupes)} appear twice in one object")
    return result


# --------------------------------------------------------------------------------------------------
# writer
# --------------------------------------------------------------------------------------------------


def _utc(when: dt.datetime | None) -> dt.datetime:
    when = when or dt.datetime.now(dt.UTC)
    if when.tzinfo is None:
        raise ValueError("created_at must be timezone-aware")
    return when.astimezone(dt.UTC).replace(microsecond=0)


def _iso(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


class BundleWriter:
    """Writes a bundle: ``add_table`` for each table (rows streamed), then ``close``.

    Each table is spooled to a temporary file (in memory while small) while its sha256 is computed;
    ``close`` writes the archive to a temporary file beside ``output`` and renames it into place, so a
    reader never sees a half-written bundle. Used as a context manager, an exception discards
    everything and leaves ``output`` untouched.
    """

    def __init__(
        self,
        output: Path | str,
        *,
        source: str,
        schema_revision: str | None,
        created_at: dt.datetime | None = None,
    ) -> None:
        self.output = Path(output)
        if not self.output.parent.is_dir():
            raise ConfigurationError(f"cannot write {self.output}: the folder {self.output.parent} does not exist")
        self.source = source
        self.schema_revision = schema_revision
        self.created_at = _utc(created_at)
        self._tables: dict[str, tuple[TableEntry, IO[bytes]]] = {}
        self._closed = False

    def add_table(
        self,
        name: str,
        rows: Iterable[Sequence[Any] | Mapping[str, Any]],
        columns: Sequence[str] | None = None,
    ) -> TableEntry:
        """Stream ``rows`` (sequences in ``columns`` order, or mappings) into the member of ``name``.

        ``columns`` defaults to every column of the table, in model order.
        """
        if self._closed:
            raise RuntimeError("bundle already closed")
        table = reference_table(name)
        if name in self._tables:
            raise ConfigurationError(f"table {name} added twice to the bundle")
        columns = tuple(columns or table.columns.keys())
        problem = column_problem(name, columns)
        if problem:
            raise ConfigurationError(f"cannot write {self.output}: {problem}")
        codecs = [_Codec(table.columns[c]) for c in columns]
        spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - closed in close()
        digest = hashlib.sha256()
        size = count = 0
        try:
            for count, row in enumerate(rows, start=1):
                values = self._values(name, row, columns, count)
                try:
                    obj = {codec.name: codec.encode(v) for codec, v in zip(codecs, values, strict=True)}
                except ValueError as exc:
                    raise ConfigurationError(f"table {name}, row {count}: {exc}") from None
                data = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode() + b"\n"
                size += len(data)
                if size > MAX_MEMBER_BYTES:
                    raise ConfigurationError(
                        f"table {name} exceeds the {MAX_MEMBER_BYTES:,}-byte limit of a bundle member; "
                        "reference tables are expected to be small"
                    )
                digest.update(data)
                spool.write(data)
        except BaseException:
            spool.close()
            raise
        entry = TableEntry(name, f"{name}.jsonl", columns, count, digest.hexdigest())
        self._tables[name] = (entry, spool)
        return entry

    @staticmethod
    def _values(name: str, row: Any, columns: Sequence[str], number: int) -> Sequence[Any]:
        if isinstance(row, Mapping):
            try:
                return [row[c] for c in columns]
            except KeyError as exc:
                raise ConfigurationError(f"table {name}, row {number}: no value for column {exc.args[0]!r}") from None
        values = tuple(row)
        if len(values) != len(columns):
            raise ConfigurationError(
                f"table {name}, row {number}: {len(values)} values for {len(columns)} columns ({', '.join(columns)})"
            )
        return values

    @property
    def manifest(self) -> Manifest:
        entries = sorted((e for e, _ in self._tables.values()), key=lambda e: dependency_rank(e.name))
        return Manifest(
            schema_revision=self.schema_revision,
            created_at=_iso(self.created_at),
            source=self.source,
            tables=tuple(entries),
            provider_version=__version__,
        )

    def _info(self, name: str, size: int) -> tarfile.TarInfo:
        info = tarfile.TarInfo(name)
        info.size = size
        info.mtime = int(self.created_at.timestamp())
        info.mode = 0o644
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        info.type = tarfile.REGTYPE
        return info

    def close(self) -> Path:
        """Write the archive (manifest first, then the tables in dependency order) and return its path."""
        if self._closed:
            return self.output
        manifest = self.manifest
        manifest_bytes = (json.dumps(manifest.to_json(), indent=2, ensure_ascii=False) + "\n").encode()
        fd, tmp_name = tempfile.mkstemp(dir=self.output.parent, prefix=f".{self.output.name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as raw:
                with (
                    gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz,
                    tarfile.open(fileobj=gz, mode="w", format=tarfile.USTAR_FORMAT) as tar,
                ):
                    tar.addfile(self._info(MANIFEST_NAME, len(manifest_bytes)), io.BytesIO(manifest_bytes))
                    for entry in manifest.tables:
                        spool = self._tables[entry.name][1]
                        size = spool.tell()
                        spool.seek(0)
                        tar.addfile(self._info(entry.file, size), spool)
                raw.flush()
                os.fsync(raw.fileno())
            os.chmod(tmp_name, 0o644)
            os.replace(tmp_name, self.output)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
            raise
        finally:
            self.discard()
        return self.output

    def discard(self) -> None:
        """Drop the spooled tables without writing anything."""
        for _, spool in self._tables.values():
            spool.close()
        self._tables.clear()
        self._closed = True

    def __enter__(self) -> BundleWriter:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.close()
        else:
            self.discard()


# --------------------------------------------------------------------------------------------------
# reader / verifier
# --------------------------------------------------------------------------------------------------


def _check_member_name(path: Path | str, name: str) -> None:
    """Refuse absolute paths, ``..``, sub-folders and odd names: members are plain top-level files."""
    if not name or name in (".", ".."):
        raise BundleError(path, f"member name {name!r} is empty or a directory reference")
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        raise BundleError(path, f"member {name!r} has an absolute path")
    parts = re.split(r"[/\\]", name)
    if ".." in parts:
        raise BundleError(path, f"member {name!r} contains '..' (path traversal)")
    if len(parts) > 1:
        raise BundleError(path, f"member {name!r} is in a sub-folder; bundle members are top-level files")
    if any(ord(ch) < 32 for ch in name):
        raise BundleError(path, f"member {name!r} has control characters in its name")


def _member_kind(member: tarfile.TarInfo) -> str | None:
    """What is wrong with a member's type, or None for a plain regular file."""
    if member.issym():
        return f"a symbolic link (to {member.linkname!r})"
    if member.islnk():
        return f"a hard link (to {member.linkname!r})"
    if member.isdir():
        return "a directory entry"
    if member.ischr() or member.isblk():
        return "a device file"
    if member.isfifo():
        return "a fifo"
    if member.issparse():
        return "a sparse file"
    if not member.isreg():
        return f"not a regular file (type {member.type!r})"
    return None


@dataclass
class _Scan:
    """What reading one table member found."""

    digest: str
    rows: int
    error: str | None = None
    apps_ids: set[int] = field(default_factory=set)


class ReferenceBundle:
    """A bundle that passed every check; read its rows with :meth:`rows`. Use :func:`open_bundle`."""

    def __init__(self, path: Path, fileobj: IO[bytes], tar: tarfile.TarFile, members: dict[str, tarfile.TarInfo]):
        self.path = path
        self._file = fileobj
        self._tar = tar
        self._members = members
        self.manifest: Manifest
        #: app-scoped table -> the applications its rows belong to
        self.apps_ids: dict[str, frozenset[int]] = {}

    # -- verification ---------------------------------------------------------------------------

    def _verify(self) -> None:
        manifest_member = self._members.get(MANIFEST_NAME)
        if manifest_member is None:
            raise BundleError(self.path, f"no {MANIFEST_NAME} in the archive (not a reference bundle?)")
        if manifest_member.size > MAX_MANIFEST_BYTES:
            raise BundleError(self.path, f"{MANIFEST_NAME} is larger than {MAX_MANIFEST_BYTES // 1024} KiB")
        data = self._read_all(manifest_member)
        self.manifest = _parse_manifest(self.path, data)
        listed = {e.file for e in self.manifest.tables}
        absent = sorted(listed - set(self._members))
        if absent:
            raise BundleError(self.path, f"member(s) {', '.join(absent)} listed in {MANIFEST_NAME} but absent")
        unlisted = sorted(set(self._members) - listed - {MANIFEST_NAME})
        if unlisted:
            raise BundleError(self.path, f"member(s) {', '.join(unlisted)} present but not listed in {MANIFEST_NAME}")
        for entry in self.manifest.tables:
            scan = self._scan(entry)
            if scan.digest != entry.sha256:
                raise BundleError(
                    self.path,
                    f"sha256 mismatch for {entry.file}: the manifest says {entry.sha256}, the member hashes "
                    f"to {scan.digest} (corrupt or edited)",
                )
            if scan.error:
                raise BundleError(self.path, scan.error)
            if scan.rows != entry.rows:
                raise BundleError(
                    self.path, f"row count mismatch for {entry.file}: the manifest says {entry.rows}, found {scan.rows}"
                )
            if is_app_scoped(entry.name):
                self.apps_ids[entry.name] = frozenset(scan.apps_ids)

    def _read_all(self, member: tarfile.TarInfo) -> bytes:
        stream = self._extract(member)
        try:
            return stream.read(member.size)
        except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
            raise BundleError(self.path, f"cannot read member {member.name}: {exc}") from None

    def _extract(self, member: tarfile.TarInfo) -> IO[bytes]:
        try:
            stream = self._tar.extractfile(member)
        except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
            raise BundleError(self.path, f"cannot read member {member.name}: {exc}") from None
        if stream is None:  # pragma: no cover - only regular files get here
            raise BundleError(self.path, f"member {member.name} is not a regular file")
        return stream

    def _lines(self, entry: TableEntry) -> Iterator[tuple[int, bytes]]:
        """(line number, raw line) of a member, read as a stream."""
        stream = self._extract(self._members[entry.file])
        try:
            yield from enumerate(stream, start=1)
        except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
            raise BundleError(self.path, f"cannot read member {entry.file}: {exc}") from None

    def _row(self, entry: TableEntry, codecs: list[_Codec], number: int, line: bytes) -> tuple[Any, ...]:
        """Parse and type-check one JSON line; raises ValueError with a message naming the line."""
        where = f"{entry.file} line {number}"
        if not line.endswith(b"\n"):
            raise ValueError(f"{where}: the last line is not terminated (truncated member?)")
        try:
            obj = json.loads(line.decode("utf-8"), parse_constant=_refuse_constant, object_pairs_hook=_unique_keys)
        except (UnicodeDecodeError, ValueError) as exc:
            raise ValueError(f"{where}: not a JSON object ({exc})") from None
        if not isinstance(obj, dict):
            raise ValueError(f"{where}: not a JSON object")
        if obj.keys() != set(entry.columns):
            extra = sorted(set(obj) - set(entry.columns))
            lacking = [c for c in entry.columns if c not in obj]
            raise ValueError(
                f"{where}: keys differ from the manifest's columns"
                + (f"; unexpected {', '.join(extra)}" if extra else "")
                + (f"; missing {', '.join(lacking)}" if lacking else "")
            )
        try:
            return tuple(codec.decode(obj[codec.name]) for codec in codecs)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None

    def _codecs(self, entry: TableEntry) -> list[_Codec]:
        table = reference_table(entry.name)
        return [_Codec(table.columns[c]) for c in entry.columns]

    def _scan(self, entry: TableEntry) -> _Scan:
        """Hash, count and validate every line of a member (the first error is kept, hashing goes on)."""
        digest = hashlib.sha256()
        codecs = self._codecs(entry)
        apps_index = entry.columns.index(APPS_COLUMN) if APPS_COLUMN in entry.columns else None
        scan = _Scan(digest="", rows=0)
        for number, line in self._lines(entry):
            digest.update(line)
            scan.rows = number
            if scan.error:
                continue
            try:
                row = self._row(entry, codecs, number, line)
            except ValueError as exc:
                scan.error = str(exc)
                continue
            if apps_index is not None:
                scan.apps_ids.add(row[apps_index])
        scan.digest = digest.hexdigest()
        return scan

    # -- reading --------------------------------------------------------------------------------

    @property
    def tables(self) -> tuple[TableEntry, ...]:
        """The bundle's tables, in dependency order."""
        return self.manifest.tables

    @property
    def all_apps_ids(self) -> frozenset[int]:
        """Every application that has rows in an app-scoped table of the bundle."""
        return frozenset().union(*self.apps_ids.values()) if self.apps_ids else frozenset()

    def rows(self, name: str) -> Iterator[tuple[Any, ...]]:
        """The rows of table ``name`` as tuples in ``manifest.table(name).columns`` order, typed.

        The member is hashed again while it streams: if it changed since verification, the last
        iteration raises a BundleError (inside the caller's transaction, which then rolls back).
        """
        for row, _ in self.records(name):
            yield row

    def records(self, name: str) -> Iterator[tuple[tuple[Any, ...], str]]:
        """Like :meth:`rows`, with each row's verified JSON text (one object keyed by column)."""
        entry = self.manifest.table(name)
        codecs = self._codecs(entry)
        digest = hashlib.sha256()
        count = 0
        for number, line in self._lines(entry):
            digest.update(line)
            count = number
            try:
                row = self._row(entry, codecs, number, line)
            except ValueError as exc:
                raise BundleError(self.path, str(exc)) from None
            yield row, line.decode("utf-8").rstrip("\n")
        if digest.hexdigest() != entry.sha256 or count != entry.rows:
            raise BundleError(self.path, f"member {entry.file} changed while it was being read")

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._tar.close()
        self._file.close()

    def __enter__(self) -> ReferenceBundle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _check_gzip(path: Path, fileobj: IO[bytes]) -> None:
    """Decompress the whole file once: refuses non-gzip, truncated and corrupt files, and bombs."""
    fileobj.seek(0)
    if fileobj.read(2) != b"\x1f\x8b":
        raise BundleError(path, "not a gzip file (a reference bundle is a .tar.gz archive)")
    fileobj.seek(0)
    limit = MAX_ARCHIVE_BYTES
    total = 0
    try:
        with gzip.GzipFile(fileobj=fileobj, mode="rb") as gz:
            while chunk := gz.read(_CHUNK):
                total += len(chunk)
                if total > limit:
                    raise BundleError(path, f"the archive expands to more than {limit // (1024 * 1024)} MiB")
    except EOFError:
        raise BundleError(path, "the archive is truncated (the gzip stream ends early)") from None
    except (gzip.BadGzipFile, zlib.error, OSError) as exc:
        raise BundleError(path, f"the archive is corrupt ({exc})") from None
    finally:
        fileobj.seek(0)


def _list_members(path: Path, tar: tarfile.TarFile, max_member_bytes: int) -> dict[str, tarfile.TarInfo]:
    """Every member's header, checked for name, type and size, keyed by name."""
    members: dict[str, tarfile.TarInfo] = {}
    try:
        for member in tar:
            if len(members) >= MAX_MEMBERS:
                raise BundleError(path, f"more than {MAX_MEMBERS} members in the archive")
            _check_member_name(path, member.name)
            problem = _member_kind(member)
            if problem:
                raise BundleError(path, f"member {member.name!r} is {problem}; only regular files are allowed")
            if member.size > max_member_bytes:
                raise BundleError(
                    path,
                    f"member {member.name} is {member.size:,} bytes, over the {max_member_bytes:,}-byte member limit",
                )
            if member.name in members:
                raise BundleError(path, f"member {member.name} appears twice in the archive")
            members[member.name] = member
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise BundleError(path, f"not a valid tar archive or truncated ({exc})") from None
    return members


def open_bundle(path: Path | str, *, max_member_bytes: int = MAX_MEMBER_BYTES) -> ReferenceBundle:
    """Open and completely verify a bundle; raises :class:`BundleError` on any problem.

    The caller closes it (``with open_bundle(p) as bundle:``). The file stays open, so renaming or
    replacing the path afterwards does not change what is read. ``max_member_bytes``: the size cap
    of one member (a smaller one lets a test reach the limit with a small bundle).
    """
    path = Path(path)
    if not path.is_file():
        raise BundleError(path, "no such file" if not path.exists() else "not a regular file")
    fileobj = open(path, "rb")  # noqa: SIM115 - owned by the ReferenceBundle
    try:
        _check_gzip(path, fileobj)
        try:
            tar = tarfile.open(fileobj=fileobj, mode="r:gz")  # noqa: SIM115 - owned by the ReferenceBundle
        except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
            raise BundleError(path, f"not a valid tar archive ({exc})") from None
        bundle = ReferenceBundle(path, fileobj, tar, _list_members(path, tar, max_member_bytes))
        bundle._verify()
    except BaseException:
        fileobj.close()
        raise
    return bundle


def verify_bundle(path: Path | str, *, max_member_bytes: int = MAX_MEMBER_BYTES) -> Manifest:
    """Verify a bundle completely and return its manifest (raises :class:`BundleError`);
    ``max_member_bytes`` as for :func:`open_bundle`."""
    with open_bundle(path, max_member_bytes=max_member_bytes) as bundle:
        return bundle.manifest


# --------------------------------------------------------------------------------------------------
# the curated bundle
# --------------------------------------------------------------------------------------------------


def _created_at_default() -> dt.datetime:
    """``SOURCE_DATE_EPOCH`` when set (reproducible builds), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC)


def _apps_list(apps_id: int | Iterable[int]) -> list[int]:
    values = [apps_id] if isinstance(apps_id, int) else list(apps_id)
    if not values or any(not isinstance(a, int) or isinstance(a, bool) or a < 1 for a in values):
        raise ConfigurationError(f"apps_id must be a positive integer (or a list of them), not {apps_id!r}")
    return sorted(set(values))


def _csv_header(csv_path: Path, table: sa.Table) -> list[str]:
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        try:
            header = next(csv.reader(handle))
        except StopIteration:
            raise ConfigurationError(f"{csv_path} is empty: the first line must name the columns") from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise ConfigurationError(f"{csv_path}: cannot read the header ({exc})") from None
    header = [h.strip() for h in header]
    if APPS_COLUMN in header and APPS_COLUMN in table.columns:
        raise ConfigurationError(
            f"{csv_path}: remove the {APPS_COLUMN} column; the builder stamps the application id on every row"
        )
    unknown = [h for h in header if h not in table.columns]
    if unknown:
        raise ConfigurationError(
            f"{csv_path}: unknown column(s) {', '.join(repr(h) for h in unknown)} "
            f"(table {table.name} has {', '.join(table.columns.keys())})"
        )
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise ConfigurationError(f"{csv_path}: column(s) {', '.join(dupes)} appear twice in the header")
    lacking = [c for c in required_columns(table) if c not in header and c != APPS_COLUMN]
    if lacking:
        raise ConfigurationError(f"{csv_path}: required column(s) {', '.join(lacking)} missing from the header")
    return header


def _csv_rows(csv_path: Path, table: sa.Table, header: list[str], apps_ids: list[int]) -> Iterator[tuple[Any, ...]]:
    """Typed rows of a curated CSV (``apps_id`` first, once per application, for app-scoped tables)."""
    codecs = [_Codec(table.columns[h]) for h in header]
    key_columns = [c.name for c in table.primary_key.columns]
    out_columns = ([APPS_COLUMN] if APPS_COLUMN in table.columns else []) + header
    key_index = [out_columns.index(k) for k in key_columns]
    seen: dict[tuple[Any, ...], int] = {}
    for apps in apps_ids if APPS_COLUMN in table.columns else [None]:
        with csv_path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            try:
                next(reader)
                for cells in reader:
                    line = reader.line_num
                    if not cells or (len(cells) == 1 and cells[0] == ""):
                        continue  # blank line
                    if len(cells) != len(header):
                        raise ConfigurationError(
                            f"{csv_path} line {line}: {len(cells)} cells for {len(header)} columns"
                        )
                    try:
                        values = tuple(codec.from_csv(cell) for codec, cell in zip(codecs, cells, strict=True))
                    except ValueError as exc:
                        raise ConfigurationError(f"{csv_path} line {line}: {exc}") from None
                    row = ((apps,) if apps is not None else ()) + values
                    key = tuple(row[i] for i in key_index)
                    if key in seen:
                        raise ConfigurationError(
                            f"{csv_path} line {line}: duplicate key {dict(zip(key_columns, key, strict=True))} "
                            f"(first on line {seen[key]})"
                        )
                    seen[key] = line
                    yield row
            except (csv.Error, UnicodeDecodeError) as exc:
                raise ConfigurationError(f"{csv_path}: {exc}") from None


def build_curated_bundle(
    output: Path | str,
    apps_id: int | Iterable[int] = DEFAULT_APPS_ID,
    data_dir: Path | str | None = None,
    created_at: dt.datetime | None = None,
) -> Path:
    """Build a bundle from the curated CSV files (``<table>.csv`` per reference table) and return its path.

    ``output``: the ``.tar.gz`` to write (a folder gets ``nomasx1-reference-curated.tar.gz``).
    ``apps_id``: the application(s) stamped on the sod_* rows (a list stamps the baseline once per
    application). ``data_dir``: the CSV folder (default: the package's ``reference/data``).
    ``created_at``: the manifest's date (default ``$SOURCE_DATE_EPOCH``, else now): the same CSVs
    and date give a byte-identical bundle.

    CSV rules: UTF-8, header = column names; an empty cell is NULL in a nullable column, and the
    column's constant server default ('' for form_name/version) in a NOT NULL one; booleans are
    ``true``/``false``; the sod_* files omit ``apps_id``. Any problem raises a ConfigurationError
    naming the file and line; nothing is written.
    """
    from airflow_provider_nomasx1.schema.bootstrap import head_revision

    data_dir = Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR
    if not data_dir.is_dir():
        raise ConfigurationError(f"curated reference data folder {data_dir} does not exist")
    apps_ids = _apps_list(apps_id)
    output = Path(output)
    if output.is_dir():
        output = output / "nomasx1-reference-curated.tar.gz"
    missing = [f"{name}.csv" for name in nomasx1.REFERENCE_TABLES if not (data_dir / f"{name}.csv").is_file()]
    if missing:
        raise ConfigurationError(f"curated reference data in {data_dir} lacks {', '.join(missing)}")
    known = {f"{name}.csv" for name in nomasx1.REFERENCE_TABLES}
    for extra in sorted(p.name for p in data_dir.glob("*.csv") if p.name not in known):
        log.warning("ignoring %s in %s: not a reference table", extra, data_dir)
    source = f"curated reference data ({data_dir.name}/), apps_id {', '.join(map(str, apps_ids))}"
    when = created_at or _created_at_default()
    with BundleWriter(output, source=source, schema_revision=head_revision(), created_at=when) as writer:
        for name in nomasx1.REFERENCE_TABLES:
            table = nomasx1.metadata.tables[name]
            csv_path = data_dir / f"{name}.csv"
            header = _csv_header(csv_path, table)
            columns = ([APPS_COLUMN] if APPS_COLUMN in table.columns else []) + header
            writer.add_table(name, _csv_rows(csv_path, table, header, apps_ids), columns)
    return output
