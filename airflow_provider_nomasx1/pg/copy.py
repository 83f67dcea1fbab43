"""COPY ... FROM STDIN of rows a collector produces in Python (a directory search, a file), written
once: the rows are streamed as they come, never gathered in a list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from airflow_provider_nomasx1.pg.identifiers import checked, quote

#: rows between two calls of the progress callback
PROGRESS_EVERY = 5000


def copy_rows(
    cursor: Any,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Copy ``rows`` into ``table`` (a temp or a qualified, already quoted name) on a psycopg
    cursor; returns the rows written. ``progress`` gets the rows written since its last call."""
    names = ", ".join(quote(c, "column name") for c in columns)
    target = table if "." in table or '"' in table else checked(table, "table name")
    written = pending = 0
    with cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            written += 1
            pending += 1
            if progress and pending >= PROGRESS_EVERY:
                progress(pending)
                pending = 0
    if progress and pending:
        progress(pending)
    return written
