-- Levels of each user (JDE-SOURCE.md section 3, rules 1-3): the user (rank 0), the roles active
-- as of the run that the *ALL sign-in includes, in role-sequence order ({{direction}}; ties by
-- role id; roles missing from F00926 last), then *PUBLIC (rank 999).
DROP TABLE IF EXISTS pg_temp.sec_level;
CREATE TEMP TABLE sec_level AS
SELECT user_id AS subject, user_id AS principal, 0 AS rank
FROM {{schema}}.security_users WHERE apps_id = {{apps_id}}
UNION ALL
SELECT a.user_id, a.role_id,
       row_number() OVER (PARTITION BY a.user_id ORDER BY r.sequence {{direction}} NULLS LAST, a.role_id)::int
FROM (
    SELECT DISTINCT user_id, role_id
    FROM {{schema}}.security_assignments
    WHERE apps_id = {{apps_id}} AND status = 'active' AND include_in_all
) AS a
JOIN {{schema}}.security_users u ON u.apps_id = {{apps_id}} AND u.user_id = a.user_id
LEFT JOIN {{schema}}.security_roles r ON r.apps_id = {{apps_id}} AND r.role_id = a.role_id
UNION ALL
SELECT user_id, '*PUBLIC', 999
FROM {{schema}}.security_users WHERE apps_id = {{apps_id}};
ANALYZE sec_level;
