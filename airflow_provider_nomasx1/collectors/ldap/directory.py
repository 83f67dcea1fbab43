"""SECURITY_LDAP: the directory application's accounts, groups and memberships, replaced at once.

The paged search (:mod:`airflow_provider_nomasx1.directory.search`) streams into TEMP tables of
the step's one target transaction, then ``sql/ldap/security_ldap.sql`` replaces the
application's rows of ``security_ldap``, ``security_ldap_groups`` and ``security_ldap_members``:
readers see the previous load until the commit, and any failure (the server, the bind, a
vanished base DN, an implausible result) keeps it.

Implausible as a whole: a search that finds no account at all (a wrong base DN or filter looks
exactly like that) is refused, and so is one that shrank by more than the application's
collapse_max_shrink since the last load.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from airflow_provider_nomasx1.collectors.ldap.settings import DirectorySession, directory_session
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.directory import search
from airflow_provider_nomasx1.directory.config import DirectoryConfig
from airflow_provider_nomasx1.errors import SourceUnavailableError
from airflow_provider_nomasx1.pg.copy import copy_rows

_ACCOUNT_TYPES = {
    "created_at": "timestamptz", "expires_at": "timestamptz", "password_set_at": "timestamptz",
    "last_logon_at": "timestamptz", "never_expires": "boolean", "password_never_expires": "boolean",
    "disabled": "boolean", "locked": "boolean", "account_control": "bigint",
}  # fmt: skip


def security_ldap(ctx: StepContext) -> dict[str, int]:
    """security_ldap: replace the directory application's accounts, groups and memberships."""
    hook = ctx.hook_for("ldap")
    config: DirectoryConfig = hook.config  # validated before anything is opened
    stats = search.SearchStats()
    with directory_session(ctx) as s:
        before, since = s.table_rows("security_ldap")
        _create_temps(s)
        started = time.monotonic()
        with _old_objects_frozen(), hook.connect() as directory:
            accounts = _load_accounts(s, directory, config, stats)
            groups = _load_groups(s, directory, config, stats) if config.read_groups else 0
        _refuse_implausible(s, config, accounts, before, since)
        counts = s.run_sql("security_ldap")
        _report(s, config, stats, groups, time.monotonic() - started)
    return counts


@contextmanager
def _old_objects_frozen() -> Iterator[None]:
    """Keep the objects alive before the search out of the garbage collector's passes while it
    runs: ldap3 makes many short-lived containers per entry, which set off full passes all along a
    search, and each pass walks every object of the process (an Airflow worker's modules: 200,000
    and more), a quarter of the step at 50,000 entries (bench/ldap.py). Given back after, unless
    they were frozen already (by Airflow, or a caller)."""
    frozen_before = gc.get_freeze_count()
    gc.freeze()
    try:
        yield
    finally:
        if not frozen_before:
            gc.unfreeze()


def _create_temps(s: DirectorySession) -> None:
    accounts = ", ".join(f"{c} {_ACCOUNT_TYPES.get(c, 'text')}" for c in search.ACCOUNT_COLUMNS)
    with s.cursor as cur:
        cur.execute(f"CREATE TEMP TABLE tmp_ldap_accounts ({accounts}) ON COMMIT DROP")
        # a group's own row has no member_dn; each member is a row of its own
        cur.execute("CREATE TEMP TABLE tmp_ldap_group_rows (group_dn text, member_dn text, name text, account text, "
                    "description text, members int) ON COMMIT DROP")  # fmt: skip


def _load_accounts(s: DirectorySession, directory: Any, config: DirectoryConfig, stats: search.SearchStats) -> int:
    progress = s.ctx.progress(f"security_ldap: accounts of {config.base_dn}")
    with s.cursor as cur:
        rows = copy_rows(
            cur,
            "tmp_ldap_accounts",
            search.ACCOUNT_COLUMNS,
            search.accounts(directory, config, stats),
            progress.advance,
        )
    progress.finish()
    return rows


_GROUP_ROW_COLUMNS = ("group_dn", "member_dn", "name", "account", "description", "members")


def _load_groups(s: DirectorySession, directory: Any, config: DirectoryConfig, stats: search.SearchStats) -> int:
    """Groups and their members in ONE stream into tmp_ldap_group_rows: one group in memory at a time."""
    with s.cursor as cur:
        copy_rows(cur, "tmp_ldap_group_rows", _GROUP_ROW_COLUMNS, _group_rows(search.groups(directory, config, stats)))
    return int(s.scalar("SELECT count(*) FROM tmp_ldap_group_rows WHERE member_dn IS NULL"))


def _group_rows(groups: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """A group's own row (no member_dn), then one row per member value."""
    for dn, name, account, description, members in groups:
        yield (dn, None, name, account, description, len(members))
        for member in members:
            yield (dn, member, None, None, None, None)


def _refuse_implausible(
    s: DirectorySession, config: DirectoryConfig, accounts: int, before: int, since: str | None
) -> None:
    where = f"directory {config.conn_id!r} (base DN {config.base_dn!r}, filter {config.search_filter})"
    if not accounts:
        had = f"; the last load had {before:,} (run {since}), kept as they are" if before else ""
        raise SourceUnavailableError(
            f"{where} returned no account{had}. Check the connection's base_dn, search_filter and excluded_ous, and "
            "that the bind DN may read the accounts; nothing was changed."
        )
    s.guard_collapse(f"{where}: accounts", before, accounts, since)


def _report(
    s: DirectorySession, config: DirectoryConfig, stats: search.SearchStats, groups: int, seconds: float
) -> None:
    counts = s.conn.exec_driver_sql(
        "SELECT count(*) FILTER (WHERE disabled), count(*) FILTER (WHERE disabled IS NULL), "
        "count(*) FILTER (WHERE expires_at IS NOT NULL AND expires_at <= now()) FROM tmp_ldap_accounts"
    ).one()
    details = stats.as_details() | {
        "kind": config.kind,
        "base_dn": config.base_dn,
        "groups": groups,
        "disabled": int(counts[0]),
        "disabled_unknown": int(counts[1]),
        "expired": int(counts[2]),
        "seconds": round(seconds, 1),
    }
    s.ctx.result.details["directory"] = details
    s.ctx.log.info(
        "security_ldap %s: %s accounts (%s disabled, %s expired), %s groups in %s pages, %.1f s; left out: %s in "
        "excluded OUs, %s without account name, %s referrals",
        config.base_dn, f"{stats.entries - stats.excluded - stats.without_account:,}", details["disabled"],
        details["expired"], groups, stats.pages, seconds, stats.excluded, stats.without_account, stats.referrals,
    )  # fmt: skip
    bad = stats.bad_values
    if bad.counts:
        text = ", ".join(f"{a}: {n} (e.g. {bad.examples[a]!r})" for a, n in sorted(bad.counts.items()))
        s.note(f"values that do not decode, left empty: {text}")
    if details["disabled_unknown"] and config.kind == "active_directory":
        s.note(f"{details['disabled_unknown']} accounts without userAccountControl: disabled unknown")
