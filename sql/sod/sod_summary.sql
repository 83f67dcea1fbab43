-- SOD_CONFLICT_SUMMARY: users in conflict per rule (every rule of the matrix, 0 when nobody),
-- self-conflicting roles, and this run's snapshot of the summary for trends. Needs sod_prepare.sql.
DELETE FROM {{schema}}.sod_conflict_summary WHERE apps_id = {{apps_id}};
-- A user counts as mitigated for a rule when every detail row of the user for the rule is.
-- count: summary
INSERT INTO {{schema}}.sod_conflict_summary (
    apps_id, process_id, activity1_id, activity2_id, risk_id, risk_level,
    users_count, privileged_users_count, mitigated_count, refreshed_at, run_id)
SELECT {{apps_id}}, m.process_id, m.activity1_id, m.activity2_id, m.risk_id, m.risk_level,
       coalesce(c.users_count, 0), coalesce(c.privileged_users_count, 0), coalesce(c.mitigated_count, 0),
       now(), {{run_id}}
FROM sod_rules m
LEFT JOIN (
    SELECT process_id, activity1_id, activity2_id,
           count(*)::int AS users_count,
           (count(*) FILTER (WHERE privileged))::int AS privileged_users_count,
           (count(*) FILTER (WHERE mitigated))::int AS mitigated_count
    FROM (
        SELECT process_id, activity1_id, activity2_id, user_id,
               bool_or(privileged) AS privileged, bool_and(mitigated) AS mitigated
        FROM {{schema}}.sod_conflict_details
        WHERE apps_id = {{apps_id}}
        GROUP BY process_id, activity1_id, activity2_id, user_id
    ) AS per_user
    GROUP BY process_id, activity1_id, activity2_id
) AS c ON c.process_id = m.process_id AND c.activity1_id = m.activity1_id AND c.activity2_id = m.activity2_id;
-- Self-conflicting roles: a role (or *PUBLIC) whose own rights reach both activities: the run
-- right decided by the role itself and, for an action activity, the action flag decided by the
-- role itself or open by default.
DROP TABLE IF EXISTS pg_temp.sod_role_holdings;
CREATE TEMP TABLE sod_role_holdings AS
SELECT DISTINCT r.role_id, b.activity_id, r.object_name
FROM sod_bindings b
JOIN {{schema}}.security_rights_roles r
  ON r.apps_id = {{apps_id}} AND r.object_name = b.object_name
 AND (b.form_name = '' OR r.form_name = b.form_name)
 AND (b.version = '' OR r.version = b.version)
WHERE r.can_run AND r.decided_level IN ('ROLE', 'PUBLIC') AND r.decided_by = r.role_id
  AND (b.action = 'run'
       OR (CASE b.action WHEN 'add' THEN r.can_add
                         WHEN 'change' THEN r.can_change
                         WHEN 'delete' THEN r.can_delete END
           AND (r.action_decided_level IS NULL OR r.action_decided_level = 'DEFAULT'
                OR r.action_decided_by = r.role_id)));
ANALYZE sod_role_holdings;
DELETE FROM {{schema}}.sod_role_conflicts WHERE apps_id = {{apps_id}};
-- count: role_conflicts
INSERT INTO {{schema}}.sod_role_conflicts (
    apps_id, role_id, process_id, activity1_id, activity2_id, object1, object2,
    risk_id, risk_level, risk_score, refreshed_at, run_id)
SELECT {{apps_id}}, h1.role_id, m.process_id, m.activity1_id, m.activity2_id, h1.object_name, h2.object_name,
       m.risk_id, m.risk_level, m.risk_score, now(), {{run_id}}
FROM sod_rules m
JOIN sod_role_holdings h1 ON h1.activity_id = m.activity1_id
JOIN sod_role_holdings h2 ON h2.activity_id = m.activity2_id AND h2.role_id = h1.role_id;
-- History: this run's summary (a re-run of the same run replaces its rows).
DELETE FROM {{schema}}.sod_conflict_history WHERE apps_id = {{apps_id}} AND run_id = {{run_id}};
-- count: history
INSERT INTO {{schema}}.sod_conflict_history (
    apps_id, run_id, computed_at, process_id, activity1_id, activity2_id, risk_id, risk_level,
    users_count, mitigated_count, privileged_users_count, as_of_date)
SELECT apps_id, {{run_id}}, now(), process_id, activity1_id, activity2_id, risk_id, risk_level,
       users_count, mitigated_count, privileged_users_count, {{as_of}}
FROM {{schema}}.sod_conflict_summary
WHERE apps_id = {{apps_id}};
