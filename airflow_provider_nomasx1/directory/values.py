"""Active Directory's value encodings, decoded once for every reader (docs/ldap.md, "Conversions").

- FILETIME (``accountExpires``, ``pwdLastSet``, ``lastLogonTimestamp``): 100-nanosecond intervals
  since 1601-01-01 UTC as decimal text. ``accountExpires`` uses 0 and 0x7FFFFFFFFFFFFFFF for
  "never"; ``pwdLastSet`` 0 means "must change at next logon" (no date); a value beyond what a
  date can hold is "never" too (AD writes such values for accounts that never expire).
- Generalized time (``whenCreated``, OpenLDAP's ``createTimestamp``): ``YYYYMMDDHHMMSS[.f]Z``.
- ``userAccountControl``: a bit set; the bits read are ACCOUNTDISABLE, LOCKOUT and
  DONT_EXPIRE_PASSWORD.

A value that does not decode is not guessed: it reads as None and the caller counts it
(:class:`BadValues`), so a malformed directory never silently becomes "never expires".
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

#: FILETIME values that mean "never" (accountExpires)
NEVER = (0, 0x7FFFFFFFFFFFFFFF)
_EPOCH_1601 = dt.datetime(1601, 1, 1, tzinfo=dt.UTC)
#: userAccountControl bits (Microsoft's ADS_USER_FLAG_ENUM)
ACCOUNTDISABLE = 0x0002
LOCKOUT = 0x0010
DONT_EXPIRE_PASSWORD = 0x10000

_GENERALIZED = re.compile(r"^(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?(\d{2})?(?:[.,](\d+))?(Z|[+-]\d{2}(?:\d{2})?)?$")


@dataclass
class BadValues:
    """Values that did not decode, per attribute (reported by the step, never guessed)."""

    counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)

    def add(self, attribute: str, raw: str) -> None:
        self.counts[attribute] += 1
        self.examples.setdefault(attribute, raw[:60])


def filetime(raw: str | None, attribute: str, bad: BadValues) -> tuple[dt.datetime | None, bool]:
    """(instant, never) of a FILETIME text: (None, True) for the "never" values, (None, False)
    for an empty or undecodable value (counted in ``bad``)."""
    if raw is None or not raw.strip():
        return None, False
    try:
        ticks = int(raw.strip())
    except ValueError:
        bad.add(attribute, raw)
        return None, False
    if ticks in NEVER:
        return None, True
    if ticks < 0:
        bad.add(attribute, raw)
        return None, False
    try:
        return _EPOCH_1601 + dt.timedelta(microseconds=ticks // 10), False
    except OverflowError:  # beyond year 9999: AD's way of saying "never" for some tools
        return None, True


def generalized_time(raw: str | None, attribute: str, bad: BadValues) -> dt.datetime | None:
    """The instant of a generalized time (RFC 4517), UTC when no offset is given."""
    if raw is None or not raw.strip():
        return None
    found = _GENERALIZED.match(raw.strip())
    if not found:
        bad.add(attribute, raw)
        return None
    year, month, day, hour, minute, second, fraction, zone = found.groups()
    try:
        moment = dt.datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")),
        )  # fmt: skip
    except ValueError:
        bad.add(attribute, raw)
        return None
    return moment.replace(tzinfo=_zone(zone))


def _zone(text: str | None) -> dt.tzinfo:
    if not text or text == "Z":
        return dt.UTC
    sign = -1 if text[0] == "-" else 1
    hours, minutes = int(text[1:3]), int(text[3:5] or 0)
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def account_control(raw: str | None, attribute: str, bad: BadValues) -> int | None:
    """The userAccountControl bit set, or None (absent or not a number)."""
    if raw is None or not raw.strip():
        return None
    try:
        return int(raw.strip())
    except ValueError:
        bad.add(attribute, raw)
        return None


def has_flag(control: int | None, flag: int) -> bool | None:
    """A bit of userAccountControl; None when the directory does not say (no attribute)."""
    return None if control is None else bool(control & flag)
