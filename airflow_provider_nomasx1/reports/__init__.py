"""Reports built from the nomasx1 tables (no Airflow): ``nomasx1 report ...``."""
