-- Directory report summary: per JDE application (every one, or :j alone) and match rule, the JDE
-- users the rule matched with an account of directory application :a, and the accounts matched.
SELECT apps_id, rule_order, rule, count(DISTINCT user_id), count(DISTINCT dn)
FROM {{schema}}.security_ldap_matches
WHERE ldap_apps_id = :a AND (CAST(:j AS integer) IS NULL OR apps_id = CAST(:j AS integer))
GROUP BY apps_id, rule_order, rule
ORDER BY apps_id, rule_order, rule
