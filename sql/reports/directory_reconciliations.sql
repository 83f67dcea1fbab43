-- Directory report: the JDE applications reconciled with directory application :a (every one, or
-- :j alone), in apps_id order: when and by which run LDAP_RECONCILE last wrote their rows, their
-- JDE users (enabled), the users matched to a directory account and the findings per severity.
WITH rec AS (
    SELECT apps_id, refreshed_at, run_id FROM {{schema}}.security_ldap_matches WHERE ldap_apps_id = :a
    UNION ALL
    SELECT apps_id, refreshed_at, run_id FROM {{schema}}.security_ldap_findings WHERE ldap_apps_id = :a
), latest AS (
    SELECT DISTINCT ON (apps_id) apps_id, refreshed_at, run_id
    FROM rec
    WHERE CAST(:j AS integer) IS NULL OR apps_id = CAST(:j AS integer)
    ORDER BY apps_id, refreshed_at DESC, run_id DESC
)
SELECT l.apps_id, s.apps_name, l.refreshed_at, l.run_id,
       (SELECT count(*) FROM {{schema}}.security_users AS u WHERE u.apps_id = l.apps_id),
       (SELECT count(*) FROM {{schema}}.security_users AS u WHERE u.apps_id = l.apps_id AND u.enabled),
       (SELECT count(DISTINCT m.user_id) FROM {{schema}}.security_ldap_matches AS m
        WHERE m.apps_id = l.apps_id AND m.ldap_apps_id = :a),
       (SELECT count(*) FROM {{schema}}.security_ldap_findings AS f
        WHERE f.apps_id = l.apps_id AND f.ldap_apps_id = :a AND f.severity = 'risk'),
       (SELECT count(*) FROM {{schema}}.security_ldap_findings AS f
        WHERE f.apps_id = l.apps_id AND f.ldap_apps_id = :a AND f.severity = 'warning'),
       (SELECT count(*) FROM {{schema}}.security_ldap_findings AS f
        WHERE f.apps_id = l.apps_id AND f.ldap_apps_id = :a AND f.severity = 'information')
FROM latest AS l
LEFT JOIN {{schema}}.settings_applications AS s ON s.apps_id = l.apps_id
ORDER BY l.apps_id
