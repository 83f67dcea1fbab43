-- Menu filtering per role: for every task of the secured task views that launches an object,
-- whether each role (and *PUBLIC) may launch it by application security (the role's record,
-- else *PUBLIC's, else open). Inputs: src_rel (F9001 rows of the secured views), src_task
-- (F9000 rows of their child tasks), src_roles (F00926).
DROP TABLE IF EXISTS pg_temp.menu_task;
CREATE TEMP TABLE menu_task AS
SELECT DISTINCT pg_temp.jde_str(r.task_view) AS task_view, pg_temp.jde_str(t.task_id) AS task_id,
       pg_temp.jde_str(t.object_name) AS o, pg_temp.jde_str(t.form_name) AS f, pg_temp.jde_str(t.version) AS v
FROM src_rel r
JOIN src_task t ON pg_temp.jde_str(t.task_id) = pg_temp.jde_str(r.child_task_id)
WHERE pg_temp.jde_str(t.object_name) <> '';
ANALYZE menu_task;
DROP TABLE IF EXISTS pg_temp.sec_level;
CREATE TEMP TABLE sec_level AS
SELECT subject, subject AS principal, 1 AS rank
FROM (SELECT DISTINCT pg_temp.jde_str(role_id) AS subject FROM src_roles) AS r
WHERE subject NOT IN ('', '*PUBLIC')
UNION ALL
SELECT subject, '*PUBLIC', 999
FROM (SELECT DISTINCT pg_temp.jde_str(role_id) AS subject FROM src_roles) AS r
WHERE subject NOT IN ('', '*PUBLIC')
UNION ALL
SELECT '*PUBLIC', '*PUBLIC', 999;
ANALYZE sec_level;
-- every role (and *PUBLIC) x every distinct object / form / version a menu task launches
DROP TABLE IF EXISTS pg_temp.sec_extra;
CREATE TEMP TABLE sec_extra AS
SELECT s.subject, m.o, m.f, m.v
FROM (SELECT DISTINCT subject FROM sec_level) AS s
CROSS JOIN (SELECT DISTINCT o, f, v FROM menu_task) AS m;
