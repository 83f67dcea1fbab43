"""What the dictionary's raw rows mean: the edition in a banner, the major version, a Data Guard
standby, Active Data Guard, the user PDBs. Oracle knowledge, no database access.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

#: editions as V$VERSION spells them, most specific first ("Standard Edition 2" before "Standard Edition")
EDITIONS = (
    "Enterprise Edition",
    "Standard Edition 2",
    "Standard Edition One",
    "Standard Edition",
    "Express Edition",
    "Personal Oracle",
    "Free",
)
UNKNOWN_EDITION = "Unknown"
_CLOUD_PACKAGE = re.compile(r"^Oracle .*Perf", re.IGNORECASE)
#: PDB$SEED is a template, never a user PDB (CON_ID 2)
SEED_PDB = "PDB$SEED"


def database_banner(banners: Iterable[str]) -> str:
    """The database's own line of V$VERSION (the others are PL/SQL, CORE, TNS, NLSRTL)."""
    lines = [b for b in banners if b]
    for line in lines:
        if line.startswith(("Oracle", "Personal Oracle")):
            return line
    return lines[0] if lines else ""


def edition_of(banner: str) -> str:
    """The edition named in a banner, or :data:`UNKNOWN_EDITION` (reported, never guessed)."""
    for edition in EDITIONS:
        if re.search(rf"\b{re.escape(edition)}\b", banner, re.IGNORECASE):
            return "Personal Edition" if edition == "Personal Oracle" else edition
    return UNKNOWN_EDITION


def is_cloud_package(banner: str) -> bool:
    """An Oracle Cloud package ("... EE High Perf", "... Extreme Perf"): Real Application
    Testing is included there (condition C004)."""
    return bool(_CLOUD_PACKAGE.search(banner))


def major_version(version: str) -> int:
    """11, 12, 18, 19, 21, 23 from "19.0.0.0.0"; ValueError on a text that is not a version."""
    match = re.match(r"^\s*(\d+)\.", version or "")
    if not match:
        raise ValueError(f"not an Oracle version: {version!r}")
    return int(match.group(1))


def data_guard(database_role: str | None, destinations: Iterable[tuple[Any, ...]]) -> bool:
    """A standby database, or a primary shipping redo to a valid standby destination
    (V$ARCHIVE_DEST rows: dest_id, status, target, db_unique_name)."""
    if (database_role or "").upper() not in ("", "PRIMARY"):
        return True
    return any(str(status or "").upper() == "VALID" and str(target or "").upper() == "STANDBY"
               for _dest, status, target, _name in destinations)  # fmt: skip


def active_data_guard(database_role: str | None, open_mode: str | None, statuses: Iterable[tuple[Any, ...]]) -> bool:
    """Active Data Guard: this database is a physical standby open read-only (with apply), or a
    destination reports one (V$ARCHIVE_DEST_STATUS rows: dest_id, status, type, database_mode,
    recovery_mode: VALID, OPEN_READ-ONLY and a MANAGED recovery)."""
    if (database_role or "").upper() == "PHYSICAL STANDBY" and (open_mode or "").upper().startswith("READ ONLY"):
        return True
    for _dest, status, _type, mode, recovery in statuses:
        if (str(status or "").upper() == "VALID" and str(mode or "").upper() == "OPEN_READ-ONLY"
                and str(recovery or "").upper().startswith("MANAGED")):  # fmt: skip
            return True
    return False


def user_pdbs(pdbs: Iterable[tuple[Any, ...]]) -> int:
    """Pluggable databases besides the seed (CDB_PDBS rows: pdb_id, pdb_name, status)."""
    return sum(1 for _id, name, _status in pdbs if str(name or "").upper() != SEED_PDB)
