-- The keys and application decisions staged by the application step of this run.
DROP TABLE IF EXISTS pg_temp.sec_key;
CREATE TEMP TABLE sec_key AS
SELECT subject, object_name AS o, form_name AS f, version AS v, app_okey
FROM {{schema}}.security_rights_stage
WHERE apps_id = {{apps_id}} AND subject_type = {{subject_type}};
ANALYZE sec_key;
