"""Files shipped beside the code: the SQL folder (and how its files split into statements) and the
DAG bundle. Imports nothing of the package, so every layer (jde/ included) may use it.

In a wheel, `sql/` and `dags/` are force-included inside the package; in a source checkout
(editable install, tests) they sit at the repository root. Both layouts resolve here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
#: a ``{{token}}`` marker of a SQL file
_TOKEN = re.compile(r"\{\{(\w+)\}\}")
#: a statement of a SQL file ends with ``;`` at the end of its line (a trailing comment allowed)
_STATEMENT_END = re.compile(r";[ \t]*(?:--[^\n]*)?\n")


def _shipped_dir(name: str) -> Path:
    inside = _PACKAGE_DIR / name
    return inside if inside.is_dir() else _PACKAGE_DIR.parent / name


def sql_path(*parts: str) -> Path:
    """Path of a file (or folder) under the shipped `sql/` folder."""
    return _shipped_dir("sql").joinpath(*parts)


def read_sql(*parts: str) -> str:
    """Text of a SQL file under `sql/`."""
    return sql_path(*parts).read_text(encoding="utf-8")


def fill_tokens(text: str, values: Mapping[str, object]) -> str:
    """``text`` with each ``{{name}}`` replaced by ``str(values[name])``: the callers pass values
    already rendered as SQL (quoted identifiers, literals). A marker without a value is an error,
    never left in the SQL."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"SQL token {{{{{name}}}}} has no value")
        return str(values[name])

    return _TOKEN.sub(replace, text)


def split_statements(text: str) -> list[str]:
    """Statements of a SQL file: split after a line ending in ``;`` (files avoid ``$$`` bodies that
    hold one), comment-only parts dropped."""
    parts = _STATEMENT_END.split(text + "\n")
    return [part.strip() for part in parts if _has_code(part)]


def _has_code(part: str) -> bool:
    return any(line.strip() and not line.strip().startswith("--") for line in part.splitlines())


def bundle_dir() -> Path:
    """The DAG bundle folder (`dags/`: the loader file and `jobs/*.yaml`)."""
    return _shipped_dir("dags")
