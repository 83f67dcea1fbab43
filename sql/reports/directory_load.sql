-- Directory report scope: the last load of directory application :a (SECURITY_LDAP replaces the
-- accounts whole, so one run): accounts, when and by which run, disabled and expired (on :now)
-- accounts, departments (blank = :nodept) and groups. count = 0: never loaded.
SELECT count(*),
       max(a.refreshed_at),
       (SELECT l.run_id FROM {{schema}}.security_ldap AS l WHERE l.apps_id = :a
        ORDER BY l.refreshed_at DESC, l.run_id DESC LIMIT 1),
       count(*) FILTER (WHERE a.disabled),
       count(*) FILTER (WHERE a.expires_at <= :now),
       count(DISTINCT coalesce(nullif(btrim(a.department), ''), :nodept)),
       (SELECT count(*) FROM {{schema}}.security_ldap_groups AS g WHERE g.apps_id = :a)
FROM {{schema}}.security_ldap AS a
WHERE a.apps_id = :a
