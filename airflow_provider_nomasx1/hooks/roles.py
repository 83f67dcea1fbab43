"""Hook roles: which hook class serves each kind of connection a step uses, and the param naming it.

A collector asks its :class:`~airflow_provider_nomasx1.context.StepContext` for a role
(``ctx.hook_for("admin")``: the connection its param names, else the role's default), or for a
role on the connection another param holds (``ctx.hook("mirror_connector", "target")``); the step
operator's hook cache builds the hook from this table. Classes are named by import path, so the
table (and the context that reads it) imports no Airflow until a hook is built.
"""

from __future__ import annotations

import pkgutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from airflow_provider_nomasx1.errors import ConfigurationError


@dataclass(frozen=True)
class HookRole:
    """One role: its hook class, the param holding its connection id, and that param's default."""

    hook_class: str  # "package.module:Class"
    param: str
    #: connection id when the param is not given; None: the param is required
    default_conn_id: str | None = None
    #: keyword arguments of the hook's constructor, after the connection id
    options: Mapping[str, Any] = field(default_factory=dict)

    def create(self, conn_id: str) -> Any:
        """A new hook of this role on connection ``conn_id``."""
        return pkgutil.resolve_name(self.hook_class)(conn_id, **self.options)


_TARGET = "airflow_provider_nomasx1.hooks.nomasx1:Nomasx1Hook"

#: role -> hook; the roles' names are what collectors and test factories pass around
HOOK_ROLES: Mapping[str, HookRole] = MappingProxyType(
    {
        "jde": HookRole("airflow_provider_nomasx1.hooks.jde:JdeHook", "source_connector"),
        # the JDE connection allowed to DELETE old F98911 rows (nomasx1-out-1's JDE purge, off by
        # default): named by settings_jdedwards.jde_out_purge_connector, not by a param, so the
        # collector asks ctx.hook_factory("jde_purge", conn_id); the only writable JDE hook
        "jde_purge": HookRole(
            "airflow_provider_nomasx1.hooks.jde:JdeHook", "jde_out_purge_connector", options={"writable": True}
        ),
        # the corporate directory (LDAP / Active Directory) of nomasx1-ldap-1
        "ldap": HookRole("airflow_provider_nomasx1.hooks.ldap:LdapHook", "source_connector", "ldap"),
        # the Oracle database read for its licences by nomasx1-database-1 (not the JDE connection)
        "oracle": HookRole(
            "airflow_provider_nomasx1.hooks.oracle_target:OracleTargetHook", "source_connector", "oracle-target"
        ),
        "target": HookRole(_TARGET, "target_connector"),
        "admin": HookRole(
            _TARGET, "admin_connector", "default", options={"purpose": "admin PostgreSQL (CREATE ROLE / DATABASE)"}
        ),
        "api": HookRole("airflow_provider_nomasx1.hooks.airflow_api:AirflowApiHook", "api_connector", "airflow_api"),
    }
)


def hook_role(role: str) -> HookRole:
    """The table's entry for ``role``, or a ConfigurationError naming the known ones."""
    try:
        return HOOK_ROLES[role]
    except KeyError:
        raise ConfigurationError(f"unknown hook role {role!r} (known: {', '.join(HOOK_ROLES)})") from None
