"""One step's target transaction and the SQL-file machinery the set-based collectors share.

A step (:func:`step_session`) runs in ONE transaction on the nomasx1 target: it reads the JDE rows
it needs into TEMP tables (:class:`~airflow_provider_nomasx1.jde.reader.JdeReader`), then
runs the SQL files of its family's folder (``sql/security/``, ``sql/sod/``) that replace the
application's rows of its tables (``DELETE ... WHERE apps_id`` + ``INSERT ... SELECT``). Readers
see the previous rows until the commit, a failure leaves them untouched, and a re-run gives the
same rows (idempotent).

SQL files use ``{{token}}`` markers: ``{{schema}}`` (quoted identifier), ``{{apps_id}}``,
``{{as_of}}``, ``{{run_id}}``, the application's coded values as SQL lists (``{{include_in_all_set}}``
-> ``('1', 'Y')``, see :mod:`airflow_provider_nomasx1.jde.coded_values`) and step-specific ones,
all rendered as SQL literals unless given as :class:`SqlText`. Statements are separated by a line
ending in ``;`` and timed one by one in the log.

Never wrong silently (docs/security.md, "Required and optional tables"):

- a required JDE table that is missing fails the step at once, naming the physical table; an
  enrichment table (``SourceTable.required`` false) that is missing reads as no rows, with a
  warning, a note in the step's message and ``collect_audit.details["missing_optional_sources"]``;
- a ``never_empty`` table that returns no rows is refused, and so is one that shrank by more than
  the application's ``collapse_max_shrink`` since the last collection (its count is kept in
  ``collect_source_counts``, written in the step's transaction); derived tables get the same guard
  (:meth:`StepSession.guard_collapse`);
- coded values outside the application's settings are counted (:meth:`StepSession.check_codes`:
  warning, message, ``details["unknown_coded_values"]``), and a result implausible as a whole
  (every assignment outside *ALL, every account disabled) is refused before anything is replaced.

The application's settings are the family's business (``collectors/security/base.py`` loads them);
a session only needs the few of :class:`SessionSettings`.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

import sqlalchemy as sa
from psycopg import sql as pgsql

from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.errors import ConfigurationError, SourceUnavailableError
from airflow_provider_nomasx1.jde import coded_values
from airflow_provider_nomasx1.jde.coded_values import CodedValues
from airflow_provider_nomasx1.jde.reader import JdeReader, create_temp
from airflow_provider_nomasx1.jde.session_functions import create_session_functions
from airflow_provider_nomasx1.jde.source_table import SourceTable
from airflow_provider_nomasx1.pg.identifiers import checked, quote
from airflow_provider_nomasx1.resources import fill_tokens, read_sql, split_statements


class SessionSettings(Protocol):
    """What a session reads of the application's settings (tokens, guards)."""

    @property
    def apps_id(self) -> int: ...

    @property
    def as_of(self) -> dt.date: ...

    @property
    def coded_values(self) -> CodedValues: ...

    @property
    def collapse_max_shrink(self) -> float: ...


S = TypeVar("S", bound=SessionSettings)


class SqlText(str):
    """A token value inserted verbatim (an identifier or SQL fragment built by the code)."""


@dataclass
class StepSession(Generic[S]):
    """One step's target transaction, its settings, its SQL folder and (on demand) the JDE source."""

    ctx: StepContext
    conn: sa.Connection
    settings: S
    #: folder under ``sql/`` whose files :meth:`run_sql` runs
    sql_folder: str
    _reader: JdeReader | None = None
    _source: Any = None
    #: the step's ExitStack (set by step_session): the source snapshot closes with the transaction
    _stack: Any = None
    #: JDE name -> problem, for the enrichment tables this step could not read
    missing_sources: dict[str, str] = field(default_factory=dict)

    @property
    def schema(self) -> str:
        return self.ctx.schema

    @property
    def apps_id(self) -> int:
        return self.settings.apps_id

    @property
    def cursor(self) -> Any:
        """A psycopg cursor inside the step's transaction (COPY, multi-statement SQL)."""
        return self.conn.connection.driver_connection.cursor()

    @property
    def reader(self) -> JdeReader:
        if self._reader is None:
            self._reader = JdeReader(self.ctx.source(), self.ctx.log)
        return self._reader

    # -- the JDE source ----------------------------------------------------------------------
    def extract(self, temp: str, table: SourceTable, where: str | None = None, effect: str | None = None) -> int:
        """Copy a JDE table's logical columns into TEMP table ``temp`` (one source snapshot per step).

        A missing required table fails naming it; a missing enrichment table gives an empty
        ``temp`` (``effect`` says what stays empty). A ``never_empty`` table read whole is refused
        when empty or collapsed, and its count is recorded for the next run."""
        with self.reader.hook.engine.connect() as inspect_conn:
            check = self.reader.check_table(inspect_conn, table)
            if check.problem and not table.required:
                self.optional_missing(table, check.problem, effect)
                with self.cursor as cur:
                    create_temp(cur, temp, list(table.columns))
                return 0
            select, columns = self.reader.select_sql(inspect_conn, table, where)
        rows = self.extract_query(temp, select, columns)
        if table.never_empty and where is None:
            require_source_rows(self, table, rows, f"the tables of step {self.ctx.step}")
            self.guard_source_count(table, rows)
        return rows

    def optional_missing(self, table: SourceTable, problem: str, effect: str | None = None) -> None:
        """An enrichment table the source does not have: warn, note it in the step's message and
        collect_audit details, and carry on without its rows."""
        consequence = effect or f"its columns are left empty in the tables of step {self.ctx.step}"
        self.missing_sources[table.name] = problem
        self.ctx.result.details.setdefault("missing_optional_sources", {})[table.name] = problem
        self.note(f"optional JDE table {table.name} unreadable, {consequence}: {problem}")

    def note(self, text: str) -> None:
        """Add ``text`` to the step's message (collect_audit.message) and log it as a warning."""
        self.ctx.log.warning("%s", text)
        result = self.ctx.result
        result.message = f"{result.message}; {text}" if result.message else text

    def extract_query(self, temp: str, select: str, columns: list[str]) -> int:
        """Run a hand-written source ``select`` (plain SQL valid on every JDE database, physical
        names from :meth:`source_table` / :meth:`source_column`) into TEMP table ``temp``, in the
        step's source snapshot."""
        if self._source is None:
            self._source = self._stack.enter_context(self.reader.snapshot())
        with self.cursor as cur:
            return self.reader.copy_to_temp(self._source, cur, temp, select, columns)

    def source_table(self, table: SourceTable) -> str:
        """Physical qualified name of a JDE table (for WHERE sub-queries on the source)."""
        return self.reader.qualified(table)

    def source_column(self, table: SourceTable, logical: str) -> str:
        return self.reader.column(table, logical)

    # -- coded values ------------------------------------------------------------------------
    def value_counts(self, temp: str, columns: list[str]) -> dict[str, int]:
        """Normalised code (trimmed, upper-cased) -> rows, over ``columns`` of TEMP ``temp``;
        NULL (a column absent from the source) is not counted."""
        parts = " UNION ALL ".join(
            f"SELECT upper(btrim({checked(c, 'column name')})) AS v FROM {checked(temp, 'temp table')} "
            f"WHERE {c} IS NOT NULL"
            for c in columns
        )
        found = self.conn.exec_driver_sql(f"SELECT v, count(*) FROM ({parts}) AS x GROUP BY v").all()
        return {coded_values.normalise(v): int(n) for v, n in found}

    def check_codes(
        self, setting: str, counts: Mapping[str, int], wanted: tuple[str, ...], headline: str
    ) -> dict[str, int]:
        """Report the codes of ``counts`` outside ``setting`` and refuse a result implausible as
        a whole: rows, but none whose code means one of ``wanted``. ``headline`` (formatted with
        ``n``, the rows) says what that result would be. Returns the unknown codes."""
        values = self.settings.coded_values
        definition = coded_values.BY_NAME[setting]
        unknown = values.unknown(setting, counts)
        if unknown:
            rows = sum(unknown.values())
            self.ctx.result.details.setdefault("unknown_coded_values", {})[setting] = {
                "column": definition.column,
                "rows": rows,
                "values": unknown,
            }
            self.note(
                f"{rows:,} {definition.column} value(s) outside {setting}: {_codes_text(unknown)} "
                f"(see docs/applications.md)"
            )
        total = sum(counts.values())
        if total and not any(values.meaning_of(setting, code) in wanted for code in counts):
            raise ConfigurationError(
                f"{headline.format(n=total)}: {definition.column} holds only {_codes_text(counts)}; see {setting} "
                f"(now {values.as_json(setting)}): if these are your site's codes, set them with `nomasx1 apps "
                f"update --apps-id {self.apps_id} --coded-values '{values.as_json(setting)}'` edited to your "
                f"codes. Nothing was changed."
            )
        return unknown

    # -- collapse guard ----------------------------------------------------------------------
    def guard_source_count(self, table: SourceTable, rows: int) -> None:
        """Compare the rows of a never-empty table with the last collection's, then record them
        (same transaction as the step's rows: a failed step records nothing)."""
        previous = self.conn.exec_driver_sql(
            self.render(
                "SELECT row_count, run_id FROM {{schema}}.collect_source_counts "
                "WHERE apps_id = {{apps_id}} AND table_name = {{table}}",
                {"table": table.name},
            )
        ).first()
        if previous is not None:
            self.guard_collapse(
                f"JDE table {self.source_table(table)} ({table.name})", int(previous[0]), rows, previous[1]
            )
        self.conn.exec_driver_sql(
            self.render(
                "INSERT INTO {{schema}}.collect_source_counts (apps_id, table_name, row_count, run_id) "
                "VALUES ({{apps_id}}, {{table}}, {{rows}}, {{run_id}}) ON CONFLICT (apps_id, table_name) "
                "DO UPDATE SET row_count = EXCLUDED.row_count, run_id = EXCLUDED.run_id, counted_at = now()",
                {"table": table.name, "rows": rows},
            )
        )
        self.ctx.result.details.setdefault("source_rows", {})[table.name] = rows

    def table_rows(self, table: str) -> tuple[int, str | None]:
        """Rows of the application in ``table`` now, and the run that wrote them (before a step
        replaces them: what :meth:`guard_collapse` compares with)."""
        row = self.conn.exec_driver_sql(
            self.render(
                f"SELECT count(*), max(run_id) FROM {{{{schema}}}}.{checked(table, 'table')} "
                "WHERE apps_id = {{apps_id}}"
            )
        ).one()
        return int(row[0]), row[1]

    def guard_collapse(self, what: str, before: int, now: int, since: str | None = None) -> None:
        """Refuse ``now`` rows where the last collection had ``before``, when that shrinks by more
        than the application's collapse_max_shrink (inside the step's transaction: its rollback
        leaves the previous rows in place)."""
        limit = self.settings.collapse_max_shrink
        if before <= 0 or now >= before * (1 - limit):
            return
        shrink = 1 - now / before
        run = f" (run {since})" if since else ""
        raise ConfigurationError(
            f"{what} shrank from {before:,} to {now:,} rows (-{shrink:.0%}) since the last collection{run}: more "
            f"than application {self.apps_id} allows (collapse_max_shrink {limit:g}). Check the source (schema "
            "map, environment, a refresh or purge in progress) before trusting it. If the change is real, allow "
            f"it for one run with `nomasx1 apps update --apps-id {self.apps_id} --collapse-max-shrink 1` "
            f"(1 = guard off) and set it back afterwards (`--collapse-max-shrink {limit:g}`). Nothing was changed."
        )

    # -- SQL on the target -------------------------------------------------------------------
    def literal(self, value: Any) -> str:
        return pgsql.Literal(value).as_string(self.conn.connection.driver_connection)

    def render(self, text: str, tokens: Mapping[str, Any] | None = None) -> str:
        """``text`` with its ``{{token}}`` markers replaced (an unknown token is an error)."""
        values: dict[str, Any] = {
            "schema": quote(self.schema, "schema"),
            "apps_id": self.literal(self.apps_id),
            "as_of": f"{self.literal(self.settings.as_of)}::date",
            "run_id": self.literal(self.ctx.run_id),
            **self.settings.coded_values.sql_lists(),
        }
        for name, value in (tokens or {}).items():
            values[name] = value if isinstance(value, SqlText) else self.literal(value)
        try:
            return fill_tokens(text, values)
        except KeyError as exc:
            raise ConfigurationError(exc.args[0]) from None

    def run_sql(self, name: str, tokens: Mapping[str, Any] | None = None) -> dict[str, int]:
        """Run ``sql/<sql_folder>/<name>.sql`` statement by statement; returns {label: rowcount} of
        the statements that carry a ``-- count: <label>`` comment on their first line."""
        text = self.render(read_sql(self.sql_folder, f"{name}.sql"), tokens)
        with self.cursor as cur:
            return run_statements(cur, text, name, self.ctx.log)

    def scalar(self, query: str, tokens: Mapping[str, Any] | None = None) -> Any:
        return self.conn.exec_driver_sql(self.render(query, tokens)).scalar()

    def require_rows(self, table: str, what_to_run: str) -> None:
        """Fail, changing nothing, when ``table`` holds no row of the application: this step reads
        what an earlier step or job wrote there (``what_to_run`` says which)."""
        found = self.scalar(
            f"SELECT EXISTS (SELECT 1 FROM {{{{schema}}}}.{checked(table, 'table')} WHERE apps_id = {{{{apps_id}}}})"
        )
        if not found:
            raise ConfigurationError(
                f"{self.schema}.{table} has no rows for application {self.apps_id}: run {what_to_run} first "
                "(this step reads its results); nothing was changed."
            )


@contextmanager
def step_session(
    ctx: StepContext, sql_folder: str, load_settings: Callable[[sa.Connection], S]
) -> Iterator[StepSession[S]]:
    """The step's session: settings loaded (``load_settings``, inside the transaction), pg_temp
    helpers created, ONE transaction committed at the end (rolled back on error). The source
    snapshot, when used, is closed with it."""
    engine = ctx.target().engine
    with ExitStack() as stack:
        conn = stack.enter_context(engine.begin())
        conn.exec_driver_sql("SET LOCAL work_mem = '256MB'")
        session = StepSession(ctx=ctx, conn=conn, settings=load_settings(conn), sql_folder=sql_folder)
        session._stack = stack
        with session.cursor as cur:
            create_session_functions(cur)
        yield session


def run_statements(cur: Any, text: str, name: str, log: Any) -> dict[str, int]:
    """Execute the statements of ``text`` on ``cur``, timing each in the debug log (``name`` says
    which file); returns {label: rowcount} of the statements labelled ``-- count: <label>``."""
    counts: dict[str, int] = {}
    for statement in split_statements(text):
        started = time.monotonic()
        cur.execute(statement)
        label = _count_label(statement)
        if label:
            counts[label] = counts.get(label, 0) + max(cur.rowcount, 0)
        log.debug("%s: %.2f s: %s", name, time.monotonic() - started, " ".join(statement.split())[:100])
    return counts


def _count_label(statement: str) -> str | None:
    for line in statement.splitlines():
        match = re.match(r"\s*--\s*count:\s*(\w+)", line)
        if match:
            return match.group(1)
    return None


def require_source_rows(s: StepSession[Any], table: SourceTable, rows: int, target: str) -> None:
    """Fail when a JDE table that is never empty in a real system returned no rows."""
    if rows:
        return
    raise SourceUnavailableError(
        f"JDE table {s.source_table(table)} ({table.name}) returned no rows through connection "
        f"{s.reader.conn_id!r}: the source looks empty (wrong schema map, wrong environment, or a "
        f"refresh in progress). {target} of application {s.apps_id} were not changed; check the "
        "connection's schema map and the table, then re-run."
    )


def table_literal_list(values: list[str]) -> SqlText:
    """``('a', 'b')``-style SQL list of string literals (empty list -> a list matching nothing)."""
    if not values:
        return SqlText("(NULL)")
    return SqlText("(" + ", ".join(pgsql.Literal(v).as_string(None) for v in values) + ")")


def _codes_text(counts: Mapping[str, int], limit: int = 8) -> str:
    """``'Y' (12), 'N' (3)``: the most frequent codes first, blank shown as ''."""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    text = ", ".join(f"{code!r} ({n:,})" for code, n in ranked[:limit])
    return text + (f" and {len(ranked) - limit} more" if len(ranked) > limit else "")
