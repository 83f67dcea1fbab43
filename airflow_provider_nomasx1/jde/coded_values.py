"""Coded JDE values: what each code the collectors interpret means, per application.

JDE stores flags, statuses and types as short codes whose spelling differs between sites and
releases (a flag ``1``/``0`` on one site, ``Y``/``N`` or blank on another; a status ``01`` or ``1``).
Reading one convention where a site uses another gives a wrong answer that looks right (every
assignment outside *ALL, every account disabled), so every code a collector interprets is a named
setting here, with defaults that accept the conventions seen in the field. An application
overrides any of them in ``settings_applications.coded_values`` (``nomasx1 apps update --apps-id
10 --coded-values JSON``); the override of one setting may give some of its meanings only, the
others keep their defaults.

Values are compared trimmed and upper-cased (``' y'`` is ``Y``; blank is ``''``). A value found in
the source that belongs to no meaning of a closed setting is *unknown*: the collectors count and
report it (step message, ``collect_audit.details``, a warning) and refuse a result that is
implausible as a whole. Open settings (search types, e-mail types) list only the codes the
collectors look for; other codes are legitimate and not counted.

The FSSETY code map (``settings_applications.security_type_codes``) keeps its own column and
validation (:mod:`airflow_provider_nomasx1.applications`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from airflow_provider_nomasx1.errors import ConfigurationError

#: what a coded value may look like once trimmed and upper-cased (JDE codes are short, plain)
_VALUE = re.compile(r"^[A-Z0-9*#@_.-]{0,10}$")


@dataclass(frozen=True)
class CodedSetting:
    """One coded value the collectors interpret: its meanings and their accepted codes."""

    name: str  # setting name in settings_applications.coded_values
    column: str  # the JDE column it reads, for messages (TABLE.COLUMN)
    token: str  # prefix of the SQL tokens {{<token>_<meaning>}}
    defaults: Mapping[str, tuple[str, ...]]  # meaning -> accepted codes
    description: str
    #: codes outside the meanings are legitimate (not counted as unknown)
    open_set: bool = False


SETTINGS: tuple[CodedSetting, ...] = (
    CodedSetting(
        "include_in_all_values",
        "F95921.RLCUSTOM",
        "include_in_all",
        {"set": ("1", "Y"), "not_set": ("0", "N", "")},
        "include-in-*ALL flag of a role relationship: the role is active at a *ALL sign-in",
    ),
    CodedSetting(
        "signon_status_values",
        "F98OWSEC.SCEUSER",
        "status",
        {"enabled": ("01", "1"), "disabled": ("02", "2")},
        "sign-on security status of an account",
    ),
    CodedSetting(
        "security_flag_values",
        "F00950 flags (FSRUN, FSA, FSCHNG, FSDLT, FSIOK, FSCOPY, FSSCRL, FSVWYN)",
        "flag",
        {"allowed": ("Y", "1"), "secured": ("N", "0"), "not_applicable": ("",)},
        "security workbench flags; not applicable (and unknown) counts as allowed in the resolution",
    ),
    CodedSetting(
        "event_type_values",
        "F9312.SHEVTYP",
        "event",
        {
            "sign_on": ("01", "1"),
            "sign_off": ("02", "2"),
            "password_change": ("03", "3"),
            "add_user": ("05", "5"),
            "delete_user": ("06", "6"),
            "role_added": ("13",),
            "role_removed": ("14",),
            "role_changed": ("15",),
        },
        "security history event types: sign_on gives the last login, add_user the creation date",
    ),
    CodedSetting(
        "search_type_values",
        "F0101.ABAT1",
        "search_type",
        {"employee": ("E",)},
        "address-book search types of employees (other search types are not employees)",
        open_set=True,
    ),
    CodedSetting(
        "email_type_values",
        "F01151.EAETP",
        "email_type",
        {"email": ("E",)},
        "electronic address types that are e-mail addresses (preferred over other address types)",
        open_set=True,
    ),
)

BY_NAME: dict[str, CodedSetting] = {s.name: s for s in SETTINGS}


def normalise(value: Any) -> str:
    """A code as compared: trimmed, upper-cased; NULL (Oracle's empty string) is blank."""
    return "" if value is None else str(value).strip().upper()


@dataclass(frozen=True)
class CodedValues:
    """The codes in force for one application: the defaults with its overrides applied."""

    values: Mapping[str, Mapping[str, tuple[str, ...]]]

    def accepted(self, name: str, meaning: str) -> tuple[str, ...]:
        return tuple(self.values[name][meaning])

    def known(self, name: str) -> set[str]:
        return {code for codes in self.values[name].values() for code in codes}

    def meaning_of(self, name: str, raw: Any) -> str | None:
        code = normalise(raw)
        return next((m for m, codes in self.values[name].items() if code in codes), None)

    def unknown(self, name: str, counts: Mapping[str, int]) -> dict[str, int]:
        """The codes of ``counts`` (normalised code -> rows) outside every meaning of a closed setting."""
        if BY_NAME[name].open_set:
            return {}
        known = self.known(name)
        return {code: n for code, n in sorted(counts.items()) if code not in known}

    def sql_lists(self) -> dict[str, str]:
        """Token -> SQL list of string literals, e.g. ``include_in_all_set`` -> ``('1', 'Y')``."""
        return {
            f"{setting.token}_{meaning}": literal_list(self.values[setting.name][meaning])
            for setting in SETTINGS
            for meaning in setting.defaults
        }

    def as_json(self, name: str) -> str:
        """The setting as the JSON ``--coded-values`` takes (for messages that say what to change)."""
        return json.dumps({name: {m: list(c) for m, c in self.values[name].items()}})


DEFAULTS = CodedValues({s.name: {m: tuple(c) for m, c in s.defaults.items()} for s in SETTINGS})


def literal_list(values: Iterable[str]) -> str:
    """``('1', 'Y')``: an SQL list of string literals valid on PostgreSQL, Oracle and SQL Server
    (codes are validated: no quote or backslash can reach the SQL); ``(NULL)`` when empty, a list
    that matches nothing."""
    items = [f"'{checked_code(v)}'" for v in values]
    return "(" + (", ".join(items) or "NULL") + ")"


def checked_code(value: Any) -> str:
    code = normalise(value)
    if not _VALUE.match(code):
        raise ConfigurationError(
            f"coded value {value!r} is not a JDE code: use at most 10 letters, digits or * # @ _ . - (blank allowed)"
        )
    return code


def validate_overrides(raw: Any) -> dict[str, dict[str, list[str]]]:
    """Check ``--coded-values`` (JSON text or a mapping ``{setting: {meaning: [codes]}}``) and return
    it normalised (codes trimmed, upper-cased). Unknown names, bad shapes and a code given two
    meanings are refused with the valid names."""
    data = _parse(raw)
    if not isinstance(data, Mapping):
        raise ConfigurationError(
            f"coded_values must be a JSON object {{setting: {{meaning: [codes]}}}}; settings: {sorted(BY_NAME)}"
        )
    result: dict[str, dict[str, list[str]]] = {}
    for name, meanings in data.items():
        setting = BY_NAME.get(name)
        if setting is None:
            raise ConfigurationError(f"unknown coded value setting {name!r}; valid: {sorted(BY_NAME)}")
        if not isinstance(meanings, Mapping) or not meanings:
            raise ConfigurationError(
                f"coded value {name} must be an object {{meaning: [codes]}} with meanings {list(setting.defaults)}"
            )
        result[name] = {meaning: _codes(name, setting, meaning, codes) for meaning, codes in meanings.items()}
    resolve(result)  # a code given two meanings once the defaults are merged
    return result


def resolve(overrides: Mapping[str, Mapping[str, Iterable[str]]] | None) -> CodedValues:
    """The codes in force: defaults, with the meanings ``overrides`` gives replaced."""
    values: dict[str, dict[str, tuple[str, ...]]] = {}
    for setting in SETTINGS:
        given = dict((overrides or {}).get(setting.name) or {})
        unknown = sorted(set(given) - set(setting.defaults))
        if unknown:
            raise ConfigurationError(
                f"coded value {setting.name}: unknown meaning(s) {unknown}; valid: {list(setting.defaults)}"
            )
        merged = {m: tuple(normalise(c) for c in given.get(m, codes)) for m, codes in setting.defaults.items()}
        seen: dict[str, str] = {}
        for meaning, codes in merged.items():
            for code in codes:
                if code in seen and seen[code] != meaning:
                    raise ConfigurationError(
                        f"coded value {setting.name}: code {code!r} is given two meanings ({seen[code]} and "
                        f"{meaning}); give each code one meaning (the defaults are {_defaults_text(setting)})"
                    )
                seen[code] = meaning
        values[setting.name] = merged
    return CodedValues(values)


def _parse(raw: Any) -> Any:
    if not isinstance(raw, str):
        return raw
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConfigurationError(
            f"--coded-values is not valid JSON ({exc.msg} at character {exc.pos}): give an object such as "
            '\'{"include_in_all_values": {"set": ["1", "Y"], "not_set": ["0", "N", ""]}}\''
        ) from exc


def _codes(name: str, setting: CodedSetting, meaning: str, codes: Any) -> list[str]:
    if meaning not in setting.defaults:
        raise ConfigurationError(f"coded value {name}: unknown meaning {meaning!r}; valid: {list(setting.defaults)}")
    if isinstance(codes, str) or not isinstance(codes, list):
        raise ConfigurationError(
            f"coded value {name}.{meaning} must be a list of codes, e.g. {list(setting.defaults[meaning])}"
        )
    result = []
    for code in codes:
        if isinstance(code, bool) or not isinstance(code, str | int):
            raise ConfigurationError(f"coded value {name}.{meaning}: {code!r} is not a code (give strings)")
        checked_code(code)
        result.append(normalise(code))
    return sorted(set(result), key=result.index)


def _defaults_text(setting: CodedSetting) -> str:
    return ", ".join(f"{m} {list(c)}" for m, c in setting.defaults.items())
