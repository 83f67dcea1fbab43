"""The synthetic JDE generator's profiles and argument checks, refused before any connection.

What it writes is tested on a real PostgreSQL in tests/integration/test_jde_generator.py.
"""

from __future__ import annotations

import datetime as dt

import pytest

from airflow_provider_nomasx1.demo.jde_generator import (
    CURATED_OBJECTS,
    FIXTURE_ROLES,
    FIXTURE_USERS,
    PROFILES,
    Profile,
    generate,
)
from airflow_provider_nomasx1.errors import ConfigurationError

# ------------------------------------------------------------------------- profiles and API


def test_profiles_and_validation() -> None:
    assert list(PROFILES) == ["tiny", "demo", "large"]
    assert PROFILES["large"].users + len(FIXTURE_USERS) == 10_000
    assert PROFILES["large"].roles + len(FIXTURE_ROLES) == 1_500
    assert PROFILES["large"].objects + CURATED_OBJECTS == 60_005
    assert PROFILES["demo"].users + len(FIXTURE_USERS) == 500
    assert PROFILES["tiny"].users == 0 and PROFILES["tiny"].objects + CURATED_OBJECTS == 205
    with pytest.raises(ConfigurationError, match="Unknown synthetic JDE profile 'huge'"):
        generate("postgresql://x@127.0.0.1:1/none", "huge")
    with pytest.raises(ConfigurationError, match="Invalid seed"):
        generate("postgresql://x@127.0.0.1:1/none", "tiny", seed=-1)
    with pytest.raises(ConfigurationError, match="Invalid seed"):
        generate("postgresql://x@127.0.0.1:1/none", "tiny", seed=True)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="PostgreSQL only"):
        generate("oracle+oracledb://u:p@host/svc", "tiny")
    with pytest.raises(ConfigurationError, match="Invalid as_of"):
        generate("postgresql://x@127.0.0.1:1/none", "tiny", as_of=dt.date(1901, 1, 1))
    with pytest.raises(ConfigurationError, match="users must be an integer"):
        Profile(name="bad", description="", users=-1, roles=0, objects=0)
    with pytest.raises(ConfigurationError, match="activity_rows must be an integer"):
        Profile(name="bad", description="", users=0, roles=0, objects=0, activity_rows=1.5)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="usage_rows must be <= 50000000"):
        Profile(name="bad", description="", users=0, roles=0, objects=0, usage_rows=50_000_001)
    assert PROFILES["tiny"].activity_rows == PROFILES["tiny"].usage_rows == 0
    assert (PROFILES["demo"].activity_rows, PROFILES["demo"].usage_rows) == (100_000, 50_000)
    assert (PROFILES["large"].activity_rows, PROFILES["large"].usage_rows) == (4_000_000, 4_000_000)
