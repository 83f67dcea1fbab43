"""What a directory search needs, read from the directory connection's extras and validated once.

The connection (type ``nomasx1_ldap``, docs/ldap.md "The connection") holds where and how to
search: base DN, filters, page size, excluded OUs, the directory kind and overrides of the
attribute map. The kind picks the defaults: Active Directory's attribute names and value
encodings (FILETIME, ``userAccountControl``), or OpenLDAP's (``uid``, generalized time, no
account-control bits: "disabled" is then unknown, never guessed as false).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from airflow_provider_nomasx1.errors import ConfigurationError

Kind = Literal["active_directory", "openldap"]
KINDS: tuple[str, ...] = ("active_directory", "openldap")
TLS_MODES: tuple[str, ...] = ("ldaps", "starttls", "none")
DEFAULT_PAGE_SIZE = 500
#: Active Directory's MaxPageSize is 1000 by default; a larger page is cut by the server anyway
PAGE_SIZE_RANGE = (1, 10_000)

#: how each field of security_ldap is decoded from its attribute's text
Decoding = Literal["text", "filetime", "generalized", "account_control"]

#: the fields of an account, in security_ldap's order, with their decoding per kind
ACCOUNT_FIELDS: tuple[str, ...] = (
    "account", "name", "display_name", "logon", "mail", "manager", "company", "department", "office",
    "city", "title", "telephone", "mobile", "description", "employee_id", "created", "expires",
    "password_set", "last_logon", "account_control",
)  # fmt: skip

_AD_MAP = {
    "account": "sAMAccountName", "name": "cn", "display_name": "displayName", "logon": "userPrincipalName",
    "mail": "mail", "manager": "manager", "company": "company", "department": "department",
    "office": "physicalDeliveryOfficeName", "city": "l", "title": "title", "telephone": "telephoneNumber",
    "mobile": "mobile", "description": "description", "employee_id": "employeeID", "created": "whenCreated",
    "expires": "accountExpires", "password_set": "pwdLastSet", "last_logon": "lastLogonTimestamp",
    "account_control": "userAccountControl",
}  # fmt: skip
_OPENLDAP_MAP = {
    "account": "uid", "name": "cn", "display_name": "displayName", "logon": "uid", "mail": "mail",
    "manager": "manager", "company": "o", "department": "departmentNumber",
    "office": "physicalDeliveryOfficeName", "city": "l", "title": "title", "telephone": "telephoneNumber",
    "mobile": "mobile", "description": "description", "employee_id": "employeeNumber",
    "created": "createTimestamp", "expires": None, "password_set": "pwdChangedTime", "last_logon": None,
    "account_control": None,
}  # fmt: skip
DEFAULT_ATTRIBUTES: Mapping[str, Mapping[str, str | None]] = MappingProxyType(
    {"active_directory": MappingProxyType(_AD_MAP), "openldap": MappingProxyType(_OPENLDAP_MAP)}
)

_TIMES: dict[str, Decoding] = {"created": "generalized", "expires": "filetime", "password_set": "filetime",
                               "last_logon": "filetime", "account_control": "account_control"}  # fmt: skip
DECODINGS: Mapping[str, Mapping[str, Decoding]] = MappingProxyType(
    {
        "active_directory": MappingProxyType(_TIMES),
        "openldap": MappingProxyType(
            {"created": "generalized", "password_set": "generalized", "last_logon": "generalized"}
        ),
    }
)

DEFAULT_FILTERS: Mapping[str, str] = MappingProxyType(
    {
        # computer objects are users too in Active Directory
        "active_directory": "(&(objectClass=user)(!(objectClass=computer)))",
        "openldap": "(objectClass=inetOrgPerson)",
    }
)
DEFAULT_GROUP_FILTERS: Mapping[str, str] = MappingProxyType(
    {
        "active_directory": "(objectClass=group)",
        "openldap": "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))",
    }
)
#: attributes of a group: its name, account, description and the attributes listing its members
GROUP_ATTRIBUTES: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {
        "active_directory": MappingProxyType(
            {"name": "cn", "account": "sAMAccountName", "description": "description", "members": ("member",)}
        ),
        "openldap": MappingProxyType(
            {"name": "cn", "account": "cn", "description": "description", "members": ("member", "uniqueMember")}
        ),
    }
)

#: spaces around an unescaped separator of a DN (``DC=corp, DC=example``), which ldap3's parser refuses
_DN_SPACES = re.compile(r"(?<!\\)\s*([,=+])\s*")
_ATTRIBUTE = re.compile(r"^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)$")


@dataclass(frozen=True)
class DirectoryConfig:
    """The search settings of one directory connection (no host, no credentials: the hook keeps those)."""

    conn_id: str
    base_dn: str
    kind: Kind = "active_directory"
    search_filter: str = ""
    group_filter: str = ""
    page_size: int = DEFAULT_PAGE_SIZE
    #: DNs of the OUs whose entries are left out (normalised: lower case, no spaces around , and =)
    excluded_ous: tuple[str, ...] = ()
    #: field -> attribute (None: the directory has no such attribute, the field stays empty)
    attributes: Mapping[str, str | None] = field(default_factory=dict)
    read_groups: bool = True

    @property
    def requested(self) -> list[str]:
        """The attributes an account search asks for (each once)."""
        return sorted({a for a in self.attributes.values() if a}, key=str.lower)

    def decoding(self, name: str) -> Decoding:
        return DECODINGS[self.kind].get(name, "text")

    @property
    def group_attributes(self) -> Mapping[str, Any]:
        return GROUP_ATTRIBUTES[self.kind]


def directory_config(conn_id: str, extras: Mapping[str, Any]) -> DirectoryConfig:
    """The connection's search settings, each checked with a message naming the connection and
    the extra to fix."""
    where = f"connection {conn_id!r}"
    kind = str(extras.get("directory_kind") or "active_directory").strip().lower()
    if kind not in KINDS:
        raise ConfigurationError(f"{where}: directory_kind must be one of {list(KINDS)}, got {kind!r}")
    base_dn = str(extras.get("base_dn") or "").strip()
    if not base_dn:
        raise ConfigurationError(
            f"{where}: base_dn is empty: give the DN the accounts are searched under, e.g. DC=corp,DC=example,DC=com"
        )
    check_dn(base_dn, f"{where}: base_dn")
    return DirectoryConfig(
        conn_id=conn_id,
        base_dn=base_dn,
        kind=kind,  # type: ignore[arg-type]
        search_filter=_filter(extras.get("search_filter") or DEFAULT_FILTERS[kind], f"{where}: search_filter"),
        group_filter=_filter(extras.get("group_filter") or DEFAULT_GROUP_FILTERS[kind], f"{where}: group_filter"),
        page_size=_page_size(extras.get("page_size"), where),
        excluded_ous=tuple(_excluded(extras.get("excluded_ous"), base_dn, where)),
        attributes=MappingProxyType(_attributes(kind, extras.get("attribute_map"), where)),
        read_groups=_flag(extras.get("read_groups", True), f"{where}: read_groups"),
    )


def dn_key(dn: str) -> str:
    """A DN compared case-insensitively, without the spaces DNs tolerate around ``,`` and ``=``:
    cheap enough for every entry and member value (a directory writes its DNs one way)."""
    return _DN_SPACES.sub(r"\1", dn.strip()).lower()


def normalise_dn(dn: str) -> str:
    """:func:`dn_key` of a DN given by a user, after checking that it parses."""
    check_dn(dn, "DN")
    return dn_key(dn)


def check_dn(dn: str, what: str) -> None:
    from ldap3.core.exceptions import LDAPInvalidDnError
    from ldap3.utils.dn import parse_dn

    try:
        parse_dn(_DN_SPACES.sub(r"\1", dn.strip()))
    except LDAPInvalidDnError as exc:
        raise ConfigurationError(f"{what} {dn!r} is not a valid DN ({exc})") from None


def excluded(dn: str, excluded_ous: tuple[str, ...]) -> bool:
    """True when the entry ``dn`` lies in (or is) one of the excluded OUs (normalised DNs)."""
    if not excluded_ous:
        return False
    text = dn_key(dn)
    return any(text == ou or text.endswith("," + ou) for ou in excluded_ous)


def _filter(text: Any, what: str) -> str:
    from ldap3.core.exceptions import LDAPInvalidFilterError
    from ldap3.operation.search import parse_filter

    value = str(text).strip()
    if not value.startswith("("):
        value = f"({value})"
    try:
        parse_filter(value, None, auto_escape=False, auto_encode=False, validator=None, check_names=False)
    except LDAPInvalidFilterError as exc:
        raise ConfigurationError(f"{what} {value!r} is not a valid LDAP filter ({exc})") from None
    return value


def _page_size(raw: Any, where: str) -> int:
    low, high = PAGE_SIZE_RANGE
    if raw in (None, ""):
        return DEFAULT_PAGE_SIZE
    try:
        size = int(raw) if not isinstance(raw, bool) and float(raw) == int(raw) else None
    except (TypeError, ValueError):
        size = None
    if size is None or not low <= size <= high:
        raise ConfigurationError(
            f"{where}: page_size must be a whole number from {low} to {high} (entries per page of the paged "
            f"search; Active Directory returns at most 1000), got {raw!r}"
        )
    return size


def _excluded(raw: Any, base_dn: str, where: str) -> list[str]:
    """Excluded OUs: a JSON list or a text of ``;``-separated DNs; one below the base may be given
    relative to it (``OU=Disabled Users``)."""
    import json

    if raw in (None, "", []):
        return []
    items = raw
    if isinstance(raw, str):
        text = raw.strip()
        items = json.loads(text) if text.startswith("[") else [p for p in text.split(";") if p.strip()]
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ConfigurationError(f"{where}: excluded_ous must be a list of DNs, got {raw!r}")
    base = normalise_dn(base_dn)
    out = []
    for item in items:
        check_dn(item, f"{where}: excluded_ous entry")
        dn = dn_key(item)
        out.append(dn if dn == base or dn.endswith("," + base) else f"{dn},{base}")
    return out


def _attributes(kind: str, raw: Any, where: str) -> dict[str, str | None]:
    """The kind's attribute map with the connection's overrides (``{"employee_id": "description"}``;
    null: the directory has no such attribute)."""
    import json

    attributes = dict(DEFAULT_ATTRIBUTES[kind])
    if raw in (None, "", {}):
        return attributes
    try:
        overrides = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"{where}: attribute_map is not valid JSON ({exc})") from None
    if not isinstance(overrides, dict):
        raise ConfigurationError(f"{where}: attribute_map must map fields to attribute names, got {raw!r}")
    unknown = sorted(set(overrides) - set(ACCOUNT_FIELDS))
    if unknown:
        raise ConfigurationError(
            f"{where}: attribute_map has unknown field(s) {unknown}; fields: {list(ACCOUNT_FIELDS)}"
        )
    for name, attribute in overrides.items():
        if attribute is not None and not (isinstance(attribute, str) and _ATTRIBUTE.match(attribute)):
            raise ConfigurationError(f"{where}: attribute_map[{name!r}] = {attribute!r} is not an attribute name")
        attributes[name] = attribute
    if not attributes["account"]:
        raise ConfigurationError(f"{where}: attribute_map must keep an attribute for 'account' (the account name)")
    return attributes


def _flag(raw: Any, what: str) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise ConfigurationError(f"{what} must be true or false, got {raw!r}")
