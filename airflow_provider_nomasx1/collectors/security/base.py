"""What every security step shares: the application's settings and one target transaction.

A step (:func:`security_session`) runs in ONE transaction on the nomasx1 target: it reads the
JDE rows it needs into TEMP tables (:class:`~airflow_provider_nomasx1.collectors.extract.JdeReader`),
then runs the SQL files of ``sql/security/`` that replace the application's rows of its tables
(``DELETE ... WHERE apps_id`` + ``INSERT ... SELECT``). Readers see the previous rows until the
commit, a failure leaves them untouched, and a re-run gives the same rows (idempotent).

SQL files use ``{{token}}`` markers: ``{{schema}}`` (quoted identifier), ``{{apps_id}}``,
``{{as_of}}``, ``{{run_id}}``, the application's coded values as SQL lists (``{{include_in_all_set}}``
-> ``('1', 'Y')``, see :mod:`airflow_provider_nomasx1.jde.coded_values`) and step-specific ones,
all rendered as SQL literals. Statements are separated by a line ending in ``;`` and timed one by
one in the log.

Never wrong silently (docs/security.md, "Required and optional tables"):

- a required JDE table that is missing fails the step at once, naming the physical table; an
  enrichment table (``SourceTable.required`` false) that is missing reads as no rows, with a
  warning, a note in the step's message and ``collect_audit.details["missing_optional_sources"]``;
- a ``never_empty`` table that returns no rows is refused, and so is one that shrank by more than
  the application's ``collapse_max_shrink`` since the last collection (its count is kept in
  ``collect_source_counts``, written in the step's transaction); derived tables get the same guard
  (:meth:`SecuritySession.guard_collapse`);
- coded values outside the application's settings are counted (:meth:`SecuritySession.check_codes`:
  warning, message, ``details["unknown_coded_values"]``), and a result implausible as a whole
  (every assignment outside *ALL, every account disabled) is refused before anything is replaced.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from psycopg import sql as pgsql
from sqlalchemy.exc import DBAPIError

from airflow_provider_nomasx1.collectors.extract import JdeReader, SourceTable, create_session_functions, create_temp
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.errors import ConfigurationError, SourceUnavailableError, sqlstate
from airflow_provider_nomasx1.jde import coded_values
from airflow_provider_nomasx1.jde.coded_values import CodedValues
from airflow_provider_nomasx1.resources import read_sql
from airflow_provider_nomasx1.schema.nomasx1 import (
    DEFAULT_SECURITY_TYPE_CODES,
    DEFAULT_TASK_VIEWS,
    ROLE_SEQUENCE_DIRECTIONS,
)
from airflow_provider_nomasx1.sqlident import checked, quote

#: time zone of the job schedules: "today" for the as-of date when no param gives it
LOCAL_TZ = ZoneInfo("Europe/Paris")
#: sign-in modes the resolution supports (JDE-SOURCE.md section 3, rule 1)
SIGNIN_MODES = ("*ALL",)

_STATEMENT_END = re.compile(r";[ \t]*(?:--[^\n]*)?\n")


@dataclass(frozen=True)
class SecuritySettings:
    """Per-application settings the security rules depend on (recorded with the results)."""

    apps_id: int
    as_of: dt.date
    role_sequence_direction: str = "ascending"
    signin_mode: str = "*ALL"
    security_type_codes: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_SECURITY_TYPE_CODES))
    dormant_days: int = 90
    task_views: tuple[Mapping[str, Any], ...] = tuple(DEFAULT_TASK_VIEWS)
    coded_values: CodedValues = coded_values.DEFAULTS
    #: largest share a required source or derived table may shrink by since the last run (1 = off)
    collapse_max_shrink: float = 0.5

    def __post_init__(self) -> None:
        if self.role_sequence_direction not in ROLE_SEQUENCE_DIRECTIONS:
            raise ConfigurationError(
                f"application {self.apps_id}: role_sequence_direction {self.role_sequence_direction!r} is not one "
                f"of {list(ROLE_SEQUENCE_DIRECTIONS)}; fix it with `nomasx1 apps update --apps-id {self.apps_id} "
                "--role-sequence ascending|descending --url URL`."
            )
        if self.signin_mode not in SIGNIN_MODES:
            raise ConfigurationError(
                f"application {self.apps_id}: sign-in mode {self.signin_mode!r} is not supported "
                f"(supported: {list(SIGNIN_MODES)})."
            )

    def task_view_ids(self, secured_only: bool = False) -> list[str]:
        return [str(tv["task_view"]) for tv in self.task_views if not secured_only or bool(tv.get("security", True))]


def as_of_date(ctx: StepContext) -> dt.date:
    """Param ``as_of_date`` (YYYY-MM-DD) when given, else the run's logical date in Europe/Paris
    (the same for every step and retry of a run, even one that crosses midnight), else today."""
    raw = ctx.params.get("as_of_date")
    if raw in (None, ""):
        moment = ctx.logical_date or dt.datetime.now(dt.UTC)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(LOCAL_TZ).date()
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError as exc:
        raise ConfigurationError(f"param as_of_date {raw!r} is not a date: use YYYY-MM-DD or leave it empty") from exc


def load_settings(conn: sa.Connection, schema: str, apps_id: int | None, as_of: dt.date) -> SecuritySettings:
    """Settings of ``apps_id`` from settings_applications / settings_jdedwards."""
    if apps_id is None:
        raise ConfigurationError("param apps_id is required: the application whose security is collected")
    s = quote(schema, "schema")
    try:
        app = (
            conn.execute(
                sa.text(
                    f"SELECT role_sequence_direction, signin_mode, security_type_codes, dormant_days, "
                    f"coded_values, collapse_max_shrink FROM {s}.settings_applications WHERE apps_id = :a"
                ),
                {"a": apps_id},
            )
            .mappings()
            .first()
        )
    except DBAPIError as exc:
        if sqlstate(exc) != "42703":  # undefined_column: a schema older than migration 0008
            raise
        raise ConfigurationError(
            f"schema {schema} predates the coded-value settings (migration 0008): run the job "
            "nomasx1-upgrade-schema-1 first; nothing was changed."
        ) from exc
    if app is None:
        raise ConfigurationError(
            f"application {apps_id} is not registered in {schema}.settings_applications: add it first with "
            f"`nomasx1 apps add --apps-id {apps_id} --name NAME --url URL` (see docs/applications.md)."
        )
    jde = (
        conn.execute(sa.text(f"SELECT task_views FROM {s}.settings_jdedwards WHERE apps_id = :a"), {"a": apps_id})
        .mappings()
        .first()
    )
    task_views = tuple(jde["task_views"]) if jde and jde["task_views"] else tuple(DEFAULT_TASK_VIEWS)
    for tv in task_views:
        checked_view = str(tv.get("task_view", ""))
        if not checked_view.strip():
            raise ConfigurationError(
                f"application {apps_id}: settings_jdedwards.task_views has an entry without task_view"
            )
    return SecuritySettings(
        apps_id=apps_id,
        as_of=as_of,
        role_sequence_direction=app["role_sequence_direction"],
        signin_mode=app["signin_mode"],
        security_type_codes={str(k): str(v) for k, v in (app["security_type_codes"] or {}).items()},
        dormant_days=int(app["dormant_days"]),
        task_views=task_views,
        coded_values=_coded_values(apps_id, app["coded_values"]),
        collapse_max_shrink=float(app["collapse_max_shrink"]),
    )


def _coded_values(apps_id: int, overrides: Any) -> CodedValues:
    """The application's coded values; a stored override that no longer validates (edited by
    hand) names the command that fixes it."""
    try:
        return coded_values.resolve(coded_values.validate_overrides(overrides or {}))
    except ConfigurationError as exc:
        raise ConfigurationError(
            f"application {apps_id}: settings_applications.coded_values is invalid ({exc}); fix it with "
            f"`nomasx1 apps update --apps-id {apps_id} --coded-values '{{}}'` (back to the defaults) or give "
            "the codes of your site (docs/applications.md)."
        ) from exc


@dataclass
class SecuritySession:
    """One step's target transaction, its settings, and (on demand) the JDE source."""

    ctx: StepContext
    conn: sa.Connection
    settings: SecuritySettings
    _reader: JdeReader | None = None
    _source: Any = None

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

    def literal(self, value: Any) -> str:
        return pgsql.Literal(value).as_string(self.conn.connection.driver_connection)

    def render(self, text: str, tokens: Mapping[str, Any] | None = None) -> str:
        values: dict[str, Any] = {
            "schema": quote(self.schema, "schema"),
            "apps_id": self.literal(self.apps_id),
            "as_of": f"{self.literal(self.settings.as_of)}::date",
            "run_id": self.literal(self.ctx.run_id),
            **self.settings.coded_values.sql_lists(),
        }
        for name, value in (tokens or {}).items():
            values[name] = value if isinstance(value, SqlText) else self.literal(value)

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in values:
                raise ConfigurationError(f"SQL token {{{{{name}}}}} has no value")
            return str(values[name])

        return re.sub(r"\{\{(\w+)\}\}", replace, text)

    def run_sql(self, name: str, tokens: Mapping[str, Any] | None = None) -> dict[str, int]:
        """Run ``sql/security/<name>.sql`` statement by statement; returns {label: rowcount} of the
        statements that carry a ``-- count: <label>`` comment on their first line."""
        text = self.render(read_sql("security", f"{name}.sql"), tokens)
        counts: dict[str, int] = {}
        with self.cursor as cur:
            for statement in split_statements(text):
                started = time.monotonic()
                cur.execute(statement)
                label = _count_label(statement)
                if label:
                    counts[label] = counts.get(label, 0) + max(cur.rowcount, 0)
                self.ctx.log.debug(
                    "%s: %.2f s: %s", name, time.monotonic() - started, " ".join(statement.split())[:100]
                )
        return counts

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

    _stack: Any = None
    #: JDE name -> problem, for the enrichment tables this step could not read
    missing_sources: dict[str, str] = field(default_factory=dict)


class SqlText(str):
    """A token value inserted verbatim (an identifier or SQL fragment built by the code)."""


def split_statements(text: str) -> list[str]:
    """Statements of a SQL file: split after a line ending in ``;`` (files avoid ``$$`` bodies)."""
    parts = _STATEMENT_END.split(text + "\n")
    return [p.strip() for p in parts if _has_code(p)]


def _has_code(part: str) -> bool:
    return any(line.strip() and not line.strip().startswith("--") for line in part.splitlines())


def _count_label(statement: str) -> str | None:
    for line in statement.splitlines():
        match = re.match(r"\s*--\s*count:\s*(\w+)", line)
        if match:
            return match.group(1)
    return None


@contextmanager
def security_session(ctx: StepContext) -> Iterator[SecuritySession]:
    """The step's session: settings loaded, pg_temp helpers created, ONE transaction committed at
    the end (rolled back on error). The source snapshot, when used, is closed with it."""
    from contextlib import ExitStack

    engine = ctx.target().engine
    as_of = as_of_date(ctx)
    with ExitStack() as stack:
        conn = stack.enter_context(engine.begin())
        conn.exec_driver_sql("SET LOCAL work_mem = '256MB'")
        settings = load_settings(conn, ctx.schema, ctx.apps_id, as_of)
        session = SecuritySession(ctx=ctx, conn=conn, settings=settings)
        session._stack = stack
        with session.cursor as cur:
            create_session_functions(cur)
        yield session


def require_source_rows(s: SecuritySession, table: SourceTable, rows: int, target: str) -> None:
    """Fail when a JDE table that is never empty in a real system returned no rows."""
    if rows:
        return
    raise SourceUnavailableError(
        f"JDE table {s.source_table(table)} ({table.name}) returned no rows through connection "
        f"{s.reader.conn_id!r}: the source looks empty (wrong schema map, wrong environment, or a "
        f"refresh in progress). {target} of application {s.apps_id} were not changed; check the "
        "connection's schema map and the table, then re-run."
    )


def _codes_text(counts: Mapping[str, int], limit: int = 8) -> str:
    """``'Y' (12), 'N' (3)``: the most frequent codes first, blank shown as ''."""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    text = ", ".join(f"{code!r} ({n:,})" for code, n in ranked[:limit])
    return text + (f" and {len(ranked) - limit} more" if len(ranked) > limit else "")


def table_literal_list(values: list[str]) -> SqlText:
    """``('a', 'b')``-style SQL list of string literals (empty list -> a list matching nothing)."""
    if not values:
        return SqlText("(NULL)")
    return SqlText("(" + ", ".join(pgsql.Literal(v).as_string(None) for v in values) + ")")
