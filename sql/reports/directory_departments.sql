-- Users by applications: one stream for every department workbook of directory application :a,
-- ordered by department (blank = :nodept), then sheet. kind 1: a department account matched to a
-- user of JDE application apps_id (every reconciled one, or :j alone: the columns of
-- reports/directory.py MATCH_COLUMNS from "account" on); kind 2: every account of the department
-- with the JDE applications and users it is matched to (ACCOUNT_COLUMNS, the rest null). Flags as
-- yes / no (blank: not known); expired on :now, as LDAP_RECONCILE decides it.
WITH accounts AS (
    SELECT a.dn, a.account, a.display_name, a.title, a.mail,
           coalesce(nullif(btrim(a.department), ''), :nodept) AS department,
           CASE WHEN a.disabled THEN 'yes' WHEN NOT a.disabled THEN 'no' ELSE '' END AS disabled,
           CASE WHEN a.expires_at <= :now THEN 'yes' ELSE 'no' END AS expired
    FROM {{schema}}.security_ldap AS a
    WHERE a.apps_id = :a
), matches AS (
    SELECT m.apps_id, m.user_id, m.dn, m.rule
    FROM {{schema}}.security_ldap_matches AS m
    WHERE m.ldap_apps_id = :a AND (CAST(:j AS integer) IS NULL OR m.apps_id = CAST(:j AS integer))
), roles AS (
    -- the active roles of every user of the applications matched
    SELECT s.apps_id, s.user_id, string_agg(DISTINCT s.role_id, ', ' ORDER BY s.role_id) AS roles
    FROM {{schema}}.security_assignments AS s
    WHERE s.status = 'active' AND s.apps_id IN (SELECT DISTINCT apps_id FROM matches)
    GROUP BY s.apps_id, s.user_id
), per_account AS (
    SELECT dn, array_to_string(array_agg(DISTINCT apps_id ORDER BY apps_id), ', ') AS applications,
           string_agg(apps_id || ':' || user_id, ', ' ORDER BY apps_id, user_id) AS users
    FROM matches
    GROUP BY dn
)
SELECT a.department, 1 AS kind, m.apps_id, a.account, a.display_name, a.title, a.disabled, a.expired,
       m.user_id, u.user_name,
       CASE WHEN u.enabled THEN 'yes' WHEN NOT u.enabled THEN 'no' ELSE '' END,
       CASE WHEN u.dormant THEN 'yes' WHEN NOT u.dormant THEN 'no' ELSE '' END,
       u.last_login_date, coalesce(r.roles, ''), m.rule
FROM matches AS m
JOIN accounts AS a ON a.dn = m.dn
LEFT JOIN {{schema}}.security_users AS u ON u.apps_id = m.apps_id AND u.user_id = m.user_id
LEFT JOIN roles AS r ON r.apps_id = m.apps_id AND r.user_id = m.user_id
UNION ALL
SELECT a.department, 2, NULL, a.account, a.display_name, a.title, a.disabled, a.expired,
       a.mail, coalesce(p.applications, ''), coalesce(p.users, ''), NULL, NULL, NULL, NULL
FROM accounts AS a
LEFT JOIN per_account AS p ON p.dn = a.dn
ORDER BY 1, 2, 3, 4, 9
