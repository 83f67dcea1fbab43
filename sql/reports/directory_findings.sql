-- Directory report: the findings of directory application :a (the columns of reports/directory.py
-- FINDING_COLUMNS, in order), every JDE application or :j alone, at most :n rows (NULL: all). Risks
-- first, then warnings, then information. Flags as yes / no (blank: not known), as every format
-- shows them; instants as UTC text.
SELECT f.severity, f.finding, f.apps_id, f.user_id, f.user_name, f.account, f.dn, f.rule,
       CASE WHEN f.jde_enabled THEN 'yes' WHEN NOT f.jde_enabled THEN 'no' ELSE '' END,
       CASE WHEN f.directory_disabled THEN 'yes' WHEN NOT f.directory_disabled THEN 'no' ELSE '' END,
       to_char(f.directory_expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'),
       f.termination_date, f.department, f.detail
FROM {{schema}}.security_ldap_findings AS f
WHERE f.ldap_apps_id = :a AND (CAST(:j AS integer) IS NULL OR f.apps_id = CAST(:j AS integer))
ORDER BY CASE f.severity WHEN 'risk' THEN 1 WHEN 'warning' THEN 2 ELSE 3 END, f.finding, f.apps_id,
         f.user_id, f.account, f.dn
LIMIT CAST(:n AS bigint)
