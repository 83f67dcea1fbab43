-- Extra keys of user subjects: the menu entries the user's active roles and *PUBLIC may launch
-- (the user's menus); the SoD objects are added by rights_extra_sod.sql.
DROP TABLE IF EXISTS pg_temp.sec_extra;
CREATE TEMP TABLE sec_extra AS
SELECT l.subject, m.object_name AS o, m.form_name AS f, m.version AS v
FROM sec_level l
JOIN {{schema}}.security_rights_menus m ON m.apps_id = {{apps_id}} AND m.role_id = l.principal
WHERE l.rank > 0;
