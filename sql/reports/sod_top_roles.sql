-- SoD report: the most-conflicted roles (*PUBLIC ranks like a role): users in conflict through a
-- side the role granted, then rules, at most :n of them.
WITH paths AS (
    SELECT user_id, process_id, activity1_id, activity2_id,
           CASE WHEN d.grant1_level = 'PUBLIC' THEN coalesce(d.role1, '*PUBLIC') ELSE d.role1 END AS role_id
    FROM {{schema}}.sod_conflict_details d WHERE apps_id = :a AND grant1_level IN ('ROLE', 'PUBLIC')
    UNION ALL
    SELECT user_id, process_id, activity1_id, activity2_id,
           CASE WHEN d.grant2_level = 'PUBLIC' THEN coalesce(d.role2, '*PUBLIC') ELSE d.role2 END
    FROM {{schema}}.sod_conflict_details d WHERE apps_id = :a AND grant2_level IN ('ROLE', 'PUBLIC'))
SELECT row_number() OVER (ORDER BY count(DISTINCT p.user_id) DESC,
                                   count(DISTINCT (p.process_id, p.activity1_id, p.activity2_id)) DESC,
                                   p.role_id),
       p.role_id, ro.description, count(DISTINCT p.user_id),
       count(DISTINCT (p.process_id, p.activity1_id, p.activity2_id)),
       CASE WHEN EXISTS (SELECT 1 FROM {{schema}}.sod_role_conflicts rc
                         WHERE rc.apps_id = :a AND rc.role_id = p.role_id) THEN 'yes' ELSE 'no' END
FROM paths p
LEFT JOIN {{schema}}.security_roles ro ON ro.apps_id = :a AND ro.role_id = p.role_id
WHERE p.role_id IS NOT NULL
GROUP BY p.role_id, ro.description
ORDER BY 1
LIMIT :n
