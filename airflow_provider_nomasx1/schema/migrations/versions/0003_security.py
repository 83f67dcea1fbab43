"""Security collection: raw JDE extracts, users' data, menu rights, rights snapshots and run metadata.

Frozen like 0001: the tables are spelled out here. Written by ``nomasx1-security-1``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 17:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from airflow_provider_nomasx1.schema.migrations import target_schema

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    schema = target_schema()
    op.create_table(
        "jde_menus",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("task_view", sa.String(), nullable=False, comment="F9001 TRRLTYPE"),
        sa.Column("parent_task_id", sa.String(), nullable=False),
        sa.Column("child_task_id", sa.String(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=True, comment="presentation sequence (TRPRSSEQ)"),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.PrimaryKeyConstraint("apps_id", "task_view", "parent_task_id", "child_task_id", name=op.f("pk_jde_menus")),
        comment="JDE task relationships (F9001) of the task views in settings",
        schema=schema,
    )
    op.create_table(
        "jde_objects",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("object_name", sa.String(), nullable=False, comment="F9860 SIOBNM"),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("system_code", sa.String(), nullable=True, comment="after reclassification (settings_jde_rclst)"),
        sa.Column("source_system_code", sa.String(), nullable=True, comment="F9860 SISY as found"),
        sa.Column("object_type", sa.String(), nullable=True, comment="F9860 SIFUNO: APPL, UBE, BSFN, TBLE, BSVW ..."),
        sa.Column("reclassified", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.PrimaryKeyConstraint("apps_id", "object_name", name=op.f("pk_jde_objects")),
        comment="JDE object librarian (F9860) with system-code reclassification applied",
        schema=schema,
    )
    op.create_index(
        op.f("ix_jde_objects_apps_id_system_code"),
        "jde_objects",
        ["apps_id", "system_code"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "jde_objects_versions",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("object_name", sa.String(), nullable=False, comment="F983051 VRPID"),
        sa.Column("version", sa.String(), nullable=False, comment="F983051 VRVERS"),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("system_code", sa.String(), nullable=True),
        sa.Column("object_type", sa.String(), nullable=True),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.PrimaryKeyConstraint("apps_id", "object_name", "version", name=op.f("pk_jde_objects_versions")),
        comment="versions of applications and batch programs (F983051)",
        schema=schema,
    )
    op.create_table(
        "jde_sec_menus",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("task_view", sa.String(), nullable=False),
        sa.Column("task_id", sa.String(), nullable=False, comment="menu task launching an object"),
        sa.Column("role_id", sa.String(), nullable=False, comment="role or *PUBLIC"),
        sa.Column("object_name", sa.String(), nullable=False),
        sa.Column("form_name", sa.String(), server_default=sa.text("''"), nullable=False),
        sa.Column("version", sa.String(), server_default=sa.text("''"), nullable=False),
        sa.Column(
            "enabled", sa.Boolean(), nullable=False, comment="the role's application security lets it launch the task"
        ),
        sa.Column("decided_level", sa.String(), nullable=False, comment="ROLE, PUBLIC or DEFAULT"),
        sa.Column("decided_by", sa.String(), nullable=True),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.PrimaryKeyConstraint("apps_id", "task_view", "task_id", "role_id", name=op.f("pk_jde_sec_menus")),
        comment="menu filtering per role: tasks of the secured task views each role may launch",
        schema=schema,
    )
    op.create_table(
        "jde_sec_objects",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("record_no", sa.BigInteger(), nullable=False, comment="position in the extract (F00950 has no id)"),
        sa.Column("type_code", sa.String(), nullable=False, comment="F00950 FSSETY as found"),
        sa.Column("security_type", sa.String(), nullable=False, comment="meaning by the application's code map"),
        sa.Column("principal", sa.String(), nullable=False, comment="user, role or *PUBLIC (FSUSER)"),
        sa.Column("object_name", sa.String(), nullable=False, comment="object or *ALL (FSOBNM)"),
        sa.Column("form_name", sa.String(), server_default=sa.text("''"), nullable=False, comment="'' = all forms"),
        sa.Column("version", sa.String(), server_default=sa.text("''"), nullable=False, comment="'' = all versions"),
        sa.Column("system_code", sa.String(), nullable=True),
        sa.Column("data_item", sa.String(), nullable=True, comment="row / column security data item"),
        sa.Column("from_value", sa.String(), nullable=True),
        sa.Column("thru_value", sa.String(), nullable=True),
        sa.Column("can_run", sa.Boolean(), nullable=True, comment="Y = true, N = false, blank = null"),
        sa.Column("can_view", sa.Boolean(), nullable=True, comment="Y = true, N = false, blank = null"),
        sa.Column("can_add", sa.Boolean(), nullable=True, comment="Y = true, N = false, blank = null"),
        sa.Column("can_change", sa.Boolean(), nullable=True, comment="Y = true, N = false, blank = null"),
        sa.Column("can_delete", sa.Boolean(), nullable=True, comment="Y = true, N = false, blank = null"),
        sa.Column("can_ok", sa.Boolean(), nullable=True, comment="Y = true, N = false, blank = null"),
        sa.Column("can_copy", sa.Boolean(), nullable=True, comment="Y = true, N = false, blank = null"),
        sa.Column("can_scroll", sa.Boolean(), nullable=True, comment="Y = true, N = false, blank = null"),
        sa.Column("updated_by", sa.String(), nullable=True),
        sa.Column("updated_date", sa.Date(), nullable=True),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.PrimaryKeyConstraint("apps_id", "record_no", name=op.f("pk_jde_sec_objects")),
        comment="security workbench records (F00950), every security type, typed by the FSSETY code map",
        schema=schema,
    )
    op.create_index(
        op.f("ix_jde_sec_objects_apps_id_object_name"),
        "jde_sec_objects",
        ["apps_id", "object_name"],
        unique=False,
        schema=schema,
    )
    op.create_index(
        op.f("ix_jde_sec_objects_apps_id_principal_object_name"),
        "jde_sec_objects",
        ["apps_id", "principal", "object_name"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "jde_tasks",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("task_id", sa.String(), nullable=False, comment="F9000 TMTASKID"),
        sa.Column("task_name", sa.String(), nullable=True),
        sa.Column("task_type", sa.String(), nullable=True, comment="01 interactive, 02 batch, 07 folder ..."),
        sa.Column("object_name", sa.String(), nullable=True, comment="null for folders"),
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
        sa.PrimaryKeyConstraint("apps_id", "task_id", name=op.f("pk_jde_tasks")),
        comment="JDE task master (F9000)",
        schema=schema,
    )
    op.create_table(
        "security_rights_menus",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("role_id", sa.String(), nullable=False, comment="role or *PUBLIC"),
        sa.Column("task_view", sa.String(), nullable=False),
        sa.Column("path", sa.String(), nullable=False, comment="security_menus.path"),
        sa.Column("task_id", sa.String(), nullable=False),
        sa.Column("object_name", sa.String(), nullable=False),
        sa.Column("form_name", sa.String(), server_default=sa.text("''"), nullable=False),
        sa.Column("version", sa.String(), server_default=sa.text("''"), nullable=False),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.PrimaryKeyConstraint("apps_id", "role_id", "task_view", "path", name=op.f("pk_security_rights_menus")),
        comment="menu entries each role (or *PUBLIC) may launch (menu filtering by application security)",
        schema=schema,
    )
    op.create_index(
        op.f("ix_security_rights_menus_apps_id_object_name"),
        "security_rights_menus",
        ["apps_id", "object_name"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "security_rights_runs",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("as_of_date", sa.Date(), nullable=False, comment="date the rights were resolved for"),
        sa.Column("role_sequence_direction", sa.String(), nullable=False),
        sa.Column("signin_mode", sa.String(), nullable=False),
        sa.Column(
            "security_type_codes", postgresql.JSONB(astext_type=sa.Text()), nullable=False, comment="FSSETY code map used"
        ),
        sa.Column("expand_nested_roles", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "roles_keys", sa.BigInteger(), nullable=True, comment="role rights staged by SECURITY_RIGHTS_APPS"
        ),
        sa.Column(
            "users_keys", sa.BigInteger(), nullable=True, comment="user rights staged by SECURITY_RIGHTS_APPS_USERS"
        ),
        sa.Column("roles_rows", sa.BigInteger(), nullable=True, comment="rows of security_rights_roles"),
        sa.Column("users_rows", sa.BigInteger(), nullable=True, comment="rows of security_rights_users"),
        sa.Column("computed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "role_sequence_direction IN ('ascending', 'descending')",
            name=op.f("ck_security_rights_runs_role_sequence_direction"),
        ),
        sa.PrimaryKeyConstraint("apps_id", "run_id", name=op.f("pk_security_rights_runs")),
        comment="the settings each rights computation used (metadata of security_rights_roles / _users)",
        schema=schema,
    )
    op.create_table(
        "security_rights_snapshot",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("principal_type", sa.String(), nullable=False, comment="USER or ROLE"),
        sa.Column("principal", sa.String(), nullable=False),
        sa.Column("object_name", sa.String(), nullable=False),
        sa.Column("form_name", sa.String(), server_default=sa.text("''"), nullable=False),
        sa.Column("version", sa.String(), server_default=sa.text("''"), nullable=False),
        sa.Column("can_run", sa.Boolean(), nullable=False),
        sa.Column("can_add", sa.Boolean(), nullable=False),
        sa.Column("can_change", sa.Boolean(), nullable=False),
        sa.Column("can_delete", sa.Boolean(), nullable=False),
        sa.Column("can_ok", sa.Boolean(), nullable=False),
        sa.Column("can_copy", sa.Boolean(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("run_id", sa.String(), nullable=True),
        sa.CheckConstraint(
            "principal_type IN ('USER', 'ROLE')", name=op.f("ck_security_rights_snapshot_principal_type")
        ),
        sa.PrimaryKeyConstraint(
            "apps_id",
            "principal_type",
            "principal",
            "object_name",
            "form_name",
            "version",
            name=op.f("pk_security_rights_snapshot"),
        ),
        comment="rights as of the last SECURITY_RIGHTS_AUDIT: the baseline the next run is compared with",
        schema=schema,
    )
    op.create_table(
        "security_users_data",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("address_number", sa.BigInteger(), nullable=True),
        sa.Column("search_type", sa.String(), nullable=True, comment="F0101 ABAT1 (E = employee)"),
        sa.Column("business_unit", sa.String(), nullable=True, comment="F0101 ABMCU, trimmed"),
        sa.Column("email", sa.String(), nullable=True, comment="F01151 e-mail (type E, lowest line)"),
        sa.Column("language", sa.String(), nullable=True, comment="F0092 ULLNGP"),
        sa.Column("date_format", sa.String(), nullable=True, comment="F0092 ULFRMT"),
        sa.Column("country", sa.String(), nullable=True, comment="F0092 ULCTR"),
        sa.Column(
            "category_codes",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=True,
            comment="F0101 ABAC01..ABAC30 that are set",
        ),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.PrimaryKeyConstraint("apps_id", "user_id", name=op.f("pk_security_users_data")),
        comment="address-book data of each user (F0101, F01151, F0092)",
        schema=schema,
    )


def downgrade() -> None:
    schema = target_schema()
    for table in (
        "jde_menus",
        "jde_objects",
        "jde_objects_versions",
        "jde_sec_menus",
        "jde_sec_objects",
        "jde_tasks",
        "security_rights_menus",
        "security_rights_runs",
        "security_rights_snapshot",
        "security_users_data",
    ):
        op.drop_table(table, schema=schema)
