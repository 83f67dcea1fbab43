"""Airflow DAG bundle of airflow-provider-nomasx1: one DAG per valid spec in jobs/*.yaml.

Add a job by adding a YAML file (see docs/jobs.md). A spec that does not validate is left out here
and reported by nomasx1_spec_check.py, so that the other DAGs stay scheduled.
"""

from airflow_provider_nomasx1.dagspec.bundle import load_bundle

globals().update(load_bundle(__file__))
