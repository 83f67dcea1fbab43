"""The application registry (`settings_applications`): one row per source application.

Every collector reads its application's settings here (source connection, role-sequence direction,
sign-in mode, security-type codes, coded JDE values, collapse guard, dormant days, audit source and
SCN watermark; the Object Usage Tracking retention, the licence read parallelism and the patterns
of generic user ids in its ``settings_jdedwards`` row), and every business table is keyed by its
``apps_id``. No Airflow here: the CLI and the jobs call it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from airflow_provider_nomasx1.errors import ConfigurationError, sqlstate
from airflow_provider_nomasx1.jde import coded_values
from airflow_provider_nomasx1.pg.admin import table_exists
from airflow_provider_nomasx1.pg.identifiers import checked
from airflow_provider_nomasx1.schema import nomasx1

APPS = nomasx1.settings_applications
JDE = nomasx1.settings_jdedwards
LDAP = nomasx1.settings_ldap

#: settings of ``settings_jdedwards`` a user may set: the Object Usage Tracking retention that
#: nomasx1-out-1 reads, how many JDE tables nomasx1-license-1 reads at once, and the regular
#: expressions of generic, batch and service user ids of the licence data quality (docs/license.md).
#: ``settings_applications.out_purge`` and ``out_retention_days`` (migration 0001) are superseded
#: by these and no longer written.
JDE_EDITABLE = (
    "out_purge",
    "out_retention_days",
    "jde_out_purge",
    "jde_out_purge_connector",
    "jde_out_retention_days",
    "license_max_sessions",
    "generic_user_patterns",
)

#: settings of ``settings_ldap`` (a directory application, apps_type LDAP): the JDE applications it
#: is reconciled with and the match rules in order (docs/ldap.md)
LDAP_EDITABLE = ("reconcile_apps", "match_rules")

#: license_max_sessions bounds (the check constraint of settings_jdedwards): each session is one
#: read-only connection to the JDE database, so the upper bound protects the source
LICENSE_MAX_SESSIONS = (1, 32)

#: settings a user may set, with their validation (None = free text)
EDITABLE = (
    "apps_name",
    "apps_type",
    "description",
    "source_conn_id",
    "role_sequence_direction",
    "signin_mode",
    "security_type_codes",
    "coded_values",
    "collapse_max_shrink",
    "dormant_days",
    *JDE_EDITABLE,
    *LDAP_EDITABLE,
    "audit_conn_id",
)


class ApplicationNotFoundError(ConfigurationError):
    def __init__(self, apps_id: int) -> None:
        super().__init__(
            f"application {apps_id} is not registered: add it with "
            f"`nomasx1 apps add --apps-id {apps_id} --name NAME --url URL` (see docs/applications.md)"
        )


@dataclass(frozen=True)
class Registry:
    """The registry of one nomasx1 schema, reached through ``engine``."""

    engine: sa.Engine
    schema: str = "nomasx1"

    def _connect(self) -> sa.Connection:
        return self.engine.connect().execution_options(schema_translate_map={None: checked(self.schema, "schema")})

    def add(self, apps_id: int, apps_name: str, **settings: Any) -> dict[str, Any]:
        """Register an application; refuses an id already taken."""
        values, jde, ldap = _split(validate({"apps_name": apps_name, **settings}))
        if apps_id < 1:
            raise ConfigurationError(f"apps_id must be a positive integer, got {apps_id}")
        with self._connect() as conn, conn.begin():
            if conn.execute(sa.select(APPS.c.apps_id).where(APPS.c.apps_id == apps_id)).first():
                raise ConfigurationError(
                    f"application {apps_id} already exists: change it with `nomasx1 apps update --apps-id {apps_id}`"
                )
            conn.execute(APPS.insert().values(apps_id=apps_id, **values))
            if jde:
                _write_jde_settings(conn, apps_id, jde)
            if ldap:
                _write_ldap_settings(conn, apps_id, ldap)
        return self.show(apps_id)

    def update(self, apps_id: int, **settings: Any) -> dict[str, Any]:
        """Change the given settings of a registered application (the OUT and licence settings in
        its settings_jdedwards row, created with the defaults when missing)."""
        values, jde, ldap = _split(validate(settings))
        if not values and not jde and not ldap:
            raise ConfigurationError("nothing to change: give at least one setting")
        with self._connect() as conn, conn.begin():
            done = conn.execute(
                APPS.update().where(APPS.c.apps_id == apps_id).values(**values, updated_at=sa.func.now())
            )
            if done.rowcount == 0:
                raise ApplicationNotFoundError(apps_id)
            if jde:
                _write_jde_settings(conn, apps_id, jde)
            if ldap:
                _write_ldap_settings(conn, apps_id, ldap)
        return self.show(apps_id)

    def show(self, apps_id: int) -> dict[str, Any]:
        """The application's settings: its settings_applications row and the OUT and licence
        settings of settings_jdedwards (the schema's defaults when it has no such row yet); for a
        directory application (LDAP), its settings_ldap instead."""
        with self._connect() as conn:
            row = conn.execute(sa.select(APPS).where(APPS.c.apps_id == apps_id)).mappings().first()
            if row is None:
                raise ApplicationNotFoundError(apps_id)
            if row["apps_type"] == "LDAP":
                found = conn.execute(sa.select(*(LDAP.c[k] for k in LDAP_EDITABLE)).where(LDAP.c.apps_id == apps_id))
                ldap = found.mappings().first()
                return {**dict(row), **(dict(ldap) if ldap is not None else _ldap_defaults())}
            jde = conn.execute(sa.select(*(JDE.c[k] for k in JDE_EDITABLE)).where(JDE.c.apps_id == apps_id))
            out = jde.mappings().first()
        return {**dict(row), **(dict(out) if out is not None else _jde_defaults())}

    def list(self) -> list[dict[str, Any]]:
        with self._connect() as conn:
            return [dict(r) for r in conn.execute(sa.select(APPS).order_by(APPS.c.apps_id)).mappings()]

    def existing(self, apps_ids: set[int]) -> set[int]:
        """The subset of ``apps_ids`` that is registered."""
        if not apps_ids:
            return set()
        with self._connect() as conn:
            rows = conn.execute(sa.select(APPS.c.apps_id).where(APPS.c.apps_id.in_(sorted(apps_ids))))
            return {r[0] for r in rows}

    def remove(self, apps_id: int) -> dict[str, int]:
        """Delete the application and every row of it, in every table, in one transaction."""
        deleted: dict[str, int] = {}
        with self._connect() as conn, conn.begin():
            if not conn.execute(sa.select(APPS.c.apps_id).where(APPS.c.apps_id == apps_id)).first():
                raise ApplicationNotFoundError(apps_id)
            for table in reversed(nomasx1.metadata.sorted_tables):
                if table is APPS or "apps_id" not in table.c or not table_exists(conn, self.schema, table.name):
                    continue
                count = conn.execute(table.delete().where(table.c.apps_id == apps_id)).rowcount
                if count:
                    deleted[table.name] = count
            deleted["settings_applications"] = conn.execute(APPS.delete().where(APPS.c.apps_id == apps_id)).rowcount
        return deleted


def validate(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Check the settings a user gives; return the values to store (None entries dropped)."""
    unknown = sorted(set(settings) - set(EDITABLE))
    if unknown:
        raise ConfigurationError(f"unknown application setting(s) {unknown}; valid: {list(EDITABLE)}")
    values = {k: v for k, v in settings.items() if v is not None}
    _one_of(values, "apps_type", nomasx1.APPS_TYPES)
    _one_of(values, "role_sequence_direction", nomasx1.ROLE_SEQUENCE_DIRECTIONS)
    if "dormant_days" in values and int(values["dormant_days"]) < 1:
        raise ConfigurationError("dormant_days must be at least 1")
    for days in ("out_retention_days", "jde_out_retention_days"):
        if days in values and int(values[days]) < 1:
            raise ConfigurationError(f"{days} must be at least 1")
    if "license_max_sessions" in values:
        values["license_max_sessions"] = _sessions(values["license_max_sessions"])
    if "generic_user_patterns" in values:
        values["generic_user_patterns"] = _patterns(values["generic_user_patterns"])
    if "reconcile_apps" in values:
        values["reconcile_apps"] = _reconcile_apps(values["reconcile_apps"])
    if "match_rules" in values:
        values["match_rules"] = list(check_match_rules(_json_or_list(values["match_rules"], "match_rules")))
    if "jde_out_purge_connector" in values:  # '' clears it
        values["jde_out_purge_connector"] = str(values["jde_out_purge_connector"]).strip() or None
    if "security_type_codes" in values:
        values["security_type_codes"] = _type_codes(values["security_type_codes"])
    if "coded_values" in values:
        values["coded_values"] = coded_values.validate_overrides(values["coded_values"])
    if "collapse_max_shrink" in values:
        values["collapse_max_shrink"] = _share(values["collapse_max_shrink"])
    if "apps_name" in values and not str(values["apps_name"]).strip():
        raise ConfigurationError("the application name must not be empty")
    return values


def _split(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The settings of settings_applications, those of settings_jdedwards and of settings_ldap."""
    return (
        {k: v for k, v in values.items() if k not in JDE_EDITABLE and k not in LDAP_EDITABLE},
        {k: v for k, v in values.items() if k in JDE_EDITABLE},
        {k: v for k, v in values.items() if k in LDAP_EDITABLE},
    )


def check_match_rules(raw: Any, apps_id: int | None = None) -> tuple[str, ...]:
    """Match rules: a non-empty list of known rules, each once (the order is the user's)."""
    where = f"application {apps_id}: " if apps_id else ""
    rules = raw if isinstance(raw, list | tuple) else None
    if not rules or not all(isinstance(r, str) for r in rules):
        raise ConfigurationError(
            f"{where}match_rules must be a non-empty list of rules among {list(nomasx1.LDAP_MATCH_RULES)} (in the "
            f"order they are tried), got {raw!r}; nothing was changed."
        )
    unknown = [r for r in rules if r not in nomasx1.LDAP_MATCH_RULES]
    if unknown or len(set(rules)) != len(rules):
        raise ConfigurationError(
            f"{where}match_rules {list(rules)}: give each rule once, among {list(nomasx1.LDAP_MATCH_RULES)}"
            + (f" (unknown: {unknown})" if unknown else "")
            + "; nothing was changed."
        )
    return tuple(rules)


def check_reconcile_apps(raw: Any, apps_id: int | None = None) -> tuple[int, ...] | None:
    """Reconciled applications: None (every JDE application) or a list of application ids."""
    if raw is None:
        return None
    ok = isinstance(raw, list | tuple) and all(isinstance(a, int) and not isinstance(a, bool) and a >= 1 for a in raw)
    if not ok:
        where = f"application {apps_id}: " if apps_id else ""
        raise ConfigurationError(
            f"{where}reconcile_apps must be a list of application ids (or 'all'), got {raw!r}; nothing was changed."
        )
    return tuple(raw)


def _json_or_list(raw: Any, name: str) -> Any:
    """A setting given as JSON text, a comma list (``employee_id,account``) or a Python list."""
    if not isinstance(raw, str):
        return raw
    text = raw.strip()
    if text.startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigurationError(f"{name} is not valid JSON ({exc}); nothing was changed.") from None
    return [item.strip() for item in text.split(",") if item.strip()]


def _reconcile_apps(raw: Any) -> list[int] | None:
    """``all`` (or an empty value): every JDE application; else the ids, as a JSON list of numbers."""
    if isinstance(raw, str) and raw.strip().lower() in ("all", ""):
        return None
    items = _json_or_list(raw, "reconcile_apps")
    try:
        ids = [int(str(i).strip()) for i in items]
    except (TypeError, ValueError):
        ids = None
    checked_ids = check_reconcile_apps(ids if ids is not None else raw)
    return list(checked_ids) if checked_ids is not None else None


def _ldap_defaults() -> dict[str, Any]:
    """The settings of a directory application without a settings_ldap row."""
    return {"reconcile_apps": None, "match_rules": list(nomasx1.LDAP_MATCH_RULES)}


def _write_ldap_settings(conn: sa.Connection, apps_id: int, values: Mapping[str, Any]) -> None:
    """Create or change the directory application's settings_ldap row (only an LDAP application has one)."""
    apps_type = conn.execute(sa.select(APPS.c.apps_type).where(APPS.c.apps_id == apps_id)).scalar()
    if apps_type != "LDAP":
        raise ConfigurationError(
            f"application {apps_id} is of type {apps_type}: reconcile_apps and match_rules are settings of a directory "
            "application (--type LDAP, docs/ldap.md); nothing was changed."
        )
    # a JSON null would not read as SQL NULL ("every JDE application") in users' SQL
    stored = {k: sa.null() if v is None else v for k, v in values.items()}
    stmt = insert(LDAP).values(apps_id=apps_id, **stored)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[LDAP.c.apps_id],
            set_={**{k: stmt.excluded[k] for k in values}, "updated_at": sa.func.now()},
        )
    )


def _jde_defaults() -> dict[str, Any]:
    """The JDE_EDITABLE settings of an application without a settings_jdedwards row: the
    columns' server defaults (``true``, ``90``, ``'[...]'::jsonb``: JSON literals, a jsonb one
    quoted and cast), None where there is none."""
    defaults: dict[str, Any] = {}
    for key in JDE_EDITABLE:
        default = JDE.c[key].server_default
        if default is None:
            defaults[key] = None
            continue
        text = str(default.arg.text)  # type: ignore[attr-defined]
        if text.endswith("::jsonb"):
            text = text.removesuffix("::jsonb")[1:-1].replace("''", "'")
        defaults[key] = json.loads(text)
    return defaults


def _write_jde_settings(conn: sa.Connection, apps_id: int, values: Mapping[str, Any]) -> None:
    """Create or change the application's settings_jdedwards row (its other columns keep their
    values, or get their defaults); the JDE purge of F98911 needs the connection allowed to delete."""
    current = conn.execute(sa.select(*(JDE.c[k] for k in JDE_EDITABLE)).where(JDE.c.apps_id == apps_id)).mappings()
    merged = {**(dict(row) if (row := current.first()) is not None else _jde_defaults()), **values}
    if merged["jde_out_purge"] and not merged["jde_out_purge_connector"]:
        raise ConfigurationError(
            f"application {apps_id}: jde_out_purge needs jde_out_purge_connector, the Airflow connection allowed to "
            f"DELETE from F98911: `nomasx1 apps update --apps-id {apps_id} --jde-out-purge "
            "--jde-out-purge-connector CONN_ID` (docs/license.md); nothing was changed."
        )
    if "generic_user_patterns" in values:
        _check_patterns_in_postgresql(conn, values["generic_user_patterns"])
    stmt = insert(JDE).values(apps_id=apps_id, **values)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[JDE.c.apps_id], set_={**{k: stmt.excluded[k] for k in values}, "updated_at": sa.func.now()}
        )
    )


def _one_of(values: Mapping[str, Any], key: str, allowed: tuple[str, ...]) -> None:
    if key in values and values[key] not in allowed:
        raise ConfigurationError(f"{key} must be one of {list(allowed)}, got {values[key]!r}")


def _share(raw: Any) -> float:
    """collapse_max_shrink: a share between 0 (no shrink allowed) and 1 (guard off)."""
    try:
        share = float(raw)
    except (TypeError, ValueError):
        share = -1.0
    if not 0 <= share <= 1:
        raise ConfigurationError(
            f"collapse_max_shrink must be a share between 0 and 1 (0.5 = a table may lose half its rows "
            f"between runs, 1 = guard off), got {raw!r}"
        )
    return share


def _sessions(raw: Any) -> int:
    """license_max_sessions: a whole number of parallel JDE reads within LICENSE_MAX_SESSIONS."""
    low, high = LICENSE_MAX_SESSIONS
    try:
        sessions = int(raw) if not isinstance(raw, bool) and float(raw) == int(raw) else None
    except (TypeError, ValueError, OverflowError):
        sessions = None
    if sessions is None or not low <= sessions <= high:
        raise ConfigurationError(
            f"license_max_sessions must be a whole number from {low} to {high} (JDE tables nomasx1-license-1 "
            f"reads at once, one read-only JDE session each), got {raw!r}; nothing was changed."
        )
    return sessions


_PATTERNS_EXAMPLE = """'["^JDE$", "BATCH", "^SVC"]'"""


def _patterns(raw: Any) -> list[str]:
    """generic_user_patterns: JSON text or a list of non-blank strings (the regular expressions
    themselves are checked by PostgreSQL, whose dialect they are: :func:`_check_patterns_in_postgresql`)."""
    try:
        patterns = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError as exc:
        raise ConfigurationError(
            f"generic_user_patterns is not valid JSON ({exc}): give a list of regular expressions, e.g. "
            f"{_PATTERNS_EXAMPLE} ('[]' = no pattern); nothing was changed."
        ) from None
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise ConfigurationError(
            f"generic_user_patterns must be a JSON list of strings (regular expressions), e.g. {_PATTERNS_EXAMPLE} "
            f"('[]' = no pattern), got {raw!r}; nothing was changed."
        )
    if any(not p.strip() for p in patterns):
        raise ConfigurationError(
            "generic_user_patterns: an empty pattern would match every user id (all of them generic): remove it; "
            "nothing was changed."
        )
    return patterns


def _check_patterns_in_postgresql(conn: sa.Connection, patterns: list[str]) -> None:
    """Each pattern compiles as a PostgreSQL regular expression (the dialect the licence position
    matches user ids with, ``user_id ~* pattern``); a savepoint keeps the transaction usable."""
    for pattern in patterns:
        try:
            with conn.begin_nested():
                conn.execute(sa.text("SELECT '' ~* :p"), {"p": pattern})
        except sa.exc.DBAPIError as exc:
            if sqlstate(exc) != "2201B":  # invalid_regular_expression
                raise
            reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            raise ConfigurationError(
                f"generic_user_patterns: {pattern!r} is not a valid PostgreSQL regular expression ({reason}): fix it "
                "(docs/applications.md); nothing was changed."
            ) from None


def _type_codes(raw: Any) -> dict[str, str]:
    """FSSETY code map: JSON text or a mapping of code → security type name."""
    known = set(nomasx1.DEFAULT_SECURITY_TYPE_CODES.values())
    try:
        codes = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError as exc:
        raise ConfigurationError(
            f"security_type_codes is not valid JSON ({exc}): give an object mapping FSSETY codes to one of "
            f'{sorted(known)}, e.g. {{"1": "application"}}'
        ) from None
    if not isinstance(codes, dict) or not all(isinstance(k, str) and v in known for k, v in codes.items()):
        raise ConfigurationError(f"security_type_codes must map FSSETY codes to one of {sorted(known)}")
    return codes
