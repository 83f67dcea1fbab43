"""The security collection (job ``nomasx1-security-1``): one module per family of steps.

- :mod:`.base`: the application's security settings and :func:`~.base.security_session`, the
  generic step session of :mod:`airflow_provider_nomasx1.collectors.session` running the SQL files
  under ``sql/security``;
- :mod:`.objects`: JDE_OBJECTS, JDE_OBJECTS_VERSIONS, JDE_SEC_OBJECTS;
- :mod:`.menus`: JDE_SEC_MENUS, JDE_TASKS, JDE_MENUS, SECURITY_MENUS, SECURITY_RIGHTS_MENUS;
- :mod:`.principals`: SECURITY_USERS, SECURITY_USERS_DATA, SECURITY_ROLES, SECURITY_ASSIGNMENTS;
- :mod:`.rights`: SECURITY_RIGHTS_APPS / _ACTIONS (roles) and _APPS_USERS / _ACTIONS_USERS;
- :mod:`.audit`: SECURITY_RIGHTS_AUDIT.

Business rules live in the SQL files; the modules only order them and move rows. The SoD engine,
which reads these results, is :mod:`airflow_provider_nomasx1.collectors.sod`.
"""
