"""A JDE table as the collectors name it, and what a source holds of it.

:class:`SourceTable` is the unit of the source catalogue (:mod:`airflow_provider_nomasx1.jde.catalogue`):
logical column names that our SQL uses, mapped to the default physical JDE columns that a
connection's extras ``catalogue`` may override (:class:`~airflow_provider_nomasx1.jde.reader.JdeReader`
resolves them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class SourceTable:
    """A JDE table as the collectors name it: data source key + JDE table name + logical columns.

    ``columns`` maps a logical name (used in our SQL and in the temp table) to the default
    physical JDE column; the connection extras ``catalogue`` may override any of them.

    ``required`` tables make their step fail at once when missing (naming the physical table);
    an enrichment table (``required=False``) that is missing, or lacks a column it needs, reads
    as no rows with a warning and a note in collect_audit. ``never_empty`` tables hold rows in
    every real JDE system: an empty one means a wrong schema map or environment, and the step
    refuses it (and guards it against a collapse, see ``collectors/session.py``).
    """

    source: str  # key of the schema map: system, security, control, data, object_librarian, ...
    name: str  # JDE table name, e.g. F0092
    columns: Mapping[str, str]
    optional: frozenset[str] = frozenset()  # logical columns that may be absent (read as NULL)
    required: bool = True
    never_empty: bool = False
    #: the physical column names are our reading, not a published layout (F98911): the docs list
    #: them and a missing one is named with the override that fixes it
    unverified: bool = False


@dataclass(frozen=True)
class TableCheck:
    """What the source holds of a :class:`SourceTable`: logical -> physical column (None for an
    absent optional column), and the problem that makes it unreadable (missing table or column);
    ``found`` is false when the table itself is missing."""

    columns: Mapping[str, str | None]
    problem: str | None = None
    found: bool = True
