-- SECURITY_LDAP: replace the directory application's accounts, groups and memberships with the
-- search just streamed into tmp_ldap_accounts and tmp_ldap_group_rows (one transaction: readers
-- see the previous load until the commit). DNs are compared case-insensitively, as LDAP does.

CREATE TEMP TABLE tmp_ldap_keys ON COMMIT DROP AS
SELECT DISTINCT ON (lower(dn)) lower(dn) AS dn_key, account
FROM tmp_ldap_accounts
ORDER BY lower(dn), account;
ANALYZE tmp_ldap_keys;

DELETE FROM {{schema}}.security_ldap_members WHERE apps_id = {{apps_id}};
DELETE FROM {{schema}}.security_ldap_groups WHERE apps_id = {{apps_id}};
DELETE FROM {{schema}}.security_ldap WHERE apps_id = {{apps_id}};

-- count: security_ldap
INSERT INTO {{schema}}.security_ldap (
    apps_id, dn, account, name, display_name, logon, mail, manager_dn, manager_account, company, department,
    office, city, title, telephone, mobile, description, employee_id, created_at, expires_at, never_expires,
    password_set_at, password_never_expires, last_logon_at, account_control, disabled, locked, parent_dn, run_id)
SELECT DISTINCT ON (a.dn)
       {{apps_id}}, a.dn, a.account, a.name, a.display_name, a.logon, a.mail, a.manager_dn, m.account, a.company,
       a.department, a.office, a.city, a.title, a.telephone, a.mobile, a.description, a.employee_id, a.created_at,
       a.expires_at, a.never_expires, a.password_set_at, a.password_never_expires, a.last_logon_at,
       a.account_control, a.disabled, a.locked, a.parent_dn, {{run_id}}
FROM tmp_ldap_accounts AS a
LEFT JOIN tmp_ldap_keys AS m ON m.dn_key = lower(a.manager_dn)
ORDER BY a.dn;

-- count: security_ldap_groups
INSERT INTO {{schema}}.security_ldap_groups (apps_id, dn, name, account, description, members, run_id)
SELECT DISTINCT ON (g.group_dn) {{apps_id}}, g.group_dn, g.name, g.account, g.description, g.members, {{run_id}}
FROM tmp_ldap_group_rows AS g
WHERE g.member_dn IS NULL
ORDER BY g.group_dn;

-- count: security_ldap_members
INSERT INTO {{schema}}.security_ldap_members (apps_id, group_dn, member_dn, member_account, run_id)
SELECT DISTINCT ON (r.group_dn, r.member_dn) {{apps_id}}, r.group_dn, r.member_dn, k.account, {{run_id}}
FROM tmp_ldap_group_rows AS r
LEFT JOIN tmp_ldap_keys AS k ON k.dn_key = lower(r.member_dn)
WHERE r.member_dn IS NOT NULL
ORDER BY r.group_dn, r.member_dn;
