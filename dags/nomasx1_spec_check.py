"""Airflow DAG bundle check of airflow-provider-nomasx1: defines no DAG.

When a spec in jobs/*.yaml does not validate, importing this file fails, and Airflow shows the
failure as an import error of this file listing each problem as `file: key: reason`.
"""

from airflow_provider_nomasx1.dagspec.bundle import check_bundle

check_bundle(__file__)
