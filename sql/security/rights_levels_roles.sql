-- Levels of each role as a subject: the role (rank 1), then *PUBLIC (rank 999); the subject
-- *PUBLIC has only itself. A role right answers "what does this role grant on its own".
DROP TABLE IF EXISTS pg_temp.sec_level;
CREATE TEMP TABLE sec_level AS
SELECT role_id AS subject, role_id AS principal, 1 AS rank
FROM {{schema}}.security_roles WHERE apps_id = {{apps_id}} AND role_id <> '*PUBLIC'
UNION ALL
SELECT role_id, '*PUBLIC', 999
FROM {{schema}}.security_roles WHERE apps_id = {{apps_id}} AND role_id <> '*PUBLIC'
UNION ALL
SELECT '*PUBLIC', '*PUBLIC', 999;
ANALYZE sec_level;
