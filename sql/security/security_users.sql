-- SECURITY_USERS: the application's user accounts and the derived facts of JDE-SOURCE.md section 3,
-- all as of the run's as-of date.
-- Inputs (raw text): src_profiles (F0092), src_roles (F00926 role ids), src_rel (F95921),
-- src_signon (F98OWSEC), src_history (F9312 aggregated on the source per user: created = earliest
-- add-user date, last_login = latest sign-on date, event types of the application's
-- event_type_values), src_people (F0101 of the profiles).
-- Tokens: dormant_days (the application's setting), signin_all (true for the *ALL
-- sign-in: only roles flagged include-in-*ALL are active), history_known (false when F9312 could
-- not be read), and the coded values status_enabled and include_in_all_set (SQL lists).
-- Codes are compared trimmed and upper-cased.
--
-- Rules:
-- * users: F0092 profiles that have an F98OWSEC record or are not roles (roles: profiles in F00926
--   or appearing as F95921 RLFRROLE).
-- * enabled: F98OWSEC SCEUSER in signon_status_values.enabled (default 01, 1); any other code is
--   not enabled; a profile without an F98OWSEC record cannot sign on, so it is not enabled
--   (status_code NULL).
-- * dormant: enabled and no sign-on within dormant_days, i.e. last sign-on before
--   as_of - dormant_days; an enabled account that NEVER signed on is dormant whatever its age
--   (an unused enabled account is what the control looks for; the created date is there to tell
--   a brand-new account apart). Without sign-on history (F9312 missing) dormant is unknown: NULL
--   for the enabled accounts.
-- * no_role: enabled and no active assignment as of as_of to an existing role (F00926):
--   RLEFFDATE <= as_of (0 = since always), RLEXPIRDATE = 0 or as_of < RLEXPIRDATE, and, for the
--   *ALL sign-in, flagged include-in-*ALL (RLCUSTOM in include_in_all_values.set, default 1, Y;
--   every row when the column is absent).
--   An assignment to a role that does not exist grants nothing, so it does not count.
-- * duplicate_of: the smallest other user id with the same non-zero address number.
-- * privileged: not derived from JDE; a flag set on the previous rows of the same user is kept.
CREATE TEMP TABLE tmp_role_ids ON COMMIT DROP AS
SELECT pg_temp.jde_str(role_id) AS role_id FROM src_roles
UNION
SELECT pg_temp.jde_str(role_id) FROM src_rel;

CREATE TEMP TABLE tmp_signon ON COMMIT DROP AS
SELECT DISTINCT ON (pg_temp.jde_str(user_id))
       pg_temp.jde_str(user_id) AS user_id,
       nullif(pg_temp.jde_str(status), '') AS status_code,
       pg_temp.jde_date(password_changed) AS password_changed_date
FROM src_signon
ORDER BY pg_temp.jde_str(user_id), pg_temp.jde_str(status);

CREATE TEMP TABLE tmp_users ON COMMIT DROP AS
SELECT DISTINCT ON (pg_temp.jde_str(p.user_id))
       pg_temp.jde_str(p.user_id) AS user_id,
       nullif(pg_temp.jde_str(p.address_number), '')::numeric::bigint AS address_number
FROM src_profiles AS p
WHERE pg_temp.jde_str(p.user_id) <> ''
  AND (EXISTS (SELECT 1 FROM tmp_signon AS s WHERE s.user_id = pg_temp.jde_str(p.user_id))
       OR NOT EXISTS (SELECT 1 FROM tmp_role_ids AS r WHERE r.role_id = pg_temp.jde_str(p.user_id)))
ORDER BY pg_temp.jde_str(p.user_id);
CREATE UNIQUE INDEX ON tmp_users (user_id);
CREATE INDEX ON tmp_users (address_number);
ANALYZE tmp_users;

-- active assignments (the rule of SECURITY_ASSIGNMENTS' status 'active'), restricted to the
-- sign-in's roles and to roles that exist
CREATE TEMP TABLE tmp_active_members ON COMMIT DROP AS
SELECT DISTINCT pg_temp.jde_str(a.member_id) AS user_id
FROM src_rel AS a
WHERE coalesce(pg_temp.jde_date(a.effective), DATE '1900-01-01') <= {{as_of}}
  AND (pg_temp.jde_date(a.expiration) IS NULL OR {{as_of}} < pg_temp.jde_date(a.expiration))
  AND (NOT {{signin_all}} OR a.include_in_all IS NULL OR upper(pg_temp.jde_str(a.include_in_all)) IN {{include_in_all_set}})
  AND EXISTS (SELECT 1 FROM src_roles AS r WHERE pg_temp.jde_str(r.role_id) = pg_temp.jde_str(a.role_id));

-- F9312 aggregates come from the source as text: compare them as numbers (Julian CYYDDD)
CREATE TEMP TABLE tmp_history ON COMMIT DROP AS
SELECT pg_temp.jde_str(user_id) AS user_id,
       pg_temp.jde_date(min(nullif(btrim(created), '')::numeric)::text) AS created_date,
       pg_temp.jde_date(max(nullif(btrim(last_login), '')::numeric)::text) AS last_login_date
FROM src_history
GROUP BY pg_temp.jde_str(user_id);

-- person name of each address number (F0101 ABALPH)
CREATE TEMP TABLE tmp_names ON COMMIT DROP AS
SELECT DISTINCT ON (n.address_number) n.address_number, n.user_name
FROM (
    SELECT nullif(pg_temp.jde_str(address_number), '')::numeric::bigint AS address_number,
           nullif(pg_temp.jde_str(name), '') AS user_name
    FROM src_people
) AS n
WHERE n.address_number IS NOT NULL
ORDER BY n.address_number, n.user_name NULLS LAST;

CREATE TEMP TABLE tmp_prev_privileged ON COMMIT DROP AS
SELECT user_id FROM {{schema}}.security_users WHERE apps_id = {{apps_id}} AND privileged;

DELETE FROM {{schema}}.security_users WHERE apps_id = {{apps_id}};

-- count: security_users
INSERT INTO {{schema}}.security_users (
    apps_id, user_id, user_name, address_number, registration, status_code, enabled, created_date,
    last_login_date, password_changed_date, privileged, dormant, no_role, duplicate_of, run_id)
WITH f AS (
    SELECT u.user_id, u.address_number, n.user_name, s.status_code,
           coalesce(upper(s.status_code) IN {{status_enabled}}, false) AS enabled,
           h.created_date, h.last_login_date, s.password_changed_date
    FROM tmp_users AS u
    LEFT JOIN tmp_signon AS s ON s.user_id = u.user_id
    LEFT JOIN tmp_history AS h ON h.user_id = u.user_id
    LEFT JOIN tmp_names AS n ON n.address_number = u.address_number
), dup AS (
    SELECT address_number, min(user_id) AS first_id
    FROM tmp_users
    WHERE address_number <> 0
    GROUP BY address_number
    HAVING count(*) > 1
)
SELECT {{apps_id}}, f.user_id, f.user_name, f.address_number, NULL, f.status_code, f.enabled,
       f.created_date, f.last_login_date, f.password_changed_date,
       EXISTS (SELECT 1 FROM tmp_prev_privileged AS pp WHERE pp.user_id = f.user_id),
       CASE WHEN NOT f.enabled THEN false
            WHEN {{history_known}} THEN f.last_login_date IS NULL OR f.last_login_date < {{as_of}} - {{dormant_days}}::int
       END,
       f.enabled AND NOT EXISTS (SELECT 1 FROM tmp_active_members AS m WHERE m.user_id = f.user_id),
       -- the smallest OTHER account: the group's smallest id, or its second smallest for that one
       CASE WHEN d.address_number IS NULL THEN NULL
            WHEN f.user_id <> d.first_id THEN d.first_id
            ELSE (SELECT min(o.user_id) FROM tmp_users AS o
                  WHERE o.address_number = f.address_number AND o.user_id <> f.user_id) END,
       {{run_id}}
FROM f
LEFT JOIN dup AS d ON d.address_number = f.address_number;
