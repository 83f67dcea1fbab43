"""Directory knowledge (LDAP / Active Directory): the connection settings a search needs, the
attribute maps of each directory kind, Active Directory's value encodings, and the paged search.

Like ``jde/`` and ``pg/``, nothing here imports Airflow or the product's tables: the directory hook
(``hooks/ldap.py``) builds the ldap3 connection, the SECURITY_LDAP collector
(``collectors/ldap/``) writes what :mod:`.search` streams.
"""
