-- Extra keys of user subjects: the menu entries the user's active roles and *PUBLIC may launch
-- (the user's menus) and every object bound to an SoD activity.
DROP TABLE IF EXISTS pg_temp.sec_extra;
CREATE TEMP TABLE sec_extra AS
SELECT l.subject, m.object_name AS o, m.form_name AS f, m.version AS v
FROM sec_level l
JOIN {{schema}}.security_rights_menus m ON m.apps_id = {{apps_id}} AND m.role_id = l.principal
WHERE l.rank > 0
UNION
SELECT s.subject, o.object_name, o.form_name, o.version
FROM (SELECT DISTINCT subject FROM sec_level) AS s
CROSS JOIN (SELECT DISTINCT object_name, form_name, version FROM {{schema}}.sod_objects
            WHERE apps_id = {{apps_id}}
              AND btrim(object_name) <> '' AND btrim(object_name) !~ '^#+$') AS o;  -- not the '######' to-be-defined bindings
