"""The directory's accounts and groups, streamed page by page (Simple Paged Results, RFC 2696).

One page is in memory at a time, whatever the directory's size: :func:`accounts` and
:func:`groups` yield rows as the pages arrive, and the caller copies them into PostgreSQL.
Large multi-valued attributes (a group's ``member``) come from Active Directory in slices
(``member;range=0-1499``, MaxValRange); ldap3 asks for the following slices itself
(``auto_range``) and :func:`_values` still joins any slice left over, so a group larger than one
range keeps every member.

A search that the server ends with an error (the base DN does not exist, the filter is refused,
the bind may not read) raises a ConfigurationError naming the result, before a single row is
written; referrals (other domains) are counted, not followed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from airflow_provider_nomasx1.directory import values
from airflow_provider_nomasx1.directory.config import ACCOUNT_FIELDS, DirectoryConfig, excluded
from airflow_provider_nomasx1.errors import ConfigurationError

#: the paged-results control (RFC 2696)
_PAGED = "1.2.840.113556.1.4.319"
_RANGE = re.compile(r"^(?P<name>[^;]+);range=(?P<low>\d+)-(?P<high>\d+|\*)$", re.IGNORECASE)
#: result codes: success, and noSuchObject (the base DN is not in the directory)
_SUCCESS, _NO_SUCH_OBJECT = 0, 32

#: columns of an account row, in the order :func:`accounts` yields them
ACCOUNT_COLUMNS: tuple[str, ...] = (
    "dn", "account", "name", "display_name", "logon", "mail", "manager_dn", "company", "department",
    "office", "city", "title", "telephone", "mobile", "description", "employee_id", "created_at",
    "expires_at", "never_expires", "password_set_at", "password_never_expires", "last_logon_at",
    "account_control", "disabled", "locked", "parent_dn",
)  # fmt: skip
_TEXT_FIELDS = ("account", "name", "display_name", "logon", "mail", "manager", "company", "department", "office",
                "city", "title", "telephone", "mobile", "description", "employee_id")  # fmt: skip
GROUP_COLUMNS: tuple[str, ...] = ("dn", "name", "account", "description", "members")


@dataclass
class SearchStats:
    """What a search met besides the rows: pages, referrals, excluded and unusable entries."""

    pages: int = 0
    entries: int = 0
    referrals: int = 0
    excluded: int = 0
    without_account: int = 0
    ranged_attributes: int = 0
    bad_values: values.BadValues = field(default_factory=values.BadValues)

    def as_details(self) -> dict[str, Any]:
        return {
            "pages": self.pages,
            "entries": self.entries,
            "referrals": self.referrals,
            "excluded": self.excluded,
            "without_account": self.without_account,
            "ranged_attributes": self.ranged_attributes,
            "undecodable_values": dict(self.bad_values.counts),
        }


def accounts(conn: Any, config: DirectoryConfig, stats: SearchStats) -> Iterator[tuple[Any, ...]]:
    """One row (:data:`ACCOUNT_COLUMNS`) per account of the search, excluded OUs left out."""
    keys = {f: a.lower() for f, a in config.attributes.items() if a}
    for dn, found in _entries(conn, config, config.search_filter, config.requested, stats):
        if excluded(dn, config.excluded_ous):
            stats.excluded += 1
            continue
        plain = _plain(found)
        text = {f: _first(plain, keys.get(f)) for f in _TEXT_FIELDS}
        if not text["account"]:
            stats.without_account += 1
            continue
        yield _account_row(dn, text, plain, keys, config, stats.bad_values)


def groups(conn: Any, config: DirectoryConfig, stats: SearchStats) -> Iterator[tuple[Any, ...]]:
    """One row (:data:`GROUP_COLUMNS`) per group: its DN, name, account, description and the DNs
    of its members (every slice of a ranged attribute joined)."""
    spec = config.group_attributes
    wanted = sorted({spec["name"], spec["account"], spec["description"], *spec["members"]})
    for dn, found in _entries(conn, config, config.group_filter, wanted, stats):
        if excluded(dn, config.excluded_ous):
            stats.excluded += 1
            continue
        members: list[str] = []
        for attribute in spec["members"]:
            members.extend(_values(conn, dn, found, attribute, stats))
        yield (dn, _first(found, spec["name"]), _first(found, spec["account"]), _first(found, spec["description"]),
               members)  # fmt: skip


def _account_row(
    dn: str,
    text: dict[str, str | None],
    found: dict[str, Any],
    keys: dict[str, str],
    config: DirectoryConfig,
    bad: values.BadValues,
) -> tuple[Any, ...]:
    """The account's columns: text fields as given, times and flags decoded per the kind
    (``found``: :func:`_plain` attributes, ``keys``: field -> lower-case attribute)."""
    names = config.attributes
    decoded: dict[str, Any] = {}
    raw_expires = None
    for name in ("created", "expires", "password_set", "last_logon"):
        raw, attribute = _first(found, keys.get(name)), names.get(name) or name
        if name == "expires":
            raw_expires = raw
        if config.decoding(name) == "filetime":
            decoded[name] = values.filetime(raw, attribute, bad)
        else:
            decoded[name] = (values.generalized_time(raw, attribute, bad), False)
    control = values.account_control(_first(found, keys.get("account_control")), "userAccountControl", bad)
    expires, never = decoded["expires"]
    has_expiry = raw_expires is not None
    return (
        dn, text["account"], text["name"], text["display_name"], text["logon"], text["mail"], text["manager"],
        text["company"], text["department"], text["office"], text["city"], text["title"], text["telephone"],
        text["mobile"], text["description"], text["employee_id"], decoded["created"][0], expires,
        never if has_expiry else None, decoded["password_set"][0],
        values.has_flag(control, values.DONT_EXPIRE_PASSWORD), decoded["last_logon"][0], control,
        values.has_flag(control, values.ACCOUNTDISABLE), values.has_flag(control, values.LOCKOUT), _parent(dn),
    )  # fmt: skip


def _entries(
    conn: Any, config: DirectoryConfig, search_filter: str, attributes: list[str], stats: SearchStats
) -> Iterator[tuple[str, Any]]:
    """(DN, attributes) of every entry of a paged subtree search under the base DN."""
    from ldap3 import SUBTREE

    cookie: Any = None
    while True:
        conn.search(
            config.base_dn, search_filter, SUBTREE, attributes=attributes, paged_size=config.page_size,
            paged_cookie=cookie,
        )  # fmt: skip
        _check_result(conn.result, config, search_filter)
        stats.pages += 1
        for item in conn.response or ():
            if item.get("type") != "searchResEntry":
                stats.referrals += 1
                continue
            stats.entries += 1
            yield item["dn"], item["attributes"]
        cookie = conn.result.get("controls", {}).get(_PAGED, {}).get("value", {}).get("cookie")
        if not cookie:
            return


def _check_result(result: dict[str, Any], config: DirectoryConfig, search_filter: str) -> None:
    code = result.get("result", _SUCCESS)
    if code == _SUCCESS:
        return
    where = f"directory connection {config.conn_id!r}"
    if code == _NO_SUCH_OBJECT:
        raise ConfigurationError(
            f"{where}: base DN {config.base_dn!r} does not exist in the directory (noSuchObject; the closest "
            f"entry that does: {result.get('matched') or result.get('dn') or 'none'!r}). Fix the connection's "
            "base_dn; nothing was changed."
        )
    raise ConfigurationError(
        f"{where}: the search {search_filter} under {config.base_dn!r} failed: {result.get('description')} "
        f"(result {code}: {result.get('message') or 'no message'}). Check the filter, the base DN and what the "
        "bind DN may read; nothing was changed."
    )


def _first(found: Any, attribute: str | None) -> str | None:
    """The first value of an attribute as text, or None (absent, or the map has no attribute)."""
    if not attribute:
        return None
    value = found.get(attribute)
    if value is None or value == []:
        return None
    if isinstance(value, list):
        value = value[0]
    if type(value) is str:  # what a server read without its schema gives: the common case first
        return value.strip() or None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, dt.datetime):  # a schema-aware server object formats times itself
        return value.strftime("%Y%m%d%H%M%SZ")
    text = str(value).strip()
    return text or None


def _plain(found: Any) -> dict[str, Any]:
    """An entry's attributes in a plain dict under lower-case names: a look-up in ldap3's
    CaseInsensitiveDict is a chain of Python calls, and one account takes about twenty."""
    return {key.lower(): value for key, value in found.items()}


def _values(conn: Any, dn: str, found: Any, attribute: str, stats: SearchStats) -> list[str]:
    """Every value of a multi-valued attribute, the slices of a ranged one joined: ldap3 fetches
    the slices itself (auto_range); one it left (``member;range=1500-*``) is fetched here."""
    collected = [str(v) for v in found.get(attribute) or ()]
    for key in list(found.keys()):
        ranged = _RANGE.match(key)
        if not ranged or ranged["name"].lower() != attribute.lower():
            continue
        stats.ranged_attributes += 1
        collected.extend(str(v) for v in found[key])
        high = ranged["high"]
        while high != "*":
            high = _next_slice(conn, dn, attribute, int(high) + 1, collected)
    return collected


def _next_slice(conn: Any, dn: str, attribute: str, low: int, collected: list[str]) -> str:
    """Fetch ``attribute;range=low-*`` of one entry; returns the slice's upper bound (``*``: last)."""
    from ldap3 import BASE

    conn.search(dn, "(objectClass=*)", BASE, attributes=[f"{attribute};range={low}-*"])
    for item in conn.response or ():
        for key, slice_values in (item.get("attributes") or {}).items():
            ranged = _RANGE.match(key)
            if ranged and ranged["name"].lower() == attribute.lower():
                collected.extend(str(v) for v in slice_values)
                return ranged["high"]
    return "*"


def _parent(dn: str) -> str | None:
    """The DN of the entry's container (its OU), for the per-OU views and the excluded-OU check."""
    cut = re.search(r"(?<!\\),", dn)
    return dn[cut.end() :].strip() if cut else None


__all__ = ["ACCOUNT_COLUMNS", "ACCOUNT_FIELDS", "GROUP_COLUMNS", "SearchStats", "accounts", "groups"]
