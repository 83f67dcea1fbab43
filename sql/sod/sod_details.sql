-- SOD_CONFLICT_DETAILS: every enabled user holding both activities of a rule, one row per
-- (rule, user, object 1, object 2), with the path of each side. Needs sod_prepare.sql.
--
-- A user holds an activity through object O when a security_rights_users row of the user for O
-- matches a binding (form / version '' = any) with can_run, and with the activity's action flag
-- (can_add / can_change / can_delete) when the activity is an action. When several rows of O
-- grant it, the object-level row ('' / '') decides the path, else the first by form, version.
-- The path is the application-security decision (decided_level / decided_by); for an action
-- activity whose action flag was decided by an explicit record, that record's decision.
DROP TABLE IF EXISTS pg_temp.sod_holdings;
CREATE TEMP TABLE sod_holdings AS
SELECT DISTINCT ON (r.user_id, b.activity_id, r.object_name)
       r.user_id, b.activity_id, r.object_name,
       CASE WHEN b.action <> 'run' AND r.action_decided_level IN ('USER', 'ROLE', 'PUBLIC')
            THEN r.action_decided_level ELSE r.decided_level END AS grant_level,
       CASE WHEN b.action <> 'run' AND r.action_decided_level IN ('USER', 'ROLE', 'PUBLIC')
            THEN r.action_decided_by ELSE r.decided_by END AS granted_by
FROM sod_bindings b
JOIN {{schema}}.security_rights_users r
  ON r.apps_id = {{apps_id}} AND r.object_name = b.object_name
 AND (b.form_name = '' OR r.form_name = b.form_name)
 AND (b.version = '' OR r.version = b.version)
JOIN {{schema}}.security_users u ON u.apps_id = r.apps_id AND u.user_id = r.user_id AND u.enabled
WHERE r.can_run
  AND CASE b.action WHEN 'add' THEN r.can_add
                    WHEN 'change' THEN r.can_change
                    WHEN 'delete' THEN r.can_delete
                    ELSE true END
ORDER BY r.user_id, b.activity_id, r.object_name,
         (r.form_name = '' AND r.version = '') DESC, r.form_name, r.version;
CREATE INDEX ON sod_holdings (activity_id, user_id);
ANALYZE sod_holdings;
-- Exceptions valid on the as-of date: the token valid_on_as_of is the one validity-window rule of
-- the mitigations (mitigates_on in collectors/sod/mitigations.py), written for alias e.
DROP TABLE IF EXISTS pg_temp.sod_valid_exceptions;
CREATE TEMP TABLE sod_valid_exceptions AS
SELECT e.exception_id, e.user_id, e.role_id, e.process_id, e.activity1_id, e.activity2_id
FROM {{schema}}.sod_exceptions e
WHERE e.apps_id = {{apps_id}} AND {{valid_on_as_of}};
ANALYZE sod_valid_exceptions;
DELETE FROM {{schema}}.sod_conflict_details WHERE apps_id = {{apps_id}};
-- A conflict is mitigated by a valid exception of its rule naming the user, or naming the role
-- (or *PUBLIC) that granted one of its sides; a user exception is preferred, then the smallest id.
-- count: details
INSERT INTO {{schema}}.sod_conflict_details (
    apps_id, process_id, activity1_id, activity2_id, user_id, object1, object2,
    risk_id, risk_level, risk_score, role1, role2, grant1_level, grant2_level,
    privileged, mitigated, exception_id, refreshed_at, run_id)
SELECT {{apps_id}}, m.process_id, m.activity1_id, m.activity2_id, h1.user_id, h1.object_name, h2.object_name,
       m.risk_id, m.risk_level, m.risk_score, h1.granted_by, h2.granted_by, h1.grant_level, h2.grant_level,
       u.privileged, x.exception_id IS NOT NULL, x.exception_id, now(), {{run_id}}
FROM sod_rules m
JOIN sod_holdings h1 ON h1.activity_id = m.activity1_id
JOIN sod_holdings h2 ON h2.activity_id = m.activity2_id AND h2.user_id = h1.user_id
JOIN {{schema}}.security_users u ON u.apps_id = {{apps_id}} AND u.user_id = h1.user_id
LEFT JOIN LATERAL (
    SELECT e.exception_id
    FROM sod_valid_exceptions e
    WHERE e.process_id = m.process_id AND e.activity1_id = m.activity1_id AND e.activity2_id = m.activity2_id
      AND (e.user_id = h1.user_id
           OR (e.role_id = h1.granted_by AND h1.grant_level IN ('ROLE', 'PUBLIC'))
           OR (e.role_id = h2.granted_by AND h2.grant_level IN ('ROLE', 'PUBLIC')))
    ORDER BY (e.user_id IS NULL), e.exception_id
    LIMIT 1
) AS x ON true;
