-- Extra keys of role subjects: the menu entries the role may launch (security_rights_menus); the
-- SoD objects are added by rights_extra_sod.sql.
DROP TABLE IF EXISTS pg_temp.sec_extra;
CREATE TEMP TABLE sec_extra AS
SELECT m.role_id AS subject, m.object_name AS o, m.form_name AS f, m.version AS v
FROM {{schema}}.security_rights_menus m
JOIN (SELECT DISTINCT subject FROM sec_level) AS s ON s.subject = m.role_id
WHERE m.apps_id = {{apps_id}};
