-- SoD inputs shared by SOD_CONFLICT_DETAILS and SOD_CONFLICT_SUMMARY (TEMP tables of the step):
-- the application's rules with their normalised level, and the objects bound to their activities.
--
-- Level: the matrix level, else the risk's default level. Text levels map to a score (High 100,
-- Medium 50, Low 10; H/M/L too); a numeric level is kept as the score and displayed High from 75,
-- Medium from 30, else Low. An unknown text is kept as written, without a score.
DROP TABLE IF EXISTS pg_temp.sod_rules;
CREATE TEMP TABLE sod_rules AS
SELECT l.process_id, l.activity1_id, l.activity2_id, l.risk_id,
       CASE WHEN l.score IS NULL THEN l.raw_level
            WHEN l.score >= 75 THEN 'High'
            WHEN l.score >= 30 THEN 'Medium'
            ELSE 'Low' END AS risk_level,
       l.score AS risk_score
FROM (
    SELECT m.process_id, m.activity1_id, m.activity2_id, m.risk_id, v.raw_level,
           CASE WHEN v.raw_level ~ '^[0-9]+([.][0-9]+)?$' THEN round(v.raw_level::numeric)::int
                WHEN upper(v.raw_level) IN ('H', 'HIGH') THEN 100
                WHEN upper(v.raw_level) IN ('M', 'MEDIUM', 'MED') THEN 50
                WHEN upper(v.raw_level) IN ('L', 'LOW') THEN 10 END AS score
    FROM {{schema}}.sod_matrix m
    LEFT JOIN {{schema}}.sod_risks r ON r.apps_id = m.apps_id AND r.risk_id = m.risk_id
    CROSS JOIN LATERAL (
        SELECT coalesce(nullif(btrim(m.risk_level), ''), nullif(btrim(r.default_level), '')) AS raw_level
    ) AS v
    WHERE m.apps_id = {{apps_id}}
) AS l;
-- The objects of the rules' activities with the right each needs (run, or run + add/change/delete).
-- Placeholders (blank object names, '######' "to be defined") bind nothing.
DROP TABLE IF EXISTS pg_temp.sod_bindings;
CREATE TEMP TABLE sod_bindings AS
SELECT o.activity_id, a.action, o.object_name, o.form_name, o.version
FROM {{schema}}.sod_objects o
JOIN {{schema}}.sod_activities a ON a.apps_id = o.apps_id AND a.activity_id = o.activity_id
WHERE o.apps_id = {{apps_id}}
  AND btrim(o.object_name) <> '' AND btrim(o.object_name) !~ '^#+$'
  AND o.activity_id IN (SELECT activity1_id FROM sod_rules UNION SELECT activity2_id FROM sod_rules);
ANALYZE sod_rules;
ANALYZE sod_bindings;
