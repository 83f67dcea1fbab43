"""LDIF (RFC 2849), written once for the demo's directory: the slapd launcher feeds ``slapadd``
with it and the directory generator writes files with it.

Values that are not SAFE-STRINGs (non-ASCII, a leading space, ``:`` or ``<``, a trailing space,
CR / LF) are base64-encoded after ``::``; lines are folded at 76 characters. One record at a time:
a 50k-entry directory is never held as text.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TextIO, TypeAlias

#: one attribute's value(s): text, bytes, a number (written as text), or a sequence of them
Values: TypeAlias = str | bytes | int | Sequence[str | bytes | int]

_SAFE = re.compile(r"[\x01-\x09\x0b\x0c\x0e-\x1f\x21-\x39\x3b\x3d-\x7f][\x01-\x09\x0b\x0c\x0e-\x7f]*")
_WIDTH = 76


def values_of(values: Values | None) -> list[str | bytes]:
    """The values of an attribute as a list of text or bytes (None: none)."""
    if values is None:
        return []
    if isinstance(values, str | bytes | int):
        values = [values]
    return [str(v) if isinstance(v, int) else v for v in values]


def line(name: str, value: str | bytes) -> str:
    """``name: value`` (or ``name:: base64``), folded, with its newline."""
    if not value:
        return f"{name}:\n"
    if isinstance(value, str) and _SAFE.fullmatch(value) and not value.endswith(" "):
        text = f"{name}: {value}"
    else:
        raw = value.encode("utf-8") if isinstance(value, str) else value
        text = f"{name}:: {base64.b64encode(raw).decode('ascii')}"
    return _folded(text)


def _folded(text: str) -> str:
    """``text`` folded at 76 characters (continuation lines start with one space)."""
    if len(text) <= _WIDTH:
        return text + "\n"
    parts = [text[:_WIDTH]]
    parts.extend(" " + text[i : i + _WIDTH - 1] for i in range(_WIDTH, len(text), _WIDTH - 1))
    return "\n".join(parts) + "\n"


def _lines(dn: str, attributes: Mapping[str, Values]) -> str:
    lines = [line("dn", dn)]
    for name, values in attributes.items():
        lines.extend(line(name, value) for value in values_of(values))
    return "".join(lines)


def record(dn: str, attributes: Mapping[str, Values]) -> str:
    """One entry as an LDIF record, ending with its blank line (what slapadd reads)."""
    return _lines(dn, attributes) + "\n"


def write_ldif(entries: Iterable[tuple[str, Mapping[str, Values]]], stream: TextIO) -> int:
    """Write ``entries`` to ``stream`` (``version: 1``, then one record per entry, each after a
    blank line), one entry at a time; the text is ASCII. Returns the number of records."""
    stream.write("version: 1\n")
    count = 0
    for dn, attributes in entries:
        stream.write("\n" + _lines(dn, attributes))
        count += 1
    return count
