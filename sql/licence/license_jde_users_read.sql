-- LICENSE_JDE_USERS (one table, read): src_users holds the table's rows counted on the source
-- per audit user and audit date (user_id, julian, rows) over the window, plus its undated rows
-- (date 0). Here: trimmed and typed into tmp_users_read, then tmp_users_new, one row per key of
-- license_jde_users. Rows without a user, or without a date (0, an impossible CYYDDD), are left
-- out (tmp_users_left_out counts them); users unknown to JDE security are kept.
DROP TABLE IF EXISTS pg_temp.tmp_users_read;
CREATE TEMP TABLE tmp_users_read AS
SELECT pg_temp.jde_str(user_id) AS user_id, pg_temp.jde_date(julian) AS transaction_date, rows::bigint AS rows
FROM src_users;

DROP TABLE IF EXISTS pg_temp.tmp_users_left_out;
CREATE TEMP TABLE tmp_users_left_out AS
SELECT coalesce(sum(rows) FILTER (WHERE transaction_date IS NULL), 0)::bigint AS no_date,
       coalesce(sum(rows) FILTER (WHERE transaction_date IS NOT NULL AND user_id = ''), 0)::bigint AS no_user
FROM tmp_users_read;

DROP TABLE IF EXISTS pg_temp.tmp_users_new;
CREATE TEMP TABLE tmp_users_new AS
SELECT user_id, transaction_date, sum(rows)::bigint AS transactions
FROM tmp_users_read
WHERE user_id <> '' AND transaction_date BETWEEN {{window_start}}::date AND {{as_of}}
GROUP BY user_id, transaction_date;
