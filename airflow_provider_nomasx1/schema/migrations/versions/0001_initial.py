"""Initial nomasx1 schema: application registry, security, rights, SoD results, collect audit.

A frozen snapshot: the tables are spelled out with ``op.create_table`` (not ``metadata.create_all``)
and the materialised views carry their SQL as of this revision, so the migration keeps producing
the same schema whatever the models and ``sql/views`` become later. ``tests/test_schema.py``
checks that upgrading an empty schema to head gives exactly what the models describe.

Revision ID: 0001
Revises:
Create Date: 2026-11-28 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from airflow_provider_nomasx1.schema.migrations import target_schema
from airflow_provider_nomasx1.pg.identifiers import qualified, quote

# revision identifiers, used by Alembic.
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# materialised views as of this revision: name -> (SELECT, unique index columns)
VIEWS = {
    "security_user_overview": (
        """
-- security_user_overview: one row per application and user account.
-- Roles (all and active as of the last collection), effective run rights and SoD conflicts.
-- Source tables are resolved in the target schema (bootstrap sets the search_path).
SELECT
    u.apps_id,
    u.user_id,
    u.user_name,
    u.enabled,
    u.dormant,
    u.privileged,
    u.last_login_date,
    coalesce(a.roles_count, 0) AS roles_count,
    coalesce(a.active_roles_count, 0) AS active_roles_count,
    coalesce(r.rights_count, 0) AS rights_count,
    coalesce(c.conflicts_count, 0) AS conflicts_count,
    coalesce(c.conflict_rules_count, 0) AS conflict_rules_count
FROM security_users AS u
LEFT JOIN (
    SELECT
        apps_id,
        user_id,
        count(DISTINCT role_id) AS roles_count,
        count(DISTINCT role_id) FILTER (WHERE status = 'active') AS active_roles_count
    FROM security_assignments
    GROUP BY apps_id, user_id
) AS a ON a.apps_id = u.apps_id AND a.user_id = u.user_id
LEFT JOIN (
    SELECT apps_id, user_id, count(*) FILTER (WHERE can_run) AS rights_count
    FROM security_rights_users
    GROUP BY apps_id, user_id
) AS r ON r.apps_id = u.apps_id AND r.user_id = u.user_id
LEFT JOIN (
    SELECT
        apps_id,
        user_id,
        count(*) AS conflicts_count,
        count(DISTINCT (process_id, activity1_id, activity2_id)) AS conflict_rules_count
    FROM sod_conflict_details
    GROUP BY apps_id, user_id
) AS c ON c.apps_id = u.apps_id AND c.user_id = u.user_id
""",
        ("apps_id", "user_id"),
    ),
    "security_role_overview": (
        """
-- security_role_overview: one row per application and role.
-- Users assigned (all and active), objects the role lets run, users whose run rights it decides.
SELECT
    ro.apps_id,
    ro.role_id,
    ro.description,
    ro.sequence,
    coalesce(a.users_count, 0) AS users_count,
    coalesce(a.active_users_count, 0) AS active_users_count,
    coalesce(g.granted_count, 0) AS granted_count,
    coalesce(d.deciding_users_count, 0) AS deciding_users_count
FROM security_roles AS ro
LEFT JOIN (
    SELECT
        apps_id,
        role_id,
        count(DISTINCT user_id) AS users_count,
        count(DISTINCT user_id) FILTER (WHERE status = 'active') AS active_users_count
    FROM security_assignments
    GROUP BY apps_id, role_id
) AS a ON a.apps_id = ro.apps_id AND a.role_id = ro.role_id
LEFT JOIN (
    SELECT apps_id, role_id, count(*) FILTER (WHERE can_run) AS granted_count
    FROM security_rights_roles
    GROUP BY apps_id, role_id
) AS g ON g.apps_id = ro.apps_id AND g.role_id = ro.role_id
LEFT JOIN (
    SELECT apps_id, decided_by AS role_id, count(DISTINCT user_id) AS deciding_users_count
    FROM security_rights_users
    WHERE decided_level = 'ROLE'
    GROUP BY apps_id, decided_by
) AS d ON d.apps_id = ro.apps_id AND d.role_id = ro.role_id
""",
        ("apps_id", "role_id"),
    ),
    "collect_last_refresh": (
        """
-- collect_last_refresh: per application and table, the latest successful collection step.
-- module = the table name up to its first '_' (security, sod, license...), for the "Last refresh" tree.
SELECT DISTINCT ON (apps_id, table_name)
    apps_id,
    table_name,
    split_part(table_name, '_', 1) AS module,
    dag_id,
    run_id,
    step,
    rows_written,
    finished_at AS last_refreshed_at
FROM collect_audit
WHERE status = 'success'
  AND apps_id IS NOT NULL
  AND table_name IS NOT NULL
  AND finished_at IS NOT NULL
ORDER BY apps_id, table_name, finished_at DESC, run_id DESC
""",
        ("apps_id", "table_name"),
    ),
}


def _create_view(schema: str, name: str, select_sql: str, unique_columns: tuple[str, ...]) -> None:
    """CREATE MATERIALIZED VIEW ... WITH NO DATA, source names resolved in ``schema``."""
    bind = op.get_bind()
    target = qualified(schema, name)
    previous = bind.execute(sa.text("SELECT current_setting('search_path')")).scalar_one()
    bind.execute(sa.text("SELECT set_config('search_path', :p, true)"), {"p": quote(schema)})
    bind.execute(sa.text(f"CREATE MATERIALIZED VIEW {target} AS\n{select_sql.strip()}\nWITH NO DATA"))
    bind.execute(sa.text("SELECT set_config('search_path', :p, true)"), {"p": previous})
    columns = ", ".join(quote(c) for c in unique_columns)
    bind.execute(sa.text(f"CREATE UNIQUE INDEX {quote('ux_' + name)} ON {target} ({columns})"))


def upgrade() -> None:
    schema = target_schema()
    op.execute(f"CREATE SCHEMA IF NOT EXISTS {quote(schema)}")

    op.create_table(
        "collect_audit",
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("step", sa.String(), nullable=False, comment="step id (e.g. SECURITY_USERS)"),
        sa.Column("apps_id", sa.Integer(), nullable=True, comment="null for steps not tied to an application"),
        sa.Column("dag_id", sa.String(), nullable=False),
        sa.Column("table_name", sa.String(), nullable=True, comment="main table written"),
        sa.Column("rows_written", sa.BigInteger(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(), server_default=sa.text("'running'"), nullable=False),
        sa.Column("attempt", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column(
            "details",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=True,
            comment="per-table row counts and step metrics",
        ),
        sa.CheckConstraint("status IN ('running', 'success', 'failed')", name=op.f("ck_collect_audit_status")),
        sa.PrimaryKeyConstraint("dag_id", "run_id", "step", name=op.f("pk_collect_audit")),
        schema=schema,
        comment="one row per step of every run: what was written, when, with which outcome",
    )
    op.create_index(
        op.f("ix_collect_audit_apps_id_dag_id_finished_at"),
        "collect_audit",
        ["apps_id", "dag_id", "finished_at"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "security_assignments",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("role_id", sa.String(), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("expiration_date", sa.Date(), nullable=True, comment="null = never; inactive from this day on"),
        sa.Column(
            "include_in_all",
            sa.Boolean(),
            server_default=sa.text("true"),
            nullable=False,
            comment="role activated by the *ALL sign-in",
        ),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column(
            "role_missing",
            sa.Boolean(),
            server_default=sa.text("false"),
            nullable=False,
            comment="the role does not exist in security_roles",
        ),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.CheckConstraint("status IN ('active', 'expired', 'future')", name=op.f("ck_security_assignments_status")),
        sa.PrimaryKeyConstraint(
            "apps_id", "user_id", "role_id", "effective_date", name=op.f("pk_security_assignments")
        ),
        schema=schema,
        comment="role assignments (F95921) with their dates and status as of the run",
    )
    op.create_index(
        op.f("ix_security_assignments_apps_id_role_id_user_id"),
        "security_assignments",
        ["apps_id", "role_id", "user_id"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "security_menus",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("task_view", sa.String(), nullable=False, comment="task view (root) id"),
        sa.Column(
            "path",
            sa.String(),
            nullable=False,
            comment="stable path key: task ids from the root, dot separated",
        ),
        sa.Column("task_id", sa.String(), nullable=False),
        sa.Column("parent_task_id", sa.String(), nullable=True),
        sa.Column("label", sa.String(), nullable=True),
        sa.Column("path_labels", sa.String(), nullable=True, comment="breadcrumb of labels, ' > ' separated"),
        sa.Column("level", sa.Integer(), nullable=False, comment="depth below the task view (1 = top)"),
        sa.Column("sequence", sa.Integer(), nullable=True, comment="presentation sequence under the parent"),
        sa.Column("task_type", sa.String(), nullable=True),
        sa.Column("object_name", sa.String(), nullable=True, comment="launched object (null for folders)"),
        sa.Column("form_name", sa.String(), nullable=True),
        sa.Column("version", sa.String(), nullable=True),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.PrimaryKeyConstraint("apps_id", "task_view", "path", name=op.f("pk_security_menus")),
        schema=schema,
        comment="menu tree (task views) flattened, one row per task path",
    )
    op.create_index(
        op.f("ix_security_menus_apps_id_object_name"),
        "security_menus",
        ["apps_id", "object_name"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "security_rights_audit",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("principal", sa.String(), nullable=False, comment="user, role or *PUBLIC whose right changed"),
        sa.Column("object_name", sa.String(), nullable=False),
        sa.Column("form_name", sa.String(), server_default=sa.text("''"), nullable=False),
        sa.Column("version", sa.String(), server_default=sa.text("''"), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("principal_type", sa.String(), nullable=True),
        sa.Column("change", sa.String(), nullable=False),
        sa.Column("before_can_run", sa.Boolean(), nullable=True),
        sa.Column("before_can_add", sa.Boolean(), nullable=True),
        sa.Column("before_can_change", sa.Boolean(), nullable=True),
        sa.Column("before_can_delete", sa.Boolean(), nullable=True),
        sa.Column("before_can_ok", sa.Boolean(), nullable=True),
        sa.Column("before_can_copy", sa.Boolean(), nullable=True),
        sa.Column("after_can_run", sa.Boolean(), nullable=True),
        sa.Column("after_can_add", sa.Boolean(), nullable=True),
        sa.Column("after_can_change", sa.Boolean(), nullable=True),
        sa.Column("after_can_delete", sa.Boolean(), nullable=True),
        sa.Column("after_can_ok", sa.Boolean(), nullable=True),
        sa.Column("after_can_copy", sa.Boolean(), nullable=True),
        sa.Column("run_id", sa.String(), nullable=True),
        sa.CheckConstraint("change IN ('GRANTED', 'REVOKED', 'CHANGED')", name=op.f("ck_security_rights_audit_change")),
        sa.CheckConstraint(
            "principal_type IS NULL OR principal_type IN ('USER', 'ROLE', 'PUBLIC')",
            name=op.f("ck_security_rights_audit_principal_type"),
        ),
        sa.PrimaryKeyConstraint(
            "apps_id",
            "principal",
            "object_name",
            "form_name",
            "version",
            "detected_at",
            name=op.f("pk_security_rights_audit"),
        ),
        schema=schema,
        comment="rights granted, revoked or changed between two collections (before/after flags)",
    )
    op.create_index(
        op.f("ix_security_rights_audit_apps_id_detected_at"),
        "security_rights_audit",
        ["apps_id", "detected_at"],
        unique=False,
        schema=schema,
    )
    op.create_index(
        op.f("ix_security_rights_audit_apps_id_object_name"),
        "security_rights_audit",
        ["apps_id", "object_name"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "security_rights_roles",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("role_id", sa.String(), nullable=False),
        sa.Column("object_name", sa.String(), nullable=False),
        sa.Column("form_name", sa.String(), server_default=sa.text("''"), nullable=False),
        sa.Column("version", sa.String(), server_default=sa.text("''"), nullable=False),
        sa.Column("can_run", sa.Boolean(), nullable=False),
        sa.Column("can_add", sa.Boolean(), nullable=False),
        sa.Column("can_change", sa.Boolean(), nullable=False),
        sa.Column("can_delete", sa.Boolean(), nullable=False),
        sa.Column("can_ok", sa.Boolean(), nullable=False),
        sa.Column("can_copy", sa.Boolean(), nullable=False),
        sa.Column("can_scroll", sa.Boolean(), nullable=True, comment="scroll to end (when the source has it)"),
        sa.Column("decided_level", sa.String(), nullable=False, comment="level deciding can_run"),
        sa.Column("decided_by", sa.String(), nullable=True, comment="principal deciding can_run (null: DEFAULT)"),
        sa.Column("decided_object", sa.String(), nullable=True, comment="object or *ALL of the record"),
        sa.Column("decided_form", sa.String(), nullable=True, comment="form of the record ('' = all)"),
        sa.Column("decided_version", sa.String(), nullable=True, comment="version ('' = all)"),
        sa.Column("action_decided_level", sa.String(), nullable=True, comment="level deciding the action flags"),
        sa.Column(
            "action_decided_by",
            sa.String(),
            nullable=True,
            comment="principal deciding the action flags (null: DEFAULT)",
        ),
        sa.Column("action_decided_object", sa.String(), nullable=True, comment="object or *ALL of the record"),
        sa.Column("action_decided_form", sa.String(), nullable=True, comment="form of the record ('' = all)"),
        sa.Column("action_decided_version", sa.String(), nullable=True, comment="version ('' = all)"),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.CheckConstraint(
            "action_decided_level IS NULL OR action_decided_level IN ('USER', 'ROLE', 'PUBLIC', 'DEFAULT')",
            name=op.f("ck_security_rights_roles_action_decided_level"),
        ),
        sa.CheckConstraint(
            "decided_level IN ('USER', 'ROLE', 'PUBLIC', 'DEFAULT')",
            name=op.f("ck_security_rights_roles_decided_level"),
        ),
        sa.PrimaryKeyConstraint(
            "apps_id", "role_id", "object_name", "form_name", "version", name=op.f("pk_security_rights_roles")
        ),
        schema=schema,
        comment="what each role grants (role, then *PUBLIC, then default)",
    )
    op.create_index(
        op.f("ix_security_rights_roles_apps_id_object_name_form_name_version"),
        "security_rights_roles",
        ["apps_id", "object_name", "form_name", "version"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "security_rights_users",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("object_name", sa.String(), nullable=False),
        sa.Column("form_name", sa.String(), server_default=sa.text("''"), nullable=False),
        sa.Column("version", sa.String(), server_default=sa.text("''"), nullable=False),
        sa.Column("can_run", sa.Boolean(), nullable=False),
        sa.Column("can_add", sa.Boolean(), nullable=False),
        sa.Column("can_change", sa.Boolean(), nullable=False),
        sa.Column("can_delete", sa.Boolean(), nullable=False),
        sa.Column("can_ok", sa.Boolean(), nullable=False),
        sa.Column("can_copy", sa.Boolean(), nullable=False),
        sa.Column("can_scroll", sa.Boolean(), nullable=True, comment="scroll to end (when the source has it)"),
        sa.Column("decided_level", sa.String(), nullable=False, comment="level deciding can_run"),
        sa.Column("decided_by", sa.String(), nullable=True, comment="principal deciding can_run (null: DEFAULT)"),
        sa.Column("decided_object", sa.String(), nullable=True, comment="object or *ALL of the record"),
        sa.Column("decided_form", sa.String(), nullable=True, comment="form of the record ('' = all)"),
        sa.Column("decided_version", sa.String(), nullable=True, comment="version ('' = all)"),
        sa.Column("action_decided_level", sa.String(), nullable=True, comment="level deciding the action flags"),
        sa.Column(
            "action_decided_by",
            sa.String(),
            nullable=True,
            comment="principal deciding the action flags (null: DEFAULT)",
        ),
        sa.Column("action_decided_object", sa.String(), nullable=True, comment="object or *ALL of the record"),
        sa.Column("action_decided_form", sa.String(), nullable=True, comment="form of the record ('' = all)"),
        sa.Column("action_decided_version", sa.String(), nullable=True, comment="version ('' = all)"),
        sa.Column("as_of_date", sa.Date(), nullable=True, comment="date the rights were resolved for"),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.CheckConstraint(
            "action_decided_level IS NULL OR action_decided_level IN ('USER', 'ROLE', 'PUBLIC', 'DEFAULT')",
            name=op.f("ck_security_rights_users_action_decided_level"),
        ),
        sa.CheckConstraint(
            "decided_level IN ('USER', 'ROLE', 'PUBLIC', 'DEFAULT')",
            name=op.f("ck_security_rights_users_decided_level"),
        ),
        sa.PrimaryKeyConstraint(
            "apps_id", "user_id", "object_name", "form_name", "version", name=op.f("pk_security_rights_users")
        ),
        schema=schema,
        comment="effective rights of each user with the security record that decided them",
    )
    op.create_index(
        op.f("ix_security_rights_users_apps_id_decided_by"),
        "security_rights_users",
        ["apps_id", "decided_by"],
        unique=False,
        schema=schema,
    )
    op.create_index(
        op.f("ix_security_rights_users_apps_id_object_name_form_name_version"),
        "security_rights_users",
        ["apps_id", "object_name", "form_name", "version"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "security_roles",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("role_id", sa.String(), nullable=False, comment="role id (F00926 AUUSER)"),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=True, comment="role sequence (F00926 AUSEQNO)"),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.PrimaryKeyConstraint("apps_id", "role_id", name=op.f("pk_security_roles")),
        schema=schema,
        comment="roles of each application",
    )
    op.create_table(
        "security_users",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("user_id", sa.String(), nullable=False, comment="account id (JDE F0092 ULUSER)"),
        sa.Column("user_name", sa.String(), nullable=True, comment="person name (F0101 ABALPH)"),
        sa.Column("address_number", sa.BigInteger(), nullable=True, comment="address book number (ULAN8)"),
        sa.Column("registration", sa.String(), nullable=True, comment="HR id used to match the directory"),
        sa.Column("status_code", sa.String(), nullable=True, comment="source status code (F98OWSEC SCEUSER)"),
        sa.Column(
            "enabled",
            sa.Boolean(),
            server_default=sa.text("true"),
            nullable=False,
            comment="account may sign in",
        ),
        sa.Column("created_date", sa.Date(), nullable=True),
        sa.Column("last_login_date", sa.Date(), nullable=True, comment="latest sign-on (F9312)"),
        sa.Column("password_changed_date", sa.Date(), nullable=True),
        sa.Column("privileged", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "dormant",
            sa.Boolean(),
            server_default=sa.text("false"),
            nullable=False,
            comment="enabled and no sign-on within dormant_days",
        ),
        sa.Column(
            "no_role",
            sa.Boolean(),
            server_default=sa.text("false"),
            nullable=False,
            comment="enabled and no active assignment",
        ),
        sa.Column("duplicate_of", sa.String(), nullable=True, comment="other account with the same address number"),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.PrimaryKeyConstraint("apps_id", "user_id", name=op.f("pk_security_users")),
        schema=schema,
        comment="user accounts of each application",
    )
    op.create_index(
        op.f("ix_security_users_apps_id_address_number"),
        "security_users",
        ["apps_id", "address_number"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "settings_applications",
        sa.Column("apps_id", sa.Integer(), autoincrement=False, nullable=False, comment="application id"),
        sa.Column("apps_name", sa.String(), nullable=False, comment="display name"),
        sa.Column("apps_type", sa.String(), server_default=sa.text("'JDE'"), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("source_conn_id", sa.String(), nullable=True, comment="Airflow connection of the source"),
        sa.Column("role_sequence_direction", sa.String(), server_default=sa.text("'ascending'"), nullable=False),
        sa.Column("signin_mode", sa.String(), server_default=sa.text("'*ALL'"), nullable=False),
        sa.Column(
            "security_type_codes",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text(
                '\'{"1": "application", "2": "action", "3": "row", "4": "column", '
                '"5": "processing_option", "6": "tab", "7": "hyper_exit", '
                '"8": "external_calls", "9": "exclusive_application"}\'::jsonb'
            ),
            nullable=False,
            comment="FSSETY code -> security type",
        ),
        sa.Column("dormant_days", sa.Integer(), server_default=sa.text("90"), nullable=False),
        sa.Column("out_purge", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("out_retention_days", sa.Integer(), nullable=True),
        sa.Column("audit_conn_id", sa.String(), nullable=True, comment="Airflow connection of the audit source"),
        sa.Column("audit_scn", sa.BigInteger(), nullable=True, comment="LogMiner watermark (last SCN read)"),
        sa.Column("audit_last", sa.DateTime(timezone=True), nullable=True, comment="last successful extract"),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "apps_type IN ('JDE', 'DATABASE', 'LDAP', 'WEBLOGIC', 'CUSTOM')",
            name=op.f("ck_settings_applications_apps_type"),
        ),
        sa.CheckConstraint(
            "role_sequence_direction IN ('ascending', 'descending')",
            name=op.f("ck_settings_applications_role_sequence_direction"),
        ),
        sa.CheckConstraint("dormant_days > 0", name=op.f("ck_settings_applications_dormant_days")),
        sa.CheckConstraint(
            "out_retention_days IS NULL OR out_retention_days >= 0",
            name=op.f("ck_settings_applications_out_retention_days"),
        ),
        sa.PrimaryKeyConstraint("apps_id", name=op.f("pk_settings_applications")),
        schema=schema,
        comment="registry of source applications; apps_id keys every other table",
    )
    op.create_table(
        "sod_conflict_details",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("process_id", sa.String(), nullable=False),
        sa.Column("activity1_id", sa.String(), nullable=False),
        sa.Column("activity2_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("object1", sa.String(), nullable=False, comment="object that gives activity 1"),
        sa.Column("object2", sa.String(), nullable=False, comment="object that gives activity 2"),
        sa.Column("risk_id", sa.String(), nullable=True),
        sa.Column("risk_level", sa.String(), nullable=True, comment="matrix level, else the risk's level"),
        sa.Column("role1", sa.String(), nullable=True, comment="principal that granted object1"),
        sa.Column("role2", sa.String(), nullable=True, comment="principal that granted object2"),
        sa.Column(
            "privileged",
            sa.Boolean(),
            server_default=sa.text("false"),
            nullable=False,
            comment="the user is flagged privileged",
        ),
        sa.Column("mitigated", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.PrimaryKeyConstraint(
            "apps_id",
            "process_id",
            "activity1_id",
            "activity2_id",
            "user_id",
            "object1",
            "object2",
            name=op.f("pk_sod_conflict_details"),
        ),
        schema=schema,
        comment="one realised conflict per user and object pair",
    )
    op.create_index(
        op.f("ix_sod_conflict_details_apps_id_user_id"),
        "sod_conflict_details",
        ["apps_id", "user_id"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "sod_conflict_summary",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("process_id", sa.String(), nullable=False),
        sa.Column("activity1_id", sa.String(), nullable=False),
        sa.Column("activity2_id", sa.String(), nullable=False),
        sa.Column("risk_id", sa.String(), nullable=True),
        sa.Column("risk_level", sa.String(), nullable=True),
        sa.Column("users_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("privileged_users_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("mitigated_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.PrimaryKeyConstraint(
            "apps_id", "process_id", "activity1_id", "activity2_id", name=op.f("pk_sod_conflict_summary")
        ),
        schema=schema,
        comment="users in conflict per matrix rule",
    )
    op.create_table(
        "settings_jdedwards",
        sa.Column("apps_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("system_schema", sa.String(), nullable=True, comment="system data source (SY920)"),
        sa.Column("control_schema", sa.String(), nullable=True, comment="control tables (PRODCTL)"),
        sa.Column("data_schema", sa.String(), nullable=True, comment="business data (PRODDTA)"),
        sa.Column("object_librarian_schema", sa.String(), nullable=True, comment="object librarian (OL920)"),
        sa.Column("data_dictionary_schema", sa.String(), nullable=True, comment="data dictionary (DD920)"),
        sa.Column("central_objects_schema", sa.String(), nullable=True, comment="central objects (PD920)"),
        sa.Column("server_map_schema", sa.String(), nullable=True, comment="server map (SVM920)"),
        sa.Column("security_schema", sa.String(), nullable=True, comment="schema of F00950 (null = system)"),
        sa.Column("collect_standard_menus", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("collect_e1_pages", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("collect_composite_pages", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column(
            "task_views",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text(
                '\'[{"name": "EnterpriseOne Menus", "security": true, "task_view": "91"}, '
                '{"name": "Content Development Tools", "security": true, "task_view": "93"}]\'::jsonb'
            ),
            nullable=False,
            comment="task views walked for menus: [{task_view, name, security}]",
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["apps_id"],
            [f"{schema}.settings_applications.apps_id"],
            name=op.f("fk_settings_jdedwards_apps_id_settings_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("apps_id", name=op.f("pk_settings_jdedwards")),
        schema=schema,
        comment="per-application JD Edwards settings (schema overrides, menu flags, task views)",
    )

    for name, (select_sql, unique_columns) in VIEWS.items():
        _create_view(schema, name, select_sql, unique_columns)


def downgrade() -> None:
    schema = target_schema()
    for name in reversed(list(VIEWS)):
        op.execute(f"DROP MATERIALIZED VIEW IF EXISTS {qualified(schema, name)}")
    for table in (
        "settings_jdedwards",
        "sod_conflict_summary",
        "sod_conflict_details",
        "settings_applications",
        "security_users",
        "security_roles",
        "security_rights_users",
        "security_rights_roles",
        "security_rights_audit",
        "security_menus",
        "security_assignments",
        "collect_audit",
    ):
        op.drop_table(table, schema=schema)
