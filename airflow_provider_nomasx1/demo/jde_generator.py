"""Synthetic JD Edwards E1 9.2 source in PostgreSQL: the tables of JDE-SOURCE.md section 2.

:func:`generate` creates, in the database named by a URL, every JDE table and physical column
the collectors read, with JDE's physical conventions -- lower-case unquoted names, blank-padded
``char(n)``, right-justified business units and numeric UDC keys, Julian ``CYYDDD`` dates and
``HHMMSS`` times in ``numeric(6,0)``, implied-decimal math numerics described by the data
dictionary -- so tests and the demo run the same SQL as production. Licence usage comes with it:
transaction tables of the business-data schema with JDE audit columns (F0411, F0911, F03B11,
F4211, F4311, F4101, a custom F5501001, and F559999 without audit columns) and the Object Usage
Tracking detail F98911, whose physical columns are our unverified reading of the Tools 9.2
layout (``jde.catalogue.F98911``).

The data is set-based SQL (``sql/jde_generate/NN_*.sql``, ``INSERT ... SELECT`` over
``generate_series``) with hash-based pseudo-randomness: the same (profile, seed, as-of date)
gives identical rows, and row counts depend on the profile only. Every profile contains the
named fixtures documented in ``docs/synthetic-jde.md`` (users such as ``AUDITOR1``, roles such as
``APCLERK``), identical for every seed, dated relative to the as-of date.

Safety: regeneration replaces the generated tables in one transaction (the old data stays
until the new data is committed). A target table that exists but was not created by this
generator (its comment does not carry :data:`MARKER`) is never dropped: the run stops before
changing anything and names the table. Nothing outside the listed tables is touched (schemas are
created when missing, never dropped).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from airflow_provider_nomasx1.errors import ConfigurationError
from airflow_provider_nomasx1.jde.schema_map import JdeSchemaMap
from airflow_provider_nomasx1.pg.identifiers import quote
from airflow_provider_nomasx1.pg.locks import xact_lock
from airflow_provider_nomasx1.resources import sql_path

__all__ = [
    "AUDITED_TABLES",
    "FIXTURE_ROLES",
    "FIXTURE_USERS",
    "MARKER",
    "PROFILES",
    "TABLES",
    "GenerationSummary",
    "JdeTable",
    "Profile",
    "generate",
]

_LOG = logging.getLogger(__name__)

#: every generated table's comment starts with this; a table without it is never dropped
MARKER = "nomasx1 synthetic JDE"
#: bump when the generated layout changes
GENERATOR_VERSION = 1
SQL_DIR = ("jde_generate",)

_TOKEN = re.compile(r"\{\{(\w+)\}\}")
_STEP_FILE = re.compile(r"^(\d\d)_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class JdeTable:
    """A generated JDE table: name, the schema-map field that locates it, its column prefix."""

    name: str  # upper case JDE name, e.g. "F0092"
    schema_field: str  # attribute of JdeSchemaMap ("system", "control", ... or "security_schema")
    prefix: str  # physical column prefix, upper case ("UL")
    title: str
    #: ANALYZE statistics target (0 = the server's): the bulk licence tables, read by full scans,
    #: are analyzed on a 3,000-row sample, several times faster than the default 30,000
    stats_target: int = 0

    @property
    def physical(self) -> str:
        """Lower-case table name as in PostgreSQL sources."""
        return self.name.lower()

    def schema(self, schemas: JdeSchemaMap) -> str:
        return getattr(schemas, self.schema_field)


#: the tables of JDE-SOURCE.md section 2, then the licence-usage tables (transactions, OUT)
TABLES: tuple[JdeTable, ...] = (
    JdeTable("F0092", "system", "UL", "User and role profiles"),
    JdeTable("F00926", "system", "AU", "Role description and sequence"),
    JdeTable("F95921", "system", "RL", "Role relationships"),
    JdeTable("F98OWSEC", "system", "SC", "Sign-on security"),
    JdeTable("F9312", "system", "SH", "Security history"),
    JdeTable("F00950", "security_schema", "FS", "Security workbench"),
    JdeTable("F0093", "system", "LL", "User and role environments"),
    JdeTable("F0094", "system", "LM", "Environment master"),
    JdeTable("F9860", "object_librarian", "SI", "Object librarian master"),
    JdeTable("F9865", "object_librarian", "SW", "Form information"),
    JdeTable("F983051", "central_objects", "VR", "Versions"),
    JdeTable("F9000", "control", "TM", "Task master"),
    JdeTable("F9001", "control", "TR", "Task relationships"),
    JdeTable("F0004", "control", "DT", "UDC types"),
    JdeTable("F0005", "control", "DR", "UDC values"),
    JdeTable("F9200", "data_dictionary", "FR", "Data item master"),
    JdeTable("F9202", "data_dictionary", "FR", "Data item text"),
    JdeTable("F9210", "data_dictionary", "FR", "Data field specifications"),
    JdeTable("F0101", "data", "AB", "Address book master"),
    JdeTable("F060116", "data", "YA", "Employee master"),
    JdeTable("F01151", "data", "EA", "Electronic addresses"),
    JdeTable("F4101", "data", "IM", "Item master", stats_target=10),
    JdeTable("F0411", "data", "RP", "Accounts payable ledger", stats_target=10),
    JdeTable("F0911", "data", "GL", "Account ledger", stats_target=10),
    JdeTable("F03B11", "data", "RP", "Customer ledger", stats_target=10),
    JdeTable("F4211", "data", "SD", "Sales order detail", stats_target=10),
    JdeTable("F4311", "data", "PD", "Purchase order detail", stats_target=10),
    JdeTable("F5501001", "data", "Q1", "Custom approval log (system 55)", stats_target=10),
    JdeTable("F559999", "data", "Q9", "Custom interface staging (no audit columns)", stats_target=10),
    JdeTable("F98911", "system", "OU", "Object usage tracking detail", stats_target=10),
)
#: the transaction tables whose rows carry audit columns (<prefix>USER, PID, JOBN, UPMJ, UPMT)
AUDITED_TABLES: tuple[str, ...] = ("F4101", "F0411", "F0911", "F03B11", "F4211", "F4311", "F5501001")
_BY_PHYSICAL = {t.physical: t for t in TABLES}

#: named fixture users and roles, present in every profile (see docs/synthetic-jde.md)
FIXTURE_USERS: tuple[str, ...] = (
    "JDE", "ADMIN1", "AUDITOR1", "APCLRK1", "APCLRK2", "APMGR1", "GLUSER1", "SALES1", "SALES2",
    "BUYER1", "DORMANT1", "NEVERIN", "NOROLE1", "NESTED1", "GHOSTED1", "LEAVER1", "PWDOLD1",
    "MULTI1", "FORMUSR1", "NOSIGNON",
)  # fmt: skip
FIXTURE_ROLES: tuple[str, ...] = (
    "SYSADMIN", "APCLERK", "APSUPER", "GLACCT", "SALESREP", "PURCHASE", "AUDITRO", "ALLFIN",
)  # fmt: skip
#: curated real JDE objects (applications, batch programs, tables ...) present in every profile
CURATED_OBJECTS = 40


@dataclass(frozen=True)
class Profile:
    """Sizes of a generated source. Counts are *generated* rows on top of the named fixtures."""

    name: str
    description: str
    users: int  # generated users (the 20 fixture users come on top)
    roles: int  # generated roles (the 8 fixture roles come on top)
    objects: int  # generated objects (the CURATED_OBJECTS come on top)
    roles_per_user: int = 1  # a generated user has 1..roles_per_user roles
    role_slots: int = 0  # average object slots per generated role in F00950 (1.3 rows per slot)
    user_slots: int = 0  # average object slots per generated user
    signons: int = 0  # a generated user has 0..signons sign-on/sign-off pairs
    udc_types: int = 0  # generated UDC types
    udc_values: int = 0  # values per generated UDC type
    dd_items: int = 0  # generated data dictionary items
    menu_leaves: int = 0  # generated menu leaves per system code
    extra_address_book: int = 0  # non-user address book records per generated user
    activity_rows: int = 0  # generated rows of the transaction tables (fixed shares per table)
    usage_rows: int = 0  # generated F98911 object usage rows

    def __post_init__(self) -> None:
        for name in (
            "users",
            "roles",
            "objects",
            "roles_per_user",
            "role_slots",
            "user_slots",
            "signons",
            "udc_types",
            "udc_values",
            "dd_items",
            "menu_leaves",
            "extra_address_book",
            "activity_rows",
            "usage_rows",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ConfigurationError(f"Profile {self.name!r}: {name} must be an integer >= 0, got {value!r}.")
        limits = {
            "users": 99_999,
            "roles": 99_999,
            "objects": 200_000,
            "udc_types": 1_000,
            "udc_values": 9_999,
            "dd_items": 99_999,
            "role_slots": 999_999,
            "user_slots": 999,
            "signons": 999,
            "roles_per_user": 30,
            "menu_leaves": 9_999,
            "extra_address_book": 50,
            "activity_rows": 50_000_000,
            "usage_rows": 50_000_000,
        }
        for name, limit in limits.items():
            if getattr(self, name) > limit:
                raise ConfigurationError(f"Profile {self.name!r}: {name} must be <= {limit}.")
        if self.roles_per_user < 1:
            raise ConfigurationError(f"Profile {self.name!r}: roles_per_user must be >= 1.")

    @property
    def role_step(self) -> int:
        """A stride coprime with the role count, so a user's roles are distinct."""
        for step in (7, 11, 13, 17, 19, 23):
            if self.roles == 0 or self.roles % step:
                return step
        return 29

    def tokens(self) -> dict[str, str]:
        return {
            "gen_objects": str(self.objects),
            "gen_roles": str(self.roles),
            "gen_roles_nz": str(max(self.roles, 1)),
            "gen_users": str(self.users),
            "roles_per_user": str(self.roles_per_user),
            "role_slots": str(self.role_slots),
            "user_slots": str(self.user_slots),
            "signons": str(self.signons),
            "udc_types": str(self.udc_types),
            "udc_values": str(self.udc_values),
            "dd_items": str(self.dd_items),
            "menu_leaves": str(self.menu_leaves),
            "extra_address_book": str(self.extra_address_book),
            "activity_rows": str(self.activity_rows),
            "usage_rows": str(self.usage_rows),
            "role_step": str(self.role_step),
        }


PROFILES: dict[str, Profile] = {
    "tiny": Profile(
        name="tiny",
        description="20 users, 8 roles, 205 objects: only the named fixtures, hand-checkable",
        users=0,
        roles=0,
        objects=165,
        udc_types=4,
        udc_values=8,
    ),
    "demo": Profile(
        name="demo",
        description="500 users, 60 roles, 8,000 objects: a mid-size site for the demo",
        users=480,
        roles=52,
        objects=7965,
        roles_per_user=5,
        role_slots=150,
        user_slots=3,
        signons=20,
        udc_types=40,
        udc_values=250,
        dd_items=1500,
        menu_leaves=15,
        extra_address_book=2,
        activity_rows=100_000,
        usage_rows=50_000,
    ),
    "large": Profile(
        name="large",
        description=(
            "10,000 users, 1,500 roles, 60,000 objects, ~2M security records, ~1M UDC values, "
            "~4M transaction rows, ~4M object usage rows"
        ),
        users=9980,
        roles=1492,
        objects=59965,
        roles_per_user=6,
        role_slots=1025,
        user_slots=3,
        signons=24,
        udc_types=500,
        udc_values=2000,
        dd_items=20000,
        menu_leaves=80,
        extra_address_book=2,
        activity_rows=4_000_000,
        usage_rows=4_000_000,
    ),
}


@dataclass(frozen=True)
class GenerationSummary:
    """What :func:`generate` wrote."""

    profile: str
    seed: int
    as_of: dt.date
    schemas: JdeSchemaMap
    rows: dict[str, int] = field(default_factory=dict)  # "F0092" -> row count
    tables: dict[str, str] = field(default_factory=dict)  # "F0092" -> "sy920.f0092"
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    def __str__(self) -> str:
        head = (
            f"synthetic JDE, profile {self.profile}, seed {self.seed}, as of {self.as_of}: "
            f"{self.total_rows:,} rows in {len(self.rows)} tables, {self.seconds:.1f}s"
        )
        return "\n".join([head, *(f"  {self.tables.get(t, t):<22} {n:>10,}" for t, n in self.rows.items())])


# --------------------------------------------------------------------------------------------- API


def generate(
    url: str | URL,
    profile: str | Profile = "tiny",
    seed: int = 1,
    schemas: JdeSchemaMap | None = None,
    as_of: dt.date | None = None,
    log: logging.Logger | None = None,
) -> GenerationSummary:
    """Create (or replace) a synthetic JDE source in the PostgreSQL database at ``url``.

    ``profile`` is a name of :data:`PROFILES` (``tiny``, ``demo``, ``large``) or a
    :class:`Profile`; ``seed`` (0..2**31-1) drives every pseudo-random choice; ``schemas``
    places the tables (default: a PS920 install, lower-cased); ``as_of`` (default: today) is the
    date the fixtures are relative to (expired, future, dormant ...). Same arguments, same rows.
    """
    log = log or _LOG
    prof = _profile(profile)
    seed = _seed(seed)
    as_of = _as_of(as_of)
    schema_map = (schemas or JdeSchemaMap()).lower()
    target = _postgres_url(url)

    tokens = _tokens(schema_map, prof, seed, as_of)
    steps = _steps()
    started = time.monotonic()
    log.info(
        "Generating synthetic JDE source: profile=%s seed=%s as_of=%s into %s (schemas %s)",
        prof.name,
        seed,
        as_of.isoformat(),
        target.render_as_string(hide_password=True),
        ", ".join(sorted({t.schema(schema_map) for t in TABLES})),
    )
    rows: dict[str, int] = {}
    engine = sa.create_engine(target, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            xact_lock(conn, "jde_generator")
            _check_targets(conn, schema_map)
            for setting in (
                "SET LOCAL work_mem = '64MB'",
                "SET LOCAL maintenance_work_mem = '256MB'",
                "SET LOCAL synchronous_commit = off",
                "SET LOCAL jit = off",
            ):
                conn.exec_driver_sql(setting)
            _prepare_schemas(conn, schema_map)
            for path, table in steps:
                t0 = time.monotonic()
                _run_file(conn, path, tokens)
                if table is None:
                    log.debug("Ran %s in %.2f s", path.name, time.monotonic() - t0)
                    continue
                qualified = f"{quote(table.schema(schema_map))}.{table.physical}"
                count = conn.exec_driver_sql(f"SELECT count(*) FROM {qualified}").scalar_one()
                rows[table.name] = int(count)  # one file per table
                elapsed = max(time.monotonic() - t0, 1e-6)
                log.info(
                    "%s (%s.%s): %s rows in %.2f s (%s rows/s)",
                    table.name,
                    table.schema(schema_map),
                    table.physical,
                    f"{count:,}",
                    elapsed,
                    f"{count / elapsed:,.0f}",
                )
            marker = _marker(prof, seed, as_of)
            for table in TABLES:
                qualified = f"{quote(table.schema(schema_map))}.{table.physical}"
                conn.exec_driver_sql(f"COMMENT ON TABLE {qualified} IS '{marker}'")
                if table.stats_target:
                    conn.exec_driver_sql(f"SET LOCAL default_statistics_target = {int(table.stats_target)}")
                conn.exec_driver_sql(f"ANALYZE {qualified}")
                if table.stats_target:
                    conn.exec_driver_sql("SET LOCAL default_statistics_target = DEFAULT")
    except sa.exc.DBAPIError as err:
        raise ConfigurationError(
            f"Synthetic JDE generation failed and changed nothing (the transaction was rolled back): "
            f"{err.orig if err.orig is not None else err}"
        ) from err
    finally:
        engine.dispose()
    seconds = time.monotonic() - started
    summary = GenerationSummary(
        profile=prof.name,
        seed=seed,
        as_of=as_of,
        schemas=schema_map,
        rows={t.name: rows.get(t.name, 0) for t in TABLES},
        tables={t.name: f"{t.schema(schema_map)}.{t.physical}" for t in TABLES},
        seconds=seconds,
    )
    log.info(
        "Synthetic JDE source ready: %s rows in %d tables in %.1f s",
        f"{summary.total_rows:,}",
        len(TABLES),
        seconds,
    )
    return summary


# ------------------------------------------------------------------------------------ internals


def _profile(profile: str | Profile) -> Profile:
    if isinstance(profile, Profile):
        return profile
    if isinstance(profile, str) and profile in PROFILES:
        return PROFILES[profile]
    raise ConfigurationError(f"Unknown synthetic JDE profile {profile!r}: use one of {sorted(PROFILES)}.")


def _seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= 2**31 - 1:
        raise ConfigurationError(f"Invalid seed {seed!r}: use an integer between 0 and 2147483647.")
    return seed


def _as_of(as_of: dt.date | None) -> dt.date:
    if as_of is None:
        return dt.date.today()
    if isinstance(as_of, dt.datetime):
        return as_of.date()
    if not isinstance(as_of, dt.date):
        raise ConfigurationError(f"Invalid as_of {as_of!r}: expected a datetime.date.")
    if not 1930 <= as_of.year <= 2870:  # generated dates reach ~20 years around it; CYYDDD is 1900..2899
        raise ConfigurationError(f"Invalid as_of {as_of.isoformat()}: use a date between 1930 and 2870.")
    return as_of


def _postgres_url(url: str | URL) -> URL:
    try:
        parsed = make_url(url)
    except Exception as err:  # sqlalchemy raises ArgumentError for unparsable strings
        raise ConfigurationError(f"Invalid database URL for the synthetic JDE generator: {err}") from err
    backend = parsed.get_backend_name()
    if backend not in ("postgresql", "postgres"):
        raise ConfigurationError(
            f"The synthetic JDE generator writes PostgreSQL only; got a {backend!r} URL. "
            "Use postgresql://user@host:5432/database."
        )
    return parsed.set(drivername="postgresql+psycopg")


def _tokens(schemas: JdeSchemaMap, profile: Profile, seed: int, as_of: dt.date) -> dict[str, str]:
    tokens = {
        "system": quote(schemas.system, "JDE system schema"),
        "security": quote(schemas.security_schema, "JDE security schema"),
        "control": quote(schemas.control, "JDE control schema"),
        "data": quote(schemas.data, "JDE business data schema"),
        "object_librarian": quote(schemas.object_librarian, "JDE object librarian schema"),
        "data_dictionary": quote(schemas.data_dictionary, "JDE data dictionary schema"),
        "central_objects": quote(schemas.central_objects, "JDE central objects schema"),
        "seed": str(seed),
        "as_of_date": as_of.isoformat(),
    }
    tokens.update(profile.tokens())
    return tokens


def _steps() -> list[tuple[Path, JdeTable | None]]:
    """The SQL files in order, each with the table it fills (None for helpers and DDL)."""
    folder = sql_path(*SQL_DIR)
    if not folder.is_dir():
        raise ConfigurationError(f"The synthetic JDE SQL folder {folder} is missing; reinstall the package.")
    steps: list[tuple[Path, JdeTable | None]] = []
    for path in sorted(folder.glob("*.sql")):
        match = _STEP_FILE.match(path.name)
        if not match:
            continue
        steps.append((path, _BY_PHYSICAL.get(match.group(2))))
    missing = {t.physical for t in TABLES} - {t.physical for _, t in steps if t is not None}
    if missing:
        raise ConfigurationError(f"No generator SQL file for table(s) {sorted(missing)} in {folder}.")
    return steps


def render(sql: str, tokens: Mapping[str, str], source: str = "SQL") -> str:
    """Replace ``{{name}}`` tokens; an unknown token is an error naming the file."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in tokens:
            raise ConfigurationError(f"{source}: unknown token {{{{{name}}}}}.")
        return tokens[name]

    return _TOKEN.sub(value, sql)


def _run_file(conn: sa.Connection, path: Path, tokens: Mapping[str, str]) -> None:
    sql = render(path.read_text(encoding="utf-8"), tokens, path.name)
    try:
        # no parameters: psycopg sends the whole file with the simple protocol (several statements)
        conn.exec_driver_sql(sql, execution_options={"no_parameters": True})
    except sa.exc.DBAPIError as err:
        raise ConfigurationError(
            f"Synthetic JDE generation failed in {path.name} and changed nothing (rolled back): "
            f"{str(err.orig if err.orig is not None else err).strip()}"
        ) from None


def _marker(profile: Profile, seed: int, as_of: dt.date) -> str:
    return f"{MARKER} (generator v{GENERATOR_VERSION}): profile={profile.name} seed={seed} as_of={as_of.isoformat()}"


def _check_targets(conn: sa.Connection, schemas: JdeSchemaMap) -> None:
    """Refuse, before changing anything, when a target name is taken by something not generated."""
    wanted = [(t.schema(schemas), t.physical) for t in TABLES]
    found = conn.execute(
        sa.text(
            "SELECT n.nspname, c.relname, c.relkind, coalesce(obj_description(c.oid, 'pg_class'), '') "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE (n.nspname, c.relname) IN (SELECT * FROM unnest(CAST(:s AS text[]), CAST(:t AS text[])))"
        ),
        {"s": [s for s, _ in wanted], "t": [t for _, t in wanted]},
    ).all()
    foreign = [
        f"{schema}.{name}" + ("" if kind in ("r", "p") else f" (relkind {kind})")
        for schema, name, kind, comment in found
        if kind not in ("r", "p") or not comment.startswith(MARKER)
    ]
    if foreign:
        raise ConfigurationError(
            f"Refusing to replace {', '.join(sorted(foreign))}: it exists and was not created by the "
            f"synthetic JDE generator (its comment does not start with {MARKER!r}). Nothing was changed. "
            "Generate into an empty database or other schemas (pass a JdeSchemaMap), or drop the "
            "table yourself if it is disposable."
        )


def _prepare_schemas(conn: sa.Connection, schemas: JdeSchemaMap) -> None:
    for schema in sorted({t.schema(schemas) for t in TABLES}):
        conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {quote(schema, 'JDE schema')}")
    for table in TABLES:
        qualified = f"{quote(table.schema(schemas))}.{table.physical}"
        try:
            with conn.begin_nested():
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS {qualified}")
        except sa.exc.DBAPIError as err:
            raise ConfigurationError(
                f"Cannot replace the generated table {table.schema(schemas)}.{table.physical}: {err.orig}. "
                "Other objects (views, foreign keys) depend on it; drop them first. Nothing was changed."
            ) from err
