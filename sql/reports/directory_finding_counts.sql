-- Directory report summary: the findings of directory application :a per JDE application (every
-- one, or :j alone) and finding (the caller adds the findings that found nothing).
SELECT apps_id, finding, count(*)
FROM {{schema}}.security_ldap_findings
WHERE ldap_apps_id = :a AND (CAST(:j AS integer) IS NULL OR apps_id = CAST(:j AS integer))
GROUP BY apps_id, finding
