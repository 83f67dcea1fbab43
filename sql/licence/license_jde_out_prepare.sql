-- LICENSE_JDE_OUT (read): the F98911 rows of the window, aggregated on the source into src_out
-- (one row per object, form, version, user, role, environment, object type and date: the rows
-- of that group and their latest time), trimmed and typed here into tmp_out_new, one row per
-- key of license_jde_out_daily. Values are trimmed ('' = none for form, version, role and
-- environment); the object type is F98911's, else the jde_objects one (F9860) of the
-- application. Rows without a date (0 was left out on the source; an impossible CYYDDD reads as
-- no date here), without an object or without a user are left out and counted in tmp_out_skipped.
-- Users unknown to security_users are kept (deleted accounts, batch users).
DROP TABLE IF EXISTS pg_temp.tmp_out_read;
CREATE TEMP TABLE tmp_out_read AS
SELECT pg_temp.jde_str(object_name) AS object_name,
       pg_temp.jde_str(form_name) AS form_name,
       pg_temp.jde_str(version) AS version,
       pg_temp.jde_str(user_id) AS user_id,
       pg_temp.jde_str(role) AS role,
       pg_temp.jde_str(environment) AS environment,
       nullif(pg_temp.jde_str(object_type), '') AS object_type,
       pg_temp.jde_date(used_date) AS usage_date,
       uses::bigint AS uses,
       CASE WHEN pg_temp.jde_time(last_time) IS NOT NULL THEN btrim(last_time)::numeric::int END AS last_time
FROM src_out;

DROP TABLE IF EXISTS pg_temp.tmp_out_skipped;
CREATE TEMP TABLE tmp_out_skipped AS
SELECT count(*) FILTER (WHERE usage_date IS NULL) AS no_date_groups,
       coalesce(sum(uses) FILTER (WHERE usage_date IS NULL), 0) AS no_date_uses,
       count(*) FILTER (WHERE usage_date IS NOT NULL AND (object_name = '' OR user_id = '')) AS blank_groups,
       coalesce(sum(uses) FILTER (WHERE usage_date IS NOT NULL AND (object_name = '' OR user_id = '')), 0)
           AS blank_uses
FROM tmp_out_read;

DROP TABLE IF EXISTS pg_temp.tmp_out_new;
CREATE TEMP TABLE tmp_out_new AS
SELECT r.usage_date, r.object_name, r.form_name, r.version, r.user_id, r.role, r.environment,
       coalesce(max(r.object_type), max(j.object_type)) AS object_type,
       sum(r.uses)::bigint AS uses,
       max(r.last_time) AS last_time
FROM tmp_out_read AS r
LEFT JOIN {{schema}}.jde_objects AS j ON j.apps_id = {{apps_id}} AND j.object_name = r.object_name
WHERE r.usage_date IS NOT NULL AND r.object_name <> '' AND r.user_id <> ''
GROUP BY r.usage_date, r.object_name, r.form_name, r.version, r.user_id, r.role, r.environment;
ANALYZE tmp_out_new;
