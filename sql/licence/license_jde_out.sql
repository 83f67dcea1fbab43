-- LICENSE_JDE_OUT (write): the days of the window [from_day, to_day] (from_day NULL: every day up
-- to to_day) are REPLACED in license_jde_out_daily by tmp_out_new (the watermark day may have
-- received rows since it was last read), and merged into license_jde_out:
--   uses       += (uses of the window now) - (uses of the window before): exact after a re-read,
--                 unchanged by a re-run of the same data (idempotent);
--   first_used  = least(stored, first day in the window), last_used = greatest(stored, last day);
--   object_type = the window's, else the stored one.
-- A key whose window rows vanished from F98911 (a restore) keeps its dates; its uses go down.
DROP TABLE IF EXISTS pg_temp.tmp_out_old;
CREATE TEMP TABLE tmp_out_old AS
SELECT object_name, form_name, version, user_id, sum(uses)::bigint AS uses
FROM {{schema}}.license_jde_out_daily
WHERE apps_id = {{apps_id}} AND ({{from_day}}::date IS NULL OR usage_date >= {{from_day}}::date)
  AND usage_date <= {{to_day}}::date
GROUP BY object_name, form_name, version, user_id;

-- count: replaced_daily
DELETE FROM {{schema}}.license_jde_out_daily
WHERE apps_id = {{apps_id}} AND ({{from_day}}::date IS NULL OR usage_date >= {{from_day}}::date)
  AND usage_date <= {{to_day}}::date;

-- count: license_jde_out_daily
INSERT INTO {{schema}}.license_jde_out_daily
    (apps_id, usage_date, object_name, form_name, version, user_id, role, environment, object_type, uses, run_id)
SELECT {{apps_id}}, usage_date, object_name, form_name, version, user_id, role, environment, object_type, uses,
       {{run_id}}
FROM tmp_out_new;

DROP TABLE IF EXISTS pg_temp.tmp_out_delta;
CREATE TEMP TABLE tmp_out_delta AS
SELECT object_name, form_name, version, user_id, n.object_type, n.first_used, n.last_used,
       coalesce(n.uses, 0) AS new_uses,
       coalesce(n.uses, 0) - coalesce(o.uses, 0) AS delta
FROM (
    SELECT object_name, form_name, version, user_id, max(object_type) AS object_type,
           min(usage_date) AS first_used, max(usage_date) AS last_used, sum(uses)::bigint AS uses
    FROM tmp_out_new
    GROUP BY object_name, form_name, version, user_id
) AS n
FULL JOIN tmp_out_old AS o USING (object_name, form_name, version, user_id);

-- count: license_jde_out_changed
UPDATE {{schema}}.license_jde_out AS t
SET uses = t.uses + d.delta,
    first_used = least(t.first_used, d.first_used),
    last_used = greatest(t.last_used, d.last_used),
    object_type = coalesce(d.object_type, t.object_type),
    refreshed_at = now(),
    run_id = {{run_id}}
FROM tmp_out_delta AS d
WHERE t.apps_id = {{apps_id}} AND t.object_name = d.object_name AND t.form_name = d.form_name
  AND t.version = d.version AND t.user_id = d.user_id
  AND (d.delta <> 0 OR d.first_used < t.first_used OR d.last_used > t.last_used
       OR coalesce(d.object_type, t.object_type) IS DISTINCT FROM t.object_type);

-- count: license_jde_out_added
INSERT INTO {{schema}}.license_jde_out
    (apps_id, object_name, form_name, version, user_id, object_type, first_used, last_used, uses, run_id)
SELECT {{apps_id}}, d.object_name, d.form_name, d.version, d.user_id, d.object_type, d.first_used, d.last_used,
       d.new_uses, {{run_id}}
FROM tmp_out_delta AS d
WHERE d.first_used IS NOT NULL
  AND NOT EXISTS (
      SELECT 1 FROM {{schema}}.license_jde_out AS t
      WHERE t.apps_id = {{apps_id}} AND t.object_name = d.object_name AND t.form_name = d.form_name
        AND t.version = d.version AND t.user_id = d.user_id
  );
