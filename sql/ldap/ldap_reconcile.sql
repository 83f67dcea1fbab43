-- LDAP_RECONCILE: match the users of JDE application {{jde_apps_id}} with the accounts of directory
-- application {{apps_id}} by the ordered rules {{rules}}, then list the findings (docs/ldap.md).
-- The first rule that finds a candidate for a user decides; all its candidates are kept.

-- one step reconciles several JDE applications in one transaction: the previous one's temps go first
DROP TABLE IF EXISTS pg_temp.tmp_rec_users, pg_temp.tmp_rec_accounts, pg_temp.tmp_rec_candidates,
    pg_temp.tmp_rec_matches, pg_temp.tmp_rec_summary;

-- the JDE users and the values the rules compare (the HR id: the address number, or the
-- registration when one is recorded; leading zeros ignored)
CREATE TEMP TABLE tmp_rec_users ON COMMIT DROP AS
SELECT u.user_id, u.user_name, u.enabled, u.address_number,
       nullif(ltrim(btrim(u.registration), '0'), '') AS registration_key,
       upper(btrim(u.user_id)) AS account_key,
       nullif(lower(btrim(d.email)), '') AS mail_key,
       EXISTS (SELECT 1 FROM unnest({{generic_patterns}}::text[]) AS p(pattern) WHERE u.user_id ~* p.pattern) AS generic
FROM {{schema}}.security_users AS u
LEFT JOIN {{schema}}.security_users_data AS d ON d.apps_id = u.apps_id AND d.user_id = u.user_id
WHERE u.apps_id = {{jde_apps_id}};

-- the directory accounts and the same values (employeeID, else description)
CREATE TEMP TABLE tmp_rec_accounts ON COMMIT DROP AS
SELECT a.dn, a.account, a.display_name, a.department, a.disabled, a.expires_at,
       coalesce(a.disabled, false) OR coalesce(a.expires_at <= now(), false) AS inactive,
       nullif(ltrim(btrim(coalesce(nullif(btrim(a.employee_id), ''), a.description)), '0'), '') AS id_key,
       upper(btrim(a.account)) AS account_key,
       nullif(lower(btrim(a.mail)), '') AS mail_key
FROM {{schema}}.security_ldap AS a
WHERE a.apps_id = {{apps_id}};
ANALYZE tmp_rec_users;
ANALYZE tmp_rec_accounts;

CREATE TEMP TABLE tmp_rec_candidates ON COMMIT DROP AS
WITH found AS (
    SELECT u.user_id, a.dn, 'employee_id' AS rule
    FROM tmp_rec_users AS u JOIN tmp_rec_accounts AS a ON a.id_key = u.address_number::text
    WHERE u.address_number IS NOT NULL AND u.address_number <> 0
    UNION
    SELECT u.user_id, a.dn, 'employee_id'
    FROM tmp_rec_users AS u JOIN tmp_rec_accounts AS a ON a.id_key = u.registration_key
    UNION
    SELECT u.user_id, a.dn, 'account'
    FROM tmp_rec_users AS u JOIN tmp_rec_accounts AS a ON a.account_key = u.account_key
    UNION
    SELECT u.user_id, a.dn, 'mail'
    FROM tmp_rec_users AS u JOIN tmp_rec_accounts AS a ON a.mail_key = u.mail_key
)
SELECT f.user_id, f.dn, f.rule, array_position({{rules}}::text[], f.rule) AS rule_order
FROM found AS f
WHERE array_position({{rules}}::text[], f.rule) IS NOT NULL;

-- the deciding rule of each user: the first in order that found someone
CREATE TEMP TABLE tmp_rec_matches ON COMMIT DROP AS
WITH first_rule AS (
    SELECT user_id, min(rule_order) AS rule_order FROM tmp_rec_candidates GROUP BY user_id
)
SELECT c.user_id, c.dn, c.rule, c.rule_order, count(*) OVER (PARTITION BY c.user_id) AS candidates
FROM tmp_rec_candidates AS c
JOIN first_rule AS r ON r.user_id = c.user_id AND r.rule_order = c.rule_order;

DELETE FROM {{schema}}.security_ldap_matches WHERE apps_id = {{jde_apps_id}} AND ldap_apps_id = {{apps_id}};
DELETE FROM {{schema}}.security_ldap_findings WHERE apps_id = {{jde_apps_id}} AND ldap_apps_id = {{apps_id}};

-- count: security_ldap_matches
INSERT INTO {{schema}}.security_ldap_matches (apps_id, ldap_apps_id, user_id, dn, account, rule, rule_order,
                                               candidates, run_id)
SELECT {{jde_apps_id}}, {{apps_id}}, m.user_id, m.dn, a.account, m.rule, m.rule_order, m.candidates, {{run_id}}
FROM tmp_rec_matches AS m
JOIN tmp_rec_accounts AS a ON a.dn = m.dn;

-- count: security_ldap_findings
INSERT INTO {{schema}}.security_ldap_findings (apps_id, ldap_apps_id, finding, user_id, dn, severity, account,
    user_name, rule, jde_enabled, directory_disabled, directory_expires_at, termination_date, department, detail,
    run_id)
WITH user_state AS (
    SELECT m.user_id, bool_or(NOT a.inactive) AS any_active
    FROM tmp_rec_matches AS m JOIN tmp_rec_accounts AS a ON a.dn = m.dn
    GROUP BY m.user_id
), employees AS (
    -- the latest snapshot of nomasx1-employees-1 for the JDE application (none: no hr_terminated)
    SELECT e.address_number, e.termination_date
    FROM {{schema}}.license_jde_employees AS e
    WHERE e.apps_id = {{jde_apps_id}} AND e.terminated
      AND e.extract_date = (SELECT max(extract_date) FROM {{schema}}.license_jde_employees
                            WHERE apps_id = {{jde_apps_id}})
), findings AS (
    -- a JDE-enabled account whose every directory match is disabled or expired
    SELECT CASE WHEN coalesce(a.disabled, false) THEN 'directory_disabled' ELSE 'directory_expired' END AS finding,
           u.user_id, a.dn, u.user_name, m.rule, a.account, a.disabled, a.expires_at, NULL::date AS termination_date,
           a.department,
           CASE WHEN coalesce(a.disabled, false)
                THEN format('enabled in JDE, disabled in the directory (matched by %s)', m.rule)
                ELSE format('enabled in JDE, directory account expired on %s (matched by %s)',
                            to_char(a.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), m.rule) END AS detail
    FROM tmp_rec_users AS u
    JOIN tmp_rec_matches AS m ON m.user_id = u.user_id
    JOIN tmp_rec_accounts AS a ON a.dn = m.dn
    JOIN user_state AS s ON s.user_id = u.user_id
    WHERE u.enabled AND NOT s.any_active AND a.inactive
    UNION ALL
    -- a JDE-enabled account without any directory account
    SELECT CASE WHEN u.generic THEN 'generic_without_directory' ELSE 'directory_missing' END, u.user_id, '',
           u.user_name, NULL, NULL, NULL, NULL, NULL, NULL,
           CASE WHEN u.generic THEN 'generic, batch or service id enabled in JDE, no directory account'
                ELSE 'enabled in JDE, no directory account found by ' || array_to_string({{rules}}::text[], ', ') END
    FROM tmp_rec_users AS u
    WHERE u.enabled AND NOT EXISTS (SELECT 1 FROM tmp_rec_matches AS m WHERE m.user_id = u.user_id)
    UNION ALL
    -- several directory accounts for one JDE user, by the deciding rule
    SELECT 'ambiguous', u.user_id, a.dn, u.user_name, m.rule, a.account, a.disabled, a.expires_at, NULL, a.department,
           format('%s directory accounts match by %s', m.candidates, m.rule)
    FROM tmp_rec_users AS u
    JOIN tmp_rec_matches AS m ON m.user_id = u.user_id AND m.candidates > 1
    JOIN tmp_rec_accounts AS a ON a.dn = m.dn
    UNION ALL
    -- an employee terminated in HR (F060116) whose JDE account is still enabled
    SELECT 'hr_terminated', u.user_id, '', u.user_name, NULL, NULL, NULL, NULL, e.termination_date, NULL,
           format('terminated in F060116 on %s, enabled in JDE', coalesce(e.termination_date::text, 'an unknown date'))
    FROM tmp_rec_users AS u
    JOIN employees AS e ON e.address_number = u.address_number
    WHERE u.enabled
    UNION ALL
    -- an active directory account that no JDE user of the application matched (information)
    SELECT 'directory_only', '', a.dn, a.display_name, NULL, a.account, a.disabled, a.expires_at, NULL, a.department,
           'active directory account without a JDE user'
    FROM tmp_rec_accounts AS a
    WHERE NOT a.inactive AND NOT EXISTS (SELECT 1 FROM tmp_rec_matches AS m WHERE m.dn = a.dn)
)
SELECT {{jde_apps_id}}, {{apps_id}}, f.finding, f.user_id, f.dn,
       CASE f.finding WHEN 'ambiguous' THEN 'warning'
                      WHEN 'generic_without_directory' THEN 'information'
                      WHEN 'directory_only' THEN 'information'
                      ELSE 'risk' END,
       f.account, f.user_name, f.rule, CASE WHEN f.user_id = '' THEN NULL ELSE true END, f.disabled, f.expires_at,
       f.termination_date, f.department, f.detail, {{run_id}}
FROM findings AS f;

-- the counts the step reports
CREATE TEMP TABLE tmp_rec_summary ON COMMIT DROP AS
SELECT (SELECT count(*) FROM tmp_rec_users) AS users,
       (SELECT count(*) FROM tmp_rec_users WHERE enabled AND NOT generic) AS enabled_named,
       (SELECT count(DISTINCT user_id) FROM tmp_rec_matches) AS matched,
       (SELECT count(DISTINCT m.user_id) FROM tmp_rec_matches AS m JOIN tmp_rec_users AS u USING (user_id)
        WHERE u.enabled AND NOT u.generic) AS enabled_named_matched,
       EXISTS (SELECT 1 FROM {{schema}}.license_jde_employees WHERE apps_id = {{jde_apps_id}}) AS employees_snapshot;
