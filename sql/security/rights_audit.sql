-- Rights audit: compare the rights just computed (security_rights_roles and _users) with the
-- snapshot the previous run left (security_rights_snapshot). A key that appears is GRANTED, one
-- that disappears is REVOKED; a key whose flags changed is GRANTED when flags only went from
-- secured to allowed, REVOKED when they only went the other way, else CHANGED. The first run of an
-- application (no snapshot yet) is the baseline: it writes the snapshot and no audit rows. A
-- snapshot taken before migration 0006 has no scroll flag (NULL): it is not reported as a change.
DROP TABLE IF EXISTS pg_temp.audit_current;
CREATE TEMP TABLE audit_current AS
SELECT 'ROLE'::text AS principal_type, role_id AS principal, object_name, form_name, version,
       can_run, can_add, can_change, can_delete, can_ok, can_copy, coalesce(can_scroll, true) AS can_scroll
FROM {{schema}}.security_rights_roles WHERE apps_id = {{apps_id}}
UNION ALL
SELECT 'USER', user_id, object_name, form_name, version,
       can_run, can_add, can_change, can_delete, can_ok, can_copy, coalesce(can_scroll, true)
FROM {{schema}}.security_rights_users WHERE apps_id = {{apps_id}};
ANALYZE audit_current;
-- count: audit
INSERT INTO {{schema}}.security_rights_audit (
    apps_id, principal, object_name, form_name, version, detected_at, principal_type, change,
    before_can_run, before_can_add, before_can_change, before_can_delete, before_can_ok, before_can_copy,
    after_can_run, after_can_add, after_can_change, after_can_delete, after_can_ok, after_can_copy, run_id,
    before_can_scroll, after_can_scroll)
SELECT {{apps_id}}, d.principal, d.object_name, d.form_name, d.version, now(),
       CASE WHEN d.principal = '*PUBLIC' THEN 'PUBLIC' ELSE d.principal_type END,
       CASE WHEN d.b_run IS NULL THEN 'GRANTED'
            WHEN d.a_run IS NULL THEN 'REVOKED'
            WHEN d.gained AND NOT d.lost THEN 'GRANTED'
            WHEN d.lost AND NOT d.gained THEN 'REVOKED'
            ELSE 'CHANGED' END,
       d.b_run, d.b_add, d.b_change, d.b_delete, d.b_ok, d.b_copy,
       d.a_run, d.a_add, d.a_change, d.a_delete, d.a_ok, d.a_copy, {{run_id}},
       d.b_scroll, d.a_scroll
FROM (
    SELECT coalesce(c.principal_type, s.principal_type) AS principal_type,
           coalesce(c.principal, s.principal) AS principal,
           coalesce(c.object_name, s.object_name) AS object_name,
           coalesce(c.form_name, s.form_name) AS form_name,
           coalesce(c.version, s.version) AS version,
           s.can_run AS b_run, s.can_add AS b_add, s.can_change AS b_change, s.can_delete AS b_delete,
           s.can_ok AS b_ok, s.can_copy AS b_copy, s.can_scroll AS b_scroll,
           c.can_run AS a_run, c.can_add AS a_add, c.can_change AS a_change, c.can_delete AS a_delete,
           c.can_ok AS a_ok, c.can_copy AS a_copy, c.can_scroll AS a_scroll,
           (NOT s.can_run AND c.can_run) OR (NOT s.can_add AND c.can_add) OR (NOT s.can_change AND c.can_change)
               OR (NOT s.can_delete AND c.can_delete) OR (NOT s.can_ok AND c.can_ok)
               OR (NOT s.can_copy AND c.can_copy)
               OR (NOT coalesce(s.can_scroll, c.can_scroll) AND c.can_scroll) AS gained,
           (s.can_run AND NOT c.can_run) OR (s.can_add AND NOT c.can_add) OR (s.can_change AND NOT c.can_change)
               OR (s.can_delete AND NOT c.can_delete) OR (s.can_ok AND NOT c.can_ok)
               OR (s.can_copy AND NOT c.can_copy)
               OR (coalesce(s.can_scroll, c.can_scroll) AND NOT c.can_scroll) AS lost
    FROM audit_current c
    FULL JOIN (SELECT * FROM {{schema}}.security_rights_snapshot WHERE apps_id = {{apps_id}}) AS s
      ON s.principal_type = c.principal_type AND s.principal = c.principal AND s.object_name = c.object_name
     AND s.form_name = c.form_name AND s.version = c.version
    WHERE {{compare}}
) AS d
WHERE d.b_run IS NULL OR d.a_run IS NULL OR d.gained OR d.lost;
