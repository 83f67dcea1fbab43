"""The directory: accounts, groups and memberships of each LDAP application, its settings, and
the reconciliation of JDE users with directory accounts (matches and findings).

- ``settings_ldap``: per directory application, the JDE applications it is reconciled with and
  the match rules in order (docs/ldap.md, "Settings").
- ``security_ldap``, ``security_ldap_groups``, ``security_ldap_members``: written by step
  SECURITY_LDAP of nomasx1-ldap-1.
- ``security_ldap_matches``, ``security_ldap_findings``: written by step LDAP_RECONCILE.

Frozen like 0001: the columns are spelled out here.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 21:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from airflow_provider_nomasx1.schema.migrations import target_schema

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_TABLES = (
    "settings_ldap",
    "security_ldap",
    "security_ldap_groups",
    "security_ldap_members",
    "security_ldap_matches",
    "security_ldap_findings",
)


def upgrade() -> None:
    schema = target_schema()
    op.create_table(
        "security_ldap",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("dn", sa.String(), nullable=False, comment="distinguished name of the entry"),
        sa.Column("account", sa.String(), nullable=False, comment="account name (sAMAccountName; uid in OpenLDAP)"),
        sa.Column("name", sa.String(), nullable=True, comment="cn"),
        sa.Column("display_name", sa.String(), nullable=True, comment="displayName"),
        sa.Column("logon", sa.String(), nullable=True, comment="userPrincipalName"),
        sa.Column("mail", sa.String(), nullable=True, comment="mail"),
        sa.Column("manager_dn", sa.String(), nullable=True, comment="manager (DN)"),
        sa.Column("manager_account", sa.String(), nullable=True, comment="account of the manager, when loaded"),
        sa.Column("company", sa.String(), nullable=True),
        sa.Column("department", sa.String(), nullable=True),
        sa.Column("office", sa.String(), nullable=True, comment="physicalDeliveryOfficeName"),
        sa.Column("city", sa.String(), nullable=True, comment="l"),
        sa.Column("title", sa.String(), nullable=True),
        sa.Column("telephone", sa.String(), nullable=True, comment="telephoneNumber"),
        sa.Column("mobile", sa.String(), nullable=True),
        sa.Column("description", sa.String(), nullable=True, comment="description (often the HR id)"),
        sa.Column("employee_id", sa.String(), nullable=True, comment="employeeID (employeeNumber in OpenLDAP)"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True, comment="whenCreated"),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True, comment="accountExpires (null: never)"),
        sa.Column(
            "never_expires",
            sa.Boolean(),
            nullable=True,
            comment="accountExpires is 0 or 0x7FFFFFFFFFFFFFFF (null: unknown)",
        ),
        sa.Column("password_set_at", sa.DateTime(timezone=True), nullable=True, comment="pwdLastSet"),
        sa.Column(
            "password_never_expires", sa.Boolean(), nullable=True, comment="userAccountControl DONT_EXPIRE_PASSWORD"
        ),
        sa.Column("last_logon_at", sa.DateTime(timezone=True), nullable=True, comment="lastLogonTimestamp"),
        sa.Column("account_control", sa.Integer(), nullable=True, comment="userAccountControl bits"),
        sa.Column("disabled", sa.Boolean(), nullable=True, comment="ACCOUNTDISABLE (null: the directory does not say)"),
        sa.Column("locked", sa.Boolean(), nullable=True, comment="LOCKOUT bit"),
        sa.Column("parent_dn", sa.String(), nullable=True, comment="DN of the container (OU)"),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.PrimaryKeyConstraint("apps_id", "dn", name=op.f("pk_security_ldap")),
        schema=schema,
        comment="accounts of each directory application (SECURITY_LDAP replaces them each run)",
    )
    op.create_index(
        op.f("ix_security_ldap_apps_id_account"), "security_ldap", ["apps_id", "account"], unique=False, schema=schema
    )
    op.create_table(
        "security_ldap_findings",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="JDE application"),
        sa.Column("ldap_apps_id", sa.Integer(), nullable=False, comment="directory application (apps_type LDAP)"),
        sa.Column(
            "finding",
            sa.String(),
            nullable=False,
            comment="directory_disabled, directory_expired, directory_missing, hr_terminated, ambiguous, ...",
        ),
        sa.Column(
            "user_id",
            sa.String(),
            server_default=sa.text("''"),
            nullable=False,
            comment="JDE user ('' for a directory account without JDE user)",
        ),
        sa.Column(
            "dn",
            sa.String(),
            server_default=sa.text("''"),
            nullable=False,
            comment="directory account ('' when there is none)",
        ),
        sa.Column("severity", sa.String(), nullable=False, comment="risk, warning or information"),
        sa.Column("account", sa.String(), nullable=True, comment="directory account name"),
        sa.Column("user_name", sa.String(), nullable=True, comment="JDE user name, else the directory display name"),
        sa.Column("rule", sa.String(), nullable=True, comment="match rule of the match concerned"),
        sa.Column("jde_enabled", sa.Boolean(), nullable=True, comment="the JDE account may sign in"),
        sa.Column("directory_disabled", sa.Boolean(), nullable=True),
        sa.Column("directory_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("termination_date", sa.Date(), nullable=True, comment="F060116 termination (hr_terminated)"),
        sa.Column("department", sa.String(), nullable=True, comment="directory department"),
        sa.Column("detail", sa.Text(), nullable=True, comment="what was found, in words"),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.CheckConstraint(
            "finding IN ('directory_disabled', 'directory_expired', 'directory_missing', 'hr_terminated', "
            "'ambiguous', 'generic_without_directory', 'directory_only')",
            name=op.f("ck_security_ldap_findings_finding"),
        ),
        sa.CheckConstraint(
            "severity IN ('risk', 'warning', 'information')", name=op.f("ck_security_ldap_findings_severity")
        ),
        sa.PrimaryKeyConstraint(
            "apps_id", "ldap_apps_id", "finding", "user_id", "dn", name=op.f("pk_security_ldap_findings")
        ),
        schema=schema,
        comment="the reconciliation's findings: leaver risks, ambiguous matches, directory-only accounts",
    )
    op.create_table(
        "security_ldap_groups",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("dn", sa.String(), nullable=False, comment="distinguished name of the group"),
        sa.Column("name", sa.String(), nullable=True, comment="cn"),
        sa.Column("account", sa.String(), nullable=True, comment="sAMAccountName"),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("members", sa.Integer(), server_default=sa.text("0"), nullable=False, comment="member values"),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.PrimaryKeyConstraint("apps_id", "dn", name=op.f("pk_security_ldap_groups")),
        schema=schema,
        comment="groups of each directory application",
    )
    op.create_table(
        "security_ldap_matches",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="JDE application"),
        sa.Column("ldap_apps_id", sa.Integer(), nullable=False, comment="directory application (apps_type LDAP)"),
        sa.Column("user_id", sa.String(), nullable=False, comment="JDE user (security_users)"),
        sa.Column("dn", sa.String(), nullable=False, comment="directory account matched"),
        sa.Column("account", sa.String(), nullable=True, comment="directory account name"),
        sa.Column("rule", sa.String(), nullable=False, comment="the match rule that made the match"),
        sa.Column(
            "rule_order", sa.Integer(), nullable=False, comment="position of the rule in match_rules (1 = first)"
        ),
        sa.Column("candidates", sa.Integer(), nullable=False, comment="directory accounts the deciding rule found"),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.CheckConstraint("rule IN ('employee_id', 'account', 'mail')", name=op.f("ck_security_ldap_matches_rule")),
        sa.PrimaryKeyConstraint("apps_id", "ldap_apps_id", "user_id", "dn", name=op.f("pk_security_ldap_matches")),
        schema=schema,
        comment="JDE user -> directory account, with the rule that matched (the first rule finding a candidate)",
    )
    op.create_table(
        "security_ldap_members",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("group_dn", sa.String(), nullable=False, comment="the group"),
        sa.Column(
            "member_dn",
            sa.String(),
            nullable=False,
            comment="a member value (an account, a nested group or an entry outside the search)",
        ),
        sa.Column("member_account", sa.String(), nullable=True, comment="account of the member (null: not an account)"),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.PrimaryKeyConstraint("apps_id", "group_dn", "member_dn", name=op.f("pk_security_ldap_members")),
        schema=schema,
        comment="group memberships (member, every range slice joined)",
    )
    op.create_index(
        op.f("ix_security_ldap_members_apps_id_member_account"),
        "security_ldap_members",
        ["apps_id", "member_account"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "settings_ldap",
        sa.Column("apps_id", sa.Integer(), autoincrement=False, nullable=False, comment="the directory application"),
        sa.Column(
            "reconcile_apps",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=True,
            comment="JSON list of the JDE applications reconciled with the directory (null: every JDE application)",
        ),
        sa.Column(
            "match_rules",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text('\'["employee_id", "account", "mail"]\'::jsonb'),
            nullable=False,
            comment="match rules in the order they are tried: employee_id, account, mail",
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["apps_id"],
            [f"{schema}.settings_applications.apps_id"],
            name=op.f("fk_settings_ldap_apps_id_settings_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("apps_id", name=op.f("pk_settings_ldap")),
        schema=schema,
        comment="per-directory settings: which JDE applications it is reconciled with, and how",
    )


def downgrade() -> None:
    schema = target_schema()
    for table in reversed(_TABLES):
        op.drop_table(table, schema=schema)
