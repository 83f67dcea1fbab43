-- SECURITY_ROLES: the application's roles are the F00926 rows (role description and sequence).
-- Roles that are only assigned (F95921 RLFRROLE) but not defined in F00926 are not roles here:
-- SECURITY_ASSIGNMENTS reports those assignments with role_missing = true.
-- Input: src_roles (F00926: role_id, description, sequence, raw text).
DELETE FROM {{schema}}.security_roles WHERE apps_id = {{apps_id}};

-- count: security_roles
INSERT INTO {{schema}}.security_roles (apps_id, role_id, description, sequence, run_id)
SELECT DISTINCT ON (r.role_id)
       {{apps_id}}, r.role_id, r.description, r.sequence, {{run_id}}
FROM (
    SELECT pg_temp.jde_str(role_id) AS role_id,
           nullif(pg_temp.jde_str(description), '') AS description,
           nullif(pg_temp.jde_str(sequence), '')::numeric::int AS sequence
    FROM src_roles
) AS r
WHERE r.role_id <> ''
ORDER BY r.role_id, r.sequence NULLS LAST, r.description;
