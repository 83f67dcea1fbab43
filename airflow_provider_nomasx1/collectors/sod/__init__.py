"""Segregation of duties: the conflicts engine and its mitigations.

- :mod:`.conflicts`: the steps of job ``nomasx1-sod-1`` (SOD_CONFLICT_DETAILS, SOD_CONFLICT_SUMMARY),
  set-based SQL in ``sql/sod/`` over the effective rights ``nomasx1-security-1`` computed;
- :mod:`.mitigations`: the exceptions that mitigate a conflict (table ``sod_exceptions``, command
  ``nomasx1 sod exception``) and the one rule of their validity window.

The SoD report is :mod:`airflow_provider_nomasx1.reports.sod`.
"""
