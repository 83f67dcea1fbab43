"""JDE knowledge: schema map, db types, Julian dates, coercion, the source catalogue and its reader,
coded values, the reference resolver.

The bottom layer of everything that reads JDE: it imports only the standard library, sqlalchemy,
``airflow_provider_nomasx1.errors`` and the identifier helper (``tests/unit/test_jde_layer.py`` checks).
"""
