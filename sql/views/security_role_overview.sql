-- security_role_overview: one row per application and role.
-- Users assigned (all and active), objects the role lets run, users whose run rights it decides.
SELECT
    ro.apps_id,
    ro.role_id,
    ro.description,
    ro.sequence,
    coalesce(a.users_count, 0) AS users_count,
    coalesce(a.active_users_count, 0) AS active_users_count,
    coalesce(g.granted_count, 0) AS granted_count,
    coalesce(d.deciding_users_count, 0) AS deciding_users_count
FROM security_roles AS ro
LEFT JOIN (
    SELECT
        apps_id,
        role_id,
        count(DISTINCT user_id) AS users_count,
        count(DISTINCT user_id) FILTER (WHERE status = 'active') AS active_users_count
    FROM security_assignments
    GROUP BY apps_id, role_id
) AS a ON a.apps_id = ro.apps_id AND a.role_id = ro.role_id
LEFT JOIN (
    SELECT apps_id, role_id, count(*) FILTER (WHERE can_run) AS granted_count
    FROM security_rights_roles
    GROUP BY apps_id, role_id
) AS g ON g.apps_id = ro.apps_id AND g.role_id = ro.role_id
LEFT JOIN (
    SELECT apps_id, decided_by AS role_id, count(DISTINCT user_id) AS deciding_users_count
    FROM security_rights_users
    WHERE decided_level = 'ROLE'
    GROUP BY apps_id, decided_by
) AS d ON d.apps_id = ro.apps_id AND d.role_id = ro.role_id
