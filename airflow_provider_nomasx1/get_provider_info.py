"""Provider metadata read by Airflow's ProvidersManager (entry point ``apache_airflow_provider``).

Connection forms are declarative (Airflow 3.2+ ``conn-fields`` / ``ui-field-behaviour``): the UI
renders them without importing our hooks.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_nomasx1 import __version__
from airflow_provider_nomasx1.directory.config import DEFAULT_PAGE_SIZE, KINDS, PAGE_SIZE_RANGE, TLS_MODES
from airflow_provider_nomasx1.jde.databases import (
    DB_TYPES,
    DEFAULT_ODBC_DRIVER,
    DEFAULT_ORACLE_ARRAYSIZE,
    DEFAULT_TRUST_SERVER_CERTIFICATE,
)
from airflow_provider_nomasx1.jde.schema_map import data_sources


def _timeout_fields(statement_default: str) -> dict[str, Any]:
    """The timeout extras every connection takes (hooks/timeouts.py; defaults there)."""
    return {
        "connect_timeout": {
            "label": "Connect timeout (seconds)",
            "description": "How long to wait for the database to accept a session. Default 15.",
            "schema": {"type": ["number", "null"], "exclusiveMinimum": 0},
        },
        "statement_timeout": {
            "label": "Statement timeout (seconds)",
            "description": f"Longest single statement; 0 = none. Default {statement_default}.",
            "schema": {"type": ["number", "null"], "minimum": 0},
        },
    }


def _schema_fields() -> dict[str, Any]:
    """One field per data source of the JDE schema map, its default and label from jde/schema_map.py."""
    fields: dict[str, Any] = {}
    for source in data_sources():
        schema: dict[str, Any] = {"type": ["string", "null"]}
        if source.default is not None:
            schema = {"type": "string", "default": source.default, "pattern": r"^[A-Za-z_][A-Za-z0-9_$]*$"}
        fields[f"schema_{source.key}"] = {"label": f"Schema: {source.holds}", "schema": schema}
    return fields


#: every sslmode libpq accepts, weakest first
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")


def _sslmode_field() -> dict[str, Any]:
    """A dropdown of the real modes that may stay empty: Airflow's UI lists every enum value (None
    as "null"), so null is allowed by the type, not the enum; the dropdown's clear button empties it."""
    return {
        "label": "SSL mode",
        "description": "Empty: libpq's default (prefer, or the PGSSLMODE of the workers).",
        "schema": {"type": ["string", "null"], "enum": list(SSL_MODES)},
    }


def _driver_fields() -> dict[str, Any]:
    """Per-database driver settings JdeHook reads, with the defaults the hooks apply (jde/databases.py)."""
    return {
        "arraysize": {
            "label": "Oracle fetch array size",
            "description": f"Oracle only: rows fetched per round trip. Default {DEFAULT_ORACLE_ARRAYSIZE}.",
            "schema": {"type": ["integer", "null"], "minimum": 1, "default": DEFAULT_ORACLE_ARRAYSIZE},
        },
        "odbc_driver": {
            "label": "ODBC driver",
            "description": "SQL Server only: the ODBC driver name installed on the workers.",
            "schema": {"type": ["string", "null"], "default": DEFAULT_ODBC_DRIVER},
        },
        "trust_server_certificate": {
            "label": "Trust the server certificate",
            "description": "SQL Server only: skip validating the server's certificate (self-signed test servers).",
            "schema": {"type": ["boolean", "null"], "default": DEFAULT_TRUST_SERVER_CERTIFICATE},
        },
    }


def _jde_fields() -> dict[str, Any]:
    fields: dict[str, Any] = {
        "db_type": {
            "label": "Database type",
            "description": "The database JDE runs on.",
            "schema": {"type": "string", "enum": list(DB_TYPES), "default": "oracle"},
        },
        "service_name": {
            "label": "Oracle service name",
            "description": "Oracle only: service name (or give a SID, or a full connect descriptor in DSN).",
            "schema": {"type": ["string", "null"]},
        },
        "sid": {"label": "Oracle SID", "schema": {"type": ["string", "null"]}},
        "dsn": {
            "label": "Oracle DSN",
            "description": "Oracle only: full connect descriptor or TNS alias; replaces host/port.",
            "schema": {"type": ["string", "null"]},
        },
    }
    fields |= _driver_fields() | _schema_fields()
    fields["catalogue"] = {
        "label": "Source catalogue overrides",
        "description": 'JSON map of logical field to physical column, e.g. {"F95921.include_in_all": "RLCUSTOM"}.',
        "schema": {"type": ["object", "null"], "format": "json"},
    }
    return fields | _timeout_fields("3600 (one hour)")


def _ldap_fields() -> dict[str, Any]:
    """The directory connection's extras (directory/config.py and hooks/ldap.py read them)."""
    low, high = PAGE_SIZE_RANGE
    text: dict[str, Any] = {"type": ["string", "null"]}
    return {
        "tls_mode": {
            "label": "TLS mode",
            "description": "ldaps (TLS from the first byte, port 636), starttls (port 389, then TLS) or none. "
            "Default ldaps; the certificate is always validated.",
            "schema": {"type": "string", "enum": list(TLS_MODES), "default": "ldaps"},
        },
        "ca_bundle": {
            "label": "CA bundle",
            "description": "Path, on the workers, of the PEM file of the CA(s) the directory's certificate chains to. "
            "Empty: the system's trusted CAs.",
            "schema": text,
        },
        "base_dn": {
            "label": "Base DN",
            "description": "Where accounts and groups are searched, e.g. DC=corp,DC=example,DC=com.",
            "schema": {"type": "string"},
        },
        "search_filter": {
            "label": "Account filter",
            "description": "LDAP filter of the accounts. Empty: (&(objectClass=user)(!(objectClass=computer))) for "
            "Active Directory, (objectClass=inetOrgPerson) for OpenLDAP.",
            "schema": text,
        },
        "group_filter": {
            "label": "Group filter",
            "description": "LDAP filter of the groups. Empty: (objectClass=group), or groupOfNames / "
            "groupOfUniqueNames for OpenLDAP.",
            "schema": text,
        },
        "page_size": {
            "label": "Page size",
            "description": f"Entries per page of the paged search ({low}-{high}; Active Directory returns at most "
            f"1000). Default {DEFAULT_PAGE_SIZE}.",
            "schema": {"type": ["integer", "null"], "minimum": low, "maximum": high, "default": DEFAULT_PAGE_SIZE},
        },
        "excluded_ous": {
            "label": "Excluded OUs",
            "description": "DNs of OUs whose entries are left out, separated by ';' (relative to the base DN or "
            "full), e.g. OU=Disabled Users;OU=Test.",
            "schema": text,
        },
        "directory_kind": {
            "label": "Directory kind",
            "description": "active_directory (sAMAccountName, FILETIME, userAccountControl) or openldap (uid, no "
            "account-control flags).",
            "schema": {"type": "string", "enum": list(KINDS), "default": "active_directory"},
        },
        "attribute_map": {
            "label": "Attribute map overrides",
            "description": 'JSON map of field to attribute, e.g. {"employee_id": "description"}; null: not read '
            "(docs/ldap.md lists the fields).",
            "schema": {"type": ["object", "null"], "format": "json"},
        },
        "read_groups": {
            "label": "Read groups",
            "description": "Load the groups and their members too. Default true.",
            "schema": {"type": ["boolean", "null"], "default": True},
        },
        "connect_timeout": {
            "label": "Connect timeout (seconds)",
            "description": "How long to wait for the directory to accept the connection. Default 15.",
            "schema": {"type": ["number", "null"], "exclusiveMinimum": 0},
        },
        "receive_timeout": {
            "label": "Receive timeout (seconds)",
            "description": "Longest wait for one answer (a page) of the directory. Default 300.",
            "schema": {"type": ["number", "null"], "exclusiveMinimum": 0},
        },
    }


def get_provider_info() -> dict[str, Any]:
    return {
        "package-name": "airflow-provider-nomasx1",
        "name": "nomasx1 (JD Edwards compliance)",
        "description": "JD Edwards EnterpriseOne security, segregation of duties, licence and audit-trail "
        "collection into PostgreSQL, as a provider and a DAG bundle of YAML-defined jobs.",
        "versions": [__version__],
        # the README, as published with the package; pyproject's [project.urls] Documentation says the same
        "documentation-url": "https://pypi.org/project/airflow-provider-nomasx1/",
        "integrations": [
            {
                "integration-name": "nomasx1",
                "external-doc-url": "https://pypi.org/project/airflow-provider-nomasx1/",
                "tags": ["software"],
            },
        ],
        "hooks": [
            {
                "integration-name": "nomasx1",
                "python-modules": [
                    "airflow_provider_nomasx1.hooks.jde",
                    "airflow_provider_nomasx1.hooks.ldap",
                    "airflow_provider_nomasx1.hooks.nomasx1",
                ],
            },
        ],
        "operators": [
            {"integration-name": "nomasx1", "python-modules": ["airflow_provider_nomasx1.operators.step"]},
        ],
        "bundles": [
            {"integration-name": "nomasx1", "python-modules": ["airflow_provider_nomasx1.dagspec.bundle"]},
        ],
        "connection-types": [
            {
                "connection-type": "jdedwards",
                "hook-class-name": "airflow_provider_nomasx1.hooks.jde.JdeHook",
                "hook-name": "JD Edwards EnterpriseOne database",
                "ui-field-behaviour": {
                    "hidden-fields": [],
                    "relabeling": {"schema": "Database (SQL Server / PostgreSQL) or Oracle service"},
                    "placeholders": {"host": "jde-db.example.com", "port": "1521", "login": "JDE_READONLY"},
                },
                "conn-fields": _jde_fields(),
            },
            {
                "connection-type": "nomasx1",
                "hook-class-name": "airflow_provider_nomasx1.hooks.nomasx1.Nomasx1Hook",
                "hook-name": "nomasx1 target (PostgreSQL)",
                "ui-field-behaviour": {
                    "hidden-fields": [],
                    "relabeling": {"schema": "Database"},
                    "placeholders": {"port": "5432", "schema": "nomasx1", "login": "nomasx1"},
                },
                "conn-fields": {
                    "sslmode": _sslmode_field(),
                    "sslrootcert": {
                        "label": "SSL root certificate",
                        "description": "Path, on the workers, of the CA certificate(s) the server's must chain to.",
                        "schema": {"type": ["string", "null"]},
                    },
                    "application_name": {
                        "label": "Application name",
                        "description": "Shown in pg_stat_activity. Default nomasx1.",
                        "schema": {"type": ["string", "null"]},
                    },
                    "options": {
                        "label": "Session options",
                        "description": "libpq options, e.g. -c work_mem=256MB (the statement timeout is added).",
                        "schema": {"type": ["string", "null"]},
                    },
                }
                | _timeout_fields("0 (none)"),
            },
            {
                "connection-type": "nomasx1_ldap",
                "hook-class-name": "airflow_provider_nomasx1.hooks.ldap.LdapHook",
                "hook-name": "LDAP / Active Directory (nomasx1)",
                "ui-field-behaviour": {
                    "hidden-fields": ["schema"],
                    "relabeling": {"login": "Bind DN", "password": "Bind password"},
                    "placeholders": {
                        "host": "dc01.corp.example.com",
                        "port": "636",
                        "login": "CN=nomasx1-reader,OU=Service Accounts,DC=corp,DC=example,DC=com",
                    },
                },
                "conn-fields": _ldap_fields(),
            },
        ],
    }
