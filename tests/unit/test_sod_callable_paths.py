"""The SoD step callables' pre-move paths (collectors.security.sod) still build, for one release,
with a warning naming the new path (no database)."""

from __future__ import annotations

import pytest

from airflow_provider_nomasx1.collectors.sod import conflicts as sod

# --- moved callable paths -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["sod_conflict_details", "sod_conflict_summary"])
def test_old_sod_callable_paths_work_for_one_release_with_a_warning(name: str) -> None:
    """Specs naming the pre-move path (collectors.security.sod) still build, warning with the new path."""
    import pkgutil
    import warnings

    from airflow_provider_nomasx1.dagspec.loader import read_spec
    from airflow_provider_nomasx1.dagspec.model import StepSpec
    from airflow_provider_nomasx1.resources import bundle_dir

    new = f"airflow_provider_nomasx1.collectors.sod.conflicts:{name}"
    with pytest.warns(DeprecationWarning, match=f"moved to '{new}'"):
        step = StepSpec(id="SOD", callable=f"airflow_provider_nomasx1.collectors.security.sod:{name}")
    assert step.callable == new and pkgutil.resolve_name(step.callable) is getattr(sod, name)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        spec = read_spec(bundle_dir() / "jobs" / "nomasx1-sod-1.yaml")
    assert new in [s.callable for s in spec.steps]
    assert not [w for w in caught if "step callable" in str(w.message)]  # the bundled spec names the new paths
