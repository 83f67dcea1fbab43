"""Files shipped beside the code: the SQL folder and the DAG bundle.

In a wheel, `sql/` and `dags/` are force-included inside the package; in a source checkout
(editable install, tests) they sit at the repository root. Both layouts resolve here.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _shipped_dir(name: str) -> Path:
    inside = _PACKAGE_DIR / name
    return inside if inside.is_dir() else _PACKAGE_DIR.parent / name


def sql_path(*parts: str) -> Path:
    """Path of a file (or folder) under the shipped `sql/` folder."""
    return _shipped_dir("sql").joinpath(*parts)


def read_sql(*parts: str) -> str:
    """Text of a SQL file under `sql/`."""
    return sql_path(*parts).read_text(encoding="utf-8")


def bundle_dir() -> Path:
    """The DAG bundle folder (`dags/`: the loader file and `jobs/*.yaml`)."""
    return _shipped_dir("dags")
