"""JDE effective access, written straight from the rules (JDE-SOURCE.md section 3) in plain Python.

This is the *reference* resolver: one user (or role), one object / form / version, one security
kind at a time, no optimisation. The collection computes the same answers set-based in SQL
(``sql/security/rights_*.sql``); the property-based tests compare the two right by right.

Rules, in order:

1. active roles: assignments with ``effective <= as_of`` and (no expiration or ``as_of <
   expiration``), flagged include-in-*ALL for the *ALL sign-in;
2. roles ordered by sequence (``ascending``: lowest first, or ``descending``), ties by role id,
   roles without a sequence (not in F00926) last;
3. levels: the user, each active role in that order, then ``*PUBLIC``;
4. inside a level the most specific matching record: object + form + version, object + version,
   object + form, object alone, then ``*ALL``;
5. the first level that has a matching record decides, with that record's flags;
6. no record at any level: allowed (``DEFAULT``);
7. the deciding record is kept (level, principal, object or *ALL, form, version).

Two records of one principal on the same object / form / version and kind are a data anomaly:
the more restrictive one counts (most flags secured, then secured before allowed flag by flag,
then the first). Two *ALL records of one level that both match (one naming a form or version):
the first in record order counts.
A blank flag on a record means "not secured" (allowed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

ALL_OBJECTS = "*ALL"
PUBLIC = "*PUBLIC"
APPLICATION = "application"
ACTION = "action"
#: flags decided by each security kind, in JDE order
KIND_FLAGS: dict[str, tuple[str, ...]] = {
    APPLICATION: ("can_run",),
    ACTION: ("can_add", "can_change", "can_delete", "can_ok", "can_copy", "can_scroll"),
}


@dataclass(frozen=True)
class Record:
    """One application or action security record (F00950 row, trimmed)."""

    principal: str
    kind: str  # APPLICATION or ACTION
    object_name: str  # object or *ALL
    form_name: str = ""
    version: str = ""
    flags: Mapping[str, bool | None] = field(default_factory=dict)

    def flag(self, name: str) -> bool:
        value = self.flags.get(name)
        return True if value is None else bool(value)

    def specificity(self, object_name: str, form_name: str, version: str) -> int | None:
        """1 (most specific) .. 5 (*ALL) when this record applies to the key, else None."""
        if self.form_name not in ("", form_name) or self.version not in ("", version):
            return None
        if self.object_name == ALL_OBJECTS:
            return 5
        if self.object_name != object_name:
            return None
        if self.form_name and self.version:
            return 1
        if self.version:
            return 2
        if self.form_name:
            return 3
        return 4

    def restrictiveness(self) -> tuple:
        """Sort key preferring the more restrictive of duplicate records."""
        values = [self.flag(name) for name in KIND_FLAGS[self.kind]]
        return (-sum(1 for v in values if not v), *values)


@dataclass(frozen=True)
class Assignment:
    user_id: str
    role_id: str
    effective: dt.date
    expiration: dt.date | None = None
    include_in_all: bool = True

    def active(self, as_of: dt.date, signin_all: bool = True) -> bool:
        if self.effective > as_of:
            return False
        if self.expiration is not None and as_of >= self.expiration:
            return False
        return self.include_in_all or not signin_all


@dataclass(frozen=True)
class Decision:
    """The answer for one key and kind, with the record that decided it."""

    level: str  # USER, ROLE, PUBLIC, DEFAULT
    principal: str | None
    object_name: str | None
    form_name: str | None
    version: str | None
    flags: Mapping[str, bool]


@dataclass
class SecuritySetup:
    """Everything the rules read: records, roles with their sequence, assignments, settings."""

    records: Sequence[Record]
    role_sequences: Mapping[str, int | None]
    assignments: Sequence[Assignment] = ()
    direction: str = "ascending"

    def __post_init__(self) -> None:
        # duplicates of one key: the most restrictive counts (then the first); each record keeps
        # its position, which breaks the tie between two *ALL records naming different forms
        kept: dict[tuple, tuple[tuple, int, Record]] = {}
        for position, record in enumerate(self.records):
            key = (record.principal, record.kind, record.object_name, record.form_name, record.version)
            candidate = (record.restrictiveness(), position, record)
            if key not in kept or candidate[:2] < kept[key][:2]:
                kept[key] = candidate
        by_principal: dict[str, list[tuple[int, Record]]] = {}
        for _, position, record in kept.values():
            by_principal.setdefault(record.principal, []).append((position, record))
        self._by_principal = by_principal

    # -- rule 1 and 2 ------------------------------------------------------------------------
    def active_roles(self, user_id: str, as_of: dt.date) -> list[str]:
        roles = {a.role_id for a in self.assignments if a.user_id == user_id and a.active(as_of)}
        return sorted(roles, key=self._role_order)

    def _role_order(self, role_id: str) -> tuple:
        sequence = self.role_sequences.get(role_id)
        if sequence is None:
            return (1, 0, role_id)
        return (0, sequence if self.direction == "ascending" else -sequence, role_id)

    # -- rule 3 ------------------------------------------------------------------------------
    def user_levels(self, user_id: str, as_of: dt.date) -> list[tuple[str, str]]:
        """(level, principal) in evaluation order for a user."""
        return [("USER", user_id), *(("ROLE", r) for r in self.active_roles(user_id, as_of)), ("PUBLIC", PUBLIC)]

    @staticmethod
    def role_levels(role_id: str) -> list[tuple[str, str]]:
        """What a role grants on its own: the role, then *PUBLIC (the subject *PUBLIC: itself)."""
        if role_id == PUBLIC:
            return [("PUBLIC", PUBLIC)]
        return [("ROLE", role_id), ("PUBLIC", PUBLIC)]

    # -- rules 4 to 7 ------------------------------------------------------------------------
    def best_record(self, principal: str, kind: str, key: tuple[str, str, str]) -> Record | None:
        candidates = []
        for position, record in self._by_principal.get(principal, ()):
            if record.kind != kind:
                continue
            spec = record.specificity(*key)
            if spec is not None:
                candidates.append((spec, position, record))
        if not candidates:
            return None
        return min(candidates, key=lambda c: (c[0], c[1]))[2]

    def decide(self, levels: Iterable[tuple[str, str]], kind: str, key: tuple[str, str, str]) -> Decision:
        for level, principal in levels:
            record = self.best_record(principal, kind, key)
            if record is not None:
                return Decision(
                    level=level,
                    principal=principal,
                    object_name=record.object_name,
                    form_name=record.form_name,
                    version=record.version,
                    flags={name: record.flag(name) for name in KIND_FLAGS[kind]},
                )
        return Decision("DEFAULT", None, None, None, None, {name: True for name in KIND_FLAGS[kind]})

    def user_right(self, user_id: str, key: tuple[str, str, str], kind: str, as_of: dt.date) -> Decision:
        return self.decide(self.user_levels(user_id, as_of), kind, key)

    def role_right(self, role_id: str, key: tuple[str, str, str], kind: str) -> Decision:
        return self.decide(self.role_levels(role_id), kind, key)

    # -- scope -------------------------------------------------------------------------------
    def keys_named_by(self, principals: Iterable[str]) -> set[tuple[str, str, str]]:
        """(object, form, version) of the non-*ALL records of ``principals``."""
        keys = set()
        for principal in principals:
            for _, record in self._by_principal.get(principal, ()):
                if record.object_name != ALL_OBJECTS:
                    keys.add((record.object_name, record.form_name, record.version))
        return keys
