-- LICENSE_JDE_OUT_USERS: per user, day, sign-on role and environment, the distinct objects and
-- the uses of license_jde_out_daily, for the days from from_day on (inclusive): those days are
-- replaced, older ones kept (their raw rows may be purged). from_day is users_through (the last
-- day aggregated, which may have received rows since), else the earliest raw day.
-- count: replaced_users
DELETE FROM {{schema}}.license_jde_out_users
WHERE apps_id = {{apps_id}} AND usage_date >= {{from_day}}::date;

-- count: license_jde_out_users
INSERT INTO {{schema}}.license_jde_out_users
    (apps_id, user_id, usage_date, role, environment, objects, uses, run_id)
SELECT {{apps_id}}, user_id, usage_date, role, environment, count(DISTINCT object_name), sum(uses)::bigint,
       {{run_id}}
FROM {{schema}}.license_jde_out_daily
WHERE apps_id = {{apps_id}} AND usage_date >= {{from_day}}::date
GROUP BY user_id, usage_date, role, environment;

INSERT INTO {{schema}}.license_jde_out_state (apps_id, users_through, run_id)
VALUES ({{apps_id}}, {{users_through}}::date, {{run_id}})
ON CONFLICT (apps_id) DO UPDATE
SET users_through = EXCLUDED.users_through, refreshed_at = now(), run_id = EXCLUDED.run_id;
