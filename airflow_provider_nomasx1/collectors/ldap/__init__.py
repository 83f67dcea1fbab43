"""The directory family: SECURITY_LDAP loads a directory, LDAP_RECONCILE matches it with JDE."""
