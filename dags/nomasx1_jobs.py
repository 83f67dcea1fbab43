"""Airflow DAG bundle of airflow-provider-nomasx1: one DAG per spec in jobs/*.yaml.

Add a job by adding a YAML file (see docs/jobs.md); a spec that does not validate shows up as an
import error of this file naming the YAML file, the key and the reason, and the others still load.
"""

from airflow_provider_nomasx1.dagspec.bundle import load_bundle

globals().update(load_bundle(__file__))
