-- SoD report: one row per user x rule (the columns of reports/sod.py CONFLICT_COLUMNS, in order).
-- Each side lists its paths as "OBJECT via <grant>": a role, *PUBLIC, the user's own record, or
-- JDE's open default when no record exists.
SELECT d.user_id, u.user_name, CASE WHEN bool_or(d.privileged) THEN 'yes' ELSE 'no' END,
       d.process_id, p.name, d.activity1_id, d.activity2_id,
       coalesce(a1.name, a1.activity_id) || ' ↔ ' || coalesce(a2.name, a2.activity_id),
       d.risk_id, r.name, d.risk_level, max(d.risk_score),
       string_agg(DISTINCT s.side1, '; ' ORDER BY s.side1),
       string_agg(DISTINCT s.side2, '; ' ORDER BY s.side2),
       count(*),
       CASE WHEN bool_and(d.mitigated) THEN 'yes' WHEN bool_or(d.mitigated) THEN 'partly' ELSE 'no' END,
       coalesce(string_agg(DISTINCT d.exception_id, ', ' ORDER BY d.exception_id), '')
FROM {{schema}}.sod_conflict_details d
CROSS JOIN LATERAL (
    SELECT d.object1 || ' via ' || CASE d.grant1_level
               WHEN 'ROLE' THEN 'role ' || coalesce(d.role1, '?')
               WHEN 'PUBLIC' THEN '*PUBLIC'
               WHEN 'USER' THEN 'own user record'
               WHEN 'DEFAULT' THEN 'open default (no record)'
               ELSE coalesce(d.role1, '?') END AS side1,
           d.object2 || ' via ' || CASE d.grant2_level
               WHEN 'ROLE' THEN 'role ' || coalesce(d.role2, '?')
               WHEN 'PUBLIC' THEN '*PUBLIC'
               WHEN 'USER' THEN 'own user record'
               WHEN 'DEFAULT' THEN 'open default (no record)'
               ELSE coalesce(d.role2, '?') END AS side2
) AS s
LEFT JOIN {{schema}}.security_users u ON u.apps_id = d.apps_id AND u.user_id = d.user_id
LEFT JOIN {{schema}}.sod_process p ON p.apps_id = d.apps_id AND p.process_id = d.process_id
LEFT JOIN {{schema}}.sod_activities a1 ON a1.apps_id = d.apps_id AND a1.activity_id = d.activity1_id
LEFT JOIN {{schema}}.sod_activities a2 ON a2.apps_id = d.apps_id AND a2.activity_id = d.activity2_id
LEFT JOIN {{schema}}.sod_risks r ON r.apps_id = d.apps_id AND r.risk_id = d.risk_id
WHERE d.apps_id = :a
GROUP BY d.user_id, u.user_name, d.process_id, p.name, d.activity1_id, a1.activity_id, a1.name,
         d.activity2_id, a2.activity_id, a2.name, d.risk_id, r.name, d.risk_level
ORDER BY d.process_id, d.activity1_id, d.activity2_id, d.user_id
