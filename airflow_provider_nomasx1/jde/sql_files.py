"""The SQL files of ``sql/jde/``, found the way ``airflow_provider_nomasx1/resources.py`` finds ``sql/``.

jde/ imports nothing of the package but errors and the identifier helper (its layer sits under
everything that reads JDE), so it keeps this small loader instead of importing resources.py, which
also serves the DAG bundle. The layouts are the same: in a wheel ``sql/`` is force-included inside
the package, in a source checkout it sits at the repository root.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def jde_sql_dir() -> Path:
    """The ``sql/jde`` folder of the wheel or of the source checkout."""
    inside = _PACKAGE_DIR / "sql"
    return (inside if inside.is_dir() else _PACKAGE_DIR.parent / "sql") / "jde"


def read_jde_sql(name: str) -> str:
    """Text of ``sql/jde/<name>``."""
    return (jde_sql_dir() / name).read_text(encoding="utf-8")
