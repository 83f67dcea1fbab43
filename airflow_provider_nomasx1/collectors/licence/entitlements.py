"""The entitlement register (table ``license_entitlements``, command ``nomasx1 licence entitlement``):
what was bought, one contract line per row: the contract's CSI, a licensed component
(settings_lic_components), the metric it is counted by (settings_lic_metrics), the quantity, the
days it covers, its support status.

A line is **active** on day D when ``start_date <= D`` and (``end_date`` is null or
``D <= end_date``): first and last day included, open without an end date. The support status
does not change that: lapsed support leaves a perpetual licence counted. The rule is written once,
:func:`active_on` (and :func:`active_on_sql` for the SQL files).

Lines are ended, not deleted (:meth:`EntitlementStore.end` sets the last day covered), so past
positions stay explainable; deleting is kept for a line recorded in error. A CSV file is imported
all or nothing: every line is checked first, every problem reported with its line number, and
nothing is written while one line is wrong. No Airflow here: the CLI and tests call it.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from airflow_provider_nomasx1.collectors.registers import (
    RegisterStore,
    check_application,
    clean_text,
    generated_ids,
    ids_like,
    new_last_day,
    parse_date,
    whoami,
    within,
)
from airflow_provider_nomasx1.errors import ConfigurationError
from airflow_provider_nomasx1.pg.identifiers import checked
from airflow_provider_nomasx1.pg.locks import xact_lock
from airflow_provider_nomasx1.schema import nomasx1

ENTITLEMENTS = nomasx1.license_entitlements
COMPONENTS = nomasx1.settings_lic_components
METRICS = nomasx1.settings_lic_metrics

#: columns of license_entitlements, in display order
COLUMNS = (
    "apps_id",
    "entitlement_id",
    "csi",
    "component_id",
    "metric_id",
    "quantity",
    "start_date",
    "end_date",
    "support_status",
    "note",
    "created_at",
    "created_by",
)
_COLUMNS = tuple(ENTITLEMENTS.c[name] for name in COLUMNS)
#: generated ids are ENT-<apps_id>-<n>
PREFIX = "ENT"

#: the columns of an import file: required, optional; a component and a metric are each named by
#: id (``component_id``, ``metric_id``) or by exact name (``component``, ``metric``)
CSV_REQUIRED = ("csi", "quantity", "start_date")
CSV_OPTIONAL = ("end_date", "support_status", "note", "entitlement_id")
CSV_REFERENCES = (("component_id", "component"), ("metric_id", "metric"))
CSV_COLUMNS = (*CSV_REQUIRED, *(c for pair in CSV_REFERENCES for c in pair), *CSV_OPTIONAL)
#: problems listed in the message of a refused import (the count says how many more)
MAX_PROBLEMS = 20


class EntitlementNotFoundError(ConfigurationError):
    def __init__(self, apps_id: int, entitlement_id: str) -> None:
        super().__init__(
            f"entitlement line {entitlement_id!r} does not exist for application {apps_id}: "
            f"list them with `nomasx1 licence entitlement list --apps-id {apps_id}`"
        )


def active_on(day: Any, entitlements: sa.FromClause = ENTITLEMENTS) -> sa.ColumnElement[bool]:
    """THE active rule of an entitlement line: ``start_date <= day`` and (``end_date`` is null or
    ``day <= end_date``). ``day`` is a date (bound) or an SQL expression; ``entitlements`` the
    license_entitlements table or an alias of it."""
    return within(day, entitlements.c.start_date, entitlements.c.end_date)


def active_on_sql(alias: str, day_sql: str) -> str:
    """:func:`active_on` as SQL text for the SQL files: the columns of license_entitlements
    ``alias`` on the day given by the SQL expression ``day_sql`` (e.g. ``{{as_of}}``)."""
    predicate = active_on(sa.literal_column(day_sql), ENTITLEMENTS.alias(checked(alias, "alias")))
    return str(predicate.compile(dialect=postgresql.dialect()))


#: the rule under another name, for the method whose parameter is called active_on
_active_on = active_on

# --------------------------------------------------------------------------------------------------
# checking a line
# --------------------------------------------------------------------------------------------------

#: (column, what is wrong with its value)
Problem = tuple[str, str]


@dataclass(frozen=True)
class _Catalogue:
    """Components and metrics that a line may name (a few dozen rows each, read once per command)."""

    components: dict[int, str]
    metrics: dict[int, str]
    schema: str

    @classmethod
    def read(cls, conn: sa.Connection, schema: str) -> _Catalogue:
        def names(table: sa.Table, key: str) -> dict[int, str]:
            rows = conn.execute(sa.select(table.c[key], table.c.name).order_by(table.c[key]))
            return {int(k): str(n) for k, n in rows}

        return cls(names(COMPONENTS, "component_id"), names(METRICS, "metric_id"), schema)

    def table(self, kind: str) -> tuple[str, dict[int, str]]:
        return (
            ("settings_lic_components", self.components)
            if kind == "component"
            else ("settings_lic_metrics", self.metrics)
        )

    def resolve(self, kind: str, value: Any, *, by_id: bool = False) -> tuple[int | None, str | None]:
        """The id of the ``kind`` ("component" or "metric") that ``value`` names: an id, or (unless
        ``by_id``) its exact name, case-insensitive. Returns (id, None) or (None, problem)."""
        table, known = self.table(kind)
        text = clean_text(value)
        if text is None:
            return None, "is required"
        if isinstance(value, bool):
            return None, f"must be a {kind} id, got {value!r}"
        if text.isdigit():
            number = int(text)
            return (number, None) if number in known else (None, f"{number} is not in {table}")
        if by_id:
            return None, f"must be a {kind} id (a whole number), got {text!r}: a name goes in column {kind}"
        matches = [k for k, name in known.items() if name.casefold() == text.casefold()]
        if len(matches) == 1:
            return matches[0], None
        if matches:
            return None, f"{text!r} names several entries of {table} ({', '.join(map(str, matches))}): give the id"
        close = difflib.get_close_matches(text.casefold(), [n.casefold() for n in known.values()], n=1)
        hint = next((f": did you mean {n!r}?" for n in known.values() if close and n.casefold() == close[0]), "")
        return None, f"no {kind} is named {text!r} in {table}{hint}"

    def hints(self, columns: Iterable[str]) -> list[str]:
        """What to add after problems in these columns: the known components / metrics."""
        columns = set(columns)
        return [self.known(kind) for column, kind in CSV_REFERENCES if {column, kind} & columns]

    def known(self, kind: str) -> str:
        """What to say after a reference problem: the ids that exist, or how to load them."""
        table, known = self.table(kind)
        if not known:
            return (
                f"{table} is empty: import the curated reference data first "
                "(`nomasx1 reference import --url URL`, or the nomasx1-import-reference job)"
            )
        shown = ", ".join(f"{k} {name}" for k, name in list(known.items())[:8])
        more = f", ... ({len(known)} in all: SELECT * FROM {self.schema}.{table})" if len(known) > 8 else ""
        return f"known {kind}s: {shown}{more}"


def _quantity(value: Any) -> tuple[Decimal | None, str | None]:
    text = clean_text(value)
    if text is None:
        return None, "is required"
    try:
        number = Decimal(text) if not isinstance(value, bool) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number < 0:
        return None, f"must be a number, 0 or more (e.g. 150 or 12.5), got {text!r}"
    return number, None


def _day(value: Any, column: str) -> tuple[dt.date | None, str | None]:
    try:
        return parse_date(value, column), None
    except ConfigurationError:
        return None, f"must be a date YYYY-MM-DD, got {clean_text(value)!r}"


def _check_line(raw: Mapping[str, Any], catalogue: _Catalogue) -> tuple[dict[str, Any], list[Problem]]:
    """The values to store for one line, and what is wrong with it (every problem, not the first).

    ``raw`` holds the line's cells by column: :data:`CSV_COLUMNS`, the component and the metric by
    id (``component_id``, ``metric_id``) or by name or id (``component``, ``metric``)."""
    problems: list[Problem] = []
    values: dict[str, Any] = {}

    def take(column: str, value: Any, problem: str | None) -> None:
        if problem is None:
            values[column] = value
        else:
            problems.append((column, problem))

    csi = clean_text(raw.get("csi"))
    take("csi", csi, None if csi else "is required (the contract's Customer Support Identifier)")
    for column, by_name in CSV_REFERENCES:
        key, problem = _reference(raw, catalogue, column, by_name)
        if problem is None:
            values[column] = key
        else:  # reported under the column the line filled
            filled = clean_text(raw.get(by_name)) and not clean_text(raw.get(column))
            problems.append((by_name if filled else column, problem))
    take("quantity", *_quantity(raw.get("quantity")))
    start, problem = _day(raw.get("start_date"), "start_date")
    take("start_date", start, problem or (None if start else "is required (the first day the line covers)"))
    end, problem = _day(raw.get("end_date"), "end_date")
    if problem is None and end is not None and start is not None and end < start:
        problem = f"{end} is before start_date {start}: end_date is the last day the line covers"
    take("end_date", end, problem)
    status = (clean_text(raw.get("support_status")) or "active").lower()
    allowed = nomasx1.SUPPORT_STATUSES
    take(
        "support_status", status, None if status in allowed else f"must be one of {', '.join(allowed)}, got {status!r}"
    )
    values["note"] = clean_text(raw.get("note"))
    values["entitlement_id"] = clean_text(raw.get("entitlement_id"))
    return values, problems


def _reference(raw: Mapping[str, Any], catalogue: _Catalogue, column: str, kind: str) -> tuple[int | None, str | None]:
    """The component or metric (``kind``) of a line: by id (``column``) or by name or id (column
    ``kind``); when both are filled they must agree."""
    by_id, named = clean_text(raw.get(column)), clean_text(raw.get(kind))
    if by_id is None and named is None:
        return None, f"is required (the {kind}'s id, or its exact name)"
    key, problem = catalogue.resolve(kind, raw.get(column), by_id=True) if by_id is not None else (None, None)
    if problem is not None or named is None:
        return key, problem
    other, problem = catalogue.resolve(kind, named)
    if problem is not None:
        return None, problem
    if key is not None and key != other:
        return None, f"{column} {key} and {kind} {named!r} ({other}) name different {kind}s"
    return other, None


# --------------------------------------------------------------------------------------------------
# reading an import file
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    number: int  # the file's line the record starts on (the header is line 1)
    cells: dict[str, str]


def _read_csv(path: Path) -> tuple[list[_Line], list[str]]:
    """The records of an import file by column, and the problems of its shape (header, cell counts).

    UTF-8 (a byte-order mark is skipped), comma- or semicolon-separated (the header says which),
    blank lines skipped."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigurationError(
            f"{path}: not UTF-8 text (byte {exc.start}): save the file as CSV UTF-8; nothing was imported"
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [clean_text(h) or "" for h in next(reader, [])]
        header = [h.lower() for h in header]
        problems = _header_problems(header)
        if problems:
            return [], problems
        lines: list[_Line] = []
        start = reader.line_num + 1
        for row in reader:
            number, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(header):
                problems.append(
                    f"line {number}: {len(row)} cells, the header has {len(header)} columns "
                    f"(a value holding {delimiter!r} must be quoted)"
                )
                continue
            lines.append(_Line(number, dict(zip(header, row, strict=False))))
    except csv.Error as exc:
        raise ConfigurationError(
            f"{path}: line {reader.line_num}: not a CSV file ({exc}); nothing was imported"
        ) from None
    if not lines and not problems:
        problems.append(
            "the file has no entitlement line under its header: nothing to import (to remove a line, "
            "use `nomasx1 licence entitlement end --apps-id N --id ID --delete`)"
        )
    return lines, problems


def _header_problems(header: list[str]) -> list[str]:
    if not any(header):
        return ["line 1: no header: the first line names the columns (" + ", ".join(CSV_COLUMNS) + ")"]
    problems = []
    unknown = [h or "(empty)" for h in header if h not in CSV_COLUMNS]
    if unknown:
        problems.append(f"line 1: unknown column(s) {', '.join(unknown)}: the columns are {', '.join(CSV_COLUMNS)}")
    twice = sorted({h for h in header if h and header.count(h) > 1})
    if twice:
        problems.append(f"line 1: column(s) {', '.join(twice)} given twice")
    missing = [c for c in CSV_REQUIRED if c not in header]
    missing += [f"{i} (or {n})" for i, n in CSV_REFERENCES if i not in header and n not in header]
    if missing:
        problems.append(f"line 1: missing column(s) {', '.join(missing)}")
    return problems


def _check_file(
    lines: list[_Line], catalogue: _Catalogue, existing: set[str], apps_id: int
) -> tuple[list[dict[str, Any]], list[str], set[str]]:
    """The rows of the file's lines, every problem as ``line N: column X: ...``, and the columns
    that had one."""
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    columns: set[str] = set()
    first_seen: dict[str, int] = {}
    for line in lines:
        values, found = _check_line(line.cells, catalogue)
        ident = values["entitlement_id"]
        if ident is not None and ident in first_seen:
            found.append(("entitlement_id", f"{ident} is also on line {first_seen[ident]}"))
        elif ident is not None and ident in existing:
            found.append(
                (
                    "entitlement_id",
                    f"{ident} already exists for application {apps_id} (choose another id, leave it empty "
                    "to have one generated, or import with --replace to replace the whole register)",
                )
            )
        if ident is not None:
            first_seen.setdefault(ident, line.number)
        problems += [f"line {line.number}: column {column}: {problem}" for column, problem in found]
        columns.update(column for column, _ in found)
        rows.append(values)
    return rows, problems, columns


@dataclass(frozen=True)
class ImportSummary:
    """What :meth:`EntitlementStore.import_csv` did."""

    apps_id: int
    path: str
    added: int
    replaced: int
    replace: bool

    def summary(self) -> str:
        text = f"application {self.apps_id}: {self.added} entitlement line(s) imported from {self.path}"
        if self.replace:
            text += f", replacing the {self.replaced} line(s) the register held"
        return text


def _refused(what: str, problems: list[str], hints: Iterable[str] = ()) -> ConfigurationError:
    shown = problems[:MAX_PROBLEMS]
    more = f"; ... and {len(problems) - MAX_PROBLEMS} more" if len(problems) > MAX_PROBLEMS else ""
    tail = "".join(f" ({hint})" for hint in hints)
    return ConfigurationError(
        f"{what}: {len(problems)} problem(s), nothing was imported: {'; '.join(shown)}{more}{tail}"
    )


# --------------------------------------------------------------------------------------------------
# the store
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntitlementStore(RegisterStore):
    """The entitlement register of one nomasx1 schema, reached through ``engine``."""

    def add(
        self,
        apps_id: int,
        *,
        csi: str,
        component_id: int | str,
        metric_id: int | str,
        quantity: Decimal | int | float | str,
        start_date: dt.date | str,
        end_date: dt.date | str | None = None,
        support_status: str = "active",
        note: str | None = None,
        entitlement_id: str | None = None,
        created_by: str | None = None,
    ) -> dict[str, Any]:
        """Record one contract line after checking it; returns the stored row (with the component's
        and metric's names). ``component_id`` / ``metric_id``: an id or the exact name (any case);
        ``entitlement_id`` defaults to ``ENT-<apps_id>-<n>`` (next n)."""
        raw = {
            "csi": csi,
            "component": component_id,
            "metric": metric_id,
            "quantity": quantity,
            "start_date": start_date,
            "end_date": end_date,
            "support_status": support_status,
            "note": note,
            "entitlement_id": entitlement_id,
        }
        with self._connect() as conn, conn.begin():
            check_application(conn, apps_id)
            catalogue = _Catalogue.read(conn, self.schema)
            values, problems = _check_line(raw, catalogue)
            if problems:
                hints = catalogue.hints(column for column, _ in problems)
                detail = "; ".join(f"{column}: {problem}" for column, problem in problems)
                raise ConfigurationError(f"entitlement line not recorded: {detail}" + "".join(f" ({h})" for h in hints))
            # one writer at a time per application: the next generated number is read then used
            xact_lock(conn, "licence_entitlements", apps_id)
            if values["entitlement_id"] is None:
                taken = ids_like(conn, ENTITLEMENTS.c.entitlement_id, apps_id, PREFIX)
                values["entitlement_id"] = generated_ids(taken, PREFIX, apps_id)[0]
            elif self._get(conn, apps_id, values["entitlement_id"]) is not None:
                raise ConfigurationError(
                    f"entitlement line {values['entitlement_id']!r} already exists for application {apps_id}: "
                    "choose another --id, or leave --id out to have one generated"
                )
            conn.execute(ENTITLEMENTS.insert().values(apps_id=apps_id, created_by=_creator(created_by), **values))
            return self._get(conn, apps_id, values["entitlement_id"]) or {}

    def list(
        self,
        apps_id: int | None = None,
        active_on: dt.date | str | None = None,
        component_id: int | str | None = None,
    ) -> list[dict[str, Any]]:
        """Lines, optionally of one application, active on a day, of one component (id or name);
        each with ``component`` and ``metric`` (names) and the metric's ``counted_by``."""
        e = ENTITLEMENTS.c
        day = parse_date(active_on, "active_on")
        with self._connect() as conn:
            query = _listing().order_by(e.apps_id, e.component_id, e.start_date, e.entitlement_id)
            if apps_id is not None:
                query = query.where(e.apps_id == apps_id)
            if day is not None:
                query = query.where(_active_on(day))
            if clean_text(component_id) is not None:
                catalogue = _Catalogue.read(conn, self.schema)
                key, problem = catalogue.resolve("component", component_id)
                if problem is not None:
                    raise ConfigurationError(f"component {problem} ({catalogue.known('component')})")
                query = query.where(e.component_id == key)
            return [dict(r) for r in conn.execute(query).mappings()]

    def end(
        self, apps_id: int, entitlement_id: str, end_date: dt.date | str | None = None, delete: bool = False
    ) -> dict[str, Any] | None:
        """End a line: ``end_date`` becomes the last day it covers (default today); kept for history.

        ``delete=True`` removes the row instead (for a line recorded in error); returns None then.
        """
        with self._connect() as conn, conn.begin():
            row = self._get(conn, apps_id, entitlement_id)
            if row is None:
                raise EntitlementNotFoundError(apps_id, entitlement_id)
            key = _key(apps_id, entitlement_id)
            if delete:
                conn.execute(ENTITLEMENTS.delete().where(key))
                return None
            last = new_last_day(
                f"entitlement line {entitlement_id}",
                row["start_date"],
                row["end_date"],
                end_date,
                "end_date",
                " (a renewal is a new line: `nomasx1 licence entitlement add`)",
            )
            conn.execute(ENTITLEMENTS.update().where(key).values(end_date=last))
            return self._get(conn, apps_id, entitlement_id)

    def import_csv(
        self, apps_id: int, path: str | Path, replace: bool = False, *, created_by: str | None = None
    ) -> ImportSummary:
        """Add the lines of a CSV file (columns: :data:`CSV_COLUMNS`), all or nothing.

        Every line is checked first; any problem (reported with its line number, up to
        :data:`MAX_PROBLEMS` of them) refuses the whole file. ``replace``: the file becomes the
        application's whole register (its current lines deleted), in the same transaction.
        """
        path = Path(path)
        lines, problems = _read_csv(path)
        if problems:
            raise _refused(str(path), problems)
        with self._connect() as conn, conn.begin():
            check_application(conn, apps_id)
            xact_lock(conn, "licence_entitlements", apps_id)
            catalogue = _Catalogue.read(conn, self.schema)
            mine = ENTITLEMENTS.c.apps_id == apps_id
            existing = (
                set() if replace else set(conn.execute(sa.select(ENTITLEMENTS.c.entitlement_id).where(mine)).scalars())
            )
            rows, problems, columns = _check_file(lines, catalogue, existing, apps_id)
            if problems:
                raise _refused(str(path), problems, catalogue.hints(columns))
            replaced = conn.execute(ENTITLEMENTS.delete().where(mine)).rowcount if replace else 0
            given = [r["entitlement_id"] for r in rows if r["entitlement_id"]]
            fresh = iter(generated_ids([*given, *existing], PREFIX, apps_id, len(rows) - len(given)))
            creator = _creator(created_by)
            for row in rows:
                row["entitlement_id"] = row["entitlement_id"] or next(fresh)
                row.update(apps_id=apps_id, created_by=creator)
            conn.execute(ENTITLEMENTS.insert(), rows)
        return ImportSummary(apps_id, str(path), len(rows), replaced, replace)

    # -- helpers ------------------------------------------------------------------------------------

    def _get(self, conn: sa.Connection, apps_id: int, entitlement_id: str) -> dict[str, Any] | None:
        row = conn.execute(_listing().where(_key(apps_id, entitlement_id))).mappings().first()
        return dict(row) if row is not None else None


def _listing() -> sa.Select[Any]:
    """The lines with their component's and metric's names, and what the metric is counted by."""
    e, c, m = ENTITLEMENTS, COMPONENTS, METRICS
    return (
        sa.select(*_COLUMNS, c.c.name.label("component"), m.c.name.label("metric"), m.c.counted_by)
        .select_from(e)
        .outerjoin(c, c.c.component_id == e.c.component_id)
        .outerjoin(m, m.c.metric_id == e.c.metric_id)
    )


def _key(apps_id: int, entitlement_id: str) -> sa.ColumnElement[bool]:
    return sa.and_(ENTITLEMENTS.c.apps_id == apps_id, ENTITLEMENTS.c.entitlement_id == entitlement_id)


def _creator(created_by: str | None) -> str:
    return clean_text(created_by) or whoami()
