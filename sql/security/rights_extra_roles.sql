-- Extra keys of role subjects: the menu entries the role may launch (security_rights_menus) and
-- every object bound to an SoD activity (each role and *PUBLIC gets a right for them).
DROP TABLE IF EXISTS pg_temp.sec_extra;
CREATE TEMP TABLE sec_extra AS
SELECT m.role_id AS subject, m.object_name AS o, m.form_name AS f, m.version AS v
FROM {{schema}}.security_rights_menus m
JOIN (SELECT DISTINCT subject FROM sec_level) AS s ON s.subject = m.role_id
WHERE m.apps_id = {{apps_id}}
UNION
SELECT s.subject, o.object_name, o.form_name, o.version
FROM (SELECT DISTINCT subject FROM sec_level) AS s
CROSS JOIN (SELECT DISTINCT object_name, form_name, version FROM {{schema}}.sod_objects
            WHERE apps_id = {{apps_id}}
              AND btrim(object_name) <> '' AND btrim(object_name) !~ '^#+$') AS o;  -- not the '######' to-be-defined bindings
