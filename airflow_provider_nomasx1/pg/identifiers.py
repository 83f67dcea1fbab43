"""Validation and quoting of SQL identifiers that come from params or connection extras.

Identifiers (schema, table, database, role names) can never be bound as parameters, so every
one that reaches SQL text passes through :func:`checked` first and is quoted with :func:`quote`.
"""

from __future__ import annotations

import re

from airflow_provider_nomasx1.errors import ConfigurationError

__all__ = ["checked", "qualified", "quote"]

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,62}$")


def checked(name: str, what: str = "identifier") -> str:
    """Return ``name`` when it is a plain SQL identifier, else raise a ConfigurationError."""
    if not isinstance(name, str) or not _IDENTIFIER.match(name):
        raise ConfigurationError(
            f"Invalid {what} {name!r}: use letters, digits, '_' or '$', starting with a letter "
            "or '_', at most 63 characters."
        )
    return name


def quote(name: str, what: str = "identifier") -> str:
    """Validate then double-quote an identifier for PostgreSQL or Oracle SQL text."""
    return '"' + checked(name, what) + '"'


def qualified(schema: str, table: str) -> str:
    """``"schema"."table"`` with both parts validated."""
    return f"{quote(schema, 'schema name')}.{quote(table, 'table name')}"
