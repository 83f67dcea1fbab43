"""Apache Airflow provider and DAG bundle for JD Edwards EnterpriseOne compliance (nomasx1)."""

__version__ = "0.1.0"
