-- SECURITY_ASSIGNMENTS: the F95921 rows whose member (RLTOROLE) is a user of security_users, with
-- their status as of the run's as-of date (run SECURITY_USERS and SECURITY_ROLES first).
-- Input: src_rel (F95921 raw text: role_id, member_id, effective, expiration, include_in_all).
-- Rules (JDE-SOURCE.md section 3):
-- * effective_date = RLEFFDATE; 0 (no date) means "since always" and is stored as 1900-01-01
--   (the date is part of the key, so it cannot be NULL).
-- * expiration_date = RLEXPIRDATE, NULL when 0 (never); the assignment stops at the START of that day.
-- * include_in_all = RLCUSTOM in the application's include_in_all_values.set (token
--   include_in_all_set, default 1, Y; compared trimmed and upper-cased; any other code is not
--   included); every row is included when the column is absent (optional).
-- * status: 'expired' when the expiration date is set and on or before the as-of date, else
--   'future' when the effective date is after it, else 'active'.
-- * role_missing: the role is not in security_roles (F00926) of the application.
-- * rows whose member is not a user (roles nested in roles, deleted profiles) are not user
--   assignments: they are counted and logged by the step.
-- * duplicate keys (same user, role and effective date after trimming and date conversion): the
--   row with the latest expiration (never first) is kept, then the included one.
CREATE TEMP TABLE tmp_rel ON COMMIT DROP AS
SELECT pg_temp.jde_str(member_id) AS user_id,
       pg_temp.jde_str(role_id) AS role_id,
       coalesce(pg_temp.jde_date(effective), DATE '1900-01-01') AS effective_date,
       pg_temp.jde_date(expiration) AS expiration_date,
       (include_in_all IS NULL OR upper(pg_temp.jde_str(include_in_all)) IN {{include_in_all_set}}) AS include_in_all
FROM src_rel;

CREATE TEMP TABLE tmp_user_rel ON COMMIT DROP AS
SELECT r.*
FROM tmp_rel AS r
JOIN {{schema}}.security_users AS u ON u.apps_id = {{apps_id}} AND u.user_id = r.user_id
WHERE r.role_id <> '';

DELETE FROM {{schema}}.security_assignments WHERE apps_id = {{apps_id}};

-- count: security_assignments
INSERT INTO {{schema}}.security_assignments (
    apps_id, user_id, role_id, effective_date, expiration_date, include_in_all, status, role_missing, run_id)
SELECT DISTINCT ON (a.user_id, a.role_id, a.effective_date)
       {{apps_id}}, a.user_id, a.role_id, a.effective_date, a.expiration_date, a.include_in_all,
       CASE WHEN a.expiration_date IS NOT NULL AND a.expiration_date <= {{as_of}} THEN 'expired'
            WHEN a.effective_date > {{as_of}} THEN 'future'
            ELSE 'active' END,
       NOT EXISTS (SELECT 1 FROM {{schema}}.security_roles AS r
                   WHERE r.apps_id = {{apps_id}} AND r.role_id = a.role_id),
       {{run_id}}
FROM tmp_user_rel AS a
ORDER BY a.user_id, a.role_id, a.effective_date, a.expiration_date DESC NULLS FIRST, a.include_in_all DESC;

-- what the step logs: user rows read, duplicates dropped, rows of other members
CREATE TEMP TABLE tmp_assignment_counts ON COMMIT DROP AS
WITH other AS (
    SELECT r.user_id,
           EXISTS (SELECT 1 FROM {{schema}}.security_roles AS sr
                   WHERE sr.apps_id = {{apps_id}} AND sr.role_id = r.user_id)
           OR EXISTS (SELECT 1 FROM tmp_rel AS x WHERE x.role_id = r.user_id) AS member_is_role
    FROM tmp_rel AS r
    WHERE NOT EXISTS (SELECT 1 FROM {{schema}}.security_users AS u
                      WHERE u.apps_id = {{apps_id}} AND u.user_id = r.user_id)
)
SELECT (SELECT count(*) FROM tmp_user_rel) AS user_rows,
       (SELECT count(*) FROM (SELECT DISTINCT user_id, role_id, effective_date FROM tmp_user_rel) AS k) AS user_keys,
       (SELECT count(*) FROM other WHERE member_is_role) AS role_in_role,
       (SELECT count(*) FROM other WHERE NOT member_is_role) AS other_members;
