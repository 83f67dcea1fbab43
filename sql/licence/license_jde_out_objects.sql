-- LICENSE_JDE_OUT_OBJECTS: one row per object of license_jde_out (kept beyond any purge): the
-- distinct users, the uses, the first and last use; the system code is the jde_objects one
-- (F9860 after the reclassification of settings_jde_rclst), the object type F98911's, else
-- jde_objects'. Rebuilt whole: a re-run gives the same rows.
DELETE FROM {{schema}}.license_jde_out_objects WHERE apps_id = {{apps_id}};

-- count: license_jde_out_objects
INSERT INTO {{schema}}.license_jde_out_objects
    (apps_id, object_name, object_type, system_code, users, uses, first_used, last_used, run_id)
SELECT {{apps_id}}, o.object_name, coalesce(o.object_type, j.object_type), j.system_code, o.users, o.uses,
       o.first_used, o.last_used, {{run_id}}
FROM (
    SELECT object_name, max(object_type) AS object_type, count(DISTINCT user_id) AS users,
           sum(uses)::bigint AS uses, min(first_used) AS first_used, max(last_used) AS last_used
    FROM {{schema}}.license_jde_out
    WHERE apps_id = {{apps_id}}
    GROUP BY object_name
) AS o
LEFT JOIN {{schema}}.jde_objects AS j ON j.apps_id = {{apps_id}} AND j.object_name = o.object_name;
