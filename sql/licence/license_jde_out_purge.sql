-- LICENSE_JDE_OUT_PURGE (nomasx1 side): the raw OUT rows of days before purge_before are
-- deleted. purge_before is the earliest of as_of - out_retention_days, users_through (a day not
-- yet aggregated into license_jde_out_users stays) and the watermark day (LICENSE_JDE_OUT
-- re-reads it and subtracts its stored rows). license_jde_out and the aggregates keep everything.
-- count: license_jde_out_daily
DELETE FROM {{schema}}.license_jde_out_daily
WHERE apps_id = {{apps_id}} AND usage_date < {{purge_before}}::date;

UPDATE {{schema}}.license_jde_out_state
SET purged_through = greatest(purged_through, {{purge_before}}::date), refreshed_at = now(), run_id = {{run_id}}
WHERE apps_id = {{apps_id}};
