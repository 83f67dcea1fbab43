"""SQLAlchemy Core tables of the ``nomasx1`` target schema (compliance data, PostgreSQL).

Tables are defined **without a schema** (``schema=None``): the caller picks the schema at run time
with ``connection.execution_options(schema_translate_map={None: schema})`` (the job param
``target_schema``, default ``nomasx1``). One schema serves many source applications: every
business table starts with ``apps_id``, the id of the application in ``settings_applications``.

Conventions (public: reports, dashboards and users' SQL rely on them, see ``docs/schema.md``):

- plain-word column names; booleans are ``boolean``, dates ``date``, instants ``timestamptz``;
- text key columns are ``NOT NULL``; ``form_name`` / ``version`` hold ``''`` when a row applies to
  the object as a whole (no form, no version);
- ``refreshed_at`` = when the collector wrote the row, ``run_id`` = the Airflow run that wrote it;
- constraint and index names follow :data:`NAMING_CONVENTION` so a migration can name them.

The alembic migration ``0001_initial`` is a frozen copy of these definitions; a test compares the
two, so any change here needs a new migration (see ``docs/schema.md``).
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

# the JDE defaults of settings_applications / settings_jdedwards, re-exported for the schema's readers
from airflow_provider_nomasx1.jde.security_defaults import DEFAULT_SECURITY_TYPE_CODES, DEFAULT_TASK_VIEWS

#: deterministic constraint / index names (PostgreSQL index names are unique per schema)
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

APPS_TYPES = ("JDE", "DATABASE", "LDAP", "WEBLOGIC", "CUSTOM")
#: generic, batch and service user ids (settings_jdedwards.generic_user_patterns): PostgreSQL
#: regular expressions, matched case-insensitively against the user id
DEFAULT_GENERIC_USER_PATTERNS = ("^JDE$", "BATCH", "PROXY", "INTERFACE", "SERVICE", "^SVC", "^SCHED", "^INTEG")
ROLE_SEQUENCE_DIRECTIONS = ("ascending", "descending")
ASSIGNMENT_STATUSES = ("active", "expired", "future")
DECIDED_LEVELS = ("USER", "ROLE", "PUBLIC", "DEFAULT")
RIGHT_CHANGES = ("GRANTED", "REVOKED", "CHANGED")
PRINCIPAL_TYPES = ("USER", "ROLE", "PUBLIC")
#: ``interrupted``: the step stopped without reporting (process killed); set by the next run of the job
COLLECT_STATUSES = ("running", "success", "failed", "interrupted")

#: the six rights flags, in JDE order (run = application security, the rest = action security)
RIGHT_FLAGS = ("can_run", "can_add", "can_change", "can_delete", "can_ok", "can_copy")

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def _in(column: str, values: tuple[str, ...]) -> str:
    """SQL text of a CHECK ``column IN (...)`` over constant literals."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _jsonb_literal(value: object) -> sa.TextClause:
    """Server default for a jsonb column holding ``value``."""
    text = json.dumps(value, sort_keys=True).replace("'", "''")
    return sa.text(f"'{text}'::jsonb")


def _apps_id(comment: str = "source application (settings_applications)") -> sa.Column:
    return sa.Column("apps_id", sa.Integer, nullable=False, comment=comment)


def _key(name: str, comment: str | None = None, default: str | None = None) -> sa.Column:
    """A text key column: NOT NULL; ``default`` ('' for form/version) as a server default."""
    return sa.Column(
        name,
        sa.String,
        nullable=False,
        server_default=sa.text(f"'{default}'") if default is not None else None,
        comment=comment,
    )


def _flag(name: str, default: bool | None = None, nullable: bool = False, comment: str | None = None):
    return sa.Column(
        name,
        sa.Boolean,
        nullable=nullable,
        server_default=(sa.text("true") if default else sa.text("false")) if default is not None else None,
        comment=comment,
    )


def _refresh_columns() -> list[sa.Column]:
    return [
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("now()"),
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String, nullable=True, comment="Airflow run id of the writing run"),
    ]


def _decision_columns(prefix: str, what: str, required: bool) -> list[sa.Column]:
    """The security record that decided a right: level, principal, object, form, version."""
    return [
        sa.Column(f"{prefix}decided_level", sa.String, nullable=not required, comment=f"level deciding {what}"),
        sa.Column(
            f"{prefix}decided_by",
            sa.String,
            nullable=True,
            comment=f"principal deciding {what} (null: DEFAULT)",
        ),
        sa.Column(f"{prefix}decided_object", sa.String, nullable=True, comment="object or *ALL of the record"),
        sa.Column(f"{prefix}decided_form", sa.String, nullable=True, comment="form of the record ('' = all)"),
        sa.Column(f"{prefix}decided_version", sa.String, nullable=True, comment="version ('' = all)"),
    ]


# --------------------------------------------------------------------------------------------------
# Application registry
# --------------------------------------------------------------------------------------------------

settings_applications = sa.Table(
    "settings_applications",
    metadata,
    sa.Column("apps_id", sa.Integer, primary_key=True, autoincrement=False, comment="application id"),
    sa.Column("apps_name", sa.String, nullable=False, comment="display name"),
    sa.Column("apps_type", sa.String, nullable=False, server_default=sa.text("'JDE'")),
    sa.Column("description", sa.Text, nullable=True),
    sa.Column("source_conn_id", sa.String, nullable=True, comment="Airflow connection of the source"),
    sa.Column("role_sequence_direction", sa.String, nullable=False, server_default=sa.text("'ascending'")),
    sa.Column("signin_mode", sa.String, nullable=False, server_default=sa.text("'*ALL'")),
    sa.Column(
        "security_type_codes",
        JSONB,
        nullable=False,
        server_default=_jsonb_literal(DEFAULT_SECURITY_TYPE_CODES),
        comment="FSSETY code -> security type",
    ),
    sa.Column("dormant_days", sa.Integer, nullable=False, server_default=sa.text("90")),
    sa.Column("out_purge", sa.Boolean, nullable=False, server_default=sa.text("false")),
    sa.Column("out_retention_days", sa.Integer, nullable=True),
    sa.Column("audit_conn_id", sa.String, nullable=True, comment="Airflow connection of the audit source"),
    sa.Column("audit_scn", sa.BigInteger, nullable=True, comment="LogMiner watermark (last SCN read)"),
    sa.Column("audit_last", sa.DateTime(timezone=True), nullable=True, comment="last successful extract"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
    sa.Column(
        "coded_values",
        JSONB,
        nullable=False,
        server_default=_jsonb_literal({}),
        comment="overrides of the coded JDE values (jde/coded_values.py); {} = the defaults",
    ),
    sa.Column(
        "collapse_max_shrink",
        sa.Numeric(4, 3),
        nullable=False,
        server_default=sa.text("0.5"),
        comment="largest share a required source or derived table may shrink by between runs (1 = guard off)",
    ),
    sa.CheckConstraint(_in("apps_type", APPS_TYPES), name="apps_type"),
    sa.CheckConstraint(_in("role_sequence_direction", ROLE_SEQUENCE_DIRECTIONS), name="role_sequence_direction"),
    sa.CheckConstraint("dormant_days > 0", name="dormant_days"),
    sa.CheckConstraint("out_retention_days IS NULL OR out_retention_days >= 0", name="out_retention_days"),
    sa.CheckConstraint("collapse_max_shrink BETWEEN 0 AND 1", name="collapse_max_shrink"),
    comment="registry of source applications; apps_id keys every other table",
)


def _component_fk(name: str = "component_id", nullable: bool = False, comment: str | None = None) -> sa.Column:
    return sa.Column(
        name, sa.Integer, sa.ForeignKey("settings_lic_components.component_id"), nullable=nullable, comment=comment
    )


settings_jdedwards = sa.Table(
    "settings_jdedwards",
    metadata,
    sa.Column(
        "apps_id",
        sa.Integer,
        sa.ForeignKey("settings_applications.apps_id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Column("system_schema", sa.String, nullable=True, comment="system data source (SY920)"),
    sa.Column("control_schema", sa.String, nullable=True, comment="control tables (PRODCTL)"),
    sa.Column("data_schema", sa.String, nullable=True, comment="business data (PRODDTA)"),
    sa.Column("object_librarian_schema", sa.String, nullable=True, comment="object librarian (OL920)"),
    sa.Column("data_dictionary_schema", sa.String, nullable=True, comment="data dictionary (DD920)"),
    sa.Column("central_objects_schema", sa.String, nullable=True, comment="central objects (PD920)"),
    sa.Column("server_map_schema", sa.String, nullable=True, comment="server map (SVM920)"),
    sa.Column("security_schema", sa.String, nullable=True, comment="schema of F00950 (null = system)"),
    sa.Column("collect_standard_menus", sa.Boolean, nullable=False, server_default=sa.text("true")),
    sa.Column("collect_e1_pages", sa.Boolean, nullable=False, server_default=sa.text("true")),
    sa.Column("collect_composite_pages", sa.Boolean, nullable=False, server_default=sa.text("true")),
    sa.Column(
        "task_views",
        JSONB,
        nullable=False,
        server_default=_jsonb_literal(DEFAULT_TASK_VIEWS),
        comment="task views walked for menus: [{task_view, name, security}]",
    ),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
    # Object Usage Tracking retention (nomasx1-out-1, step LICENSE_JDE_OUT_PURGE; docs/license.md)
    _flag("out_purge", default=True, comment="purge the project's raw OUT rows beyond out_retention_days"),
    sa.Column(
        "out_retention_days",
        sa.Integer,
        nullable=False,
        server_default=sa.text("90"),
        comment="days of raw OUT rows (license_jde_out_daily) kept",
    ),
    _flag("jde_out_purge", default=False, comment="also delete JDE's own F98911 rows (needs a DELETE grant)"),
    sa.Column(
        "jde_out_purge_connector",
        sa.String,
        nullable=True,
        comment="connection with DELETE rights on F98911, required when jde_out_purge",
    ),
    sa.Column(
        "jde_out_retention_days",
        sa.Integer,
        nullable=False,
        server_default=sa.text("400"),
        comment="days of F98911 rows kept in JDE when jde_out_purge (only rows already loaded go)",
    ),
    # parallel reads of step LICENSE_JDE_USERS (nomasx1-license-1; docs/license.md)
    sa.Column(
        "license_max_sessions",
        sa.Integer,
        nullable=False,
        server_default=sa.text("4"),
        comment="JDE tables nomasx1-license-1 reads at once (one source session each)",
    ),
    sa.Column(
        "generic_user_patterns",
        JSONB,
        nullable=False,
        server_default=_jsonb_literal(DEFAULT_GENERIC_USER_PATTERNS),
        comment="regular expressions of generic, batch and service user ids (licence data quality)",
    ),
    sa.CheckConstraint("out_retention_days >= 1", name="out_retention_days"),
    sa.CheckConstraint("jde_out_retention_days >= 1", name="jde_out_retention_days"),
    sa.CheckConstraint("license_max_sessions BETWEEN 1 AND 32", name="license_max_sessions"),
    comment="per-application JD Edwards settings (schema overrides, menu flags, task views, OUT retention)",
)

# --------------------------------------------------------------------------------------------------
# Security catalogues
# --------------------------------------------------------------------------------------------------

security_users = sa.Table(
    "security_users",
    metadata,
    _apps_id(),
    _key("user_id", "account id (JDE F0092 ULUSER)"),
    sa.Column("user_name", sa.String, nullable=True, comment="person name (F0101 ABALPH)"),
    sa.Column("address_number", sa.BigInteger, nullable=True, comment="address book number (ULAN8)"),
    sa.Column("registration", sa.String, nullable=True, comment="HR id used to match the directory"),
    sa.Column("status_code", sa.String, nullable=True, comment="source status code (F98OWSEC SCEUSER)"),
    _flag("enabled", default=True, comment="account may sign in"),
    sa.Column("created_date", sa.Date, nullable=True),
    sa.Column("last_login_date", sa.Date, nullable=True, comment="latest sign-on (F9312)"),
    sa.Column("password_changed_date", sa.Date, nullable=True),
    _flag("privileged", default=False),
    _flag(
        "dormant",
        default=False,
        nullable=True,
        comment="enabled and no sign-on within dormant_days (null: no sign-on history, F9312 missing)",
    ),
    _flag("no_role", default=False, comment="enabled and no active assignment"),
    sa.Column("duplicate_of", sa.String, nullable=True, comment="other account with the same address number"),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "user_id"),
    sa.Index(None, "apps_id", "address_number"),
    comment="user accounts of each application",
)

security_roles = sa.Table(
    "security_roles",
    metadata,
    _apps_id(),
    _key("role_id", "role id (F00926 AUUSER)"),
    sa.Column("description", sa.String, nullable=True),
    sa.Column("sequence", sa.Integer, nullable=True, comment="role sequence (F00926 AUSEQNO)"),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "role_id"),
    comment="roles of each application",
)

security_assignments = sa.Table(
    "security_assignments",
    metadata,
    _apps_id(),
    _key("user_id"),
    _key("role_id"),
    sa.Column("effective_date", sa.Date, nullable=False),
    sa.Column("expiration_date", sa.Date, nullable=True, comment="null = never; inactive from this day on"),
    _flag("include_in_all", default=True, comment="role activated by the *ALL sign-in"),
    sa.Column("status", sa.String, nullable=False),
    _flag("role_missing", default=False, comment="the role does not exist in security_roles"),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "user_id", "role_id", "effective_date"),
    sa.CheckConstraint(_in("status", ASSIGNMENT_STATUSES), name="status"),
    sa.Index(None, "apps_id", "role_id", "user_id"),
    comment="role assignments (F95921) with their dates and status as of the run",
)

security_menus = sa.Table(
    "security_menus",
    metadata,
    _apps_id(),
    _key("task_view", "task view (root) id"),
    _key("path", "stable path key: task ids from the root, dot separated"),
    sa.Column("task_id", sa.String, nullable=False),
    sa.Column("parent_task_id", sa.String, nullable=True),
    sa.Column("label", sa.String, nullable=True),
    sa.Column("path_labels", sa.String, nullable=True, comment="breadcrumb of labels, ' > ' separated"),
    sa.Column("level", sa.Integer, nullable=False, comment="depth below the task view (1 = top)"),
    sa.Column("sequence", sa.Integer, nullable=True, comment="presentation sequence under the parent"),
    sa.Column("task_type", sa.String, nullable=True),
    sa.Column("object_name", sa.String, nullable=True, comment="launched object (null for folders)"),
    sa.Column("form_name", sa.String, nullable=True),
    sa.Column("version", sa.String, nullable=True),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "task_view", "path"),
    sa.Index(None, "apps_id", "object_name"),
    comment="menu tree (task views) flattened, one row per task path",
)

# --------------------------------------------------------------------------------------------------
# Rights
# --------------------------------------------------------------------------------------------------

security_rights_roles = sa.Table(
    "security_rights_roles",
    metadata,
    _apps_id(),
    _key("role_id"),
    _key("object_name"),
    _key("form_name", default=""),
    _key("version", default=""),
    *(_flag(name) for name in RIGHT_FLAGS),
    _flag("can_scroll", nullable=True, comment="scroll to end (when the source has it)"),
    *_decision_columns("", "can_run", required=True),
    *_decision_columns("action_", "the action flags", required=False),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "role_id", "object_name", "form_name", "version"),
    sa.CheckConstraint(_in("decided_level", DECIDED_LEVELS), name="decided_level"),
    sa.CheckConstraint(
        f"action_decided_level IS NULL OR {_in('action_decided_level', DECIDED_LEVELS)}",
        name="action_decided_level",
    ),
    sa.Index(None, "apps_id", "object_name", "form_name", "version"),
    comment="what each role grants (role, then *PUBLIC, then default)",
)

security_rights_users = sa.Table(
    "security_rights_users",
    metadata,
    _apps_id(),
    _key("user_id"),
    _key("object_name"),
    _key("form_name", default=""),
    _key("version", default=""),
    *(_flag(name) for name in RIGHT_FLAGS),
    _flag("can_scroll", nullable=True, comment="scroll to end (when the source has it)"),
    *_decision_columns("", "can_run", required=True),
    *_decision_columns("action_", "the action flags", required=False),
    sa.Column("as_of_date", sa.Date, nullable=True, comment="date the rights were resolved for"),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "user_id", "object_name", "form_name", "version"),
    sa.CheckConstraint(_in("decided_level", DECIDED_LEVELS), name="decided_level"),
    sa.CheckConstraint(
        f"action_decided_level IS NULL OR {_in('action_decided_level', DECIDED_LEVELS)}",
        name="action_decided_level",
    ),
    sa.Index(None, "apps_id", "object_name", "form_name", "version"),
    sa.Index(None, "apps_id", "decided_by"),
    comment="effective rights of each user with the security record that decided them",
    # one partition per application, swapped whole by the collection (see collectors/security/partitions.py)
    postgresql_partition_by="LIST (apps_id)",
)

security_rights_audit = sa.Table(
    "security_rights_audit",
    metadata,
    _apps_id(),
    _key("principal", "user, role or *PUBLIC whose right changed"),
    _key("object_name"),
    _key("form_name", default=""),
    _key("version", default=""),
    sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("principal_type", sa.String, nullable=True),
    sa.Column("change", sa.String, nullable=False),
    *(_flag(f"before_{name}", nullable=True) for name in RIGHT_FLAGS),
    *(_flag(f"after_{name}", nullable=True) for name in RIGHT_FLAGS),
    sa.Column("run_id", sa.String, nullable=True),
    # scroll to end, added by migration 0006 (hence after run_id)
    _flag("before_can_scroll", nullable=True),
    _flag("after_can_scroll", nullable=True),
    sa.PrimaryKeyConstraint("apps_id", "principal", "object_name", "form_name", "version", "detected_at"),
    sa.CheckConstraint(_in("change", RIGHT_CHANGES), name="change"),
    sa.CheckConstraint(f"principal_type IS NULL OR {_in('principal_type', PRINCIPAL_TYPES)}", name="principal_type"),
    sa.Index(None, "apps_id", "detected_at"),
    sa.Index(None, "apps_id", "object_name"),
    comment="rights granted, revoked or changed between two collections (before/after flags)",
)

security_rights_menus = sa.Table(
    "security_rights_menus",
    metadata,
    _apps_id(),
    _key("role_id", "role or *PUBLIC"),
    _key("task_view"),
    _key("path", "security_menus.path"),
    sa.Column("task_id", sa.String, nullable=False),
    sa.Column("object_name", sa.String, nullable=False),
    sa.Column("form_name", sa.String, nullable=False, server_default=sa.text("''")),
    sa.Column("version", sa.String, nullable=False, server_default=sa.text("''")),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "role_id", "task_view", "path"),
    sa.Index(None, "apps_id", "object_name"),
    comment="menu entries each role (or *PUBLIC) may launch (menu filtering by application security)",
)

security_rights_snapshot = sa.Table(
    "security_rights_snapshot",
    metadata,
    _apps_id(),
    _key("principal_type", "USER or ROLE"),
    _key("principal"),
    _key("object_name"),
    _key("form_name", default=""),
    _key("version", default=""),
    *(_flag(name) for name in RIGHT_FLAGS),
    sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
    sa.Column("run_id", sa.String, nullable=True),
    _flag("can_scroll", nullable=True, comment="scroll to end (added by migration 0006)"),
    sa.PrimaryKeyConstraint("apps_id", "principal_type", "principal", "object_name", "form_name", "version"),
    sa.CheckConstraint(_in("principal_type", ("USER", "ROLE")), name="principal_type"),
    comment="rights as of the last SECURITY_RIGHTS_AUDIT: the baseline the next run is compared with",
    # one partition per application, swapped whole by the collection (see collectors/security/partitions.py)
    postgresql_partition_by="LIST (apps_id)",
)

security_rights_runs = sa.Table(
    "security_rights_runs",
    metadata,
    _apps_id(),
    sa.Column("run_id", sa.String, nullable=False),
    sa.Column("as_of_date", sa.Date, nullable=False, comment="date the rights were resolved for"),
    sa.Column("role_sequence_direction", sa.String, nullable=False),
    sa.Column("signin_mode", sa.String, nullable=False),
    sa.Column("security_type_codes", JSONB, nullable=False, comment="FSSETY code map used"),
    sa.Column("expand_nested_roles", sa.Boolean, nullable=False, server_default=sa.text("false")),
    sa.Column("roles_keys", sa.BigInteger, nullable=True, comment="role rights staged by SECURITY_RIGHTS_APPS"),
    sa.Column("users_keys", sa.BigInteger, nullable=True, comment="user rights staged by SECURITY_RIGHTS_APPS_USERS"),
    sa.Column("roles_rows", sa.BigInteger, nullable=True, comment="rows of security_rights_roles"),
    sa.Column("users_rows", sa.BigInteger, nullable=True, comment="rows of security_rights_users"),
    sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
    sa.PrimaryKeyConstraint("apps_id", "run_id"),
    sa.CheckConstraint(_in("role_sequence_direction", ROLE_SEQUENCE_DIRECTIONS), name="role_sequence_direction"),
    comment="the settings each rights computation used (metadata of security_rights_roles / _users)",
)

# --------------------------------------------------------------------------------------------------
# JDE raw extracts (JDE semantics, trimmed and typed; one application at a time)
# --------------------------------------------------------------------------------------------------

jde_objects = sa.Table(
    "jde_objects",
    metadata,
    _apps_id(),
    _key("object_name", "F9860 SIOBNM"),
    sa.Column("description", sa.String, nullable=True),
    sa.Column("system_code", sa.String, nullable=True, comment="after reclassification (settings_jde_rclst)"),
    sa.Column("source_system_code", sa.String, nullable=True, comment="F9860 SISY as found"),
    sa.Column("object_type", sa.String, nullable=True, comment="F9860 SIFUNO: APPL, UBE, BSFN, TBLE, BSVW ..."),
    _flag("reclassified", default=False),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "object_name"),
    sa.Index(None, "apps_id", "system_code"),
    comment="JDE object librarian (F9860) with system-code reclassification applied",
)

jde_objects_versions = sa.Table(
    "jde_objects_versions",
    metadata,
    _apps_id(),
    _key("object_name", "F983051 VRPID"),
    _key("version", "F983051 VRVERS"),
    sa.Column("description", sa.String, nullable=True),
    sa.Column("system_code", sa.String, nullable=True),
    sa.Column("object_type", sa.String, nullable=True),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "object_name", "version"),
    comment="versions of applications and batch programs (F983051)",
)

jde_sec_objects = sa.Table(
    "jde_sec_objects",
    metadata,
    _apps_id(),
    sa.Column("record_no", sa.BigInteger, nullable=False, comment="position in the extract (F00950 has no id)"),
    sa.Column("type_code", sa.String, nullable=False, comment="F00950 FSSETY as found"),
    sa.Column("security_type", sa.String, nullable=False, comment="meaning by the application's code map"),
    sa.Column("principal", sa.String, nullable=False, comment="user, role or *PUBLIC (FSUSER)"),
    sa.Column("object_name", sa.String, nullable=False, comment="object or *ALL (FSOBNM)"),
    sa.Column("form_name", sa.String, nullable=False, server_default=sa.text("''"), comment="'' = all forms"),
    sa.Column("version", sa.String, nullable=False, server_default=sa.text("''"), comment="'' = all versions"),
    sa.Column("system_code", sa.String, nullable=True),
    sa.Column("data_item", sa.String, nullable=True, comment="row / column security data item"),
    sa.Column("from_value", sa.String, nullable=True),
    sa.Column("thru_value", sa.String, nullable=True),
    *(
        _flag(name, nullable=True, comment="Y = true, N = false, blank = null")
        for name in ("can_run", "can_view", "can_add", "can_change", "can_delete", "can_ok", "can_copy", "can_scroll")
    ),
    sa.Column("updated_by", sa.String, nullable=True),
    sa.Column("updated_date", sa.Date, nullable=True),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "record_no"),
    sa.Index(None, "apps_id", "principal", "object_name"),
    sa.Index(None, "apps_id", "object_name"),
    comment="security workbench records (F00950), every security type, typed by the FSSETY code map",
)

jde_sec_menus = sa.Table(
    "jde_sec_menus",
    metadata,
    _apps_id(),
    _key("task_view"),
    _key("task_id", "menu task launching an object"),
    _key("role_id", "role or *PUBLIC"),
    sa.Column("object_name", sa.String, nullable=False),
    sa.Column("form_name", sa.String, nullable=False, server_default=sa.text("''")),
    sa.Column("version", sa.String, nullable=False, server_default=sa.text("''")),
    _flag("enabled", comment="the role's application security lets it launch the task"),
    sa.Column("decided_level", sa.String, nullable=False, comment="ROLE, PUBLIC or DEFAULT"),
    sa.Column("decided_by", sa.String, nullable=True),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "task_view", "task_id", "role_id"),
    comment="menu filtering per role: tasks of the secured task views each role may launch",
)

jde_tasks = sa.Table(
    "jde_tasks",
    metadata,
    _apps_id(),
    _key("task_id", "F9000 TMTASKID"),
    sa.Column("task_name", sa.String, nullable=True),
    sa.Column("task_type", sa.String, nullable=True, comment="01 interactive, 02 batch, 07 folder ..."),
    sa.Column("object_name", sa.String, nullable=True, comment="null for folders"),
    sa.Column("form_name", sa.String, nullable=True),
    sa.Column("version", sa.String, nullable=True),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "task_id"),
    comment="JDE task master (F9000)",
)

jde_menus = sa.Table(
    "jde_menus",
    metadata,
    _apps_id(),
    _key("task_view", "F9001 TRRLTYPE"),
    _key("parent_task_id"),
    _key("child_task_id"),
    sa.Column("sequence", sa.Integer, nullable=True, comment="presentation sequence (TRPRSSEQ)"),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "task_view", "parent_task_id", "child_task_id"),
    comment="JDE task relationships (F9001) of the task views in settings",
)

security_users_data = sa.Table(
    "security_users_data",
    metadata,
    _apps_id(),
    _key("user_id"),
    sa.Column("address_number", sa.BigInteger, nullable=True),
    sa.Column("search_type", sa.String, nullable=True, comment="F0101 ABAT1 (E = employee)"),
    sa.Column("business_unit", sa.String, nullable=True, comment="F0101 ABMCU, trimmed"),
    sa.Column("email", sa.String, nullable=True, comment="F01151 e-mail (type E, lowest line)"),
    sa.Column("language", sa.String, nullable=True, comment="F0092 ULLNGP"),
    sa.Column("date_format", sa.String, nullable=True, comment="F0092 ULFRMT"),
    sa.Column("country", sa.String, nullable=True, comment="F0092 ULCTR"),
    sa.Column("category_codes", JSONB, nullable=True, comment="F0101 ABAC01..ABAC30 that are set"),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "user_id"),
    comment="address-book data of each user (F0101, F01151, F0092)",
)

# --------------------------------------------------------------------------------------------------
# Segregation of duties results
# --------------------------------------------------------------------------------------------------

sod_conflict_details = sa.Table(
    "sod_conflict_details",
    metadata,
    _apps_id(),
    _key("process_id"),
    _key("activity1_id"),
    _key("activity2_id"),
    _key("user_id"),
    _key("object1", "object that gives activity 1"),
    _key("object2", "object that gives activity 2"),
    sa.Column("risk_id", sa.String, nullable=True),
    sa.Column("risk_level", sa.String, nullable=True, comment="matrix level, else the risk's level"),
    sa.Column("role1", sa.String, nullable=True, comment="principal that granted object1"),
    sa.Column("role2", sa.String, nullable=True, comment="principal that granted object2"),
    _flag("privileged", default=False, comment="the user is flagged privileged"),
    _flag("mitigated", default=False),
    *_refresh_columns(),
    # added by 0004 (appended: ALTER TABLE ADD COLUMN puts them last)
    sa.Column("grant1_level", sa.String, nullable=True, comment="how object1 is granted: USER, ROLE, PUBLIC, DEFAULT"),
    sa.Column("grant2_level", sa.String, nullable=True, comment="how object2 is granted"),
    sa.Column("risk_score", sa.Integer, nullable=True, comment="normalised level: High 100, Medium 50, Low 10"),
    sa.Column("exception_id", sa.String, nullable=True, comment="the sod_exceptions row that mitigates it"),
    sa.PrimaryKeyConstraint("apps_id", "process_id", "activity1_id", "activity2_id", "user_id", "object1", "object2"),
    sa.CheckConstraint(f"grant1_level IS NULL OR {_in('grant1_level', DECIDED_LEVELS)}", name="grant1_level"),
    sa.CheckConstraint(f"grant2_level IS NULL OR {_in('grant2_level', DECIDED_LEVELS)}", name="grant2_level"),
    sa.Index(None, "apps_id", "user_id"),
    comment="one realised conflict per user and object pair",
)

sod_conflict_summary = sa.Table(
    "sod_conflict_summary",
    metadata,
    _apps_id(),
    _key("process_id"),
    _key("activity1_id"),
    _key("activity2_id"),
    sa.Column("risk_id", sa.String, nullable=True),
    sa.Column("risk_level", sa.String, nullable=True),
    sa.Column("users_count", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("privileged_users_count", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("mitigated_count", sa.Integer, nullable=False, server_default=sa.text("0")),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "process_id", "activity1_id", "activity2_id"),
    comment="users in conflict per matrix rule",
)

sod_conflict_history = sa.Table(
    "sod_conflict_history",
    metadata,
    _apps_id(),
    _key("run_id", "Airflow run that computed the summary"),
    sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
    _key("process_id"),
    _key("activity1_id"),
    _key("activity2_id"),
    sa.Column("risk_id", sa.String, nullable=True),
    sa.Column("risk_level", sa.String, nullable=True),
    sa.Column("users_count", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("mitigated_count", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("privileged_users_count", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("as_of_date", sa.Date, nullable=True, comment="date the rights and exceptions were evaluated for"),
    sa.PrimaryKeyConstraint("apps_id", "run_id", "process_id", "activity1_id", "activity2_id"),
    sa.Index(None, "apps_id", "computed_at"),
    comment="sod_conflict_summary of every run (trend); a re-run replaces its own rows",
)

sod_role_conflicts = sa.Table(
    "sod_role_conflicts",
    metadata,
    _apps_id(),
    _key("role_id", "role (or *PUBLIC) whose own rights reach both activities"),
    _key("process_id"),
    _key("activity1_id"),
    _key("activity2_id"),
    _key("object1", "object that gives activity 1"),
    _key("object2", "object that gives activity 2"),
    sa.Column("risk_id", sa.String, nullable=True),
    sa.Column("risk_level", sa.String, nullable=True, comment="matrix level, else the risk's level (normalised)"),
    sa.Column("risk_score", sa.Integer, nullable=True),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "role_id", "process_id", "activity1_id", "activity2_id", "object1", "object2"),
    comment="self-conflicting roles: one role grants both activities of a rule by itself",
)

# --------------------------------------------------------------------------------------------------
# Licence usage (nomasx1-employees-1, nomasx1-license-1, nomasx1-out-1; docs/license.md)
# --------------------------------------------------------------------------------------------------

#: what the scan of a JDE table came to (license_jde_tables.status)
LICENSE_TABLE_STATUSES = ("scanned", "skipped", "failed")

license_jde_employees = sa.Table(
    "license_jde_employees",
    metadata,
    _apps_id(),
    sa.Column("extract_date", sa.Date, nullable=False, comment="as-of date of the snapshot (one per run date)"),
    sa.Column("address_number", sa.BigInteger, nullable=False, comment="F0101 ABAN8 / F060116 YAAN8"),
    sa.Column("name", sa.String, nullable=True, comment="F0101 ABALPH"),
    sa.Column("search_type", sa.String, nullable=True, comment="F0101 ABAT1 (E = employee)"),
    sa.Column("search_type_description", sa.String, nullable=True, comment="UDC 01/ST"),
    _flag("internal", comment="search type in the application's employee search types (default E)"),
    _flag("in_hr_master", comment="has an F060116 employee master record"),
    sa.Column("pay_status", sa.String, nullable=True, comment="F060116 YAPAST"),
    sa.Column("company", sa.String, nullable=True, comment="F060116 YAHMCO home company"),
    sa.Column("start_date", sa.Date, nullable=True, comment="F060116 YADST"),
    sa.Column("termination_date", sa.Date, nullable=True, comment="F060116 YADT (termination or last worked)"),
    _flag("terminated", comment="termination date on or before the extract date"),
    sa.Column(
        "jde_users",
        sa.Integer,
        nullable=False,
        server_default=sa.text("0"),
        comment="accounts of security_users linked to this address number",
    ),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "extract_date", "address_number"),
    comment="dated snapshots of the people behind JDE: HR employees and the address book records of the accounts",
)

license_jde_users = sa.Table(
    "license_jde_users",
    metadata,
    _apps_id(),
    _key("user_id", "the table's <prefix>USER audit column, trimmed"),
    _key("schema_name", "JDE schema of the table (PRODDTA, PRODCTL ...)"),
    _key("table_name", "JDE table (F0911 ...)"),
    sa.Column("transaction_date", sa.Date, nullable=False, comment="the table's <prefix>UPMJ audit date"),
    sa.Column("transactions", sa.BigInteger, nullable=False, comment="rows last written by the user that day"),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "user_id", "schema_name", "table_name", "transaction_date"),
    sa.Index("ix_license_jde_users_table_date", "apps_id", "schema_name", "table_name", "transaction_date"),
    comment="who wrote in JDE: rows per user, table and day over the window (audit columns)",
)

license_jde_tables = sa.Table(
    "license_jde_tables",
    metadata,
    _apps_id(),
    _key("schema_name", "JDE schema of the table"),
    _key("table_name", "JDE table (an F9860 TBLE object)"),
    sa.Column("system_code", sa.String, nullable=True, comment="F9860 SISY after reclassification"),
    sa.Column("user_column", sa.String, nullable=True, comment="physical audit user column read"),
    sa.Column("date_column", sa.String, nullable=True, comment="physical audit date column read"),
    sa.Column("status", sa.String, nullable=False, comment="scanned, skipped (reason) or failed"),
    sa.Column("reason", sa.Text, nullable=True, comment="why the table is skipped or failed"),
    sa.Column(
        "watermark",
        sa.Date,
        nullable=True,
        comment="last transaction date loaded (moved with the rows): the next run reads from it",
    ),
    sa.Column("window_start", sa.Date, nullable=True, comment="first date of the window of the last scan"),
    sa.Column("rows_read", sa.BigInteger, nullable=True, comment="result rows the last scan read from the source"),
    sa.Column("transactions", sa.BigInteger, nullable=True, comment="transactions of the table in the window"),
    sa.Column("seconds", sa.Numeric, nullable=True, comment="duration of the last scan"),
    sa.Column("full_scan", sa.Boolean, nullable=True, comment="the last scan re-read the whole window"),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "schema_name", "table_name"),
    sa.CheckConstraint(_in("status", LICENSE_TABLE_STATUSES), name="status"),
    comment="the JDE tables the transaction scan covers or skips, with their watermark",
)

license_jde_out_daily = sa.Table(
    "license_jde_out_daily",
    metadata,
    _apps_id(),
    sa.Column("usage_date", sa.Date, nullable=False, comment="F98911 date"),
    _key("object_name", "F98911 object (P0411, R09801 ...)"),
    _key("form_name", "form ('' = none)", default=""),
    _key("version", "version ('' = none)", default=""),
    _key("user_id", "F98911 user"),
    _key("role", "sign-on role ('' = none)", default=""),
    _key("environment", "environment ('' = none)", default=""),
    sa.Column("object_type", sa.String, nullable=True, comment="APPL, UBE ... (F98911, else F9860)"),
    sa.Column("uses", sa.BigInteger, nullable=False, comment="F98911 rows of that day"),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint(
        "apps_id", "usage_date", "object_name", "form_name", "version", "user_id", "role", "environment"
    ),
    comment="the project's raw Object Usage Tracking rows, per day (purged beyond out_retention_days)",
)

license_jde_out = sa.Table(
    "license_jde_out",
    metadata,
    _apps_id(),
    _key("object_name", "F98911 object"),
    _key("form_name", "form ('' = none)", default=""),
    _key("version", "version ('' = none)", default=""),
    _key("user_id", "F98911 user"),
    sa.Column("object_type", sa.String, nullable=True, comment="APPL, UBE ..."),
    sa.Column("first_used", sa.Date, nullable=False, comment="first usage loaded"),
    sa.Column("last_used", sa.Date, nullable=False, comment="last usage (merged: the latest date is kept)"),
    sa.Column("uses", sa.BigInteger, nullable=False, comment="F98911 rows loaded since the first usage"),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "object_name", "form_name", "version", "user_id"),
    comment="last usage per object, form, version and user (Object Usage Tracking), kept beyond any purge",
)

license_jde_out_objects = sa.Table(
    "license_jde_out_objects",
    metadata,
    _apps_id(),
    _key("object_name", "F98911 object"),
    sa.Column("object_type", sa.String, nullable=True),
    sa.Column("system_code", sa.String, nullable=True, comment="jde_objects system code (reclassified)"),
    sa.Column("users", sa.Integer, nullable=False, comment="distinct users"),
    sa.Column("uses", sa.BigInteger, nullable=False, comment="F98911 rows loaded"),
    sa.Column("first_used", sa.Date, nullable=False),
    sa.Column("last_used", sa.Date, nullable=False),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "object_name"),
    comment="per object: users, uses and last use (from license_jde_out)",
)

license_jde_out_users = sa.Table(
    "license_jde_out_users",
    metadata,
    _apps_id(),
    _key("user_id", "F98911 user"),
    sa.Column("usage_date", sa.Date, nullable=False),
    _key("role", "sign-on role ('' = none)", default=""),
    _key("environment", "environment ('' = none)", default=""),
    sa.Column("objects", sa.Integer, nullable=False, comment="distinct objects used"),
    sa.Column("uses", sa.BigInteger, nullable=False, comment="F98911 rows"),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "user_id", "usage_date", "role", "environment"),
    comment="per user and day: the sign-on roles and environments used (kept beyond any purge)",
)

license_jde_out_state = sa.Table(
    "license_jde_out_state",
    metadata,
    sa.Column(
        "apps_id",
        sa.Integer,
        sa.ForeignKey("settings_applications.apps_id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Column("watermark_date", sa.Date, nullable=True, comment="date of the last F98911 row loaded"),
    sa.Column("watermark_time", sa.Integer, nullable=True, comment="its time (HHMMSS as in F98911)"),
    sa.Column("users_through", sa.Date, nullable=True, comment="last day aggregated into license_jde_out_users"),
    sa.Column("rows_read", sa.BigInteger, nullable=True, comment="result rows the last load read"),
    sa.Column("purged_through", sa.Date, nullable=True, comment="raw rows before this date were purged"),
    *_refresh_columns(),
    comment="Object Usage Tracking watermarks: what the next run of nomasx1-out-1 reads from",
)

# --------------------------------------------------------------------------------------------------
# Licence position (step LICENSE_POSITION of the licence jobs, the entitlement register; docs/license.md)
# --------------------------------------------------------------------------------------------------

#: support status of an entitlement line (license_entitlements.support_status)
SUPPORT_STATUSES = ("active", "lapsed", "terminated")
#: which count a licence metric compares with the entitled quantity (settings_lic_metrics.counted_by)
METRIC_BASES = ("authorised", "employees", "not_countable")
#: what the position of a component came to (license_position.status)
POSITION_STATUSES = ("compliant", "exposed", "not_countable", "not_entitled", "conflicting_metrics")
#: the data-quality checks of the position (license_data_quality.check_name)
DATA_QUALITY_CHECKS = (
    "enabled_without_role",
    "disabled_with_roles",
    "unknown_user",
    "duplicate_person",
    "generic_id",
    "public_object",
)

license_entitlements = sa.Table(
    "license_entitlements",
    metadata,
    _apps_id(),
    _key("entitlement_id", "contract line id (default ENT-<apps_id>-<n>)"),
    sa.Column("csi", sa.String, nullable=False, comment="Oracle Customer Support Identifier of the contract"),
    _component_fk(comment="licensed component (settings_lic_components)"),
    sa.Column(
        "metric_id",
        sa.Integer,
        sa.ForeignKey("settings_lic_metrics.metric_id"),
        nullable=False,
        comment="licence metric of the line (settings_lic_metrics)",
    ),
    sa.Column("quantity", sa.Numeric, nullable=False, comment="quantity bought under the metric"),
    sa.Column("start_date", sa.Date, nullable=False, comment="first day the line covers"),
    sa.Column("end_date", sa.Date, nullable=True, comment="last day the line covers (null = open)"),
    sa.Column("support_status", sa.String, nullable=False, server_default=sa.text("'active'")),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
    sa.Column("created_by", sa.String, nullable=True, comment="who recorded the line"),
    sa.PrimaryKeyConstraint("apps_id", "entitlement_id"),
    sa.CheckConstraint("quantity >= 0", name="quantity"),
    sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="validity"),
    sa.CheckConstraint(_in("support_status", SUPPORT_STATUSES), name="support_status"),
    sa.Index(None, "apps_id", "component_id"),
    comment="the entitlement register: contract lines (CSI, component, metric, quantity, dates) per application",
)


def _position_counts() -> list[sa.Column]:
    """The user counts of a component's position (license_position and its history)."""

    def count(name: str, comment: str) -> sa.Column:
        return sa.Column(name, sa.Integer, nullable=False, server_default=sa.text("0"), comment=comment)

    return [
        count("authorised_users", "enabled users whose effective rights run an object of the component"),
        count("authorised_public_only", "of them, reaching it only through *PUBLIC grants"),
        count("authorised_default_only", "of them, reaching it only through open default (no security record)"),
        count("required_users", "authorised users of the component and of the components requiring it"),
        count("transacting_users_90d", "users with a transaction in its tables over the last 90 days"),
        count("transacting_users_12m", "the same over 12 months (from transactions_from when later)"),
        count("using_users_90d", "users of its objects in Object Usage Tracking over the last 90 days"),
        count("using_users_12m", "the same over 12 months (from usage_from when later)"),
        sa.Column("employees", sa.Integer, nullable=True, comment="internal, not terminated (null: no snapshot)"),
        count("candidates_to_revoke", "authorised, neither transacting nor using in 12 months"),
    ]


def _position_comparison() -> list[sa.Column]:
    """What the counts are compared with (license_position and its history)."""
    return [
        sa.Column("metric_id", sa.Integer, nullable=True, comment="metric of the active entitlement lines"),
        sa.Column("counted_by", sa.String, nullable=True, comment="count the metric compares (authorised, employees)"),
        sa.Column("entitled_quantity", sa.Numeric, nullable=True, comment="quantity of the active lines"),
        sa.Column("compared_count", sa.Integer, nullable=True, comment="the count compared (null: not countable)"),
        sa.Column("exposure", sa.Numeric, nullable=True, comment="compared_count - entitled_quantity (> 0: short)"),
        sa.Column("status", sa.String, nullable=False, comment="compliant, exposed, not_countable, not_entitled ..."),
    ]


license_position = sa.Table(
    "license_position",
    metadata,
    _apps_id(),
    _component_fk(),
    sa.Column("as_of_date", sa.Date, nullable=False, comment="date the position was computed for"),
    *_position_counts(),
    sa.Column("transactions_from", sa.Date, nullable=True, comment="first day license_jde_users covers"),
    sa.Column("usage_from", sa.Date, nullable=True, comment="first day Object Usage Tracking covers"),
    sa.Column("employees_extract_date", sa.Date, nullable=True, comment="employees snapshot counted"),
    sa.Column("last_transaction", sa.Date, nullable=True),
    sa.Column("last_use", sa.Date, nullable=True),
    sa.Column("entitlement_lines", sa.Integer, nullable=False, server_default=sa.text("0")),
    *_position_comparison(),
    sa.Column("missing_prerequisites", sa.Text, nullable=True, comment="prerequisite components not entitled"),
    sa.Column("restrictions", sa.Text, nullable=True, comment="restricted-use clauses of the component"),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "component_id"),
    sa.CheckConstraint(_in("status", POSITION_STATUSES), name="status"),
    comment="licence position per component: authorised, transacting and using users against the entitlements",
)

license_position_users = sa.Table(
    "license_position_users",
    metadata,
    _apps_id(),
    _component_fk(),
    _key("user_id"),
    _flag("known_user", comment="a JDE account (security_users)"),
    _flag("enabled", nullable=True, comment="account enabled (null: unknown user)"),
    _flag("generic", default=False, comment="generic, batch or service id (no person, or a generic pattern)"),
    _flag("authorised", default=False),
    sa.Column("authorised_level", sa.String, nullable=True, comment="best grant: USER, ROLE, PUBLIC or DEFAULT"),
    sa.Column("via_roles", sa.Text, nullable=True, comment="roles whose grants reach the component"),
    sa.Column("objects", sa.Integer, nullable=False, server_default=sa.text("0"), comment="objects it may run"),
    _flag("transacting_90d", default=False),
    _flag("transacting_12m", default=False),
    sa.Column("transactions_12m", sa.BigInteger, nullable=False, server_default=sa.text("0")),
    sa.Column("last_transaction", sa.Date, nullable=True),
    _flag("using_90d", default=False),
    _flag("using_12m", default=False),
    sa.Column("last_use", sa.Date, nullable=True),
    sa.Column("last_login_date", sa.Date, nullable=True),
    _flag("candidate_to_revoke", default=False, comment="authorised, neither transacting nor using in 12 months"),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "component_id", "user_id"),
    sa.Index(None, "apps_id", "user_id"),
    comment="per component and user: authorised (how), transacting, using, last dates, candidate to revoke",
)

license_position_history = sa.Table(
    "license_position_history",
    metadata,
    _apps_id(),
    sa.Column("as_of_date", sa.Date, nullable=False),
    _component_fk(),
    *_position_counts(),
    *_position_comparison(),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "as_of_date", "component_id"),
    sa.CheckConstraint(_in("status", POSITION_STATUSES), name="status"),
    comment="the position per as-of date (a re-run on the same date replaces it): trends",
)

license_data_quality = sa.Table(
    "license_data_quality",
    metadata,
    _apps_id(),
    _key("check_name", "enabled_without_role, disabled_with_roles, unknown_user, ..."),
    _key("subject", "the user id or object concerned"),
    sa.Column("component_id", sa.Integer, nullable=True, comment="licence component concerned, if one"),
    sa.Column("detail", sa.Text, nullable=True, comment="what was found"),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "check_name", "subject"),
    sa.CheckConstraint(_in("check_name", DATA_QUALITY_CHECKS), name="check_name"),
    comment="what inflates or blurs the licence counts: the clean-up list computed with the position",
)

# --------------------------------------------------------------------------------------------------
# Directory (LDAP / Active Directory) and its reconciliation with JDE
# --------------------------------------------------------------------------------------------------

#: the match rules of the reconciliation, in their default order (settings_ldap.match_rules)
LDAP_MATCH_RULES = ("employee_id", "account", "mail")
#: findings of the reconciliation and their severity (docs/ldap.md, "Findings")
LDAP_FINDING_SEVERITIES = {
    "directory_disabled": "risk",
    "directory_expired": "risk",
    "directory_missing": "risk",
    "hr_terminated": "risk",
    "ambiguous": "warning",
    "generic_without_directory": "information",
    "directory_only": "information",
}
LDAP_SEVERITIES = ("risk", "warning", "information")


def _ldap_apps_id(comment: str = "directory application (apps_type LDAP)") -> sa.Column:
    return sa.Column("ldap_apps_id", sa.Integer, nullable=False, comment=comment)


settings_ldap = sa.Table(
    "settings_ldap",
    metadata,
    sa.Column(
        "apps_id",
        sa.Integer,
        sa.ForeignKey("settings_applications.apps_id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
        comment="the directory application",
    ),
    sa.Column(
        "reconcile_apps",
        JSONB,
        nullable=True,
        comment="JSON list of the JDE applications reconciled with the directory (null: every JDE application)",
    ),
    sa.Column(
        "match_rules",
        JSONB,
        nullable=False,
        server_default=_jsonb_literal(list(LDAP_MATCH_RULES)),
        comment="match rules in the order they are tried: employee_id, account, mail",
    ),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
    comment="per-directory settings: which JDE applications it is reconciled with, and how",
)

security_ldap = sa.Table(
    "security_ldap",
    metadata,
    _apps_id(),
    _key("dn", "distinguished name of the entry"),
    _key("account", "account name (sAMAccountName; uid in OpenLDAP)"),
    sa.Column("name", sa.String, nullable=True, comment="cn"),
    sa.Column("display_name", sa.String, nullable=True, comment="displayName"),
    sa.Column("logon", sa.String, nullable=True, comment="userPrincipalName"),
    sa.Column("mail", sa.String, nullable=True, comment="mail"),
    sa.Column("manager_dn", sa.String, nullable=True, comment="manager (DN)"),
    sa.Column("manager_account", sa.String, nullable=True, comment="account of the manager, when loaded"),
    sa.Column("company", sa.String, nullable=True),
    sa.Column("department", sa.String, nullable=True),
    sa.Column("office", sa.String, nullable=True, comment="physicalDeliveryOfficeName"),
    sa.Column("city", sa.String, nullable=True, comment="l"),
    sa.Column("title", sa.String, nullable=True),
    sa.Column("telephone", sa.String, nullable=True, comment="telephoneNumber"),
    sa.Column("mobile", sa.String, nullable=True),
    sa.Column("description", sa.String, nullable=True, comment="description (often the HR id)"),
    sa.Column("employee_id", sa.String, nullable=True, comment="employeeID (employeeNumber in OpenLDAP)"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=True, comment="whenCreated"),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True, comment="accountExpires (null: never)"),
    sa.Column(
        "never_expires", sa.Boolean, nullable=True, comment="accountExpires is 0 or 0x7FFFFFFFFFFFFFFF (null: unknown)"
    ),
    sa.Column("password_set_at", sa.DateTime(timezone=True), nullable=True, comment="pwdLastSet"),
    sa.Column("password_never_expires", sa.Boolean, nullable=True, comment="userAccountControl DONT_EXPIRE_PASSWORD"),
    sa.Column("last_logon_at", sa.DateTime(timezone=True), nullable=True, comment="lastLogonTimestamp"),
    sa.Column("account_control", sa.Integer, nullable=True, comment="userAccountControl bits"),
    sa.Column("disabled", sa.Boolean, nullable=True, comment="ACCOUNTDISABLE (null: the directory does not say)"),
    sa.Column("locked", sa.Boolean, nullable=True, comment="LOCKOUT bit"),
    sa.Column("parent_dn", sa.String, nullable=True, comment="DN of the container (OU)"),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "dn"),
    sa.Index(None, "apps_id", "account"),
    comment="accounts of each directory application (SECURITY_LDAP replaces them each run)",
)

security_ldap_groups = sa.Table(
    "security_ldap_groups",
    metadata,
    _apps_id(),
    _key("dn", "distinguished name of the group"),
    sa.Column("name", sa.String, nullable=True, comment="cn"),
    sa.Column("account", sa.String, nullable=True, comment="sAMAccountName"),
    sa.Column("description", sa.String, nullable=True),
    sa.Column("members", sa.Integer, nullable=False, server_default=sa.text("0"), comment="member values"),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "dn"),
    comment="groups of each directory application",
)

security_ldap_members = sa.Table(
    "security_ldap_members",
    metadata,
    _apps_id(),
    _key("group_dn", "the group"),
    _key("member_dn", "a member value (an account, a nested group or an entry outside the search)"),
    sa.Column("member_account", sa.String, nullable=True, comment="account of the member (null: not an account)"),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "group_dn", "member_dn"),
    sa.Index(None, "apps_id", "member_account"),
    comment="group memberships (member, every range slice joined)",
)

security_ldap_matches = sa.Table(
    "security_ldap_matches",
    metadata,
    _apps_id("JDE application"),
    _ldap_apps_id(),
    _key("user_id", "JDE user (security_users)"),
    _key("dn", "directory account matched"),
    sa.Column("account", sa.String, nullable=True, comment="directory account name"),
    _key("rule", "the match rule that made the match"),
    sa.Column("rule_order", sa.Integer, nullable=False, comment="position of the rule in match_rules (1 = first)"),
    sa.Column("candidates", sa.Integer, nullable=False, comment="directory accounts the deciding rule found"),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "ldap_apps_id", "user_id", "dn"),
    sa.CheckConstraint(_in("rule", LDAP_MATCH_RULES), name="rule"),
    comment="JDE user -> directory account, with the rule that matched (the first rule finding a candidate)",
)

security_ldap_findings = sa.Table(
    "security_ldap_findings",
    metadata,
    _apps_id("JDE application"),
    _ldap_apps_id(),
    _key("finding", "directory_disabled, directory_expired, directory_missing, hr_terminated, ambiguous, ..."),
    _key("user_id", "JDE user ('' for a directory account without JDE user)", ""),
    _key("dn", "directory account ('' when there is none)", ""),
    sa.Column("severity", sa.String, nullable=False, comment="risk, warning or information"),
    sa.Column("account", sa.String, nullable=True, comment="directory account name"),
    sa.Column("user_name", sa.String, nullable=True, comment="JDE user name, else the directory display name"),
    sa.Column("rule", sa.String, nullable=True, comment="match rule of the match concerned"),
    sa.Column("jde_enabled", sa.Boolean, nullable=True, comment="the JDE account may sign in"),
    sa.Column("directory_disabled", sa.Boolean, nullable=True),
    sa.Column("directory_expires_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("termination_date", sa.Date, nullable=True, comment="F060116 termination (hr_terminated)"),
    sa.Column("department", sa.String, nullable=True, comment="directory department"),
    sa.Column("detail", sa.Text, nullable=True, comment="what was found, in words"),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "ldap_apps_id", "finding", "user_id", "dn"),
    sa.CheckConstraint(_in("finding", tuple(LDAP_FINDING_SEVERITIES)), name="finding"),
    sa.CheckConstraint(_in("severity", LDAP_SEVERITIES), name="severity"),
    comment="the reconciliation's findings: leaver risks, ambiguous matches, directory-only accounts",
)

# --------------------------------------------------------------------------------------------------
# Oracle database properties (nomasx1-database-1): one row set per application and as-of date
# --------------------------------------------------------------------------------------------------

#: settings_db_options.product_kind: options and packs need a licence; "other" products of the map
#: (hardware, storage, separate products) are informational
DB_PRODUCT_KINDS = ("option", "pack", "other")
#: settings_db_options.object_check: the dictionary evidence that shows a product in use besides
#: its feature usage (docs/database.md, "Object checks"); the *_access ones show it is allowed
DB_OBJECT_CHECKS = (
    "instances",
    "partitions",
    "compression",
    "active_data_guard",
    "pdbs",
    "diagnostics_access",
    "tuning_access",
)
#: settings_db_features.condition: when a detected usage counts (docs/database.md, "Conditions")
DB_FEATURE_CONDITIONS = ("C001", "C002", "C003", "C004", "C005", "BUG", "INVALID")
#: the usage ladder, lowest first; a product takes the highest level of its features
DB_USAGE_LEVELS = (
    "NO_PAST_USAGE",
    "NO_CURRENT_USAGE",
    "SUPPRESSED_DUE_TO_BUG",
    "PAST_USAGE",
    "PAST_OR_CURRENT_USAGE",
    "CURRENT_USAGE",
)
#: db_ora_licenses.product_kind: the edition rows besides the map's kinds
DB_LICENSE_KINDS = ("edition", *DB_PRODUCT_KINDS)


def _as_of_date(comment: str = "as-of date of the run (a re-run on the same date replaces its rows)") -> sa.Column:
    return sa.Column("as_of_date", sa.Date, nullable=False, comment=comment)


db_ora_properties = sa.Table(
    "db_ora_properties",
    metadata,
    _apps_id(),
    _as_of_date(),
    sa.Column("dbid", sa.BigInteger, nullable=False, comment="V$DATABASE.DBID"),
    sa.Column("db_name", sa.String, nullable=False, comment="V$DATABASE.NAME"),
    sa.Column("db_unique_name", sa.String, nullable=True),
    sa.Column("database_role", sa.String, nullable=True, comment="PRIMARY, PHYSICAL STANDBY, ..."),
    sa.Column("open_mode", sa.String, nullable=True, comment="READ WRITE, READ ONLY WITH APPLY, ..."),
    sa.Column("log_mode", sa.String, nullable=True, comment="ARCHIVELOG or NOARCHIVELOG"),
    sa.Column("cdb", sa.Boolean, nullable=False, comment="a container database (V$DATABASE.CDB)"),
    sa.Column("product", sa.Text, nullable=False, comment="V$VERSION banner of the database"),
    sa.Column("edition", sa.String, nullable=False, comment="Enterprise Edition, Standard Edition 2, ..."),
    sa.Column("full_version", sa.String, nullable=False, comment="V$INSTANCE.VERSION_FULL (else VERSION)"),
    sa.Column("major_version", sa.Integer, nullable=False, comment="11, 12, 18, 19, 21, 23"),
    sa.Column("host_name", sa.String, nullable=True, comment="V$INSTANCE.HOST_NAME of the instance read"),
    sa.Column("instance_count", sa.Integer, nullable=False, comment="GV$INSTANCE rows (more than one: RAC)"),
    sa.Column("cpu_count", sa.Integer, nullable=True, comment="parameter cpu_count"),
    sa.Column("cpu_cores", sa.Integer, nullable=True, comment="V$OSSTAT NUM_CPU_CORES"),
    sa.Column("cpu_sockets", sa.Integer, nullable=True, comment="V$OSSTAT NUM_CPU_SOCKETS"),
    sa.Column("total_users", sa.Integer, nullable=False, comment="DBA_USERS rows"),
    sa.Column("open_users", sa.Integer, nullable=False, comment="DBA_USERS with ACCOUNT_STATUS OPEN"),
    sa.Column("oracle_maintained_users", sa.Integer, nullable=False, comment="of them, Oracle-maintained"),
    sa.Column("data_guard", sa.Boolean, nullable=False, comment="a standby role or a standby destination"),
    sa.Column(
        "active_data_guard",
        sa.Boolean,
        nullable=False,
        comment="a physical standby open read-only with redo apply (here or at a destination)",
    ),
    sa.Column("user_pdbs", sa.Integer, nullable=True, comment="pluggable databases besides the seed (null: no CDB)"),
    sa.Column("management_pack_access", sa.String, nullable=True, comment="control_management_pack_access"),
    sa.Column("cloud_package", sa.Boolean, nullable=False, comment="an Oracle Cloud package banner (%Perf%)"),
    sa.Column("size_gb", sa.Numeric, nullable=True, comment="allocated segment size (DBA_SEGMENTS), GB"),
    sa.Column("last_sample_date", sa.DateTime(timezone=True), nullable=True, comment="latest feature-usage sample"),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "as_of_date"),
    comment="the Oracle database of an application: identity, edition, version, size, cluster and standby",
)

db_ora_options = sa.Table(
    "db_ora_options",
    metadata,
    _apps_id(),
    _as_of_date(),
    sa.Column("inst_id", sa.Integer, nullable=False, comment="instance (GV$OPTION.INST_ID)"),
    _key("parameter", "V$OPTION.PARAMETER (Partitioning, Real Application Clusters, ...)"),
    sa.Column("value", sa.Boolean, nullable=False, comment="installed (TRUE) or not"),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "as_of_date", "inst_id", "parameter"),
    comment="options installed per instance (installed is not used: the licences come from usage)",
)

db_ora_features = sa.Table(
    "db_ora_features",
    metadata,
    _apps_id(),
    _as_of_date(),
    sa.Column("con_id", sa.Integer, nullable=False, comment="container (0: not a CDB, 1: root)"),
    sa.Column("dbid", sa.BigInteger, nullable=False),
    _key("version", "database version of the row set (upgrades and clones leave old sets)"),
    _key("name", "DBA_FEATURE_USAGE_STATISTICS.NAME"),
    sa.Column("detected_usages", sa.Integer, nullable=False),
    sa.Column("total_samples", sa.Integer, nullable=False),
    sa.Column("currently_used", sa.Boolean, nullable=False),
    sa.Column("first_usage_date", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_usage_date", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_sample_date", sa.DateTime(timezone=True), nullable=True),
    sa.Column("aux_count", sa.Numeric, nullable=True),
    sa.Column("feature_info", sa.Text, nullable=True, comment="FEATURE_INFO (CLOB), first 4,000 characters"),
    sa.Column("current_entry", sa.Boolean, nullable=False, comment="row of the newest sample of its container"),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "as_of_date", "con_id", "dbid", "version", "name"),
    comment="feature usage statistics as sampled by the database (DBA_ / CDB_FEATURE_USAGE_STATISTICS)",
)

db_ora_partitions = sa.Table(
    "db_ora_partitions",
    metadata,
    _apps_id(),
    _as_of_date(),
    _key("owner", "schema (Oracle-maintained schemas left out)"),
    _key("object_type", "TABLE PARTITION, INDEX SUBPARTITION, ..."),
    _key("object_name", "the partitioned table or index"),
    sa.Column("partitions", sa.Integer, nullable=False, comment="partitions or subpartitions"),
    sa.Column("min_created", sa.DateTime(timezone=True), nullable=True, comment="oldest partition creation"),
    sa.Column("max_last_ddl", sa.DateTime(timezone=True), nullable=True, comment="latest DDL on a partition"),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "as_of_date", "owner", "object_type", "object_name"),
    comment="partitioned segments per schema: evidence of the Partitioning option",
)

db_ora_compression = sa.Table(
    "db_ora_compression",
    metadata,
    _apps_id(),
    _as_of_date(),
    _key("owner", "schema (Oracle-maintained schemas left out)"),
    _key("object_type", "TABLE or TABLE PARTITION"),
    _key("object_name", "the table"),
    _key("compress_for", "ADVANCED, OLTP or FOR ALL OPERATIONS (BASIC is free and left out)"),
    sa.Column("segments", sa.Integer, nullable=False, comment="tables or partitions so compressed"),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "as_of_date", "owner", "object_type", "object_name", "compress_for"),
    comment="tables compressed with Advanced Compression: evidence of the option",
)

db_ora_licenses = sa.Table(
    "db_ora_licenses",
    metadata,
    _apps_id(),
    _as_of_date(),
    _key("product", "edition, option, pack or other product of the usage map"),
    sa.Column("product_kind", sa.String, nullable=False, comment="edition, option, pack or other"),
    _component_fk(nullable=True, comment="licence component (settings_db_versions / settings_db_options)"),
    sa.Column("usage", sa.String, nullable=False, comment="the ladder's level from feature usage"),
    sa.Column("used", sa.Boolean, nullable=False, comment="needs a licence: past or current usage, or objects"),
    sa.Column("evidence", sa.Text, nullable=True, comment="what shows the usage, in words"),
    sa.Column("first_usage_date", sa.DateTime(timezone=True), nullable=True, comment="since when (earliest evidence)"),
    sa.Column("last_usage_date", sa.DateTime(timezone=True), nullable=True),
    sa.Column("features_used", sa.Integer, nullable=False, comment="features of the product counting as usage"),
    sa.Column("entitled", sa.Boolean, nullable=True, comment="an active entitlement line for the component"),
    sa.Column("severity", sa.String, nullable=True, comment="risk, warning or information (null: no finding)"),
    sa.Column("finding", sa.Text, nullable=True, comment="what to verify, in words"),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "as_of_date", "product"),
    sa.CheckConstraint(_in("product_kind", DB_LICENSE_KINDS), name="product_kind"),
    sa.CheckConstraint(_in("usage", DB_USAGE_LEVELS), name="usage"),
    sa.CheckConstraint(_in("severity", LDAP_SEVERITIES), name="severity"),
    comment="per licensable product: used or not, on what evidence, since when, and the finding",
)

db_ora_license_features = sa.Table(
    "db_ora_license_features",
    metadata,
    _apps_id(),
    _as_of_date(),
    _key("product"),
    _key("feature_name"),
    sa.Column("con_id", sa.Integer, nullable=False),
    sa.Column("dbid", sa.BigInteger, nullable=False),
    _key("version"),
    sa.Column("condition", sa.String, nullable=True, comment="condition of the usage map's rule"),
    sa.Column("condition_met", sa.Boolean, nullable=True, comment="null: the rule has no condition"),
    sa.Column("usage", sa.String, nullable=False, comment="the ladder's level of this feature row"),
    sa.Column("detected_usages", sa.Integer, nullable=False),
    sa.Column("currently_used", sa.Boolean, nullable=False),
    sa.Column("current_entry", sa.Boolean, nullable=False),
    sa.Column(
        "first_usage_date", sa.DateTime(timezone=True), nullable=True, comment="blank when the condition is not met"
    ),
    sa.Column(
        "last_usage_date", sa.DateTime(timezone=True), nullable=True, comment="blank when the condition is not met"
    ),
    sa.Column("feature_info", sa.Text, nullable=True, comment="FEATURE_INFO excerpt"),
    *_refresh_columns(),
    sa.PrimaryKeyConstraint("apps_id", "as_of_date", "product", "feature_name", "con_id", "dbid", "version"),
    sa.CheckConstraint(_in("usage", DB_USAGE_LEVELS), name="usage"),
    comment="the ladder per feature row: the details behind each product's verdict",
)

# --------------------------------------------------------------------------------------------------
# Collection audit
# --------------------------------------------------------------------------------------------------

collect_audit = sa.Table(
    "collect_audit",
    metadata,
    sa.Column("run_id", sa.String, nullable=False),
    sa.Column("step", sa.String, nullable=False, comment="step id (e.g. SECURITY_USERS)"),
    sa.Column("apps_id", sa.Integer, nullable=True, comment="null for steps not tied to an application"),
    sa.Column("dag_id", sa.String, nullable=False),
    sa.Column("table_name", sa.String, nullable=True, comment="main table written"),
    sa.Column("rows_written", sa.BigInteger, nullable=True),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("status", sa.String, nullable=False, server_default=sa.text("'running'")),
    sa.Column("attempt", sa.Integer, nullable=False, server_default=sa.text("1")),
    sa.Column("message", sa.Text, nullable=True),
    sa.Column("details", JSONB, nullable=True, comment="per-table row counts and step metrics"),
    # run ids are unique per DAG only (scheduled__<time> is shared by every job on the same cron)
    sa.PrimaryKeyConstraint("dag_id", "run_id", "step"),
    sa.CheckConstraint(_in("status", COLLECT_STATUSES), name="status"),
    sa.Index(None, "apps_id", "dag_id", "finished_at"),
    comment="one row per step of every run: what was written, when, with which outcome",
)

job_run_locks = sa.Table(
    "job_run_locks",
    metadata,
    sa.Column(
        "lock_key", sa.String, primary_key=True, comment="nomasx1:<apps_id>:<job_id>, one per application and job"
    ),
    sa.Column("apps_id", sa.Integer, nullable=True, comment="null for jobs not tied to an application"),
    sa.Column("job_id", sa.String, nullable=False),
    sa.Column("dag_id", sa.String, nullable=False, comment="DAG of the run holding the lease"),
    sa.Column("run_id", sa.String, nullable=False, comment="the run holding the lease"),
    sa.Column("holder", sa.String, nullable=False, comment="host:pid of the step that took or last refreshed it"),
    sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
    sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
    comment="run lease: the one run of a job that may work on an application (docs/operations.md)",
)

job_current_runs = sa.Table(
    "job_current_runs",
    metadata,
    sa.Column("lock_key", sa.String, primary_key=True, comment="nomasx1:<apps_id>:<job_id>, as job_run_locks"),
    sa.Column("apps_id", sa.Integer, nullable=True, comment="null for jobs not tied to an application"),
    sa.Column("job_id", sa.String, nullable=False),
    sa.Column("dag_id", sa.String, nullable=False, comment="DAG of the newest accepted run"),
    sa.Column("run_id", sa.String, nullable=False, comment="the newest accepted run"),
    sa.Column(
        "run_moment",
        sa.DateTime(timezone=True),
        nullable=False,
        comment="the run's logical date (or when it was due): older runs are refused",
    ),
    sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
    comment="per snapshot job and application, the run whose results the current tables hold (run_order.py)",
)

collect_source_counts = sa.Table(
    "collect_source_counts",
    metadata,
    _apps_id(),
    _key("table_name", "JDE table (F95921, ...), as the collectors name it"),
    sa.Column("row_count", sa.BigInteger, nullable=False, comment="rows read by the last successful step"),
    sa.Column("run_id", sa.String, nullable=True, comment="Airflow run that read them"),
    sa.Column("counted_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
    sa.PrimaryKeyConstraint("apps_id", "table_name"),
    comment="rows of each required JDE source table at the last collection (the collapse guard compares with it)",
)

# --------------------------------------------------------------------------------------------------
# Reference data (curated catalogue: nomasx1-export-reference / nomasx1-import-reference)
# --------------------------------------------------------------------------------------------------

PRICE_LISTS = ("JD Edwards", "Technology")
SOD_ACTIONS = ("run", "add", "change", "delete")


settings_lic_metrics = sa.Table(
    "settings_lic_metrics",
    metadata,
    sa.Column("metric_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String, nullable=False, comment="e.g. Application User, Processor, Employee"),
    sa.Column("description", sa.Text, nullable=True),
    sa.Column(
        "counted_by",
        sa.String,
        nullable=False,
        server_default=sa.text("'not_countable'"),
        comment="count the licence position compares: authorised, employees or not_countable",
    ),
    sa.CheckConstraint(_in("counted_by", METRIC_BASES), name="counted_by"),
    comment="licence metrics (how a component is counted)",
)

settings_lic_components = sa.Table(
    "settings_lic_components",
    metadata,
    sa.Column("component_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("price_list", sa.String, nullable=False, comment="JD Edwards or Technology"),
    sa.Column("family", sa.String, nullable=False, comment="product family (Financial Management, ...)"),
    sa.Column("name", sa.String, nullable=False, comment="licensable component"),
    sa.Column("description", sa.Text, nullable=True),
    sa.CheckConstraint(_in("price_list", PRICE_LISTS), name="price_list"),
    comment="licensable components of Oracle's price lists (JD Edwards and Technology)",
)

settings_jde_sy = sa.Table(
    "settings_jde_sy",
    metadata,
    sa.Column("system_code", sa.String, primary_key=True, comment="JDE product code (F9860.SISY), e.g. 03B"),
    sa.Column("description", sa.String, nullable=False),
    sa.Column("module", sa.String, nullable=True, comment="functional module"),
    sa.Column("e1_component", sa.String, nullable=True, comment="Oracle's E1 component label"),
    _component_fk(nullable=True, comment="licence component the system code belongs to"),
    comment="JDE system code -> module -> licence component",
)

settings_jde_rclst = sa.Table(
    "settings_jde_rclst",
    metadata,
    sa.Column("object_name", sa.String, primary_key=True, comment="JDE object (P03013, F4117, ...)"),
    sa.Column("system_code", sa.String, sa.ForeignKey("settings_jde_sy.system_code"), nullable=False),
    sa.Column("reason", sa.Text, nullable=True),
    comment="object reclassification: the system code that counts for licensing, overriding F9860.SISY",
)

settings_jde_prereq = sa.Table(
    "settings_jde_prereq",
    metadata,
    _component_fk(),
    _component_fk("prerequisite_id", comment="component required by component_id"),
    sa.PrimaryKeyConstraint("component_id", "prerequisite_id"),
    sa.CheckConstraint("component_id <> prerequisite_id", name="not_self"),
    comment="component prerequisites: using component_id requires a licence for prerequisite_id",
)

settings_jde_restrictions = sa.Table(
    "settings_jde_restrictions",
    metadata,
    _component_fk(),
    sa.Column("restriction_id", sa.Integer, nullable=False, autoincrement=False),
    sa.Column("restriction", sa.Text, nullable=False, comment="restricted-use clause"),
    sa.PrimaryKeyConstraint("component_id", "restriction_id"),
    comment="restricted-use clauses attached to a component",
)

settings_db_versions = sa.Table(
    "settings_db_versions",
    metadata,
    sa.Column("edition", sa.String, primary_key=True, comment="V$VERSION edition (Enterprise Edition, ...)"),
    _component_fk(comment="database edition component"),
    comment="Oracle Database edition -> licence component",
)

settings_db_options = sa.Table(
    "settings_db_options",
    metadata,
    sa.Column("option_name", sa.String, primary_key=True, comment="product of the usage map (option, pack, ...)"),
    _component_fk(nullable=True, comment="licence component (null: no price-list line of its own)"),
    sa.Column("requires_edition", sa.String, nullable=True, comment="edition the option needs (Enterprise Edition)"),
    sa.Column("description", sa.Text, nullable=True),
    sa.Column(
        "product_kind",
        sa.String,
        nullable=False,
        server_default=sa.text("'option'"),
        comment="option, pack or other (hardware, storage, separate products: informational)",
    ),
    sa.Column("object_check", sa.String, nullable=True, comment="dictionary evidence of use besides feature usage"),
    sa.CheckConstraint(_in("product_kind", DB_PRODUCT_KINDS), name="product_kind"),
    sa.CheckConstraint(_in("object_check", DB_OBJECT_CHECKS), name="object_check"),
    comment="Oracle Database options and management packs -> licence component",
)

settings_db_features = sa.Table(
    "settings_db_features",
    metadata,
    sa.Column("feature_name", sa.String, nullable=False, comment="DBA_FEATURE_USAGE_STATISTICS.NAME (exact)"),
    sa.Column("option_name", sa.String, sa.ForeignKey("settings_db_options.option_name"), nullable=False),
    sa.Column("min_version", sa.String, nullable=False, comment="first database version the rule holds for (11.2)"),
    sa.Column("below_version", sa.String, nullable=True, comment="first version it no longer holds for (null: none)"),
    sa.Column("condition", sa.String, nullable=True, comment="C001..C005, BUG or INVALID (null: usage counts)"),
    sa.Column("description", sa.Text, nullable=True),
    sa.PrimaryKeyConstraint("feature_name", "option_name", "min_version"),
    sa.CheckConstraint(_in("condition", DB_FEATURE_CONDITIONS), name="condition"),
    sa.CheckConstraint(
        "min_version ~ '^[0-9]+(\\.[0-9]+)*$' AND (below_version IS NULL OR below_version ~ '^[0-9]+(\\.[0-9]+)*$')",
        name="versions",
    ),
    comment="feature-usage name and version range -> the product it bills, with its condition (usage map)",
)

sod_process = sa.Table(
    "sod_process",
    metadata,
    _apps_id(),
    sa.Column("process_id", sa.String, nullable=False, comment="P2P, O2C, R2R, INV, HR, FA, IT"),
    sa.Column("name", sa.String, nullable=False),
    sa.Column("description", sa.Text, nullable=True),
    sa.PrimaryKeyConstraint("apps_id", "process_id"),
    comment="SoD business processes",
)

sod_risks = sa.Table(
    "sod_risks",
    metadata,
    _apps_id(),
    sa.Column("risk_id", sa.String, nullable=False),
    sa.Column("name", sa.String, nullable=False),
    sa.Column("description", sa.Text, nullable=True, comment="what could go wrong"),
    sa.Column("default_level", sa.String, nullable=True, comment="High, Medium, Low (or a number)"),
    sa.PrimaryKeyConstraint("apps_id", "risk_id"),
    comment="SoD risks",
)

sod_activities = sa.Table(
    "sod_activities",
    metadata,
    _apps_id(),
    sa.Column("activity_id", sa.String, nullable=False, comment="e.g. P2P01"),
    sa.Column("process_id", sa.String, nullable=False),
    sa.Column("name", sa.String, nullable=False),
    sa.Column("description", sa.Text, nullable=True),
    sa.Column(
        "action",
        sa.String,
        nullable=False,
        server_default=sa.text("'run'"),
        comment="right needed on the objects: run, or add/change/delete (action security)",
    ),
    sa.PrimaryKeyConstraint("apps_id", "activity_id"),
    sa.ForeignKeyConstraint(["apps_id", "process_id"], ["sod_process.apps_id", "sod_process.process_id"]),
    sa.CheckConstraint(_in("action", SOD_ACTIONS), name="action"),
    comment="SoD activities (duties), each bound to JDE objects in sod_objects",
)

sod_objects = sa.Table(
    "sod_objects",
    metadata,
    _apps_id(),
    sa.Column("activity_id", sa.String, nullable=False),
    _key("object_name", "JDE application or batch (P0411, R04570)"),
    _key("form_name", "form ('' = any form of the object)", default=""),
    _key("version", "version ('' = any version)", default=""),
    sa.Column("description", sa.Text, nullable=True),
    sa.PrimaryKeyConstraint("apps_id", "activity_id", "object_name", "form_name", "version"),
    sa.ForeignKeyConstraint(["apps_id", "activity_id"], ["sod_activities.apps_id", "sod_activities.activity_id"]),
    sa.Index(None, "apps_id", "object_name"),
    comment="JDE objects that perform an SoD activity",
)

sod_matrix = sa.Table(
    "sod_matrix",
    metadata,
    _apps_id(),
    sa.Column("process_id", sa.String, nullable=False),
    sa.Column("activity1_id", sa.String, nullable=False),
    sa.Column("activity2_id", sa.String, nullable=False),
    sa.Column("risk_id", sa.String, nullable=True),
    sa.Column("risk_level", sa.String, nullable=False, comment="High, Medium, Low (or a number: 100, 50)"),
    sa.Column("description", sa.Text, nullable=True),
    sa.PrimaryKeyConstraint("apps_id", "process_id", "activity1_id", "activity2_id"),
    sa.ForeignKeyConstraint(["apps_id", "process_id"], ["sod_process.apps_id", "sod_process.process_id"]),
    sa.ForeignKeyConstraint(["apps_id", "activity1_id"], ["sod_activities.apps_id", "sod_activities.activity_id"]),
    sa.ForeignKeyConstraint(["apps_id", "activity2_id"], ["sod_activities.apps_id", "sod_activities.activity_id"]),
    sa.ForeignKeyConstraint(["apps_id", "risk_id"], ["sod_risks.apps_id", "sod_risks.risk_id"]),
    # pairs are unordered: each is declared once, the smaller activity id first
    sa.CheckConstraint("activity1_id < activity2_id", name="ordered_pair"),
    comment="SoD rules: two activities one person must not both perform",
)

sod_exceptions = sa.Table(
    "sod_exceptions",
    metadata,
    _apps_id(),
    _key("exception_id", "mitigation id"),
    sa.Column("user_id", sa.String, nullable=True, comment="user the exception covers (or role_id)"),
    sa.Column("role_id", sa.String, nullable=True, comment="role the exception covers (or user_id)"),
    sa.Column("process_id", sa.String, nullable=False),
    sa.Column("activity1_id", sa.String, nullable=False),
    sa.Column("activity2_id", sa.String, nullable=False),
    sa.Column("valid_from", sa.Date, nullable=False, comment="first day it mitigates"),
    sa.Column("valid_to", sa.Date, nullable=True, comment="last day it mitigates (null = open-ended)"),
    sa.Column("control_id", sa.String, nullable=True, comment="mitigating control"),
    sa.Column("approver", sa.String, nullable=True),
    sa.Column("justification", sa.Text, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
    sa.Column("created_by", sa.String, nullable=True),
    sa.PrimaryKeyConstraint("apps_id", "exception_id"),
    sa.ForeignKeyConstraint(
        ["apps_id", "process_id", "activity1_id", "activity2_id"],
        ["sod_matrix.apps_id", "sod_matrix.process_id", "sod_matrix.activity1_id", "sod_matrix.activity2_id"],
        name="fk_sod_exceptions_rule",
    ),
    sa.CheckConstraint("(user_id IS NULL) <> (role_id IS NULL)", name="one_principal"),
    sa.CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="validity"),
    sa.Index(None, "apps_id", "process_id", "activity1_id", "activity2_id"),
    comment="SoD mitigations: a user's or role's conflict on one rule accepted under a control, for a period",
)

#: reference tables in dependency order (export/import order; delete in reverse)
REFERENCE_TABLES = (
    "settings_lic_metrics",
    "settings_lic_components",
    "settings_jde_sy",
    "settings_jde_rclst",
    "settings_jde_prereq",
    "settings_jde_restrictions",
    "settings_db_versions",
    "settings_db_options",
    "settings_db_features",
    "sod_process",
    "sod_risks",
    "sod_activities",
    "sod_objects",
    "sod_matrix",
)

#: business tables (keyed by apps_id first), in dependency order
BUSINESS_TABLES = (
    "security_users",
    "security_roles",
    "security_assignments",
    "security_menus",
    "security_rights_roles",
    "security_rights_users",
    "security_rights_audit",
    "security_rights_menus",
    "security_rights_snapshot",
    "security_rights_runs",
    "security_users_data",
    "jde_objects",
    "jde_objects_versions",
    "jde_sec_objects",
    "jde_sec_menus",
    "jde_tasks",
    "jde_menus",
    "sod_exceptions",
    "sod_conflict_details",
    "sod_conflict_summary",
    "sod_conflict_history",
    "sod_role_conflicts",
    "license_jde_employees",
    "license_jde_users",
    "license_jde_tables",
    "license_jde_out_daily",
    "license_jde_out",
    "license_jde_out_objects",
    "license_jde_out_users",
    "license_jde_out_state",
    "license_entitlements",
    "license_position",
    "license_position_users",
    "license_position_history",
    "license_data_quality",
    "security_ldap",
    "security_ldap_groups",
    "security_ldap_members",
    "security_ldap_matches",
    "security_ldap_findings",
    "db_ora_properties",
    "db_ora_options",
    "db_ora_features",
    "db_ora_partitions",
    "db_ora_compression",
    "db_ora_licenses",
    "db_ora_license_features",
)
