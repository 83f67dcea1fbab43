-- security_user_overview: one row per application and user account.
-- Roles (all and active as of the last collection), effective run rights and SoD conflicts.
-- Source tables are resolved in the target schema (bootstrap sets the search_path).
SELECT
    u.apps_id,
    u.user_id,
    u.user_name,
    u.enabled,
    u.dormant,
    u.privileged,
    u.last_login_date,
    coalesce(a.roles_count, 0) AS roles_count,
    coalesce(a.active_roles_count, 0) AS active_roles_count,
    coalesce(r.rights_count, 0) AS rights_count,
    coalesce(c.conflicts_count, 0) AS conflicts_count,
    coalesce(c.conflict_rules_count, 0) AS conflict_rules_count
FROM security_users AS u
LEFT JOIN (
    SELECT
        apps_id,
        user_id,
        count(DISTINCT role_id) AS roles_count,
        count(DISTINCT role_id) FILTER (WHERE status = 'active') AS active_roles_count
    FROM security_assignments
    GROUP BY apps_id, user_id
) AS a ON a.apps_id = u.apps_id AND a.user_id = u.user_id
LEFT JOIN (
    SELECT apps_id, user_id, count(*) FILTER (WHERE can_run) AS rights_count
    FROM security_rights_users
    GROUP BY apps_id, user_id
) AS r ON r.apps_id = u.apps_id AND r.user_id = u.user_id
LEFT JOIN (
    SELECT
        apps_id,
        user_id,
        count(*) AS conflicts_count,
        count(DISTINCT (process_id, activity1_id, activity2_id)) AS conflict_rules_count
    FROM sod_conflict_details
    GROUP BY apps_id, user_id
) AS c ON c.apps_id = u.apps_id AND c.user_id = u.user_id
