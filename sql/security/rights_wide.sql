-- A key naming a form or a version also matches the less specific records of its object (object
-- + version, object + form, object alone): the smallest order key among them, per kind. Only
-- these few keys are joined back to sec_ex; object-level keys have a single matching pattern.
DROP TABLE IF EXISTS pg_temp.sec_wide;
CREATE TEMP TABLE sec_wide AS
SELECT m.subject, m.o, m.f, m.v, min(e.app_exact) AS app, min(e.act_exact) AS act
FROM sec_ex m
JOIN sec_ex e ON e.subject = m.subject AND e.o = m.o
             AND (e.f = m.f OR e.f = '') AND (e.v = m.v OR e.v = '')
WHERE m.f <> '' OR m.v <> ''
GROUP BY m.subject, m.o, m.f, m.v;
ANALYZE sec_wide;
