-- SoD report: self-conflicting roles (one role, or *PUBLIC, grants both sides of a rule), with the
-- users in conflict through that role alone (both sides granted by it).
SELECT rc.role_id, ro.description, rc.process_id,
       coalesce(a1.name, a1.activity_id) || ' ↔ ' || coalesce(a2.name, a2.activity_id), max(rc.risk_level),
       string_agg(DISTINCT rc.object1, ', ' ORDER BY rc.object1),
       string_agg(DISTINCT rc.object2, ', ' ORDER BY rc.object2),
       (SELECT count(DISTINCT d.user_id) FROM {{schema}}.sod_conflict_details d
        WHERE d.apps_id = rc.apps_id AND d.process_id = rc.process_id
          AND d.activity1_id = rc.activity1_id AND d.activity2_id = rc.activity2_id
          AND d.grant1_level IN ('ROLE', 'PUBLIC') AND d.grant2_level IN ('ROLE', 'PUBLIC')
          AND CASE WHEN d.grant1_level = 'PUBLIC' THEN coalesce(d.role1, '*PUBLIC') ELSE d.role1 END = rc.role_id
          AND CASE WHEN d.grant2_level = 'PUBLIC' THEN coalesce(d.role2, '*PUBLIC') ELSE d.role2 END = rc.role_id)
FROM {{schema}}.sod_role_conflicts rc
LEFT JOIN {{schema}}.security_roles ro ON ro.apps_id = rc.apps_id AND ro.role_id = rc.role_id
LEFT JOIN {{schema}}.sod_activities a1 ON a1.apps_id = rc.apps_id AND a1.activity_id = rc.activity1_id
LEFT JOIN {{schema}}.sod_activities a2 ON a2.apps_id = rc.apps_id AND a2.activity_id = rc.activity2_id
WHERE rc.apps_id = :a
GROUP BY rc.apps_id, rc.role_id, ro.description, rc.process_id, rc.activity1_id, rc.activity2_id,
         a1.activity_id, a1.name, a2.activity_id, a2.name
ORDER BY rc.role_id, rc.process_id, rc.activity1_id, rc.activity2_id
