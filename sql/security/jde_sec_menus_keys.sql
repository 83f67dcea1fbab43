-- every role (and *PUBLIC) x every distinct object / form / version launched by a menu task
DROP TABLE IF EXISTS pg_temp.sec_key;
CREATE TEMP TABLE sec_key AS
SELECT s.subject, m.o, m.f, m.v
FROM (SELECT DISTINCT subject FROM sec_level) AS s
CROSS JOIN (SELECT DISTINCT o, f, v FROM menu_task) AS m;
ANALYZE sec_key;
